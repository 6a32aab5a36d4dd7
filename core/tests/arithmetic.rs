//! Field and curve arithmetic against an independent big-integer model.

use num_bigint::BigUint;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkaccel_core::{
    Affine, Bn254, Field, Fq, Fr, G1Affine, G1Projective, PointError, PrimeField, SwCurve, TwoAdicField,
};

fn big(limbs: &[u64]) -> BigUint {
    let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

fn to_big<F: PrimeField<Repr = [u64; 4]>>(x: F) -> BigUint {
    big(&x.to_canonical())
}

fn from_big<F: PrimeField<Repr = [u64; 4]>>(x: &BigUint) -> F {
    let mut limbs = [0u64; 4];
    for (i, d) in x.to_u64_digits().into_iter().enumerate() {
        limbs[i] = d;
    }
    F::from_canonical(limbs).expect("reduced")
}

fn edge_values<F: PrimeField<Repr = [u64; 4]>>() -> Vec<F> {
    let p = big(&F::MODULUS);
    [0u32, 1, 2, 3]
        .iter()
        .map(|&k| from_big::<F>(&BigUint::from(k)))
        .chain([1u32, 2].iter().map(|&k| from_big::<F>(&(&p - k))))
        .chain([from_big::<F>(&(&p >> 1)), from_big::<F>(&((&p >> 1) + 1u32))])
        .collect()
}

fn check_field<F: PrimeField<Repr = [u64; 4]>>() {
    let p = big(&F::MODULUS);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut values = edge_values::<F>();
    values.extend((0..200).map(|_| F::random(&mut rng)));
    for &a in &values {
        let ba = to_big(a);
        assert!(ba < p);
        assert_eq!(to_big(-a), (&p - &ba) % &p);
        assert_eq!(to_big(a.square()), &ba * &ba % &p);
        assert_eq!(to_big(a.double()), (&ba << 1) % &p);
        match a.inverse() {
            None => assert!(a.is_zero()),
            Some(inv) => assert_eq!(to_big(inv * a), BigUint::from(1u32)),
        }
        assert_eq!(F::from_canonical(a.to_canonical()), Some(a));
        for &b in values.iter().step_by(7) {
            let bb = to_big(b);
            assert_eq!(to_big(a + b), (&ba + &bb) % &p);
            assert_eq!(to_big(a - b), (&p + &ba - &bb) % &p);
            assert_eq!(to_big(a * b), &ba * &bb % &p);
        }
    }
    assert_eq!(F::from_canonical(F::MODULUS), None);
    assert_eq!(to_big(F::from_u64(u64::MAX)), BigUint::from(u64::MAX) % &p);
    assert_eq!(F::NUM_BITS as u64, p.bits());
}

#[test]
fn neg_if_matches_negation() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    for x in edge_values::<Fq>().into_iter().chain((0..50).map(|_| Fq::random(&mut rng))) {
        assert_eq!(x.neg_if(true), -x);
        assert_eq!(x.neg_if(false), x);
        assert!(x.neg_if(true).is_reduced());
    }
}

#[test]
fn fr_matches_big_integers() {
    check_field::<Fr>();
}

#[test]
fn fq_matches_big_integers() {
    check_field::<Fq>();
}

#[test]
fn montgomery_form_is_a_times_two_to_256() {
    // The layout arkworks and halo2curves share: limbs hold a·2^256 mod p.
    let p = big(&Fr::MODULUS);
    let five = Fr::from_u64(5);
    assert_eq!(big(&five.montgomery_limbs()), (BigUint::from(5u32) << 256) % &p);
    assert_eq!(Fr::from_montgomery_limbs(five.montgomery_limbs()), Some(five));
    assert_eq!(Fr::from_montgomery_limbs(Fr::MODULUS), None);
    assert!(!Fr::from_montgomery_limbs_unchecked(Fr::MODULUS).is_reduced());
}

#[test]
fn two_adic_roots_have_exact_order() {
    assert_eq!(Fr::TWO_ADICITY, 28);
    for log_n in [0u32, 1, 2, 10, 28] {
        let w = Fr::two_adic_generator(log_n).unwrap();
        assert_eq!(w.pow(&[1u64 << log_n]), Fr::ONE);
        if log_n > 0 {
            assert_eq!(w.pow(&[1u64 << (log_n - 1)]), -Fr::ONE);
            assert_eq!(Fr::two_adic_generator(log_n - 1).unwrap(), w.square());
        }
    }
    assert_eq!(Fr::two_adic_generator(29), None);
    // 7 is a quadratic non-residue, as a generator of Fr^* must be.
    let p = big(&Fr::MODULUS);
    let half: BigUint = (&p - 1u32) >> 1;
    let e: Vec<u64> = half.to_u64_digits();
    assert_eq!(Fr::multiplicative_generator().pow(&e), -Fr::ONE);
}

#[test]
fn ordering_is_by_canonical_value() {
    let mut v: Vec<Fr> = (0..50u64).rev().map(Fr::from_u64).collect();
    v.push(-Fr::ONE);
    v.sort();
    assert_eq!(v[0], Fr::ZERO);
    assert_eq!(v[49], Fr::from_u64(49));
    assert_eq!(v[50], -Fr::ONE);
}

// ---- curve: an affine model over big integers ----

type BigPoint = Option<(BigUint, BigUint)>;

fn fq_p() -> BigUint {
    big(&Fq::MODULUS)
}

fn inv_mod(a: &BigUint, p: &BigUint) -> BigUint {
    a.modpow(&(p - 2u32), p)
}

fn big_add(a: &BigPoint, b: &BigPoint) -> BigPoint {
    let p = fq_p();
    match (a, b) {
        (None, _) => b.clone(),
        (_, None) => a.clone(),
        (Some((x1, y1)), Some((x2, y2))) => {
            let lambda = if x1 == x2 {
                if (y1 + y2) % &p == BigUint::from(0u32) {
                    return None;
                }
                BigUint::from(3u32) * x1 * x1 % &p * inv_mod(&(y1 << 1), &p) % &p
            } else {
                (&p + y2 - y1) % &p * inv_mod(&((&p + x2 - x1) % &p), &p) % &p
            };
            let x3 = (&lambda * &lambda + (&p << 1) - x1 - x2) % &p;
            let y3 = (&lambda * ((&p + x1 - &x3) % &p) + &p - y1) % &p;
            Some((x3, y3))
        }
    }
}

fn big_mul(a: &BigPoint, k: &BigUint) -> BigPoint {
    let mut acc = None;
    for i in (0..k.bits()).rev() {
        acc = big_add(&acc, &acc);
        if k.bit(i) {
            acc = big_add(&acc, a);
        }
    }
    acc
}

fn to_big_point(p: &G1Projective) -> BigPoint {
    let a = p.to_affine();
    (!a.is_identity()).then(|| (to_big(a.x), to_big(a.y)))
}

fn from_big_point(p: &BigPoint) -> G1Affine {
    match p {
        None => G1Affine::IDENTITY,
        Some((x, y)) => G1Affine::new(from_big(x), from_big(y)).expect("on curve"),
    }
}

#[test]
fn generator_and_known_double() {
    let g = Bn254::GENERATOR;
    assert!(g.validate().is_ok());
    let two_g = g.to_projective().double().to_affine();
    // 2·(1, 2) on BN254 G1, a widely published vector.
    let x: BigUint = "1368015179489954701390400359078579693043519447331113978918064868415326638035".parse().unwrap();
    let y: BigUint = "9918110051302171585080402603319702774565515993150576347155970296011118125764".parse().unwrap();
    assert_eq!((to_big(two_g.x), to_big(two_g.y)), (x, y));
}

#[test]
fn group_law_matches_affine_model() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let g = Some((BigUint::from(1u32), BigUint::from(2u32)));
    let points: Vec<BigPoint> =
        (0..12).map(|_| big_mul(&g, &to_big(Fr::random(&mut rng)))).chain([None, g.clone()]).collect();
    for a in &points {
        let pa = from_big_point(a);
        let ja = pa.to_projective();
        assert!(ja.is_on_curve());
        assert_eq!(to_big_point(&ja.double()), big_add(a, a));
        let neg = pa.neg();
        assert!(ja.add_affine(&neg).is_identity());
        assert!(ja.add(&neg.to_projective()).is_identity());
        for b in &points {
            let pb = from_big_point(b);
            let expected = big_add(a, b);
            assert_eq!(to_big_point(&ja.add_affine(&pb)), expected);
            // Jacobian inputs with Z ≠ 1.
            let jb = pb.to_projective().double().add(&pb.to_projective().neg());
            assert_eq!(to_big_point(&ja.double().add(&jb).add(&ja.neg())), expected);
        }
    }
}

#[test]
fn scalar_multiplication_and_group_order() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let g = Bn254::GENERATOR;
    let gb = Some((BigUint::from(1u32), BigUint::from(2u32)));
    for _ in 0..5 {
        let k = Fr::random(&mut rng);
        assert_eq!(to_big_point(&g.mul(&k)), big_mul(&gb, &to_big(k)));
    }
    // (r − 1)·G = −G, so r·G is the identity.
    let minus_one = -Fr::ONE;
    assert_eq!(g.mul(&minus_one).to_affine(), g.neg());
    assert!(g.mul(&minus_one).add_affine(&g).is_identity());
    assert!(g.mul(&Fr::ZERO).is_identity());
}

#[test]
fn validation_rejects_bad_points() {
    let g = Bn254::GENERATOR;
    assert_eq!(Affine::<Bn254>::new(g.x, g.y + Fq::ONE), Err(PointError::NotOnCurve));
    let unreduced = Fq::from_montgomery_limbs_unchecked(Fq::MODULUS);
    assert_eq!(G1Affine::new_unchecked(unreduced, g.y).validate(), Err(PointError::CoordinateNotReduced));
    assert!(G1Affine::IDENTITY.validate().is_ok());
    // (0, y) with y ≠ 0 is neither the identity nor on the curve (0 + 3 is not y²).
    assert_eq!(G1Affine::new(Fq::ZERO, Fq::ONE), Err(PointError::NotOnCurve));
}

#[test]
fn batch_to_affine_matches_single() {
    let g = Bn254::GENERATOR.to_projective();
    let pts: Vec<G1Projective> = (0..20)
        .scan(g, |acc, i| {
            *acc = acc.double().add(&g);
            Some(if i % 5 == 0 { G1Projective::IDENTITY } else { *acc })
        })
        .collect();
    let affine = zkaccel_core::batch_to_affine(&pts);
    for (p, a) in pts.iter().zip(&affine) {
        assert_eq!(p.to_affine(), *a);
    }
}

#[test]
fn batch_inversions_agree_with_single_inversions() {
    use zkaccel_core::field_ops::{batch_inverse_nonzero, batch_inverse_nonzero_interleaved, batch_inverse_skip_zeros};
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for n in (0..=9).chain([100, 1001]) {
        let values: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();
        let expected: Vec<Fr> = values.iter().map(|v| v.inverse().unwrap()).collect();
        for invert in [batch_inverse_nonzero::<Fr>, batch_inverse_nonzero_interleaved, batch_inverse_skip_zeros] {
            let mut got = values.clone();
            invert(&mut got);
            assert_eq!(got, expected, "n = {n}");
        }
    }
    let mut with_zero = vec![Fr::from_u64(2), Fr::ZERO, Fr::from_u64(4)];
    batch_inverse_skip_zeros(&mut with_zero);
    assert_eq!(with_zero, vec![Fr::from_u64(2).inverse().unwrap(), Fr::ZERO, Fr::from_u64(4).inverse().unwrap()]);
}

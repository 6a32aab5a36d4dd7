//! The CUDA kernels' arithmetic and algorithms, compiled for the host
//! (`kernels/host_emu.cpp`, feature `host-kernels`), against zkaccel-core.
//! The host build runs each launch's threads in order, so these tests check
//! the code the GPU runs — its indexing, digit recoding, bucket sort, bucket
//! reduction, NTT passes and lookup kernels — on every CI run.
#![cfg(feature = "host-kernels")]
// Every call passes live buffers of the lengths kernels/host_emu.cpp reads and writes.
#![allow(clippy::undocumented_unsafe_blocks)]

use zkaccel_core::testing::{random_points, random_scalars, rng};
use zkaccel_core::{reference, Bn254, Field, Fq, Fr, G1Affine, G1Projective, PrimeField, SwCurve, TwoAdicField};

const NONE: u32 = u32::MAX;

use zkaccel_backend_cuda::host::*;

fn limbs<P: zkaccel_core::FpParams>(v: &[zkaccel_core::Fp<P>]) -> Vec<u64> {
    v.iter().flat_map(|x| x.montgomery_limbs()).collect()
}

fn fq(w: &[u64]) -> Fq {
    Fq::from_montgomery_limbs_unchecked([w[0], w[1], w[2], w[3]])
}
fn fr(w: &[u64]) -> Fr {
    Fr::from_montgomery_limbs_unchecked([w[0], w[1], w[2], w[3]])
}
fn point_limbs(points: &[G1Affine]) -> Vec<u64> {
    points.iter().flat_map(|p| p.x.montgomery_limbs().into_iter().chain(p.y.montgomery_limbs())).collect()
}
fn jacobian(w: &[u64]) -> G1Projective {
    G1Projective::new_unchecked(fq(&w[0..4]), fq(&w[4..8]), fq(&w[8..12]))
}

fn edge_and_random<F: PrimeField>(seed: u64) -> Vec<F> {
    let mut v = vec![F::ZERO, F::ONE, F::ONE.double(), -F::ONE, -F::ONE.double()];
    let mut r = rng(seed);
    v.extend((0..200).map(|_| F::random(&mut r)));
    v
}

#[test]
fn base_field_arithmetic_matches_core() {
    let xs: Vec<Fq> = edge_and_random(1);
    let ys: Vec<Fq> = edge_and_random(2).into_iter().rev().collect();
    for (x, y) in xs.iter().zip(&ys) {
        let (a, b) = (x.montgomery_limbs(), y.montgomery_limbs());
        let mut out = [0u64; 4];
        unsafe { zk_host_fq_mul(a.as_ptr(), b.as_ptr(), out.as_mut_ptr()) };
        assert_eq!(fq(&out), *x * *y, "{x:?} · {y:?}");
        unsafe { zk_host_fq_add(a.as_ptr(), b.as_ptr(), out.as_mut_ptr()) };
        assert_eq!(fq(&out), *x + *y);
        unsafe { zk_host_fq_sub(a.as_ptr(), b.as_ptr(), out.as_mut_ptr()) };
        assert_eq!(fq(&out), *x - *y);
    }
}

#[test]
fn scalar_field_arithmetic_matches_core() {
    let xs: Vec<Fr> = edge_and_random(3);
    for (x, y) in xs.iter().zip(xs.iter().rev()) {
        let (a, b) = (x.montgomery_limbs(), y.montgomery_limbs());
        let mut out = [0u64; 4];
        unsafe { zk_host_fr_mul(a.as_ptr(), b.as_ptr(), out.as_mut_ptr()) };
        assert_eq!(fr(&out), *x * *y);
        unsafe { zk_host_fr_inverse(a.as_ptr(), out.as_mut_ptr()) };
        assert_eq!(fr(&out), x.inverse().unwrap_or(Fr::ZERO));
        unsafe { zk_host_fr_to_canonical(a.as_ptr(), out.as_mut_ptr()) };
        assert_eq!(out, x.to_canonical());
    }
}

#[test]
fn point_additions_cover_doubling_negation_and_identity() {
    let mut r = rng(4);
    let p = random_points(3, &mut r);
    let cases: Vec<Vec<G1Affine>> = vec![
        vec![],
        vec![G1Affine::IDENTITY],
        vec![p[0]],
        vec![p[0], p[0]],             // doubling
        vec![p[0], p[0].neg()],       // P + (−P)
        vec![p[0], p[0].neg(), p[1]], // then from the identity
        vec![G1Affine::IDENTITY, p[1], G1Affine::IDENTITY],
        vec![p[0], p[0], p[0], p[1], p[2], p[2]], // 2P + P, …
        random_points(40, &mut r),
    ];
    for points in cases {
        let expected = points.iter().fold(G1Projective::IDENTITY, |acc, q| acc.add_affine(q));
        let (mut mixed, mut full) = ([0u64; 12], [0u64; 12]);
        let words = point_limbs(&points);
        unsafe { zk_host_g1_sum(words.as_ptr(), points.len() as u32, mixed.as_mut_ptr(), full.as_mut_ptr()) };
        assert_eq!(jacobian(&mixed), expected, "mixed additions of {} points", points.len());
        assert_eq!(jacobian(&full), expected, "XYZZ additions of {} points", points.len());
    }
    for k in [0u32, 1, 2, 3, 255, 65_535, 1 << 20] {
        let mut out = [0u64; 12];
        unsafe { zk_host_g1_mul_small(point_limbs(&p[..1]).as_ptr(), k, out.as_mut_ptr()) };
        assert_eq!(jacobian(&out), p[0].mul(&Fr::from_u64(k as u64)), "{k}·P");
    }
}

fn host_msm(bases: &[G1Affine], scalars: &[Fr], c: u32, segments: u32, scan_chunk: u32) -> G1Projective {
    let mut out = [0u64; 12];
    let (b, s) = (point_limbs(bases), limbs(scalars));
    unsafe { zk_host_msm(b.as_ptr(), s.as_ptr(), scalars.len() as u32, c, segments, scan_chunk, out.as_mut_ptr()) };
    jacobian(&out)
}

#[test]
fn msm_pipeline_matches_the_reference() {
    let mut r = rng(5);
    for (n, c, segments) in [(1usize, 4u32, 1u32), (2, 4, 2), (100, 5, 4), (300, 8, 8), (300, 8, 128), (1000, 7, 1)] {
        let bases = random_points(n, &mut r);
        let scalars = random_scalars(n, &mut r);
        assert_eq!(host_msm(&bases, &scalars, c, segments, 7), reference::msm(&bases, &scalars), "n {n}, c {c}");
    }
}

#[test]
fn msm_pipeline_edge_cases() {
    let mut r = rng(6);
    let p = random_points(4, &mut r);
    let minus_one = -Fr::ONE;
    let half = (Fr::ONE.double()).inverse().unwrap(); // (r+1)/2: every window digit large
    let cases: Vec<(Vec<G1Affine>, Vec<Fr>)> = vec![
        (p.clone(), vec![Fr::ZERO; 4]),
        (p.clone(), vec![minus_one, Fr::ONE, half, -half]),
        (vec![p[0], p[0].neg(), p[1], p[1]], vec![Fr::from_u64(5); 4]),
        (vec![G1Affine::IDENTITY, p[0], G1Affine::IDENTITY, p[1]], vec![minus_one; 4]),
        (vec![p[2]; 50], vec![Fr::from_u64(123_456_789); 50]), // one bucket per window, 50 deep
        (vec![p[3]; 8], (0..8).map(|i| Fr::from_u64(1 << (7 * i))).collect()),
    ];
    for (bases, scalars) in cases {
        for c in [4u32, 6, 9, 13] {
            assert_eq!(host_msm(&bases, &scalars, c, 2, 5), reference::msm(&bases, &scalars), "c {c}");
        }
    }
}

fn twiddles(log_n: u32, inverse: bool) -> Vec<u64> {
    let mut w = Fr::two_adic_generator(log_n).unwrap();
    if inverse {
        w = w.inverse().unwrap();
    }
    let mut t = Vec::new();
    let mut acc = Fr::ONE;
    for _ in 0..(1usize << log_n) / 2 {
        t.push(acc);
        acc *= w;
    }
    limbs(&t)
}

fn host_ntt(values: &[Fr], log_n: u32, inverse: bool, shift: Option<Fr>, tile_log: u32) -> Vec<Fr> {
    let n = 1usize << log_n;
    let mut data = limbs(values);
    let tw = twiddles(log_n, inverse);
    let one = Fr::ONE.montgomery_limbs();
    let (pre_shift, post_shift, post_scale): ([u64; 4], [u64; 4], [u64; 4]);
    let null = std::ptr::null::<u64>();
    let mut ptrs = [null; 4];
    if !inverse {
        if let Some(s) = shift {
            pre_shift = s.montgomery_limbs();
            ptrs[0] = pre_shift.as_ptr();
            ptrs[1] = one.as_ptr();
        }
    } else {
        post_shift = shift.map_or(Fr::ONE, |s| s.inverse().unwrap()).montgomery_limbs();
        post_scale = Fr::from_u64(n as u64).inverse().unwrap().montgomery_limbs();
        ptrs[2] = post_shift.as_ptr();
        ptrs[3] = post_scale.as_ptr();
    }
    let columns = (values.len() / n) as u32;
    unsafe {
        zk_host_ntt(data.as_mut_ptr(), log_n, columns, tw.as_ptr(), tile_log, ptrs[0], ptrs[1], ptrs[2], ptrs[3])
    };
    data.chunks_exact(4).map(fr).collect()
}

#[test]
fn ntt_passes_match_the_dft() {
    let mut r = rng(7);
    for log_n in [1u32, 2, 5, 8, 11] {
        let n = 1usize << log_n;
        let values = random_scalars(n, &mut r);
        let shift = Fr::multiplicative_generator();
        for tile_log in [1u32, 3, 10] {
            for (inverse, coset) in [(false, None), (true, None), (false, Some(shift)), (true, Some(shift))] {
                let expected = reference::dft(&values, inverse, coset).unwrap();
                let got = host_ntt(&values, log_n, inverse, coset, tile_log);
                assert_eq!(got, expected, "2^{log_n}, tile 2^{tile_log}, inverse {inverse}, coset {coset:?}");
            }
        }
    }
}

#[test]
fn ntt_batched_columns() {
    let mut r = rng(8);
    let (log_n, columns) = (6u32, 3usize);
    let values = random_scalars(columns << log_n, &mut r);
    let got = host_ntt(&values, log_n, false, None, 4);
    for (col, out) in values.chunks(1 << log_n).zip(got.chunks(1 << log_n)) {
        assert_eq!(out, reference::dft(col, false, None).unwrap());
    }
}

#[test]
fn batch_inversion_and_sums() {
    let mut r = rng(9);
    let values = random_scalars(1000, &mut r);
    for chunk in [1u32, 7, 64, 2000] {
        let mut out = vec![0u64; values.len() * 4];
        let at =
            unsafe { zk_host_batch_inverse(limbs(&values).as_ptr(), out.as_mut_ptr(), 1000, chunk, std::ptr::null()) };
        assert_eq!(at, NONE);
        let got: Vec<Fr> = out.chunks_exact(4).map(fr).collect();
        assert_eq!(got, reference::batch_inverse(&values).unwrap(), "chunk {chunk}");
    }
    let beta = values[17];
    let mut with_zero = values.clone();
    with_zero[600] = -beta;
    with_zero[900] = -beta;
    let mut out = vec![0u64; values.len() * 4];
    let b = beta.montgomery_limbs();
    let at = unsafe { zk_host_batch_inverse(limbs(&with_zero).as_ptr(), out.as_mut_ptr(), 1000, 64, b.as_ptr()) };
    assert_eq!(at, 600, "the first zero of beta + x");
    let at = unsafe { zk_host_batch_inverse(limbs(&values).as_ptr(), out.as_mut_ptr(), 1000, 64, b.as_ptr()) };
    assert_eq!(at, NONE);
    let sums: Vec<Fr> = values.iter().map(|x| beta + *x).collect();
    assert_eq!(out.chunks_exact(4).map(fr).collect::<Vec<_>>(), reference::batch_inverse(&sums).unwrap());
}

#[test]
fn prefix_products() {
    let mut r = rng(10);
    for n in [0usize, 1, 5, 64, 1000] {
        let values = random_scalars(n, &mut r);
        for chunk in [1u32, 3, 64] {
            let mut out = vec![0u64; (n + 1) * 4];
            unsafe { zk_host_prefix_product(limbs(&values).as_ptr(), out.as_mut_ptr(), n as u32, chunk) };
            assert_eq!(out.chunks_exact(4).map(fr).collect::<Vec<_>>(), reference::prefix_product(&values), "n {n}");
        }
    }
}

#[test]
fn multiplicities_with_duplicates_and_misses() {
    let mut r = rng(11);
    let mut table = random_scalars(300, &mut r);
    table[299] = table[3]; // counted at the first row
    table[10] = Fr::ZERO;
    let inputs: Vec<Fr> = (0..2000).map(|i| table[(i * 7919) % 300]).collect();
    let capacity = 1024;
    let mut counts = vec![0u64; 300];
    let missing = unsafe {
        zk_host_multiplicities(
            limbs(&table).as_ptr(),
            300,
            limbs(&inputs).as_ptr(),
            2000,
            capacity,
            counts.as_mut_ptr(),
        )
    };
    assert_eq!(missing, NONE);
    assert_eq!(counts, reference::multiplicities(&table, &[&inputs]).unwrap());
    let mut bad = inputs.clone();
    bad[1500] = Fr::from_u64(12345);
    bad[1700] = Fr::from_u64(54321);
    let mut counts = vec![0u64; 300];
    let missing = unsafe {
        zk_host_multiplicities(limbs(&table).as_ptr(), 300, limbs(&bad).as_ptr(), 2000, capacity, counts.as_mut_ptr())
    };
    assert_eq!(missing, 1500);
}

#[test]
fn generator_is_on_the_curve_the_kernels_assume() {
    // The kernels hard-code y² = x³ + 3 through their doubling formulas (a = 0).
    let g = Bn254::GENERATOR;
    assert_eq!(g.y.square(), g.x.square() * g.x + Fq::from_u64(3));
}

/// `constraint_rows`' body, one thread over every row, against the program's
/// row-by-row definition: every node kind, rotations wrapping both ways, the
/// rows' points on a coset.
#[test]
fn constraint_rows_match_the_definition() {
    use zkaccel_core::constraints::CosetRows;
    use zkaccel_core::testing::random_constraint_program;
    let mut r = rng(61);
    for (log_n, nodes) in [(0u32, 12usize), (3, 40), (9, 150)] {
        let n = 1usize << log_n;
        let program = random_constraint_program(3, 2, nodes, &mut r);
        let columns: Vec<Vec<Fr>> = (0..3).map(|_| random_scalars(n, &mut r)).collect();
        let constants = random_scalars(2, &mut r);
        let rows =
            CosetRows { len: n, shift: Fr::multiplicative_generator(), omega: Fr::two_adic_generator(log_n).unwrap() };
        let y = Fr::random(&mut r);
        let (encoded, constraints) = zkaccel_backend_cuda::encode_constraint_program(&program);
        let column_words: Vec<u64> = columns.iter().flat_map(|c| limbs(c)).collect();
        let mut out = vec![0u64; n * 4];
        unsafe {
            zk_host_constraints(
                encoded.as_ptr(),
                program.nodes().len() as u32,
                constraints.as_ptr(),
                constraints.len() as u32,
                column_words.as_ptr(),
                n as u32,
                limbs(&constants).as_ptr(),
                limbs(&[rows.shift]).as_ptr(),
                limbs(&[rows.omega]).as_ptr(),
                limbs(&[y]).as_ptr(),
                out.as_mut_ptr(),
            );
        }
        let mut point = rows.shift;
        for i in 0..n {
            let column = |c: u32, rotation: i32| {
                columns[c as usize][(i as i64 + i64::from(rotation)).rem_euclid(n as i64) as usize]
            };
            assert_eq!(fr(&out[4 * i..]), program.evaluate_at(column, &constants, point, y), "row {i} of 2^{log_n}");
            point *= rows.omega;
        }
    }
}

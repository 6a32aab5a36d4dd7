//! The RTL of `hdl/`, verilated (feature `sim`), checked bit for bit against
//! zkaccel-core and the CPU backend: every module testbench and whole MSMs
//! through `krnl_msm`'s AXI ports.
#![cfg(feature = "sim")]

use zkaccel_backend_cpu::CpuBackend;
use zkaccel_backend_fpga::sim::{self, Field as SimField, Limbs, PointLimbs, SimDevice};
use zkaccel_backend_fpga::{host, BucketDevice, FpgaBackend};
use zkaccel_core::bn254::{FqParams, FrParams};
use zkaccel_core::testing::{self, random_points, random_scalars};
use zkaccel_core::{
    reference, Bn254, Field, Fp, FpParams, Fq, Fr, G1Affine, G1Projective, Msm, PrimeField, SwCurve, TwoAdicField,
};

/// Random elements plus the edge values 0, 1, 2, −1, −2 and (p−1)/2 and its neighbours.
fn operands<F: PrimeField>(n: usize, seed: u64) -> Vec<F> {
    let mut rng = testing::rng(seed);
    let mut v: Vec<F> = vec![F::ZERO, F::ONE, F::from_u64(2), -F::ONE, -F::from_u64(2)];
    let half = (-F::ONE) * F::from_u64(2).inverse().unwrap();
    v.extend([half, half + F::ONE, half - F::ONE]);
    while v.len() < n {
        v.push(F::random(&mut rng));
    }
    v
}

fn limbs<P: FpParams>(v: &[Fp<P>]) -> Vec<Limbs> {
    v.iter().map(Fp::montgomery_limbs).collect()
}

fn check_multiplier<P: FpParams>(field: SimField, expected_latency: u32) {
    let a: Vec<Fp<P>> = operands(300, 1);
    let mut b: Vec<Fp<P>> = operands(300, 2);
    b.rotate_left(3); // every edge value meets every other and random ones
    let (out, latency) = sim::mont_mul(field, &limbs(&a), &limbs(&b)).unwrap();
    assert_eq!(latency, expected_latency, "256/WORD word stages and the final subtraction");
    for (i, ((x, y), got)) in a.iter().zip(&b).zip(&out).enumerate() {
        assert_eq!(*got, (*x * *y).montgomery_limbs(), "product {i}");
    }
    // Squares of the edge values too.
    let (out, _) = sim::mont_mul(field, &limbs(&a[..8]), &limbs(&a[..8])).unwrap();
    for (x, got) in a.iter().zip(&out) {
        assert_eq!(*got, x.square().montgomery_limbs());
    }
}

#[test]
fn montgomery_multiplier_fq() {
    check_multiplier::<FqParams>(SimField::Fq, 5);
}

#[test]
fn montgomery_multiplier_fq_with_32_bit_words() {
    check_multiplier::<FqParams>(SimField::FqWord32, 9);
}

#[test]
fn montgomery_multiplier_fr() {
    check_multiplier::<FrParams>(SimField::Fr, 5);
}

fn jacobian(limbs: &PointLimbs) -> G1Projective {
    host::bucket_point(limbs).expect("reduced coordinates")
}

#[test]
fn point_adder_against_core_with_every_special_case() {
    let mut rng = testing::rng(3);
    let pts: Vec<G1Projective> = random_points(40, &mut rng).iter().map(G1Affine::to_projective).collect();
    let id = G1Projective::IDENTITY;
    let mut pairs: Vec<(G1Projective, G1Projective)> = vec![
        (pts[0], pts[0]),       // doubling
        (pts[1], pts[1].neg()), // P + (−P)
        (id, pts[2]),           // identity on the left
        (pts[3], id),           // and on the right
        (id, id),
        (pts[4].double(), pts[4]), // 2P + P
    ];
    // The same point with different Z (homogeneous scaling) must still double.
    let scaled = {
        let mut h = host::point_words(&pts[5]);
        let k = Fq::from_u64(12345);
        for i in 0..3 {
            let c = Fq::from_montgomery_limbs(h[4 * i..4 * i + 4].try_into().unwrap()).unwrap() * k;
            h[4 * i..4 * i + 4].copy_from_slice(&c.montgomery_limbs());
        }
        h
    };
    for w in pts.windows(2) {
        pairs.push((w[0], w[1]));
    }
    let mut p: Vec<PointLimbs> = pairs.iter().map(|(a, _)| host::point_words(a)).collect();
    let mut q: Vec<PointLimbs> = pairs.iter().map(|(_, b)| host::point_words(b)).collect();
    p.push(scaled);
    q.push(host::point_words(&pts[5]));
    pairs.push((pts[5], pts[5]));
    let (out, latency) = sim::g1_add(&p, &q).unwrap();
    assert_eq!(latency, 2 * 5 + 8);
    for (i, ((a, b), got)) in pairs.iter().zip(&out).enumerate() {
        assert_eq!(jacobian(got), a.add(b), "sum {i}");
    }
    assert!(jacobian(&out[1]).is_identity());
}

/// Twiddles of the streaming DIF NTT: stage s (half-size D = n/2^(s+1))
/// takes w_2D^j for j < D.
fn dif_twiddles(log_n: u32) -> Vec<Limbs> {
    let mut out = Vec::new();
    for s in 0..log_n {
        let half = 1usize << (log_n - 1 - s);
        let w = Fr::two_adic_generator(log_n - s).unwrap();
        let mut t = Fr::ONE;
        for _ in 0..half {
            out.push(t.montgomery_limbs());
            t *= w;
        }
    }
    out
}

fn bit_reverse(i: usize, bits: u32) -> usize {
    i.reverse_bits() >> (usize::BITS - bits)
}

#[test]
fn streaming_ntt_against_the_dft() {
    let log_n = sim::ntt_log_n();
    let n = 1usize << log_n;
    let mut rng = testing::rng(4);
    let frames = 5;
    let mut input = random_scalars(frames * n, &mut rng);
    input[..n].fill(Fr::ZERO);
    input[n..2 * n].fill(-Fr::ONE);
    for gap_every in [0u32, 1, 7] {
        let (out, cycles) = sim::ntt(&dif_twiddles(log_n), &limbs(&input), gap_every).unwrap();
        for f in 0..frames {
            let expected = reference::dft(&input[f * n..(f + 1) * n], false, None).unwrap();
            for k in 0..n {
                assert_eq!(
                    out[f * n + bit_reverse(k, log_n)],
                    expected[k].montgomery_limbs(),
                    "frame {f}, X[{k}], gaps {gap_every}"
                );
            }
        }
        if gap_every == 0 {
            // One element per cycle: the stream's length plus the pipeline fill.
            assert!(cycles < (frames * n) as u64 + 4 * n as u64, "{cycles} cycles");
        }
    }
}

fn kernel_msm(bases: &[G1Affine], scalars: &[Fr], stall_percent: u32) -> (G1Projective, sim::MsmRun) {
    let (words, identity) = host::pack_bases(bases);
    let run = sim::msm(&words, &host::pack_scalars(scalars, &identity), stall_percent).unwrap();
    (host::reduce_buckets(&run.buckets, run.window_bits).unwrap(), run)
}

#[test]
fn krnl_msm_of_256_points_matches_the_cpu_backend() {
    let mut rng = testing::rng(5);
    let bases = random_points(256, &mut rng);
    let scalars = random_scalars(256, &mut rng);
    let cpu = CpuBackend::new().msm(&bases, &scalars).unwrap();
    let (got, run) = kernel_msm(&bases, &scalars, 0);
    assert_eq!(got, cpu);
    // Memory that holds back 30% of cycles on every channel changes timing, not results.
    let (slow, slow_run) = kernel_msm(&bases, &scalars, 30);
    assert_eq!(slow, cpu);
    assert!(slow_run.cycles > run.cycles);
}

#[test]
fn krnl_msm_edge_cases() {
    let mut rng = testing::rng(6);
    let pts = random_points(24, &mut rng);
    let p = pts[0];
    let high = Fr::from_canonical([0, 0, 0, 1 << 61]).unwrap();
    let cases: Vec<(&str, Vec<G1Affine>, Vec<Fr>)> = vec![
        ("one point", vec![p], vec![Fr::from_u64(3)]),
        ("zero scalars", pts.clone(), vec![Fr::ZERO; 24]),
        ("r - 1", pts[..4].to_vec(), vec![-Fr::ONE; 4]),
        ("P and -P", vec![p, p.neg(), pts[1], pts[1].neg()], vec![Fr::from_u64(77); 4]),
        ("identity bases", vec![G1Affine::IDENTITY, p, G1Affine::IDENTITY], random_scalars(3, &mut rng)),
        // Every window of every point hits the bucket still in the adder: the hazard queue.
        ("same point, same scalar", vec![p; 40], vec![Fr::from_u64(5); 40]),
        ("same point, random scalars", vec![p; 60], random_scalars(60, &mut rng)),
        ("high-bit scalars", pts[..6].to_vec(), vec![high; 6]),
        ("small scalars", pts.clone(), (1..=24).map(Fr::from_u64).collect()),
    ];
    for (name, bases, scalars) in cases {
        let (got, _) = kernel_msm(&bases, &scalars, 0);
        assert_eq!(got, reference::msm(&bases, &scalars), "{name}");
    }
}

#[test]
fn fpga_sim_backend_against_cpu() {
    let fpga = FpgaBackend::new(SimDevice);
    let cpu = CpuBackend::new();
    let mut rng = testing::rng(7);
    let bases = random_points(300, &mut rng);
    let sets: Vec<Vec<Fr>> = (0..2).map(|_| random_scalars(300, &mut rng)).collect();
    let refs: Vec<&[Fr]> = sets.iter().map(Vec::as_slice).collect();
    assert_eq!(fpga.msm_batch(&bases, &refs).unwrap(), cpu.msm_batch(&bases, &refs).unwrap());
    let prepared = fpga.prepare_bases(&bases).unwrap();
    let short = &sets[0][..100];
    assert_eq!(fpga.msm_prepared(&prepared, short).unwrap(), cpu.msm(&bases[..100], short).unwrap());
    assert!(fpga.msm(&[], &[]).unwrap().is_identity());
    // A handle from another backend is refused, not misread.
    let foreign = cpu.prepare_bases(&bases).unwrap();
    assert!(fpga.msm_prepared(&foreign, short).is_err());
    let _ = Bn254::NAME;
}

/// Cycles per point in simulation, the figure docs/fpga.md's throughput
/// model scales: the kernel issues one window of one point per cycle, so a
/// point costs about ⌈256/C⌉ cycles plus hazard stalls; the fixed cost is
/// clearing and writing out the buckets. Printed with `--nocapture`.
#[test]
fn krnl_msm_cycles_per_point() {
    let mut rng = testing::rng(8);
    let c = SimDevice.window_bits();
    let windows = host::window_count(c) as f64;
    let bases = random_points(512, &mut rng);
    let scalars = random_scalars(512, &mut rng);
    let (_, small) = kernel_msm(&bases[..256], &scalars[..256], 0);
    let (_, large) = kernel_msm(&bases, &scalars, 0);
    let per_point = (large.cycles - small.cycles) as f64 / 256.0;
    let fixed = small.cycles as f64 - 256.0 * per_point;
    println!(
        "krnl_msm (C = {c}, {windows} windows): {per_point:.2} cycles/point ({:.3} per window), {fixed:.0} fixed cycles",
        per_point / windows
    );
    assert!(per_point >= windows && per_point < 1.25 * windows, "{per_point} cycles per point");
}

/// `zk_lane_product`: each lane's running product, for lanes restarted at
/// any element, with and without gaps in the input, one product a cycle.
#[test]
fn lane_products_against_the_running_products() {
    let lanes = sim::lane_product_lanes();
    let n = 40 * lanes + 3;
    let input: Vec<Fr> = operands(n, 21);
    // Restarts: each lane's first element, and a few more in the middle.
    let first: Vec<bool> = (0..n).map(|i| i < lanes || i % 37 == 0).collect();
    let mut running = vec![Fr::ONE; lanes];
    let expected: Vec<Fr> = (0..n)
        .map(|i| {
            let lane = i % lanes;
            running[lane] = if first[i] { input[i] } else { running[lane] * input[i] };
            running[lane]
        })
        .collect();
    for gap_every in [0u32, 1, 3, 11] {
        let (out, cycles) = sim::lane_products(&limbs(&input), &first, gap_every).unwrap();
        assert_eq!(out, limbs(&expected), "gaps every {gap_every}");
        if gap_every == 0 {
            // One element a cycle, plus the multiplier's latency.
            assert!(cycles <= n as u64 + 10, "{cycles} cycles for {n}");
            eprintln!("zk_lane_product: {n} elements in {cycles} cycles ({lanes} lanes)");
        }
    }
}

/// Prefix products through the lane-product core, the host's carries and
/// the elementwise multiplier, against the CPU backend, for lengths around
/// multiples of the lanes.
#[test]
fn prefix_products_on_the_rtl_match_the_cpu_backend() {
    use zkaccel_core::PrefixProduct;
    let lanes = sim::lane_product_lanes();
    let cpu = CpuBackend::new();
    for n in [0usize, 1, 2, lanes - 1, lanes, lanes + 1, 3 * lanes + 5, 1000] {
        let values: Vec<Fr> = operands(n.max(1), 22 + n as u64)[..n].to_vec();
        let got = zkaccel_backend_fpga::products::prefix_product(&SimDevice, "fpga-sim", &values).unwrap();
        assert_eq!(got, cpu.prefix_product(&values).unwrap(), "{n} values");
    }
    let backend = FpgaBackend::new(SimDevice);
    let unreduced = [Fr::from_montgomery_limbs_unchecked(Fr::MODULUS)];
    assert!(backend.prefix_product(&unreduced).is_err(), "an unreduced input is the caller's error");
}

/// Batch inversion through the lane-product core (forward and backward
/// passes) and the elementwise multiplier, against the CPU backend; a zero
/// is a clear error that leaves the input unchanged.
#[test]
fn batch_inversion_on_the_rtl_matches_the_cpu_backend() {
    use zkaccel_core::BatchInverse;
    let lanes = sim::lane_product_lanes();
    let cpu = CpuBackend::new();
    let backend = FpgaBackend::new(SimDevice);
    for n in [0usize, 1, 2, lanes - 1, lanes, lanes + 1, 3 * lanes + 5, 1000] {
        // The operands without their zero (index 0).
        let values: Vec<Fr> = operands::<Fr>(n + 1, 23 + n as u64)[1..].to_vec();
        let (mut ours, mut theirs) = (values.clone(), values.clone());
        backend.batch_inverse(&mut ours).unwrap();
        cpu.batch_inverse(&mut theirs).unwrap();
        assert_eq!(ours, theirs, "{n} values");
        if n > 0 {
            assert_eq!(ours[n - 1] * values[n - 1], Fr::ONE);
        }
    }
    let mut with_zero: Vec<Fr> = operands::<Fr>(50, 24)[1..].to_vec();
    with_zero[17] = Fr::ZERO;
    let before = with_zero.clone();
    assert_eq!(backend.batch_inverse(&mut with_zero), Err(zkaccel_core::Error::NotInvertible { index: 17 }));
    assert_eq!(with_zero, before, "the input is unchanged");
    // 1/(β + x) through the same kernel.
    let beta = Fr::from_u64(5);
    let xs: Vec<Fr> = operands::<Fr>(300, 25)[5..].to_vec();
    assert_eq!(backend.inverse_of_sums(beta, &xs).unwrap(), cpu.inverse_of_sums(beta, &xs).unwrap());
}

/// NTTs of 2^1 … 2^12 points on the verilated cores by the four-step method
/// — forward, inverse, on a coset, several columns at once — against the
/// CPU backend.
#[test]
fn four_step_ntts_on_the_rtl_match_the_cpu_backend() {
    use zkaccel_core::{Ntt, NttConfig};
    let cpu = CpuBackend::new();
    let backend = FpgaBackend::new(SimDevice);
    let shift = Fr::multiplicative_generator();
    let mut rng = testing::rng(26);
    for log_n in 1..=12u32 {
        let n = 1usize << log_n;
        let columns = if log_n <= 8 { 3 } else { 1 };
        let input = random_scalars(columns * n, &mut rng);
        for config in [
            NttConfig::forward(),
            NttConfig::inverse(),
            NttConfig::forward().on_coset(shift),
            NttConfig::inverse().on_coset(shift),
        ] {
            let (mut ours, mut theirs) = (input.clone(), input.clone());
            backend.ntt_batch(&mut ours, n, config).unwrap();
            cpu.ntt_batch(&mut theirs, n, config).unwrap();
            assert_eq!(ours, theirs, "2^{log_n} x {columns}, {config:?}");
        }
    }
}

/// One 2^16-point NTT, forward and back, on the RTL (`--ignored`: CI runs
/// it in its own step; about 7 s of simulation).
#[test]
#[ignore]
fn a_2_16_point_ntt_on_the_rtl() {
    use zkaccel_core::{Ntt, NttConfig};
    let n = 1usize << 16;
    let input = random_scalars(n, &mut testing::rng(27));
    let backend = FpgaBackend::new(SimDevice);
    let started = std::time::Instant::now();
    let mut ours = input.clone();
    backend.ntt(&mut ours, NttConfig::forward()).unwrap();
    let mut theirs = input.clone();
    CpuBackend::new().ntt(&mut theirs, NttConfig::forward()).unwrap();
    assert_eq!(ours, theirs);
    backend.ntt(&mut ours, NttConfig::inverse()).unwrap();
    assert_eq!(ours, input);
    eprintln!("2^16-point NTT forward and inverse on the RTL: {:.1?}", started.elapsed());
}

/// `zk_fr_inverse`: Fermat's inverse on the multiplier, against
/// zkaccel-core, with the cycles it takes.
#[test]
fn fr_inversion_on_the_multiplier() {
    let values: Vec<Fr> = operands::<Fr>(12, 28)[1..].to_vec();
    let (out, cycles) = sim::fr_inverses(&limbs(&values)).unwrap();
    let expected: Vec<Fr> = values.iter().map(|v| v.inverse().unwrap()).collect();
    assert_eq!(out, limbs(&expected));
    let per_inversion = cycles / values.len() as u64;
    eprintln!("zk_fr_inverse: {per_inversion} cycles per inversion");
    // 256 squarings and at most 256 products, each the multiplier's latency (5) and an issue cycle.
    assert!(per_inversion <= 512 * 6, "{per_inversion}");
}

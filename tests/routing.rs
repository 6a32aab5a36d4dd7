//! Measured routing: backends of known speed (the CPU backend behind a set
//! delay) pick the faster one on each side of the crossover; MSMs and
//! batched NTTs split across two or three of them equal the CPU's results;
//! a failing share is redone on the CPU; the cost cache survives a restart
//! and a corrupt or stale one is rebuilt.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use zkaccel::costs::{self, backend_key, CostCurve, CostModel};
use zkaccel::{
    Accelerator, Availability, Backend, BatchInverse, Bn254, CpuBackend, DeviceInfo, Error, Field, Fr, G1Affine,
    G1Projective, HeldBackend, Msm, Multiplicities, Ntt, NttConfig, Operation, PermuteLookup, PrefixProduct,
    PreparedBases,
};
use zkaccel_core::testing::{self, progression_points, random_points, random_scalars, FailingBackend};

/// The CPU backend after a delay of `fixed + per_element × size` per call:
/// a device whose speed the test sets.
struct Paced {
    name: &'static str,
    /// Which instance it is: two devices of one kind share a name.
    id: usize,
    fixed: Duration,
    per_element: Duration,
    cpu: CpuBackend,
}

impl Paced {
    fn new(name: &'static str, fixed_ms: f64, per_element_us: f64) -> Arc<Self> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        Arc::new(Self {
            name,
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            fixed: Duration::from_secs_f64(fixed_ms * 1e-3),
            per_element: Duration::from_secs_f64(per_element_us * 1e-6),
            cpu: CpuBackend::new(),
        })
    }

    fn wait(&self, size: usize) {
        std::thread::sleep(self.fixed + self.per_element * size as u32);
    }
}

impl Backend for Paced {
    fn name(&self) -> &'static str {
        self.name
    }
    fn availability(&self) -> Availability {
        Availability::Available(DeviceInfo { name: format!("paced test device {}", self.name), ..Default::default() })
    }
}

impl Msm<Bn254> for Paced {
    fn msm_batch(&self, bases: &[G1Affine], scalars: &[&[Fr]]) -> zkaccel::Result<Vec<G1Projective>> {
        self.wait(bases.len());
        self.cpu.msm_batch(bases, scalars)
    }
    fn prepare_bases(&self, bases: &[G1Affine]) -> zkaccel::Result<PreparedBases<Bn254>> {
        let prepared = self.cpu.prepare_bases(bases)?;
        // Marked as this instance's, as a device's resident state would be.
        Ok(PreparedBases::new(self.name, prepared.host_bases().clone(), Box::new((self.id, prepared)), 0))
    }
    fn msm_prepared_batch(
        &self,
        bases: &PreparedBases<Bn254>,
        scalars: &[&[Fr]],
    ) -> zkaccel::Result<Vec<G1Projective>> {
        let (_, inner) = bases
            .state::<(usize, PreparedBases<Bn254>)>()
            .filter(|(id, _)| *id == self.id)
            .ok_or(Error::PreparedBasesMismatch { expected: self.name, found: bases.backend() })?;
        self.wait(bases.len());
        self.cpu.msm_prepared_batch(inner, scalars)
    }
}

impl Ntt<Fr> for Paced {
    fn ntt_batch(&self, data: &mut [Fr], column_len: usize, config: NttConfig<Fr>) -> zkaccel::Result<()> {
        self.wait(data.len());
        self.cpu.ntt_batch(data, column_len, config)
    }
}

/// A paced backend that implements only MSMs, as an FPGA card does.
fn msm_only(paced: Arc<Paced>) -> HeldBackend<Bn254> {
    HeldBackend::new(paced.clone()).with_msm(paced)
}

/// A paced backend with MSMs and NTTs.
fn msm_and_ntt(paced: Arc<Paced>) -> HeldBackend<Bn254> {
    HeldBackend::new(paced.clone()).with_msm(paced.clone()).with_ntt(paced)
}

/// A fresh cache file in the target directory's temporary space.
fn cache_path(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkaccel-routing-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("costs.txt")
}

/// Linear costs in seconds: `fixed + per_element × n`.
fn linear(fixed: f64, per_element: f64) -> CostCurve {
    CostCurve::new(costs::CALIBRATION_SIZES.iter().map(|&n| (n, fixed + per_element * n as f64)).collect())
}

/// An Accelerator over `devices` whose CPU the model takes as slow (one
/// second per call), so the paced devices decide; curves of `curves` are set
/// for `ops` (others are measured at first use).
fn accelerator(devices: Vec<HeldBackend<Bn254>>, ops: &[Operation], curves: &[CostCurve]) -> Accelerator {
    let model = CostModel::in_memory();
    let cpu = HeldBackend::<Bn254>::every(Arc::new(CpuBackend::new()));
    for &op in &Operation::ALL {
        model.set(&backend_key(&cpu), op, linear(1.0, 0.0));
    }
    for (device, curve) in devices.iter().zip(curves) {
        for &op in ops {
            model.set(&backend_key(device), op, curve.clone());
        }
    }
    Accelerator::with_cost_model(devices, CpuBackend::new(), model)
}

#[test]
fn routing_picks_the_measured_faster_backend_on_each_side_of_the_crossover() {
    // `lean` has no fixed cost but 10 µs a point; `wide` costs 20 ms a call
    // and 0.1 µs a point: `lean` is faster up to about 2^11 points.
    let lean = msm_only(Paced::new("lean", 0.0, 10.0));
    let wide = msm_only(Paced::new("wide", 20.0, 0.1));
    let path = cache_path("crossover");
    let acc = {
        let model = CostModel::load(Some(path.clone()));
        let cpu = HeldBackend::<Bn254>::every(Arc::new(CpuBackend::new()));
        model.set(&backend_key(&cpu), Operation::Msm, linear(1.0, 0.0));
        Accelerator::with_cost_model(vec![lean.clone(), wide.clone()], CpuBackend::new(), model)
    };
    // The first routing decision measures both devices.
    assert_eq!(acc.route(Operation::Msm, 1 << 8), "lean");
    assert_eq!(acc.route(Operation::Msm, 1 << 14), "wide");
    let model = acc.cost_model().unwrap();
    let predict = |b: &HeldBackend<Bn254>, n| model.curve(b, Operation::Msm).unwrap().predict(n);
    assert!(predict(&lean, 1 << 8) < predict(&wide, 1 << 8));
    assert!(predict(&lean, 1 << 14) > predict(&wide, 1 << 14));
    // The routed calls compute what the CPU does.
    let mut rng = testing::rng(1);
    for n in [1usize << 8, 1 << 13] {
        let bases = random_points(n, &mut rng);
        let scalars = random_scalars(n, &mut rng);
        assert_eq!(acc.msm(&bases, &scalars).unwrap(), CpuBackend::new().msm(&bases, &scalars).unwrap());
    }
    // NTTs: neither device implements them, so the CPU takes them unmeasured.
    assert_eq!(acc.route(Operation::Ntt, 1 << 10), "cpu");
    assert!(model.curve(&lean, Operation::Ntt).is_none());

    // A second process finds the costs cached and measures nothing: its
    // predictions are the first one's.
    let again = CostModel::load(Some(path.clone()));
    assert_eq!(again.curve(&lean, Operation::Msm), model.curve(&lean, Operation::Msm));
    assert_eq!(again.curve(&wide, Operation::Msm), model.curve(&wide, Operation::Msm));
    let report = acc.routing_report();
    let msm = report.iter().find(|r| r.operation == Operation::Msm).unwrap();
    let names: Vec<&str> = msm.segments.iter().map(|s| s.1).collect();
    assert_eq!(names, vec!["lean", "wide"], "{msm:?}");
    assert!(msm.reason.contains("wide from 2^"), "{}", msm.reason);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn forcing_a_backend_ignores_the_costs() {
    // Priority routing (what ZKACCEL_BACKEND=<device> builds) takes the
    // first device that implements the call, however slow.
    let slow = msm_only(Paced::new("slow", 5.0, 0.0));
    let acc = Accelerator::with_devices(vec![slow]);
    assert!(acc.cost_model().is_none());
    assert_eq!(acc.route(Operation::Msm, 4), "slow");
    assert_eq!(acc.route(Operation::Ntt, 4), "cpu");
}

/// Edge-case MSMs: sizes that do not divide evenly, identity bases, zero
/// scalars, a point beside its negation, batches, and every scalar zero.
fn edge_case_msms() -> Vec<(Vec<G1Affine>, Vec<Vec<Fr>>)> {
    let mut rng = testing::rng(2);
    let mut cases = Vec::new();
    for n in [2usize, 3, 1000, (1 << 12) + 7] {
        let (mut bases, _) = progression_points(n, &mut rng);
        bases[n / 2] = G1Affine::IDENTITY;
        bases[0] = bases[n - 1].neg();
        let mut scalars = random_scalars(n, &mut rng);
        scalars[1] = Fr::ZERO;
        scalars[n - 1] = -Fr::ONE;
        cases.push((bases, vec![scalars, vec![Fr::ZERO; n], random_scalars(n, &mut rng)]));
    }
    cases
}

#[test]
fn split_msms_over_two_and_three_backends_equal_the_cpu() {
    let cpu = CpuBackend::new();
    for devices in [2usize, 3] {
        let held: Vec<_> =
            ["even-a", "even-b", "even-c"][..devices].iter().map(|&n| msm_only(Paced::new(n, 0.0, 0.0))).collect();
        // Equal linear costs: the MSM splits evenly.
        let curves = vec![linear(0.0, 1e-6); devices];
        let acc = accelerator(held, &[Operation::Msm, Operation::MsmPrepared], &curves);
        let split = acc.msm_split(Operation::Msm, 3000);
        assert_eq!(split.len(), devices, "{split:?}");
        assert_eq!(split.iter().map(|s| s.1).sum::<usize>(), 3000);
        for (bases, batch) in edge_case_msms() {
            let refs: Vec<&[Fr]> = batch.iter().map(Vec::as_slice).collect();
            let expected = cpu.msm_batch(&bases, &refs).unwrap();
            assert_eq!(acc.msm_batch(&bases, &refs).unwrap(), expected, "{} points on {devices}", bases.len());
            // Prepared in parts, with full and shorter scalar vectors.
            let prepared = acc.prepare_bases(&bases).unwrap();
            assert_eq!(acc.msm_prepared_batch(&prepared, &refs).unwrap(), expected);
            let short: Vec<&[Fr]> = refs.iter().map(|s| &s[..s.len() * 2 / 3]).collect();
            let n = short[0].len();
            assert_eq!(
                acc.msm_prepared_batch(&prepared, &short).unwrap(),
                cpu.msm_batch(&bases[..n], &short).unwrap(),
                "{} points, {n} scalars",
                bases.len()
            );
        }
        assert_eq!(acc.fallback_count(), 0);
    }
}

/// Two devices of one kind (two GPUs) share a name: each part of a split
/// prepared MSM goes to the device that holds its state.
#[test]
fn prepared_parts_go_to_the_device_that_holds_them() {
    let twins: Vec<_> = (0..2).map(|_| msm_only(Paced::new("twin", 0.0, 0.0))).collect();
    let acc = accelerator(twins, &[Operation::Msm, Operation::MsmPrepared], &[linear(0.0, 1e-6), linear(0.0, 1e-6)]);
    assert_eq!(acc.msm_split(Operation::MsmPrepared, 3000), vec![("twin", 1500), ("twin", 1500)]);
    let mut rng = testing::rng(6);
    let bases = random_points(3000, &mut rng);
    let scalars = random_scalars(3000, &mut rng);
    let prepared = acc.prepare_bases(&bases).unwrap();
    assert_eq!(acc.msm_prepared(&prepared, &scalars).unwrap(), CpuBackend::new().msm(&bases, &scalars).unwrap());
    assert_eq!(acc.fallback_count(), 0, "a part went to the twin without its state");
}

#[test]
fn a_split_msm_rejects_bad_input_with_the_callers_index() {
    let held: Vec<_> = ["even-a", "even-b"].iter().map(|&n| msm_only(Paced::new(n, 0.0, 0.0))).collect();
    let acc = accelerator(held, &[Operation::Msm], &[linear(0.0, 1e-6), linear(0.0, 1e-6)]);
    let mut rng = testing::rng(3);
    let mut bases = random_points(2000, &mut rng);
    let scalars = random_scalars(2000, &mut rng);
    let good = bases[1500];
    bases[1500] = G1Affine::new_unchecked(good.x, good.y + zkaccel::Fq::ONE);
    assert!(matches!(acc.msm(&bases, &scalars), Err(Error::InvalidPoint { index: 1500, .. })));
    assert!(matches!(acc.msm(&bases[..10], &scalars[..9]), Err(Error::LengthMismatch { .. })));
}

#[test]
fn a_failing_share_is_redone_on_the_cpu() {
    let failing = Arc::new(FailingBackend::device_failure());
    let held = vec![msm_only(Paced::new("even-a", 0.0, 0.0)), HeldBackend::every(failing.clone())];
    let acc = accelerator(
        held,
        &[Operation::Msm, Operation::MsmPrepared, Operation::Ntt],
        &[linear(0.0, 1e-6), linear(0.0, 1e-6)],
    );
    let cpu = CpuBackend::new();
    let mut rng = testing::rng(4);
    let bases = random_points(3000, &mut rng);
    let scalars = random_scalars(3000, &mut rng);
    assert_eq!(acc.msm_split(Operation::Msm, 3000).len(), 2);
    assert_eq!(acc.msm(&bases, &scalars).unwrap(), cpu.msm(&bases, &scalars).unwrap());
    assert!(failing.calls() >= 1 && acc.fallback_count() >= 1);
    let prepared = acc.prepare_bases(&bases).unwrap();
    assert_eq!(acc.msm_prepared(&prepared, &scalars).unwrap(), cpu.msm(&bases, &scalars).unwrap());
    // Batched NTT columns go to the failing device (it implements NTTs; the
    // paced one does not), which scribbles on its copy and fails: the CPU
    // redoes them from the caller's untouched buffer.
    let columns: Vec<Fr> = random_scalars(8 << 10, &mut rng);
    let mut data = columns.clone();
    acc.ntt_batch(&mut data, 1 << 10, NttConfig::forward()).unwrap();
    let mut expected = columns;
    cpu.ntt_batch(&mut expected, 1 << 10, NttConfig::forward()).unwrap();
    assert_eq!(data, expected);
}

#[test]
fn batched_ntt_columns_split_across_backends_equal_the_cpu() {
    let held: Vec<_> = ["even-a", "even-b"].iter().map(|&n| msm_and_ntt(Paced::new(n, 0.0, 0.0))).collect();
    let acc = accelerator(held, &[Operation::Ntt], &[linear(0.0, 1e-7), linear(0.0, 1e-7)]);
    let cpu = CpuBackend::new();
    let mut rng = testing::rng(5);
    for (columns, log_len) in [(2usize, 4u32), (5, 8), (16, 10)] {
        let len = 1usize << log_len;
        assert_eq!(acc.ntt_split(columns, len).len(), 2);
        let input = random_scalars(columns * len, &mut rng);
        for config in [NttConfig::forward(), NttConfig::inverse(), NttConfig::forward().on_coset(Fr::from_u64(7))] {
            let (mut ours, mut theirs) = (input.clone(), input.clone());
            acc.ntt_batch(&mut ours, len, config).unwrap();
            cpu.ntt_batch(&mut theirs, len, config).unwrap();
            assert_eq!(ours, theirs, "{columns} columns of 2^{log_len}, {config:?}");
        }
    }
    // An unreduced element anywhere is the caller's error, and no column changes.
    let mut bad = random_scalars(4 << 6, &mut rng);
    bad[200] = Fr::from_montgomery_limbs_unchecked(<Fr as zkaccel::PrimeField>::MODULUS);
    let before = bad.clone();
    assert!(acc.ntt_batch(&mut bad, 1 << 6, NttConfig::forward()).is_err());
    assert_eq!(bad, before);
}

#[test]
fn operations_go_only_to_backends_that_implement_them() {
    let fpga_like = msm_only(Paced::new("msm-card", 0.0, 0.0));
    let acc = accelerator(vec![fpga_like.clone()], &[Operation::Msm], &[linear(0.0, 1e-9)]);
    assert_eq!(acc.route(Operation::Msm, 1 << 10), "msm-card");
    for op in [Operation::Ntt, Operation::BatchInverse, Operation::PermuteLookup, Operation::ConstraintEvaluation] {
        assert_eq!(acc.route(op, 1 << 10), "cpu", "{op}");
    }
    let caps = fpga_like.capabilities();
    let ops: Vec<Operation> = caps.operations.iter().map(|o| o.0).collect();
    assert_eq!(ops, vec![Operation::Msm, Operation::MsmPrepared]);
    // The Accelerator answers every operation (the CPU implements all).
    let mut values = vec![Fr::from_u64(3); 8];
    acc.batch_inverse(&mut values).unwrap();
    assert_eq!(values[0] * Fr::from_u64(3), Fr::ONE);
    assert!(acc.multiplicities(&[Fr::ONE], &[&[Fr::ONE]]).is_ok());
    assert!(acc.prefix_product(&[Fr::ONE]).is_ok());
    assert!(acc.permute_lookup(&[Fr::ONE], &[Fr::ONE]).is_ok());
}

#[test]
fn a_corrupt_or_stale_cache_is_ignored_and_rebuilt() {
    let lean = msm_only(Paced::new("lean", 0.0, 0.0));
    for (case, text) in [
        ("corrupt", "this is not a cost model\n".to_string()),
        ("stale", "zkaccel cost model 1, zkaccel 0.0.1\nx | y | -\tmsm\t256:1e-3\n".to_string()),
        ("bad-point", costs_header() + "\nx | y | -\tmsm\t256:oops\n"),
        ("bad-operation", costs_header() + "\nx | y | -\tfft\t256:1e-3\n"),
    ] {
        let path = cache_path(case);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        assert!(costs::parse(&text).is_err(), "{case}");
        let model = CostModel::load(Some(path.clone()));
        assert!(model.curve(&lean, Operation::Msm).is_none(), "{case}");
        // Measuring rewrites the file, which a new model then reads.
        let curve = model.calibrate(&lean, Operation::Msm);
        assert!(!curve.points().is_empty());
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(costs::parse(&written).is_ok(), "{case}: {written}");
        assert_eq!(CostModel::load(Some(path.clone())).curve(&lean, Operation::Msm), Some(curve), "{case}");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}

/// The header this version writes (read back from a file it wrote).
fn costs_header() -> String {
    let path = cache_path("header");
    let model = CostModel::load(Some(path.clone()));
    model.set("k", Operation::Msm, linear(0.0, 1e-9));
    let text = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
    text.lines().next().unwrap().to_string()
}

#[test]
fn predictions_interpolate_and_extrapolate() {
    let curve = CostCurve::new(vec![(1 << 12, 4e-3), (1 << 8, 1e-3), (1 << 16, 64e-3)]);
    assert_eq!(curve.points()[0].0, 1 << 8, "sorted");
    assert_eq!(curve.predict(0), 0.0);
    assert_eq!(curve.predict(1), 1e-3, "a call's fixed cost below the smallest size");
    assert!((curve.predict(1 << 10) - 2e-3).abs() < 1e-9, "log-log midpoint");
    assert!((curve.predict(1 << 17) - 128e-3).abs() < 1e-9, "along the last slope beyond the largest");
    // A fixed cost (a device's launch) is not scaled up with the size.
    let device = CostCurve::new(vec![(1 << 8, 2e-3), (1 << 12, 2.1e-3), (1 << 16, 3.6e-3)]);
    let slope = 1.5e-3 / f64::from((1 << 16) - (1 << 12));
    assert!((device.predict(1 << 20) - (3.6e-3 + slope * f64::from((1 << 20) - (1 << 16)))).abs() < 1e-12);
    assert!(device.predict(1 << 20) < 3.6e-3 * 16.0);
    // A small call slowed by a busy machine is lowered to a larger one's time.
    let noisy = CostCurve::new(vec![(256, 4e-3), (4096, 0.12e-3), (65536, 2.8e-3)]);
    assert_eq!(noisy.points()[0].1, 0.12e-3);
    // One point: in proportion to the size.
    assert!((CostCurve::new(vec![(256, 1.0)]).predict(1024) - 4.0).abs() < 1e-12);
    assert_eq!(CostCurve::new(Vec::new()).predict(5), f64::INFINITY);
}

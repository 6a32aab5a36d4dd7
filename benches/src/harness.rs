//! `zkaccel bench`: zkaccel's kernels beside their peers, interleaved in one
//! process so that machine noise hits every implementation alike.
//!
//! Each round runs every implementation once, in an order that rotates from
//! round to round; the table reports medians and zkaccel's speed-up over each
//! peer. Every implementation's first output is checked against zkaccel's
//! before any time counts.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkaccel::{reference, Backend, BatchInverse, Bn254, CpuBackend, Fr, Msm, Ntt, NttConfig, PrimeField, TwoAdicField};

use crate::peers::{self, ark, h2c};

/// The operations `zkaccel bench` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchOp {
    /// MSM over ordinary (unprepared) bases.
    Msm,
    /// MSM over prepared bases (preparation not timed).
    MsmPrepared,
    /// Forward NTT, natural order in and out.
    Ntt,
    /// Inversion of many field elements.
    BatchInverse,
    /// A whole halo2 proof (size = rows, 2^k): stock `create_proof` against
    /// the same prover with its commitment MSMs on the Accelerator.
    Halo2,
    /// A whole Groth16 proof of a MiMC chain (size = constraints):
    /// `ark_groth16` against zkaccel's prover on the same circuit and key.
    Groth16,
    /// The same on a quantized dense layer with ReLU (zkML-like: small
    /// witness values).
    Groth16Relu,
    /// The zkML proof of the shipped digits model beside EZKL's (size =
    /// our circuit's rows).
    Zkml,
}

impl BenchOp {
    /// Every operation `zkaccel bench` knows.
    pub const ALL: [BenchOp; 8] = [
        Self::Msm,
        Self::MsmPrepared,
        Self::Ntt,
        Self::BatchInverse,
        Self::Halo2,
        Self::Groth16,
        Self::Groth16Relu,
        Self::Zkml,
    ];
    /// What `zkaccel bench` runs without `--ops`: the kernels (whole proofs
    /// take minutes and are asked for by name).
    const DEFAULT: [BenchOp; 4] = [Self::Msm, Self::MsmPrepared, Self::Ntt, Self::BatchInverse];

    /// The name `--ops` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Msm => "msm",
            Self::MsmPrepared => "msm-prepared",
            Self::Ntt => "ntt",
            Self::BatchInverse => "batch-inverse",
            Self::Halo2 => "halo2",
            Self::Groth16 => "groth16",
            Self::Groth16Relu => "groth16-relu",
            Self::Zkml => "zkml",
        }
    }

    /// log2 sizes measured when `--sizes` is not given.
    fn default_log_sizes(self) -> &'static [u32] {
        match self {
            Self::Msm | Self::MsmPrepared => &[16, 18, 20],
            Self::Ntt => &[16, 18, 20, 22],
            Self::BatchInverse => &[20],
            Self::Halo2 => &[14, 16],
            Self::Groth16 | Self::Groth16Relu => &[16, 18],
            // One model; its size is whatever the circuit needs.
            Self::Zkml => &[0],
        }
    }
}

impl fmt::Display for BenchOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BenchOp {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|op| op.name() == s).ok_or_else(|| {
            let names: Vec<_> = Self::ALL.iter().map(|o| o.name()).collect();
            format!("unknown operation {s:?}; expected one of {}", names.join(", "))
        })
    }
}

/// The operations measured when `--ops` is not given: the kernels (whole
/// proofs take minutes and are asked for by name).
pub fn default_ops() -> Vec<BenchOp> {
    BenchOp::DEFAULT.to_vec()
}

/// One measured (operation, size, implementation).
#[derive(Debug, Clone)]
pub struct Record {
    /// The operation.
    pub op: BenchOp,
    /// log2 of the input size.
    pub log_size: u32,
    /// Who computed it.
    pub implementation: &'static str,
    /// Median wall time.
    pub median_ms: f64,
    /// Every timed run.
    pub samples_ms: Vec<f64>,
    /// Median time in commitment MSMs, for whole proofs.
    pub msm_median_ms: Option<f64>,
    /// Median time of each prover stage, for whole proofs that report them.
    pub stages_ms: Option<Vec<(&'static str, f64)>>,
    /// Settings and accuracy, for whole zkML proofs.
    pub notes: Option<String>,
}

/// What an implementation produced, as canonical limbs, for cross-checking.
type Output = Vec<[u64; 4]>;

/// One implementation under test: runs once, timing only the kernel, and
/// returns its output when asked.
struct Contender<'a> {
    name: &'static str,
    run: Box<dyn FnMut(bool) -> (Duration, Option<Output>) + 'a>,
}

fn contender<'a>(name: &'static str, run: impl FnMut(bool) -> (Duration, Option<Output>) + 'a) -> Contender<'a> {
    Contender { name, run: Box::new(run) }
}

/// Times `kernel` and, if `want`, converts its result with `output`.
fn timed<T>(want: bool, kernel: impl FnOnce() -> T, output: impl FnOnce(T) -> Output) -> (Duration, Option<Output>) {
    let start = Instant::now();
    let result = kernel();
    let elapsed = start.elapsed();
    (elapsed, want.then(|| output(result)))
}

fn point_output(p: peers::Canonical) -> Output {
    p.map_or_else(|| vec![[0; 4], [0; 4]], |(x, y)| vec![x, y])
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    }
}

/// Runs the contenders interleaved for `reps` rounds after a checked warm-up.
fn race(op: BenchOp, log_size: u32, reps: usize, mut contenders: Vec<Contender>) -> Result<Vec<Record>, String> {
    let mut expected: Option<Output> = None;
    let first = contenders[0].name;
    for c in &mut contenders {
        let (_, out) = (c.run)(true);
        let out = out.expect("output requested");
        match &expected {
            None => expected = Some(out),
            Some(e) if *e == out => {}
            Some(_) => return Err(format!("{op} 2^{log_size}: {} disagrees with {}", c.name, first)),
        }
    }
    let mut samples = vec![Vec::with_capacity(reps); contenders.len()];
    for round in 0..reps {
        for k in 0..contenders.len() {
            let i = (k + round) % contenders.len();
            let (t, _) = (contenders[i].run)(false);
            samples[i].push(t.as_secs_f64() * 1e3);
        }
    }
    Ok(contenders
        .iter()
        .zip(samples)
        .map(|(c, mut s)| Record {
            op,
            log_size,
            implementation: c.name,
            median_ms: median(&mut s),
            samples_ms: s,
            msm_median_ms: None,
            stages_ms: None,
            notes: None,
        })
        .collect())
}

fn random_scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::random(rng)).collect()
}

fn fr_output(v: &[Fr]) -> Output {
    v.iter().map(|x| x.to_canonical()).collect()
}

/// NTT outputs as a sorted multiset: every implementation evaluates on all
/// `n`-th roots of unity, but arkworks numbers them from another primitive
/// root, which permutes the output.
fn evaluation_set(mut v: Output) -> Output {
    v.sort_unstable_by(|a, b| a.iter().rev().cmp(b.iter().rev()));
    v
}

/// The CUDA backend when this machine has a GPU: its rows ("zkaccel-cuda", end
/// to end from host memory) join the MSM and NTT races.
fn cuda_backend() -> Option<zkaccel_backend_cuda::CudaBackend> {
    if !zkaccel_backend_cuda::availability().is_available() {
        return None;
    }
    zkaccel_backend_cuda::open().map_err(|e| eprintln!("zkaccel bench: CUDA backend not used: {e}")).ok()
}

fn bench_one(
    op: BenchOp,
    log_size: u32,
    reps: usize,
    cpu: &CpuBackend,
    gpu: Option<&zkaccel_backend_cuda::CudaBackend>,
    report: &mut dyn FnMut(Event),
) -> Result<Vec<Record>, String> {
    let n = 1usize << log_size;
    let mut rng = ChaCha20Rng::seed_from_u64(u64::from(log_size) * 1009 + op as u64);
    match op {
        BenchOp::Msm | BenchOp::MsmPrepared => {
            let (bases, _) = reference::progression_bases::<Bn254>(n, Fr::random(&mut rng), Fr::random(&mut rng));
            let scalars = random_scalars(n, &mut rng);
            let h_bases: Vec<_> = bases.iter().map(h2c::point).collect();
            let h_scalars: Vec<_> = scalars.iter().map(h2c::fr).collect();
            let a_bases: Vec<_> = bases.iter().map(ark::point).collect();
            let a_scalars: Vec<_> = scalars.iter().map(ark::fr).collect();
            let prepared = if op == BenchOp::MsmPrepared {
                Some(Msm::<Bn254>::prepare_bases(cpu, &bases).map_err(|e| e.to_string())?)
            } else {
                None
            };
            let ours = contender("zkaccel", |want| match &prepared {
                Some(p) => {
                    timed(want, || cpu.msm_prepared(p, &scalars).expect("valid"), |r| point_output(peers::ours(&r)))
                }
                None => timed(want, || cpu.msm(&bases, &scalars).expect("valid"), |r| point_output(peers::ours(&r))),
            });
            let halo2 = contender("halo2curves", |want| {
                timed(want, || h2c::msm(&h_bases, &h_scalars), |r| point_output(h2c::canonical(&r)))
            });
            let arkworks = contender("arkworks", |want| {
                timed(want, || ark::msm(&a_bases, &a_scalars), |r| point_output(ark::canonical(&r)))
            });
            let mut contenders = vec![ours, halo2, arkworks];
            if let Some(gpu) = gpu {
                let gpu_prepared = match op {
                    BenchOp::MsmPrepared => Some(Msm::<Bn254>::prepare_bases(gpu, &bases).map_err(|e| e.to_string())?),
                    _ => None,
                };
                let (bases, scalars) = (&bases, &scalars);
                contenders.push(contender("zkaccel-cuda", move |want| match &gpu_prepared {
                    Some(p) => {
                        timed(want, || gpu.msm_prepared(p, scalars).expect("valid"), |r| point_output(peers::ours(&r)))
                    }
                    None => timed(want, || gpu.msm(bases, scalars).expect("valid"), |r| point_output(peers::ours(&r))),
                }));
            }
            race(op, log_size, reps, contenders)
        }
        BenchOp::Ntt => {
            let input = random_scalars(n, &mut rng);
            let omega = Fr::two_adic_generator(log_size).ok_or("size beyond the field's two-adicity")?;
            let h_input: Vec<_> = input.iter().map(h2c::fr).collect();
            let h_omega = h2c::fr(&omega);
            let a_input: Vec<_> = input.iter().map(ark::fr).collect();
            let domain = ark::domain(n);
            let ours = contender("zkaccel", |want| {
                let mut data = input.clone();
                let (t, _) = timed(false, || cpu.ntt(&mut data, NttConfig::forward()).expect("valid"), |_| vec![]);
                (t, want.then(|| evaluation_set(fr_output(&data))))
            });
            let halo2 = contender("halo2curves", |want| {
                let mut data = h_input.clone();
                let (t, _) = timed(false, || h2c::fft(&mut data, h_omega, log_size), |_| vec![]);
                (t, want.then(|| evaluation_set(data.iter().map(h2c::fr_limbs).collect())))
            });
            let arkworks = contender("arkworks", |want| {
                let mut data = a_input.clone();
                let (t, _) = timed(false, || ark::fft(&domain, &mut data), |_| vec![]);
                (t, want.then(|| evaluation_set(data.iter().map(ark::fr_limbs).collect())))
            });
            let mut contenders = vec![ours, halo2, arkworks];
            if let Some(gpu) = gpu {
                contenders.push(contender("zkaccel-cuda", |want| {
                    let mut data = input.clone();
                    let (t, _) = timed(false, || gpu.ntt(&mut data, NttConfig::forward()).expect("valid"), |_| vec![]);
                    (t, want.then(|| evaluation_set(fr_output(&data))))
                }));
            }
            race(op, log_size, reps, contenders)
        }
        BenchOp::BatchInverse => {
            let input = random_scalars(n, &mut rng);
            let a_input: Vec<_> = input.iter().map(ark::fr).collect();
            let ours = contender("zkaccel", |want| {
                let mut data = input.clone();
                let (t, _) = timed(false, || cpu.batch_inverse(&mut data).expect("no zeros"), |_| vec![]);
                (t, want.then(|| fr_output(&data)))
            });
            let serial = contender("serial-montgomery", |want| {
                let mut data = input.clone();
                let (t, _) = timed(false, || zkaccel::field_ops::batch_inverse_nonzero(&mut data), |_| vec![]);
                (t, want.then(|| fr_output(&data)))
            });
            let arkworks = contender("arkworks", |want| {
                let mut data = a_input.clone();
                let (t, _) = timed(false, || ark::batch_inverse(&mut data), |_| vec![]);
                (t, want.then(|| data.iter().map(ark::fr_limbs).collect()))
            });
            race(op, log_size, reps, vec![ours, serial, arkworks])
        }
        BenchOp::Halo2 => bench_halo2(log_size, reps),
        BenchOp::Groth16 => bench_groth16(op, crate::groth16::Groth16Setup::new(log_size), log_size, reps),
        BenchOp::Groth16Relu => bench_groth16(op, crate::groth16::Groth16Setup::dense_relu(log_size), log_size, reps),
        BenchOp::Zkml => bench_zkml(reps, report),
    }
}

/// The zkML models (see [`crate::zkml::models`]; `ZKACCEL_BENCH_ZKML_MODELS`
/// = a comma-separated list keeps some) proved by zkaccel and by EZKL (when
/// it runs here); each model is one race, reported as it finishes.
fn bench_zkml(reps: usize, report: &mut dyn FnMut(Event)) -> Result<Vec<Record>, String> {
    let accelerator = zkaccel::Accelerator::auto().map_err(|e| e.to_string())?;
    let only: Option<Vec<String>> = std::env::var("ZKACCEL_BENCH_ZKML_MODELS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
    let mut records = Vec::new();
    for model in crate::zkml::models(only.as_deref())? {
        let (ours, peer) = crate::zkml::compare(reps, &accelerator, &model)?;
        let record = |side: crate::zkml::ZkmlSide| {
            let mut samples = side.samples_ms;
            Record {
                op: BenchOp::Zkml,
                log_size: side.k,
                implementation: side.implementation,
                median_ms: median(&mut samples),
                samples_ms: samples,
                msm_median_ms: None,
                stages_ms: None,
                notes: Some(format!(
                    "model {}; max |output error| {:.6}; proof {} bytes, verify {:.1} ms, pk {} bytes, vk {} bytes; {}",
                    model.name,
                    side.max_abs_error,
                    side.proof_bytes,
                    side.verify_ms,
                    side.pk_bytes,
                    side.vk_bytes,
                    side.notes
                )),
            }
        };
        let mut rows = vec![record(ours)];
        match peer {
            Ok(side) => rows.push(record(side)),
            Err(reason) => report(Event::Skipped { op: BenchOp::Zkml, implementation: "ezkl", reason }),
        }
        report(Event::Measured(&rows));
        records.extend(rows);
    }
    Ok(records)
}

/// Per-stage medians of `runs` (each a list of stage times).
fn stage_medians(runs: &[[Duration; 6]]) -> Vec<(&'static str, f64)> {
    crate::groth16::STAGES
        .iter()
        .enumerate()
        .map(|(i, &name)| {
            let mut v: Vec<f64> = runs.iter().map(|r| r[i].as_secs_f64() * 1e3).collect();
            (name, median(&mut v))
        })
        .collect()
}

/// Whole Groth16 proofs: zkaccel with a resident key, zkaccel's `prove`
/// with the stock key, stock `Groth16::prove`; then arkworks' stages
/// replayed for its breakdown. Every first proof must pass stock `verify`.
fn bench_groth16<C>(
    op: BenchOp,
    setup: crate::groth16::Groth16Setup<C>,
    log_constraints: u32,
    reps: usize,
) -> Result<Vec<Record>, String>
where
    C: ark_relations::r1cs::ConstraintSynthesizer<ark_bn254::Fr> + Clone,
{
    use ark_std::rand::rngs::StdRng;
    use std::cell::{Cell, RefCell};

    let accelerator = zkaccel::Accelerator::auto().map_err(|e| e.to_string())?;
    let key = zkaccel_frontend_arkworks::AcceleratedProvingKey::new(setup.pk.clone(), &accelerator)
        .map_err(|e| e.to_string())?;
    let rng = RefCell::new(<StdRng as ark_std::rand::SeedableRng>::seed_from_u64(u64::from(log_constraints)));
    let stages = RefCell::new(Vec::new());
    let ours_verified = Cell::new(false);
    let verdict = |ok: bool| vec![[u64::from(ok), 0, 0, 0]];

    let ours = contender("zkaccel", |want| {
        let start = Instant::now();
        let (proof, times) = setup.resident_proof(&key, &mut rng.borrow_mut());
        let elapsed = start.elapsed();
        if want {
            ours_verified.set(setup.verifies(&proof));
        } else {
            stages.borrow_mut().push(times);
        }
        (elapsed, want.then(|| verdict(ours_verified.get())))
    });
    let plain = contender("zkaccel-stock-key", |want| {
        let start = Instant::now();
        let proof = setup.plain_proof(&accelerator, &mut rng.borrow_mut());
        (start.elapsed(), want.then(|| verdict(setup.verifies(&proof))))
    });
    let ark = contender("ark-groth16", |want| {
        let start = Instant::now();
        let proof = setup.ark_proof(&mut rng.borrow_mut());
        (start.elapsed(), want.then(|| verdict(setup.verifies(&proof))))
    });
    let mut records = race(op, log_constraints, reps, vec![ours, plain, ark])?;
    if !ours_verified.get() {
        return Err(format!("{op} 2^{log_constraints}: the stock verifier rejected zkaccel's proof"));
    }
    records[0].stages_ms = Some(stage_medians(&stages.borrow()));
    let replays: Vec<[Duration; 6]> = (0..reps).map(|_| setup.ark_stages()).collect();
    records[2].stages_ms = Some(stage_medians(&replays));
    Ok(records)
}

/// Whole proofs: zkaccel, stock, and stock with clocked commitments (for its
/// MSM share). Each contender's first proof must pass the stock verifier.
/// Our rows carry our prover's stages; stock's clocked row carries the two
/// parts of stock that can be timed from outside (its first phase, through
/// its public `synthesize_witness`, and its commitments).
///
/// Memory: the provers share one process, so the process's peak during a
/// proof holds the others' resident state too (our prepared SRS is resident
/// while stock proves). Each row therefore notes the memory a process of
/// that prover alone would peak at: the shared state (circuit, keys, one
/// SRS), what only it keeps resident beyond that (ours: `AcceleratedParams`'
/// prepared bases; its SRS clone stands for the shared SRS), and the most
/// its proofs allocated above the process's resident size (peak reset
/// before each proof).
fn bench_halo2(k: u32, reps: usize) -> Result<Vec<Record>, String> {
    use crate::halo2::{accelerated_params, Halo2Setup, TimedParams};
    use std::cell::RefCell;

    let setup = Halo2Setup::new(k);
    let shared_kib = resident_kib();
    let accelerator = zkaccel::Accelerator::auto().map_err(|e| e.to_string())?;
    let params = accelerated_params(&setup, &accelerator)?;
    let ours_resident_kib = resident_kib().saturating_sub(shared_kib);
    // Ours again with the least memory: one prepared copy of each base set
    // (no shifted multiples), on the CPU.
    let before_lean = resident_kib();
    let lean_accelerator =
        zkaccel::Accelerator::with_backends(Vec::new(), zkaccel::CpuBackend::with_prepared_copies(1));
    let lean_params = accelerated_params(&setup, &lean_accelerator)?;
    let lean_resident_kib = resident_kib().saturating_sub(before_lean);
    let before_timed = resident_kib();
    let timed_params = RefCell::new(TimedParams::new(setup.srs.clone()));
    let timed_resident_kib = resident_kib().saturating_sub(before_timed);
    let mut rng = ChaCha20Rng::seed_from_u64(u64::from(k));
    let rng = RefCell::new(&mut rng);
    let msm = [RefCell::new(Vec::new()), RefCell::new(Vec::new())];
    let stages = RefCell::new(Vec::new());
    let phase_one = RefCell::new(Vec::new());
    let peak = [RefCell::new(0u64), RefCell::new(0u64), RefCell::new(0u64), RefCell::new(0u64)];
    let ours_verified = std::cell::Cell::new(false);
    let verdict = |proof: &[u8]| vec![[u64::from(setup.verifies(proof)), 0, 0, 0]];

    let ours = contender("zkaccel", |want| {
        let (elapsed, (proof, stats)) = measured(&peak[0], || setup.accelerated_proof(&params, &mut rng.borrow_mut()));
        if !want {
            msm[0].borrow_mut().push(stats.commits.msm_time.as_secs_f64() * 1e3);
            stages.borrow_mut().push(stats.stages);
        }
        let output = want.then(|| verdict(&proof));
        if let Some(v) = &output {
            ours_verified.set(v[0][0] == 1);
        }
        (elapsed, output)
    });
    let stock = contender("halo2-axiom", |want| {
        let (elapsed, proof) = measured(&peak[1], || setup.stock_proof(&mut rng.borrow_mut()));
        (elapsed, want.then(|| verdict(&proof)))
    });
    let clocked = contender("halo2-axiom+clock", |want| {
        let (elapsed, (proof, in_msm)) =
            measured(&peak[2], || setup.timed_stock_proof(&mut timed_params.borrow_mut(), &mut rng.borrow_mut()));
        if !want {
            msm[1].borrow_mut().push(in_msm.as_secs_f64() * 1e3);
            phase_one.borrow_mut().push(setup.stock_phase_one(&mut rng.borrow_mut()).as_secs_f64() * 1e3);
        }
        (elapsed, want.then(|| verdict(&proof)))
    });
    let lean = contender("zkaccel-1-copy", |want| {
        let (elapsed, (proof, _)) = measured(&peak[3], || setup.accelerated_proof(&lean_params, &mut rng.borrow_mut()));
        (elapsed, want.then(|| verdict(&proof)))
    });
    let mut records = race(BenchOp::Halo2, k, reps, vec![ours, stock, clocked, lean])?;
    // `race` checked that every contender's first proof got the same verdict.
    if !ours_verified.get() {
        return Err(format!("halo2 2^{k}: the stock verifier rejected zkaccel's proof"));
    }
    records[0].msm_median_ms = Some(median(&mut msm[0].borrow_mut()));
    records[2].msm_median_ms = Some(median(&mut msm[1].borrow_mut()));
    let runs = stages.borrow();
    let names = zkaccel_frontend_halo2::StageTimes::default().named().map(|(name, _)| name);
    records[0].stages_ms = Some(
        names
            .iter()
            .enumerate()
            .map(|(i, &name)| {
                let mut v: Vec<f64> = runs.iter().map(|s| s.named()[i].1.as_secs_f64() * 1e3).collect();
                (name, median(&mut v))
            })
            .collect(),
    );
    records[2].stages_ms = Some(vec![
        ("phase 1 (synthesize_witness)", median(&mut phase_one.borrow_mut())),
        ("commitments but SHPLONK's", median(&mut msm[1].borrow_mut())),
    ]);
    let mib = |kib: u64| kib as f64 / 1024.0;
    // Every prover but plain stock holds its own SRS clone (the clocked
    // stock's is exactly one SRS); alone, that clone would be its only SRS,
    // so the shared one is not counted twice.
    let srs_kib = timed_resident_kib;
    let own_resident = [ours_resident_kib, 0, timed_resident_kib, lean_resident_kib].map(|k| k.saturating_sub(srs_kib));
    let stock_ms = records[1].median_ms;
    if shared_kib > 0 {
        for ((record, peak), own) in records.iter_mut().zip(&peak).zip(own_resident) {
            let proof = *peak.borrow();
            record.notes = Some(format!(
                "peak RSS alone {:.0} MiB = shared {:.0} + own resident {:.0} + proof {:.0}",
                mib(shared_kib + own + proof),
                mib(shared_kib),
                mib(own),
                mib(proof)
            ));
        }
    }
    let lean = &mut records[3];
    let ratio = format!("{:.2}x faster than halo2-axiom", stock_ms / lean.median_ms);
    lean.notes = Some(lean.notes.take().map_or(ratio.clone(), |n| format!("{ratio}; {n}")));
    Ok(records)
}

/// The time `work` takes, with the most it allocated above the resident
/// size at its start recorded in `peak` (the largest over calls).
fn measured<T>(peak: &std::cell::RefCell<u64>, work: impl FnOnce() -> T) -> (Duration, T) {
    let at_start = reset_peak_rss();
    let start = Instant::now();
    let out = work();
    let elapsed = start.elapsed();
    let mut peak = peak.borrow_mut();
    *peak = (*peak).max(peak_rss_kib().unwrap_or(0).saturating_sub(at_start));
    (elapsed, out)
}

/// Resets the kernel's record of this process's peak RSS to the resident
/// size, which it returns (Linux; elsewhere a no-op, and the peaks are then
/// not reported). Free heap memory is given back first, or pages the
/// allocator kept from an earlier proof would hide what the next one needs.
fn reset_peak_rss() -> u64 {
    let resident = resident_kib();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    resident
}

/// This process's resident size now, in KiB, after giving free heap pages
/// back (Linux; 0 elsewhere).
fn resident_kib() -> u64 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's `malloc_trim` only returns free heap pages to the kernel.
        unsafe {
            malloc_trim(0);
        }
    }
    status_kib("VmRSS:").unwrap_or(0)
}

/// A `/proc/self/status` field in KiB (Linux).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's peak RSS since the last reset, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// What [`run`] reports while it measures, so that a front end can print
/// each result as soon as it exists (whole proofs take minutes).
#[derive(Debug)]
pub enum Event<'a> {
    /// Measuring begins.
    Started {
        /// Timed rounds per size.
        reps: usize,
        /// The CPU the CPU backend runs on.
        machine: String,
        /// Threads in rayon's pool (what the CPU backend and the peers use).
        threads: usize,
    },
    /// One race is done: zkaccel's row first, then its peers'.
    Measured(&'a [Record]),
    /// A peer could not run here, and why.
    Skipped {
        /// The operation.
        op: BenchOp,
        /// The peer.
        implementation: &'static str,
        /// Why it did not run.
        reason: String,
    },
}

/// Runs the benchmark, reporting each step to `report`; returns every record.
pub fn run(
    ops: &[BenchOp],
    log_sizes: Option<&[u32]>,
    reps: usize,
    mut report: impl FnMut(Event),
) -> Result<Vec<Record>, String> {
    if let Some(bad) = log_sizes.into_iter().flatten().find(|&&s| s > MAX_LOG_SIZE) {
        return Err(format!("size 2^{bad} is beyond what a benchmark can hold in memory (at most 2^{MAX_LOG_SIZE})"));
    }
    let cpu = CpuBackend::new();
    let gpu = cuda_backend();
    let reps = reps.max(1);
    report(Event::Started { reps, machine: cpu_name(&cpu), threads: rayon::current_num_threads() });
    let mut records = Vec::new();
    for &op in ops {
        if op == BenchOp::Zkml {
            // One race per model, each reported by bench_zkml.
            records.extend(bench_zkml(reps, &mut report)?);
            continue;
        }
        for &log_size in log_sizes.unwrap_or(op.default_log_sizes()) {
            let rows = bench_one(op, log_size, reps, &cpu, gpu.as_ref(), &mut report)?;
            report(Event::Measured(&rows));
            records.extend(rows);
        }
    }
    Ok(records)
}

/// The largest log2 size `run` accepts: 2^28 points or elements already
/// need tens of GiB beside their peers' copies.
pub const MAX_LOG_SIZE: u32 = 28;

/// The CPU's model name, as `zkaccel info` shows it.
fn cpu_name(cpu: &CpuBackend) -> String {
    match cpu.availability() {
        zkaccel::Availability::Available(info) => info.name,
        zkaccel::Availability::Unavailable(_) => "cpu".into(),
    }
}

/// The records as pretty-printed JSON: one object per (operation, size, implementation).
pub fn to_json(records: &[Record]) -> String {
    let value = serde_json::Value::Array(
        records
            .iter()
            .map(|r| {
                serde_json::json!({
                    "op": r.op.name(),
                    "log_size": r.log_size,
                    "size": 1u64 << r.log_size,
                    "implementation": r.implementation,
                    "median_ms": r.median_ms,
                    "samples_ms": r.samples_ms,
                    "msm_median_ms": r.msm_median_ms,
                    "notes": r.notes,
                    "stages_ms": r.stages_ms.as_ref().map(|stages| {
                        stages.iter().map(|(name, ms)| serde_json::json!({ "stage": name, "median_ms": ms })).collect::<Vec<_>>()
                    }),
                })
            })
            .collect(),
    );
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

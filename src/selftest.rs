//! `zkaccel selftest`: every operation on every usable backend, checked
//! against naive references and, for device backends, against the CPU.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkaccel_core::{
    reference, Bn254, CurveBackend, Field, Fr, NttConfig, Operation, PrimeField, SwCurve, TwoAdicField,
};

use crate::{Accelerator, CpuBackend};

/// The outcome of one check.
#[derive(Debug, Clone)]
pub struct Check {
    /// The backend checked.
    pub backend: &'static str,
    /// The operation.
    pub operation: Operation,
    /// Input size (points, column length or elements).
    pub size: usize,
    /// What the output was compared with.
    pub reference: &'static str,
    /// Wall time of the backend's call(s), in milliseconds.
    pub millis: f64,
    /// `Ok` or what went wrong.
    pub outcome: Result<(), String>,
}

impl Check {
    /// Whether the output matched.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// What one check returns: the backend's time in seconds, or the failure.
type Outcome = Result<f64, String>;

fn timed<T>(f: impl FnOnce() -> zkaccel_core::Result<T>) -> Result<(T, f64), String> {
    let start = Instant::now();
    let out = f().map_err(|e| e.to_string())?;
    Ok((out, start.elapsed().as_secs_f64()))
}

fn ensure(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{what} differs from the reference"))
    }
}

fn scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::random(rng)).collect()
}

/// Runs every check on every backend of `acc` (the CPU included) and returns the rows.
pub fn run(acc: &Accelerator) -> Vec<Check> {
    let cpu = CpuBackend::new();
    acc.backends().into_iter().flat_map(|b| run_backend(b, &cpu)).collect()
}

/// Runs every check on one backend; outputs of a backend other than the CPU
/// are also compared with `cpu`'s.
pub fn run_backend(b: &dyn CurveBackend<Bn254>, cpu: &CpuBackend) -> Vec<Check> {
    let is_cpu = b.name() == "cpu";
    let cpu: &dyn CurveBackend<Bn254> = cpu;
    let vs_cpu = |same: bool, what: &str| if is_cpu { Ok(()) } else { ensure(same, &format!("{what} (vs cpu)")) };
    let mut rng = ChaCha20Rng::seed_from_u64(0x5e1f_7e57);
    let rng = &mut rng;
    type Job<'a> = (Operation, usize, &'static str, Box<dyn FnOnce(&mut ChaCha20Rng) -> Outcome + 'a>);
    let jobs: Vec<Job> = vec![
        (
            Operation::Msm,
            128,
            "naive",
            Box::new(|rng| {
                let g = Bn254::GENERATOR;
                let bases =
                    zkaccel_core::batch_to_affine(&scalars(128, rng).iter().map(|k| g.mul(k)).collect::<Vec<_>>());
                let s = scalars(128, rng);
                let (got, t) = timed(|| b.msm(&bases, &s))?;
                ensure(got == reference::msm(&bases, &s), "msm")?;
                vs_cpu(got == cpu.msm(&bases, &s).map_err(|e| e.to_string())?, "msm")?;
                Ok(t)
            }),
        ),
        (
            Operation::Msm,
            1 << 14,
            "discrete logs",
            Box::new(|rng| {
                let (bases, logs) = reference::progression_bases::<Bn254>(1 << 14, Fr::random(rng), Fr::random(rng));
                let s = scalars(1 << 14, rng);
                let (got, t) = timed(|| b.msm(&bases, &s))?;
                ensure(got == reference::msm_by_logs(&logs, &s), "msm")?;
                Ok(t)
            }),
        ),
        (
            Operation::MsmPrepared,
            1 << 12,
            "discrete logs",
            Box::new(|rng| {
                let (bases, logs) = reference::progression_bases::<Bn254>(1 << 12, Fr::random(rng), Fr::random(rng));
                let sets = [scalars(1 << 12, rng), scalars(1000, rng)];
                let (got, t) = timed(|| {
                    let prepared = b.prepare_bases(&bases)?;
                    b.msm_prepared_batch(&prepared, &[&sets[0], &sets[1]])
                })?;
                let expected: Vec<_> = sets.iter().map(|s| reference::msm_by_logs(&logs, s)).collect();
                ensure(got == expected, "prepared msm")?;
                Ok(t)
            }),
        ),
        (
            Operation::Ntt,
            1 << 10,
            "naive dft",
            Box::new(|rng| {
                let input = scalars(1 << 10, rng);
                let shift = Fr::multiplicative_generator();
                let mut total = 0.0;
                for (config, inverse, coset) in
                    [(NttConfig::forward(), false, None), (NttConfig::inverse().on_coset(shift), true, Some(shift))]
                {
                    let mut data = input.clone();
                    total += timed(|| b.ntt(&mut data, config))?.1;
                    let expected = reference::dft(&input, inverse, coset).map_err(|e| e.to_string())?;
                    ensure(data == expected, "ntt")?;
                }
                Ok(total)
            }),
        ),
        (
            Operation::Ntt,
            1 << 16,
            "round trip + cpu",
            Box::new(|rng| {
                let input = scalars(1 << 16, rng);
                let mut data = input.clone();
                let (_, t) = timed(|| b.ntt(&mut data, NttConfig::forward()))?;
                let mut on_cpu = input.clone();
                cpu.ntt(&mut on_cpu, NttConfig::forward()).map_err(|e| e.to_string())?;
                vs_cpu(data == on_cpu, "ntt")?;
                b.ntt(&mut data, NttConfig::inverse()).map_err(|e| e.to_string())?;
                ensure(data == input, "ntt round trip")?;
                Ok(t)
            }),
        ),
        (
            Operation::Lde,
            1 << 6,
            "naive dft",
            Box::new(|rng| {
                let evals = scalars(2 << 6, rng);
                let shift = Fr::multiplicative_generator();
                let (got, t) = timed(|| b.lde_batch(&evals, 1 << 6, 2, shift))?;
                for (column, extended) in evals.chunks(1 << 6).zip(got.chunks(1 << 8)) {
                    let mut coeffs = reference::dft(column, true, None).map_err(|e| e.to_string())?;
                    coeffs.resize(1 << 8, Fr::ZERO);
                    let expected = reference::dft(&coeffs, false, Some(shift)).map_err(|e| e.to_string())?;
                    ensure(extended == expected, "lde")?;
                }
                Ok(t)
            }),
        ),
        (
            Operation::Multiplicities,
            1 << 14,
            "naive",
            Box::new(|rng| {
                let table = scalars(256, rng);
                let inputs: Vec<Fr> = (0..1 << 14).map(|_| table[(rng.next_u32() % 256) as usize]).collect();
                let (got, t) = timed(|| b.multiplicities(&table, &[&inputs]))?;
                ensure(Ok(got) == reference::multiplicities(&table, &[&inputs]), "multiplicities")?;
                Ok(t)
            }),
        ),
        (
            Operation::BatchInverse,
            1 << 16,
            "x·x⁻¹ = 1",
            Box::new(|rng| {
                let input = scalars(1 << 16, rng);
                let mut data = input.clone();
                let (_, t) = timed(|| b.batch_inverse(&mut data))?;
                ensure(data.iter().zip(&input).all(|(i, x)| *i * *x == Fr::ONE), "batch inverse")?;
                Ok(t)
            }),
        ),
        (
            Operation::InverseOfSums,
            1 << 14,
            "(β+x)·out = 1",
            Box::new(|rng| {
                let input = scalars(1 << 14, rng);
                let beta = Fr::random(rng);
                let (got, t) = timed(|| b.inverse_of_sums(beta, &input))?;
                ensure(got.iter().zip(&input).all(|(i, x)| *i * (beta + *x) == Fr::ONE), "inverse of sums")?;
                Ok(t)
            }),
        ),
        (
            Operation::PrefixProduct,
            1 << 16,
            "naive",
            Box::new(|rng| {
                let input = scalars(1 << 16, rng);
                let (got, t) = timed(|| b.prefix_product(&input))?;
                ensure(got == reference::prefix_product(&input), "prefix product")?;
                Ok(t)
            }),
        ),
        (
            Operation::PermuteLookup,
            1 << 12,
            "constraints",
            Box::new(|rng| {
                let table = scalars(1 << 12, rng);
                let input: Vec<Fr> = (0..1 << 12).map(|_| table[(rng.next_u32() % 1000) as usize]).collect();
                let (got, t) = timed(|| b.permute_lookup(&input, &table))?;
                ensure(reference::check_permuted_lookup(&input, &table, &got), "permuted lookup")?;
                Ok(t)
            }),
        ),
    ];
    // What a device does not offer at a size goes to the CPU in an
    // Accelerator, so it is not checked on the device.
    let capabilities = b.capabilities();
    jobs.into_iter()
        .filter(|(operation, size, _, _)| capabilities.supports(*operation, *size))
        .map(|(operation, size, reference, job)| {
            let outcome =
                catch_unwind(AssertUnwindSafe(|| job(rng))).unwrap_or_else(|_| Err("the backend panicked".to_string()));
            let reference = if is_cpu { reference } else { "cpu + reference" };
            Check {
                backend: b.name(),
                operation,
                size,
                reference,
                millis: outcome.as_ref().map_or(f64::NAN, |t| t * 1e3),
                outcome: outcome.map(|_| ()),
            }
        })
        .collect()
}

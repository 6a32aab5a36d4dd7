//! The Accelerator's routing and CPU fallback, with a device that fails on
//! purpose (after scribbling over the buffers it was given).

use std::sync::Arc;

use zkaccel::{
    Accelerator, BatchInverse, Bn254, Error, Field, Fr, HeldBackend, Msm, Multiplicities, Ntt, NttConfig, Operation,
    PermuteLookup, PrefixProduct, SwCurve,
};
use zkaccel_core::testing::FailingBackend;

fn device_error() -> Error {
    Error::Device { backend: "failing", msg: "injected failure".into() }
}

fn accelerator_with(device: &Arc<FailingBackend>) -> Accelerator {
    Accelerator::with_devices(vec![HeldBackend::every(device.clone())])
}

/// The whole conformance suite passes when every call fails on the device
/// first: each result comes from the CPU fallback.
mod through_failing_device {
    use super::*;

    fn failing_accelerator() -> Accelerator {
        accelerator_with(&Arc::new(FailingBackend::new(device_error())))
    }

    zkaccel_core::conformance_suite!(failing_accelerator(), reference: zkaccel::CpuBackend::new());
}

#[test]
fn device_failure_is_redone_on_cpu_and_counted() {
    let device = Arc::new(FailingBackend::new(device_error()));
    let acc = accelerator_with(&device);
    assert_eq!(acc.backend_names(), vec!["failing", "cpu"]);
    let g = Bn254::GENERATOR;
    let sum = acc.msm(&[g, g], &[Fr::from_u64(2), Fr::from_u64(5)]).unwrap();
    assert_eq!(sum, g.mul(&Fr::from_u64(7)));
    assert_eq!(device.calls(), 1);
    assert_eq!(acc.fallback_count(), 1);

    // Prepared on the device, the MSM fails there and runs on the CPU from the handle's host copy.
    let prepared = acc.prepare_bases(&[g, g]).unwrap();
    assert_eq!(prepared.backend(), "failing");
    assert_eq!(acc.msm_prepared(&prepared, &[Fr::ONE, Fr::ONE]).unwrap(), g.mul(&Fr::from_u64(2)));
    assert_eq!(acc.fallback_count(), 2);
}

#[test]
fn failed_device_cannot_corrupt_in_place_buffers() {
    let acc = accelerator_with(&Arc::new(FailingBackend::new(device_error())));
    let coeffs: Vec<Fr> = (1..=16).map(Fr::from_u64).collect();
    let mut data = coeffs.clone();
    acc.ntt(&mut data, NttConfig::forward()).unwrap();
    acc.ntt(&mut data, NttConfig::inverse()).unwrap();
    assert_eq!(data, coeffs);

    let mut values = coeffs.clone();
    acc.batch_inverse(&mut values).unwrap();
    for (v, c) in values.iter().zip(&coeffs) {
        assert_eq!(*v * *c, Fr::ONE);
    }
    assert_eq!(acc.fallback_count(), 3);
}

#[test]
fn input_errors_are_not_retried() {
    // A device that rejects the input is believed: the CPU would reject it too.
    let device = Arc::new(FailingBackend::new(Error::LengthMismatch { what: "test", expected: 1, actual: 2 }));
    let acc = accelerator_with(&device);
    let g = Bn254::GENERATOR;
    assert!(matches!(acc.msm(&[g], &[Fr::ONE]), Err(Error::LengthMismatch { what: "test", .. })));
    assert_eq!(acc.fallback_count(), 0);
}

#[test]
fn routing_respects_capabilities() {
    let device = Arc::new(FailingBackend::new(device_error()).with_max_size(100));
    let acc = accelerator_with(&device);
    assert_eq!(acc.route(Operation::Msm, 100), "failing");
    assert_eq!(acc.route(Operation::Msm, 101), "cpu");
    let g = Bn254::GENERATOR;
    // Too large for the device: goes straight to the CPU, no failure, no fallback.
    let bases = vec![g; 200];
    let scalars = vec![Fr::ONE; 200];
    assert_eq!(acc.msm(&bases, &scalars).unwrap(), g.mul(&Fr::from_u64(200)));
    assert_eq!(device.calls(), 0);
    assert_eq!(acc.fallback_count(), 0);
}

#[test]
fn unavailable_devices_are_dropped() {
    let absent = Arc::new(FailingBackend::new(device_error()).unavailable());
    let acc = Accelerator::with_devices(vec![HeldBackend::every(absent.clone())]);
    assert_eq!(acc.backend_names(), vec!["cpu"]);
    let g = Bn254::GENERATOR;
    assert_eq!(acc.msm(&[g], &[Fr::ONE]).unwrap(), g.to_projective());
    assert_eq!(absent.calls(), 0);
}

#[test]
fn selftest_flags_a_broken_backend_and_passes_the_cpu() {
    let acc = accelerator_with(&Arc::new(FailingBackend::new(device_error())));
    let checks = zkaccel::selftest::run(&acc);
    let (failing, cpu): (Vec<_>, Vec<_>) = checks.iter().partition(|c| c.backend == "failing");
    // Every check on the failing device, plus its comparison with the CPU.
    assert_eq!(failing.len(), cpu.len() + 1);
    assert!(failing.iter().all(|c| !c.passed()), "{failing:?}");
    assert!(cpu.iter().all(|c| c.passed()), "{cpu:?}");
    let ops: std::collections::BTreeSet<_> = cpu.iter().flat_map(|c| c.operations.iter().copied()).collect();
    assert_eq!(ops.len(), Operation::ALL.len(), "every operation is self-tested");
}

/// The CPU backend with one bug: a forward NTT's first output is off by one.
struct OffByOneNtt(zkaccel::CpuBackend);

impl zkaccel::Backend for OffByOneNtt {
    fn name(&self) -> &'static str {
        "off-by-one"
    }
    fn availability(&self) -> zkaccel::Availability {
        self.0.availability()
    }
}

impl Msm<Bn254> for OffByOneNtt {
    fn msm_batch(&self, bases: &[zkaccel::G1Affine], scalars: &[&[Fr]]) -> zkaccel::Result<Vec<zkaccel::G1Projective>> {
        self.0.msm_batch(bases, scalars)
    }
    fn prepare_bases(&self, bases: &[zkaccel::G1Affine]) -> zkaccel::Result<zkaccel::PreparedBases<Bn254>> {
        self.0.prepare_bases(bases)
    }
    fn msm_prepared_batch(
        &self,
        bases: &zkaccel::PreparedBases<Bn254>,
        scalars: &[&[Fr]],
    ) -> zkaccel::Result<Vec<zkaccel::G1Projective>> {
        self.0.msm_prepared_batch(bases, scalars)
    }
}

impl Ntt<Fr> for OffByOneNtt {
    fn ntt_batch(&self, data: &mut [Fr], column_len: usize, config: NttConfig<Fr>) -> zkaccel::Result<()> {
        self.0.ntt_batch(data, column_len, config)?;
        if config.direction == zkaccel::NttDirection::Forward && !data.is_empty() {
            data[0] += Fr::ONE;
        }
        Ok(())
    }
}

impl zkaccel::ConstraintEvaluation<Fr> for OffByOneNtt {
    fn evaluate_constraints(
        &self,
        program: &zkaccel::ConstraintProgram,
        columns: &[&[Fr]],
        constants: &[Fr],
        rows: zkaccel::CosetRows<Fr>,
        y: Fr,
    ) -> zkaccel::Result<Vec<Fr>> {
        self.0.evaluate_constraints(program, columns, constants, rows, y)
    }
}

impl Multiplicities<Fr> for OffByOneNtt {
    fn multiplicities(&self, table: &[Fr], inputs: &[&[Fr]]) -> zkaccel::Result<Vec<u64>> {
        self.0.multiplicities(table, inputs)
    }
}

impl BatchInverse<Fr> for OffByOneNtt {
    fn batch_inverse(&self, values: &mut [Fr]) -> zkaccel::Result<()> {
        self.0.batch_inverse(values)
    }
}

impl PrefixProduct<Fr> for OffByOneNtt {
    fn prefix_product(&self, values: &[Fr]) -> zkaccel::Result<Vec<Fr>> {
        self.0.prefix_product(values)
    }
}

impl PermuteLookup<Fr> for OffByOneNtt {
    fn permute_lookup(&self, input: &[Fr], table: &[Fr]) -> zkaccel::Result<zkaccel::PermutedLookup<Fr>> {
        self.0.permute_lookup(input, table)
    }
}

/// A backend that computes a wrong answer (no error, no panic) fails the NTT
/// checks with a reason that says what differed, and passes the others.
#[test]
fn selftest_reports_a_wrong_answer_with_its_reason() {
    let reports =
        zkaccel::selftest::run_backend(&HeldBackend::every(Arc::new(OffByOneNtt(zkaccel::CpuBackend::new()))));
    let failed: Vec<_> = reports.iter().filter(|r| !r.passed()).collect();
    let names: Vec<&str> = failed.iter().map(|r| r.check).collect();
    assert!(names.contains(&"ntt_against_naive_dft") && names.contains(&"ntt_round_trips"), "{names:?}");
    assert!(names.contains(&"matches_reference_backend"), "{names:?}");
    for r in &failed {
        assert!(
            r.operations.contains(&Operation::Ntt) || r.operations.contains(&Operation::Lde),
            "{} failed: {:?}",
            r.check,
            r.outcome
        );
        let reason = r.outcome.as_ref().unwrap_err();
        assert!(reason.contains("got") && reason.contains("expected") || reason.contains("false"), "{reason}");
    }
    assert!(reports.iter().any(|r| r.check == "msm_sizes" && r.passed()));
}

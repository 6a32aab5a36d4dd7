//! The Accelerator's routing and CPU fallback, with a device that fails on
//! purpose (after scribbling over the buffers it was given).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use zkaccel::{
    Accelerator, Availability, Backend, Bn254, Capabilities, DeviceInfo, DynBackend, Error, Field, Fr, G1Affine,
    G1Projective, LookupKernels, Msm, Ntt, NttConfig, Operation, PermutedLookup, PreparedBases, SwCurve,
};

/// A device that accepts `prepare_bases` and fails every computation with `error`.
struct FailingBackend {
    error: Error,
    calls: AtomicUsize,
    max_size: usize,
    available: bool,
}

impl FailingBackend {
    fn plain(error: Error) -> Self {
        Self { error, calls: AtomicUsize::new(0), max_size: usize::MAX, available: true }
    }
    fn new(error: Error) -> Arc<Self> {
        Arc::new(Self::plain(error))
    }
    fn fail<T>(&self) -> zkaccel::Result<T> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Err(self.error.clone())
    }
}

impl Backend for FailingBackend {
    fn name(&self) -> &'static str {
        "failing"
    }
    fn availability(&self) -> Availability {
        if self.available {
            Availability::Available(DeviceInfo { name: "test device that always fails".into(), ..Default::default() })
        } else {
            Availability::Unavailable("switched off for the test".into())
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::all(vec!["bn254"], self.max_size)
    }
}

impl Msm<Bn254> for FailingBackend {
    fn msm_batch(&self, _: &[G1Affine], _: &[&[Fr]]) -> zkaccel::Result<Vec<G1Projective>> {
        self.fail()
    }
    fn prepare_bases(&self, bases: &[G1Affine]) -> zkaccel::Result<PreparedBases<Bn254>> {
        zkaccel::validate::points(bases)?;
        Ok(PreparedBases::new(self.name(), Arc::from(bases), Box::new(()), 0))
    }
    fn msm_prepared_batch(&self, _: &PreparedBases<Bn254>, _: &[&[Fr]]) -> zkaccel::Result<Vec<G1Projective>> {
        self.fail()
    }
}

impl Ntt<Fr> for FailingBackend {
    fn ntt_batch(&self, data: &mut [Fr], _: usize, _: NttConfig<Fr>) -> zkaccel::Result<()> {
        data.iter_mut().for_each(|x| *x = Fr::ZERO);
        self.fail()
    }
    fn lde_batch(&self, _: &[Fr], _: usize, _: u32, _: Fr) -> zkaccel::Result<Vec<Fr>> {
        self.fail()
    }
}

impl LookupKernels<Fr> for FailingBackend {
    fn multiplicities(&self, _: &[Fr], _: &[&[Fr]]) -> zkaccel::Result<Vec<u64>> {
        self.fail()
    }
    fn batch_inverse(&self, values: &mut [Fr]) -> zkaccel::Result<()> {
        values.iter_mut().for_each(|x| *x = Fr::ONE);
        self.fail()
    }
    fn inverse_of_sums(&self, _: Fr, _: &[Fr]) -> zkaccel::Result<Vec<Fr>> {
        self.fail()
    }
    fn prefix_product(&self, _: &[Fr]) -> zkaccel::Result<Vec<Fr>> {
        self.fail()
    }
    fn permute_lookup(&self, _: &[Fr], _: &[Fr]) -> zkaccel::Result<PermutedLookup<Fr>> {
        self.fail()
    }
}

fn device_error() -> Error {
    Error::Device { backend: "failing", msg: "injected failure".into() }
}

fn accelerator_with(device: &Arc<FailingBackend>) -> Accelerator {
    Accelerator::with_devices(vec![device.clone() as DynBackend])
}

/// The whole conformance suite passes when every call fails on the device
/// first: each result comes from the CPU fallback.
mod through_failing_device {
    use super::*;

    fn failing_accelerator() -> Accelerator {
        accelerator_with(&FailingBackend::new(device_error()))
    }

    zkaccel_core::conformance_suite!(failing_accelerator(), reference: zkaccel::CpuBackend::new());
}

#[test]
fn device_failure_is_redone_on_cpu_and_counted() {
    let device = FailingBackend::new(device_error());
    let acc = accelerator_with(&device);
    assert_eq!(acc.backend_names(), vec!["failing", "cpu"]);
    let g = Bn254::GENERATOR;
    let sum = acc.msm(&[g, g], &[Fr::from_u64(2), Fr::from_u64(5)]).unwrap();
    assert_eq!(sum, g.mul(&Fr::from_u64(7)));
    assert_eq!(device.calls.load(Ordering::Relaxed), 1);
    assert_eq!(acc.fallback_count(), 1);

    // Prepared on the device, the MSM fails there and runs on the CPU from the handle's host copy.
    let prepared = acc.prepare_bases(&[g, g]).unwrap();
    assert_eq!(prepared.backend(), "failing");
    assert_eq!(acc.msm_prepared(&prepared, &[Fr::ONE, Fr::ONE]).unwrap(), g.mul(&Fr::from_u64(2)));
    assert_eq!(acc.fallback_count(), 2);
}

#[test]
fn failed_device_cannot_corrupt_in_place_buffers() {
    let acc = accelerator_with(&FailingBackend::new(device_error()));
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
    let device = FailingBackend::new(Error::LengthMismatch { what: "test", expected: 1, actual: 2 });
    let acc = accelerator_with(&device);
    let g = Bn254::GENERATOR;
    assert!(matches!(acc.msm(&[g], &[Fr::ONE]), Err(Error::LengthMismatch { what: "test", .. })));
    assert_eq!(acc.fallback_count(), 0);
}

#[test]
fn routing_respects_capabilities() {
    let device = Arc::new(FailingBackend { max_size: 100, ..FailingBackend::plain(device_error()) });
    let acc = accelerator_with(&device);
    assert_eq!(acc.route(Operation::Msm, 100), "failing");
    assert_eq!(acc.route(Operation::Msm, 101), "cpu");
    let g = Bn254::GENERATOR;
    // Too large for the device: goes straight to the CPU, no failure, no fallback.
    let bases = vec![g; 200];
    let scalars = vec![Fr::ONE; 200];
    assert_eq!(acc.msm(&bases, &scalars).unwrap(), g.mul(&Fr::from_u64(200)));
    assert_eq!(device.calls.load(Ordering::Relaxed), 0);
    assert_eq!(acc.fallback_count(), 0);
}

#[test]
fn unavailable_devices_are_dropped() {
    let absent = Arc::new(FailingBackend { available: false, ..FailingBackend::plain(device_error()) });
    let acc = Accelerator::with_devices(vec![absent.clone() as DynBackend]);
    assert_eq!(acc.backend_names(), vec!["cpu"]);
    let g = Bn254::GENERATOR;
    assert_eq!(acc.msm(&[g], &[Fr::ONE]).unwrap(), g.to_projective());
    assert_eq!(absent.calls.load(Ordering::Relaxed), 0);
}

#[test]
fn selftest_flags_a_broken_backend_and_passes_the_cpu() {
    let acc = accelerator_with(&FailingBackend::new(device_error()));
    let checks = zkaccel::selftest::run(&acc);
    let (failing, cpu): (Vec<_>, Vec<_>) = checks.iter().partition(|c| c.backend == "failing");
    assert_eq!(failing.len(), cpu.len());
    assert!(failing.iter().all(|c| !c.passed()), "{failing:?}");
    assert!(cpu.iter().all(|c| c.passed()), "{cpu:?}");
    let ops: std::collections::BTreeSet<_> = cpu.iter().map(|c| c.operation).collect();
    assert_eq!(ops.len(), Operation::ALL.len(), "every operation is self-tested");
}

/// A writer into a shared buffer, to read what the Accelerator logged.
#[derive(Clone, Default)]
struct LogBuffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn fallback_logs_a_warning_naming_device_and_error() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let acc = accelerator_with(&FailingBackend::new(device_error()));
    let g = Bn254::GENERATOR;
    tracing::subscriber::with_default(subscriber, || acc.msm(&[g], &[Fr::ONE]).unwrap());
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains("msm failed on failing") && text.contains("injected failure"), "{text}");
    assert!(text.contains("redoing it on the CPU"), "{text}");
}

//! The warning the Accelerator logs when a device fails and the CPU redoes the work.
//!
//! Alone in its own test binary on purpose: tracing caches each callsite's interest
//! globally, and a concurrent test that reaches the same `warn!` while this test's scoped
//! subscriber is being registered can cache "never", which silenced the warning here
//! in one CI run. With one test per process there is no such race.

use std::sync::Arc;

use zkaccel::{Accelerator, Bn254, Error, Field, Fr, HeldBackend, Msm, SwCurve};
use zkaccel_core::testing::FailingBackend;

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
    let device = Arc::new(FailingBackend::new(Error::Device { backend: "failing", msg: "injected failure".into() }));
    let acc = Accelerator::with_devices(vec![HeldBackend::every(device)]);
    let g = Bn254::GENERATOR;
    tracing::subscriber::with_default(subscriber, || acc.msm(&[g], &[Fr::ONE]).unwrap());
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains("msm failed on failing") && text.contains("injected failure"), "{text}");
    assert!(text.contains("redoing it on the CPU"), "{text}");
}

//! The warning the Accelerator logs when a device fails and the CPU redoes the work.
//!
//! Alone in its own test binary on purpose: tracing caches each callsite's interest
//! globally, and a concurrent test that reaches the same `warn!` while this test's scoped
//! subscriber is being registered can cache "never", which silenced the warning here
//! in one CI run. With one test per process there is no such race.

use std::sync::Arc;

use zkaccel::{Accelerator, Bn254, Error, Field, Fr, HeldBackend, Msm, SwCurve};
use zkaccel_core::testing::FailingBackend;

mod common;

#[test]
fn fallback_logs_a_warning_naming_device_and_error() {
    let device = Arc::new(FailingBackend::new(Error::Device { backend: "failing", msg: "injected failure".into() }));
    let acc = Accelerator::with_devices(vec![HeldBackend::every(device)]);
    let g = Bn254::GENERATOR;
    let (_, text) = common::logged(|| acc.msm(&[g], &[Fr::ONE]).unwrap());
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains("msm failed on failing") && text.contains("injected failure"), "{text}");
    assert!(text.contains("redoing it on the CPU"), "{text}");
}

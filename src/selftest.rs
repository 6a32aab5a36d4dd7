//! `zkaccel selftest`: the conformance suite ([`zkaccel_core::testing`]) on
//! every usable backend, each check reported instead of asserted, and every
//! device backend also compared output for output with the CPU backend.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use zkaccel_core::testing::{self, CheckResult, CHECKS};
use zkaccel_core::{Bn254, HeldBackend, Operation};

use crate::{Accelerator, CpuBackend};

/// The outcome of one check on one backend.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The backend checked.
    pub backend: &'static str,
    /// The check's name in the conformance suite.
    pub check: &'static str,
    /// The operations it exercises.
    pub operations: &'static [Operation],
    /// Wall time of the whole check (the backend's calls and the reference's), in milliseconds.
    pub millis: f64,
    /// `Ok` or what went wrong.
    pub outcome: Result<(), String>,
}

impl CheckReport {
    /// Whether the backend passed.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// Runs the suite on every backend of `acc` (the CPU included).
pub fn run(acc: &Accelerator) -> Vec<CheckReport> {
    acc.backends().iter().flat_map(run_backend).collect()
}

/// Runs the suite on one backend: every check whose operations it
/// implements at the sizes used (the rest an Accelerator gives to other
/// backends), then, for a backend other than the CPU, the comparison with
/// the CPU backend.
pub fn run_backend(b: &HeldBackend<Bn254>) -> Vec<CheckReport> {
    let capabilities = b.capabilities();
    let mut reports: Vec<CheckReport> = CHECKS
        .iter()
        .filter(|check| check.applies_to(&capabilities))
        .map(|check| report(b.name(), check.name, check.operations, || (check.run)(b)))
        .collect();
    let cpu = CpuBackend::new();
    if b.name() != "cpu" {
        reports.push(report(b.name(), "matches_reference_backend", &Operation::ALL, || {
            testing::matches_reference_backend(b, &cpu)
        }));
    }
    reports
}

/// Runs one check, timing it; a panic is a failure too.
fn report(
    backend: &'static str,
    check: &'static str,
    operations: &'static [Operation],
    run: impl FnOnce() -> CheckResult,
) -> CheckReport {
    let start = Instant::now();
    let outcome = match catch_unwind(AssertUnwindSafe(run)) {
        Ok(result) => result.map_err(|failure| failure.to_string()),
        Err(_) => Err("the check panicked".to_string()),
    };
    CheckReport { backend, check, operations, millis: start.elapsed().as_secs_f64() * 1e3, outcome }
}

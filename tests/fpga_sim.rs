//! `ZKACCEL_BACKEND=fpga-sim`: the FPGA kernel's RTL behind the Accelerator
//! (feature `fpga-sim`; without it the choice is a clear Unavailable error,
//! which tests/selection.rs checks).
#![cfg(feature = "fpga-sim")]

use zkaccel::{selftest, Accelerator, BackendChoice, CpuBackend, Msm, Operation};
use zkaccel_core::testing::{self, random_points, random_scalars};

/// One test at a time: the calibration below times the CPU, which the
/// simulation of a concurrent test would otherwise share.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

#[test]
fn the_accelerator_routes_what_the_rtl_offers_to_it_and_the_rest_to_the_cpu() {
    let _serial = one_at_a_time();
    let acc = Accelerator::with_choice(BackendChoice::FpgaSim).unwrap();
    assert_eq!(acc.backend_names(), vec!["fpga-sim", "cpu"]);
    assert_eq!(acc.route(Operation::Msm, 256), "fpga-sim");
    assert_eq!(acc.route(Operation::Msm, 1 << 16), "cpu");
    // Forced, NTTs run on the NTT cores and prefix products on the lane-product core.
    assert_eq!(acc.route(Operation::Ntt, 256), "fpga-sim");
    assert_eq!(acc.route(Operation::Ntt, 1 << 17), "cpu");
    assert_eq!(acc.route(Operation::PrefixProduct, 256), "fpga-sim");
    assert_eq!(acc.route(Operation::PermuteLookup, 256), "cpu");

    let mut rng = testing::rng(9);
    let bases = random_points(256, &mut rng);
    let scalars = random_scalars(256, &mut rng);
    assert_eq!(acc.msm(&bases, &scalars).unwrap(), CpuBackend::new().msm(&bases, &scalars).unwrap());
    assert_eq!(acc.fallback_count(), 0, "the simulated kernel must not have failed");
}

#[test]
fn selftest_passes_on_the_simulated_fpga() {
    let _serial = one_at_a_time();
    let acc = Accelerator::with_choice(BackendChoice::FpgaSim).unwrap();
    let checks = selftest::run(&acc);
    let on_fpga: Vec<_> = checks.iter().filter(|c| c.backend == "fpga-sim").collect();
    assert!(on_fpga.iter().any(|c| c.operations.contains(&Operation::Msm)), "an MSM ran on the RTL");
    // The conformance suite's MSM checks that fit the simulator (up to 2^12
    // points; the suite's 2^16 MSMs would take minutes of simulated cycles).
    let on_rtl: Vec<&str> = on_fpga.iter().map(|c| c.check).collect();
    for check in ["msm_edge_cases", "msm_batch_and_prepared", "msm_rejects_bad_input"] {
        assert!(on_rtl.contains(&check), "{check} did not run on the RTL: {on_rtl:?}");
    }
    for c in &checks {
        assert!(c.passed(), "{} {}: {:?}", c.backend, c.check, c.outcome);
    }
}

/// What `zkaccel calibrate` does on a machine with the simulation and the
/// CPU: every operation is routed to the CPU, and the report says why (the
/// simulation implements only MSMs, NTTs, prefix products and batch
/// inversion, and simulated cycles are far slower).
#[test]
fn calibration_routes_every_operation_to_the_cpu_and_says_why() {
    let _serial = one_at_a_time();
    let sim = zkaccel_backend_fpga::open_sim().unwrap();
    let acc = Accelerator::with_cost_model(vec![sim], CpuBackend::new(), zkaccel::CostModel::in_memory());
    let started = std::time::Instant::now();
    let report = acc.calibrate();
    eprintln!("calibrated the CPU and the simulation in {:.1?}", started.elapsed());
    assert_eq!(report.len(), Operation::ALL.len());
    for r in &report {
        let backends: Vec<&str> = r.segments.iter().map(|s| s.1).collect();
        assert_eq!(backends, vec!["cpu"], "{}: {r:?}", r.operation);
        eprintln!("{:<16} {}", r.operation.name(), r.reason);
        // The simulation offers MSMs, NTTs (four-step on its cores) and, on
        // its lane-product core, prefix products and batch inversion.
        let on_sim = [
            Operation::Msm,
            Operation::MsmPrepared,
            Operation::Ntt,
            Operation::Lde,
            Operation::PrefixProduct,
            Operation::BatchInverse,
            Operation::InverseOfSums,
        ];
        if on_sim.contains(&r.operation) {
            assert!(r.reason.contains("cpu is predicted fastest at every size"), "{}", r.reason);
            assert!(r.reason.contains("fpga-sim"), "{}", r.reason);
            let sim_points = &r.backends.iter().find(|b| b.0 == "fpga-sim").unwrap().1;
            assert!(sim_points.as_ref().is_ok_and(|p| !p.is_empty()), "{sim_points:?}");
        } else {
            assert_eq!(r.reason, "only cpu offers it here");
        }
    }
    assert_eq!(acc.route(Operation::Msm, 256), "cpu");
    assert_eq!(acc.msm_split(Operation::Msm, 4096), vec![("cpu", 4096)]);
}

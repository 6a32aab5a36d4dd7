//! Backend choice from `ZKACCEL_BACKEND`, discovery reports, and the
//! conformance suite on the CPU-only Accelerator.

use zkaccel::{backend_reports, Accelerator, BackendChoice, Error};

#[test]
fn backend_choice_parses_every_documented_value() {
    for (text, choice) in [
        ("", BackendChoice::Auto),
        ("auto", BackendChoice::Auto),
        ("cpu", BackendChoice::Cpu),
        (" CPU ", BackendChoice::Cpu),
        ("cuda", BackendChoice::Cuda),
        ("gpu", BackendChoice::Cuda),
        ("fpga", BackendChoice::Fpga),
        ("fpga-sim", BackendChoice::FpgaSim),
    ] {
        assert_eq!(text.parse::<BackendChoice>().unwrap(), choice, "{text:?}");
    }
    assert!(matches!("tpu".parse::<BackendChoice>(), Err(Error::InvalidConfig(msg)) if msg.contains("tpu")));
}

#[test]
fn forcing_an_unavailable_device_is_an_error_with_its_reason() {
    // No machine that runs these tests has a GPU or an FPGA card; the
    // simulation is available only in builds with the `fpga-sim` feature.
    let mut unavailable = vec![(BackendChoice::Cuda, "cuda"), (BackendChoice::Fpga, "fpga")];
    if cfg!(not(feature = "fpga-sim")) {
        unavailable.push((BackendChoice::FpgaSim, "fpga-sim"));
    }
    for (choice, name) in unavailable {
        match Accelerator::with_choice(choice) {
            Err(Error::Unavailable { backend, reason }) => {
                assert_eq!(backend, name);
                assert!(!reason.is_empty());
            }
            other => panic!("{choice}: expected Unavailable, got {other:?}"),
        }
    }
}

#[test]
fn auto_and_cpu_choices_end_with_the_cpu() {
    assert_eq!(Accelerator::with_choice(BackendChoice::Cpu).unwrap().backend_names(), vec!["cpu"]);
    assert_eq!(Accelerator::with_choice(BackendChoice::Auto).unwrap().backend_names().last(), Some(&"cpu"));
}

#[test]
fn reports_cover_every_backend_with_reasons() {
    let reports = backend_reports();
    let names: Vec<_> = reports.iter().map(|r| r.name).collect();
    assert_eq!(names, vec!["cuda", "fpga", "fpga-sim", "cpu"]);
    for r in &reports {
        match &r.availability {
            zkaccel::Availability::Available(info) => {
                assert!(!info.name.is_empty());
                assert!(r.capabilities.as_ref().is_some_and(|c| !c.operations.is_empty()));
            }
            zkaccel::Availability::Unavailable(reason) => assert!(!reason.is_empty()),
        }
    }
}

mod cpu_accelerator {
    zkaccel_core::conformance_suite!(zkaccel::Accelerator::cpu_only(), reference: zkaccel::CpuBackend::new());
}

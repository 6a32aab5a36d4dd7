//! The `zkaccel` binary end to end, on a machine with no GPU or FPGA.

use std::process::{Command, Output};

fn zkaccel(args: &[&str], backend: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zkaccel"));
    cmd.args(args).env_remove("ZKACCEL_BACKEND");
    if let Some(b) = backend {
        cmd.env("ZKACCEL_BACKEND", b);
    }
    cmd.output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn info_lists_every_backend_with_status() {
    let out = zkaccel(&["info"], None);
    assert!(out.status.success());
    let text = stdout(&out);
    for name in ["cuda", "fpga", "cpu"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{name} missing from:\n{text}");
    }
    let cpu = text.lines().find(|l| l.starts_with("cpu")).unwrap();
    assert!(cpu.contains("available") && cpu.contains("msm") && cpu.contains("permute-lookup"), "{cpu}");
    assert!(text.contains("ZKACCEL_BACKEND=auto: cpu (in priority order)"), "{text}");
    // Where each operation goes, and why: on a CPU-only machine, the CPU.
    for op in ["msm ", "ntt ", "permute-lookup "] {
        let line = text.lines().find(|l| l.starts_with(op)).unwrap_or_else(|| panic!("no {op}line:\n{text}"));
        assert!(line.contains("cpu at every size: only cpu offers it here"), "{line}");
    }
}

/// A reader that closes the pipe early (`zkaccel info | head -1`) ends the
/// process quietly, not with a panic on stderr.
#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_is_not_a_panic() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkaccel"))
        .arg("info")
        .env_remove("ZKACCEL_BACKEND")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Close our end before the binary writes anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("the binary exits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn selftest_passes_on_the_cpu() {
    for backend in [None, Some("cpu"), Some("auto")] {
        let out = zkaccel(&["selftest"], backend);
        let text = stdout(&out);
        assert!(out.status.success(), "{backend:?}:\n{text}");
        assert!(text.contains(" 0 failed"), "{text}");
        // Every check of the conformance suite (zkaccel_core::testing::CHECKS), each passed.
        assert_eq!(text.lines().filter(|l| l.starts_with("cpu ") && l.ends_with(" ok")).count(), 17, "{text}");
    }
}

#[test]
fn forcing_a_missing_device_fails_with_the_reason() {
    let out = zkaccel(&["selftest"], Some("cuda"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cuda is unavailable"), "{err}");

    let out = zkaccel(&["selftest"], Some("quantum"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid configuration"));
}

#[test]
#[cfg(feature = "bench")]
fn bench_compares_with_peers_and_writes_json() {
    let json = std::env::temp_dir().join(format!("zkaccel-bench-{}.json", std::process::id()));
    let out = zkaccel(
        &[
            "bench",
            "--ops",
            "msm,msm-prepared,ntt,batch-inverse",
            "--sizes",
            "8,10",
            "--reps",
            "2",
            "--json",
            json.to_str().unwrap(),
        ],
        None,
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for peer in ["halo2curves", "arkworks", "serial-montgomery"] {
        assert!(text.contains(peer), "{peer} missing:\n{text}");
    }
    let records = std::fs::read_to_string(&json).unwrap();
    std::fs::remove_file(&json).ok();
    // 4 operations × 2 sizes × 3 implementations, each with a positive median.
    assert_eq!(records.matches("\"median_ms\"").count(), 24, "{records}");
    assert!(!records.contains("\"median_ms\": 0.0,"), "{records}");

    let bad = zkaccel(&["bench", "--ops", "fft"], None);
    assert!(!bad.status.success());
}

#[test]
#[cfg(feature = "bench")]
fn bench_halo2_proves_with_both_provers_and_reports_stages_and_msm_shares() {
    let json = std::env::temp_dir().join(format!("zkaccel-bench-halo2-{}.json", std::process::id()));
    let out =
        zkaccel(&["bench", "--ops", "halo2", "--sizes", "8", "--reps", "1", "--json", json.to_str().unwrap()], None);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for implementation in ["zkaccel", "halo2-axiom", "halo2-axiom+clock", "zkaccel-1-copy"] {
        assert!(text.contains(implementation), "{implementation} missing:\n{text}");
    }
    assert_eq!(text.matches("MSM ").count(), 2, "an MSM share for zkaccel and the clocked stock prover:\n{text}");
    // Each prover's memory as if alone: shared state, its own resident state, its proofs.
    if cfg!(target_os = "linux") {
        assert_eq!(text.matches("peak RSS alone").count(), 4, "{text}");
    }
    assert!(text.contains("faster than halo2-axiom"), "the one-copy prover's ratio to stock:\n{text}");
    let records = std::fs::read_to_string(&json).unwrap();
    std::fs::remove_file(&json).ok();
    assert_eq!(records.matches("\"samples_ms\"").count(), 4, "{records}");
    assert_eq!(records.matches("\"msm_median_ms\": null").count(), 2, "{records}");
    // Our prover's stages, and the two parts of stock that can be timed from outside.
    for stage in ["synthesis", "commitments", "ffts", "quotient", "products", "evaluations", "multiopen"] {
        assert!(records.contains(&format!("\"stage\": \"{stage}\"")), "{stage} missing: {records}");
    }
    assert!(records.contains("phase 1 (synthesize_witness)"), "{records}");
    assert!(text.contains("stages ms: synthesis"), "{text}");
}

#[test]
#[cfg(feature = "bench")]
fn bench_groth16_compares_with_ark_groth16_and_prints_stages() {
    let out = zkaccel(&["bench", "--ops", "groth16", "--sizes", "8", "--reps", "1"], None);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for implementation in ["zkaccel", "zkaccel-stock-key", "ark-groth16"] {
        assert!(text.contains(implementation), "{implementation} missing:\n{text}");
    }
    // Stage breakdowns for zkaccel and for the replayed arkworks prover.
    assert_eq!(text.matches("stages ms: witness").count(), 2, "{text}");
    assert!(text.contains("MSM B G2"), "{text}");
}

#[test]
#[cfg(feature = "bench")]
fn bench_zkml_proves_the_shipped_model_and_skips_a_missing_ezkl_with_its_reason() {
    let out = Command::new(env!("CARGO_BIN_EXE_zkaccel"))
        .args(["bench", "--ops", "zkml", "--reps", "1"])
        .env("ZKACCEL_BACKEND", "cpu")
        .env("ZKACCEL_PYTHON", "/nonexistent/python3")
        .output()
        .expect("the binary runs");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.lines().any(|l| l.starts_with("zkml") && l.contains("zkaccel")), "{text}");
    assert!(text.contains("max |output error|"), "{text}");
    // EZKL cannot run here: reported as skipped with the reason, never as measured.
    assert!(text.contains("ezkl") && text.contains("SKIPPED") && text.contains("/nonexistent/python3"), "{text}");
}

#[test]
#[cfg(not(feature = "bench"))]
fn bench_without_the_feature_says_how_to_build_it() {
    let out = zkaccel(&["bench", "--ops", "msm"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--features bench"), "{err}");
}

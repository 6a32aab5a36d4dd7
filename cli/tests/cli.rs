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
    assert!(text.contains("routing order cpu"), "{text}");
}

#[test]
fn selftest_passes_on_the_cpu() {
    for backend in [None, Some("cpu"), Some("auto")] {
        let out = zkaccel(&["selftest"], backend);
        let text = stdout(&out);
        assert!(out.status.success(), "{backend:?}:\n{text}");
        assert!(text.contains(" 0 failed"), "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("cpu ") && l.ends_with(" ok")).count(), 11, "{text}");
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

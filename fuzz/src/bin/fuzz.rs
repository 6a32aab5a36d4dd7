//! The libFuzzer entry point: `ZKACCEL_FUZZ_TARGET` names the target (see
//! `zkaccel_fuzz::TARGETS`); `scripts/fuzz.sh` builds and runs it.

#![no_main]

use std::sync::OnceLock;

fn selected() -> zkaccel_fuzz::Target {
    static TARGET: OnceLock<zkaccel_fuzz::Target> = OnceLock::new();
    *TARGET.get_or_init(|| {
        let name = std::env::var("ZKACCEL_FUZZ_TARGET").unwrap_or_default();
        zkaccel_fuzz::target(&name).unwrap_or_else(|| {
            let names: Vec<&str> = zkaccel_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
            eprintln!("ZKACCEL_FUZZ_TARGET={name:?} is not one of {}", names.join(", "));
            std::process::exit(2)
        })
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // halo2's readers panic on some corrupt keys, and zkml turns that into
    // an error (catch_unwind); libFuzzer's hook would abort on the caught
    // panic, so the hook stays silent and only a panic that escapes the
    // target (libfuzzer-sys aborts on it) is a crash.
    static QUIET: OnceLock<()> = OnceLock::new();
    QUIET.get_or_init(|| std::panic::set_hook(Box::new(|_| {})));
    selected()(data)
});

//! With the `sim` feature: verilates the RTL of `hdl/` into C++ models,
//! compiles them with the testbench drivers of `hdl/tb/` into a static
//! library, and binds its C ABI (`hdl/tb/zk_sim.h`) with bindgen.
//! Without the feature nothing is built, so the crate needs no Verilator.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ZKACCEL_VERILATOR");
    #[cfg(feature = "sim")]
    sim::build();
}

#[cfg(feature = "sim")]
mod sim {
    use std::path::PathBuf;
    use std::process::Command;

    /// The verilated simulation kernel: window bits and multiplier word. With
    /// 16-bit words the adder is 42 cycles deep, as long as the 43 windows a
    /// point takes, so ordinary inputs exercise the hazard queue; 6-bit
    /// windows keep the bucket RAM (1376 buckets) quick to clear and write out.
    const SIM_WINDOW_BITS: u32 = 6;
    const SIM_WORD: u32 = 16;
    /// The verilated streaming NTT: 2^5 points.
    const SIM_NTT_LOG_N: u32 = 5;
    /// The verilated lane product: 2^3 lanes (the 64-bit multiplier's latency is 5).
    const SIM_LANE_LOG: u32 = 3;

    struct Model {
        prefix: &'static str,
        top: &'static str,
        params: Vec<String>,
    }

    pub fn build() {
        let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
        let hdl = manifest.join("hdl");
        let rtl = hdl.join("rtl");
        let tb = hdl.join("tb");
        println!("cargo:rerun-if-changed={}", rtl.display());
        println!("cargo:rerun-if-changed={}", tb.display());
        let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));

        let verilator = std::env::var("ZKACCEL_VERILATOR").unwrap_or_else(|_| "verilator".into());
        let root = command_output(Command::new(&verilator).args(["--getenv", "VERILATOR_ROOT"])).unwrap_or_else(|e| {
            panic!("the `sim` feature needs Verilator 5 ({verilator}: {e}); scripts/test.sh installs it")
        });
        let include = PathBuf::from(root.trim()).join("include");

        let fr_modulus = "256'h30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
        let models = [
            Model { prefix: "Vzk_mont_mul_fq", top: "zk_mont_mul", params: vec![] },
            // The latency parameter: 32-bit words, 8 + 1 stages.
            Model {
                prefix: "Vzk_mont_mul_fq_w32",
                top: "zk_mont_mul",
                params: vec!["-GWORD=32".into(), "-GNPRIME=32'he4866389".into()],
            },
            Model {
                prefix: "Vzk_mont_mul_fr",
                top: "zk_mont_mul",
                params: vec![format!("-GMODULUS={fr_modulus}"), "-GNPRIME=64'hc2e1f593efffffff".into()],
            },
            Model { prefix: "Vzk_g1_add", top: "zk_g1_add", params: vec![] },
            Model { prefix: "Vzk_ntt_stream", top: "zk_ntt_stream", params: vec![format!("-GLOG_N={SIM_NTT_LOG_N}")] },
            // The four-step NTT's smallest factor.
            Model { prefix: "Vzk_ntt_stream_n2", top: "zk_ntt_stream", params: vec!["-GLOG_N=1".into()] },
            Model { prefix: "Vzk_fr_inverse", top: "zk_fr_inverse", params: vec![] },
            Model {
                prefix: "Vzk_lane_product",
                top: "zk_lane_product",
                params: vec![format!("-GLOG_LANES={SIM_LANE_LOG}")],
            },
            Model {
                prefix: "Vkrnl_msm",
                top: "krnl_msm",
                params: vec![format!("-GC={SIM_WINDOW_BITS}"), format!("-GWORD={SIM_WORD}")],
            },
        ];
        let sources: Vec<PathBuf> = std::fs::read_dir(&rtl)
            .expect("hdl/rtl is readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "v"))
            .collect();

        let mut build = cc::Build::new();
        build
            .cpp(true)
            .std("c++17")
            .opt_level(2)
            .debug(false)
            .warnings(false)
            .include(&include)
            .include(include.join("vltstd"))
            .include(&tb)
            .define("ZK_NTT_LOG_N", SIM_NTT_LOG_N.to_string().as_str())
            .define("ZK_LANE_LOG", SIM_LANE_LOG.to_string().as_str())
            .define("ZK_MSM_BUCKETS", sim_bucket_count().to_string().as_str())
            .define("ZK_MSM_WINDOW_BITS", SIM_WINDOW_BITS.to_string().as_str())
            .define("VL_IGNORE_UNKNOWN_ARCH", None);
        for model in &models {
            let dir = out.join(model.prefix);
            let _ = std::fs::remove_dir_all(&dir);
            let mut cmd = Command::new(&verilator);
            cmd.args(["--cc", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert", "-Wno-fatal"])
                .arg("-Wno-lint")
                .arg("-Wno-style")
                .arg("--prefix")
                .arg(model.prefix)
                .arg("--top-module")
                .arg(model.top)
                .arg("-Mdir")
                .arg(&dir)
                .arg(format!("-I{}", rtl.display()))
                .args(&model.params)
                .args(&sources);
            if let Err(e) = command_output(&mut cmd) {
                panic!("verilating {}: {e}", model.top);
            }
            build.include(&dir);
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .expect("verilator wrote its output")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "cpp"))
                .collect();
            files.sort();
            build.files(files);
        }
        build
            .file(include.join("verilated.cpp"))
            .file(include.join("verilated_threads.cpp"))
            .file(tb.join("zk_sim.cpp"));
        build.compile("zkaccel_fpga_sim");

        let bindings = bindgen::Builder::default()
            .header(tb.join("zk_sim.h").to_string_lossy())
            .allowlist_function("zk_sim_.*")
            .allowlist_type("zk_.*")
            .allowlist_var("ZK_.*")
            .derive_default(true)
            .generate()
            .expect("bindgen reads hdl/tb/zk_sim.h (it needs libclang)");
        bindings.write_to_file(out.join("zk_sim.rs")).expect("OUT_DIR is writable");
    }

    /// Buckets of the simulation kernel: ⌈256/C⌉ windows of 2^(C-1).
    fn sim_bucket_count() -> u32 {
        256u32.div_ceil(SIM_WINDOW_BITS) << (SIM_WINDOW_BITS - 1)
    }

    fn command_output(cmd: &mut Command) -> Result<String, String> {
        let output = cmd.output().map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!(
                "{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

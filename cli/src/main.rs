//! `zkaccel`: what hardware zkaccel can use here, whether it computes
//! correctly, how fast it is, and zkML proofs of ONNX models.

mod bench;
mod zkml;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use zkaccel::{
    available_devices, backend_reports, selftest, Accelerator, Availability, BackendChoice, CostModel, CpuBackend,
    Operation, RoutingReport,
};

#[derive(Parser)]
#[command(name = "zkaccel", version, about = "Hardware-accelerated kernels for zero-knowledge provers")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile the shipped digits model, make keys, prove one input and verify
    /// the proof (and that a changed output is rejected).
    Demo {
        /// Keep the files here (default: a new temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Lower an ONNX model, quantize and calibrate it: writes `compiled.json`
    /// (prover) and `settings.json` (verifier) to `--out`.
    Compile {
        /// The ONNX model.
        #[arg(long)]
        model: PathBuf,
        /// Calibration inputs, `{"input_data": [[...], ...]}`.
        #[arg(long)]
        calibration: PathBuf,
        /// The model directory to write.
        #[arg(long)]
        out: PathBuf,
        /// Fixed-point scale 2^s.
        #[arg(long, default_value_t = 14)]
        scale: u32,
        /// Keep every input out of the public values.
        #[arg(long)]
        private_input: bool,
        /// Keep these inputs (positions in the graph, comma-separated) out of the public values.
        #[arg(long, value_delimiter = ',')]
        private_inputs: Vec<usize>,
        /// Keep these outputs (positions in the graph) out of the public values: proved, not shown.
        #[arg(long, value_delimiter = ',')]
        private_outputs: Vec<usize>,
        /// Keep the weights private, publishing a Poseidon commitment to them.
        #[arg(long)]
        private_model: bool,
        /// At most this many products per row (1, 2, 4, 8); 1 gives the
        /// smallest verifier (for `zkaccel evm`).
        #[arg(long, default_value_t = 8)]
        max_lanes: usize,
    },
    /// Make the proving and verifying keys of a compiled model.
    Setup {
        /// The model directory.
        #[arg(long)]
        dir: PathBuf,
        /// An SRS in halo2's format (default: an insecure local one).
        #[arg(long)]
        srs: Option<PathBuf>,
    },
    /// Prove that the model maps an input to its output.
    Prove {
        /// The model directory.
        #[arg(long)]
        dir: PathBuf,
        /// One input, `{"input_data": [[...]]}`.
        #[arg(long)]
        input: PathBuf,
        /// Where to write the proof (default: DIR/proof.bin).
        #[arg(long)]
        proof: Option<PathBuf>,
        /// Where to write the public values (default: DIR/public.json).
        #[arg(long)]
        public: Option<PathBuf>,
    },
    /// Write the model's Solidity verifier; with --input also prove with the
    /// Keccak transcript, write the calldata and run it in an embedded EVM
    /// (needs a build with `--features evm`).
    Evm {
        /// The model directory (compiled.json, srs.bin, pk.bin).
        #[arg(long)]
        dir: PathBuf,
        /// One input to prove and verify on chain.
        #[arg(long)]
        input: Option<PathBuf>,
    },
    /// Check a proof against its public values with the stock halo2 verifier.
    Verify {
        /// The model directory (settings.json, vk.bin, srs.bin).
        #[arg(long)]
        dir: PathBuf,
        /// The proof (default: DIR/proof.bin).
        #[arg(long)]
        proof: Option<PathBuf>,
        /// The public values (default: DIR/public.json).
        #[arg(long)]
        public: Option<PathBuf>,
    },
    /// List every backend: available or not and why, device, memory,
    /// operations; and where each operation is routed by the cached costs.
    Info,
    /// Measure every operation on every usable backend (the FPGA simulation
    /// too, in a build with it), cache the costs, and say where each
    /// operation is routed and why.
    Calibrate,
    /// Run every operation on every usable backend and check it against the
    /// CPU backend and naive references.
    Selftest,
    /// Time zkaccel's CPU kernels beside halo2curves and arkworks, interleaved
    /// (needs a build with `--features bench`).
    Bench {
        /// Operations, comma-separated: msm, msm-prepared, ntt, batch-inverse
        /// (the default); halo2, groth16, groth16-relu, zkml (whole proofs).
        #[arg(long, value_delimiter = ',')]
        ops: Option<Vec<String>>,
        /// log2 input sizes, comma-separated (default: per operation).
        #[arg(long, value_delimiter = ',')]
        sizes: Option<Vec<u32>>,
        /// Timed rounds per size (the median is reported).
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Also write one JSON record per (operation, size, implementation).
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

/// A closed pipe (`zkaccel info | head`) ends the process quietly, as it
/// does any Unix filter, instead of making `println!` panic: Rust ignores
/// SIGPIPE by default.
fn exit_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL
    // is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    exit_quietly_on_closed_pipe();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("ZKACCEL_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { dir } => run_zkml(|acc| zkml::demo(dir, acc)),
        Command::Compile {
            model,
            calibration,
            out,
            scale,
            private_input,
            private_inputs,
            private_outputs,
            private_model,
            max_lanes,
        } => {
            let mask = |positions: &[usize]| positions.iter().filter(|&&i| i < 64).fold(0u64, |m, &i| m | 1 << i);
            if let Some(i) = private_inputs.iter().chain(&private_outputs).find(|&&i| i >= 64) {
                eprintln!("error: position {i}: at most 64 inputs and outputs can be named");
                return ExitCode::FAILURE;
            }
            let visibility = zkaccel_zkml::Visibility {
                public_input: !private_input,
                private_model,
                private_inputs: mask(&private_inputs),
                private_outputs: mask(&private_outputs),
            };
            // Compiling and verifying use no backend, so they open none: a
            // `ZKACCEL_BACKEND` this machine lacks does not stop them, and a
            // GPU machine does not compile its kernels for them.
            Ok(exit_status(zkml::compile(&model, &calibration, &out, scale, visibility, max_lanes)))
        }
        Command::Setup { dir, srs } => run_zkml(|acc| zkml::setup(&dir, srs.as_deref(), acc)),
        Command::Prove { dir, input, proof, public } => {
            let proof = proof.unwrap_or_else(|| dir.join("proof.bin"));
            let public = public.unwrap_or_else(|| dir.join("public.json"));
            run_zkml(|acc| zkml::prove(&dir, &input, &proof, &public, acc))
        }
        Command::Verify { dir, proof, public } => {
            let proof = proof.unwrap_or_else(|| dir.join("proof.bin"));
            let public = public.unwrap_or_else(|| dir.join("public.json"));
            Ok(exit_status(zkml::verify(&dir, &proof, &public)))
        }
        Command::Evm { dir, input } => run_zkml(|acc| zkml::evm(&dir, input.as_deref(), acc)),
        Command::Info => info(),
        Command::Calibrate => calibrate(),
        Command::Selftest => run_selftest(),
        Command::Bench { ops, sizes, reps, json } => match bench::run(bench::BenchArgs { ops, sizes, reps, json }) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::FAILURE)
            }
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a zkML command on `Accelerator::auto()`; its error is printed and
/// becomes a failing exit status.
fn run_zkml<E: std::fmt::Display>(f: impl FnOnce(&Accelerator) -> Result<(), E>) -> Result<ExitCode, zkaccel::Error> {
    let acc = Accelerator::auto()?;
    Ok(exit_status(f(&acc)))
}

/// Success, or the error printed and a failing exit status.
fn exit_status<T, E: std::fmt::Display>(result: Result<T, E>) -> ExitCode {
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The error of a command this binary was built without.
#[cfg(not(all(feature = "bench", feature = "evm")))]
fn not_built(feature: &str) -> String {
    format!(
        "`zkaccel {feature}` is not in this build; build the CLI with it: \
         cargo run --release --features {feature} --bin zkaccel -- {feature} ..."
    )
}

fn gib(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "-".into(), |b| format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64))
}

fn operations(caps: &zkaccel::Capabilities) -> String {
    let names: Vec<String> = Operation::ALL
        .iter()
        .filter_map(|op| {
            caps.operations.iter().find(|(o, _)| o == op).map(|&(_, max)| {
                if max == usize::MAX {
                    op.name().to_string()
                } else {
                    format!("{}≤{max}", op.name())
                }
            })
        })
        .collect();
    names.join(", ")
}

fn info() -> Result<ExitCode, zkaccel::Error> {
    println!("zkaccel {}", env!("CARGO_PKG_VERSION"));
    println!();
    println!("{:<8} {:<12} {:<44} {:>9} {:>6}  OPERATIONS / REASON", "NAME", "STATUS", "DEVICE", "MEMORY", "UNITS");
    for report in backend_reports() {
        match &report.availability {
            Availability::Available(dev) => println!(
                "{:<8} {:<12} {:<44} {:>9} {:>6}  {}",
                report.name,
                "available",
                dev.name,
                gib(dev.memory_bytes),
                dev.compute_units.map_or_else(|| "-".into(), |u| u.to_string()),
                report.capabilities.as_ref().map(operations).unwrap_or_default()
            ),
            Availability::Unavailable(reason) => {
                println!("{:<8} {:<12} {:<44} {:>9} {:>6}  {reason}", report.name, "unavailable", "-", "-", "-")
            }
        }
    }
    println!();
    let choice = BackendChoice::from_env()?;
    match Accelerator::with_choice(choice) {
        Ok(acc) => {
            let how = if acc.cost_model().is_some() { "routed by measured cost" } else { "in priority order" };
            println!("ZKACCEL_BACKEND={choice}: {} ({how})", acc.backend_names().join(", "));
            if let Some(path) = acc.cost_model().and_then(|m| m.path()) {
                println!("cost model: {}", path.display());
            }
            println!();
            print_routing(&acc.routing_report());
        }
        Err(e) => println!("ZKACCEL_BACKEND={choice}: {e}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `zkaccel calibrate`: every usable backend, the FPGA simulation included.
fn calibrate() -> Result<ExitCode, zkaccel::Error> {
    let acc = Accelerator::with_cost_model(available_devices(true), CpuBackend::new(), CostModel::from_cache());
    println!("calibrating {} (a few sizes per operation)", acc.backend_names().join(", "));
    let report = acc.calibrate();
    match acc.cost_model().and_then(|m| m.path()) {
        Some(path) => println!("cached at {}", path.display()),
        None => println!("not cached: no ZKACCEL_CACHE, XDG_CACHE_HOME or HOME"),
    }
    println!();
    print_routing(&report);
    Ok(ExitCode::SUCCESS)
}

/// One block per operation: measured times per backend, the routing by size, and why.
fn print_routing(reports: &[RoutingReport]) {
    for r in reports {
        let segments: Vec<String> = r
            .segments
            .iter()
            .enumerate()
            .map(|(k, &(from, name))| match (k, r.segments.get(k + 1)) {
                (0, None) => format!("{name} at every size"),
                (_, None) => format!("{name} from 2^{}", from.trailing_zeros()),
                (_, Some(&(next, _))) => {
                    format!("{name} 2^{}..2^{}", from.trailing_zeros(), next.trailing_zeros() - 1)
                }
            })
            .collect();
        println!("{:<16} {}: {}", r.operation.name(), segments.join(", "), r.reason);
        if r.backends.len() < 2 && r.backends.iter().all(|(_, m)| m.is_err()) {
            continue;
        }
        for (name, measured) in &r.backends {
            let detail = match measured {
                Ok(points) => points
                    .iter()
                    .map(|&(n, t)| format!("2^{} {:.3} ms", n.trailing_zeros(), t * 1e3))
                    .collect::<Vec<_>>()
                    .join(", "),
                Err(why) => why.clone(),
            };
            println!("{:<16}   {name:<10} {detail}", "");
        }
    }
}

fn run_selftest() -> Result<ExitCode, zkaccel::Error> {
    let acc = Accelerator::auto()?;
    println!("zkaccel selftest on {}: the conformance suite, reported", acc.backend_names().join(", "));
    println!();
    println!("{:<8} {:<28} {:<34} {:>10}  RESULT", "NAME", "CHECK", "OPERATIONS", "TIME");
    let reports = selftest::run(&acc);
    for r in &reports {
        let result = match &r.outcome {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("FAILED: {e}"),
        };
        let operations = if r.operations.len() == Operation::ALL.len() {
            "all it offers".to_string()
        } else {
            r.operations.iter().map(|op| op.name()).collect::<Vec<_>>().join(", ")
        };
        println!("{:<8} {:<28} {:<34} {:>8.0}ms  {result}", r.backend, r.check, operations, r.millis);
    }
    let failed = reports.iter().filter(|r| !r.passed()).count();
    println!();
    println!("{} checks, {} passed, {failed} failed", reports.len(), reports.len() - failed);
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

//! `zkaccel bench`: the measuring is `zkaccel-benches`' (feature `bench`),
//! the table is printed here.

use std::path::PathBuf;

/// What `zkaccel bench` was asked for (read only in a build with the feature).
#[cfg_attr(not(feature = "bench"), allow(dead_code))]
pub struct BenchArgs {
    /// Operation names (`None`: the default kernels).
    pub ops: Option<Vec<String>>,
    /// log2 sizes (`None`: per operation).
    pub sizes: Option<Vec<u32>>,
    /// Timed rounds per size.
    pub reps: usize,
    /// Where to write the JSON records.
    pub json: Option<PathBuf>,
}

/// Runs the benchmark and prints its table as the results come in.
#[cfg(feature = "bench")]
pub fn run(args: BenchArgs) -> Result<(), String> {
    use zkaccel_benches::harness::{self, BenchOp, Event};

    let ops = match args.ops {
        Some(names) => names.iter().map(|n| n.parse()).collect::<Result<Vec<BenchOp>, _>>()?,
        None => harness::default_ops(),
    };
    let records = harness::run(&ops, args.sizes.as_deref(), args.reps, |event| match event {
        Event::Started { reps, machine, threads } => {
            println!("zkaccel bench: {reps} interleaved rounds per size on cpu: {machine} ({threads} threads); median wall time");
            println!();
            println!(
                "{:<14} {:>5} {:<18} {:>12} {:>16}",
                "OPERATION", "SIZE", "IMPLEMENTATION", "MEDIAN ms", "zkaccel SPEED-UP"
            );
        }
        Event::Measured(rows) => print_rows(rows),
        Event::Skipped { op, implementation, reason } => {
            println!("{:<14} {:>5} {:<18} SKIPPED: {reason}", op.name(), "", implementation)
        }
    })?;
    if let Some(path) = args.json {
        std::fs::write(&path, harness::to_json(&records))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// One race's rows; speed-ups are relative to zkaccel's row (the first).
#[cfg(feature = "bench")]
fn print_rows(rows: &[zkaccel_benches::harness::Record]) {
    let Some(ours) = rows.first().map(|r| r.median_ms) else { return };
    for r in rows {
        let speedup =
            if r.implementation == "zkaccel" { "-".to_string() } else { format!("{:.2}x", r.median_ms / ours) };
        let msm_share = r.msm_median_ms.map_or_else(String::new, |msm| {
            format!("   MSM {msm:.0} ms = {:.0}% of its median", 100.0 * msm / r.median_ms)
        });
        println!(
            "{:<14} {:>5} {:<18} {:>12.2} {:>16}{msm_share}",
            r.op.name(),
            format!("2^{}", r.log_size),
            r.implementation,
            r.median_ms,
            speedup
        );
        if let Some(notes) = &r.notes {
            println!("{:<14} {:>5}   {notes}", "", "");
        }
        if let Some(stages) = &r.stages_ms {
            let parts: Vec<String> = stages.iter().map(|(name, ms)| format!("{name} {ms:.0}")).collect();
            println!("{:<14} {:>5}   stages ms: {}", "", "", parts.join(", "));
        }
    }
}

/// Without the feature the peers are not linked: say how to get them.
#[cfg(not(feature = "bench"))]
pub fn run(_: BenchArgs) -> Result<(), String> {
    Err(crate::not_built("bench"))
}

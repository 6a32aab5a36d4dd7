//! One model's proof made three ways in one run, interleaved: by our halo2
//! prover (the whole proof on the Accelerator, what `zkml::prove` uses); by
//! the same with parameters that keep the key's cosets between proofs
//! (`AcceleratedParams::keep_key_cosets`: its first proof keeps them, later
//! ones read them); and by halo2-axiom's `create_proof` with only its
//! commitments on the Accelerator (the path before our prover). Every proof
//! is checked by the stock verifier; prints each round, the medians and our
//! prover's stages.
//!
//! `cargo run --release -p zkaccel-zkml --example prover_paths -- zkml/models/digits_lenet [rounds]`
//! (the model's `.onnx`, `.calibration.json` and `.input.json` beside each other).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use halo2_axiom::transcript::{Blake2bWrite, Challenge255, TranscriptWriterBuffer};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkaccel_zkml::{compile, halo2_axiom, local_srs, read_inputs, setup, witness, CompileOptions};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = PathBuf::from(args.next().ok_or("usage: prover_paths MODEL_PATH_WITHOUT_EXTENSION [ROUNDS]")?);
    let rounds: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let file = |suffix: &str| PathBuf::from(format!("{}{suffix}", base.display()));
    let program = zkaccel_zkml::onnx::load(&file(".onnx"))?;
    let calibration = read_inputs(&file(".calibration.json"))?;
    let input = read_inputs(&file(".input.json"))?.into_iter().next().ok_or("no input")?;
    let model = Arc::new(compile(program, &calibration, &CompileOptions::default())?);
    let accelerator = zkaccel::Accelerator::auto()?;
    let keys = setup(&model, local_srs(model.k, 1), &accelerator)?;
    let (circuit, public) = witness(&model, &input)?;
    let instance = public.instance(&model.settings())?;
    let srs = keys.params.verifier_srs();
    println!("{}: 2^{} rows, on {:?}", base.display(), model.k, accelerator.backend_names());

    let keeping = keys.params.keep_key_cosets(usize::MAX);
    let (mut ours, mut kept, mut stock, mut stages) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let start = Instant::now();
        let (proof, stats) = zkaccel_frontend_halo2::prove_with_stats(
            &keys.params,
            &keys.pk,
            &circuit,
            &[&instance],
            ChaCha20Rng::seed_from_u64(round as u64),
        )?;
        ours.push(start.elapsed().as_secs_f64());
        zkaccel_frontend_halo2::verify(srs, keys.pk.get_vk(), &[&instance], &proof)?;
        stages.push(stats.stages);
        if round == 0 {
            let cs = keys.pk.get_vk().cs();
            println!(
                "{} advice, {} fixed, {} lookups, {} permutation columns, degree {}; {} commitment MSMs ({} points)",
                cs.num_advice_columns(),
                cs.num_fixed_columns(),
                cs.lookups().len(),
                cs.permutation().get_columns().len(),
                cs.degree(),
                stats.commits.msm_calls,
                stats.commits.msm_points
            );
        }

        let start = Instant::now();
        let proof = zkaccel_frontend_halo2::prove(
            &keeping,
            &keys.pk,
            &circuit,
            &[&instance],
            ChaCha20Rng::seed_from_u64(round as u64),
        )?;
        kept.push(start.elapsed().as_secs_f64());
        zkaccel_frontend_halo2::verify(srs, keys.pk.get_vk(), &[&instance], &proof)?;

        let start = Instant::now();
        let mut transcript = Blake2bWrite::<_, _, Challenge255<_>>::init(vec![]);
        zkaccel_frontend_halo2::prove_with_stock_prover(
            &keys.params,
            &keys.pk,
            &circuit,
            &[&instance],
            ChaCha20Rng::seed_from_u64(round as u64),
            &mut transcript,
        )?;
        stock.push(start.elapsed().as_secs_f64());
        zkaccel_frontend_halo2::verify(srs, keys.pk.get_vk(), &[&instance], &transcript.finalize())?;
        println!(
            "round {round}: ours {:.2} s, ours with key cosets kept {:.2} s{}, create_proof with accelerated commitments {:.2} s",
            ours[round],
            kept[round],
            if round == 0 { " (keeping them)" } else { "" },
            stock[round]
        );
    }
    let (ours_median, stock_median) = (median(ours), median(stock));
    println!(
        "median: ours {ours_median:.2} s, create_proof with accelerated commitments {stock_median:.2} s: {:.2}x",
        stock_median / ours_median
    );
    if rounds > 1 {
        let kept_median = median(kept[1..].to_vec());
        println!(
            "key cosets kept ({:.0} MiB), rounds after the first: median {kept_median:.2} s: {:.2}x",
            keeping.key_cosets_bytes() as f64 / (1u64 << 20) as f64,
            stock_median / kept_median
        );
    }
    let names = zkaccel_frontend_halo2::StageTimes::default().named().map(|(name, _)| name);
    let stage_medians: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("{name} {:.2}", median(stages.iter().map(|s| s.named()[i].1.as_secs_f64()).collect())))
        .collect();
    println!("our stages (median s): {}", stage_medians.join(", "));
    Ok(())
}

//! Proves the dot-product example at `2^k` rows (default 14) with our prover
//! and prints each stage's time and the commitment MSMs:
//! `cargo run --release -p zkaccel-frontend-halo2 --example stages -- 16`.

use halo2_axiom::plonk::Circuit;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkaccel_frontend_halo2::examples::DotProductCircuit;
use zkaccel_frontend_halo2::{keygen, prove_with_stats, AcceleratedParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let k: u32 = std::env::args().nth(1).map_or(Ok(14), |a| a.parse())?;
    let accelerator = zkaccel::Accelerator::auto()?;
    let params = AcceleratedParams::new(ParamsKZG::setup(k, ChaCha20Rng::seed_from_u64(1)), &accelerator)?;
    let circuit = DotProductCircuit::filling(k, 1);
    let pk = keygen(&params, &circuit.without_witnesses())?;
    let public = circuit.public_inputs();
    let instance: Vec<&[_]> = public.iter().map(Vec::as_slice).collect();
    let cs = pk.get_vk().cs();
    println!(
        "2^{k} rows: {} advice, {} fixed, {} instance columns, {} lookups, {} permutation columns, degree {}",
        cs.num_advice_columns(),
        cs.num_fixed_columns(),
        cs.num_instance_columns(),
        cs.lookups().len(),
        cs.permutation().get_columns().len(),
        cs.degree()
    );
    for round in 0..3 {
        let (_, stats) = prove_with_stats(&params, &pk, &circuit, &instance, ChaCha20Rng::seed_from_u64(round))?;
        let stages: Vec<String> =
            stats.stages.named().iter().map(|(n, d)| format!("{n} {:.1}", d.as_secs_f64() * 1e3)).collect();
        println!(
            "total {:.1} ms; {} MSMs ({} points) {:.1} ms; stages ms: {}",
            stats.total_time.as_secs_f64() * 1e3,
            stats.commits.msm_calls,
            stats.commits.msm_points,
            stats.commits.msm_time.as_secs_f64() * 1e3,
            stages.join(", ")
        );
    }
    Ok(())
}

//! Whole Groth16 proofs: `ark_groth16::Groth16::prove` beside zkaccel's prover
//! on the same MiMC circuit and key (`cargo bench -p zkaccel-benches --bench
//! groth16`). `zkaccel bench --ops groth16` runs the same comparison
//! interleaved, with the stage breakdown; BENCHMARKS.md quotes that.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::time::Duration;

use ark_std::rand::rngs::StdRng;
use ark_std::rand::SeedableRng;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use zkaccel::Accelerator;
use zkaccel_benches::groth16::Groth16Setup;
use zkaccel_frontend_arkworks::AcceleratedProvingKey;

fn proofs(c: &mut Criterion) {
    let accelerator = Accelerator::auto().expect("ZKACCEL_BACKEND names an available backend");
    let mut group = c.benchmark_group("groth16-proof");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    for log_constraints in [16u32, 18] {
        let setup = Groth16Setup::new(log_constraints);
        let key = AcceleratedProvingKey::new(setup.pk.clone(), &accelerator).expect("key on the accelerator");
        let mut rng = StdRng::seed_from_u64(u64::from(log_constraints));
        assert!(setup.verifies(&setup.resident_proof(&key, &mut rng).0), "zkaccel proof rejected");
        group.bench_function(BenchmarkId::new("zkaccel", log_constraints), |b| {
            b.iter(|| setup.resident_proof(&key, &mut rng))
        });
        group
            .bench_function(BenchmarkId::new("ark-groth16", log_constraints), |b| b.iter(|| setup.ark_proof(&mut rng)));
    }
    group.finish();
}

criterion_group!(groth16, proofs);
criterion_main!(groth16);

//! Whole halo2 proofs: stock `create_proof` beside the same prover with its
//! commitment MSMs on the Accelerator (`cargo bench -p zkaccel-benches --bench
//! halo2`). `zkaccel bench --ops halo2` runs the same comparison interleaved
//! and also reports each prover's MSM share; BENCHMARKS.md quotes that.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkaccel::Accelerator;
use zkaccel_benches::halo2::{accelerated_params, Halo2Setup};

fn proofs(c: &mut Criterion) {
    let accelerator = Accelerator::auto().expect("ZKACCEL_BACKEND names an available backend");
    let mut group = c.benchmark_group("halo2-proof");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    for k in [14u32, 16] {
        let setup = Halo2Setup::new(k);
        let params = accelerated_params(&setup, &accelerator).expect("the SRS goes on the accelerator");
        let mut rng = ChaCha20Rng::seed_from_u64(u64::from(k));
        assert!(setup.verifies(&setup.accelerated_proof(&params, &mut rng).0), "zkaccel proof rejected");
        assert!(setup.verifies(&setup.stock_proof(&mut rng)), "stock proof rejected");
        group.bench_function(BenchmarkId::new("zkaccel", k), |b| b.iter(|| setup.accelerated_proof(&params, &mut rng)));
        group.bench_function(BenchmarkId::new("halo2-axiom", k), |b| b.iter(|| setup.stock_proof(&mut rng)));
    }
    group.finish();
}

criterion_group!(halo2, proofs);
criterion_main!(halo2);

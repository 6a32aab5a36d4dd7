//! The kernels through the Accelerator (whatever backend it routes to).
//! Peer implementations join these groups as they are added.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use zkaccel::{Accelerator, Fr, LookupKernels, Msm, Ntt, NttConfig};
use zkaccel_core::testing::{progression_points, random_scalars, rng};

fn msm(c: &mut Criterion) {
    let acc = Accelerator::auto().expect("ZKACCEL_BACKEND names a usable backend");
    let mut group = c.benchmark_group("msm");
    group.sample_size(10);
    for log_n in [12u32, 16] {
        let mut r = rng(log_n as u64);
        let (bases, _) = progression_points(1 << log_n, &mut r);
        let scalars = random_scalars(1 << log_n, &mut r);
        group.bench_with_input(
            BenchmarkId::new(acc.route(zkaccel::Operation::Msm, 1 << log_n), log_n),
            &log_n,
            |b, _| b.iter(|| acc.msm(&bases, &scalars).expect("valid input")),
        );
    }
    group.finish();
}

fn ntt(c: &mut Criterion) {
    let acc = Accelerator::auto().expect("ZKACCEL_BACKEND names a usable backend");
    let mut group = c.benchmark_group("ntt");
    group.sample_size(10);
    for log_n in [16u32, 20] {
        let data = random_scalars(1 << log_n, &mut rng(log_n as u64));
        group.bench_with_input(
            BenchmarkId::new(acc.route(zkaccel::Operation::Ntt, 1 << log_n), log_n),
            &log_n,
            |b, _| {
                b.iter_batched_ref(
                    || data.clone(),
                    |d| acc.ntt(d, NttConfig::forward()).expect("valid input"),
                    BatchSize::LargeInput,
                )
            },
        );
    }
    group.finish();
}

fn batch_inverse(c: &mut Criterion) {
    let acc = Accelerator::auto().expect("ZKACCEL_BACKEND names a usable backend");
    let data: Vec<Fr> = random_scalars(1 << 20, &mut rng(1));
    let mut group = c.benchmark_group("batch_inverse");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new(acc.route(zkaccel::Operation::BatchInverse, 1 << 20), 20), |b| {
        b.iter_batched_ref(|| data.clone(), |d| acc.batch_inverse(d).expect("no zeros"), BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group! {
    name = kernels;
    config = Criterion::default();
    targets = msm, ntt, batch_inverse
}
criterion_main!(kernels);

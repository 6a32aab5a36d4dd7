//! zkaccel's CPU kernels beside halo2curves and arkworks, as criterion
//! benches (`cargo bench -p zkaccel-benches`). `zkaccel bench` runs the same
//! comparisons interleaved in one process, which is what BENCHMARKS.md reports.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use zkaccel::{BatchInverse, CpuBackend, Fr, Msm, Ntt, NttConfig, TwoAdicField};
use zkaccel_benches::peers::{ark, h2c};
use zkaccel_core::testing::{progression_points, random_scalars, rng};

fn msm(c: &mut Criterion) {
    let cpu = CpuBackend::new();
    let mut group = c.benchmark_group("msm");
    group.sample_size(10);
    for log_n in [16u32, 18] {
        let mut r = rng(u64::from(log_n));
        let (bases, _) = progression_points(1 << log_n, &mut r);
        let scalars = random_scalars(1 << log_n, &mut r);
        let prepared = cpu.prepare_bases(&bases).expect("valid bases");
        let (hb, hs): (Vec<_>, Vec<_>) = bases.iter().zip(&scalars).map(|(b, s)| (h2c::point(b), h2c::fr(s))).unzip();
        let (ab, as_): (Vec<_>, Vec<_>) = bases.iter().zip(&scalars).map(|(b, s)| (ark::point(b), ark::fr(s))).unzip();
        group.bench_function(BenchmarkId::new("zkaccel", log_n), |b| b.iter(|| cpu.msm(&bases, &scalars)));
        group.bench_function(BenchmarkId::new("zkaccel-prepared", log_n), |b| {
            b.iter(|| cpu.msm_prepared(&prepared, &scalars))
        });
        group.bench_function(BenchmarkId::new("halo2curves", log_n), |b| b.iter(|| h2c::msm(&hb, &hs)));
        group.bench_function(BenchmarkId::new("arkworks", log_n), |b| b.iter(|| ark::msm(&ab, &as_)));
    }
    group.finish();
}

fn ntt(c: &mut Criterion) {
    let cpu = CpuBackend::new();
    let mut group = c.benchmark_group("ntt");
    group.sample_size(10);
    for log_n in [16u32, 20] {
        let data = random_scalars(1 << log_n, &mut rng(u64::from(log_n)));
        let omega = h2c::fr(&Fr::two_adic_generator(log_n).expect("within two-adicity"));
        let hd: Vec<_> = data.iter().map(h2c::fr).collect();
        let ad: Vec<_> = data.iter().map(ark::fr).collect();
        let domain = ark::domain(1 << log_n);
        group.bench_function(BenchmarkId::new("zkaccel", log_n), |b| {
            b.iter_batched_ref(|| data.clone(), |d| cpu.ntt(d, NttConfig::forward()), BatchSize::LargeInput)
        });
        group.bench_function(BenchmarkId::new("halo2curves", log_n), |b| {
            b.iter_batched_ref(|| hd.clone(), |d| h2c::fft(d, omega, log_n), BatchSize::LargeInput)
        });
        group.bench_function(BenchmarkId::new("arkworks", log_n), |b| {
            b.iter_batched_ref(|| ad.clone(), |d| ark::fft(&domain, d), BatchSize::LargeInput)
        });
    }
    group.finish();
}

fn batch_inverse(c: &mut Criterion) {
    let cpu = CpuBackend::new();
    let data = random_scalars(1 << 20, &mut rng(1));
    let ad: Vec<_> = data.iter().map(ark::fr).collect();
    let mut group = c.benchmark_group("batch_inverse");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("zkaccel", 20), |b| {
        b.iter_batched_ref(|| data.clone(), |d| cpu.batch_inverse(d), BatchSize::LargeInput)
    });
    group.bench_function(BenchmarkId::new("serial-montgomery", 20), |b| {
        b.iter_batched_ref(|| data.clone(), |d| zkaccel::field_ops::batch_inverse_nonzero(d), BatchSize::LargeInput)
    });
    group.bench_function(BenchmarkId::new("arkworks", 20), |b| {
        b.iter_batched_ref(|| ad.clone(), |d| ark::batch_inverse(d), BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group! {
    name = kernels;
    config = Criterion::default();
    targets = msm, ntt, batch_inverse
}
criterion_main!(kernels);

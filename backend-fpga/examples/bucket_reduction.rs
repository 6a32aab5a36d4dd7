//! Host-side cost of an FPGA MSM: the bucket reduction for the window sizes
//! an F1 bitstream would use, median of 5 runs, on this machine's cores.
//!
//! `cargo run --release -p zkaccel-backend-fpga --example bucket_reduction`

use std::time::Instant;

use zkaccel_backend_fpga::host;
use zkaccel_core::{reference, Bn254, Field, Fr};

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for c in [12u32, 13] {
        let count = host::bucket_count(c);
        let (points, _) = reference::progression_bases::<Bn254>(count, Fr::from_u64(3), Fr::from_u64(7));
        let words: Vec<u64> = points.iter().flat_map(|p| host::point_words(&p.to_projective())).collect();
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let start = Instant::now();
                let sum = host::reduce_buckets(&words, c).expect("valid buckets");
                std::hint::black_box(sum);
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("C = {c}: {count} buckets, reduction {:.1} ms (median of 5, {threads} threads)", times[2]);
    }
}

//! Shares of one job across backends of different speeds.

/// Shares of `total` units among `count` backends, where backend `k` takes
/// `cost(k, n)` seconds for `n` units (non-decreasing in `n`, zero for none),
/// that make the slowest finish as early as it can; with that time.
///
/// Bisects on the finishing time `T`: each backend can take the most units
/// it finishes by `T`, and `T` is feasible when together they take all.
pub(crate) fn balance(total: usize, count: usize, cost: impl Fn(usize, usize) -> f64) -> (Vec<usize>, f64) {
    if count == 0 {
        return (Vec::new(), f64::INFINITY);
    }
    // The most units backend `k` finishes within `t`.
    let most_within = |k: usize, t: f64| {
        let (mut lo, mut hi) = (0usize, total);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if cost(k, mid) <= t {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    };
    let single = (0..count).map(|k| cost(k, total)).fold(f64::INFINITY, f64::min);
    if !single.is_finite() {
        return (vec![0; count], f64::INFINITY);
    }
    let (mut lo, mut hi) = (0.0f64, single);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if (0..count).map(|k| most_within(k, mid)).sum::<usize>() >= total {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let mut shares: Vec<usize> = (0..count).map(|k| most_within(k, hi)).collect();
    // Hand back what is over, from the backends whose last units cost most.
    let mut over = shares.iter().sum::<usize>().saturating_sub(total);
    while over > 0 {
        let k =
            (0..count).filter(|&k| shares[k] > 0).max_by(|&a, &b| cost(a, shares[a]).total_cmp(&cost(b, shares[b])));
        let Some(k) = k else { break };
        let give = over.min(shares[k]);
        shares[k] -= give;
        over -= give;
    }
    let makespan = (0..count).map(|k| cost(k, shares[k])).fold(0.0, f64::max);
    (shares, makespan)
}

#[cfg(test)]
mod tests {
    use super::balance;

    #[test]
    fn shares_follow_throughput_and_cover_the_job() {
        // Linear costs of 1, 2 and 4 seconds per unit: shares 4:2:1.
        let per_unit = [1.0, 2.0, 4.0];
        let (shares, makespan) = balance(700, 3, |k, n| per_unit[k] * n as f64);
        assert_eq!(shares.iter().sum::<usize>(), 700);
        assert_eq!(shares, vec![400, 200, 100]);
        assert!((makespan - 400.0).abs() < 1e-6, "{makespan}");
    }

    #[test]
    fn a_fixed_cost_keeps_small_jobs_whole() {
        // Backend 1 is twice as fast per unit but costs 100 s to start.
        let cost = |k: usize, n: usize| match (k, n) {
            (_, 0) => 0.0,
            (0, n) => n as f64,
            (_, n) => 100.0 + 0.5 * n as f64,
        };
        let (shares, _) = balance(50, 2, cost);
        assert_eq!(shares, vec![50, 0]);
        let (shares, makespan) = balance(1000, 2, cost);
        assert_eq!(shares.iter().sum::<usize>(), 1000);
        assert!(shares[1] > shares[0], "{shares:?}");
        assert!(makespan < 600.0, "{makespan}");
    }

    #[test]
    fn a_failed_backend_takes_nothing() {
        let (shares, makespan) = balance(10, 2, |k, n| if k == 0 && n > 0 { f64::INFINITY } else { n as f64 });
        assert_eq!(shares, vec![0, 10]);
        assert_eq!(makespan, 10.0);
    }
}

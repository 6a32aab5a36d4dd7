//! Repeated scalars in an MSM: the points that share a scalar `s` are
//! summed first, and `s·(Σ Pᵢ)` enters the MSM as one point.
//!
//! Witness columns repeat values a great deal: a grand product stays
//! constant over the rows no constraint touches, a permuted lookup table
//! repeats its padding row, quantised activations and selector columns take
//! few distinct values. In the bucket method every copy of a value lands in
//! the same bucket of every window, and a batch takes one addition per
//! bucket, so the copies wait in the conflict queue and then overflow into
//! Jacobian additions; a full-width value repeated 30 000 times costs 20
//! windows × 30 000 slow additions. Summed first, it costs 30 000 batch-affine
//! additions once (a pairwise tree, every level one batch inversion).

use rayon::prelude::*;
use zkaccel_core::field_ops::batch_inverse_nonzero;
use zkaccel_core::{Affine, Field, PrimeField, SwCurve};

use crate::msm::{BucketSet, SignedScalar};

/// Scalars sampled to decide whether grouping pays.
const SAMPLE: usize = 1024;
/// Grouping runs when at least this share (1/`REPEATED_SHARE`) of the
/// sampled wide scalars equal another sampled one, or of all scalars equal
/// their neighbour. Grouping costs a
/// sort and about one batch addition per grouped point; a repeated value
/// saves at least that in every window it has.
const REPEATED_SHARE: usize = 8;
/// Only scalars longer than this are grouped: shorter ones take one or two
/// windows, where the bucket method already sums equal digits in one
/// bucket at about the cost of the grouping.
const MIN_GROUPED_BITS: u16 = 16;

/// Points per batch inversion in [`sum_groups`].
const INVERSION_CHUNK: usize = 1 << 10;

/// Per repeated magnitude: the sum of its points, and the magnitude.
pub(crate) type GroupSums<C> = (Vec<Affine<C>>, Vec<<C as SwCurve>::Scalar>);

type Repr<C> = <<C as SwCurve>::Scalar as PrimeField>::Repr;

/// If enough of `signed` (the signed forms of `scalars`) repeats, takes
/// every repeated value out of it (leaving zeros) and returns, per distinct
/// repeated magnitude `m`, the point `Σ ±Pᵢ` over the bases whose scalar is
/// `±m`, and `m`. `Σ sᵢ·Pᵢ` is then the MSM of what is left plus that of
/// the result.
pub(crate) fn take_repeats<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[C::Scalar],
    signed: &mut [SignedScalar<Repr<C>>],
) -> Option<GroupSums<C>> {
    if !repeats_likely(signed) {
        return None;
    }
    let mut keyed: Vec<(u64, u32)> = signed
        .par_iter()
        .enumerate()
        .filter(|(_, s)| s.bits > MIN_GROUPED_BITS)
        .map(|(i, s)| (fingerprint(s.magnitude.as_ref()), i as u32))
        .collect();
    keyed.par_sort_unstable();
    let zero = SignedScalar { magnitude: C::Scalar::ZERO.to_canonical(), negative: false, bits: 0 };
    let mut members: Vec<(u32, Affine<C>)> = Vec::new();
    let mut magnitudes: Vec<C::Scalar> = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let end = start + keyed[start..].iter().take_while(|(key, _)| *key == keyed[start].0).count();
        let run = &mut keyed[start..end];
        if run.len() > 1 {
            // Equal fingerprints, almost always equal values: order the run
            // by the full magnitude so that collisions form separate groups.
            if run
                .iter()
                .any(|&(_, i)| signed[i as usize].magnitude.as_ref() != signed[run[0].1 as usize].magnitude.as_ref())
            {
                run.sort_unstable_by(|a, b| {
                    let (x, y) = (signed[a.1 as usize].magnitude, signed[b.1 as usize].magnitude);
                    x.as_ref().iter().rev().cmp(y.as_ref().iter().rev())
                });
            }
            let mut group_start = 0;
            while group_start < run.len() {
                let first = run[group_start].1 as usize;
                let value = signed[first];
                let group_len = run[group_start..]
                    .iter()
                    .take_while(|&&(_, i)| signed[i as usize].magnitude.as_ref() == value.magnitude.as_ref())
                    .count();
                if group_len > 1 {
                    let id = magnitudes.len() as u32;
                    for &(_, i) in &run[group_start..group_start + group_len] {
                        let (s, p) = (&mut signed[i as usize], bases[i as usize]);
                        if !p.is_identity() {
                            members.push((id, if s.negative { p.neg() } else { p }));
                        }
                        *s = zero;
                    }
                    magnitudes.push(if value.negative { -scalars[first] } else { scalars[first] });
                }
                group_start += group_len;
            }
        }
        start = end;
    }
    if magnitudes.is_empty() {
        return None;
    }
    Some((sum_groups(members, magnitudes.len()), magnitudes))
}

/// Whether enough of `signed`'s values of more than [`MIN_GROUPED_BITS`]
/// bits repeat: in a spread sample (values repeated all over the column),
/// or next to each other (short runs, which a sample misses: a grand
/// product stays constant over pairs and triples of rows).
fn repeats_likely<R: AsRef<[u64]> + Sync>(signed: &[SignedScalar<R>]) -> bool {
    let n = signed.len();
    let wide = |s: &&SignedScalar<R>| s.bits > MIN_GROUPED_BITS;
    let adjacent =
        signed.par_windows(2).filter(|w| wide(&&w[0]) && w[0].magnitude.as_ref() == w[1].magnitude.as_ref()).count();
    if adjacent * REPEATED_SHARE >= n {
        return true;
    }
    let mut keys: Vec<u64> = if n <= SAMPLE {
        signed.iter().filter(wide).map(|s| fingerprint(s.magnitude.as_ref())).collect()
    } else {
        // A multiplicative stride visits positions spread over the whole
        // column, so runs and periodic patterns are both seen.
        (0..SAMPLE as u64)
            .map(|k| &signed[(k.wrapping_mul(0x9e37_79b9_7f4a_7c15) % n as u64) as usize])
            .filter(wide)
            .map(|s| fingerprint(s.magnitude.as_ref()))
            .collect()
    };
    keys.sort_unstable();
    let repeated = keys.windows(2).filter(|w| w[0] == w[1]).count();
    keys.len() >= 2 && repeated * REPEATED_SHARE >= keys.len()
}

/// A 64-bit mix of the limbs; equal values have equal fingerprints.
fn fingerprint(limbs: &[u64]) -> u64 {
    limbs.iter().fold(0u64, |acc, &l| (acc ^ l).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29))
}

/// The sum of each group's points, given `(group, point)` pairs sorted by
/// group; groups without points sum to the identity.
///
/// Pairwise: each level adds neighbouring points of the same group as one
/// batch of affine additions ([`add_pairs`]) until every group has one point.
pub(crate) fn sum_groups<C: SwCurve>(mut level: Vec<(u32, Affine<C>)>, groups: usize) -> Vec<Affine<C>> {
    level.retain(|(_, p)| !p.is_identity());
    loop {
        // Element i pairs with i + 1 when both are in one group.
        let mut pair_starts = Vec::with_capacity(level.len() / 2);
        let mut i = 0;
        while i + 1 < level.len() {
            if level[i].0 == level[i + 1].0 {
                pair_starts.push(i);
                i += 2;
            } else {
                i += 1;
            }
        }
        if pair_starts.is_empty() {
            break;
        }
        let mut left: Vec<Affine<C>> = pair_starts.iter().map(|&i| level[i].1).collect();
        let right: Vec<Affine<C>> = pair_starts.iter().map(|&i| level[i + 1].1).collect();
        add_pairs(&mut left, &right);
        let mut next = Vec::with_capacity(level.len() - pair_starts.len());
        let (mut i, mut pairs) = (0, pair_starts.iter().zip(left).peekable());
        while i < level.len() {
            match pairs.peek() {
                Some(&(&start, sum)) if start == i => {
                    // A sum that cancelled to the identity drops out.
                    if !sum.is_identity() {
                        next.push((level[i].0, sum));
                    }
                    pairs.next();
                    i += 2;
                }
                _ => {
                    next.push(level[i]);
                    i += 1;
                }
            }
        }
        level = next;
    }
    let mut sums = vec![Affine::IDENTITY; groups];
    for (group, point) in level {
        sums[group as usize] = point;
    }
    sums
}

/// `left[k] += right[k]`, no operand the identity ([`sum_groups`] keeps
/// none), in parallel chunks of one batch inversion each (on IFMA, eight
/// additions at a time); the slope arithmetic is the bucket set's.
fn add_pairs<C: SwCurve>(left: &mut [Affine<C>], right: &[Affine<C>]) {
    left.par_chunks_mut(INVERSION_CHUNK).zip(right.par_chunks(INVERSION_CHUNK)).for_each(|(left, right)| {
        #[cfg(target_arch = "x86_64")]
        {
            let batch: Vec<crate::msm_ifma::PendingAdd<'_, C>> =
                right.iter().enumerate().map(|(k, p)| (k as u32, p, false)).collect();
            if crate::msm_ifma::try_add_batch(left, &batch, &mut Default::default()) {
                return;
            }
        }
        let mut inverses: Vec<C::Base> =
            left.iter().zip(right).map(|(p, q)| BucketSet::<'_, C>::denominator(p, q.x, q.y)).collect();
        batch_inverse_nonzero(&mut inverses);
        for ((p, q), inverse) in left.iter_mut().zip(right).zip(inverses) {
            *p = BucketSet::<'_, C>::add_with_inverse(p, q.x, q.y, inverse);
        }
    });
}

#[cfg(test)]
mod tests {
    use zkaccel_core::testing::{random_points, rng};
    use zkaccel_core::{G1Affine, Projective};

    use super::*;

    /// Group sums against Jacobian sums, with doublings, cancellations,
    /// identities and empty groups.
    #[test]
    fn sum_groups_matches_jacobian_sums() {
        let pts = random_points(40, &mut rng(11));
        let (p, q) = (pts[0], pts[1]);
        let groups: Vec<Vec<G1Affine>> = vec![
            pts[2..39].to_vec(),
            vec![p, p],
            vec![p, p.neg()],
            vec![p, p, p, p.neg(), q],
            vec![G1Affine::IDENTITY, q, G1Affine::IDENTITY],
            vec![],
            vec![q],
            vec![p; 33],
        ];
        let level: Vec<(u32, G1Affine)> =
            groups.iter().enumerate().flat_map(|(g, points)| points.iter().map(move |&p| (g as u32, p))).collect();
        let sums = sum_groups(level, groups.len());
        for (g, points) in groups.iter().enumerate() {
            let expected = points.iter().fold(Projective::IDENTITY, |acc, p| acc.add_affine(p));
            assert_eq!(sums[g].to_projective(), expected, "group {g}");
        }
    }
}

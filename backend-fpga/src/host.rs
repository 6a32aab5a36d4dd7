//! The host's half of an FPGA MSM: the buffers `krnl_msm` reads (bases,
//! scalars) and the bucket reduction of what it writes.
//!
//! Layout (256-bit little-endian beats, as `hdl/rtl/krnl_msm.v` documents):
//! a base is two beats (x, y in Montgomery form, the limbs zkaccel-core
//! stores), a scalar one beat (canonical), a bucket three beats (X, Y, Z
//! homogeneous projective, Montgomery form), window-major.

use rayon::prelude::*;
use zkaccel_core::{Bn254, Field, Fq, Fr, G1Affine, G1Projective, PrimeField, SwCurve};

/// `u64` words per packed base.
pub const BASE_WORDS: usize = 8;
/// `u64` words per packed scalar.
pub const SCALAR_WORDS: usize = 4;
/// `u64` words per bucket.
pub const BUCKET_WORDS: usize = 12;

/// Windows of `window_bits` bits covering 256-bit digit words (the kernel's
/// signed-digit recoding needs `windows × C ≥ 256`).
pub fn window_count(window_bits: u32) -> usize {
    256usize.div_ceil(window_bits as usize)
}

/// Buckets the kernel writes: `2^(C−1)` per window.
pub fn bucket_count(window_bits: u32) -> usize {
    window_count(window_bits) << (window_bits - 1)
}

/// Packs bases for the kernel; the identity (which has no affine
/// coordinates) becomes the generator, and its scalar must be zeroed
/// ([`pack_scalars`] does this from the returned mask).
pub fn pack_bases(bases: &[G1Affine]) -> (Vec<u64>, Vec<bool>) {
    let mut words = Vec::with_capacity(bases.len() * BASE_WORDS);
    let mut identity = Vec::with_capacity(bases.len());
    for base in bases {
        let is_identity = base.is_identity();
        let p = if is_identity { Bn254::GENERATOR } else { *base };
        identity.push(is_identity);
        words.extend_from_slice(&p.x.montgomery_limbs());
        words.extend_from_slice(&p.y.montgomery_limbs());
    }
    (words, identity)
}

/// Canonical scalar limbs, zero where the base is the identity.
pub fn pack_scalars(scalars: &[Fr], identity: &[bool]) -> Vec<u64> {
    let mut words = Vec::with_capacity(scalars.len() * SCALAR_WORDS);
    for (s, &is_identity) in scalars.iter().zip(identity) {
        words.extend_from_slice(&if is_identity { [0; 4] } else { s.to_canonical() });
    }
    words
}

/// A bucket as a Jacobian point: homogeneous `(X : Y : Z)` is Jacobian
/// `(X·Z, Y·Z², Z)`; `Z = 0` is the identity either way.
pub fn bucket_point(words: &[u64]) -> Option<G1Projective> {
    let coord = |i: usize| Fq::from_montgomery_limbs(words[4 * i..4 * i + 4].try_into().ok()?);
    let (x, y, z) = (coord(0)?, coord(1)?, coord(2)?);
    if z.is_zero() {
        return Some(G1Projective::IDENTITY);
    }
    Some(G1Projective::new_unchecked(x * z, y * z.square(), z))
}

/// A point in the kernel's bucket layout, the inverse of [`bucket_point`]:
/// Jacobian `(X/Z², Y/Z³)` is homogeneous `(X·Z : Y : Z³)`, the identity `(0 : 1 : 0)`.
pub fn point_words(p: &G1Projective) -> [u64; BUCKET_WORDS] {
    let (x, y, z) = if p.is_identity() { (Fq::ZERO, Fq::ONE, Fq::ZERO) } else { (p.x * p.z, p.y, p.z * p.z.square()) };
    let mut words = [0u64; BUCKET_WORDS];
    for (chunk, f) in words.chunks_exact_mut(4).zip([x, y, z]) {
        chunk.copy_from_slice(&f.montgomery_limbs());
    }
    words
}

/// `Σ_w 2^(wC) Σ_b b·bucket[w][b]`: per window (in parallel) the running-sum
/// trick, two additions per bucket; then the windows by Horner's rule.
/// `None` when a bucket holds an unreduced coordinate (the device returned
/// garbage) or the bucket count is not the window size's.
pub fn reduce_buckets(buckets: &[u64], window_bits: u32) -> Option<G1Projective> {
    let per_window = 1usize << (window_bits - 1);
    if buckets.len() != bucket_count(window_bits) * BUCKET_WORDS {
        return None;
    }
    let window_sums: Vec<Option<G1Projective>> = buckets
        .par_chunks_exact(per_window * BUCKET_WORDS)
        .map(|window| {
            let (mut running, mut sum) = (G1Projective::IDENTITY, G1Projective::IDENTITY);
            for bucket in window.chunks_exact(BUCKET_WORDS).rev() {
                running = running.add(&bucket_point(bucket)?);
                sum = sum.add(&running);
            }
            Some(sum)
        })
        .collect();
    let mut result = G1Projective::IDENTITY;
    for sum in window_sums.into_iter().rev() {
        for _ in 0..window_bits {
            result = result.double();
        }
        result = result.add(&sum?);
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkaccel_core::testing;

    /// The reduction inverts a bucket fill done in software the kernel's way.
    #[test]
    fn reduction_of_software_buckets_is_the_msm() {
        let mut rng = testing::rng(1);
        let bases = testing::random_points(50, &mut rng);
        let mut scalars = testing::random_scalars(50, &mut rng);
        scalars[3] = Fr::ZERO;
        scalars[4] = -Fr::ONE;
        for c in [4u32, 7, 10] {
            let windows = window_count(c);
            let per = 1usize << (c - 1);
            let mut buckets = vec![G1Projective::IDENTITY; windows * per];
            for (p, s) in bases.iter().zip(&scalars) {
                let digits = signed_digits(&s.to_canonical(), c);
                for (w, d) in digits.into_iter().enumerate() {
                    if d != 0 {
                        let term = if d > 0 { p.to_projective() } else { p.neg().to_projective() };
                        let slot = &mut buckets[w * per + d.unsigned_abs() as usize - 1];
                        *slot = slot.add(&term);
                    }
                }
            }
            let words: Vec<u64> = buckets.iter().flat_map(point_words).collect();
            let expected = zkaccel_core::reference::msm(&bases, &scalars);
            assert_eq!(reduce_buckets(&words, c).unwrap(), expected, "C = {c}");
        }
    }

    /// The kernel's recoding: digits of k + Σ 2^(C−1)·2^(iC), minus 2^(C−1).
    fn signed_digits(k: &[u64; 4], c: u32) -> Vec<i64> {
        let windows = window_count(c);
        let mut bits: Vec<u8> = (0..256).map(|i| ((k[i / 64] >> (i % 64)) & 1) as u8).collect();
        bits.resize(windows * c as usize + 1, 0);
        for w in 0..windows {
            // Add 2^(C-1) at bit wC + C - 1, rippling the carry.
            let mut i = w * c as usize + c as usize - 1;
            while bits[i] == 1 {
                bits[i] = 0;
                i += 1;
            }
            bits[i] = 1;
        }
        (0..windows)
            .map(|w| {
                let f: i64 = (0..c as usize).map(|b| (bits[w * c as usize + b] as i64) << b).sum();
                f - (1 << (c - 1))
            })
            .collect()
    }

    #[test]
    fn point_words_and_bucket_point_are_inverse() {
        let mut rng = testing::rng(2);
        let p = testing::random_points(1, &mut rng)[0].to_projective().double();
        for q in [p, G1Projective::IDENTITY, p.neg()] {
            assert_eq!(bucket_point(&point_words(&q)).unwrap(), q);
        }
    }

    #[test]
    fn identity_bases_get_zero_scalars() {
        let g = Bn254::GENERATOR;
        let (words, identity) = pack_bases(&[g, G1Affine::IDENTITY]);
        assert_eq!(identity, [false, true]);
        assert_eq!(words.len(), 2 * BASE_WORDS);
        assert_eq!(pack_scalars(&[Fr::ONE, Fr::ONE], &identity)[4..], [0; 4]);
    }
}

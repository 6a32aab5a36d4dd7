//! Pippenger's bucket method, parallel over windows and over batched MSMs.

use std::sync::Arc;

use rayon::prelude::*;
use zkaccel_core::{validate, Affine, Backend, Msm, PreparedBases, PrimeField, Projective, Result, SwCurve};

use crate::CpuBackend;

impl<C: SwCurve> Msm<C> for CpuBackend {
    fn msm_batch(&self, bases: &[Affine<C>], scalars: &[&[C::Scalar]]) -> Result<Vec<Projective<C>>> {
        validate::points(bases)?;
        validate::msm_scalars(bases.len(), scalars)?;
        Ok(scalars.par_iter().map(|s| pippenger(bases, s)).collect())
    }

    fn prepare_bases(&self, bases: &[Affine<C>]) -> Result<PreparedBases<C>> {
        validate::points(bases)?;
        Ok(PreparedBases::new(self.name(), Arc::from(bases), Box::new(())))
    }

    /// Accepts handles from any backend: their host bases were validated when
    /// they were prepared, which is what lets the `Accelerator` redo a failed
    /// device MSM here.
    fn msm_prepared_batch(&self, bases: &PreparedBases<C>, scalars: &[&[C::Scalar]]) -> Result<Vec<Projective<C>>> {
        validate::msm_prepared_scalars(bases.len(), scalars)?;
        let host = bases.host_bases();
        Ok(scalars.par_iter().map(|s| pippenger(&host[..s.len()], s)).collect())
    }
}

/// Window width minimising `(bits / c)·(n + 2^c)` roughly: about `0.69·log2 n + 2`.
fn window_bits(n: usize) -> usize {
    if n < 32 {
        3
    } else {
        let log2 = usize::BITS - n.leading_zeros();
        (log2 as usize * 69 / 100 + 2).min(20)
    }
}

/// `c` bits of the little-endian `limbs` starting at bit `offset`.
#[inline]
fn window_digit(limbs: &[u64], offset: usize, c: usize) -> usize {
    let (limb, shift) = (offset / 64, offset % 64);
    let mut bits = limbs[limb] >> shift;
    if shift + c > 64 && limb + 1 < limbs.len() {
        bits |= limbs[limb + 1] << (64 - shift);
    }
    (bits & ((1u64 << c) - 1)) as usize
}

/// `Σ sᵢ·Pᵢ` with unsigned `c`-bit windows; bases must be valid and as many as scalars.
pub(crate) fn pippenger<C: SwCurve>(bases: &[Affine<C>], scalars: &[C::Scalar]) -> Projective<C> {
    debug_assert_eq!(bases.len(), scalars.len());
    if bases.is_empty() {
        return Projective::IDENTITY;
    }
    let canonical: Vec<<C::Scalar as PrimeField>::Repr> = scalars.par_iter().map(|s| s.to_canonical()).collect();
    let c = window_bits(bases.len());
    let bits = C::Scalar::NUM_BITS as usize;
    let windows: Vec<Projective<C>> = (0..bits.div_ceil(c))
        .into_par_iter()
        .map(|w| {
            let mut buckets = vec![Projective::<C>::IDENTITY; (1 << c) - 1];
            for (base, s) in bases.iter().zip(&canonical) {
                let digit = window_digit(s.as_ref(), w * c, c);
                if digit != 0 {
                    buckets[digit - 1] = buckets[digit - 1].add_affine(base);
                }
            }
            // Σ d·B_d as a running sum from the top bucket down.
            let mut running = Projective::IDENTITY;
            let mut total = Projective::IDENTITY;
            for b in buckets.iter().rev() {
                running = running.add(b);
                total = total.add(&running);
            }
            total
        })
        .collect();
    windows.iter().rev().fold(Projective::IDENTITY, |acc, w| {
        let mut acc = acc;
        for _ in 0..c {
            acc = acc.double();
        }
        acc.add(w)
    })
}

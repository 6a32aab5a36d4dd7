//! Naive reference algorithms: short, obviously correct, slow. The
//! conformance suite and `zkaccel selftest` check backends against them.

use std::collections::HashMap;

use crate::backend::PermutedLookup;
use crate::curve::{Affine, Projective, SwCurve};
use crate::error::{Error, Result};
use crate::field::{Field, PrimeField, TwoAdicField};

/// `Σ sᵢ·Pᵢ` by one double-and-add per term.
pub fn msm<C: SwCurve>(bases: &[Affine<C>], scalars: &[C::Scalar]) -> Projective<C> {
    bases.iter().zip(scalars).fold(Projective::IDENTITY, |acc, (p, s)| acc.add(&p.mul(s)))
}

/// Bases `Pᵢ = (α + i·δ)·G` and their discrete logs `α + i·δ`: cheap to make
/// for large `n` (one addition each), and an MSM over them collapses to one
/// scalar multiplication, `Σ sᵢ·Pᵢ = (Σ sᵢ(α + iδ))·G` (see [`msm_by_logs`]).
pub fn progression_bases<C: SwCurve>(n: usize, alpha: C::Scalar, delta: C::Scalar) -> (Vec<Affine<C>>, Vec<C::Scalar>) {
    let g = C::GENERATOR;
    let step = g.mul(&delta);
    let mut point = g.mul(&alpha);
    let mut log = alpha;
    let mut points = Vec::with_capacity(n);
    let mut logs = Vec::with_capacity(n);
    for _ in 0..n {
        points.push(point);
        logs.push(log);
        point = point.add(&step);
        log += delta;
    }
    (crate::curve::batch_to_affine(&points), logs)
}

/// `(Σ sᵢ·logᵢ)·G`: the MSM over bases whose discrete logs are known.
pub fn msm_by_logs<C: SwCurve>(logs: &[C::Scalar], scalars: &[C::Scalar]) -> Projective<C> {
    let k = logs.iter().zip(scalars).fold(C::Scalar::ZERO, |acc, (&l, &s)| acc + l * s);
    C::GENERATOR.mul(&k)
}

/// The DFT by definition, `O(n²)`: forward `out[i] = Σ_j a_j (shift·ωⁱ)^j`;
/// inverse solves the same system.
pub fn dft<F: TwoAdicField>(values: &[F], inverse: bool, shift: Option<F>) -> Result<Vec<F>> {
    let n = values.len();
    crate::validate::ntt_shape::<F>(n, n)?;
    crate::validate::coset_shift(shift)?;
    let omega = F::two_adic_generator(n.trailing_zeros()).ok_or(Error::SizeTooLarge { size: n, max: 0 })?;
    let shift = shift.unwrap_or(F::ONE);
    if !inverse {
        return Ok((0..n)
            .map(|i| {
                let x = shift * omega.pow(&[i as u64]);
                // Horner's rule.
                values.iter().rev().fold(F::ZERO, |acc, &a| acc * x + a)
            })
            .collect());
    }
    // a_j = shift^{-j} / n · Σ_i v_i ω^{-ij}; ω and n are non-zero.
    let omega_inv = omega.inverse().unwrap_or(F::ZERO);
    let n_inv = F::from_u64(n as u64).inverse().unwrap_or(F::ZERO);
    let shift_inv = shift.inverse().ok_or(Error::NotInvertible { index: 0 })?;
    Ok((0..n)
        .map(|j| {
            let w = omega_inv.pow(&[j as u64]);
            let sum = values.iter().rev().fold(F::ZERO, |acc, &v| acc * w + v);
            sum * n_inv * shift_inv.pow(&[j as u64])
        })
        .collect())
}

/// For each table row, the number of inputs equal to it (first row of equal
/// values gets the count).
pub fn multiplicities<F: PrimeField>(table: &[F], inputs: &[&[F]]) -> Result<Vec<u64>> {
    let mut counts = vec![0u64; table.len()];
    for (column, input) in inputs.iter().enumerate() {
        for (row, x) in input.iter().enumerate() {
            let i = table.iter().position(|t| t == x).ok_or(Error::NotInTable { column, row })?;
            counts[i] += 1;
        }
    }
    Ok(counts)
}

/// Each element inverted on its own.
pub fn batch_inverse<F: Field>(values: &[F]) -> Result<Vec<F>> {
    values.iter().enumerate().map(|(index, v)| v.inverse().ok_or(Error::NotInvertible { index })).collect()
}

/// `[1, v0, v0·v1, …]`.
pub fn prefix_product<F: Field>(values: &[F]) -> Vec<F> {
    let mut out = Vec::with_capacity(values.len() + 1);
    let mut acc = F::ONE;
    out.push(acc);
    for &v in values {
        acc *= v;
        out.push(acc);
    }
    out
}

/// Checks that `(A', S')` is a valid halo2 permuted lookup of `input` in `table`:
/// `A'` is a permutation of `input`, `S'` of `table`, `A'[0] = S'[0]` and
/// every `i > 0` has `A'[i] = S'[i]` or `A'[i] = A'[i − 1]`.
pub fn check_permuted_lookup<F: PrimeField>(input: &[F], table: &[F], permuted: &PermutedLookup<F>) -> bool {
    let is_permutation = |a: &[F], b: &[F]| {
        let mut count: HashMap<F, i64> = HashMap::new();
        for x in a {
            *count.entry(*x).or_default() += 1;
        }
        for x in b {
            *count.entry(*x).or_default() -= 1;
        }
        a.len() == b.len() && count.values().all(|&c| c == 0)
    };
    let (a, s) = (&permuted.input, &permuted.table);
    is_permutation(input, a)
        && is_permutation(table, s)
        && (a.is_empty() || a[0] == s[0])
        && (1..a.len()).all(|i| a[i] == s[i] || a[i] == a[i - 1])
}

//! halo2's evaluation domain, with every transform on the Accelerator.
//!
//! halo2 works on `H = ⟨ω⟩` of size `n = 2^k` and on the extended coset
//! `ζ·H'` with `H' = ⟨ω'⟩` of size `n·m` (`m = 2^(extended_k − k)`), where ζ
//! is the field's cube root of unity. `ζ·H'` is the union of the `m` cosets
//! `ζ·ω'^p·H`: the quotient is evaluated one such *part* at a time (size-`n`
//! coset transforms, `n`-sized buffers), and point `p + i·m` of the extended
//! coset is point `i` of part `p` because `ω'^m = ω`.

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::{Field, WithSmallOrderMulGroup};
use halo2_axiom::poly::{EvaluationDomain, Rotation};
use rayon::prelude::*;
use zkaccel::{Accelerator, Ntt, NttConfig};

use crate::convert::scalars_from_halo2_mut;

/// The shape of one proving key's domain and the Accelerator that transforms on it.
pub(crate) struct Domain<'a> {
    accelerator: &'a Accelerator,
    /// `n = 2^k`, the rows.
    pub n: usize,
    /// Parts of the extended coset (`m`).
    pub parts: usize,
    /// Pieces of the quotient polynomial, each of `n` coefficients.
    pub quotient_pieces: usize,
    /// ω, generator of `H`.
    pub omega: Fr,
    omega_inv: Fr,
    extended_omega: Fr,
}

impl<'a> Domain<'a> {
    pub fn new(accelerator: &'a Accelerator, domain: &EvaluationDomain<Fr>) -> Self {
        let k = domain.k();
        let omega = domain.get_omega();
        Self {
            accelerator,
            n: 1 << k,
            parts: 1 << (domain.extended_k() - k),
            quotient_pieces: domain.get_quotient_poly_degree(),
            omega,
            omega_inv: domain.get_omega_inv(),
            extended_omega: domain.get_extended_omega(),
        }
    }

    /// Evaluations on `H` to coefficients, for every `n`-long column of `columns`.
    pub fn to_coefficients(&self, columns: &mut [Fr]) -> Result<(), zkaccel::Error> {
        if columns.is_empty() {
            return Ok(());
        }
        self.accelerator.ntt_batch(scalars_from_halo2_mut(columns), self.n, NttConfig::inverse())
    }

    /// The coset shift of part `p`: `ζ·ω'^p`.
    pub fn part_shift(&self, part: usize) -> Fr {
        Fr::ZETA * self.extended_omega.pow_vartime([part as u64])
    }

    /// Coefficients to evaluations on part `p` of the extended coset, for
    /// every `n`-long column of `columns`.
    pub fn to_part(&self, columns: &mut [Fr], part: usize) -> Result<(), zkaccel::Error> {
        if columns.is_empty() {
            return Ok(());
        }
        let shift = crate::convert::scalar_from_halo2(self.part_shift(part));
        self.accelerator.ntt_batch(scalars_from_halo2_mut(columns), self.n, NttConfig::forward().on_coset(shift))
    }

    /// `1 / Z_H` on part `p`: `X^n − 1` is the constant `(ζ·ω'^p)^n − 1` there.
    pub fn vanishing_inverse_on_part(&self, part: usize) -> Fr {
        let value = self.part_shift(part).pow_vartime([self.n as u64]) - Fr::ONE;
        // ζ^n ≠ 1 and ω'^(pn) is an m-th root of unity, so the value is never zero.
        value.invert().unwrap_or(Fr::ZERO)
    }

    /// The coefficients of the polynomial whose evaluations on the parts are
    /// `parts` (one `n`-long vector per part), truncated to the quotient's
    /// `quotient_pieces·n` coefficients.
    pub fn parts_to_coefficients(&self, parts: &[Vec<Fr>]) -> Result<Vec<Fr>, zkaccel::Error> {
        let m = self.parts;
        let mut extended = vec![Fr::ZERO; self.n * m];
        extended.par_chunks_mut(m).enumerate().for_each(|(i, row)| {
            for (p, value) in row.iter_mut().enumerate() {
                *value = parts[p][i];
            }
        });
        let shift = crate::convert::scalar_from_halo2(Fr::ZETA);
        self.accelerator.ntt_batch(
            scalars_from_halo2_mut(&mut extended),
            self.n * m,
            NttConfig::inverse().on_coset(shift),
        )?;
        extended.truncate(self.n * self.quotient_pieces);
        Ok(extended)
    }

    /// `x·ω^rotation`.
    pub fn rotate(&self, x: Fr, rotation: Rotation) -> Fr {
        let step = if rotation.0 >= 0 { self.omega } else { self.omega_inv };
        x * step.pow_vartime([rotation.0.unsigned_abs() as u64])
    }
}

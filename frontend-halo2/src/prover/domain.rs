//! halo2's evaluation domain, with every transform on the Accelerator.
//!
//! halo2 works on `H = ⟨ω⟩` of size `n = 2^k` and on the extended coset
//! `ζ·H'` with `H' = ⟨ω'⟩` of size `n·m` (`m = 2^(extended_k − k)`), where ζ
//! is the field's cube root of unity. `ζ·H'` is the union of the `m` cosets
//! `ζ·ω'^p·H`, the *parts*.
//!
//! The quotient `h = N / Z_H` of a degree-`d` constraint system has fewer
//! than `q·n` coefficients (`q = d − 1`, its pieces), so `q` parts determine
//! it, and stock's `m` is the next power of two (`m = 4` for `q = 3`: a
//! quarter of the extended work is redundant). We evaluate on parts
//! `0..q` only. On part `p` (shift `s_p`, `t_p = s_p^n`), the coset inverse
//! transform of `h`'s values gives, for each `r < n`,
//! `a_p[r] = Σ_{j<q} h[r + j·n]·t_p^j`: one `q × q` Vandermonde system in the
//! `t_p` (distinct: `ω'^n` is a primitive `m`-th root of unity), the same
//! for every `r`, solved once.

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
    /// Parts of the extended coset the quotient is evaluated on: as many as
    /// its pieces (`q`), each of `n` coefficients.
    pub parts: usize,
    /// ω, generator of `H`.
    pub omega: Fr,
    omega_inv: Fr,
    extended_omega: Fr,
    /// The inverse of the parts' Vandermonde matrix `V[p][j] = t_p^j`, row-major.
    vandermonde_inverse: Vec<Fr>,
}

impl<'a> Domain<'a> {
    pub fn new(accelerator: &'a Accelerator, domain: &EvaluationDomain<Fr>) -> Self {
        let k = domain.k();
        let n = 1usize << k;
        let parts = domain.get_quotient_poly_degree().max(1);
        let extended_omega = domain.get_extended_omega();
        let t: Vec<Fr> =
            (0..parts).map(|p| (Fr::ZETA * extended_omega.pow_vartime([p as u64])).pow_vartime([n as u64])).collect();
        Self {
            accelerator,
            n,
            parts,
            omega: domain.get_omega(),
            omega_inv: domain.get_omega_inv(),
            extended_omega,
            vandermonde_inverse: vandermonde_inverse(&t),
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

    /// The quotient's values on the parts (part `p` at `p·n`) to its `q·n`
    /// coefficients, in place.
    pub fn parts_to_coefficients(&self, quotient: &mut [Fr]) -> Result<(), zkaccel::Error> {
        /// Rows mixed per task.
        const BLOCK: usize = 1 << 12;
        let (n, q) = (self.n, self.parts);
        if quotient.len() != q * n {
            return Err(zkaccel::Error::InvalidShape { reason: format!("the quotient needs {q} parts of {n} values") });
        }
        for (p, values) in quotient.chunks_exact_mut(n).enumerate() {
            let shift = crate::convert::scalar_from_halo2(self.part_shift(p));
            self.accelerator.ntt(scalars_from_halo2_mut(values), NttConfig::inverse().on_coset(shift))?;
        }
        // h[r + j·n] = Σ_p V⁻¹[j][p]·a_p[r]: row r of every part in, row r of
        // every piece out, block by block.
        let mut blocks: Vec<Vec<&mut [Fr]>> = Vec::new();
        for part in quotient.chunks_exact_mut(n) {
            for (b, chunk) in part.chunks_mut(BLOCK).enumerate() {
                if b == blocks.len() {
                    blocks.push(Vec::with_capacity(q));
                }
                blocks[b].push(chunk);
            }
        }
        blocks.into_par_iter().for_each(|mut rows| {
            let mut a = vec![Fr::ZERO; q];
            for i in 0..rows[0].len() {
                a.iter_mut().zip(rows.iter()).for_each(|(a, part)| *a = part[i]);
                for (j, piece) in rows.iter_mut().enumerate() {
                    piece[i] = self.vandermonde_inverse[j * q..(j + 1) * q].iter().zip(&a).map(|(v, a)| *v * a).sum();
                }
            }
        });
        Ok(())
    }

    /// `x·ω^rotation`.
    pub fn rotate(&self, x: Fr, rotation: Rotation) -> Fr {
        let step = if rotation.0 >= 0 { self.omega } else { self.omega_inv };
        x * step.pow_vartime([rotation.0.unsigned_abs() as u64])
    }
}

/// The inverse of the Vandermonde matrix `V[p][j] = t_p^j` of distinct
/// points, row-major, by Gauss–Jordan elimination (`t` is a handful long).
fn vandermonde_inverse(t: &[Fr]) -> Vec<Fr> {
    let q = t.len();
    // [V | I], reduced to [I | V⁻¹].
    let mut rows: Vec<Vec<Fr>> = t
        .iter()
        .enumerate()
        .map(|(p, &tp)| {
            let mut row: Vec<Fr> = std::iter::successors(Some(Fr::ONE), |x| Some(*x * tp)).take(q).collect();
            row.extend((0..q).map(|c| if c == p { Fr::ONE } else { Fr::ZERO }));
            row
        })
        .collect();
    for col in 0..q {
        // Distinct points make V invertible: every column has a nonzero pivot.
        let pivot = (col..q).find(|&r| !bool::from(rows[r][col].is_zero())).unwrap_or(col);
        rows.swap(col, pivot);
        let inverse = rows[col][col].invert().unwrap_or(Fr::ZERO);
        rows[col].iter_mut().for_each(|x| *x *= inverse);
        let pivot_row = rows[col].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != col {
                let factor = row[col];
                row.iter_mut().zip(&pivot_row).for_each(|(x, p)| *x -= factor * p);
            }
        }
    }
    rows.into_iter().flat_map(|row| row.into_iter().skip(q)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_axiom::arithmetic::eval_polynomial;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn vandermonde_inverse_inverts() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for q in 1..6 {
            let t: Vec<Fr> = (0..q).map(|_| Fr::random(&mut rng)).collect();
            let inverse = vandermonde_inverse(&t);
            for (p, &tp) in t.iter().enumerate() {
                let row: Vec<Fr> = std::iter::successors(Some(Fr::ONE), |x| Some(*x * tp)).take(q).collect();
                for c in 0..q {
                    let product: Fr = (0..q).map(|j| row[j] * inverse[j * q + c]).sum();
                    assert_eq!(product, if c == p { Fr::ONE } else { Fr::ZERO }, "q {q}");
                }
            }
        }
    }

    /// A polynomial of `q·n` coefficients comes back from its values on `q`
    /// parts, for every degree whose quotient has fewer parts than stock's
    /// extended domain and for those with as many.
    #[test]
    fn quotient_pieces_parts_determine_the_polynomial() {
        let accelerator = zkaccel::Accelerator::cpu_only();
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        for degree in [3u32, 4, 5, 6, 9] {
            let domain = EvaluationDomain::<Fr>::new(degree, 6);
            let d = Domain::new(&accelerator, &domain);
            let (n, q) = (d.n, d.parts);
            assert_eq!(q, degree as usize - 1);
            let h: Vec<Fr> = (0..q * n).map(|_| Fr::random(&mut rng)).collect();
            let parts: Vec<Vec<Fr>> = (0..q)
                .map(|p| {
                    let mut point = d.part_shift(p);
                    (0..n)
                        .map(|_| {
                            let value = eval_polynomial(&h, point);
                            point *= d.omega;
                            value
                        })
                        .collect()
                })
                .collect();
            let mut values: Vec<Fr> = parts.concat();
            d.parts_to_coefficients(&mut values).expect("interpolates");
            assert_eq!(values, h, "degree {degree}");
            assert!(d.parts_to_coefficients(&mut vec![Fr::ZERO; (q + 1) * n]).is_err());
        }
    }
}

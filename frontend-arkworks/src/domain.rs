//! NTTs on the Accelerator in arkworks' evaluation order.
//!
//! arkworks' `Radix2EvaluationDomain` of size `n` evaluates at `ωⁱ` for its
//! own primitive root `ω` (from BN254's generator 5); zkaccel at `ω'ʲ` for
//! its root (from 7). Both generate the same group, so `ω = ω'^m` for an odd
//! `m`, and arkworks' `i`-th evaluation is zkaccel's `(m·i mod n)`-th. An
//! [`ArkDomain`] finds `m` once (a discrete log in a group of order `2^k`,
//! `k` steps) and permutes, so its transforms equal arkworks' element for
//! element.

use ark_bn254::Fr as ArkFr;
use ark_ff::FftField;
use rayon::prelude::*;
use zkaccel::{Accelerator, Error, Field, Fr, Ntt, NttConfig, TwoAdicField};

use crate::convert::{scalar_from_ark, scalars_from_ark, scalars_from_ark_mut};

/// A power-of-two evaluation domain with arkworks' ordering, transformed on
/// an Accelerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArkDomain {
    log_n: u32,
    /// arkworks' root is zkaccel's root to this (odd) power.
    multiplier: usize,
}

impl ArkDomain {
    /// The smallest domain with at least `size` points (as
    /// `Radix2EvaluationDomain::new`), or an error beyond 2^28.
    pub fn new(size: usize) -> Result<Self, Error> {
        let n = size.max(1).next_power_of_two();
        let log_n = n.trailing_zeros();
        let ours = Fr::two_adic_generator(log_n).ok_or(Error::SizeTooLarge { size: n, max: 1 << Fr::TWO_ADICITY })?;
        let theirs = scalar_from_ark(
            ArkFr::get_root_of_unity(n as u64).ok_or(Error::SizeTooLarge { size: n, max: 1 << Fr::TWO_ADICITY })?,
        );
        Ok(Self { log_n, multiplier: discrete_log_2adic(theirs, ours, log_n) })
    }

    /// Number of points.
    pub fn size(&self) -> usize {
        1 << self.log_n
    }

    /// arkworks' position `i` is zkaccel's position `(m·i) mod n`.
    fn position(&self, i: usize) -> usize {
        i.wrapping_mul(self.multiplier) & (self.size() - 1)
    }

    /// Evaluations in arkworks' order from evaluations in zkaccel's.
    fn permute_into_ark_order(&self, ours: &[Fr], out: &mut [ArkFr]) {
        let out = scalars_from_ark_mut(out);
        out.par_iter_mut().enumerate().for_each(|(i, x)| *x = ours[self.position(i)]);
    }

    /// Evaluations in zkaccel's order from evaluations in arkworks' order.
    pub(crate) fn permute_from_ark_order(&self, theirs: &[Fr]) -> Vec<Fr> {
        let mut ours = vec![Fr::ZERO; self.size()];
        // The map is a bijection; gather through its inverse instead of scattering.
        let inverse = self.inverse_multiplier();
        ours.par_iter_mut().enumerate().for_each(|(j, x)| *x = theirs[j.wrapping_mul(inverse) & (self.size() - 1)]);
        ours
    }

    /// `m⁻¹ mod n` (m is odd).
    fn inverse_multiplier(&self) -> usize {
        // Newton's iteration for the inverse modulo a power of two.
        let m = self.multiplier;
        let mut inv = m;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2usize.wrapping_sub(m.wrapping_mul(inv)));
        }
        inv & (self.size() - 1)
    }

    fn check_len(&self, data: &mut Vec<ArkFr>) -> Result<(), Error> {
        if data.len() > self.size() {
            return Err(Error::LengthMismatch {
                what: "values for the domain",
                expected: self.size(),
                actual: data.len(),
            });
        }
        data.resize(self.size(), ArkFr::from(0u64));
        Ok(())
    }

    /// `Radix2EvaluationDomain::fft_in_place`: coefficients to evaluations at
    /// `ωⁱ` (shorter input is zero-padded).
    pub fn fft_in_place(&self, acc: &Accelerator, data: &mut Vec<ArkFr>) -> Result<(), Error> {
        self.forward(acc, data, None)
    }

    /// `Radix2EvaluationDomain::ifft_in_place`: evaluations at `ωⁱ` to coefficients.
    pub fn ifft_in_place(&self, acc: &Accelerator, data: &mut Vec<ArkFr>) -> Result<(), Error> {
        self.inverse(acc, data, None)
    }

    /// `get_coset(offset)` then `fft_in_place`: evaluations at `offset·ωⁱ`.
    pub fn coset_fft_in_place(&self, acc: &Accelerator, data: &mut Vec<ArkFr>, offset: ArkFr) -> Result<(), Error> {
        self.forward(acc, data, Some(scalar_from_ark(offset)))
    }

    /// `get_coset(offset)` then `ifft_in_place`.
    pub fn coset_ifft_in_place(&self, acc: &Accelerator, data: &mut Vec<ArkFr>, offset: ArkFr) -> Result<(), Error> {
        self.inverse(acc, data, Some(scalar_from_ark(offset)))
    }

    fn forward(&self, acc: &Accelerator, data: &mut Vec<ArkFr>, shift: Option<Fr>) -> Result<(), Error> {
        self.check_len(data)?;
        let mut ours = scalars_from_ark(data).to_vec();
        let config = NttConfig::forward();
        acc.ntt(&mut ours, shift.map_or(config, |s| config.on_coset(s)))?;
        self.permute_into_ark_order(&ours, data);
        Ok(())
    }

    fn inverse(&self, acc: &Accelerator, data: &mut Vec<ArkFr>, shift: Option<Fr>) -> Result<(), Error> {
        self.check_len(data)?;
        let mut ours = self.permute_from_ark_order(scalars_from_ark(data));
        let config = NttConfig::inverse();
        acc.ntt(&mut ours, shift.map_or(config, |s| config.on_coset(s)))?;
        scalars_from_ark_mut(data).copy_from_slice(&ours);
        Ok(())
    }
}

/// The `m` with `target = base^m`, both of order `2^k`.
fn discrete_log_2adic(target: Fr, base: Fr, k: u32) -> usize {
    // Fix bits of m from the lowest: after bits 0..j, target·base^(−m) has
    // order dividing 2^(k−j); its 2^(k−j−1)-th power is 1 iff bit j is 0.
    let base_inv = base.inverse().expect("a root of unity is invertible");
    let mut m = 0usize;
    let mut rest = target;
    let mut base_pow_inv = base_inv; // base^(−2^j)
    for j in 0..k {
        let mut probe = rest;
        for _ in 0..(k - j - 1) {
            probe = probe.square();
        }
        if probe != Fr::ONE {
            m |= 1 << j;
            rest *= base_pow_inv;
        }
        base_pow_inv = base_pow_inv.square();
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    use ark_std::rand::SeedableRng;

    type Transform = fn(&ArkDomain, &Accelerator, &mut Vec<ArkFr>, ArkFr);

    #[test]
    fn transforms_equal_arkworks_element_for_element() {
        let acc = Accelerator::cpu_only();
        let mut rng = ark_std::rand::rngs::StdRng::seed_from_u64(3);
        for log_n in [0u32, 1, 2, 5, 10, 13] {
            let n = 1usize << log_n;
            let domain = ArkDomain::new(n).unwrap();
            let theirs = Radix2EvaluationDomain::<ArkFr>::new(n).unwrap();
            assert_eq!(domain.size(), theirs.size());
            let input: Vec<ArkFr> = (0..n).map(|_| ArkFr::rand(&mut rng)).collect();
            let offset = ArkFr::from(5u64);
            let coset = theirs.get_coset(offset).unwrap();
            let cases: [(&str, Transform); 4] = [
                ("fft", |d, a, v, _| d.fft_in_place(a, v).unwrap()),
                ("ifft", |d, a, v, _| d.ifft_in_place(a, v).unwrap()),
                ("coset fft", |d, a, v, o| d.coset_fft_in_place(a, v, o).unwrap()),
                ("coset ifft", |d, a, v, o| d.coset_ifft_in_place(a, v, o).unwrap()),
            ];
            for (i, (name, ours_fn)) in cases.iter().enumerate() {
                let mut ours = input.clone();
                ours_fn(&domain, &acc, &mut ours, offset);
                let mut expected = input.clone();
                match i {
                    0 => theirs.fft_in_place(&mut expected),
                    1 => theirs.ifft_in_place(&mut expected),
                    2 => coset.fft_in_place(&mut expected),
                    _ => coset.ifft_in_place(&mut expected),
                }
                assert_eq!(ours, expected, "{name} of size 2^{log_n}");
            }
        }
        // A shorter input is padded; a longer one is an error.
        let domain = ArkDomain::new(8).unwrap();
        let mut short = vec![ArkFr::from(1u64); 3];
        domain.fft_in_place(&acc, &mut short).unwrap();
        assert_eq!(short.len(), 8);
        let mut long = vec![ArkFr::from(1u64); 9];
        assert!(domain.fft_in_place(&acc, &mut long).is_err());
        assert_eq!(long.len(), 9);
        assert_eq!(ArkDomain::new(5).unwrap().size(), 8);
        assert!(ArkDomain::new((1 << 28) + 1).is_err());
    }
}

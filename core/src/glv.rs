//! The GLV endomorphism: on curves with `j = 0` over a prime field with a
//! cube root of unity `β`, `φ(x, y) = (β·x, y)` is multiplication by a cube
//! root of unity `λ` mod `r`. Writing `k = k₁ + k₂·λ (mod r)` with
//! `|k₁|, |k₂| ≈ √r` turns one MSM over `n` points with full-width scalars
//! into one over `2n` points (`P` and `φ(P)`) with half-width scalars.

use crate::curve::{Affine, SwCurve};
use crate::field::{Field, PrimeField};

/// The endomorphism and the short lattice basis `(a₁, b₁)`, `(a₂, b₂)` of
/// `{(a, b) : a + b·λ ≡ 0 (mod r)}` that decomposes scalars.
pub struct GlvParams<C: SwCurve> {
    /// `φ(x, y) = (beta·x, y) = λ·(x, y)`.
    pub beta: C::Base,
    /// `a₁` (non-negative).
    pub a1: C::Scalar,
    /// `−b₁` (b₁ is negative for BN254).
    pub minus_b1: C::Scalar,
    /// `a₂` (non-negative).
    pub a2: C::Scalar,
    /// `b₂` (non-negative).
    pub b2: C::Scalar,
    /// `⌊2^256·b₂/r⌋`, little-endian: `c₁ = ⌊k·g1 / 2^256⌋ ≈ k·b₂/r`.
    pub g1: [u64; 3],
    /// `⌊−2^256·b₁/r⌋`: `c₂ ≈ −k·b₁/r`.
    pub g2: [u64; 3],
}

impl<C: SwCurve> GlvParams<C> {
    /// `φ(P) = (β·x, y)`; the identity stays the identity.
    #[inline]
    pub fn endomorphism(&self, p: &Affine<C>) -> Affine<C> {
        if p.is_identity() {
            return *p;
        }
        Affine::new_unchecked(p.x * self.beta, p.y)
    }

    /// `(k₁, k₂)` with `k ≡ k₁ + k₂·λ (mod r)`, each of about half the bits
    /// of `r` in absolute value (as field elements: small or `r − small`).
    ///
    /// The identity holds for every `k` by construction; the rounding in
    /// `c₁`, `c₂` only affects how short the halves are.
    pub fn decompose(&self, k: &C::Scalar) -> (C::Scalar, C::Scalar) {
        let limbs = k.to_canonical();
        let c1 = scalar_from_u128::<C::Scalar>(mul_shift_256(limbs.as_ref(), &self.g1));
        let c2 = scalar_from_u128::<C::Scalar>(mul_shift_256(limbs.as_ref(), &self.g2));
        let k1 = *k - c1 * self.a1 - c2 * self.a2;
        let k2 = c1 * self.minus_b1 - c2 * self.b2;
        (k1, k2)
    }
}

fn scalar_from_u128<F: Field>(v: u128) -> F {
    let shift = F::from_u64(1 << 32).square();
    F::from_u64((v >> 64) as u64) * shift + F::from_u64(v as u64)
}

/// `⌊k·g / 2^256⌋` for `k < 2^256` and a result below `2^128`.
fn mul_shift_256(k: &[u64], g: &[u64; 3]) -> u128 {
    let mut product = [0u64; 8];
    for (i, &ki) in k.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &gj) in g.iter().enumerate() {
            let t = u128::from(ki) * u128::from(gj) + u128::from(product[i + j]) + carry;
            product[i + j] = t as u64;
            carry = t >> 64;
        }
        let mut idx = i + g.len();
        while carry != 0 && idx < product.len() {
            let t = u128::from(product[idx]) + carry;
            product[idx] = t as u64;
            carry = t >> 64;
            idx += 1;
        }
    }
    u128::from(product[4]) | (u128::from(product[5]) << 64)
}

#[cfg(test)]
mod tests {
    use crate::bn254::{Bn254, Fr};
    use crate::curve::SwCurve;
    use crate::field::{Field, PrimeField};
    use crate::testing::{random_scalars, rng};

    #[test]
    fn bn254_endomorphism_is_multiplication_by_lambda_and_halves_decompose() {
        let glv = Bn254::GLV.as_ref().expect("BN254 G1 has GLV parameters");
        let g = Bn254::GENERATOR;
        // λ is the scalar with λ·G = φ(G); λ³ = 1.
        let lambda = Fr::from_canonical([0x8b17ea66b99c90dd, 0x5bfc41088d8daaa7, 0xb3c4d79d41a91758, 0]).unwrap();
        assert_eq!(lambda.square() * lambda, Fr::ONE);
        assert_eq!(g.mul(&lambda).to_affine(), glv.endomorphism(&g));
        assert!(glv.endomorphism(&g).validate().is_ok());
        let mut scalars = random_scalars(2000, &mut rng(9));
        scalars.extend([Fr::ZERO, Fr::ONE, -Fr::ONE, lambda, -lambda]);
        for k in &scalars {
            let (k1, k2) = glv.decompose(k);
            assert_eq!(k1 + k2 * lambda, *k);
            for half in [k1, k2] {
                // A short half is `m` or `r − m` with `m < 2^128`.
                let short = |x: Fr| x.to_canonical()[2] == 0 && x.to_canonical()[3] == 0;
                assert!(short(half) || short(-half), "a half of {k:?} is not short");
            }
        }
    }
}

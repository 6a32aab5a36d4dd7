//! `Fq2 = Fq[u]/(u² + 1)`, the field BN254's G2 coordinates live in.

use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::bn254::Fq;
use crate::field::{CurveField, Field, PrimeField};

/// `c0 + c1·u` with `u² = −1`. `#[repr(C)]`: two `Fq`s, as arkworks' and
/// halo2curves' `Fq2` store them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct Fq2 {
    /// The real part.
    pub c0: Fq,
    /// The coefficient of `u`.
    pub c1: Fq,
}

impl Fq2 {
    /// `c0 + c1·u`.
    pub const fn new(c0: Fq, c1: Fq) -> Self {
        Self { c0, c1 }
    }

    /// `1/(a + bu) = (a − bu)/(a² + b²)`, the norm inverted by `invert`.
    fn inverse_with(&self, invert: impl Fn(&Fq) -> Option<Fq>) -> Option<Self> {
        let norm_inv = invert(&(self.c0.square() + self.c1.square()))?;
        Some(Self::new(self.c0 * norm_inv, -(self.c1 * norm_inv)))
    }
}

impl Add for Fq2 {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Self::new(self.c0 + rhs.c0, self.c1 + rhs.c1)
    }
}

impl Sub for Fq2 {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        Self::new(self.c0 - rhs.c0, self.c1 - rhs.c1)
    }
}

impl Mul for Fq2 {
    type Output = Self;
    /// Karatsuba: three `Fq` products.
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        let v0 = self.c0 * rhs.c0;
        let v1 = self.c1 * rhs.c1;
        let cross = (self.c0 + self.c1) * (rhs.c0 + rhs.c1);
        Self::new(v0 - v1, cross - v0 - v1)
    }
}

impl Neg for Fq2 {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::new(-self.c0, -self.c1)
    }
}

impl AddAssign for Fq2 {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl SubAssign for Fq2 {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl MulAssign for Fq2 {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl Field for Fq2 {
    const ZERO: Self = Self::new(Fq::ZERO, Fq::ZERO);
    const ONE: Self = Self::new(Fq::ONE, Fq::ZERO);

    #[inline]
    fn double(&self) -> Self {
        Self::new(self.c0.double(), self.c1.double())
    }

    /// `(a + bu)² = (a + b)(a − b) + 2ab·u`: two products.
    #[inline]
    fn square(&self) -> Self {
        let ab = self.c0 * self.c1;
        Self::new((self.c0 + self.c1) * (self.c0 - self.c1), ab.double())
    }

    fn inverse(&self) -> Option<Self> {
        self.inverse_with(Fq::inverse)
    }

    fn inverse_vartime(&self) -> Option<Self> {
        self.inverse_with(Fq::inverse_vartime)
    }

    #[inline]
    fn is_zero(&self) -> bool {
        self.c0.is_zero() && self.c1.is_zero()
    }

    fn from_u64(n: u64) -> Self {
        Self::new(Fq::from_u64(n), Fq::ZERO)
    }
}

impl CurveField for Fq2 {
    fn is_canonical(&self) -> bool {
        self.c0.is_reduced() && self.c1.is_reduced()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rng;

    fn random(rng: &mut impl rand_core::RngCore) -> Fq2 {
        Fq2::new(Fq::random(rng), Fq::random(rng))
    }

    #[test]
    fn field_laws() {
        let mut rng = rng(1);
        let u = Fq2::new(Fq::ZERO, Fq::ONE);
        assert_eq!(u * u, -Fq2::ONE, "u² = −1");
        for _ in 0..200 {
            let (a, b, c) = (random(&mut rng), random(&mut rng), random(&mut rng));
            assert_eq!(a * (b + c), a * b + a * c);
            assert_eq!((a * b) * c, a * (b * c));
            assert_eq!(a * b, b * a);
            assert_eq!(a.square(), a * a);
            assert_eq!(a.double(), a + a);
            assert_eq!(a - a, Fq2::ZERO);
            if !a.is_zero() {
                assert_eq!(a * a.inverse().unwrap(), Fq2::ONE);
                assert_eq!(a.inverse_vartime(), a.inverse());
            }
            // Against the schoolbook product with u² = −1.
            let expected = Fq2::new(a.c0 * b.c0 - a.c1 * b.c1, a.c0 * b.c1 + a.c1 * b.c0);
            assert_eq!(a * b, expected);
        }
        assert_eq!(Fq2::ZERO.inverse(), None);
        assert_eq!(Fq2::ZERO.inverse_vartime(), None);
        assert!(Fq2::from_u64(5).is_canonical());
    }
}

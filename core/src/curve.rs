//! Short Weierstrass curves `y² = x³ + b` (the `a = 0` family: BN254,
//! BLS12-381, Grumpkin) in affine and Jacobian coordinates.

use core::fmt;
use core::marker::PhantomData;

use crate::field::{CurveField, Field, PrimeField, TwoAdicField};

/// A curve `y² = x³ + b` over `Base` whose prime-order group has scalar field `Scalar`.
pub trait SwCurve: 'static + Send + Sync + Sized {
    /// The field of coordinates.
    type Base: CurveField;
    /// The field of scalars (the group order).
    type Scalar: TwoAdicField;
    /// The coefficient `b`.
    const COEFF_B: Self::Base;
    /// The conventional generator.
    const GENERATOR: Affine<Self>;
    /// A short name for diagnostics and capability reports.
    const NAME: &'static str;
    /// The GLV endomorphism, for curves that have one and whose MSMs use it.
    const GLV: Option<crate::glv::GlvParams<Self>> = None;
}

/// Why a point was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointError {
    /// A coordinate's representation is not below the base-field modulus.
    CoordinateNotReduced,
    /// The coordinates do not satisfy the curve equation.
    NotOnCurve,
}

impl fmt::Display for PointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CoordinateNotReduced => "a coordinate is not reduced modulo the base-field prime",
            Self::NotOnCurve => "the point does not satisfy the curve equation",
        })
    }
}

/// An affine point.
///
/// The identity is encoded as `(0, 0)`, which is never on a curve with
/// `b ≠ 0`; this is halo2curves' encoding. ark-ec instead carries an
/// `infinity` flag, so its adapters convert the identity explicitly.
#[repr(C)]
pub struct Affine<C: SwCurve> {
    /// The x coordinate.
    pub x: C::Base,
    /// The y coordinate.
    pub y: C::Base,
    _curve: PhantomData<C>,
}

/// A point in Jacobian coordinates: `(X, Y, Z)` is `(X/Z², Y/Z³)`; `Z = 0` is
/// the identity.
#[repr(C)]
pub struct Projective<C: SwCurve> {
    /// X.
    pub x: C::Base,
    /// Y.
    pub y: C::Base,
    /// Z.
    pub z: C::Base,
    _curve: PhantomData<C>,
}

macro_rules! impl_plain_data {
    ($ty:ident { $($field:ident),* }) => {
        impl<C: SwCurve> Clone for $ty<C> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<C: SwCurve> Copy for $ty<C> {}
        impl<C: SwCurve> fmt::Debug for $ty<C> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty))$(.field(stringify!($field), &self.$field))*.finish()
            }
        }
    };
}
impl_plain_data!(Affine { x, y });
impl_plain_data!(Projective { x, y, z });

impl<C: SwCurve> Affine<C> {
    /// The identity, `(0, 0)`.
    pub const IDENTITY: Self = Self::new_unchecked(C::Base::ZERO, C::Base::ZERO);

    /// A point from coordinates, without any check.
    pub const fn new_unchecked(x: C::Base, y: C::Base) -> Self {
        Self { x, y, _curve: PhantomData }
    }

    /// A point from coordinates, checked to be the identity or on the curve.
    pub fn new(x: C::Base, y: C::Base) -> Result<Self, PointError> {
        let p = Self::new_unchecked(x, y);
        p.validate().map(|()| p)
    }

    /// Whether this is the identity encoding `(0, 0)`.
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.x.is_zero() && self.y.is_zero()
    }

    /// Checks that coordinates are reduced and the point is on the curve (or the identity).
    pub fn validate(&self) -> Result<(), PointError> {
        if !self.x.is_canonical() || !self.y.is_canonical() {
            return Err(PointError::CoordinateNotReduced);
        }
        if self.is_identity() || self.y.square() == self.x.square() * self.x + C::COEFF_B {
            Ok(())
        } else {
            Err(PointError::NotOnCurve)
        }
    }

    /// The point in Jacobian coordinates.
    #[inline]
    pub fn to_projective(&self) -> Projective<C> {
        if self.is_identity() {
            Projective::IDENTITY
        } else {
            Projective::new_unchecked(self.x, self.y, C::Base::ONE)
        }
    }

    /// The negated point.
    pub fn neg(&self) -> Self {
        if self.is_identity() {
            *self
        } else {
            Self::new_unchecked(self.x, -self.y)
        }
    }

    /// `k·self` by double-and-add over the canonical bits of `k`.
    ///
    /// Simple and independent of the MSM code, so it serves as a reference.
    pub fn mul(&self, k: &C::Scalar) -> Projective<C> {
        let mut acc = Projective::IDENTITY;
        for limb in k.to_canonical().as_ref().iter().rev() {
            for bit in (0..64).rev() {
                acc = acc.double();
                if (limb >> bit) & 1 == 1 {
                    acc = acc.add_affine(self);
                }
            }
        }
        acc
    }
}

impl<C: SwCurve> PartialEq for Affine<C> {
    fn eq(&self, other: &Self) -> bool {
        self.x == other.x && self.y == other.y
    }
}
impl<C: SwCurve> Eq for Affine<C> {}

impl<C: SwCurve> Default for Affine<C> {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl<C: SwCurve> Projective<C> {
    /// The identity, `Z = 0`.
    pub const IDENTITY: Self = Self::new_unchecked(C::Base::ONE, C::Base::ONE, C::Base::ZERO);

    /// A point from Jacobian coordinates, without any check.
    pub const fn new_unchecked(x: C::Base, y: C::Base, z: C::Base) -> Self {
        Self { x, y, z, _curve: PhantomData }
    }

    /// Whether this is the identity.
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    /// Whether `(X/Z², Y/Z³)` satisfies the curve equation (the identity counts).
    pub fn is_on_curve(&self) -> bool {
        if self.is_identity() {
            return true;
        }
        // Y² = X³ + b·Z⁶
        let z2 = self.z.square();
        let z6 = z2.square() * z2;
        self.y.square() == self.x.square() * self.x + C::COEFF_B * z6
    }

    /// `2·self` (dbl-2009-l, for `a = 0`).
    #[inline]
    pub fn double(&self) -> Self {
        if self.is_identity() || self.y.is_zero() {
            return Self::IDENTITY;
        }
        let a = self.x.square();
        let b = self.y.square();
        let c = b.square();
        let d = ((self.x + b).square() - a - c).double();
        let e = a.double() + a;
        let f = e.square();
        let x3 = f - d.double();
        let c8 = c.double().double().double();
        let y3 = e * (d - x3) - c8;
        let z3 = (self.y * self.z).double();
        Self::new_unchecked(x3, y3, z3)
    }

    /// `self + other` for a Jacobian `other` (add-2007-bl), handling the
    /// identity, `P + P` and `P + (−P)`.
    #[inline]
    pub fn add(&self, other: &Self) -> Self {
        if self.is_identity() {
            return *other;
        }
        if other.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = other.z.square();
        let u1 = self.x * z2z2;
        let u2 = other.x * z1z1;
        let s1 = self.y * other.z * z2z2;
        let s2 = other.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if h.is_zero() {
            return if r.is_zero() { self.double() } else { Self::IDENTITY };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + other.z).square() - z1z1 - z2z2) * h;
        Self::new_unchecked(x3, y3, z3)
    }

    /// `self + other` for an affine `other` (madd-2007-bl), handling the
    /// identity, `P + P` and `P + (−P)`.
    #[inline]
    pub fn add_affine(&self, other: &Affine<C>) -> Self {
        if other.is_identity() {
            return *self;
        }
        if self.is_identity() {
            return other.to_projective();
        }
        let z1z1 = self.z.square();
        let u2 = other.x * z1z1;
        let s2 = other.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if h.is_zero() {
            return if r.is_zero() { other.to_projective().double() } else { Self::IDENTITY };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (self.y * j).double();
        let z3 = (self.z + h).square() - z1z1 - hh;
        Self::new_unchecked(x3, y3, z3)
    }

    /// The negated point.
    #[inline]
    pub fn neg(&self) -> Self {
        Self::new_unchecked(self.x, -self.y, self.z)
    }

    /// `self − other`.
    pub fn sub(&self, other: &Self) -> Self {
        self.add(&other.neg())
    }

    /// The affine point (one field inversion; use [`batch_to_affine`] for many).
    pub fn to_affine(&self) -> Affine<C> {
        match self.z.inverse() {
            None => Affine::IDENTITY,
            Some(zinv) => {
                let zinv2 = zinv.square();
                Affine::new_unchecked(self.x * zinv2, self.y * zinv2 * zinv)
            }
        }
    }
}

/// Equality of the represented points, not of coordinates.
impl<C: SwCurve> PartialEq for Projective<C> {
    fn eq(&self, other: &Self) -> bool {
        match (self.is_identity(), other.is_identity()) {
            (true, true) => true,
            (false, false) => {
                let z1z1 = self.z.square();
                let z2z2 = other.z.square();
                self.x * z2z2 == other.x * z1z1 && self.y * z2z2 * other.z == other.y * z1z1 * self.z
            }
            _ => false,
        }
    }
}
impl<C: SwCurve> Eq for Projective<C> {}

impl<C: SwCurve> Default for Projective<C> {
    fn default() -> Self {
        Self::IDENTITY
    }
}

/// Converts many points to affine with a single field inversion (Montgomery's trick).
pub fn batch_to_affine<C: SwCurve>(points: &[Projective<C>]) -> Vec<Affine<C>> {
    let mut zs: Vec<C::Base> = points.iter().map(|p| p.z).collect();
    crate::field_ops::batch_inverse_skip_zeros(&mut zs);
    points
        .iter()
        .zip(zs)
        .map(|(p, zinv)| {
            if p.is_identity() {
                Affine::IDENTITY
            } else {
                let zinv2 = zinv.square();
                Affine::new_unchecked(p.x * zinv2, p.y * zinv2 * zinv)
            }
        })
        .collect()
}

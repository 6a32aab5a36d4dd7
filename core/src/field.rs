//! Prime fields of up to 256 bits in Montgomery form (R = 2^256).
//!
//! [`Fp`] stores four little-endian `u64` limbs holding `a·R mod p`, the layout
//! ark-ff, halo2curves and halo2curves-axiom use for BN254, so adapters can
//! reinterpret slices instead of converting them. Every Montgomery constant is
//! derived from the modulus by `const fn`s, so a new field needs its modulus,
//! a multiplicative generator and nothing else.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use rand_core::RngCore;

/// Arithmetic every prime field of zkaccel provides.
pub trait Field:
    Copy
    + Send
    + Sync
    + fmt::Debug
    + Eq
    + Hash
    + Default
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;

    /// `self + self`.
    fn double(&self) -> Self;
    /// `self · self`.
    fn square(&self) -> Self;
    /// The multiplicative inverse, `None` for zero.
    fn inverse(&self) -> Option<Self>;
    /// Whether this is the additive identity.
    fn is_zero(&self) -> bool;
    /// The element `n mod p`.
    fn from_u64(n: u64) -> Self;
    /// `−self` if `negate`, else `self`. Implementations may avoid the branch,
    /// which matters where `negate` is random (signed MSM digits).
    #[inline(always)]
    fn neg_if(&self, negate: bool) -> Self {
        if negate {
            -*self
        } else {
            *self
        }
    }
    /// The inverse by a method whose running time depends on the value
    /// (binary extended Euclid for [`Fp`]), for values that are public or
    /// whose surrounding code already branches on them, such as MSM buckets.
    /// The default is [`Field::inverse`].
    fn inverse_vartime(&self) -> Option<Self> {
        self.inverse()
    }
    /// `self^exp`, the exponent as little-endian limbs.
    fn pow(&self, exp: &[u64]) -> Self {
        let mut acc = Self::ONE;
        for limb in exp.iter().rev() {
            for bit in (0..64).rev() {
                acc = acc.square();
                if (limb >> bit) & 1 == 1 {
                    acc *= *self;
                }
            }
        }
        acc
    }
}

/// A prime field whose elements have a canonical integer representative.
pub trait PrimeField: Field + Ord {
    /// The canonical representative as little-endian limbs.
    type Repr: AsRef<[u64]> + Copy + fmt::Debug + Eq + Send + Sync;
    /// The modulus as little-endian limbs.
    const MODULUS: Self::Repr;
    /// Bit length of the modulus.
    const NUM_BITS: u32;

    /// The canonical integer representative of `self` (out of Montgomery form).
    fn to_canonical(&self) -> Self::Repr;
    /// The element with canonical representative `repr`, `None` unless `repr < p`.
    fn from_canonical(repr: Self::Repr) -> Option<Self>;
    /// Whether the stored representation is reduced, i.e. below the modulus.
    ///
    /// Values made through the checked constructors always are; this catches
    /// values built with `_unchecked` constructors or reinterpreted memory.
    fn is_reduced(&self) -> bool;
    /// A uniformly random element.
    fn random(rng: &mut impl RngCore) -> Self;
}

/// A field curve coordinates live in: a prime field, or an extension of one
/// (BN254's G2 lives over `Fq2`).
pub trait CurveField: Field {
    /// Whether every component's representation is reduced (see
    /// [`PrimeField::is_reduced`]).
    fn is_canonical(&self) -> bool;
}

impl<F: PrimeField> CurveField for F {
    fn is_canonical(&self) -> bool {
        self.is_reduced()
    }
}

/// A prime field with a large power-of-two subgroup, as NTTs need.
pub trait TwoAdicField: PrimeField {
    /// The largest `s` with `2^s | p − 1`.
    const TWO_ADICITY: u32;
    /// A generator of the whole multiplicative group (the usual coset shift).
    fn multiplicative_generator() -> Self;
    /// A primitive `2^log_n`-th root of unity, `None` if `log_n > TWO_ADICITY`.
    ///
    /// The roots are consistent: `root(k)^2 == root(k − 1)`.
    fn two_adic_generator(log_n: u32) -> Option<Self>;
}

/// The modulus of a 4-limb prime field plus its small multiplicative generator.
///
/// Everything else about Montgomery arithmetic is derived by [`FpConstants`].
pub trait FpParams: 'static + Send + Sync + Sized {
    /// The modulus, little-endian; must be odd and below 2^255 (the spare top
    /// bit lets additions skip a carry word).
    const MODULUS: [u64; 4];
    /// A generator of the multiplicative group, as a small integer.
    const GENERATOR: u64;
    /// A short name for diagnostics.
    const NAME: &'static str;
}

/// Montgomery constants derived at compile time from [`FpParams::MODULUS`].
pub trait FpConstants: FpParams {
    /// `−p^{-1} mod 2^64`.
    const INV: u64 = mont_inv(Self::MODULUS[0]);
    /// `R mod p`: one in Montgomery form.
    const R: [u64; 4] = pow2_mod(256, &Self::MODULUS);
    /// `R^2 mod p`: converts canonical values into Montgomery form.
    const R2: [u64; 4] = pow2_mod(512, &Self::MODULUS);
    /// `R^3 mod p`: turns the plain inverse of a Montgomery value `a·R`,
    /// `a^{-1}·R^{-1}`, into `a^{-1}·R` with one Montgomery product.
    const R3: [u64; 4] = pow2_mod(768, &Self::MODULUS);
    /// Bit length of the modulus.
    const BITS: u32 = 256 - leading_zeros(&Self::MODULUS);
    /// The 2-adicity of `p − 1`.
    const S: u32 = two_adicity(&Self::MODULUS);
}
impl<P: FpParams> FpConstants for P {}

/// An element of the prime field described by `P`, in Montgomery form.
///
/// `#[repr(transparent)]` over `[u64; 4]`: the layout ark-ff's `Fp256` and
/// halo2curves' `Fr`/`Fq` share.
#[repr(transparent)]
pub struct Fp<P: FpParams>([u64; 4], PhantomData<P>);

impl<P: FpParams> Fp<P> {
    /// Reinterprets Montgomery limbs without checking that they are below `p`.
    ///
    /// Arithmetic on an unreduced value gives meaningless results; backends
    /// reject such values with [`crate::Error::InvalidFieldElement`].
    pub const fn from_montgomery_limbs_unchecked(limbs: [u64; 4]) -> Self {
        Self(limbs, PhantomData)
    }

    /// Montgomery limbs, `None` unless they are below `p`.
    pub fn from_montgomery_limbs(limbs: [u64; 4]) -> Option<Self> {
        lt(&limbs, &P::MODULUS).then_some(Self(limbs, PhantomData))
    }

    /// The stored Montgomery limbs `a·R mod p`.
    pub const fn montgomery_limbs(&self) -> [u64; 4] {
        self.0
    }

    /// The element `n mod p`, usable in constants.
    pub const fn from_u64_const(n: u64) -> Self {
        Self(mont_mul(&[n, 0, 0, 0], &P::R2, &P::MODULUS, P::INV), PhantomData)
    }

    /// The element with canonical limbs `repr`, usable in constants.
    ///
    /// `repr` must be below `p`; this is not checked.
    pub const fn from_canonical_unchecked(repr: [u64; 4]) -> Self {
        Self(mont_mul(&repr, &P::R2, &P::MODULUS, P::INV), PhantomData)
    }
}

impl<P: FpParams> Clone for Fp<P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P: FpParams> Copy for Fp<P> {}
impl<P: FpParams> PartialEq for Fp<P> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<P: FpParams> Eq for Fp<P> {}
impl<P: FpParams> Hash for Fp<P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}
impl<P: FpParams> Default for Fp<P> {
    fn default() -> Self {
        Self::ZERO
    }
}
impl<P: FpParams> PartialOrd for Fp<P> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
/// Orders by canonical value, as integers in `[0, p)`.
impl<P: FpParams> Ord for Fp<P> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        let (a, b) = (self.to_canonical(), other.to_canonical());
        a.iter().rev().cmp(b.iter().rev())
    }
}
impl<P: FpParams> fmt::Debug for Fp<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
/// Canonical value in big-endian hexadecimal.
impl<P: FpParams> fmt::Display for Fp<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = if self.is_reduced() {
            self.to_canonical()
        } else {
            return write!(f, "{}(unreduced {:x?})", P::NAME, self.0);
        };
        write!(f, "0x{:016x}{:016x}{:016x}{:016x}", c[3], c[2], c[1], c[0])
    }
}

impl<P: FpParams> Field for Fp<P> {
    const ZERO: Self = Self([0; 4], PhantomData);
    const ONE: Self = Self(P::R, PhantomData);

    #[inline]
    fn double(&self) -> Self {
        *self + *self
    }
    #[inline(always)]
    fn square(&self) -> Self {
        *self * *self
    }
    fn inverse(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        // Fermat: a^(p−2). Batch inversion amortises this over many elements.
        let (exp, _) = sbb4(&P::MODULUS, &[2, 0, 0, 0]);
        Some(self.pow(&exp))
    }
    /// Binary extended Euclid on the Montgomery limbs `a·R`, then one product
    /// by `R^3`; several times faster than Fermat's exponentiation. The
    /// only data-dependent branches are the loop exits: the swap and the
    /// modular subtraction use masks (random bits would mispredict).
    fn inverse_vartime(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        let p = &P::MODULUS;
        let one = [1, 0, 0, 0];
        // Invariants: x1·(aR) ≡ u and x2·(aR) ≡ v (mod p); v is odd;
        // gcd(u, v) = 1.
        let (mut u, mut v) = (self.0, *p);
        let (mut x1, mut x2) = (one, [0; 4]);
        loop {
            strip_twos(&mut u, &mut x1, p, P::INV);
            if u == one {
                break;
            }
            // Keep u ≥ v (swapping both pairs keeps the invariants); then
            // u − v is even and not zero (u = v would make both one).
            let swap = 0u64.wrapping_sub(lt(&u, &v) as u64);
            for i in 0..4 {
                (u[i], v[i]) = (select(swap, v[i], u[i]), select(swap, u[i], v[i]));
                (x1[i], x2[i]) = (select(swap, x2[i], x1[i]), select(swap, x1[i], x2[i]));
            }
            u = sbb4(&u, &v).0;
            // x1, x2 < p are plain residues; the field's subtraction is the
            // same modular subtraction, branch-free.
            x1 = (Self(x1, PhantomData) - Self(x2, PhantomData)).0;
        }
        Some(Self(x1, PhantomData) * Self(P::R3, PhantomData))
    }
    #[inline]
    fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }
    fn from_u64(n: u64) -> Self {
        Self::from_u64_const(n)
    }
    #[inline(always)]
    fn neg_if(&self, negate: bool) -> Self {
        // p − a, masked to zero unless negating a non-zero value.
        let nonzero = (self.0[0] | self.0[1] | self.0[2] | self.0[3] != 0) as u64;
        let mask = 0u64.wrapping_sub(negate as u64 & nonzero);
        let (d, _) = sbb4(&P::MODULUS, &self.0);
        Self(
            [
                select(mask, d[0], self.0[0]),
                select(mask, d[1], self.0[1]),
                select(mask, d[2], self.0[2]),
                select(mask, d[3], self.0[3]),
            ],
            PhantomData,
        )
    }
}

impl<P: FpParams> PrimeField for Fp<P> {
    type Repr = [u64; 4];
    const MODULUS: [u64; 4] = P::MODULUS;
    const NUM_BITS: u32 = P::BITS;

    fn to_canonical(&self) -> [u64; 4] {
        mont_mul(&self.0, &[1, 0, 0, 0], &P::MODULUS, P::INV)
    }
    fn from_canonical(repr: [u64; 4]) -> Option<Self> {
        lt(&repr, &P::MODULUS).then(|| Self::from_canonical_unchecked(repr))
    }
    #[inline]
    fn is_reduced(&self) -> bool {
        lt(&self.0, &P::MODULUS)
    }
    fn random(rng: &mut impl RngCore) -> Self {
        // Rejection sampling below the next power of two: uniform, and
        // accepts with probability > 1/2 per draw.
        let top_mask = u64::MAX >> (256 - P::BITS);
        loop {
            let mut limbs = [0u64; 4];
            for limb in &mut limbs {
                *limb = rng.next_u64();
            }
            limbs[3] &= top_mask;
            if lt(&limbs, &P::MODULUS) {
                return Self(limbs, PhantomData);
            }
        }
    }
}

impl<P: FpParams> TwoAdicField for Fp<P> {
    const TWO_ADICITY: u32 = P::S;

    fn multiplicative_generator() -> Self {
        Self::from_u64_const(P::GENERATOR)
    }
    fn two_adic_generator(log_n: u32) -> Option<Self> {
        if log_n > P::S {
            return None;
        }
        // (p − 1) / 2^S, then square down to the requested order.
        let odd = shr4(&sbb4(&P::MODULUS, &[1, 0, 0, 0]).0, P::S);
        let mut root = Self::multiplicative_generator().pow(&odd);
        for _ in log_n..P::S {
            root = root.square();
        }
        Some(root)
    }
}

impl<P: FpParams> Add for Fp<P> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        // p < 2^255, so a + b < 2^256 never carries out of the top limb.
        // Branch-free: for random operands a + b ≥ p half the time, which no
        // predictor can guess.
        let (s, _) = adc4(&self.0, &rhs.0);
        let (d0, br) = sbb(s[0], P::MODULUS[0], 0);
        let (d1, br) = sbb(s[1], P::MODULUS[1], br);
        let (d2, br) = sbb(s[2], P::MODULUS[2], br);
        let (d3, br) = sbb(s[3], P::MODULUS[3], br);
        let keep = 0u64.wrapping_sub(br); // all ones when s < p
        Self(
            [select(keep, s[0], d0), select(keep, s[1], d1), select(keep, s[2], d2), select(keep, s[3], d3)],
            PhantomData,
        )
    }
}
impl<P: FpParams> Sub for Fp<P> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        // Branch-free, as for addition: add back p masked by the borrow.
        let (a, b) = (&self.0, &rhs.0);
        let (d0, br) = sbb(a[0], b[0], 0);
        let (d1, br) = sbb(a[1], b[1], br);
        let (d2, br) = sbb(a[2], b[2], br);
        let (d3, br) = sbb(a[3], b[3], br);
        let mask = 0u64.wrapping_sub(br);
        let p = &P::MODULUS;
        let (r0, c) = adc(d0, p[0] & mask, 0);
        let (r1, c) = adc(d1, p[1] & mask, c);
        let (r2, c) = adc(d2, p[2] & mask, c);
        let (r3, _) = adc(d3, p[3] & mask, c);
        Self([r0, r1, r2, r3], PhantomData)
    }
}
impl<P: FpParams> Neg for Fp<P> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        if self.is_zero() {
            self
        } else {
            Self(sbb4(&P::MODULUS, &self.0).0, PhantomData)
        }
    }
}
impl<P: FpParams> Mul for Fp<P> {
    type Output = Self;
    // Always inlined: in the hot loops a call costs as much as the product's
    // carry chain and blocks interleaving of independent products.
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        #[cfg(target_arch = "x86_64")]
        if mulx_adx::available() {
            return Self(mulx_adx::mont_mul(&self.0, &rhs.0, &P::MODULUS, P::INV), PhantomData);
        }
        Self(mont_mul_unrolled(&self.0, &rhs.0, &P::MODULUS, P::INV), PhantomData)
    }
}
impl<P: FpParams> AddAssign for Fp<P> {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}
impl<P: FpParams> SubAssign for Fp<P> {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}
impl<P: FpParams> MulAssign for Fp<P> {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

// ---------------------------------------------------------------------------
// Limb arithmetic. `const fn` so that constants are derived at compile time.

#[inline(always)]
const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// `a + b·c + carry`, returning (low, high).
#[inline(always)]
const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + (b as u128) * (c as u128) + carry as u128;
    (t as u64, (t >> 64) as u64)
}

#[inline(always)]
const fn adc4(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], bool) {
    let (r0, c) = adc(a[0], b[0], 0);
    let (r1, c) = adc(a[1], b[1], c);
    let (r2, c) = adc(a[2], b[2], c);
    let (r3, c) = adc(a[3], b[3], c);
    ([r0, r1, r2, r3], c != 0)
}

#[inline(always)]
const fn sbb4(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], bool) {
    let mut r = [0u64; 4];
    let mut borrow = false;
    let mut i = 0;
    while i < 4 {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(borrow as u64);
        r[i] = d;
        borrow = b1 | b2;
        i += 1;
    }
    (r, borrow)
}

/// `a < b` as 256-bit integers.
#[inline(always)]
const fn lt(a: &[u64; 4], b: &[u64; 4]) -> bool {
    sbb4(a, b).1
}

/// `a − p` if `a ≥ p`, else `a`; valid for `a < 2p`.
#[inline(always)]
const fn reduce_once(a: [u64; 4], p: &[u64; 4]) -> [u64; 4] {
    let (d, borrow) = sbb4(&a, p);
    if borrow {
        a
    } else {
        d
    }
}

/// Montgomery product `a·b·R^{-1} mod p` (CIOS, with the spare-bit
/// shortcut: `p < 2^255` keeps every intermediate within five words).
#[inline(always)]
pub(crate) const fn mont_mul(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4], inv: u64) -> [u64; 4] {
    let mut t = [0u64; 4];
    let mut i = 0;
    while i < 4 {
        let (t0, mut carry_a) = mac(t[0], a[0], b[i], 0);
        let m = t0.wrapping_mul(inv);
        let (_, mut carry_m) = mac(t0, m, p[0], 0);
        let mut j = 1;
        while j < 4 {
            let (tj, ca) = mac(t[j], a[j], b[i], carry_a);
            carry_a = ca;
            let (tj1, cm) = mac(tj, m, p[j], carry_m);
            carry_m = cm;
            t[j - 1] = tj1;
            j += 1;
        }
        t[3] = carry_a.wrapping_add(carry_m);
        i += 1;
    }
    reduce_once(t, p)
}

/// [`mont_mul`] written out limb by limb, ending in [`subtract_if_geq`]:
/// the form LLVM schedules best at run time.
#[inline(always)]
fn mont_mul_unrolled(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4], inv: u64) -> [u64; 4] {
    let [a0, a1, a2, a3] = *a;
    let (mut t0, mut t1, mut t2, mut t3) = (0u64, 0u64, 0u64, 0u64);
    macro_rules! round {
        ($bi:expr) => {{
            let bi = $bi;
            let (s0, ca) = mac(t0, a0, bi, 0);
            let m = s0.wrapping_mul(inv);
            let (_, cm) = mac(s0, m, p[0], 0);
            let (s1, ca) = mac(t1, a1, bi, ca);
            let (r0, cm) = mac(s1, m, p[1], cm);
            let (s2, ca) = mac(t2, a2, bi, ca);
            let (r1, cm) = mac(s2, m, p[2], cm);
            let (s3, ca) = mac(t3, a3, bi, ca);
            let (r2, cm) = mac(s3, m, p[3], cm);
            t0 = r0;
            t1 = r1;
            t2 = r2;
            t3 = ca.wrapping_add(cm);
        }};
    }
    round!(b[0]);
    round!(b[1]);
    round!(b[2]);
    round!(b[3]);
    subtract_if_geq([t0, t1, t2, t3], p)
}

/// `t − p` if `t ≥ p`, else `t`; valid for `t < 2p`. A branch, not a
/// select: the comparison almost always ends at the top limb and predicts
/// well, which keeps it off the latency chain of dependent products.
#[inline(always)]
fn subtract_if_geq(t: [u64; 4], p: &[u64; 4]) -> [u64; 4] {
    if geq(t[0], t[1], t[2], t[3], p) {
        let (d0, br) = sbb(t[0], p[0], 0);
        let (d1, br) = sbb(t[1], p[1], br);
        let (d2, br) = sbb(t[2], p[2], br);
        let (d3, _) = sbb(t[3], p[3], br);
        [d0, d1, d2, d3]
    } else {
        t
    }
}

/// `(t0..t3) ≥ p`, comparing from the top limb down.
#[inline(always)]
fn geq(t0: u64, t1: u64, t2: u64, t3: u64, p: &[u64; 4]) -> bool {
    if t3 != p[3] {
        return t3 > p[3];
    }
    if t2 != p[2] {
        return t2 > p[2];
    }
    if t1 != p[1] {
        return t1 > p[1];
    }
    t0 >= p[0]
}

/// Montgomery multiplication with BMI2/ADX (`mulx`, `adcx`, `adox`): two
/// independent carry chains per row, which the portable code cannot express.
/// Chosen at run time, so one build serves every x86-64 machine.
#[cfg(target_arch = "x86_64")]
mod mulx_adx {
    use core::sync::atomic::{AtomicU8, Ordering};

    static SUPPORT: AtomicU8 = AtomicU8::new(0); // 0 unknown, 1 absent, 2 present

    /// Whether this CPU has BMI2 and ADX (detected once).
    #[inline(always)]
    pub(super) fn available() -> bool {
        match SUPPORT.load(Ordering::Relaxed) {
            2 => true,
            1 => false,
            _ => detect(),
        }
    }

    #[cold]
    fn detect() -> bool {
        let present = std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx");
        SUPPORT.store(if present { 2 } else { 1 }, Ordering::Relaxed);
        present
    }

    /// One CIOS row: `t += a·b[i]`, then add `m·p` with `m = t0·inv` and drop
    /// the zero low word. Registers rotate from row to row instead of moving.
    #[rustfmt::skip]
    macro_rules! row {
        ($bi:literal, $t0:literal, $t1:literal, $t2:literal, $t3:literal, $t4:literal) => {
            concat!(
                // t += a·b[i]: low halves on the OF chain, high halves on the CF chain.
                "mov rdx, qword ptr [{b} + ", $bi, "]\n",
                "xor {hi:e}, {hi:e}\n",
                "mulx {hi}, {lo}, qword ptr [{a}]\n",
                "adox ", $t0, ", {lo}\n", "adcx ", $t1, ", {hi}\n",
                "mulx {hi}, {lo}, qword ptr [{a} + 8]\n",
                "adox ", $t1, ", {lo}\n", "adcx ", $t2, ", {hi}\n",
                "mulx {hi}, {lo}, qword ptr [{a} + 16]\n",
                "adox ", $t2, ", {lo}\n", "adcx ", $t3, ", {hi}\n",
                "mulx ", $t4, ", {lo}, qword ptr [{a} + 24]\n",
                "adox ", $t3, ", {lo}\n", "adcx ", $t4, ", {zero}\n", "adox ", $t4, ", {zero}\n",
                // t += m·p with m = t0·inv, which zeroes t0; t1..t4 become the new t.
                "mov rdx, ", $t0, "\n",
                "imul rdx, {inv}\n",
                "xor {hi:e}, {hi:e}\n",
                "mulx {hi}, {lo}, qword ptr [{p}]\n",
                "adcx {lo}, ", $t0, "\n", "adox ", $t1, ", {hi}\n",
                "mulx {hi}, {lo}, qword ptr [{p} + 8]\n",
                "adcx ", $t1, ", {lo}\n", "adox ", $t2, ", {hi}\n",
                "mulx {hi}, {lo}, qword ptr [{p} + 16]\n",
                "adcx ", $t2, ", {lo}\n", "adox ", $t3, ", {hi}\n",
                "mulx {hi}, {lo}, qword ptr [{p} + 24]\n",
                "adcx ", $t3, ", {lo}\n", "adox ", $t4, ", {hi}\n",
                "adcx ", $t4, ", {zero}\n", "adox ", $t4, ", {zero}\n",
            )
        };
    }

    /// `a·b·2^-256 mod p` for `a, b < p < 2^254`; only call when [`available`].
    #[inline(always)]
    pub(super) fn mont_mul(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4], inv: u64) -> [u64; 4] {
        // Five registers rotate through the rows; the result ends in r4, r0, r1, r2.
        let (r0, r1, r2, r4): (u64, u64, u64, u64);
        // SAFETY: the CPU supports BMI2 and ADX (checked by the caller
        // through `available`); the block reads 32 bytes behind each of the
        // three pointers, which come from live `&[u64; 4]`, writes only its
        // declared outputs, and touches no stack.
        unsafe {
            core::arch::asm!(
                "xor {r0:e}, {r0:e}",
                "xor {r1:e}, {r1:e}",
                "xor {r2:e}, {r2:e}",
                "xor {r3:e}, {r3:e}",
                row!("0", "{r0}", "{r1}", "{r2}", "{r3}", "{r4}"),
                row!("8", "{r1}", "{r2}", "{r3}", "{r4}", "{r0}"),
                row!("16", "{r2}", "{r3}", "{r4}", "{r0}", "{r1}"),
                row!("24", "{r3}", "{r4}", "{r0}", "{r1}", "{r2}"),
                a = in(reg) a.as_ptr(),
                b = in(reg) b.as_ptr(),
                p = in(reg) p.as_ptr(),
                inv = in(reg) inv,
                zero = in(reg) 0u64,
                hi = out(reg) _,
                lo = out(reg) _,
                r0 = out(reg) r0,
                r1 = out(reg) r1,
                r2 = out(reg) r2,
                r3 = out(reg) _,
                r4 = out(reg) r4,
                out("rdx") _,
                options(pure, readonly, nostack),
            );
        }
        super::subtract_if_geq([r4, r0, r1, r2], p)
    }
}

/// `a` where `mask` is all ones, `b` where it is zero.
#[inline(always)]
const fn select(mask: u64, a: u64, b: u64) -> u64 {
    (a & mask) | (b & !mask)
}

/// `a − b − borrow`, returning (difference, borrow out ∈ {0, 1}).
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, (t >> 127) as u64)
}

/// `−p0^{-1} mod 2^64` by Newton iteration (each step doubles the correct bits).
const fn mont_inv(p0: u64) -> u64 {
    let mut inv: u64 = 1;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
}

/// Divides the non-zero `u` by its largest power of two `2^k`, and `x`
/// (below `p`) by the same `2^k` modulo the odd `p`; `inv = −p^{-1} mod 2^64`.
#[inline]
fn strip_twos(u: &mut [u64; 4], x: &mut [u64; 4], p: &[u64; 4], inv: u64) {
    while u[0] & 1 == 0 {
        let k = u[0].trailing_zeros().min(63);
        for i in 0..3 {
            u[i] = (u[i] >> k) | (u[i + 1] << (64 - k));
        }
        u[3] >>= k;
        // x·2^−k = (x + m·p) / 2^k for m = −x·p^{-1} mod 2^k: exact, and
        // below p because m < 2^k.
        let m = x[0].wrapping_mul(inv) & ((1u64 << k) - 1);
        let mut t = [0u64; 5];
        let mut carry = 0;
        for i in 0..4 {
            (t[i], carry) = mac(x[i], m, p[i], carry);
        }
        t[4] = carry;
        for i in 0..4 {
            x[i] = (t[i] >> k) | (t[i + 1] << (64 - k));
        }
    }
}

/// `2^k mod p` by repeated modular doubling.
const fn pow2_mod(k: u32, p: &[u64; 4]) -> [u64; 4] {
    let mut r = [1u64, 0, 0, 0];
    let mut i = 0;
    while i < k {
        let (d, _) = adc4(&r, &r);
        r = reduce_once(d, p);
        i += 1;
    }
    r
}

const fn leading_zeros(a: &[u64; 4]) -> u32 {
    let mut i = 4;
    let mut zeros = 0;
    while i > 0 {
        i -= 1;
        if a[i] == 0 {
            zeros += 64;
        } else {
            return zeros + a[i].leading_zeros();
        }
    }
    zeros
}

const fn two_adicity(p: &[u64; 4]) -> u32 {
    let (pm1, _) = sbb4(p, &[1, 0, 0, 0]);
    let mut s = 0;
    let mut i = 0;
    while i < 4 {
        if pm1[i] == 0 {
            s += 64;
        } else {
            return s + pm1[i].trailing_zeros();
        }
        i += 1;
    }
    s
}

const fn shr4(a: &[u64; 4], n: u32) -> [u64; 4] {
    let mut r = *a;
    let mut k = 0;
    while k < n {
        let mut i = 0;
        while i < 4 {
            let hi = if i + 1 < 4 { r[i + 1] << 63 } else { 0 };
            r[i] = (r[i] >> 1) | hi;
            i += 1;
        }
        k += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bn254::{FqParams, FrParams};
    use rand_chacha::rand_core::SeedableRng;

    /// Every Montgomery product implementation agrees, whichever one `Mul`
    /// picks on this machine (the integration tests check that one against
    /// big integers).
    fn products_agree<P: FpParams>() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let mut values: Vec<[u64; 4]> = (0..500).map(|_| Fp::<P>::random(&mut rng).0).collect();
        let (p_minus_1, _) = sbb4(&P::MODULUS, &[1, 0, 0, 0]);
        values.extend([[0; 4], [1, 0, 0, 0], p_minus_1, P::R]);
        for a in &values {
            for b in values.iter().step_by(13) {
                let reference = mont_mul(a, b, &P::MODULUS, P::INV);
                assert_eq!(mont_mul_unrolled(a, b, &P::MODULUS, P::INV), reference);
                #[cfg(target_arch = "x86_64")]
                if mulx_adx::available() {
                    assert_eq!(mulx_adx::mont_mul(a, b, &P::MODULUS, P::INV), reference);
                }
            }
        }
    }

    #[test]
    fn montgomery_products_agree_fr() {
        products_agree::<FrParams>();
    }

    #[test]
    fn montgomery_products_agree_fq() {
        products_agree::<FqParams>();
    }

    /// The binary-Euclid inverse against Fermat's, on random values, powers
    /// of two (long runs of halvings), small values and `p − 1`.
    fn inverses_agree<P: FpParams>() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
        let mut values: Vec<Fp<P>> = (0..300).map(|_| Fp::<P>::random(&mut rng)).collect();
        values.extend((0..254).map(|k| Fp::<P>::from_canonical_unchecked(shl4(&[1, 0, 0, 0], k))));
        values.extend([Fp::ONE, Fp::from_u64(2), Fp::from_u64(3), -Fp::<P>::ONE]);
        values.push(Fp::from_montgomery_limbs_unchecked([1, 0, 0, 0]));
        values.push(Fp::from_montgomery_limbs_unchecked([0, 0, 1, 0]));
        for a in values {
            let inverse = a.inverse_vartime().unwrap();
            assert_eq!(Some(inverse), a.inverse(), "{:?}", a.0);
            assert_eq!(a * inverse, Fp::ONE);
        }
        assert_eq!(Fp::<P>::ZERO.inverse_vartime(), None);
    }

    fn shl4(a: &[u64; 4], k: u32) -> [u64; 4] {
        let (limb, bit) = ((k / 64) as usize, k % 64);
        let mut out = [0; 4];
        for i in limb..4 {
            out[i] = a[i - limb] << bit;
            if bit > 0 && i > limb {
                out[i] |= a[i - limb - 1] >> (64 - bit);
            }
        }
        out
    }

    #[test]
    fn vartime_inverses_agree_fr() {
        inverses_agree::<FrParams>();
    }

    #[test]
    fn vartime_inverses_agree_fq() {
        inverses_agree::<FqParams>();
    }
}

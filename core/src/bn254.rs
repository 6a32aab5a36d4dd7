//! BN254 (alt_bn128): the curve Ethereum's precompiles verify and zkML provers use.

use crate::curve::{Affine, Projective, SwCurve};
use crate::field::{Fp, FpParams};

/// Parameters of the BN254 base field `Fq` (coordinates).
pub struct FqParams;
impl FpParams for FqParams {
    // 21888242871839275222246405745257275088696311157297823662689037894645226208583
    const MODULUS: [u64; 4] = [0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029];
    const GENERATOR: u64 = 3;
    const NAME: &'static str = "bn254::Fq";
}

/// Parameters of the BN254 scalar field `Fr` (the group order `r`).
pub struct FrParams;
impl FpParams for FrParams {
    // 21888242871839275222246405745257275088548364400416034343698204186575808495617
    const MODULUS: [u64; 4] = [0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029];
    // 7 generates Fr^* (the value halo2curves and arkworks use); 2-adicity is 28.
    const GENERATOR: u64 = 7;
    const NAME: &'static str = "bn254::Fr";
}

/// The BN254 base field.
pub type Fq = Fp<FqParams>;
/// The BN254 scalar field.
pub type Fr = Fp<FrParams>;

/// The BN254 G1 curve `y² = x³ + 3` over `Fq`, of prime order `r`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Bn254;

impl SwCurve for Bn254 {
    type Base = Fq;
    type Scalar = Fr;
    const COEFF_B: Fq = Fq::from_u64_const(3);
    const GENERATOR: G1Affine = G1Affine::new_unchecked(Fq::from_u64_const(1), Fq::from_u64_const(2));
    const NAME: &'static str = "bn254";
}

/// A BN254 G1 point in affine coordinates (identity = `(0, 0)`).
pub type G1Affine = Affine<Bn254>;
/// A BN254 G1 point in Jacobian coordinates.
pub type G1Projective = Projective<Bn254>;

// The layouts adapters rely on: 4 limbs per field element, no padding.
const _: () = assert!(core::mem::size_of::<Fr>() == 32 && core::mem::align_of::<Fr>() == 8);
const _: () = assert!(core::mem::size_of::<Fq>() == 32 && core::mem::align_of::<Fq>() == 8);
const _: () = assert!(core::mem::size_of::<G1Affine>() == 64);
const _: () = assert!(core::mem::size_of::<G1Projective>() == 96);

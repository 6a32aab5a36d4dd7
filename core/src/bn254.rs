//! BN254 (alt_bn128): the curve Ethereum's precompiles verify and zkML provers use.

use crate::curve::{Affine, Projective, SwCurve};
use crate::field::{Fp, FpParams};
use crate::fq2::Fq2;
use crate::glv::GlvParams;

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
    // 7 generates Fr^* (halo2curves' choice; arkworks uses 5); 2-adicity is 28.
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
    // β = 3^((p−1)/3) in Fq, λ = 0xb3c4d79d41a917585bfc41088d8daaa78b17ea66b99c90dd (a cube root
    // of unity mod r) with (β·x, y) = λ·(x, y); the basis is the standard extended-Euclid one
    // (a₁ = b₂ = 0x89d3256894d213e3; checked by the tests, not trusted).
    const GLV: Option<GlvParams<Self>> = Some(GlvParams {
        beta: fq([0x5763473177fffffe, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0]),
        a1: fr([0x89d3256894d213e3, 0, 0, 0]),
        minus_b1: fr([0x8211bbeb7d4f1128, 0x6f4d8248eeb859fc, 0, 0]),
        a2: fr([0x0be4e1541221250b, 0x6f4d8248eeb859fd, 0, 0]),
        b2: fr([0x89d3256894d213e3, 0, 0, 0]),
        g1: [0xd91d232ec7e0b3d7, 0x2, 0],
        g2: [0x7a7bd9d4391eb18d, 0x4ccef014a773d2cf, 0x2],
    });
}

const fn fr(limbs: [u64; 4]) -> Fr {
    Fr::from_canonical_unchecked(limbs)
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

/// The BN254 G2 curve `y² = x³ + 3/(9 + u)` over `Fq2` (the sextic twist),
/// restricted to its subgroup of prime order `r`.
///
/// Points are checked to be on the curve, not to be in the order-`r`
/// subgroup (the twist has a large cofactor); keys from a trusted setup are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Bn254G2;

const fn fq(limbs: [u64; 4]) -> Fq {
    Fq::from_canonical_unchecked(limbs)
}

impl SwCurve for Bn254G2 {
    type Base = Fq2;
    type Scalar = Fr;
    // 3/(9 + u) = 19485874751759354771024239261021720505790618469301721065564631296452457478373
    //           + 266929791119991161246907387137283842545076965332900288569378510910307636690·u
    const COEFF_B: Fq2 = Fq2::new(
        fq([0x3267e6dc24a138e5, 0xb5b4c5e559dbefa3, 0x81be18991be06ac3, 0x2b149d40ceb8aaae]),
        fq([0xe4a2bd0685c315d2, 0xa74fa084e52d1852, 0xcd2cafadeed8fdf4, 0x009713b03af0fed4]),
    );
    // The generator of EIP-197 (Ethereum's pairing precompile).
    const GENERATOR: G2Affine = G2Affine::new_unchecked(
        Fq2::new(
            fq([0x46debd5cd992f6ed, 0x674322d4f75edadd, 0x426a00665e5c4479, 0x1800deef121f1e76]),
            fq([0x97e485b7aef312c2, 0xf1aa493335a9e712, 0x7260bfb731fb5d25, 0x198e9393920d483a]),
        ),
        Fq2::new(
            fq([0x4ce6cc0166fa7daa, 0xe3d1e7690c43d37b, 0x4aab71808dcb408f, 0x12c85ea5db8c6deb]),
            fq([0x55acdadcd122975b, 0xbc4b313370b38ef3, 0xec9e99ad690c3395, 0x090689d0585ff075]),
        ),
    );
    const NAME: &'static str = "bn254-g2";
}

/// A BN254 G2 point in affine coordinates (identity = `(0, 0)`).
pub type G2Affine = Affine<Bn254G2>;
/// A BN254 G2 point in Jacobian coordinates.
pub type G2Projective = Projective<Bn254G2>;

#[cfg(test)]
mod g2_tests {
    use super::*;
    use crate::field::{Field, PrimeField};

    #[test]
    fn generator_is_on_the_twist_and_has_order_r() {
        let g = Bn254G2::GENERATOR;
        assert!(g.validate().is_ok());
        // 3/(9 + u) times (9 + u) is 3.
        assert_eq!(Bn254G2::COEFF_B * Fq2::new(Fq::from_u64(9), Fq::ONE), Fq2::from_u64(3));
        // (r − 1)·G = −G, so r·G is the identity.
        let minus_one = -Fr::ONE;
        assert_eq!(g.mul(&minus_one).to_affine(), g.neg());
        assert!(g.mul(&minus_one).add_affine(&g).is_identity());
        let two = g.to_projective().double();
        assert_eq!(two, g.to_projective().add(&g.to_projective()));
        assert_eq!(two.to_affine(), g.mul(&Fr::from_u64(2)).to_affine());
        assert!(Fr::from_u64(2).is_reduced());
    }
}

//! The MSM is generic over the curve: BN254 G2 (coordinates in `Fq2`)
//! against naive double-and-add, plain and prepared.

use zkaccel_backend_cpu::CpuBackend;
use zkaccel_core::testing::{random_scalars, rng};
use zkaccel_core::{reference, Bn254G2, Field, Fr, G2Affine, Msm, SwCurve};

fn random_g2_points(n: usize, seed: u64) -> Vec<G2Affine> {
    let g = Bn254G2::GENERATOR;
    random_scalars(n, &mut rng(seed)).iter().map(|k| g.mul(k).to_affine()).collect()
}

#[test]
fn g2_msm_matches_naive() {
    for copies in [1, 8] {
        let cpu = CpuBackend::with_prepared_copies(copies);
        for n in [0usize, 1, 2, 37, 600] {
            let mut bases = random_g2_points(n, n as u64);
            let mut scalars = random_scalars(n, &mut rng(100 + n as u64));
            if n > 2 {
                bases[1] = G2Affine::IDENTITY;
                scalars[2] = Fr::ZERO;
                scalars[0] = -Fr::from_u64(3);
                bases[n - 1] = bases[0].neg();
            }
            let expected = reference::msm(&bases, &scalars);
            assert_eq!(cpu.msm(&bases, &scalars).unwrap(), expected, "n = {n}");
            let prepared = cpu.prepare_bases(&bases).unwrap();
            assert_eq!(cpu.msm_prepared(&prepared, &scalars).unwrap(), expected, "n = {n}, prepared");
        }
    }
    // A point off the twist is rejected.
    let mut bad = Bn254G2::GENERATOR;
    bad.y = bad.y.double();
    assert!(CpuBackend::new().msm(&[bad], &[Fr::ONE]).is_err());
}

//! Keys and the SRS they are made over.

use std::sync::Arc;

use halo2_axiom::halo2curves::bn256::{Bn256, G1Affine};
use halo2_axiom::plonk::ProvingKey;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use rand_chacha::rand_core::SeedableRng;
use zkaccel::Accelerator;
use zkaccel_frontend_halo2::AcceleratedParams;

use crate::circuit::ModelCircuit;
use crate::{CompiledModel, ZkmlError};

/// Proving and verifying keys with the SRS prepared on an Accelerator.
pub struct Keys {
    /// The SRS (monomial and Lagrange bases on the Accelerator).
    pub params: AcceleratedParams,
    /// The proving key (holds the verifying key).
    pub pk: ProvingKey<G1Affine>,
}

/// A structured reference string made here from a seed: **insecure** (its
/// toxic waste is reproducible), for tests, demos and benchmarks only. Real
/// deployments load a ceremony's SRS.
pub fn local_srs(k: u32, seed: u64) -> ParamsKZG<Bn256> {
    ParamsKZG::setup(k, rand_chacha::ChaCha20Rng::seed_from_u64(seed))
}

/// Keys of `model` over `srs` (whose `k` must be at least the model's; a
/// larger SRS is downsized).
pub fn setup(
    model: &Arc<CompiledModel>,
    mut srs: ParamsKZG<Bn256>,
    accelerator: &Accelerator,
) -> Result<Keys, ZkmlError> {
    use halo2_axiom::poly::commitment::Params;
    if srs.k() < model.k {
        return Err(ZkmlError::Input(format!("the SRS has 2^{} rows; the model needs 2^{}", srs.k(), model.k)));
    }
    if srs.k() > model.k {
        srs.downsize(model.k);
    }
    let params = AcceleratedParams::new(srs, accelerator)?;
    let pk = zkaccel_frontend_halo2::keygen(&params, &ModelCircuit::new(model.clone(), None))?;
    Ok(Keys { params, pk })
}

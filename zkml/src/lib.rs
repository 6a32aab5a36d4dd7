//! zkML on zkaccel: an ONNX model becomes a quantized halo2 circuit whose
//! proof says "this model produced this output on this input".
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use zkaccel_zkml::*;
//! # fn main() -> Result<(), ZkmlError> {
//! let accelerator = zkaccel::Accelerator::auto()?;
//! let program = onnx::load("zkml/models/digits_mlp.onnx".as_ref())?;
//! let calibration = read_inputs("zkml/models/digits_mlp.calibration.json".as_ref())?;
//! let model = Arc::new(compile(program, &calibration, &CompileOptions::default())?);
//! let keys = setup(&model, local_srs(model.k, 1), &accelerator)?;
//! let input = &read_inputs("zkml/models/digits_mlp.input.json".as_ref())?[0];
//! let proof = prove(&model, &keys, input)?; // on the Accelerator the keys' params hold
//! verify(&model.published_settings(), keys.params.verifier_srs(), keys.pk.get_vk(), &proof.public, &proof.proof)?;
//! # Ok(()) }
//! ```
//!
//! Pipeline: [`onnx::load`] lowers the graph to a [`program::Program`]
//! (affine layers with fused activations); [`compile`] quantizes it at scale
//! `2^s`, sizes the lookup tables from calibration inputs and reports the
//! quantization error; [`setup`] makes the keys; [`prove`] runs the quantized
//! model and proves it through `zkaccel-frontend-halo2` on the Accelerator;
//! [`verify`] is the stock halo2 verifier.

pub mod circuit;
pub mod commitment;
mod compile;
mod error;
mod io;
mod keys;
mod model_dir;
pub mod onnx;
mod options;
pub mod program;
mod prove;
mod public;
pub mod quantize;
mod settings;

pub use compile::{
    argmax, compile, compile_onnx, max_abs_difference, CalibrationReport, CompiledModel, TableReport, TractCheck,
};
pub use error::ZkmlError;
pub use io::{
    parse_compiled, parse_inputs, parse_pk, parse_settings, parse_srs, parse_srs_unchecked, parse_vk, read_bounded,
    read_compiled, read_inputs, read_json, read_pk, read_settings, read_srs, read_vk, write_file, write_json, write_pk,
    write_srs, write_vk, MAX_BINARY_FILE, MAX_ONNX_FILE, MAX_SRS_FILE, MAX_TEXT_FILE,
};
pub use keys::{local_srs, setup, Keys};
pub use model_dir::{digest_hex, Access, FileEntry, Manifest, ModelDir, COMPILED, MANIFEST, PK, SETTINGS, SRS, VK};
pub use options::{CompileOptions, Visibility};
pub use prove::{check_settings_bound, prove, verify, witness, ModelProof};
pub use public::{model_commitment, PublicValues};
pub use settings::{InstanceLayout, ModelSettings};
pub use zkaccel_frontend_halo2::halo2_axiom;

/// The shipped model: scikit-learn's 8×8 digits, an MLP 64 → 16 (ReLU) → 10
/// trained by `scripts/zkml/make_models.py`, with its sample input and
/// calibration inputs (held-out test digits).
pub mod shipped {
    /// `digits_mlp.onnx`.
    pub const MODEL_ONNX: &[u8] = include_bytes!("../models/digits_mlp.onnx");
    /// One sample input (a test digit "2"), `{"input_data": [[...]]}`.
    pub const INPUT_JSON: &str = include_str!("../models/digits_mlp.input.json");
    /// 32 calibration inputs.
    pub const CALIBRATION_JSON: &str = include_str!("../models/digits_mlp.calibration.json");
}

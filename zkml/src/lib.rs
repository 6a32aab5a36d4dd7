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
//! let proof = prove(&model, &keys, input, &accelerator)?;
//! verify(&model.settings(), keys.params.srs(), keys.pk.get_vk(), &proof.public, &proof.proof)?;
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
pub mod onnx;
pub mod program;
pub mod quantize;

use std::path::Path;
use std::sync::Arc;

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::halo2curves::ff::PrimeField;
use halo2_axiom::plonk::{ProvingKey, VerifyingKey};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use halo2_axiom::SerdeFormat;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};
use zkaccel::Accelerator;
use zkaccel_frontend_halo2::{AcceleratedParams, Halo2Error};

use circuit::{felt, CircuitShape, ModelCircuit};
use program::Program;
use quantize::{Extremes, QuantizedParams, TableLayout};

pub use zkaccel_frontend_halo2::halo2_axiom;

/// Why compiling, proving or verifying a model failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZkmlError {
    /// The ONNX file is malformed or uses a form we do not support.
    #[error("model: {0}")]
    Model(String),
    /// Operators we do not support, each with its node name.
    #[error("unsupported ONNX operators: {}", .0.join(", "))]
    Unsupported(Vec<String>),
    /// An input has the wrong shape or is not a finite number.
    #[error("input: {0}")]
    Input(String),
    /// Calibration failed (no samples, parameters too large).
    #[error("calibration: {0}")]
    Calibration(String),
    /// A value left the range the circuit was compiled for.
    #[error("out of range: {0}")]
    OutOfRange(String),
    /// The proof or its public values were rejected.
    #[error("verification failed: {0}")]
    Verification(String),
    /// halo2 or the Accelerator failed.
    #[error(transparent)]
    Halo2(#[from] Halo2Error),
    /// The Accelerator failed.
    #[error(transparent)]
    Accelerator(#[from] zkaccel::Error),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(String),
}

/// What is public. The output is always public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    /// The quantized input is an instance (else it stays in the witness).
    pub public_input: bool,
    /// The weights are private advice bound by a public Poseidon commitment
    /// (else they are fixed columns of the circuit, part of the verifying key).
    pub private_model: bool,
}

impl Default for Visibility {
    fn default() -> Self {
        Self { public_input: true, private_model: false }
    }
}

/// Options of [`compile`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompileOptions {
    /// `s`: values are integers at scale `2^s` (4..=24).
    pub scale_bits: u32,
    /// What is public.
    pub visibility: Visibility,
    /// At most this many products per row (1, 2, 4 or 8). Fewer lanes mean
    /// fewer columns, and so a smaller verifier (an EVM verifier must fit
    /// 24 KiB), at the price of more rows.
    pub max_lanes: usize,
}

impl Default for CompileOptions {
    fn default() -> Self {
        Self { scale_bits: 14, visibility: Visibility::default(), max_lanes: 8 }
    }
}

/// Quantized against float inference on the calibration inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// Calibration inputs.
    pub samples: usize,
    /// `max |quantized − float|` over all outputs of all samples.
    pub max_abs_error: f64,
    /// Samples whose quantized and float outputs have the same argmax.
    pub argmax_agreement: usize,
}

/// Where the public values sit in the instance column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceLayout {
    /// First row of the inputs (when public).
    pub inputs: usize,
    /// Row of the weight commitment (when the model is private).
    pub commitment: usize,
    /// First row of the outputs.
    pub outputs: usize,
    /// Rows in all.
    pub len: usize,
}

/// What a verifier needs besides the verifying key: no weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSettings {
    /// The input's shape.
    pub input_shape: Vec<usize>,
    /// The output's shape.
    pub output_shape: Vec<usize>,
    /// Table and scale layout.
    pub layout: TableLayout,
    /// Column layout (halo2 `Circuit::Params`).
    pub shape: CircuitShape,
    /// What is public.
    pub visibility: Visibility,
    /// Rows: `2^k`.
    pub k: u32,
}

impl ModelSettings {
    /// Where the public values sit.
    pub fn instance_layout(&self) -> InstanceLayout {
        let inputs = if self.visibility.public_input { self.input_shape.iter().product() } else { 0 };
        let commitment = self.visibility.private_model as usize;
        let outputs: usize = self.output_shape.iter().product();
        InstanceLayout {
            inputs: 0,
            commitment: inputs,
            outputs: inputs + commitment,
            len: inputs + commitment + outputs,
        }
    }
}

/// A model ready to prove: the program, its quantized weights, the circuit layout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompiledModel {
    /// The lowered model (float weights).
    pub program: Program,
    /// The weights at scale.
    pub params: QuantizedParams,
    /// Table and scale layout.
    pub layout: TableLayout,
    /// Column layout.
    pub shape: CircuitShape,
    /// What is public.
    pub visibility: Visibility,
    /// Rows: `2^k`.
    pub k: u32,
    /// Quantization error on the calibration inputs.
    pub report: CalibrationReport,
}

/// Rows halo2 keeps for blinding and the last-row check (a bound on
/// `blinding_factors() + 1` for our gates and lookups).
const RESERVED_ROWS: usize = 10;

impl CompiledModel {
    /// The verifier's part.
    pub fn settings(&self) -> ModelSettings {
        ModelSettings {
            input_shape: self.program.input_shape.clone(),
            output_shape: self.program.output_shape.clone(),
            layout: self.layout,
            shape: self.shape,
            visibility: self.visibility,
            k: self.k,
        }
    }

    /// Where the public values sit.
    pub fn instance_layout(&self) -> InstanceLayout {
        self.settings().instance_layout()
    }

    /// Rows the layers take in a circuit of `shape`.
    pub fn layer_rows(program: &Program, shape: &CircuitShape) -> usize {
        program.layers.iter().flat_map(|l| &l.neurons).map(|n| shape.neuron_rows(n.terms.len())).sum()
    }

    /// Runs the quantized model on `input` (its trace is the witness).
    pub fn run(&self, input: &[f64]) -> Result<quantize::Trace, ZkmlError> {
        quantize::forward(
            &self.program,
            &self.params,
            self.layout.scale_bits,
            Some(&self.layout),
            input,
            &mut Extremes::default(),
        )
    }
}

/// Quantizes `program`, sizes its tables from `calibration` inputs and
/// chooses the circuit's layout.
pub fn compile(
    program: Program,
    calibration: &[Vec<f64>],
    options: &CompileOptions,
) -> Result<CompiledModel, ZkmlError> {
    let s = options.scale_bits;
    if !(4..=24).contains(&s) {
        return Err(ZkmlError::Calibration(format!("scale 2^{s}: choose s in 4..=24")));
    }
    if calibration.is_empty() {
        return Err(ZkmlError::Calibration("no calibration inputs".into()));
    }
    if program.layers.is_empty() {
        return Err(ZkmlError::Model("the model computes nothing (no layers)".into()));
    }
    // Range checks in limbs of at most 8 bits keep the tables small.
    let limbs = s.div_ceil(8);
    let limb_bits = s.div_ceil(limbs);
    if limb_bits * limbs != s {
        return Err(ZkmlError::Calibration(format!(
            "scale 2^{s} does not split into equal limbs of at most 8 bits; use one of 4..=8, 10, 12, 14, 16, 18, 20, 21, 22, 24"
        )));
    }
    let program = if options.visibility.public_input { program } else { program.with_input_range_check() };
    let params = QuantizedParams::new(&program, s)?;
    let mut extremes = Extremes::default();
    for sample in calibration {
        quantize::forward(&program, &params, s, None, sample, &mut extremes)?;
    }
    let layout = quantize::layout_for(&program, s, &extremes);
    let mut report = CalibrationReport { samples: calibration.len(), max_abs_error: 0.0, argmax_agreement: 0 };
    for sample in calibration {
        let trace = quantize::forward(&program, &params, s, Some(&layout), sample, &mut Extremes::default())?;
        let float = program.forward(sample);
        let quantized: Vec<f64> = trace.outputs.iter().map(|&v| v as f64 / layout.scale() as f64).collect();
        report.max_abs_error = report.max_abs_error.max(max_abs_difference(&quantized, &float));
        report.argmax_agreement += (argmax(&quantized) == argmax(&float)) as usize;
    }
    let commitment_rows =
        if options.visibility.private_model { commitment::commitment_rows(params.params.len()) } else { 0 };
    let table_rows = layout.rows(limb_bits);
    let fixed_rows = table_rows.max(commitment_rows);
    let fits = |rows: usize, k: u32| rows + RESERVED_ROWS <= 1 << k;
    let mut k = 4;
    while !fits(fixed_rows, k) {
        k += 1;
    }
    // The fewest lanes that fit at this k, else the most allowed and more rows.
    let shape_with = |lanes| CircuitShape {
        lanes,
        scale_bits: s,
        limb_bits,
        private_weights: options.visibility.private_model,
        sigmoid_shift: layout.sigmoid_shift.unwrap_or(0),
    };
    let rows = |lanes| CompiledModel::layer_rows(&program, &shape_with(lanes));
    let allowed: Vec<usize> = [1, 2, 4, 8].into_iter().filter(|&w| w <= options.max_lanes.max(1)).collect();
    let widest = *allowed.last().expect("1 is always allowed");
    let lanes = allowed.iter().copied().find(|&w| fits(rows(w), k)).unwrap_or(widest);
    while !fits(rows(lanes), k) {
        k += 1;
    }
    if k > 24 {
        return Err(ZkmlError::Calibration(format!("the circuit needs 2^{k} rows; at most 2^24 are supported")));
    }
    let shape = shape_with(lanes);
    Ok(CompiledModel { program, params, layout, shape, visibility: options.visibility, k, report })
}

/// The index of the largest value (the first, on ties): a classifier's answer.
pub fn argmax(v: &[f64]) -> usize {
    v.iter().enumerate().fold(0, |best, (i, x)| if *x > v[best] { i } else { best })
}

/// `max |a_i − b_i|`.
pub fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
}

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

/// The public values of a proof: what a verifier sees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicValues {
    /// The quantized input (when public).
    pub inputs: Option<Vec<i64>>,
    /// The Poseidon commitment to the weights, decimal (when the model is private).
    pub model_commitment: Option<String>,
    /// The quantized output.
    pub outputs: Vec<i64>,
    /// `s`: values are at scale `2^s`.
    pub scale_bits: u32,
}

impl PublicValues {
    /// The instance column.
    pub fn instance(&self, settings: &ModelSettings) -> Result<Vec<Fr>, ZkmlError> {
        let layout = settings.instance_layout();
        let bad = |msg: String| ZkmlError::Verification(msg);
        if self.scale_bits != settings.layout.scale_bits {
            return Err(bad(format!(
                "values at scale 2^{}, the model's is 2^{}",
                self.scale_bits, settings.layout.scale_bits
            )));
        }
        let mut column = Vec::with_capacity(layout.len);
        match (&self.inputs, settings.visibility.public_input) {
            (Some(inputs), true) if inputs.len() == layout.commitment => {
                column.extend(inputs.iter().map(|&v| felt(v as i128)))
            }
            (None, false) => {}
            (Some(inputs), true) => {
                return Err(bad(format!("{} inputs, the model has {}", inputs.len(), layout.commitment)))
            }
            (_, public) => {
                return Err(bad(format!("the model's input is {}", if public { "public" } else { "private" })))
            }
        }
        match (&self.model_commitment, settings.visibility.private_model) {
            (Some(c), true) => column.push(parse_field(c).ok_or_else(|| bad(format!("'{c}' is not a field element")))?),
            (None, false) => {}
            (_, private) => {
                return Err(bad(format!(
                    "the model is {}",
                    if private { "private (a commitment is needed)" } else { "fixed" }
                )))
            }
        }
        if self.outputs.len() != layout.len - layout.outputs {
            return Err(bad(format!("{} outputs, the model has {}", self.outputs.len(), layout.len - layout.outputs)));
        }
        column.extend(self.outputs.iter().map(|&v| felt(v as i128)));
        Ok(column)
    }

    /// The outputs as floats.
    pub fn outputs_f64(&self) -> Vec<f64> {
        self.outputs.iter().map(|&v| v as f64 / (1u64 << self.scale_bits) as f64).collect()
    }
}

fn parse_field(decimal: &str) -> Option<Fr> {
    Fr::from_str_vartime(decimal)
}

fn field_decimal(f: Fr) -> String {
    // Little-endian bytes to a decimal string without a bignum dependency.
    let mut limbs: Vec<u32> =
        f.to_repr().as_ref().chunks(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
    let mut digits = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let cur = (rem << 32) | *limb as u64;
            *limb = (cur / 10) as u32;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).expect("ascii digits")
}

/// The Poseidon commitment to `model`'s quantized weights, in decimal.
pub fn model_commitment(model: &CompiledModel) -> String {
    let values: Vec<Fr> = model.params.params.iter().map(|&p| felt(p as i128)).collect();
    field_decimal(commitment::poseidon_commit(&values))
}

/// A proof with its public values and what proving it took.
#[derive(Clone, Debug)]
pub struct ModelProof {
    /// halo2 proof bytes (SHPLONK, Blake2b transcript).
    pub proof: Vec<u8>,
    /// The instance.
    pub public: PublicValues,
    /// Float inference on the same input, for comparison.
    pub float_outputs: Vec<f64>,
    /// Proving statistics (MSM time on the Accelerator, total).
    pub stats: zkaccel_frontend_halo2::ProofStats,
}

impl ModelProof {
    /// `max |proved output − float output|`.
    pub fn max_abs_error(&self) -> f64 {
        max_abs_difference(&self.public.outputs_f64(), &self.float_outputs)
    }
}

/// The circuit that proves `model` on `input`, with its public values: for
/// provers with a transcript of their own (an EVM verifier's, say).
pub fn witness(model: &Arc<CompiledModel>, input: &[f64]) -> Result<(ModelCircuit, PublicValues), ZkmlError> {
    let trace = model.run(input)?;
    let public = PublicValues {
        inputs: model.visibility.public_input.then(|| trace.values[..model.program.num_inputs()].to_vec()),
        model_commitment: model.visibility.private_model.then(|| model_commitment(model)),
        outputs: trace.outputs.clone(),
        scale_bits: model.layout.scale_bits,
    };
    Ok((ModelCircuit::new(model.clone(), Some(Arc::new(trace))), public))
}

/// Proves that `model` maps `input` to its quantized output.
pub fn prove(
    model: &Arc<CompiledModel>,
    keys: &Keys,
    input: &[f64],
    accelerator: &Accelerator,
) -> Result<ModelProof, ZkmlError> {
    let (circuit, public) = witness(model, input)?;
    let instance = public.instance(&model.settings())?;
    let (proof, stats) = zkaccel_frontend_halo2::prove_with_stats(
        &keys.params,
        &keys.pk,
        &[circuit],
        &[&[&instance]],
        rand_chacha::ChaCha20Rng::from_entropy(),
        accelerator,
    )?;
    Ok(ModelProof { proof, public, float_outputs: model.program.forward(input), stats })
}

/// Checks `proof` with the stock halo2 verifier.
pub fn verify(
    settings: &ModelSettings,
    srs: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    public: &PublicValues,
    proof: &[u8],
) -> Result<(), ZkmlError> {
    let instance = public.instance(settings)?;
    zkaccel_frontend_halo2::verify(srs, vk, &[&[&instance]], proof).map_err(|e| match e {
        Halo2Error::Plonk(e) => ZkmlError::Verification(format!("the proof does not verify ({e})")),
        other => ZkmlError::Halo2(other),
    })
}

/// Reads inputs in EZKL's format: `{"input_data": [[x, ...], ...]}`, one
/// flat row-major list per sample.
pub fn read_inputs(path: &Path) -> Result<Vec<Vec<f64>>, ZkmlError> {
    let text = std::fs::read_to_string(path).map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))?;
    parse_inputs(&text).map_err(|e| ZkmlError::Input(format!("{}: {e}", path.display())))
}

/// Parses [`read_inputs`]' format.
pub fn parse_inputs(text: &str) -> Result<Vec<Vec<f64>>, String> {
    #[derive(Deserialize)]
    struct Inputs {
        input_data: Vec<Vec<f64>>,
    }
    let inputs: Inputs =
        serde_json::from_str(text).map_err(|e| format!("expected {{\"input_data\": [[numbers]]}}: {e}"))?;
    Ok(inputs.input_data)
}

/// Writes a key in halo2's raw-bytes format.
pub fn write_pk(pk: &ProvingKey<G1Affine>, path: &Path) -> Result<(), ZkmlError> {
    let mut file = std::io::BufWriter::new(create(path)?);
    pk.write(&mut file, SerdeFormat::RawBytes).map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))
}

/// Reads a proving key written by [`write_pk`].
pub fn read_pk(path: &Path, settings: &ModelSettings) -> Result<ProvingKey<G1Affine>, ZkmlError> {
    let mut file = std::io::BufReader::new(open(path)?);
    ProvingKey::read::<_, ModelCircuit>(&mut file, SerdeFormat::RawBytes, settings.shape)
        .map_err(|e| ZkmlError::Io(format!("{}: not a proving key for this model ({e})", path.display())))
}

/// Writes a verifying key.
pub fn write_vk(vk: &VerifyingKey<G1Affine>, path: &Path) -> Result<(), ZkmlError> {
    let mut file = std::io::BufWriter::new(create(path)?);
    vk.write(&mut file, SerdeFormat::RawBytes).map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))
}

/// Reads a verifying key written by [`write_vk`].
pub fn read_vk(path: &Path, settings: &ModelSettings) -> Result<VerifyingKey<G1Affine>, ZkmlError> {
    let mut file = std::io::BufReader::new(open(path)?);
    VerifyingKey::read::<_, ModelCircuit>(&mut file, SerdeFormat::RawBytes, settings.shape)
        .map_err(|e| ZkmlError::Io(format!("{}: not a verifying key for this model ({e})", path.display())))
}

/// Writes an SRS in halo2's format.
pub fn write_srs(srs: &ParamsKZG<Bn256>, path: &Path) -> Result<(), ZkmlError> {
    use halo2_axiom::poly::commitment::Params;
    let mut file = std::io::BufWriter::new(create(path)?);
    srs.write(&mut file).map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))
}

/// Reads an SRS in halo2's format.
pub fn read_srs(path: &Path) -> Result<ParamsKZG<Bn256>, ZkmlError> {
    use halo2_axiom::poly::commitment::Params;
    let mut file = std::io::BufReader::new(open(path)?);
    ParamsKZG::read(&mut file).map_err(|e| ZkmlError::Io(format!("{}: not an SRS ({e})", path.display())))
}

/// Writes `value` as pretty JSON.
pub fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<(), ZkmlError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| ZkmlError::Io(e.to_string()))?;
    std::fs::write(path, text + "\n").map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))
}

/// Reads JSON written by [`write_json`].
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, ZkmlError> {
    let text = std::fs::read_to_string(path).map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))
}

fn create(path: &Path) -> Result<std::fs::File, ZkmlError> {
    std::fs::File::create(path).map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))
}

fn open(path: &Path) -> Result<std::fs::File, ZkmlError> {
    std::fs::File::open(path).map_err(|e| ZkmlError::Io(format!("{}: {e}", path.display())))
}

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

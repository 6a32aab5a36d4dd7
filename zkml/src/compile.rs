//! Quantization, calibration and the layout search: a lowered program
//! becomes a [`CompiledModel`] with its rows `2^k` and lanes chosen.

use serde::{Deserialize, Serialize};

use crate::circuit::CircuitShape;
use crate::program::{Activation, Program, Weight};
use crate::quantize::{self, Extremes, QuantizedParams, TableLayout};
use crate::{commitment, CompileOptions, InstanceLayout, ModelSettings, Visibility, ZkmlError};

/// Quantized against float inference on the calibration inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// Calibration inputs.
    pub samples: usize,
    /// `max |quantized − float|` over all outputs of all samples.
    pub max_abs_error: f64,
    /// Samples whose quantized and float outputs have the same argmax.
    pub argmax_agreement: usize,
    /// The same against tract's float inference of the ONNX file (an
    /// independent reference), when compiled from one ([`compile_onnx`]).
    #[serde(default)]
    pub tract: Option<TractCheck>,
    /// Per table function: its input step and range, and
    /// `max |table output − f(input)|` over the calibration inputs.
    #[serde(default)]
    pub tables: Vec<TableReport>,
}

/// How well one table function's table stands for the function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableReport {
    /// The function.
    pub function: crate::program::UnaryFn,
    /// The input step, `2^c / S`.
    pub step: f64,
    /// The table covers inputs in `[−range, range)`.
    pub range: f64,
    /// `max |table output − f(x)|` at the rescaled inputs `x` the calibration met.
    pub max_abs_error: f64,
}

/// The compiled model against tract's float inference on the calibration inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TractCheck {
    /// tract ran the model.
    Ran {
        /// `max |quantized − tract|`.
        max_abs_error: f64,
        /// Samples whose quantized and tract's outputs have the same argmax.
        argmax_agreement: usize,
        /// `max |our float lowering − tract|`: a lowering that means what the
        /// file means keeps this at float rounding.
        lowering_difference: f64,
    },
    /// Why there is no comparison: tract could not run the model (an
    /// operator it lacks), or its outputs have another shape than ours (where
    /// tract itself departs from ONNX, as with MaxPool's dilations).
    NotCompared(String),
}

/// Loads, lowers and [`compile`]s an ONNX model from its bytes, and checks the
/// result against tract's float inference of the same bytes
/// ([`CalibrationReport::tract`]).
pub fn compile_onnx(
    onnx: &[u8],
    calibration: &[Vec<f64>],
    options: &CompileOptions,
) -> Result<CompiledModel, ZkmlError> {
    let program = crate::onnx::load_bytes_with(onnx, options.visibility.private_model)?;
    let mut model = compile(program, calibration, options)?;
    model.report.tract = Some(match crate::onnx::tract_outputs(onnx, &model.program.input_shapes, calibration) {
        Err(reason) => TractCheck::NotCompared(format!("tract cannot run it: {reason}")),
        Ok(reference) if reference.first().map(Vec::len) != Some(model.program.num_outputs()) => {
            TractCheck::NotCompared(format!(
                "tract's inference has {} output values, the lowered model {}",
                reference.first().map_or(0, Vec::len),
                model.program.num_outputs()
            ))
        }
        Ok(reference) => {
            let (mut max_abs_error, mut argmax_agreement, mut lowering_difference) = (0.0f64, 0, 0.0f64);
            for (sample, tract) in calibration.iter().zip(&reference) {
                let quantized: Vec<f64> =
                    model.run(sample)?.outputs.iter().map(|&v| v as f64 / model.layout.scale() as f64).collect();
                max_abs_error = max_abs_error.max(max_abs_difference(&quantized, tract));
                argmax_agreement += usize::from(argmax(&quantized) == argmax(tract));
                lowering_difference =
                    lowering_difference.max(max_abs_difference(&model.program.forward(sample), tract));
            }
            TractCheck::Ran { max_abs_error, argmax_agreement, lowering_difference }
        }
    });
    Ok(model)
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
    /// A private model's blinding salt (a field element in decimal): hashed
    /// with the weights into the published commitment so that it hides them
    /// (no one can test a guessed model against it). The owner keeps it; it
    /// is in no file a verifier reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_salt: Option<String>,
}

/// Rows halo2 keeps for blinding and the last-row check (a bound on
/// `blinding_factors() + 1` for our gates and lookups).
const RESERVED_ROWS: usize = 10;

impl CompiledModel {
    /// The verifier's part.
    pub fn settings(&self) -> ModelSettings {
        ModelSettings {
            input_shapes: self.program.input_shapes.clone(),
            output_shapes: self.program.output_shapes.clone(),
            layout: self.layout.clone(),
            shape: self.shape,
            visibility: self.visibility,
            k: self.k,
            model_commitment: None,
        }
    }

    /// Checks a compiled model read from a file before proving with it: its
    /// settings ([`ModelSettings::check`]), and a program whose every
    /// reference (values, parameters, tables, outputs) points at something
    /// that exists, so that a tampered file is an error and not a panic.
    pub fn check(&self) -> Result<(), ZkmlError> {
        self.settings().check()?;
        let bad = |what: String| Err(ZkmlError::Model(format!("invalid compiled model: {what}")));
        match (&self.commitment_salt, self.visibility.private_model) {
            (Some(salt), true) if crate::public::parse_field(salt).is_some() => {}
            (Some(_), true) => return bad("its commitment salt is not a field element in canonical decimal".into()),
            (None, true) => return bad("a private model without a commitment salt (compile it again)".into()),
            (Some(_), false) => return bad("a commitment salt in a public model".into()),
            (None, false) => {}
        }
        let program = &self.program;
        let params = program.params.len();
        if self.params.params.len() != params {
            return bad(format!("{} quantized parameters for {params}", self.params.params.len()));
        }
        if program.selections.len() != self.layout.selections.len()
            || program.selections.iter().zip(&self.layout.selections).any(|(t, q)| t.values.len() != q.len())
        {
            return bad("its gather tables differ from its layout's".into());
        }
        let mut defined = program.num_inputs();
        for (index, layer) in program.layers.iter().enumerate() {
            let table_ok = match layer.activation {
                Activation::Table(f) => self.layout.function(f).is_some(),
                Activation::Select { table } => (table as usize) < program.selections.len(),
                Activation::NonNegative { .. } => self.layout.exact.contains(&layer.activation.table_kind()),
                _ => true,
            };
            if !table_ok {
                return bad(format!("layer {index} reads a table the layout lacks"));
            }
            let quotient = layer.activation.is_hint();
            let check = matches!(layer.activation, Activation::NonNegative { .. });
            for neuron in &layer.neurons {
                let weight_ok = |w: Weight| match w {
                    Weight::Param(p) => (p as usize) < params,
                    Weight::Value(v) => (v as usize) < defined,
                    Weight::Const(c) => c.is_finite(),
                    // As a quantized parameter: the sums stay far inside i128.
                    Weight::Integer(k) => k.unsigned_abs() < 1 << 62,
                    Weight::Divisor => true,
                };
                if neuron.terms.iter().any(|&(v, w)| v as usize >= defined || !weight_ok(w))
                    || neuron.bias.is_some_and(|b| b as usize >= params)
                {
                    return bad(format!("layer {index} reads a value or parameter that does not exist before it"));
                }
                let divisors = neuron.terms.iter().filter(|t| t.1 == Weight::Divisor).count();
                if divisors != usize::from(quotient) {
                    return bad(format!("layer {index} has a neuron with {divisors} divisors"));
                }
                if check && neuron.bias.is_some() {
                    return bad(format!("layer {index} checks a sum with a bias parameter"));
                }
            }
            defined += layer.neurons.len();
        }
        if program.outputs.len() != program.num_outputs() || program.outputs.iter().any(|&v| v as usize >= defined) {
            return bad("its outputs are not values it computes".into());
        }
        Ok(())
    }

    /// [`Self::settings`] as the model's owner publishes them: for a private
    /// model with the weight commitment, which verification then requires
    /// of every proof (a Poseidon hash of every weight, so not on every call).
    pub fn published_settings(&self) -> ModelSettings {
        ModelSettings {
            model_commitment: self.visibility.private_model.then(|| crate::model_commitment(self)),
            ..self.settings()
        }
    }

    /// Where the public values sit.
    pub fn instance_layout(&self) -> InstanceLayout {
        self.settings().instance_layout()
    }

    /// Rows the layers take in a circuit of `shape`.
    pub fn layer_rows(program: &Program, shape: &CircuitShape) -> usize {
        program
            .layers
            .iter()
            .flat_map(|l| l.neurons.iter().map(|n| shape.neuron_rows(n.terms.len(), l.activation)))
            .sum()
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
    let visibility = options.visibility;
    let (inputs, outputs) = (program.input_shapes.len(), program.output_shapes.len());
    if inputs < 64 && visibility.private_inputs >> inputs != 0
        || outputs < 64 && visibility.private_outputs >> outputs != 0
    {
        return Err(ZkmlError::Model(format!(
            "the visibility names an input or output the model does not have ({inputs} inputs, {outputs} outputs)"
        )));
    }
    if visibility.private_model && program.selections.iter().any(|t| t.param) {
        return Err(ZkmlError::Model(
            "the program gathers model parameters by table, which would publish them; lower it for a private \
             model (onnx::lower_with, as compile_onnx does)"
                .into(),
        ));
    }
    let private = Visibility::public_values(&program.input_shapes, |i| !visibility.input_is_public(i));
    let program = program.with_input_range_check(&private);
    let params = QuantizedParams::new(&program, s)?;
    let mut extremes = Extremes::default();
    for sample in calibration {
        quantize::forward(&program, &params, s, None, sample, &mut extremes)?;
    }
    let layout = quantize::layout_for(&program, s, &extremes)?;
    let scale = layout.scale() as f64;
    let mut report = CalibrationReport {
        samples: calibration.len(),
        max_abs_error: 0.0,
        argmax_agreement: 0,
        tract: None,
        tables: layout
            .functions
            .iter()
            .map(|t| TableReport {
                function: t.function,
                step: (1u64 << t.shift) as f64 / scale,
                range: (1u64 << (t.shift + t.index_bits)) as f64 / scale,
                max_abs_error: 0.0,
            })
            .collect(),
    };
    for sample in calibration {
        let trace = quantize::forward(&program, &params, s, Some(&layout), sample, &mut Extremes::default())?;
        let activations = program.layers.iter().flat_map(|l| l.neurons.iter().map(move |_| l.activation));
        for (activation, neuron) in activations.zip(&trace.neurons) {
            if let Activation::Table(f) = activation {
                if let Some(entry) = report.tables.iter_mut().find(|t| t.function == f) {
                    let exact = quantize::function_at(f, neuron.q, s) as f64 / scale;
                    entry.max_abs_error = entry.max_abs_error.max((neuron.out as f64 / scale - exact).abs());
                }
            }
        }
        let float = program.forward(sample);
        let quantized: Vec<f64> = trace.outputs.iter().map(|&v| v as f64 / scale).collect();
        report.max_abs_error = report.max_abs_error.max(max_abs_difference(&quantized, &float));
        report.argmax_agreement += (argmax(&quantized) == argmax(&float)) as usize;
    }
    // A private model absorbs its salt before its weights.
    let commitment_rows =
        if options.visibility.private_model { commitment::commitment_rows(params.params.len() + 1) } else { 0 };
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
        general: !layout.is_compact(),
        products: program.has_products(),
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
    let commitment_salt = options.visibility.private_model.then(crate::public::random_salt);
    let model =
        CompiledModel { program, params, layout, shape, visibility: options.visibility, k, report, commitment_salt };
    // A program built by hand gets the checks a file read from disk gets.
    model.check()?;
    Ok(model)
}

/// The index of the largest value (the first, on ties): a classifier's answer.
pub fn argmax(v: &[f64]) -> usize {
    v.iter().enumerate().fold(0, |best, (i, x)| if *x > v[best] { i } else { best })
}

/// `max |a_i − b_i|`.
pub fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
}

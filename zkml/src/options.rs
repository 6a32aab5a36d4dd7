//! What a user chooses when compiling a model.

use serde::{Deserialize, Serialize};

/// What is public: each model input and output (by its position in the
/// graph), and the weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    /// The quantized inputs are instances (else they stay in the witness,
    /// range-checked).
    pub public_input: bool,
    /// The weights are private advice bound by a public Poseidon commitment
    /// (else they are fixed columns of the circuit, part of the verifying key).
    pub private_model: bool,
    /// Bit `i`: model input `i` is private even when `public_input` is set.
    #[serde(default)]
    pub private_inputs: u64,
    /// Bit `i`: model output `i` is private (computed and proved, but not an
    /// instance).
    #[serde(default)]
    pub private_outputs: u64,
}

impl Visibility {
    /// Every input public or every input private, the weights fixed or
    /// committed, every output public.
    pub fn new(public_input: bool, private_model: bool) -> Self {
        Self { public_input, private_model, private_inputs: 0, private_outputs: 0 }
    }

    /// Whether model input `i` is public.
    pub fn input_is_public(&self, i: usize) -> bool {
        self.public_input && !bit(self.private_inputs, i)
    }

    /// Whether model output `i` is public.
    pub fn output_is_public(&self, i: usize) -> bool {
        !bit(self.private_outputs, i)
    }

    /// The flat indices of the public values among `shapes`' values, where
    /// `public(i)` says whether tensor `i` is public.
    pub fn public_values(shapes: &[Vec<usize>], public: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut out = Vec::new();
        let mut offset = 0;
        for (i, shape) in shapes.iter().enumerate() {
            let n: usize = shape.iter().product();
            if public(i) {
                out.extend(offset..offset + n);
            }
            offset += n;
        }
        out
    }
}

impl Default for Visibility {
    /// Inputs and outputs public, weights fixed.
    fn default() -> Self {
        Self::new(true, false)
    }
}

fn bit(mask: u64, i: usize) -> bool {
    i < 64 && mask >> i & 1 == 1
}

/// Options of [`compile`](crate::compile).
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

//! What a user chooses when compiling a model.

use serde::{Deserialize, Serialize};

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

//! What a verifier needs besides the verifying key, and where the public
//! values sit in the instance column.

use std::ops::Range;

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::PrimeField;
use serde::{Deserialize, Serialize};

use crate::circuit::CircuitShape;
use crate::quantize::TableLayout;
use crate::{Visibility, ZkmlError};

/// Where the public values sit in the instance column: the public inputs'
/// values, then the weight commitment (when the model is private), then the
/// public outputs' values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceLayout {
    /// Rows of the public inputs' values.
    pub inputs: Range<usize>,
    /// Row of the weight commitment (when the model is private).
    pub commitment: Option<usize>,
    /// Rows of the public outputs' values.
    pub outputs: Range<usize>,
}

impl InstanceLayout {
    /// Rows in all.
    pub fn len(&self) -> usize {
        self.outputs.end
    }

    /// Whether the column is empty (never, for a model with outputs).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a verifier needs besides the verifying key: no weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSettings {
    /// The inputs' shapes.
    pub input_shapes: Vec<Vec<usize>>,
    /// The outputs' shapes.
    pub output_shapes: Vec<Vec<usize>>,
    /// Table and scale layout.
    pub layout: TableLayout,
    /// Column layout (halo2 `Circuit::Params`).
    pub shape: CircuitShape,
    /// What is public.
    pub visibility: Visibility,
    /// Rows: `2^k`.
    pub k: u32,
    /// A private model's weight commitment as its owner published it (see
    /// [`crate::CompiledModel::published_settings`]): a proof must carry this
    /// one, or it is a proof about other weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_commitment: Option<String>,
}

/// The largest `k` a model compiles to (the compiler's own limit).
pub const MAX_K: u32 = 24;

impl ModelSettings {
    /// Checks what a settings file from elsewhere claims before anything is
    /// sized by it: `k`, scale, limbs and lanes in the compiler's ranges,
    /// every table and every tensor within `2^k` rows (no arithmetic on the
    /// file's numbers can overflow or allocate past them).
    pub fn check(&self) -> Result<(), ZkmlError> {
        let bad = |what: String| Err(ZkmlError::Model(format!("invalid settings: {what}")));
        let (layout, shape) = (&self.layout, &self.shape);
        if !(1..=MAX_K).contains(&self.k) {
            return bad(format!("2^{} rows (at most 2^{MAX_K})", self.k));
        }
        if !(4..=24).contains(&layout.scale_bits) || shape.scale_bits != layout.scale_bits {
            return bad(format!("scale 2^{} (circuit 2^{})", layout.scale_bits, shape.scale_bits));
        }
        if !(1..=8).contains(&shape.limb_bits) || layout.scale_bits % shape.limb_bits != 0 {
            return bad(format!("{}-bit limbs at scale 2^{}", shape.limb_bits, layout.scale_bits));
        }
        if ![1, 2, 4, 8].contains(&shape.lanes) {
            return bad(format!("{} lanes", shape.lanes));
        }
        let rows = 1usize << self.k;
        if layout.hi_bits > self.k
            || layout.functions.iter().any(|t| t.shift > layout.scale_bits || t.index_bits > self.k)
        {
            return bad("a table wider than the circuit".into());
        }
        let selections = layout.selections.iter().try_fold(0usize, |sum, t| sum.checked_add(t.len()));
        if selections.is_none_or(|n| n > rows) || layout.rows(shape.limb_bits) > rows {
            return bad(format!("tables of more than 2^{} rows", self.k));
        }
        for shapes in [&self.input_shapes, &self.output_shapes] {
            let values = shapes.iter().try_fold(0usize, |sum, s| {
                s.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).and_then(|n| sum.checked_add(n))
            });
            if values.is_none_or(|n| n > rows) {
                return bad(format!("tensors of more values than the circuit's 2^{} rows", self.k));
            }
        }
        Ok(())
    }

    /// Where the public values sit.
    pub fn instance_layout(&self) -> InstanceLayout {
        let inputs = self.public_inputs().len();
        let commitment = self.visibility.private_model.then_some(inputs);
        let outputs_start = inputs + usize::from(self.visibility.private_model);
        let outputs = self.public_outputs().len();
        InstanceLayout { inputs: 0..inputs, commitment, outputs: outputs_start..outputs_start + outputs }
    }

    /// The digest the verifying key binds (see [`crate::circuit`]): a
    /// Blake2b-256 hash of these settings' JSON, cut to 248 bits so it is a
    /// field element. Every field counts: layout, scales, shapes,
    /// visibility and the published weight commitment.
    pub fn digest(&self) -> Fr {
        let json = serde_json::to_vec(self).expect("settings serialize");
        let hash = blake2b_simd::Params::new().hash_length(32).personal(b"zkaccel-settings").hash(&json);
        let mut repr = [0u8; 32];
        repr[..31].copy_from_slice(&hash.as_bytes()[..31]);
        Fr::from_repr(repr).expect("a 248-bit value is below the modulus")
    }

    /// Flat indices (among all input values) of the public ones.
    pub fn public_inputs(&self) -> Vec<usize> {
        Visibility::public_values(&self.input_shapes, |i| self.visibility.input_is_public(i))
    }

    /// Flat indices (among all output values) of the public ones.
    pub fn public_outputs(&self) -> Vec<usize> {
        Visibility::public_values(&self.output_shapes, |i| self.visibility.output_is_public(i))
    }
}

//! What a verifier needs besides the verifying key, and where the public
//! values sit in the instance column.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::circuit::CircuitShape;
use crate::quantize::TableLayout;
use crate::Visibility;

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

impl ModelSettings {
    /// Where the public values sit.
    pub fn instance_layout(&self) -> InstanceLayout {
        let inputs = self.public_inputs().len();
        let commitment = self.visibility.private_model.then_some(inputs);
        let outputs_start = inputs + usize::from(self.visibility.private_model);
        let outputs = self.public_outputs().len();
        InstanceLayout { inputs: 0..inputs, commitment, outputs: outputs_start..outputs_start + outputs }
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

//! What a verifier needs besides the verifying key, and where the public
//! values sit in the instance column.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::circuit::CircuitShape;
use crate::quantize::TableLayout;
use crate::Visibility;

/// Where the public values sit in the instance column: the inputs (when
/// public), then the weight commitment (when the model is private), then the
/// outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceLayout {
    /// Rows of the inputs (empty when the input is private).
    pub inputs: Range<usize>,
    /// Row of the weight commitment (when the model is private).
    pub commitment: Option<usize>,
    /// Rows of the outputs.
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
}

impl ModelSettings {
    /// Where the public values sit.
    pub fn instance_layout(&self) -> InstanceLayout {
        let count = |shapes: &[Vec<usize>]| shapes.iter().map(|s| s.iter().product::<usize>()).sum::<usize>();
        let inputs = if self.visibility.public_input { count(&self.input_shapes) } else { 0 };
        let commitment = self.visibility.private_model.then_some(inputs);
        let outputs_start = inputs + usize::from(self.visibility.private_model);
        let outputs = count(&self.output_shapes);
        InstanceLayout { inputs: 0..inputs, commitment, outputs: outputs_start..outputs_start + outputs }
    }
}

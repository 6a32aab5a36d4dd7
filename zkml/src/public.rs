//! The public values of a proof and the instance column they make.

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use serde::{Deserialize, Serialize};

use crate::circuit::felt;
use crate::{commitment, CompiledModel, ModelSettings, ZkmlError};

/// The public values of a proof: what a verifier sees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicValues {
    /// The public inputs' quantized values, in order (absent when every input is private).
    pub inputs: Option<Vec<i64>>,
    /// The Poseidon commitment to the weights, decimal (when the model is private).
    pub model_commitment: Option<String>,
    /// The public outputs' quantized values, in order.
    pub outputs: Vec<i64>,
    /// `s`: values are at scale `2^s`.
    pub scale_bits: u32,
    /// Blake2b-256 (hex) of the proof these values belong to, when written
    /// beside one ([`crate::digest_hex`]): a `public.json` left beside
    /// another run's proof (an interrupted `prove`) is then a clear error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_digest: Option<String>,
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
        let mut column = Vec::with_capacity(layout.len());
        let num_inputs = layout.inputs.len();
        match (&self.inputs, num_inputs > 0) {
            (Some(inputs), true) if inputs.len() == num_inputs => {
                column.extend(inputs.iter().map(|&v| felt(v as i128)))
            }
            (None, false) => {}
            (Some(inputs), true) => {
                return Err(bad(format!("{} input values, the model has {num_inputs} public ones", inputs.len())))
            }
            (_, public) => {
                return Err(bad(format!("the model's inputs are {}", if public { "public" } else { "private" })))
            }
        }
        match (&self.model_commitment, settings.visibility.private_model) {
            (Some(c), true) => {
                if settings.model_commitment.as_ref().is_some_and(|published| published != c) {
                    return Err(bad(format!(
                        "the proof's weight commitment {c} is not the model's published one: it is about other weights"
                    )));
                }
                column.push(parse_field(c).ok_or_else(|| bad(format!("'{c}' is not a canonical field element")))?)
            }
            (None, false) => {}
            (_, private) => {
                return Err(bad(format!(
                    "the model is {}",
                    if private { "private (a commitment is needed)" } else { "fixed" }
                )))
            }
        }
        if self.outputs.len() != layout.outputs.len() {
            return Err(bad(format!("{} outputs, the model has {}", self.outputs.len(), layout.outputs.len())));
        }
        column.extend(self.outputs.iter().map(|&v| felt(v as i128)));
        Ok(column)
    }

    /// The outputs as floats.
    pub fn outputs_f64(&self) -> Vec<f64> {
        self.outputs.iter().map(|&v| v as f64 / (1u64 << self.scale_bits) as f64).collect()
    }
}

/// A field element in its canonical decimal: below `r`, no sign, no leading
/// zero. `from_str_vartime` alone reduces `c + r` to `c`, so two strings
/// would verify as one commitment.
pub(crate) fn parse_field(decimal: &str) -> Option<Fr> {
    Fr::from_str_vartime(decimal).filter(|f| field_decimal(*f) == decimal)
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

/// The Poseidon commitment to `model`'s quantized weights, in decimal:
/// its salt ([`CompiledModel::commitment_salt`], zero when it has none or
/// an unreadable one, which [`CompiledModel::check`] refuses), then the weights.
pub fn model_commitment(model: &CompiledModel) -> String {
    field_decimal(commitment::poseidon_commit(&committed_values(model)))
}

/// What a private model's commitment absorbs: the salt, then every weight.
pub(crate) fn committed_values(model: &CompiledModel) -> Vec<Fr> {
    let salt = model.commitment_salt.as_deref().and_then(parse_field).unwrap_or(Fr::ZERO);
    std::iter::once(salt).chain(model.params.params.iter().map(|&p| felt(p as i128))).collect()
}

/// A fresh commitment salt from the operating system's generator.
pub(crate) fn random_salt() -> String {
    field_decimal(Fr::random(rand_core::OsRng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_axiom::halo2curves::ff::Field;

    /// Only the canonical decimal of an element parses: `c + r`, `c + 5r`,
    /// a leading zero or sign, and non-digits are refused.
    #[test]
    fn commitments_parse_only_in_canonical_form() {
        let c = Fr::from(123_456_789u64) * Fr::from(987_654_321u64).square();
        let decimal = field_decimal(c);
        assert_eq!(parse_field(&decimal), Some(c));
        assert_eq!(parse_field("0"), Some(Fr::ZERO));
        // r = 21888242871839275222246405745257275088548364400416034343698204186575808495617.
        let r_plus = |k: u32| {
            // Decimal addition of k·r and c, digit by digit.
            let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
            let (a, b): (Vec<u32>, Vec<u32>) = (
                r.bytes().rev().map(|d| u32::from(d - b'0') * k).collect(),
                decimal.bytes().rev().map(|d| u32::from(d - b'0')).collect(),
            );
            let (mut out, mut carry) = (Vec::new(), 0);
            for i in 0..a.len().max(b.len()) {
                let sum = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
                out.push(char::from(b'0' + (sum % 10) as u8));
                carry = sum / 10;
            }
            while carry > 0 {
                out.push(char::from(b'0' + (carry % 10) as u8));
                carry /= 10;
            }
            out.into_iter().rev().collect::<String>()
        };
        for k in [1, 5] {
            let alias = r_plus(k);
            assert_eq!(Fr::from_str_vartime(&alias), Some(c), "the alias c + {k}r reduces to c");
            assert_eq!(parse_field(&alias), None, "c + {k}r accepted");
        }
        for bad in [format!("0{decimal}"), format!("+{decimal}"), format!("{decimal} "), "-1".into(), String::new()] {
            assert_eq!(parse_field(&bad), None, "{bad:?} accepted");
        }
    }
}

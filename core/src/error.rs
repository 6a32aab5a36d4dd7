//! The one error type of every zkaccel operation.

use crate::backend::Operation;
use crate::curve::PointError;

/// Result of every zkaccel operation.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Why an operation did not produce a result.
///
/// Input errors (lengths, sizes, invalid points or field elements, values
/// missing from a table) are the caller's to fix; device errors
/// ([`Error::is_device_failure`]) make the `Accelerator` redo the call on the CPU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The backend cannot run this operation (or not at this size or curve).
    #[error("{backend} does not support {operation}: {reason}")]
    Unsupported {
        /// The backend's name.
        backend: &'static str,
        /// The operation asked for.
        operation: Operation,
        /// Why not.
        reason: String,
    },
    /// Two inputs that must have related lengths do not.
    #[error("length mismatch in {what}: expected {expected}, got {actual}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A size that must be a power of two is not.
    #[error("size {size} is not a power of two")]
    NotPowerOfTwo {
        /// The size given.
        size: usize,
    },
    /// A size is beyond what the field, curve or device supports.
    #[error("size {size} exceeds the maximum {max}")]
    SizeTooLarge {
        /// The size given.
        size: usize,
        /// The largest size supported.
        max: usize,
    },
    /// Inputs whose layout does not fit the operation (e.g. a buffer that is not a whole number of columns).
    #[error("invalid shape: {reason}")]
    InvalidShape {
        /// What is wrong.
        reason: String,
    },
    /// An input point is not a valid curve point.
    #[error("point {index} is invalid: {reason}")]
    InvalidPoint {
        /// Its index in the input.
        index: usize,
        /// What is wrong with it.
        reason: PointError,
    },
    /// A field element's representation is not below the modulus.
    #[error("{what}[{index}] is not a reduced field element")]
    InvalidFieldElement {
        /// Which input.
        what: &'static str,
        /// Its index in that input.
        index: usize,
    },
    /// A lookup input value does not occur in the table.
    #[error("lookup input column {column}, row {row} is not in the table")]
    NotInTable {
        /// The input column.
        column: usize,
        /// The row in that column.
        row: usize,
    },
    /// A value that must be inverted is zero.
    #[error("element {index} is zero and has no inverse")]
    NotInvertible {
        /// Its index in the input.
        index: usize,
    },
    /// A prepared-bases handle was made by another backend or for another base set.
    #[error("prepared bases belong to {found}, not {expected}")]
    PreparedBasesMismatch {
        /// The backend the call went to.
        expected: &'static str,
        /// The backend that made the handle.
        found: &'static str,
    },
    /// A device or host allocation failed.
    #[error("{backend} is out of memory ({requested_bytes} bytes requested)")]
    OutOfMemory {
        /// The backend.
        backend: &'static str,
        /// The size of the failed allocation.
        requested_bytes: usize,
    },
    /// A backend was asked for but is not available on this machine.
    #[error("backend {backend} is unavailable: {reason}")]
    Unavailable {
        /// The backend's name.
        backend: &'static str,
        /// Why (no driver, no device, no bitstream, not built in).
        reason: String,
    },
    /// A configuration value (such as `ZKACCEL_BACKEND`) is not understood.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The device reported a failure while running the operation.
    #[error("{backend} device error: {msg}")]
    Device {
        /// The backend.
        backend: &'static str,
        /// What the driver or runtime said.
        msg: String,
    },
}

impl Error {
    /// Whether the failure lies with the device rather than the input, so
    /// that redoing the same call on the CPU can succeed.
    pub fn is_device_failure(&self) -> bool {
        matches!(
            self,
            Self::Device { .. }
                | Self::OutOfMemory { .. }
                | Self::Unsupported { .. }
                | Self::Unavailable { .. }
                | Self::PreparedBasesMismatch { .. }
        )
    }
}

//! What can go wrong, as one error type.

use std::path::{Path, PathBuf};

use zkaccel_frontend_halo2::Halo2Error;

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
    /// Another command is using the model directory (see [`crate::ModelDir`]).
    #[error("busy: {0}")]
    Busy(String),
    /// halo2 rejected the circuit, a key or the inputs.
    #[error(transparent)]
    Halo2(Halo2Error),
    /// The Accelerator failed (after its own CPU fallback) or rejected input:
    /// the one variant for its errors, however they arrive.
    #[error("accelerator: {0}")]
    Accelerator(#[from] zkaccel::Error),
    /// Reading or writing a file failed (a malformed file is
    /// [`std::io::ErrorKind::InvalidData`], with what was wrong).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// An Accelerator error inside a halo2 error becomes [`ZkmlError::Accelerator`].
impl From<Halo2Error> for ZkmlError {
    fn from(e: Halo2Error) -> Self {
        match e {
            Halo2Error::Accelerator(e) => Self::Accelerator(e),
            other => Self::Halo2(other),
        }
    }
}

impl ZkmlError {
    /// A closure that turns an I/O error on `path` into [`ZkmlError::Io`].
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io { path: path.to_path_buf(), source }
    }

    /// [`ZkmlError::Io`] for a file that was read but is not what it should be.
    pub fn invalid_file(path: &Path, what: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string()),
        }
    }
}

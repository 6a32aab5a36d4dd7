//! zkML on zkaccel: ONNX models compiled to halo2 circuits.
//!
//! Status: not implemented yet; it arrives with the zkML issue (after the
//! halo2 frontend). This crate deliberately exports nothing until then.

//! The CUDA backend of zkaccel.
//!
//! Status: not implemented yet. The kernels (MSM, NTT, lookup kernels in
//! CUDA C++ compiled by NVRTC and loaded through cudarc) arrive with the
//! CUDA issue. Until then this crate only reports itself unavailable, with
//! the reason, so that `zkaccel info` and backend discovery are honest about
//! it; it never pretends to run anything.

use zkaccel_core::Availability;

/// The backend's name, as `ZKACCEL_BACKEND=cuda` selects it.
pub const NAME: &str = "cuda";

/// Why this build cannot use a GPU.
pub fn availability() -> Availability {
    Availability::Unavailable("this build has no CUDA kernels yet (they arrive with the CUDA backend issue)".into())
}

//! The FPGA backend of zkaccel.
//!
//! Status: not implemented yet. The host side (an XRT device driven over
//! OpenCL, running the `krnl_msm` RTL kernel of `hdl/`) and the Verilator
//! simulation device arrive with the FPGA issue. Until then this crate only
//! reports itself unavailable, with the reason; it never pretends to run
//! anything.

use zkaccel_core::Availability;

/// The backend's name, as `ZKACCEL_BACKEND=fpga` selects it.
pub const NAME: &str = "fpga";

/// Why this build cannot use an FPGA.
pub fn availability() -> Availability {
    Availability::Unavailable(
        "this build has no FPGA host code or bitstream yet (they arrive with the FPGA issue)".into(),
    )
}

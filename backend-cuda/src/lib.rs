//! The CUDA backend of zkaccel.
//!
//! Kernels are CUDA C++ under `kernels/`, embedded in the crate and compiled
//! by NVRTC at first use for the GPU's architecture ([`nvrtc`], cached on
//! disk). The driver and NVRTC are loaded at run time through cudarc, so this
//! crate builds and its tests run on machines with no CUDA at all;
//! [`availability`] says why a machine cannot use it.
//!
//! Layering, as in cudarc: `kernels/*.cuh` hold the per-thread arithmetic and
//! algorithms as `__host__ __device__` code (the feature `host-kernels` builds
//! them for the host, where the tests check them against zkaccel-core);
//! `kernels/zkaccel.cu` wraps them as kernels; [`gpu`] launches them.
//!
//! Offered: MSM (plain, prepared bases resident on the device, batched), NTT
//! (forward, inverse, coset, batched columns; LDE through them), and the
//! lookup kernels multiplicities, batch inversion, `1/(β + x)` and prefix
//! products; constraint programs (a PLONK quotient's numerator), one thread
//! per row interpreting the program. halo2's permuted lookup is a sort with data-dependent output and
//! stays on the CPU: the backend does not implement `PermuteLookup`.

pub mod gpu;
#[cfg(feature = "host-kernels")]
pub mod host;
pub mod kernels;
pub mod nvrtc;

use zkaccel_core::{Availability, Operation};

/// The backend's name, as `ZKACCEL_BACKEND=cuda` selects it.
pub const NAME: &str = "cuda";

pub use gpu::{device_count, open, open_ordinal, CudaBackend};

/// A constraint program as `kernels/constraints.cuh` reads it: three words per
/// node (opcode, operands; a column read's rotation as two's complement) and
/// the constraints' node indices.
pub fn encode_constraint_program(program: &zkaccel_core::ConstraintProgram) -> (Vec<u32>, Vec<u32>) {
    use zkaccel_core::constraints::Node;
    let nodes = program
        .nodes()
        .iter()
        .flat_map(|node| match *node {
            Node::Column { column, rotation } => [0, column, rotation as u32],
            Node::Point => [1, 0, 0],
            Node::Constant(c) => [2, c, 0],
            Node::Neg(a) => [3, a, 0],
            Node::Add(a, b) => [4, a, b],
            Node::Sub(a, b) => [5, a, b],
            Node::Mul(a, b) => [6, a, b],
        })
        .collect();
    (nodes, program.constraints().to_vec())
}

/// The largest input of `op` the CUDA backend takes: index widths on the
/// device cap the sizes.
pub fn max_size(op: Operation) -> usize {
    match op {
        Operation::Ntt | Operation::Lde | Operation::ConstraintEvaluation => 1 << 28,
        _ => u32::MAX as usize / 2,
    }
}

/// Whether this machine can run the CUDA backend: a driver library, a GPU
/// and NVRTC; with the device's details. Never panics.
pub fn availability() -> Availability {
    match std::panic::catch_unwind(gpu::open_context) {
        Ok(Ok(ctx)) => Availability::Available(gpu::device_info(&ctx)),
        Ok(Err(reason)) => Availability::Unavailable(reason),
        Err(_) => Availability::Unavailable("probing the CUDA driver panicked".into()),
    }
}

//! The kernels' bodies compiled for the host (`kernels/host_emu.cpp`,
//! feature `host-kernels`): each function runs a kernel sequence with the
//! launches' threads one after another. Raw C ABI, for the tests; buffers are
//! Montgomery limbs (4 × u64 per field element, as zkaccel-core stores them).
#![allow(missing_docs)]

extern "C" {
    pub fn zk_host_fq_mul(a: *const u64, b: *const u64, out: *mut u64);
    pub fn zk_host_fq_add(a: *const u64, b: *const u64, out: *mut u64);
    pub fn zk_host_fq_sub(a: *const u64, b: *const u64, out: *mut u64);
    pub fn zk_host_fr_mul(a: *const u64, b: *const u64, out: *mut u64);
    pub fn zk_host_fr_inverse(a: *const u64, out: *mut u64);
    pub fn zk_host_fr_to_canonical(a: *const u64, out: *mut u64);
    pub fn zk_host_g1_sum(affine: *const u64, n: u32, mixed: *mut u64, full: *mut u64);
    pub fn zk_host_g1_mul_small(affine: *const u64, k: u32, out: *mut u64);
    pub fn zk_host_msm(
        bases: *const u64,
        scalars: *const u64,
        n: u32,
        c: u32,
        segments: u32,
        scan_chunk: u32,
        out: *mut u64,
    );
    #[allow(clippy::too_many_arguments)]
    pub fn zk_host_ntt(
        data: *mut u64,
        log_n: u32,
        columns: u32,
        twiddles: *const u64,
        tile_log: u32,
        pre_shift: *const u64,
        pre_scale: *const u64,
        post_shift: *const u64,
        post_scale: *const u64,
    );
    pub fn zk_host_batch_inverse(input: *const u64, out: *mut u64, n: u32, chunk: u32, beta: *const u64) -> u32;
    pub fn zk_host_prefix_product(input: *const u64, out: *mut u64, n: u32, chunk: u32);
    pub fn zk_host_multiplicities(
        table: *const u64,
        rows: u32,
        inputs: *const u64,
        total: u32,
        capacity: u32,
        counts: *mut u64,
    ) -> u32;
    #[allow(clippy::too_many_arguments)]
    pub fn zk_host_constraints(
        nodes: *const u32,
        node_count: u32,
        constraints: *const u32,
        constraint_count: u32,
        columns: *const u64,
        n: u32,
        constants: *const u64,
        shift: *const u64,
        omega: *const u64,
        y: *const u64,
        out: *mut u64,
    );
}

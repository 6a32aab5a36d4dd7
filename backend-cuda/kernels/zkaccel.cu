// Every zkaccel kernel, one NVRTC translation unit (one module per device).
// The per-thread work is in the *.cuh bodies, which the host build also runs.
#include "constraints.cuh"
#include "lookup.cuh"
#include "msm.cuh"
#include "ntt.cuh"
#include "scan.cuh"

#define ZK_GID ((u64)blockIdx.x * blockDim.x + threadIdx.x)

extern "C" __global__ void msm_digits(const u32* scalars, u32 n, u32 c, u32 windows, u32* keys, u32* vals,
                                      u32* counts) {
    u64 i = ZK_GID;
    if (i < n) msm_digits_body((u32)i, scalars, n, c, windows, keys, vals, counts);
}

extern "C" __global__ void msm_scatter(const u32* keys, const u32* vals, u64 entries, u32* cursor, u32* sorted) {
    u64 e = ZK_GID;
    if (e < entries) msm_scatter_body(e, keys, vals, cursor, sorted);
}

extern "C" __global__ void msm_accumulate(const u32* bases, const u32* offsets, const u32* counts, const u32* sorted,
                                          u32 buckets_len, u32* buckets) {
    u64 b = ZK_GID;
    if (b < buckets_len) msm_accumulate_body((u32)b, bases, offsets, counts, sorted, buckets);
}

extern "C" __global__ void msm_reduce(const u32* buckets, u32 half, u32 segments, u32 threads, u32* parts) {
    u64 t = ZK_GID;
    if (t < threads) msm_reduce_body((u32)t, buckets, half, segments, parts);
}

extern "C" __global__ void msm_tree_sum(u32* parts, u32 segments, u32 stride, u32 threads) {
    u64 t = ZK_GID;
    if (t < threads) msm_tree_sum_body((u32)t, parts, segments, stride);
}

extern "C" __global__ void msm_combine(const u32* parts, u32 windows, u32 segments, u32 c, u32* out) {
    if (ZK_GID == 0) msm_combine_body(parts, windows, segments, c, out);
}

extern "C" __global__ void scan_u32_chunk(const u32* in, u32* out, u32 n, u32 chunk, u32 chunks, u32* sums) {
    u64 t = ZK_GID;
    if (t < chunks) scan_u32_chunk_body((u32)t, in, out, n, chunk, sums);
}

extern "C" __global__ void scan_u32_sums(u32* sums, u32 chunks) {
    if (ZK_GID == 0) scan_u32_sums_body(sums, chunks);
}

extern "C" __global__ void scan_u32_add(u32* out, u32 n, u32 chunk, const u32* sums) {
    u64 i = ZK_GID;
    if (i < n) scan_u32_add_body((u32)i, out, chunk, sums);
}

extern "C" __global__ void prefix_product_chunk(const u32* in, u32* out, u32 n, u32 chunk, u32 chunks, u32* sums) {
    u64 t = ZK_GID;
    if (t < chunks) prefix_product_chunk_body((u32)t, in, out, n, chunk, sums);
}

extern "C" __global__ void prefix_product_sums(u32* sums, u32 chunks) {
    if (ZK_GID == 0) prefix_product_sums_body(sums, chunks);
}

extern "C" __global__ void prefix_product_apply(u32* out, u32 n, u32 chunk, const u32* sums) {
    u64 i = ZK_GID;
    if (i < n) prefix_product_apply_body((u32)i, out, chunk, sums);
}

// Columns along blockIdx.y, `n` elements each.
extern "C" __global__ void ntt_bit_reverse(u32* data, u32 log_n) {
    u64 i = ZK_GID;
    if (i < (1ull << log_n)) ntt_bit_reverse_body((u32)i, data + ((u64)blockIdx.y << log_n) * ZK_LIMBS, log_n);
}

// One block of 2^(t-1) threads per tile; blockIdx.x the tile, blockIdx.y the column.
extern "C" __global__ void ntt_tile_pass(u32* data, u32 log_n, u32 s0, u32 t, const u32* twiddles) {
    __shared__ Fr tile[1u << ZK_NTT_TILE_LOG];
    u32* column = data + ((u64)blockIdx.y << log_n) * ZK_LIMBS;
    u32 g = blockIdx.x, half = 1u << (t - 1);
    for (u32 m = threadIdx.x; m < 2 * half; m += blockDim.x)
        tile[m] = Fr::load(column + (u64)ntt_tile_index(g, m, s0, t) * ZK_LIMBS);
    __syncthreads();
    for (u32 r = 0; r < t; r++) {
        for (u32 b = threadIdx.x; b < half; b += blockDim.x) ntt_tile_butterfly(tile, g, b, r, s0, log_n, twiddles);
        __syncthreads();
    }
    for (u32 m = threadIdx.x; m < 2 * half; m += blockDim.x)
        tile[m].store(column + (u64)ntt_tile_index(g, m, s0, t) * ZK_LIMBS);
}

extern "C" __global__ void ntt_scale(u32* data, u32 log_n, const u32* shift, const u32* scale) {
    u64 i = ZK_GID;
    if (i < (1ull << log_n)) ntt_scale_body((u32)i, data + ((u64)blockIdx.y << log_n) * ZK_LIMBS, shift, scale);
}

extern "C" __global__ void batch_inverse_chunk(const u32* in, u32* out, u32 n, u32 chunk, u32 chunks, const u32* beta,
                                               u32 add_beta, u32* zero_at) {
    u64 t = ZK_GID;
    if (t < chunks) batch_inverse_chunk_body((u32)t, in, out, n, chunk, beta, add_beta, zero_at);
}

extern "C" __global__ void table_insert(const u32* table, u32 rows, u32* slots, u32 capacity) {
    u64 i = ZK_GID;
    if (i < rows) table_insert_body((u32)i, table, slots, capacity);
}

extern "C" __global__ void multiplicity_count(const u32* inputs, u32 total, const u32* table, const u32* slots,
                                              u32 capacity, u64* counts, u32* missing_at) {
    u64 e = ZK_GID;
    if (e < total) multiplicity_count_body((u32)e, inputs, table, slots, capacity, counts, missing_at);
}

extern "C" __global__ void ntt_powers(u32* out, u32 n, const u32* base) {
    u64 i = ZK_GID;
    if (i < n) ntt_powers_body((u32)i, out, base);
}

// Rows t, t + threads, ...: a thread's scratch is reused for each of its rows.
extern "C" __global__ void constraint_rows(const u32* nodes, u32 node_count, const u32* constraints,
                                           u32 constraint_count, const u32* columns, u32 n, const u32* constants,
                                           const u32* shift, const u32* omega, const u32* y, u32* scratch,
                                           u32 threads, u32* out) {
    u64 t = ZK_GID;
    if (t >= threads) return;
    u32* mine = scratch + t * node_count * ZK_LIMBS;
    for (u64 row = t; row < n; row += threads)
        constraint_row_body((u32)row, nodes, node_count, constraints, constraint_count, columns, n, constants, shift,
                            omega, y, mine, out);
}

// The kernels' per-thread bodies run on the host, each launch a loop over its
// threads in order — the sequence of launches the CUDA backend issues, so the
// tests check the device algorithms against zkaccel-core without a GPU.
// (NVRTC never sees this file.)
#include <vector>

#include "constraints.cuh"
#include "lookup.cuh"
#include "msm.cuh"
#include "ntt.cuh"
#include "scan.cuh"

extern "C" {

void zk_host_fq_mul(const u32* a, const u32* b, u32* out) { (Fq::load(a) * Fq::load(b)).store(out); }
void zk_host_fq_add(const u32* a, const u32* b, u32* out) { (Fq::load(a) + Fq::load(b)).store(out); }
void zk_host_fq_sub(const u32* a, const u32* b, u32* out) { (Fq::load(a) - Fq::load(b)).store(out); }
void zk_host_fr_mul(const u32* a, const u32* b, u32* out) { (Fr::load(a) * Fr::load(b)).store(out); }
void zk_host_fr_inverse(const u32* a, u32* out) { Fr::load(a).inverse().store(out); }
void zk_host_fr_to_canonical(const u32* a, u32* out) { Fr::load(a).to_canonical(out); }

// Σ points by mixed additions, and the same sum by XYZZ additions of the
// points' XYZZ forms in pairs; both as Jacobian.
void zk_host_g1_sum(const u32* affine, u32 n, u32* mixed, u32* full) {
    G1Xyzz a = G1Xyzz::identity(), b = G1Xyzz::identity();
    for (u32 i = 0; i < n; i++) {
        G1Affine p = G1Affine::load(affine + (u64)i * 2 * ZK_LIMBS);
        a = a.add_affine(p);
        b = b.add(G1Xyzz::from_affine(p));
    }
    a.to_jacobian().store(mixed);
    b.to_jacobian().store(full);
}

// k·P by double-and-add on XYZZ.
void zk_host_g1_mul_small(const u32* affine, u32 k, u32* out) {
    G1Xyzz::from_affine(G1Affine::load(affine)).mul_small(k).to_jacobian().store(out);
}

static void scan_u32(const u32* in, u32* out, u32 n, u32 chunk) {
    u32 chunks = (n + chunk - 1) / chunk;
    std::vector<u32> sums(chunks);
    for (u32 t = 0; t < chunks; t++) scan_u32_chunk_body(t, in, out, n, chunk, sums.data());
    scan_u32_sums_body(sums.data(), chunks);
    for (u32 i = 0; i < n; i++) scan_u32_add_body(i, out, chunk, sums.data());
}

// The MSM pipeline of msm.cuh, as the backend launches it.
void zk_host_msm(const u32* bases, const u32* scalars, u32 n, u32 c, u32 segments, u32 scan_chunk, u32* out) {
    const u32 windows = (255 + c - 1) / c, half = 1u << (c - 1), buckets_len = windows * half;
    const u64 entries = (u64)windows * n;
    std::vector<u32> keys(entries), vals(entries), counts(buckets_len, 0), offsets(buckets_len), sorted(entries);
    for (u32 i = 0; i < n; i++) msm_digits_body(i, scalars, n, c, windows, keys.data(), vals.data(), counts.data());
    scan_u32(counts.data(), offsets.data(), buckets_len, scan_chunk);
    std::vector<u32> cursor(offsets);
    for (u64 e = 0; e < entries; e++) msm_scatter_body(e, keys.data(), vals.data(), cursor.data(), sorted.data());
    std::vector<u32> buckets((u64)buckets_len * 4 * ZK_LIMBS);
    for (u32 b = 0; b < buckets_len; b++)
        msm_accumulate_body(b, bases, offsets.data(), counts.data(), sorted.data(), buckets.data());
    std::vector<u32> parts((u64)windows * segments * 4 * ZK_LIMBS);
    for (u32 t = 0; t < windows * segments; t++) msm_reduce_body(t, buckets.data(), half, segments, parts.data());
    for (u32 stride = 1; stride < segments; stride *= 2)
        for (u32 t = 0; t < windows * segments / (2 * stride); t++) msm_tree_sum_body(t, parts.data(), segments, stride);
    msm_combine_body(parts.data(), windows, segments, c, out);
}

// The NTT of ntt.cuh on `columns` columns of 2^log_n: optional scaling by
// pre_scale·pre_shift^i, bit reversal, passes of up to `tile_log` stages,
// optional scaling by post_scale·post_shift^i.
void zk_host_ntt(u32* data, u32 log_n, u32 columns, const u32* twiddles, u32 tile_log, const u32* pre_shift,
                 const u32* pre_scale, const u32* post_shift, const u32* post_scale) {
    const u32 n = 1u << log_n;
    for (u32 col = 0; col < columns; col++) {
        u32* column = data + (u64)col * n * ZK_LIMBS;
        if (pre_shift)
            for (u32 i = 0; i < n; i++) ntt_scale_body(i, column, pre_shift, pre_scale);
        for (u32 i = 0; i < n; i++) ntt_bit_reverse_body(i, column, log_n);
        std::vector<Fr> tile(1u << tile_log);
        for (u32 s0 = 0; s0 < log_n; s0 += tile_log) {
            u32 t = log_n - s0 < tile_log ? log_n - s0 : tile_log;
            for (u32 g = 0; g < (n >> t); g++) {
                for (u32 m = 0; m < (1u << t); m++) tile[m] = Fr::load(column + (u64)ntt_tile_index(g, m, s0, t) * ZK_LIMBS);
                for (u32 r = 0; r < t; r++)
                    for (u32 b = 0; b < (1u << (t - 1)); b++) ntt_tile_butterfly(tile.data(), g, b, r, s0, log_n, twiddles);
                for (u32 m = 0; m < (1u << t); m++) tile[m].store(column + (u64)ntt_tile_index(g, m, s0, t) * ZK_LIMBS);
            }
        }
        if (post_shift)
            for (u32 i = 0; i < n; i++) ntt_scale_body(i, column, post_shift, post_scale);
    }
}

// 1/(beta + x) (beta may be null); returns the first index of a zero or ZK_NONE.
u32 zk_host_batch_inverse(const u32* in, u32* out, u32 n, u32 chunk, const u32* beta) {
    u32 zero_at = ZK_NONE, chunks = (n + chunk - 1) / chunk;
    u32 zero[ZK_LIMBS] = {0};
    for (u32 t = 0; t < chunks; t++) batch_inverse_chunk_body(t, in, out, n, chunk, beta ? beta : zero, beta != 0, &zero_at);
    return zero_at;
}

// out has n + 1 elements.
void zk_host_prefix_product(const u32* in, u32* out, u32 n, u32 chunk) {
    u32 chunks = (n + chunk - 1) / chunk;
    std::vector<u32> sums((u64)(chunks ? chunks : 1) * ZK_LIMBS);
    if (n == 0) {
        Fr::one().store(out);
        return;
    }
    for (u32 t = 0; t < chunks; t++) prefix_product_chunk_body(t, in, out, n, chunk, sums.data());
    prefix_product_sums_body(sums.data(), chunks);
    for (u32 i = 0; i < n; i++) prefix_product_apply_body(i, out, chunk, sums.data());
}

// Returns the first input index not in the table, or ZK_NONE.
u32 zk_host_multiplicities(const u32* table, u32 rows, const u32* inputs, u32 total, u32 capacity, u64* counts) {
    std::vector<u32> slots(capacity, 0);
    for (u32 i = 0; i < rows; i++) table_insert_body(i, table, slots.data(), capacity);
    u32 missing = ZK_NONE;
    for (u32 e = 0; e < total; e++) multiplicity_count_body(e, inputs, table, slots.data(), capacity, counts, &missing);
    return missing;
}

// One thread with one scratch slice, as `constraint_rows` with threads = 1.
void zk_host_constraints(const u32* nodes, u32 node_count, const u32* constraints, u32 constraint_count,
                         const u32* columns, u32 n, const u32* constants, const u32* shift, const u32* omega,
                         const u32* y, u32* out) {
    std::vector<u32> scratch((u64)(node_count ? node_count : 1) * ZK_LIMBS);
    for (u32 row = 0; row < n; row++)
        constraint_row_body(row, nodes, node_count, constraints, constraint_count, columns, n, constants, shift, omega,
                            y, scratch.data(), out);
}
}

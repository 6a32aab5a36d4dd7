// Exclusive scans in three steps that need no shared memory (and so run the
// same on the host): each thread scans one chunk, one thread scans the chunk
// totals, each element adds its chunk's offset.
#pragma once
#include "field.cuh"

// Counts: out[i] = Σ_{k<i} in[k] within chunk t; sums[t] = the chunk's total.
ZK_HD void scan_u32_chunk_body(u32 t, const u32* in, u32* out, u32 n, u32 chunk, u32* sums) {
    u32 start = t * chunk, end = start + chunk < n ? start + chunk : n, acc = 0;
    for (u32 i = start; i < end; i++) {
        out[i] = acc;
        acc += in[i];
    }
    sums[t] = acc;
}

ZK_HD void scan_u32_sums_body(u32* sums, u32 chunks) {
    u32 acc = 0;
    for (u32 t = 0; t < chunks; t++) {
        u32 v = sums[t];
        sums[t] = acc;
        acc += v;
    }
}

ZK_HD void scan_u32_add_body(u32 i, u32* out, u32 chunk, const u32* sums) { out[i] += sums[i / chunk]; }

// Products: out[i + 1] = Π_{k≤i} in[k] within chunk t (out[0] = 1 is set by
// chunk 0); sums[t] = the chunk's product.
ZK_HD void prefix_product_chunk_body(u32 t, const u32* in, u32* out, u32 n, u32 chunk, u32* sums) {
    u32 start = t * chunk, end = start + chunk < n ? start + chunk : n;
    Fr acc = Fr::one();
    if (t == 0) acc.store(out);
    for (u32 i = start; i < end; i++) {
        acc = acc * Fr::load(in + (u64)i * ZK_LIMBS);
        acc.store(out + (u64)(i + 1) * ZK_LIMBS);
    }
    acc.store(sums + (u64)t * ZK_LIMBS);
}

// Exclusive running products of the chunk products.
ZK_HD void prefix_product_sums_body(u32* sums, u32 chunks) {
    Fr acc = Fr::one();
    for (u32 t = 0; t < chunks; t++) {
        Fr v = Fr::load(sums + (u64)t * ZK_LIMBS);
        acc.store(sums + (u64)t * ZK_LIMBS);
        acc = acc * v;
    }
}

ZK_HD void prefix_product_apply_body(u32 i, u32* out, u32 chunk, const u32* sums) {
    u32 t = i / chunk;
    if (t == 0) return;
    u32* o = out + (u64)(i + 1) * ZK_LIMBS;
    (Fr::load(o) * Fr::load(sums + (u64)t * ZK_LIMBS)).store(o);
}

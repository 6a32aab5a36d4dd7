// Lookup-argument kernels over BN254 Fr.
#pragma once
#include "field.cuh"

#define ZK_NONE 0xffffffffu

// Chunk t of a batch inversion by Montgomery's trick, one field inversion per
// chunk: out = 1/(beta + in) where add_beta, else 1/in. A zero records the
// smallest failing index in *zero_at and leaves the chunk unfinished.
ZK_HD void batch_inverse_chunk_body(u32 t, const u32* in, u32* out, u32 n, u32 chunk, const u32* beta, u32 add_beta,
                                    u32* zero_at) {
    u32 start = t * chunk, end = start + chunk < n ? start + chunk : n;
    Fr b = add_beta ? Fr::load(beta) : Fr::zero();
    Fr acc = Fr::one();
    for (u32 i = start; i < end; i++) {
        Fr x = Fr::load(in + (u64)i * ZK_LIMBS) + b;
        if (x.is_zero()) {
            zk_atomic_min(zero_at, i);
            return;
        }
        acc.store(out + (u64)i * ZK_LIMBS);  // product of the elements before i
        acc = acc * x;
    }
    Fr inv = acc.inverse();
    for (u32 i = end; i-- > start;) {
        Fr x = Fr::load(in + (u64)i * ZK_LIMBS) + b;
        u32* o = out + (u64)i * ZK_LIMBS;
        Fr r = inv * Fr::load(o);
        inv = inv * x;
        r.store(o);
    }
}

// Open addressing over `capacity` (a power of two) slots holding row + 1.
ZK_HD u32 zk_hash(const u32* v) {
    u32 h = v[0] * 0x9e3779b1u ^ v[1] * 0x85ebca6bu ^ v[2] * 0xc2b2ae35u ^ v[7];
    return h ^ (h >> 15);
}

ZK_HD bool zk_equal(const u32* a, const u32* b) {
    u32 acc = 0;
    for (int i = 0; i < ZK_LIMBS; i++) acc |= a[i] ^ b[i];
    return acc == 0;
}

// Inserts table row i; of equal values the smallest row wins.
ZK_HD void table_insert_body(u32 i, const u32* table, u32* slots, u32 capacity) {
    const u32* v = table + (u64)i * ZK_LIMBS;
    u32 h = zk_hash(v) & (capacity - 1u);
    for (;;) {
        u32 old = zk_atomic_cas(&slots[h], 0u, i + 1);
        if (old == 0) return;
        if (zk_equal(table + (u64)(old - 1) * ZK_LIMBS, v)) {
            zk_atomic_min(&slots[h], i + 1);
            return;
        }
        h = (h + 1) & (capacity - 1u);
    }
}

// Counts input e at its table row, or records the smallest missing e.
ZK_HD void multiplicity_count_body(u32 e, const u32* inputs, const u32* table, const u32* slots, u32 capacity,
                                   u64* counts, u32* missing_at) {
    const u32* v = inputs + (u64)e * ZK_LIMBS;
    u32 h = zk_hash(v) & (capacity - 1u);
    for (;;) {
        u32 row = slots[h];
        if (row == 0) {
            zk_atomic_min(missing_at, e);
            return;
        }
        if (zk_equal(table + (u64)(row - 1) * ZK_LIMBS, v)) {
            zk_atomic_add(&counts[row - 1], (u64)1);
            return;
        }
        h = (h + 1) & (capacity - 1u);
    }
}

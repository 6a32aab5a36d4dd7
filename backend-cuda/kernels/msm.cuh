// Pippenger MSM, one thread per work item in every step:
//
//   digits      scalar i → one signed digit per window; (window, |digit|) is a
//               bucket key; counts the points of each bucket
//   scan        bucket offsets (scan.cuh)
//   scatter     point indices sorted by bucket (a counting sort)
//   accumulate  one thread sums one bucket's points (XYZZ, mixed additions)
//   reduce      one thread turns a segment of a window's buckets into
//               Σ digit·bucket with a running sum
//   tree_sum    pairwise sums of the segments, log₂(segments) launches
//   combine     one thread: Σ 2^(c·w)·window_w by Horner
//
// Entries are window-major: entry e = w·n + i.
#pragma once
#include "curve.cuh"

#define ZK_NO_BUCKET 0xffffffffu
#define ZK_NEGATE 0x80000000u

// Bits [bit, bit + c) of a 256-bit little-endian integer (c < 32).
ZK_HD u32 zk_bits(const u32* s, u32 bit, u32 c) {
    u32 word = bit / 32, off = bit % 32;
    if (word >= ZK_LIMBS) return 0;
    u64 v = s[word] >> off;
    if (off + c > 32 && word + 1 < ZK_LIMBS) v |= (u64)s[word + 1] << (32 - off);
    return (u32)v & ((1u << c) - 1u);
}

// Digits in (-2^(c-1), 2^(c-1)]: the top window never carries out when
// windows·c ≥ 255 (scalars are below 2^254).
ZK_HD void msm_digits_body(u32 i, const u32* scalars, u32 n, u32 c, u32 windows, u32* keys, u32* vals,
                           u32* counts) {
    u32 s[ZK_LIMBS];
    Fr::load(scalars + (u64)i * ZK_LIMBS).to_canonical(s);
    const u32 half = 1u << (c - 1);
    u32 carry = 0;
    for (u32 w = 0; w < windows; w++) {
        u32 v = zk_bits(s, w * c, c) + carry;
        u32 magnitude, negative;
        if (v > half) {
            magnitude = (1u << c) - v;
            negative = 1;
            carry = 1;
        } else {
            magnitude = v;
            negative = 0;
            carry = 0;
        }
        u64 e = (u64)w * n + i;
        if (magnitude == 0) {
            keys[e] = ZK_NO_BUCKET;
        } else {
            u32 key = w * half + magnitude - 1;
            keys[e] = key;
            vals[e] = i | (negative ? ZK_NEGATE : 0u);
            zk_atomic_add(&counts[key], 1u);
        }
    }
}

// Places entry e at its bucket's next free slot (`cursor` starts as the offsets).
ZK_HD void msm_scatter_body(u64 e, const u32* keys, const u32* vals, u32* cursor, u32* sorted) {
    u32 key = keys[e];
    if (key == ZK_NO_BUCKET) return;
    u32 pos = zk_atomic_add(&cursor[key], 1u);
    sorted[pos] = vals[e];
}

// Bucket b = Σ ±bases of its entries.
ZK_HD void msm_accumulate_body(u32 b, const u32* bases, const u32* offsets, const u32* counts, const u32* sorted,
                               u32* buckets) {
    G1Xyzz acc = G1Xyzz::identity();
    u32 start = offsets[b], count = counts[b];
    for (u32 k = 0; k < count; k++) {
        u32 v = sorted[start + k];
        G1Affine p = G1Affine::load(bases + (u64)(v & ~ZK_NEGATE) * 2 * ZK_LIMBS);
        acc = acc.add_affine((v & ZK_NEGATE) ? p.neg() : p);
    }
    acc.store(buckets + (u64)b * 4 * ZK_LIMBS);
}

// Segment t (window t / segments, segment t % segments) of Σ (i + 1)·bucket_i:
// with start the segment's first index, Σ_seg (i − start + 1)·B_i by a running
// sum plus start·Σ_seg B_i.
//
// Every step is one XYZZ addition at a single call site: NVRTC inlines each
// site with its doubling branch, and its compile time grows much faster than
// the code (this kernel took 40 s to compile with four sites, most of the
// module's first-use cost). Doublings of start·Σ B_i go through the same
// addition's equal-points case; they are 64 of the segment's 2·len + 65 steps.
ZK_HD void msm_reduce_body(u32 t, const u32* buckets, u32 half, u32 segments, u32* parts) {
    u32 w = t / segments, j = t % segments;
    u32 len = half / segments, start = j * len;
    G1Xyzz running = G1Xyzz::identity(), acc = G1Xyzz::identity(), scaled = G1Xyzz::identity();
    const u32 sums = 2 * len, steps = sums + 64 + 1;
    for (u32 s = 0; s < steps; s++) {
        // lhs + rhs into running (0), acc (1) or scaled (2).
        G1Xyzz lhs, rhs;
        u32 into;
        if (s < sums) {
            u32 k = len - 1 - s / 2;
            if ((s & 1) == 0) {
                lhs = running;
                rhs = G1Xyzz::load(buckets + ((u64)w * half + start + k) * 4 * ZK_LIMBS);
                into = 0;
            } else {
                lhs = acc;
                rhs = running;
                into = 1;
            }
        } else if (s < sums + 64) {
            u32 i = s - sums, bit = 31 - i / 2;
            if ((i & 1) == 1 && ((start >> bit) & 1u) == 0) continue;
            lhs = scaled;
            rhs = (i & 1) == 0 ? scaled : running;
            into = 2;
        } else {
            lhs = acc;
            rhs = scaled;
            into = 1;
        }
        G1Xyzz sum = lhs.add(rhs);
        if (into == 0) {
            running = sum;
        } else if (into == 1) {
            acc = sum;
        } else {
            scaled = sum;
        }
    }
    acc.store(parts + (u64)t * 4 * ZK_LIMBS);
}

// parts[g·2m + k] += parts[g·2m + k + m] for m = `stride`, groups of 2m: after
// log₂(segments) rounds parts[w·segments] holds window w's sum.
ZK_HD void msm_tree_sum_body(u32 t, u32* parts, u32 segments, u32 stride) {
    u32 per_window = segments / (2 * stride);
    u32 w = t / per_window, k = t % per_window;
    u64 a = (u64)w * segments + (u64)k * 2 * stride;
    G1Xyzz sum = G1Xyzz::load(parts + a * 4 * ZK_LIMBS).add(G1Xyzz::load(parts + (a + stride) * 4 * ZK_LIMBS));
    sum.store(parts + a * 4 * ZK_LIMBS);
}

// Σ_w 2^(c·w)·window_w, the window sums at parts[w·segments]; Jacobian out.
// One addition site, doublings through its equal-points case (see msm_reduce_body).
ZK_HD void msm_combine_body(const u32* parts, u32 windows, u32 segments, u32 c, u32* out) {
    G1Xyzz acc = G1Xyzz::identity();
    for (u32 w = windows; w-- > 0;) {
        for (u32 k = 0; k <= c; k++) {
            G1Xyzz rhs = k < c ? acc : G1Xyzz::load(parts + (u64)w * segments * 4 * ZK_LIMBS);
            acc = acc.add(rhs);
        }
    }
    acc.to_jacobian().store(out);
}

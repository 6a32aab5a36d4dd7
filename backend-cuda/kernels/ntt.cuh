// Radix-2 decimation-in-time NTT over BN254 Fr, natural order in and out:
// a bit-reversal pass, then the log₂ n stages in passes of up to ZK_NTT_TILE_LOG
// stages each. A pass loads, for every tile, the 2^t elements whose indices
// differ only in the pass's t stage bits, runs its t stages in shared memory
// and writes the tile back — one read and one write of the data per pass
// instead of per stage. `twiddles[k] = ω^k` for k < n/2, resident per domain.
#pragma once
#include "field.cuh"

#define ZK_NTT_TILE_LOG 10

ZK_HD u32 zk_reverse_bits(u32 x, u32 bits) {
#if defined(__CUDA_ARCH__)
    return bits == 0 ? 0 : __brev(x) >> (32 - bits);
#else
    u32 r = 0;
    for (u32 b = 0; b < bits; b++) r |= ((x >> b) & 1u) << (bits - 1 - b);
    return r;
#endif
}

ZK_HD void ntt_bit_reverse_body(u32 i, u32* column, u32 log_n) {
    u32 j = zk_reverse_bits(i, log_n);
    if (i < j) {
        Fr a = Fr::load(column + (u64)i * ZK_LIMBS), b = Fr::load(column + (u64)j * ZK_LIMBS);
        a.store(column + (u64)j * ZK_LIMBS);
        b.store(column + (u64)i * ZK_LIMBS);
    }
}

// Global index of element m of tile g in a pass over stages [s0, s0 + t).
ZK_HD u32 ntt_tile_index(u32 g, u32 m, u32 s0, u32 t) {
    u32 low = g & ((1u << s0) - 1u), high = g >> s0;
    return low | (m << s0) | (high << (s0 + t));
}

// Butterfly b of local stage r (global stage s0 + r) on a tile in `tile`.
ZK_HD void ntt_tile_butterfly(Fr* tile, u32 g, u32 b, u32 r, u32 s0, u32 log_n, const u32* twiddles) {
    u32 m0 = ((b >> r) << (r + 1)) | (b & ((1u << r) - 1u)), m1 = m0 + (1u << r);
    u32 s = s0 + r;
    u32 k = (g & ((1u << s0) - 1u)) | ((m0 & ((1u << r) - 1u)) << s0);
    Fr w = Fr::load(twiddles + (u64)(k << (log_n - 1 - s)) * ZK_LIMBS);
    Fr u = tile[m0], v = tile[m1] * w;
    tile[m0] = u + v;
    tile[m1] = u - v;
}

// data[i] ·= scale · shift^i (coset shifts and the inverse's 1/n).
ZK_HD void ntt_scale_body(u32 i, u32* column, const u32* shift, const u32* scale) {
    Fr f = Fr::load(scale) * Fr::load(shift).pow_u32(i);
    u32* x = column + (u64)i * ZK_LIMBS;
    (Fr::load(x) * f).store(x);
}

// out[i] = base^i: twiddle tables, computed on the device.
ZK_HD void ntt_powers_body(u32 i, u32* out, const u32* base) { Fr::load(base).pow_u32(i).store(out + (u64)i * ZK_LIMBS); }

/* The C ABI of the verilated zkaccel RTL (hdl/tb/zk_sim.cpp), bound from Rust
 * with bindgen by backend-fpga's `sim` feature.
 *
 * Field elements are 4 little-endian 64-bit limbs in Montgomery form
 * (R = 2^256), exactly as zkaccel-core stores them; scalars are canonical.
 * Every function returns a negative value when the simulation did not finish
 * (a hang is a hardware bug, reported rather than waited on forever). */
#ifndef ZK_SIM_H
#define ZK_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which field a multiplier is built for. */
enum zk_field {
    ZK_FIELD_FQ = 0,     /* base field, 64-bit words (latency 5) */
    ZK_FIELD_FR = 1,     /* scalar field, 64-bit words (latency 5) */
    ZK_FIELD_FQ_W32 = 2  /* base field, 32-bit words (latency 9) */
};

/* Streams n products a[i]*b[i]/R through zk_mont_mul, one per cycle.
 * Returns the latency in cycles, or -1 if results did not come out one per
 * cycle in order. */
int64_t zk_sim_mont_mul(int field, const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n);

/* Streams n additions p[i] + q[i] (12 limbs each: X, Y, Z homogeneous
 * projective) through zk_g1_add, one per cycle. Returns the latency, or -1. */
int64_t zk_sim_g1_add(const uint64_t *p, const uint64_t *q, uint64_t *out, size_t n);

/* The log2 size of the verilated zk_ntt_stream. */
uint32_t zk_sim_ntt_log_n(void);

/* Loads the twiddles (stage s: 2^(log_n-1-s) elements, stages concatenated)
 * and streams `frames` transforms of 2^log_n elements through zk_ntt_stream;
 * an idle cycle is inserted after every `gap_every` inputs (0: none).
 * Output is in bit-reversed order. Returns the cycles from the first input
 * to the last output, or -1. */
int64_t zk_sim_ntt(const uint64_t *twiddles, const uint64_t *in, uint64_t *out, size_t frames, uint32_t gap_every);

/* zk_sim_ntt on a second verilated zk_ntt_stream of 2 points (one stage, one
 * twiddle: 1): the smallest factor of the host's four-step NTT. */
int64_t zk_sim_ntt2(const uint64_t *twiddles, const uint64_t *in, uint64_t *out, size_t frames);

/* The lanes of the verilated zk_lane_product (2^LOG_LANES). */
uint32_t zk_sim_lane_product_lanes(void);

/* Streams n elements (Fr, Montgomery form) through zk_lane_product: element i
 * is in lane i mod lanes, first[i] != 0 starts its lane's product again; an
 * idle cycle after every `gap_every` inputs (0: none). Writes each element
 * times the earlier elements of its lane, in input order. Returns the cycles
 * from the first input to the last output, or -1. */
int64_t zk_sim_lane_product(const uint64_t *in, const uint8_t *first, uint64_t *out, size_t n, uint32_t gap_every);

/* Inverts n elements (Fr, Montgomery form) one after another on zk_fr_inverse
 * (Fermat, one multiplier). Returns the cycles of all n, or -1 on a hang. */
int64_t zk_sim_fr_inverse(const uint64_t *in, uint64_t *out, size_t n);

/* What one krnl_msm run reports. */
typedef struct zk_msm_run {
    uint64_t cycles;       /* ap_start to ap_done, as the kernel counts them */
    uint32_t window_bits;  /* C, read from the kernel's registers */
    uint32_t bucket_count; /* buckets written */
} zk_msm_run;

/* The window bits C of the verilated kernel. */
uint32_t zk_sim_msm_window_bits(void);

/* The bucket count of the verilated kernel (buckets needs 12 limbs each). */
uint32_t zk_sim_msm_bucket_count(void);

/* Runs krnl_msm over n points through its AXI ports against a memory model:
 * bases (8 limbs per point: x, y), scalars (4 limbs each), buckets written
 * to `buckets` (12 limbs each: X, Y, Z homogeneous projective).
 * `stall_percent` makes the memory hold back that share of cycles on every
 * channel. Returns 0, or -1 on a hang. */
int zk_sim_msm(const uint64_t *bases, const uint64_t *scalars, uint64_t n, uint64_t *buckets,
               uint32_t stall_percent, zk_msm_run *run);

#ifdef __cplusplus
}
#endif

#endif

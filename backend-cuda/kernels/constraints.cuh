// Constraint programs (zkaccel_core::constraints): each thread interprets
// the program on its rows, one row at a time, keeping every node's value for
// the row in its own slice of `scratch`, then folds the constraints with y.
#pragma once
#include "field.cuh"

// Node encoding, three words per node: opcode, then the operands. A column
// read's second operand is its rotation as a two's-complement i32.
#define ZK_NODE_COLUMN 0u
#define ZK_NODE_POINT 1u
#define ZK_NODE_CONSTANT 2u
#define ZK_NODE_NEG 3u
#define ZK_NODE_ADD 4u
#define ZK_NODE_SUB 5u
#define ZK_NODE_MUL 6u

// base^e by squaring (e < 2^32).
ZK_HD Fr constraint_pow(Fr base, u32 e) {
    Fr acc = Fr::one();
    while (e) {
        if (e & 1u) acc = acc * base;
        base = base * base;
        e >>= 1;
    }
    return acc;
}

// Row `row` of `n` (a power of two): columns are column-major (column c's
// row r at (c·n + r)·ZK_LIMBS); `scratch` holds `node_count` elements.
ZK_HD void constraint_row_body(u32 row, const u32* nodes, u32 node_count, const u32* constraints,
                               u32 constraint_count, const u32* columns, u32 n, const u32* constants,
                               const u32* shift, const u32* omega, const u32* y, u32* scratch, u32* out) {
    for (u32 k = 0; k < node_count; k++) {
        u32 op = nodes[3 * k], a = nodes[3 * k + 1], b = nodes[3 * k + 2];
        Fr v;
        if (op == ZK_NODE_COLUMN) {
            u32 r = (row + b) & (n - 1);  // b is the rotation mod 2^32; n divides 2^32
            v = Fr::load(columns + ((u64)a * n + r) * ZK_LIMBS);
        } else if (op == ZK_NODE_POINT) {
            v = Fr::load(shift) * constraint_pow(Fr::load(omega), row);
        } else if (op == ZK_NODE_CONSTANT) {
            v = Fr::load(constants + (u64)a * ZK_LIMBS);
        } else {
            Fr x = Fr::load(scratch + (u64)a * ZK_LIMBS);
            if (op == ZK_NODE_NEG) {
                v = x.neg();
            } else {
                Fr z = Fr::load(scratch + (u64)b * ZK_LIMBS);
                v = op == ZK_NODE_ADD ? x + z : op == ZK_NODE_SUB ? x - z : x * z;
            }
        }
        v.store(scratch + (u64)k * ZK_LIMBS);
    }
    Fr acc = Fr::zero(), yy = Fr::load(y);
    for (u32 j = 0; j < constraint_count; j++) acc = acc * yy + Fr::load(scratch + (u64)constraints[j] * ZK_LIMBS);
    acc.store(out + (u64)row * ZK_LIMBS);
}

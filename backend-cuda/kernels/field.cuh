// BN254 base and scalar fields: 8 × 32-bit little-endian limbs in Montgomery
// form with R = 2^256 — the same bytes as zkaccel-core's 4 × 64-bit limbs, so
// buffers cross the host/device boundary without conversion.
//
// The multiplication is CIOS. Its two 32-bit primitives (multiply-add with
// carry, add/subtract chains) are PTX carry-chain instructions on the device
// and 64-bit arithmetic on the host; the algorithm around them is shared, so
// the host build that the tests check is the device's algorithm.
#pragma once
#include "common.cuh"

#define ZK_LIMBS 8

// Modulus, Montgomery one and -p^-1 mod 2^32 of a field, as constant-returning
// functions: a constexpr array would be a host object to device code.
struct FqParams {
    static ZK_HD u32 mod(int i) {
        switch (i) {
            case 0: return 0xd87cfd47u; case 1: return 0x3c208c16u; case 2: return 0x6871ca8du;
            case 3: return 0x97816a91u; case 4: return 0x8181585du; case 5: return 0xb85045b6u;
            case 6: return 0xe131a029u; default: return 0x30644e72u;
        }
    }
    static ZK_HD u32 one(int i) {
        switch (i) {
            case 0: return 0xc58f0d9du; case 1: return 0xd35d438du; case 2: return 0xf5c70b3du;
            case 3: return 0x0a78eb28u; case 4: return 0x7879462cu; case 5: return 0x666ea36fu;
            case 6: return 0x9a07df2fu; default: return 0x0e0a77c1u;
        }
    }
    static ZK_HD u32 inv() { return 0xe4866389u; }
};

struct FrParams {
    static ZK_HD u32 mod(int i) {
        switch (i) {
            case 0: return 0xf0000001u; case 1: return 0x43e1f593u; case 2: return 0x79b97091u;
            case 3: return 0x2833e848u; case 4: return 0x8181585du; case 5: return 0xb85045b6u;
            case 6: return 0xe131a029u; default: return 0x30644e72u;
        }
    }
    static ZK_HD u32 one(int i) {
        switch (i) {
            case 0: return 0x4ffffffbu; case 1: return 0xac96341cu; case 2: return 0x9f60cd29u;
            case 3: return 0x36fc7695u; case 4: return 0x7879462eu; case 5: return 0x666ea36fu;
            case 6: return 0x9a07df2fu; default: return 0x0e0a77c1u;
        }
    }
    static ZK_HD u32 inv() { return 0xefffffffu; }
};

// lo + hi·2^32 = a·b + c + carry (never overflows 64 bits).
ZK_HD u32 zk_mac(u32 a, u32 b, u32 c, u32& carry) {
#if defined(__CUDA_ARCH__)
    u32 lo, hi;
    asm("mad.lo.cc.u32 %0, %2, %3, %4;\n\t"
        "madc.hi.u32 %1, %2, %3, 0;\n\t"
        "add.cc.u32 %0, %0, %5;\n\t"
        "addc.u32 %1, %1, 0;"
        : "=r"(lo), "=r"(hi)
        : "r"(a), "r"(b), "r"(c), "r"(carry));
    carry = hi;
    return lo;
#else
    u64 t = (u64)a * b + c + carry;
    carry = (u32)(t >> 32);
    return (u32)t;
#endif
}

// r = a + b over 8 limbs; returns the carry out.
ZK_HD u32 zk_add8(u32* r, const u32* a, const u32* b) {
#if defined(__CUDA_ARCH__)
    u32 carry;
    asm("add.cc.u32 %0, %9, %17;\n\t"
        "addc.cc.u32 %1, %10, %18;\n\t"
        "addc.cc.u32 %2, %11, %19;\n\t"
        "addc.cc.u32 %3, %12, %20;\n\t"
        "addc.cc.u32 %4, %13, %21;\n\t"
        "addc.cc.u32 %5, %14, %22;\n\t"
        "addc.cc.u32 %6, %15, %23;\n\t"
        "addc.cc.u32 %7, %16, %24;\n\t"
        "addc.u32 %8, 0, 0;"
        : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]), "=r"(r[4]), "=r"(r[5]), "=r"(r[6]), "=r"(r[7]), "=r"(carry)
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(a[4]), "r"(a[5]), "r"(a[6]), "r"(a[7]),
          "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(b[4]), "r"(b[5]), "r"(b[6]), "r"(b[7]));
    return carry;
#else
    u64 carry = 0;
    for (int i = 0; i < ZK_LIMBS; i++) {
        u64 t = (u64)a[i] + b[i] + carry;
        r[i] = (u32)t;
        carry = t >> 32;
    }
    return (u32)carry;
#endif
}

// r = a - b over 8 limbs; returns 1 on borrow.
ZK_HD u32 zk_sub8(u32* r, const u32* a, const u32* b) {
#if defined(__CUDA_ARCH__)
    u32 borrow;
    asm("sub.cc.u32 %0, %9, %17;\n\t"
        "subc.cc.u32 %1, %10, %18;\n\t"
        "subc.cc.u32 %2, %11, %19;\n\t"
        "subc.cc.u32 %3, %12, %20;\n\t"
        "subc.cc.u32 %4, %13, %21;\n\t"
        "subc.cc.u32 %5, %14, %22;\n\t"
        "subc.cc.u32 %6, %15, %23;\n\t"
        "subc.cc.u32 %7, %16, %24;\n\t"
        "subc.u32 %8, 0, 0;"
        : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]), "=r"(r[4]), "=r"(r[5]), "=r"(r[6]), "=r"(r[7]), "=r"(borrow)
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(a[4]), "r"(a[5]), "r"(a[6]), "r"(a[7]),
          "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(b[4]), "r"(b[5]), "r"(b[6]), "r"(b[7]));
    return borrow & 1u;
#else
    u64 borrow = 0;
    for (int i = 0; i < ZK_LIMBS; i++) {
        u64 t = (u64)a[i] - b[i] - borrow;
        r[i] = (u32)t;
        borrow = (t >> 32) & 1u;
    }
    return (u32)borrow;
#endif
}

template <class P>
struct Fp {
    u32 l[ZK_LIMBS];

    static ZK_HD Fp zero() {
        Fp r;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) r.l[i] = 0;
        return r;
    }
    static ZK_HD Fp one() {
        Fp r;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) r.l[i] = P::one(i);
        return r;
    }
    static ZK_HD Fp modulus() {
        Fp r;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) r.l[i] = P::mod(i);
        return r;
    }
    // The element whose Montgomery limbs are `limbs` (no check; the host validates).
    static ZK_HD Fp load(const u32* limbs) {
        Fp r;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) r.l[i] = limbs[i];
        return r;
    }
    ZK_HD void store(u32* limbs) const {
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) limbs[i] = l[i];
    }

    ZK_HD bool is_zero() const {
        u32 acc = 0;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) acc |= l[i];
        return acc == 0;
    }
    ZK_HD bool operator==(const Fp& o) const {
        u32 acc = 0;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) acc |= l[i] ^ o.l[i];
        return acc == 0;
    }

    // a + b mod p for reduced inputs (p < 2^254, so the sum never carries out).
    ZK_HD Fp operator+(const Fp& b) const {
        Fp s, d;
        const Fp m = modulus();
        zk_add8(s.l, l, b.l);
        u32 borrow = zk_sub8(d.l, s.l, m.l);
        return borrow ? s : d;
    }
    ZK_HD Fp operator-(const Fp& b) const {
        Fp d, s;
        const Fp m = modulus();
        u32 borrow = zk_sub8(d.l, l, b.l);
        zk_add8(s.l, d.l, m.l);
        return borrow ? s : d;
    }
    ZK_HD Fp neg() const { return zero() - *this; }
    ZK_HD Fp dbl() const { return *this + *this; }

    // CIOS Montgomery multiplication: a·b·2^-256 mod p.
    ZK_HD Fp operator*(const Fp& b) const {
        u32 t[ZK_LIMBS + 2];
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS + 2; i++) t[i] = 0;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) {
            u32 carry = 0;
            ZK_UNROLL
            for (int j = 0; j < ZK_LIMBS; j++) t[j] = zk_mac(l[j], b.l[i], t[j], carry);
            u32 c2 = 0;
            t[ZK_LIMBS] = zk_mac(1u, t[ZK_LIMBS], carry, c2);
            t[ZK_LIMBS + 1] = c2;

            u32 m = t[0] * P::inv();
            carry = 0;
            (void)zk_mac(m, P::mod(0), t[0], carry);
            ZK_UNROLL
            for (int j = 1; j < ZK_LIMBS; j++) t[j - 1] = zk_mac(m, P::mod(j), t[j], carry);
            c2 = 0;
            t[ZK_LIMBS - 1] = zk_mac(1u, t[ZK_LIMBS], carry, c2);
            t[ZK_LIMBS] = t[ZK_LIMBS + 1] + c2;
        }
        // t < 2p < 2^255: one conditional subtraction.
        Fp r, d;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) r.l[i] = t[i];
        const Fp m = modulus();
        u32 borrow = zk_sub8(d.l, r.l, m.l);
        return borrow ? r : d;
    }
    ZK_HD Fp sqr() const { return *this * *this; }

    // self^e for a little-endian exponent of `limbs` 32-bit words.
    ZK_HD Fp pow(const u32* e, int limbs) const {
        Fp r = one();
        for (int i = limbs * 32 - 1; i >= 0; i--) {
            r = r.sqr();
            if ((e[i / 32] >> (i % 32)) & 1u) r = r * *this;
        }
        return r;
    }
    ZK_HD Fp pow_u32(u32 e) const { return pow(&e, 1); }

    // Fermat: self^(p-2); zero maps to zero.
    ZK_HD Fp inverse() const {
        u32 e[ZK_LIMBS];
        u32 borrow = 2;
        ZK_UNROLL
        for (int i = 0; i < ZK_LIMBS; i++) {
            u32 m = P::mod(i);
            e[i] = m - borrow;
            borrow = (m < borrow) ? 1u : 0u;
        }
        return pow(e, ZK_LIMBS);
    }

    // Out of Montgomery form: the canonical integer as 8 limbs.
    ZK_HD void to_canonical(u32* out) const {
        Fp unit = zero();
        unit.l[0] = 1;
        Fp c = *this * unit;
        c.store(out);
    }
};

typedef Fp<FqParams> Fq;
typedef Fp<FrParams> Fr;

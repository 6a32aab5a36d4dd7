// BN254 G1 (y² = x³ + 3) on the device.
//
// Inputs are affine with the identity encoded (0, 0), as in zkaccel-core.
// Buckets and sums are XYZZ (x = X/ZZ, y = Y/ZZZ; ZZ = 0 is the identity):
// a mixed addition costs 8M + 2S with no inversion. Outputs are converted to
// zkaccel-core's Jacobian (x = X/Z², y = Y/Z³).
#pragma once
#include "field.cuh"

struct G1Affine {
    Fq x, y;

    static ZK_HD G1Affine load(const u32* words) {
        G1Affine p;
        p.x = Fq::load(words);
        p.y = Fq::load(words + ZK_LIMBS);
        return p;
    }
    ZK_HD bool is_identity() const { return x.is_zero() && y.is_zero(); }
    ZK_HD G1Affine neg() const {
        G1Affine r = *this;
        r.y = y.neg();
        return r;
    }
};

struct G1Jacobian {
    Fq x, y, z;

    ZK_HD void store(u32* words) const {
        x.store(words);
        y.store(words + ZK_LIMBS);
        z.store(words + 2 * ZK_LIMBS);
    }
};

struct G1Xyzz {
    Fq x, y, zz, zzz;

    static ZK_HD G1Xyzz identity() {
        G1Xyzz r;
        r.x = Fq::one();
        r.y = Fq::one();
        r.zz = Fq::zero();
        r.zzz = Fq::zero();
        return r;
    }
    static ZK_HD G1Xyzz from_affine(const G1Affine& p) {
        if (p.is_identity()) return identity();
        G1Xyzz r;
        r.x = p.x;
        r.y = p.y;
        r.zz = Fq::one();
        r.zzz = Fq::one();
        return r;
    }
    static ZK_HD G1Xyzz load(const u32* words) {
        G1Xyzz r;
        r.x = Fq::load(words);
        r.y = Fq::load(words + ZK_LIMBS);
        r.zz = Fq::load(words + 2 * ZK_LIMBS);
        r.zzz = Fq::load(words + 3 * ZK_LIMBS);
        return r;
    }
    ZK_HD void store(u32* words) const {
        x.store(words);
        y.store(words + ZK_LIMBS);
        zz.store(words + 2 * ZK_LIMBS);
        zzz.store(words + 3 * ZK_LIMBS);
    }
    ZK_HD bool is_identity() const { return zz.is_zero(); }

    // dbl-2008-s-1 (a = 0).
    ZK_HD G1Xyzz dbl() const {
        if (is_identity()) return *this;
        Fq u = y.dbl();
        Fq v = u.sqr();
        Fq w = u * v;
        Fq s = x * v;
        Fq xx = x.sqr();
        Fq m = xx.dbl() + xx;
        G1Xyzz r;
        r.x = m.sqr() - s.dbl();
        r.y = m * (s - r.x) - w * y;
        r.zz = v * zz;
        r.zzz = w * zzz;
        return r;
    }

    // mdbl-2008-s-1: twice an affine point (not the identity).
    static ZK_HD G1Xyzz dbl_affine(const G1Affine& p) {
        Fq u = p.y.dbl();
        Fq v = u.sqr();
        Fq w = u * v;
        Fq s = p.x * v;
        Fq xx = p.x.sqr();
        Fq m = xx.dbl() + xx;
        G1Xyzz r;
        r.x = m.sqr() - s.dbl();
        r.y = m * (s - r.x) - w * p.y;
        r.zz = v;
        r.zzz = w;
        return r;
    }

    // madd-2008-s: self + an affine point, with the doubling and identity cases.
    ZK_HD G1Xyzz add_affine(const G1Affine& q) const {
        if (q.is_identity()) return *this;
        if (is_identity()) return from_affine(q);
        Fq u2 = q.x * zz;
        Fq s2 = q.y * zzz;
        Fq p = u2 - x;
        Fq r = s2 - y;
        if (p.is_zero()) {
            if (r.is_zero()) return dbl_affine(q);
            return identity();
        }
        Fq pp = p.sqr();
        Fq ppp = p * pp;
        Fq q1 = x * pp;
        G1Xyzz o;
        o.x = r.sqr() - ppp - q1.dbl();
        o.y = r * (q1 - o.x) - y * ppp;
        o.zz = zz * pp;
        o.zzz = zzz * ppp;
        return o;
    }

    // add-2008-s: self + another XYZZ point, with the doubling and identity cases.
    ZK_HD G1Xyzz add(const G1Xyzz& q) const {
        if (q.is_identity()) return *this;
        if (is_identity()) return q;
        Fq u1 = x * q.zz;
        Fq u2 = q.x * zz;
        Fq s1 = y * q.zzz;
        Fq s2 = q.y * zzz;
        Fq p = u2 - u1;
        Fq r = s2 - s1;
        if (p.is_zero()) {
            if (r.is_zero()) return dbl();
            return identity();
        }
        Fq pp = p.sqr();
        Fq ppp = p * pp;
        Fq q1 = u1 * pp;
        G1Xyzz o;
        o.x = r.sqr() - ppp - q1.dbl();
        o.y = r * (q1 - o.x) - s1 * ppp;
        o.zz = zz * q.zz * pp;
        o.zzz = zzz * q.zzz * ppp;
        return o;
    }

    // k·self for a small k, double-and-add from the top bit.
    ZK_HD G1Xyzz mul_small(u32 k) const {
        G1Xyzz acc = identity();
        for (int bit = 31; bit >= 0; bit--) {
            acc = acc.dbl();
            if ((k >> bit) & 1u) acc = acc.add(*this);
        }
        return acc;
    }

    // Jacobian with Z = ZZ·ZZZ: X = X·ZZ·ZZZ², Y = Y·ZZ³·ZZZ² (identity: Z = 0).
    ZK_HD G1Jacobian to_jacobian() const {
        G1Jacobian j;
        Fq zzz2 = zzz.sqr();
        Fq zz3 = zz.sqr() * zz;
        j.x = x * zz * zzz2;
        j.y = y * zz3 * zzz2;
        j.z = zz * zzz;
        if (is_identity()) {
            j.x = Fq::one();
            j.y = Fq::one();
        }
        return j;
    }
};

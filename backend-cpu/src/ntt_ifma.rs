//! The BN254 `Fr` NTT's butterflies on AVX-512 IFMA, eight at a time.
//!
//! A column is repacked into [`Pack`]s of eight elements stored limb-major
//! in five 52-bit limbs (`vpmadd52luq`/`vpmadd52huq` multiply 52-bit lanes).
//! The integers stay the Montgomery representatives `a·2^256 mod p` of the
//! scalar code, so only the twiddles change form: stored as `w·2^260 mod p`,
//! a Montgomery product with `R = 2^260` gives back `a·w·2^256`. Values
//! live in `[0, 4p)` between stages (Harvey's lazy butterfly: one
//! conditional subtraction each), which 260 bits hold since `4p < 2^256`;
//! the final repacking reduces them below `p`.

use std::arch::x86_64::*;

use rayon::prelude::*;

use zkaccel_core::bn254::FrParams;
use zkaccel_core::{Field, FpParams, Fr};

use crate::ifma::{
    add, broadcast, join52, load8, mont_mul, reduce, reduce_below, reduce_below_2p, split, split52, store8, sub_plus,
    times16, transpose, Consts, Limbs,
};

/// Eight field elements, limb `k` of lane `l` at `8·k + l`.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct Pack([u64; 40]);

impl Pack {
    const ZERO: Pack = Pack([0; 40]);

    fn set(&mut self, lane: usize, limbs: [u64; 4]) {
        for (k, limb) in split52(limbs).into_iter().enumerate() {
            self.0[8 * k + lane] = limb;
        }
    }

    fn get(&self, lane: usize) -> [u64; 4] {
        join52(std::array::from_fn(|k| self.0[8 * k + lane]))
    }
}

const P: [u64; 4] = <FrParams as FpParams>::MODULUS;

#[target_feature(enable = "avx512f")]
fn consts() -> Consts {
    Consts::new::<FrParams>()
}

#[target_feature(enable = "avx512f")]
fn load(p: &Pack) -> [__m512i; 5] {
    // SAFETY: a Pack is 64-byte aligned and holds five 64-byte rows.
    std::array::from_fn(|k| unsafe { _mm512_load_si512(p.0.as_ptr().add(8 * k).cast()) })
}

#[target_feature(enable = "avx512f")]
fn store(p: &mut Pack, v: [__m512i; 5]) {
    for (k, row) in v.into_iter().enumerate() {
        // SAFETY: as in `load`.
        unsafe { _mm512_store_si512(p.0.as_mut_ptr().add(8 * k).cast(), row) };
    }
}

/// `(x + w·y, x − w·y)` on eight lanes, inputs and outputs in `[0, 4p)`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn butterfly_regs(x: [__m512i; 5], y: [__m512i; 5], w: [__m512i; 5], c: &Consts) -> [[__m512i; 5]; 2] {
    let x = reduce_below_2p(x, c);
    let t = mont_mul(&y, &w, c);
    add_sub(&x, &t, &c.two_p, c)
}

/// `(a, b) ← (a + w·b, a − w·b)` on eight lanes.
#[target_feature(enable = "avx512f,avx512ifma")]
fn butterfly(a: &mut Pack, b: &mut Pack, w: &Pack, c: &Consts) {
    let [sum, diff] = butterfly_regs(load(a), load(b), load(w), c);
    store(a, sum);
    store(b, diff);
}

/// Two stages on the quadruple `(a0, a1, a2, a3)` of a group of `4h`, in
/// registers: `w1` is stage `s`'s twiddle, `w2`, `w3` stage `s + 1`'s at
/// `j` and `j + h`.
#[target_feature(enable = "avx512f,avx512ifma")]
fn quad(a: [&mut Pack; 4], w1: &Pack, w2: &Pack, w3: &Pack, c: &Consts) {
    let w1 = load(w1);
    let [x0, x1] = butterfly_regs(load(a[0]), load(a[1]), w1, c);
    let [x2, x3] = butterfly_regs(load(a[2]), load(a[3]), w1, c);
    let [y0, y2] = butterfly_regs(x0, x2, load(w2), c);
    let [y1, y3] = butterfly_regs(x1, x3, load(w3), c);
    let [a0, a1, a2, a3] = a;
    store(a0, y0);
    store(a1, y1);
    store(a2, y2);
    store(a3, y3);
}

/// Stages `s` and `s + 1` on quarters `q0..q3` (packs `offset..` of each
/// quarter of a group of `4h` packs); `tw1`: stage `s`'s `h` packs, `tw2`:
/// stage `s + 1`'s `2h`.
#[target_feature(enable = "avx512f,avx512ifma")]
fn double_stage_quarters(q: [&mut [Pack]; 4], offset: usize, tw1: &[Pack], tw2: &[Pack], c: &Consts) {
    let h = tw1.len();
    let [q0, q1, q2, q3] = q;
    for (j, (((a0, a1), a2), a3)) in q0.iter_mut().zip(q1.iter_mut()).zip(q2.iter_mut()).zip(q3.iter_mut()).enumerate()
    {
        let k = offset + j;
        quad([a0, a1, a2, a3], &tw1[k], &tw2[k], &tw2[k + h], c);
    }
}

/// Splits a group of `4h` packs into its quarters.
fn quarters(group: &mut [Pack], h: usize) -> [&mut [Pack]; 4] {
    let (a, b) = group.split_at_mut(2 * h);
    let (q0, q1) = a.split_at_mut(h);
    let (q2, q3) = b.split_at_mut(h);
    [q0, q1, q2, q3]
}

/// One DIT stage over whole groups of `2·tw.len()` packs.
#[target_feature(enable = "avx512f,avx512ifma")]
fn stage(data: &mut [Pack], tw: &[Pack], c: &Consts) {
    let half = tw.len();
    for group in data.chunks_exact_mut(2 * half) {
        let (lo, hi) = group.split_at_mut(half);
        for ((a, b), w) in lo.iter_mut().zip(hi.iter_mut()).zip(tw) {
            butterfly(a, b, w, c);
        }
    }
}

/// The twiddles of stages 4 and up as packs: stage `s`'s `2^(s−1)` powers
/// (from the scalar table) times `2^4`, i.e. in `R = 2^260` form.
pub(crate) fn twiddle_packs(scalar: &[Fr], log_n: u32) -> Vec<Pack> {
    let sixteen = Fr::from_u64(16);
    let mut out = Vec::with_capacity(scalar.len() / 8 + 1);
    for s in 4..=log_n {
        let table = &scalar[(1usize << (s - 1)) - 1..(1usize << s) - 1];
        for chunk in table.chunks_exact(8) {
            let mut pack = Pack::ZERO;
            for (lane, w) in chunk.iter().enumerate() {
                pack.set(lane, (*w * sixteen).montgomery_limbs());
            }
            out.push(pack);
        }
    }
    out
}

/// Stage `s ≥ 4`'s packs within [`twiddle_packs`]' output.
fn stage_packs(packs: &[Pack], s: u32) -> &[Pack] {
    // Stages 4..s−1 hold 2^(t−4) packs each: 2^(s−4) − 1 before stage s.
    let start = (1usize << (s - 4)) - 1;
    &packs[start..start + (1usize << (s - 4))]
}

/// Raw pointer to the packs being filled, shared by the gathering threads.
#[derive(Clone, Copy)]
struct PackSink(*mut Pack);
// SAFETY: each thread writes a disjoint set of packs (see `transform`).
unsafe impl Send for PackSink {}
// SAFETY: as above.
unsafe impl Sync for PackSink {}

impl PackSink {
    /// # Safety
    /// `index` is within the allocation and no other thread writes it.
    unsafe fn write(&self, index: usize, pack: Pack) {
        // SAFETY: guaranteed by the caller.
        unsafe { self.0.add(index).write(pack) };
    }
}

/// Stages 1–3 on eight consecutive elements of the bit-reversed column, packed.
fn first_stages(mut e: [Fr; 8], tw: [&[Fr]; 2]) -> Pack {
    for j in (0..8).step_by(2) {
        (e[j], e[j + 1]) = (e[j] + e[j + 1], e[j] - e[j + 1]);
    }
    for (half, tw) in [(2, tw[0]), (4, tw[1])] {
        for base in (0..8).step_by(2 * half) {
            for j in 0..half {
                let t = e[base + j + half] * tw[j];
                (e[base + j], e[base + j + half]) = (e[base + j] + t, e[base + j] - t);
            }
        }
    }
    let mut pack = Pack::ZERO;
    for (lane, x) in e.iter().enumerate() {
        pack.set(lane, x.montgomery_limbs());
    }
    pack
}

/// The twiddles of stages 2 and 3 other than one, times `2^4`, in every lane.
struct FirstTwiddles {
    /// Stage 2's `ω₄`.
    w4: Limbs,
    /// Stage 3's `ω₈, ω₈², ω₈³`.
    w8: [Limbs; 3],
}

impl FirstTwiddles {
    #[target_feature(enable = "avx512f")]
    fn new(tw: [&[Fr]; 2]) -> Self {
        let sixteen = Fr::from_u64(16);
        let scaled = |w: Fr| broadcast((w * sixteen).montgomery_limbs());
        Self { w4: scaled(tw[0][1]), w8: [scaled(tw[1][1]), scaled(tw[1][2]), scaled(tw[1][3])] }
    }
}

/// `(x + y, x − y)` for `x, y < m`: both below `2m`.
#[inline]
#[target_feature(enable = "avx512f")]
fn add_sub(x: &Limbs, y: &Limbs, m: &Limbs, c: &Consts) -> [Limbs; 2] {
    [add(x, y, c), sub_plus(x, y, m, c)]
}

/// Stages 1–3 of eight packs at once: vector `l` gathers element `l` of
/// each pack — `tile[row + l][columns[j]]` in lane `j` — so that the three
/// stages pair whole vectors, and a transpose per limb turns the vectors
/// into the eight packs. Inputs below `p`, outputs below `4p`.
#[target_feature(enable = "avx512f,avx512ifma")]
fn first_stages_x8(
    tile: &[[Fr; 1 << TILE_LOG]; 1 << TILE_LOG],
    row: usize,
    columns: [usize; 8],
    tw: &FirstTwiddles,
    c: &Consts,
) -> [Pack; 8] {
    const SIDE: usize = 1 << TILE_LOG;
    let base = tile.as_ptr().cast::<i64>();
    let mut v: [Limbs; 8] = std::array::from_fn(|l| {
        let words: [i64; 8] = std::array::from_fn(|j| (4 * ((row + l) * SIDE + columns[j])) as i64);
        // SAFETY: the offsets stay within the tile (row + l < SIDE, columns < SIDE).
        let first = unsafe { _mm512_loadu_si512(words.as_ptr().cast()) };
        let limbs: [__m512i; 4] = std::array::from_fn(|q| {
            let offsets = _mm512_add_epi64(first, _mm512_set1_epi64(q as i64));
            // SAFETY: as above; every offset is a word of an element.
            unsafe { _mm512_i64gather_epi64::<8>(offsets, base) }
        });
        split(limbs, c.mask)
    });
    // Stage 1: inputs below p, outputs below 2p.
    for l in (0..8).step_by(2) {
        [v[l], v[l + 1]] = add_sub(&v[l], &v[l + 1], &c.p, c);
    }
    // Stage 2: inputs below 2p, outputs below 4p.
    for base in [0, 4] {
        [v[base], v[base + 2]] = add_sub(&v[base], &v[base + 2], &c.two_p, c);
        [v[base + 1], v[base + 3]] = butterfly_regs(v[base + 1], v[base + 3], tw.w4, c);
    }
    // Stage 3: inputs and outputs below 4p.
    let (x, y) = (reduce_below_2p(v[0], c), reduce_below_2p(v[4], c));
    [v[0], v[4]] = add_sub(&x, &y, &c.two_p, c);
    for j in 1..4 {
        [v[j], v[j + 4]] = butterfly_regs(v[j], v[j + 4], tw.w8[j - 1], c);
    }
    let mut packs = [Pack::ZERO; 8];
    let by_limb: [[__m512i; 8]; 5] = std::array::from_fn(|q| v.map(|x| x[q]));
    for (q, limb) in by_limb.into_iter().enumerate() {
        let rows = transpose(limb);
        for (pack, r) in packs.iter_mut().zip(rows) {
            // SAFETY: row q of a 64-byte-aligned pack.
            unsafe { _mm512_store_si512(pack.0.as_mut_ptr().add(8 * q).cast(), r) };
        }
    }
    packs
}

/// Asks Linux to back a large scratch buffer with transparent huge pages
/// before its first touch: its pages are first written in scattered order,
/// and 4 KiB faults cost as much as the stage they serve.
fn advise_huge_pages(buffer: &mut Vec<Pack>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = buffer.capacity() * std::mem::size_of::<Pack>();
        let start = buffer.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(HUGE);
        let end = (start + bytes) / HUGE * HUGE;
        if end > aligned {
            // SAFETY: the range lies within the buffer's allocation; madvise
            // only changes how untouched pages are backed (failure is harmless).
            unsafe { libc::madvise(aligned as *mut libc::c_void, end - aligned, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buffer;
}

/// log2 of a bit-reversal tile's side: 32 × 32 elements (32 KiB) stay in L1.
const TILE_LOG: u32 = 5;

/// The column in bit-reversed order, through stages 1–3, as packs: one
/// pass, no scratch copy. Index bits `[a | b | c]` (`a`, `c` of
/// [`TILE_LOG`] bits) reverse to `[rev c | rev b | rev a]`, so for each
/// middle part `b` a 32 × 32 tile is read as 32 runs of 32 contiguous
/// elements, goes through stages 1–3 eight packs at a time in registers
/// ([`first_stages_x8`]) and is written as 32 runs of four packs. Columns
/// shorter than two tiles take the scalar [`first_stages`].
fn gather_first_stages(data: &[Fr], tw: [&[Fr]; 2], parallel: bool) -> Vec<Pack> {
    let n = data.len();
    let log_n = n.trailing_zeros();
    let m = n / 8;
    let rev = |i: usize, bits: u32| if bits == 0 { 0 } else { i.reverse_bits() >> (usize::BITS - bits) };
    let mut column: Vec<Pack> = Vec::with_capacity(m);
    advise_huge_pages(&mut column);
    let sink = PackSink(column.as_mut_ptr());
    if log_n < 2 * TILE_LOG {
        for p in 0..m {
            let pack = first_stages(std::array::from_fn(|l| data[rev(8 * p + l, log_n)]), tw);
            // SAFETY: p < m = capacity, written once.
            unsafe { sink.write(p, pack) };
        }
    } else {
        const SIDE: usize = 1 << TILE_LOG;
        // SAFETY: IFMA is available (the caller checked).
        let (first, c) = unsafe { (FirstTwiddles::new(tw), consts()) };
        let mid = log_n - 2 * TILE_LOG;
        let high = log_n - TILE_LOG;
        let tile_task = |b: usize| {
            let rb = rev(b, mid);
            let mut tile = [[Fr::ZERO; SIDE]; SIDE];
            for (c, row) in tile.iter_mut().enumerate() {
                let start = (rev(c, TILE_LOG) << high) | (rb << TILE_LOG);
                row.copy_from_slice(&data[start..start + SIDE]);
            }
            for a0 in (0..SIDE).step_by(8) {
                let columns = std::array::from_fn(|j| rev(a0 + j, TILE_LOG));
                for k in 0..SIDE / 8 {
                    // Pack (a, k) holds tile[8k + l][rev a] in lane l.
                    // SAFETY: IFMA is available (the caller checked).
                    let packs = unsafe { first_stages_x8(&tile, 8 * k, columns, &first, &c) };
                    for (j, pack) in packs.into_iter().enumerate() {
                        let index = (((a0 + j) << high) | (b << TILE_LOG)) / 8 + k;
                        // SAFETY: (a, b, k) ↦ pack index is a bijection onto
                        // 0..m (the destination bits [a | b | c]), so each
                        // pack is written once, by the one task that owns b.
                        unsafe { sink.write(index, pack) };
                    }
                }
            }
        };
        if parallel {
            (0..1usize << mid).into_par_iter().with_min_len(4).for_each(tile_task);
        } else {
            (0..1usize << mid).for_each(tile_task);
        }
    }
    // SAFETY: all m packs were written above.
    unsafe { column.set_len(m) };
    column
}

/// The forward DIT transform (natural order in and out) of a column with
/// the scalar stage-2 and stage-3 twiddles `tw` and the packs of stages 4
/// and up; `log_n ≥ 7`. The caller checked [`crate::ifma::available`].
pub(crate) fn transform(data: &mut [Fr], packs: &[Pack], tw: [&[Fr]; 2], local_log: u32, parallel: bool) {
    let log_n = data.len().trailing_zeros();
    let mut column = gather_first_stages(data, tw, parallel);
    // SAFETY: `available()` was checked by the caller (the only entry point).
    let c = unsafe { consts() };
    let local = log_n.min(local_log);
    let narrow = |block: &mut [Pack]| {
        for s in 4..=local {
            // SAFETY: as above.
            unsafe { stage(block, stage_packs(packs, s), &c) };
        }
    };
    let block = 1usize << (local - 3);
    if parallel {
        column.par_chunks_mut(block).for_each(narrow);
    } else {
        column.chunks_mut(block).for_each(narrow);
    }
    // Wide stages two at a time: one sweep over memory per pair.
    let mut s = local + 1;
    while s <= log_n {
        if s < log_n {
            let (tw1, tw2) = (stage_packs(packs, s), stage_packs(packs, s + 1));
            let h = tw1.len();
            let pair = |g: &mut [Pack]| {
                // SAFETY: `available()` was checked by the caller.
                unsafe { double_stage_quarters(quarters(g, h), 0, tw1, tw2, &c) }
            };
            if !parallel {
                column.chunks_mut(4 * h).for_each(pair);
            } else if column.len() / (4 * h) >= 2 * rayon::current_num_threads() {
                column.par_chunks_mut(4 * h).for_each(pair);
            } else {
                const CHUNK: usize = 1 << 7;
                for group in column.chunks_mut(4 * h) {
                    let [q0, q1, q2, q3] = quarters(group, h);
                    q0.par_chunks_mut(CHUNK)
                        .zip(q1.par_chunks_mut(CHUNK))
                        .zip(q2.par_chunks_mut(CHUNK))
                        .zip(q3.par_chunks_mut(CHUNK))
                        .enumerate()
                        .for_each(|(i, (((q0, q1), q2), q3))| {
                            // SAFETY: as above.
                            unsafe { double_stage_quarters([q0, q1, q2, q3], i * CHUNK, tw1, tw2, &c) }
                        });
                }
            }
            s += 2;
            continue;
        }
        let tw = stage_packs(packs, s);
        let half = tw.len();
        if !parallel {
            // SAFETY: as above.
            unsafe { stage(&mut column, tw, &c) };
        } else if column.len() / (2 * half) >= 2 * rayon::current_num_threads() {
            // SAFETY: as above.
            column.par_chunks_mut(2 * half).for_each(|g| unsafe { stage(g, tw, &c) });
        } else {
            const CHUNK: usize = 1 << 8;
            for group in column.chunks_mut(2 * half) {
                let (lo, hi) = group.split_at_mut(half);
                lo.par_chunks_mut(CHUNK).zip(hi.par_chunks_mut(CHUNK)).zip(tw.par_chunks(CHUNK)).for_each(
                    |((l, h), w)| {
                        for ((a, b), w) in l.iter_mut().zip(h.iter_mut()).zip(w) {
                            // SAFETY: as above.
                            unsafe { butterfly(a, b, w, &c) };
                        }
                    },
                );
            }
        }
        s += 1;
    }
    let drain = |(chunk, pack): (&mut [Fr], &Pack)| {
        for (lane, x) in chunk.iter_mut().enumerate() {
            *x = Fr::from_montgomery_limbs_unchecked(reduce(pack.get(lane), &P));
        }
    };
    if parallel {
        data.par_chunks_mut(8).zip(column.par_iter()).for_each(drain);
    } else {
        data.chunks_mut(8).zip(column.iter()).for_each(drain);
    }
}

/// Elements per parallel task of the elementwise products.
const ELEMENTWISE_TASK: usize = 1 << 11;

/// `data[i] ·= factors[i]`, eight at a time (a coset's powers, shared by
/// every column of a batch); the tail past a multiple of eight scalar.
pub(crate) fn mul_elementwise(data: &mut [Fr], factors: &[Fr]) {
    debug_assert!(crate::ifma::available() && factors.len() == data.len());
    data.par_chunks_mut(ELEMENTWISE_TASK).zip(factors.par_chunks(ELEMENTWISE_TASK)).for_each(|(d, f)| {
        // SAFETY: the caller checked that this CPU has AVX-512F and IFMA.
        unsafe { mul_elementwise_task(d, f) }
    });
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn mul_elementwise_task(data: &mut [Fr], factors: &[Fr]) {
    let c = consts();
    let whole = data.len() / 8 * 8;
    for (d, f) in data[..whole].chunks_exact_mut(8).zip(factors.chunks_exact(8)) {
        let product = mont_mul(&load8(d, &c), &times16(&load8(f, &c), &c), &c);
        store8(reduce_below(product, &c.p, &c), d);
    }
    for (d, f) in data[whole..].iter_mut().zip(&factors[whole..]) {
        *d *= *f;
    }
}

/// `data[i] ·= scale·gⁱ`, eight at a time: eight running powers step by
/// `g⁸`, so no product waits on the one before it (the scalar loop is a
/// chain of dependent products).
pub(crate) fn mul_by_powers(data: &mut [Fr], scale: Fr, g: Fr) {
    debug_assert!(crate::ifma::available());
    data.par_chunks_mut(ELEMENTWISE_TASK).enumerate().for_each(|(task, d)| {
        let first = scale * g.pow(&[(task * ELEMENTWISE_TASK) as u64]);
        // SAFETY: the caller checked that this CPU has AVX-512F and IFMA.
        unsafe { mul_by_powers_task(d, first, g) }
    });
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn mul_by_powers_task(data: &mut [Fr], first: Fr, g: Fr) {
    let c = consts();
    let mut lanes = [first; 8];
    for l in 1..8 {
        lanes[l] = lanes[l - 1] * g;
    }
    let step = times16(&broadcast(g.pow(&[8]).montgomery_limbs()), &c);
    let mut powers = load8(&lanes, &c);
    // g = 1 scales by a constant: the powers never change.
    let constant = g == Fr::ONE;
    let whole = data.len() / 8 * 8;
    for d in data[..whole].chunks_exact_mut(8) {
        let product = mont_mul(&load8(d, &c), &times16(&powers, &c), &c);
        store8(reduce_below(product, &c.p, &c), d);
        if !constant {
            powers = mont_mul(&powers, &step, &c);
        }
    }
    let mut next = first * g.pow(&[whole as u64]);
    for d in &mut data[whole..] {
        *d *= next;
        next *= g;
    }
}

#[cfg(test)]
mod elementwise_tests {
    use super::*;

    /// Both kernels against scalar products, on lengths with and without a
    /// tail, across task boundaries, with p − 1 among the inputs and g = 1.
    #[test]
    fn elementwise_products_match_scalar_ones() {
        if !crate::ifma::available() {
            eprintln!("SKIPPED: this CPU has no AVX-512 IFMA");
            return;
        }
        let mut x = Fr::from_u64(5);
        let mut next = || {
            x = x * x + Fr::from_u64(1);
            x
        };
        for n in [0usize, 7, 8, 13, 64, ELEMENTWISE_TASK + 21, 3 * ELEMENTWISE_TASK] {
            let mut data: Vec<Fr> = (0..n).map(|_| next()).collect();
            if n > 0 {
                data[0] = -Fr::ONE;
            }
            let factors: Vec<Fr> = (0..n).map(|i| if i % 5 == 0 { -Fr::ONE } else { next() }).collect();
            let mut packed = data.clone();
            mul_elementwise(&mut packed, &factors);
            let expected: Vec<Fr> = data.iter().zip(&factors).map(|(a, b)| *a * *b).collect();
            assert!(packed == expected, "elementwise, n = {n}");
            for (scale, g) in [(next(), next()), (next(), Fr::ONE), (Fr::ONE, -Fr::ONE)] {
                let mut packed = data.clone();
                mul_by_powers(&mut packed, scale, g);
                let mut power = scale;
                let expected: Vec<Fr> = data
                    .iter()
                    .map(|a| {
                        let v = *a * power;
                        power *= g;
                        v
                    })
                    .collect();
                assert!(packed == expected, "powers, n = {n}");
            }
        }
    }
}

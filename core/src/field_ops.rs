//! Serial helpers over slices of field elements shared by backends and references.

use crate::field::Field;

/// Inverts every non-zero element in place with one field inversion
/// (Montgomery's trick); zeros stay zero.
///
/// Serial; backends parallelise by calling it on chunks.
pub fn batch_inverse_skip_zeros<F: Field>(values: &mut [F]) {
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = F::ONE;
    for v in values.iter() {
        prefix.push(acc);
        if !v.is_zero() {
            acc *= *v;
        }
    }
    // `acc` is a product of non-zero elements, hence invertible.
    let mut inv = acc.inverse().unwrap_or(F::ZERO);
    for (v, before) in values.iter_mut().zip(prefix).rev() {
        if v.is_zero() {
            continue;
        }
        let next = inv * *v;
        *v = inv * before;
        inv = next;
    }
}

/// Inverts every element in place with one field inversion, for inputs
/// already known to hold no zero (a zero makes every output of the slice
/// meaningless, though nothing panics). Three products per element.
pub fn batch_inverse_nonzero<F: Field>(values: &mut [F]) {
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = F::ONE;
    for v in values.iter() {
        prefix.push(acc);
        acc *= *v;
    }
    let mut inv = acc.inverse().unwrap_or(F::ZERO);
    for (v, before) in values.iter_mut().zip(prefix).rev() {
        let next = inv * *v;
        *v = inv * before;
        inv = next;
    }
}

/// [`batch_inverse_nonzero`] with four interleaved product chains (element
/// `i` in chain `i mod 4`) sharing one inversion. Same products, but four
/// independent dependency chains keep the multiplier busy where the classic
/// algorithm waits on each product's latency.
pub fn batch_inverse_nonzero_interleaved<F: Field>(values: &mut [F]) {
    const LANES: usize = 4;
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = [F::ONE; LANES];
    for (i, v) in values.iter().enumerate() {
        prefix.push(acc[i % LANES]);
        acc[i % LANES] *= *v;
    }
    let mut inv = invert_lanes(acc);
    for (i, (v, before)) in values.iter_mut().zip(prefix).enumerate().rev() {
        let lane = &mut inv[i % LANES];
        let next = *lane * *v;
        *v = *lane * before;
        *lane = next;
    }
}

/// The inverses of `L` non-zero values with one field inversion:
/// `1/aₖ = (Π_{j≠k} aⱼ) / Π aⱼ`. A zero among them makes every result zero.
pub fn invert_lanes<F: Field, const L: usize>(values: [F; L]) -> [F; L] {
    invert_lanes_with(values, F::inverse)
}

/// [`invert_lanes`] with [`Field::inverse_vartime`].
pub fn invert_lanes_vartime<F: Field, const L: usize>(values: [F; L]) -> [F; L] {
    invert_lanes_with(values, F::inverse_vartime)
}

fn invert_lanes_with<F: Field, const L: usize>(values: [F; L], invert: impl Fn(&F) -> Option<F>) -> [F; L] {
    let mut others = [F::ONE; L];
    let mut below = F::ONE;
    for k in 0..L {
        others[k] = below;
        below *= values[k];
    }
    let mut above = F::ONE;
    for k in (0..L).rev() {
        others[k] *= above;
        above *= values[k];
    }
    let total_inv = invert(&below).unwrap_or(F::ZERO);
    others.map(|o| o * total_inv)
}

/// `[1, g, g², …]`: `n` successive powers of `g`, starting from `start`.
pub fn powers<F: Field>(start: F, g: F, n: usize) -> Vec<F> {
    let mut out = Vec::with_capacity(n);
    let mut acc = start;
    for _ in 0..n {
        out.push(acc);
        acc *= g;
    }
    out
}

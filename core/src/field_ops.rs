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

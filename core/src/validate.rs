//! Input checks shared by every backend, so that all of them reject the
//! same inputs with the same [`Error`].

use crate::curve::{Affine, SwCurve};
use crate::error::{Error, Result};
use crate::field::{PrimeField, TwoAdicField};

/// Every element of `values` is reduced.
pub fn field_elements<F: PrimeField>(what: &'static str, values: &[F]) -> Result<()> {
    match values.iter().position(|v| !v.is_reduced()) {
        None => Ok(()),
        Some(index) => Err(Error::InvalidFieldElement { what, index }),
    }
}

/// Points per thread below which [`points`] checks on the calling thread.
const POINTS_PER_THREAD: usize = 1 << 14;

/// Every point has reduced coordinates and is on the curve or the identity;
/// the error names the first point that is not.
///
/// Checked on every core for long inputs: the on-curve test is three
/// multiplications per point, which serially costs a third of a second at
/// 2^22 points, most of a GPU MSM's time and a quarter of a 16-core one's.
pub fn points<C: SwCurve>(bases: &[Affine<C>]) -> Result<()> {
    let first_invalid = |chunk: &[Affine<C>], offset: usize| {
        chunk
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.validate().err().map(|reason| Error::InvalidPoint { index: offset + i, reason }))
    };
    let threads =
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(bases.len() / POINTS_PER_THREAD).max(1);
    let failure = if threads == 1 {
        first_invalid(bases, 0)
    } else {
        let chunk = bases.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let checks: Vec<_> = bases
                .chunks(chunk)
                .enumerate()
                .map(|(k, part)| scope.spawn(move || first_invalid(part, k * chunk)))
                .collect();
            // In order, so that the error names the first invalid point.
            checks.into_iter().find_map(|check| check.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        })
    };
    failure.map_or(Ok(()), Err)
}

/// `actual == expected`.
pub fn same_length(what: &'static str, expected: usize, actual: usize) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::LengthMismatch { what, expected, actual })
    }
}

/// Each scalar vector of a batched MSM has exactly `bases` elements and is reduced.
pub fn msm_scalars<F: PrimeField>(bases: usize, scalars: &[&[F]]) -> Result<()> {
    for s in scalars {
        same_length("msm scalars vs bases", bases, s.len())?;
        field_elements("scalars", s)?;
    }
    Ok(())
}

/// Each scalar vector of a prepared MSM has at most `bases` elements and is reduced.
pub fn msm_prepared_scalars<F: PrimeField>(bases: usize, scalars: &[&[F]]) -> Result<()> {
    for s in scalars {
        if s.len() > bases {
            return Err(Error::LengthMismatch {
                what: "prepared msm scalars (at most the number of bases)",
                expected: bases,
                actual: s.len(),
            });
        }
        field_elements("scalars", s)?;
    }
    Ok(())
}

/// `column_len` is a supported NTT size and `len` a whole number of columns.
pub fn ntt_shape<F: TwoAdicField>(len: usize, column_len: usize) -> Result<()> {
    if !column_len.is_power_of_two() {
        return Err(Error::NotPowerOfTwo { size: column_len });
    }
    let max = max_ntt_len::<F>();
    if column_len > max {
        return Err(Error::SizeTooLarge { size: column_len, max });
    }
    if !len.is_multiple_of(column_len) {
        return Err(Error::InvalidShape {
            reason: format!("{len} elements are not a whole number of columns of {column_len}"),
        });
    }
    Ok(())
}

/// The extended column length of a low-degree extension, if supported.
pub fn lde_len<F: TwoAdicField>(column_len: usize, log_blowup: u32) -> Result<usize> {
    let max = max_ntt_len::<F>();
    match column_len.checked_shl(log_blowup) {
        Some(n) if log_blowup < usize::BITS && n >> log_blowup == column_len && n <= max => Ok(n),
        _ => Err(Error::SizeTooLarge { size: column_len.saturating_mul(1usize << log_blowup.min(63)), max }),
    }
}

/// The largest NTT the field supports, `2^TWO_ADICITY` (capped by `usize`).
pub fn max_ntt_len<F: TwoAdicField>() -> usize {
    1usize.checked_shl(F::TWO_ADICITY).unwrap_or(usize::MAX)
}

/// That every element of a batch inversion's `values` is reduced and
/// nonzero: the first that is not is [`Error::InvalidFieldElement`] or
/// [`Error::NotInvertible`], in the CPU backend's order (which every
/// backend keeps).
pub fn invertible<F: PrimeField>(values: &[F]) -> Result<()> {
    match values.iter().position(|v| !v.is_reduced() || v.is_zero()) {
        Some(index) => Err(not_invertible(values, index)),
        None => Ok(()),
    }
}

/// The error for `values[index]`, found unreduced or zero by [`invertible`]
/// (or by a backend's own parallel scan).
pub fn not_invertible<F: PrimeField>(values: &[F], index: usize) -> Error {
    if values[index].is_reduced() {
        Error::NotInvertible { index }
    } else {
        Error::InvalidFieldElement { what: "values", index }
    }
}

/// A coset shift is reduced and non-zero (a zero shift is no coset and has no inverse).
pub fn coset_shift<F: PrimeField>(shift: Option<F>) -> Result<()> {
    match shift {
        Some(s) if !s.is_reduced() => Err(Error::InvalidFieldElement { what: "coset shift", index: 0 }),
        Some(s) if s.is_zero() => Err(Error::InvalidConfig("the coset shift must be non-zero".into())),
        _ => Ok(()),
    }
}

/// The inputs of a constraint program run over `rows` rows: one column per
/// program column, each `rows` long (a power of two), one constant per
/// program constant, every value reduced.
pub fn constraint_inputs<F: PrimeField>(
    program: &crate::constraints::ConstraintProgram,
    columns: &[&[F]],
    constants: &[F],
    rows: usize,
) -> Result<()> {
    same_length("constraint program columns", program.columns(), columns.len())?;
    same_length("constraint program constants", program.constants(), constants.len())?;
    if !rows.is_power_of_two() {
        return Err(Error::InvalidShape { reason: format!("{rows} rows is not a power of two") });
    }
    for (c, column) in columns.iter().enumerate() {
        if column.len() != rows {
            return Err(Error::InvalidShape { reason: format!("column {c} has {} rows, not {rows}", column.len()) });
        }
        field_elements("constraint program column", column)?;
    }
    field_elements("constraint program constants", constants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curve::PointError;
    use crate::{Bn254, Field, Fr, G1Affine};

    /// Long enough for several threads: the error still names the first
    /// invalid point, whichever thread finds which.
    #[test]
    fn points_names_the_first_invalid_point_of_a_long_input() {
        let n = 5 * POINTS_PER_THREAD + 3;
        let (mut bases, _) = crate::reference::progression_bases::<Bn254>(n, Fr::from_u64(3), Fr::from_u64(5));
        assert_eq!(points(&bases), Ok(()));
        let off_curve = G1Affine::new_unchecked(bases[0].x, bases[0].y.double());
        for &index in &[n - 1, 4 * POINTS_PER_THREAD + 1, POINTS_PER_THREAD + 2] {
            bases[index] = off_curve;
            assert_eq!(points(&bases), Err(Error::InvalidPoint { index, reason: PointError::NotOnCurve }));
        }
        bases[7] = G1Affine::IDENTITY;
        assert_eq!(
            points(&bases),
            Err(Error::InvalidPoint { index: POINTS_PER_THREAD + 2, reason: PointError::NotOnCurve })
        );
    }
}

//! SHPLONK multi-opening (Boneh–Drake–Fisch–Gabizon, as halo2's KZG verifier
//! checks it), with both of its commitments on the Accelerator.
//!
//! Queries are grouped as halo2's verifier groups them: commitments in the
//! order of their first query, each with the set of points it is opened at;
//! commitments with equal point sets form one rotation set, in the order of
//! their first commitment. Within a set commitment `j` is weighted by `y^j`,
//! set `i` by `v^i`.

use halo2_axiom::arithmetic::{eval_polynomial, evaluate_vanishing_polynomial, kate_division, lagrange_interpolate};
use halo2_axiom::halo2curves::bn256::{Fr, G1Affine};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::transcript::{EncodedChallenge, TranscriptWrite};
use rayon::prelude::*;

use crate::scheme::SrsBasis;
use crate::{AcceleratedParams, Halo2Error};

/// An opening of a polynomial at `point`. Queries of one polynomial are
/// recognised by its buffer (as stock recognises them by reference).
pub(crate) struct Query<'a> {
    pub coefficients: &'a [Fr],
    pub point: Fr,
    /// The polynomial's value at `point` where the prover already has it (it
    /// wrote it to the transcript); computed here otherwise.
    pub evaluation: Option<Fr>,
}

/// A commitment's opening points, each with its value where the prover gave it.
type KnownPoints = Vec<(Fr, Option<Fr>)>;

/// A rotation set's points and its commitments, before evaluation.
type PendingSet<'a> = (Vec<Fr>, Vec<(&'a [Fr], KnownPoints)>);

struct RotationSet<'a> {
    points: Vec<Fr>,
    /// Each commitment's coefficients and its evaluations at `points`.
    polys: Vec<(&'a [Fr], Vec<Fr>)>,
}

/// Rows per parallel task when combining polynomials.
const COEFFS_PER_TASK: usize = 1 << 12;

/// Writes the two SHPLONK commitments for `queries` into `transcript`.
pub(crate) fn open<E, T>(
    params: &AcceleratedParams,
    n: usize,
    queries: &[Query<'_>],
    transcript: &mut T,
) -> Result<(), Halo2Error>
where
    E: EncodedChallenge<G1Affine>,
    T: TranscriptWrite<G1Affine, E>,
{
    let y = *transcript.squeeze_challenge_scalar::<()>();

    // Commitments by first query, with their point sets and known evaluations.
    let mut commitments: Vec<(*const Fr, &[Fr], KnownPoints)> = Vec::new();
    let mut super_points: Vec<Fr> = Vec::new();
    for q in queries {
        if !super_points.contains(&q.point) {
            super_points.push(q.point);
        }
        let id = q.coefficients.as_ptr();
        match commitments.iter_mut().find(|(poly, _, _)| *poly == id) {
            Some((_, _, points)) => match points.iter_mut().find(|(p, _)| *p == q.point) {
                Some((_, known)) => *known = known.or(q.evaluation),
                None => points.push((q.point, q.evaluation)),
            },
            None => commitments.push((id, q.coefficients, vec![(q.point, q.evaluation)])),
        }
    }
    let same_set = |a: &[Fr], b: &KnownPoints| a.len() == b.len() && b.iter().all(|(p, _)| a.contains(p));
    let mut sets: Vec<PendingSet<'_>> = Vec::new();
    for (_, coefficients, points) in commitments {
        match sets.iter_mut().find(|(set, _)| same_set(set, &points)) {
            Some((_, polys)) => polys.push((coefficients, points)),
            None => sets.push((points.iter().map(|(p, _)| *p).collect(), vec![(coefficients, points)])),
        }
    }
    let sets: Vec<RotationSet<'_>> = sets
        .into_par_iter()
        .map(|(points, polys)| {
            let polys = polys
                .into_par_iter()
                .map(|(c, known)| {
                    // In the set's point order; a value the prover wrote is not recomputed.
                    let evals = points
                        .iter()
                        .map(|p| {
                            let written = known.iter().find(|(q, _)| q == p).and_then(|(_, e)| *e);
                            written.unwrap_or_else(|| eval_polynomial(c, *p))
                        })
                        .collect();
                    (c, evals)
                })
                .collect();
            RotationSet { points, polys }
        })
        .collect();

    let v = *transcript.squeeze_challenge_scalar::<()>();

    // h(X) = Σ_i v^i · (Σ_j y^j (p_j − r_j)) / Π_{z ∈ S_i}(X − z), with r_j the
    // interpolant of p_j's evaluations on S_i; one set at a time, so that a
    // set's combination and quotient are the only polynomials held besides h.
    let mut h = vec![Fr::ZERO; n];
    let mut set_weight = Fr::ONE;
    for set in &sets {
        let mut numerator = combine(n, set.polys.iter().map(|(c, _)| (*c, Fr::ONE)), y);
        let mut weight = Fr::ONE;
        for (_, evals) in &set.polys {
            // Of degree below the set's size: only the lowest coefficients change.
            for (acc, r) in numerator.iter_mut().zip(lagrange_interpolate(&set.points, evals)) {
                *acc -= weight * r;
            }
            weight *= y;
        }
        let quotient = set.points.iter().fold(numerator, |poly, &point| kate_division(&poly, point));
        h.par_iter_mut().zip(quotient.par_iter()).for_each(|(h, q)| *h += set_weight * q);
        set_weight *= v;
    }
    super::commit_and_write(params, SrsBasis::Monomial, &[&h], transcript)?;

    let u = *transcript.squeeze_challenge_scalar::<()>();

    // L(X) = Σ_i v^i·Z_{T∖S_i}(u)·Σ_j y^j (p_j − r_j(u)) − Z_T(u)·h(X), which
    // vanishes at u; the opening is L(X) / ((X − u)·Z_{T∖S_0}(u)). Its
    // polynomial part is one weighted sum over every committed polynomial.
    let mut weighted: Vec<(&[Fr], Fr)> = Vec::new();
    let mut constant_term = Fr::ZERO;
    let mut set_weight = Fr::ONE;
    let mut first_scale = Fr::ONE;
    for (index, set) in sets.iter().enumerate() {
        let others: Vec<Fr> = super_points.iter().copied().filter(|p| !set.points.contains(p)).collect();
        let z = evaluate_vanishing_polynomial(&others, u);
        if index == 0 {
            first_scale = z;
        }
        let scale = set_weight * z;
        let mut weight = scale;
        for (c, evals) in &set.polys {
            let r = lagrange_interpolate(&set.points, evals);
            constant_term += weight * eval_polynomial(&r, u);
            weighted.push((c, weight));
            weight *= y;
        }
        set_weight *= v;
    }
    let mut linearisation = combine(n, weighted.into_iter(), Fr::ONE);
    linearisation[0] -= constant_term;
    let zt = evaluate_vanishing_polynomial(&super_points, u);
    linearisation.par_iter_mut().zip(h.par_iter()).for_each(|(l, h)| *l -= zt * h);
    let mut opening = kate_division(&linearisation, u);
    let inverse = Option::<Fr>::from(first_scale.invert())
        .ok_or_else(|| Halo2Error::Unsupported("SHPLONK: the opening point collides with a query point".into()))?;
    opening.par_iter_mut().for_each(|c| *c *= inverse);
    super::commit_and_write(params, SrsBasis::Monomial, &[&opening], transcript)?;
    Ok(())
}

/// `Σ_j w^j·c_j·p_j` over `(p_j, c_j)`, `n` coefficients (shorter
/// polynomials are zero-extended).
fn combine<'a>(n: usize, polys: impl Iterator<Item = (&'a [Fr], Fr)>, w: Fr) -> Vec<Fr> {
    let polys: Vec<(&[Fr], Fr)> = polys.collect();
    let mut out = vec![Fr::ZERO; n];
    out.par_chunks_mut(COEFFS_PER_TASK).enumerate().for_each(|(task, chunk)| {
        let start = task * COEFFS_PER_TASK;
        // Horner over the polynomials, highest weight first.
        for &(p, c) in polys.iter().rev() {
            let p = p.get(start..).unwrap_or(&[]);
            let (head, tail) = chunk.split_at_mut(p.len().min(COEFFS_PER_TASK).min(chunk.len()));
            let scaled = |p: &Fr| if c == Fr::ONE { *p } else { c * p };
            if w == Fr::ONE {
                head.iter_mut().zip(p).for_each(|(acc, p)| *acc += scaled(p));
            } else {
                head.iter_mut().zip(p).for_each(|(acc, p)| *acc = *acc * w + scaled(p));
                tail.iter_mut().for_each(|acc| *acc *= w);
            }
        }
    });
    out
}

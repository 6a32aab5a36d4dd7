//! Our halo2 prover: the whole PLONK proof of halo2-axiom 0.5 (KZG, SHPLONK)
//! with every stage on the [`Accelerator`](zkaccel::Accelerator).
//!
//! It reads halo2-axiom's `ProvingKey` through its public getters and
//! writes exactly halo2-axiom's proof format and transcript order, so the
//! stock verifier (and an EVM verifier generated from the same key) checks
//! its proofs. Stage by stage:
//!
//! | stage | where |
//! |---|---|
//! | witness synthesis | our `Assignment` (`prover::witness`) |
//! | every commitment (advice, lookups, permutation, vanishing, quotient, SHPLONK) | `Msm` on the prepared SRS, batched per stage |
//! | iFFTs to coefficients, coset FFTs of the extended domain, the quotient's iFFT | `Ntt` (`ntt_batch`, columns batched) |
//! | lookup permutation `(A', S')` | `permute_lookup` |
//! | lookup and permutation grand products | `batch_inverse`, `prefix_product` |
//! | quotient numerator | [`QuotientProgram`], compiled from the constraint system, evaluated one coset part at a time |
//!
//! # Where the proof bytes differ from stock's
//!
//! Stock `create_proof` is not a function of its RNG: it draws the
//! vanishing argument's random polynomial from `rand::thread_rng()`, and it
//! orders each lookup's permuted input by a `HashMap` with a random seed. So
//! no prover can reproduce its bytes, and neither can stock itself (the tests
//! show both). What is equal: every byte before the first lookup commitment
//! (every advice commitment) for every circuit, and for circuits without
//! lookups every byte up to the vanishing argument's commitment, including
//! the permutation products. Our prover draws that polynomial from the
//! caller's RNG and sorts the permuted lookup input, so its proofs are a
//! function of circuit, key, instances and RNG.

mod arguments;
mod domain;
mod key_cosets;
mod quotient;
mod shplonk;
mod witness;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use halo2_axiom::arithmetic::eval_polynomial;
use halo2_axiom::halo2curves::bn256::{Fr, G1Affine};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{Circuit, ProvingKey};
use halo2_axiom::poly::Rotation;
use halo2_axiom::transcript::{EncodedChallenge, TranscriptWrite};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use rayon::prelude::*;
use zkaccel::CosetRows;

pub(crate) use key_cosets::KeyCosetCache;
pub use quotient::{Constant, QuotientProgram, Source, Symbol};

use crate::scheme::SrsBasis;
use crate::{AcceleratedParams, Halo2Error};
use domain::Domain;
use shplonk::Query;

/// Time spent in each stage of one proof (wall clock; stages do not overlap).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// `Circuit::synthesize`, the advice's inversions and blinding rows.
    pub synthesis: Duration,
    /// Commitment MSMs of advice, lookup, permutation and vanishing columns and quotient pieces.
    pub commitments: Duration,
    /// Transforms: to coefficients, to the extended coset's parts, and the quotient back.
    pub ffts: Duration,
    /// The quotient numerator on the extended coset, and the lookups' compressed expressions.
    pub quotient: Duration,
    /// Lookup permutations and the lookup and permutation grand products.
    pub products: Duration,
    /// Polynomial evaluations at the challenge point.
    pub evaluations: Duration,
    /// SHPLONK, its two MSMs included.
    pub multiopen: Duration,
}

impl StageTimes {
    /// The stages with their names, in proof order.
    pub fn named(&self) -> [(&'static str, Duration); 7] {
        [
            ("synthesis", self.synthesis),
            ("commitments", self.commitments),
            ("ffts", self.ffts),
            ("quotient", self.quotient),
            ("products", self.products),
            ("evaluations", self.evaluations),
            ("multiopen", self.multiopen),
        ]
    }
}

/// Adds the time `work` takes to `slot`.
fn timed<T>(slot: &mut Duration, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = work();
    *slot += start.elapsed();
    out
}

/// Commits to `polys` in one batch and writes the commitments into
/// `transcript` in order: how every stage hands its columns to the verifier.
fn commit_and_write<E, T>(
    params: &AcceleratedParams,
    basis: SrsBasis,
    polys: &[&[Fr]],
    transcript: &mut T,
) -> Result<(), Halo2Error>
where
    E: EncodedChallenge<G1Affine>,
    T: TranscriptWrite<G1Affine, E>,
{
    for point in params.commit_batch(basis, polys)? {
        transcript.write_point(point)?;
    }
    Ok(())
}

/// Columns on one coset part, dropped together after run `last_run`.
struct HeldColumns {
    sources: Vec<Source>,
    last_run: usize,
    /// The columns' values, `n` each, in the order of `sources`.
    values: Vec<Fr>,
}

impl HeldColumns {
    fn column(&self, source: Source, n: usize) -> Option<&[Fr]> {
        let i = self.sources.iter().position(|&s| s == source)?;
        Some(&self.values[i * n..(i + 1) * n])
    }
}

/// One lookup's columns on the domain.
struct LookupColumns {
    input: Vec<Fr>,
    table: Vec<Fr>,
    permuted_input: Vec<Fr>,
    permuted_table: Vec<Fr>,
    product: Vec<Fr>,
}

/// Proves `circuit` against `pk` with public `instances`, writing into
/// `transcript`. The caller has checked the instances' shape.
pub(crate) fn create_proof<C, E, T>(
    params: &AcceleratedParams,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[&[Fr]],
    mut rng: impl RngCore,
    transcript: &mut T,
) -> Result<StageTimes, Halo2Error>
where
    C: Circuit<Fr>,
    E: EncodedChallenge<G1Affine>,
    T: TranscriptWrite<G1Affine, E>,
{
    let mut times = StageTimes::default();
    let vk = pk.get_vk();
    let cs = vk.cs();
    let accelerator = params.accelerator();
    let domain = Domain::new(accelerator, vk.get_domain());
    let n = domain.n;
    let blinding_factors = cs.blinding_factors();
    let usable_rows = n - (blinding_factors + 1);
    // Compiled before anything is written: an unsupported feature fails first.
    let program = QuotientProgram::compile(cs)?;
    let runs = program.split()?;
    let compressions = cs
        .lookups()
        .iter()
        .map(|l| {
            Ok((
                QuotientProgram::compression(l.input_expressions())?,
                QuotientProgram::compression(l.table_expressions())?,
            ))
        })
        .collect::<Result<Vec<_>, Halo2Error>>()?;

    vk.hash_into(transcript)?;
    let instance_values: Vec<Vec<Fr>> = instances
        .iter()
        .map(|values| {
            let mut column = vec![Fr::ZERO; n];
            column[..values.len()].copy_from_slice(values);
            column
        })
        .collect();

    let witness = witness::synthesize(params, cs, circuit, instances, &mut rng, transcript, &mut times)?;
    let advice_values = witness.advice;
    let challenges = &witness.challenges;

    // Lookups: compress, permute, commit A' and S'.
    let theta = *transcript.squeeze_challenge_scalar::<()>();
    let rows = |program: &QuotientProgram, constants: &[Fr]| -> Result<Vec<Fr>, Halo2Error> {
        let columns: Vec<&[Fr]> = program
            .columns()
            .iter()
            .map(|s| match *s {
                Source::Fixed(i) => &pk.fixed_values()[i][..],
                Source::Advice(i) => &advice_values[i][..],
                Source::Instance(i) => &instance_values[i][..],
                // A compression reads only circuit columns.
                _ => &[][..],
            })
            .collect();
        let rows = CosetRows { len: n, shift: Fr::ONE, omega: domain.omega };
        program.evaluate(accelerator, &columns, constants, rows, Fr::ONE)
    };
    let bind = |beta: Fr, gamma: Fr| {
        move |s: Symbol| match s {
            Symbol::Challenge(i) => challenges[i],
            Symbol::Beta => beta,
            Symbol::Gamma => gamma,
            Symbol::Theta => theta,
        }
    };
    let mut lookups = Vec::with_capacity(compressions.len());
    for ((input_program, table_program), argument) in compressions.iter().zip(cs.lookups()) {
        let (input, table) = timed(&mut times.quotient, || {
            let input = rows(input_program, &input_program.bind(bind(Fr::ZERO, Fr::ZERO)))?;
            let table = rows(table_program, &table_program.bind(bind(Fr::ZERO, Fr::ZERO)))?;
            Ok::<_, Halo2Error>((input, table))
        })?;
        let (permuted_input, permuted_table) = timed(&mut times.products, || {
            arguments::permute_lookup(accelerator, argument.name(), &input, &table, usable_rows, &mut rng)
        })?;
        // Unused blinds (KZG ignores them), drawn to keep the RNG stream stock's.
        let _blinds = (Fr::random(&mut rng), Fr::random(&mut rng));
        lookups.push(LookupColumns { input, table, permuted_input, permuted_table, product: Vec::new() });
    }
    let permuted: Vec<&[Fr]> =
        lookups.iter().flat_map(|l| [l.permuted_input.as_slice(), l.permuted_table.as_slice()]).collect();
    timed(&mut times.commitments, || commit_and_write(params, SrsBasis::Lagrange, &permuted, transcript))?;

    // Permutation products, then lookup products.
    let beta = *transcript.squeeze_challenge_scalar::<()>();
    let gamma = *transcript.squeeze_challenge_scalar::<()>();
    let permutation_products = timed(&mut times.products, || {
        arguments::permutation_products(
            accelerator,
            pk,
            cs,
            domain.omega,
            &advice_values,
            &instance_values,
            beta,
            gamma,
            &mut rng,
        )
    })?;
    let sets: Vec<&[Fr]> = permutation_products.iter().map(Vec::as_slice).collect();
    timed(&mut times.commitments, || commit_and_write(params, SrsBasis::Lagrange, &sets, transcript))?;
    for lookup in &mut lookups {
        lookup.product = timed(&mut times.products, || {
            arguments::lookup_product(
                accelerator,
                &lookup.input,
                &lookup.table,
                &lookup.permuted_input,
                &lookup.permuted_table,
                beta,
                gamma,
                blinding_factors,
                &mut rng,
            )
        })?;
        let _blind = Fr::random(&mut rng);
    }
    let products: Vec<&[Fr]> = lookups.iter().map(|l| l.product.as_slice()).collect();
    timed(&mut times.commitments, || commit_and_write(params, SrsBasis::Lagrange, &products, transcript))?;

    // The vanishing argument's random polynomial, from the caller's RNG.
    let random_poly = random_polynomial(n, &mut rng);
    timed(&mut times.commitments, || commit_and_write(params, SrsBasis::Monomial, &[&random_poly], transcript))?;
    let y = *transcript.squeeze_challenge_scalar::<()>();

    // Everything to coefficients.
    let advice = timed(&mut times.ffts, || to_coefficients(&domain, advice_values))?;
    let instance = timed(&mut times.ffts, || to_coefficients(&domain, instance_values))?;
    let permutation_products = timed(&mut times.ffts, || to_coefficients(&domain, permutation_products))?;
    let lookup_columns: Vec<Vec<Fr>> =
        lookups.into_iter().flat_map(|l| [l.product, l.permuted_input, l.permuted_table]).collect();
    let lookup_columns = timed(&mut times.ffts, || to_coefficients(&domain, lookup_columns))?;
    // Per lookup: product, permuted input, permuted table.
    let lookup_poly = |lookup: usize, which: usize| -> &[Fr] { &lookup_columns[3 * lookup + which] };

    // The quotient, one part of the extended coset at a time, and within a
    // part one run of constraints at a time: a column is transformed when
    // the first run that reads it starts and dropped after the last.
    let coefficients = |s: Source| -> &[Fr] {
        match s {
            Source::Fixed(i) => &pk.fixed_polys()[i],
            Source::Advice(i) => &advice[i],
            Source::Instance(i) => &instance[i],
            Source::FirstRow => pk.l0(),
            Source::LastRow => pk.l_last(),
            Source::ActiveRows => pk.l_active_row(),
            Source::Sigma(i) => &pk.permutation().polys()[i],
            Source::PermutationProduct(i) => &permutation_products[i],
            Source::LookupProduct(i) => lookup_poly(i, 0),
            Source::LookupInput(i) => lookup_poly(i, 1),
            Source::LookupTable(i) => lookup_poly(i, 2),
            // Never transformed: the runs pass it on.
            Source::Folded => &[],
        }
    };
    let constants = program.bind(bind(beta, gamma));
    let sources = program.columns();
    // The key's own columns come from the kept cosets when there are; else
    // every column is transformed, and the key's kept when the budget allows.
    let key_id = vk.transcript_repr();
    let cache = params.key_cosets();
    let kept = cache
        .get(key_id, n, domain.parts)
        .filter(|k| sources.iter().all(|s| !key_cosets::is_key_column(*s) || k.part(*s, 0).is_some()));
    let key_columns = sources.iter().filter(|s| key_cosets::is_key_column(**s)).count();
    let mut keeping = (kept.is_none() && cache.admits(key_columns, n, domain.parts))
        .then(|| key_cosets::KeyCosets::new(key_id, n, domain.parts));
    let is_kept = |s: Source| kept.as_ref().is_some_and(|k| k.part(s, 0).is_some());
    let mut last_run: HashMap<Source, usize> = HashMap::new();
    for (index, run) in runs.iter().enumerate() {
        for &s in run.columns() {
            last_run.insert(s, index);
        }
    }
    let mut quotient = vec![Fr::ZERO; domain.parts * n];
    for (part, part_values) in quotient.chunks_exact_mut(n).enumerate() {
        let rows = CosetRows { len: n, shift: domain.part_shift(part), omega: domain.omega };
        // Columns on this part, in buffers of those dropped after the same run.
        let mut held: Vec<HeldColumns> = Vec::new();
        let mut folded: Option<Vec<Fr>> = None;
        for (index, run) in runs.iter().enumerate() {
            let mut fresh: Vec<Source> = run
                .columns()
                .iter()
                .copied()
                .filter(|&s| s != Source::Folded && !is_kept(s) && !held.iter().any(|h| h.sources.contains(&s)))
                .collect();
            fresh.sort_by_key(|s| last_run[s]);
            for batch in fresh.chunk_by(|a, b| last_run[a] == last_run[b]) {
                let mut values = vec![Fr::ZERO; batch.len() * n];
                timed(&mut times.ffts, || {
                    values
                        .par_chunks_mut(n)
                        .zip(batch.par_iter())
                        .for_each(|(dst, s)| dst.copy_from_slice(coefficients(*s)));
                    domain.to_part(&mut values, part)
                })?;
                if let Some(keeping) = keeping.as_mut() {
                    for (values, s) in values.chunks(n).zip(batch) {
                        if key_cosets::is_key_column(*s) {
                            keeping.record(*s, part, values);
                        }
                    }
                }
                held.push(HeldColumns { sources: batch.to_vec(), last_run: last_run[&batch[0]], values });
            }
            let next = timed(&mut times.quotient, || {
                let columns: Vec<&[Fr]> = run
                    .columns()
                    .iter()
                    .map(|&s| match s {
                        Source::Folded => folded.as_deref(),
                        _ => match kept.as_ref().and_then(|k| k.part(s, part)) {
                            Some(values) => Some(values),
                            None => held.iter().find_map(|h| h.column(s, n)),
                        },
                    })
                    .collect::<Option<_>>()
                    .ok_or_else(|| Halo2Error::InvalidInput("a quotient run reads a column not on the coset".into()))?;
                run.evaluate(accelerator, &columns, &constants, rows, y)
            })?;
            folded = Some(next);
            held.retain(|h| h.last_run > index);
        }
        drop(held);
        timed(&mut times.quotient, || {
            let inverse = domain.vanishing_inverse_on_part(part);
            match folded {
                Some(values) => {
                    part_values.par_iter_mut().zip(values.par_iter()).for_each(|(out, v)| *out = *v * inverse)
                }
                // No constraints: the numerator is zero.
                None => part_values.fill(Fr::ZERO),
            }
        });
    }
    if let Some(keeping) = keeping {
        cache.store(keeping);
    }
    timed(&mut times.ffts, || domain.parts_to_coefficients(&mut quotient))?;
    // Read by the quotient only (KZG does not open instance columns).
    drop(instance);
    let pieces: Vec<&[Fr]> = quotient.chunks_exact(n).collect();
    timed(&mut times.commitments, || commit_and_write(params, SrsBasis::Monomial, &pieces, transcript))?;

    // Evaluations at x, in stock's order.
    let x = *transcript.squeeze_challenge_scalar::<()>();
    let xn = x.pow_vartime([n as u64]);
    // The pieces are opened only as h = Σ_j x^(jn)·h_j.
    let mut h = vec![Fr::ZERO; n];
    for piece in quotient.chunks_exact(n).rev() {
        h.par_iter_mut().zip(piece.par_iter()).for_each(|(h, p)| *h = *h * xn + p);
    }
    drop(quotient);
    let at = |rotation: i32| domain.rotate(x, Rotation(rotation));
    let last = -((blinding_factors + 1) as i32);
    let mut openings: Vec<(&[Fr], Fr)> = Vec::new();
    let mut written: Vec<(&[Fr], Fr)> = Vec::new();
    for (column, rotation) in cs.advice_queries() {
        written.push((&advice[column.index()], at(rotation.0)));
    }
    for (column, rotation) in cs.fixed_queries() {
        written.push((&pk.fixed_polys()[column.index()], at(rotation.0)));
    }
    written.push((&random_poly, x));
    for sigma in pk.permutation().polys() {
        written.push((sigma, x));
    }
    for (index, z) in permutation_products.iter().enumerate() {
        written.push((z, x));
        written.push((z, at(1)));
        if index + 1 < permutation_products.len() {
            written.push((z, at(last)));
        }
    }
    for lookup in 0..cs.lookups().len() {
        let (z, a, s) = (lookup_poly(lookup, 0), lookup_poly(lookup, 1), lookup_poly(lookup, 2));
        written.extend([(z, x), (z, at(1)), (a, x), (a, at(-1)), (s, x)]);
    }
    let evaluations: Vec<Fr> = timed(&mut times.evaluations, || {
        written.par_iter().map(|(poly, point)| eval_polynomial(poly, *point)).collect()
    });
    for &e in &evaluations {
        transcript.write_scalar(e)?;
    }

    // The openings, in the order the verifier lists its queries.
    for (column, rotation) in cs.advice_queries() {
        openings.push((&advice[column.index()], at(rotation.0)));
    }
    for z in &permutation_products {
        openings.push((z, x));
        openings.push((z, at(1)));
    }
    for z in permutation_products.iter().rev().skip(1) {
        openings.push((z, at(last)));
    }
    for lookup in 0..cs.lookups().len() {
        let (z, a, s) = (lookup_poly(lookup, 0), lookup_poly(lookup, 1), lookup_poly(lookup, 2));
        openings.extend([(z, x), (a, x), (s, x), (a, at(-1)), (z, at(1))]);
    }
    for (column, rotation) in cs.fixed_queries() {
        openings.push((&pk.fixed_polys()[column.index()], at(rotation.0)));
    }
    for sigma in pk.permutation().polys() {
        openings.push((sigma, x));
    }
    openings.push((&h, x));
    openings.push((&random_poly, x));
    // SHPLONK takes the values written above rather than evaluating again.
    let written_value = |coefficients: &[Fr], point: Fr| {
        written
            .iter()
            .zip(&evaluations)
            .find(|((poly, at), _)| std::ptr::eq(*poly, coefficients) && *at == point)
            .map(|(_, &e)| e)
    };
    let queries: Vec<Query<'_>> = openings
        .iter()
        .map(|&(coefficients, point)| Query { coefficients, point, evaluation: written_value(coefficients, point) })
        .collect();
    timed(&mut times.multiopen, || shplonk::open(params, n, &queries, transcript))?;
    Ok(times)
}

/// `n` coefficients from a ChaCha20 stream seeded by one draw of `rng`,
/// expanded in parallel (one stream per block of coefficients).
fn random_polynomial(n: usize, rng: &mut impl RngCore) -> Vec<Fr> {
    const BLOCK: usize = 1 << 12;
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let mut poly = vec![Fr::ZERO; n];
    poly.par_chunks_mut(BLOCK).enumerate().for_each(|(block, coefficients)| {
        let mut stream = ChaCha20Rng::from_seed(seed);
        stream.set_stream(block as u64);
        for c in coefficients {
            *c = Fr::random(&mut stream);
        }
    });
    poly
}

/// Columns on the domain to coefficients, transformed in batches of a few
/// columns (a batch is copied into one buffer for `ntt_batch`).
fn to_coefficients(domain: &Domain<'_>, mut columns: Vec<Vec<Fr>>) -> Result<Vec<Vec<Fr>>, Halo2Error> {
    const BATCH: usize = 8;
    let n = domain.n;
    for group in columns.chunks_mut(BATCH) {
        let mut buffer = vec![Fr::ZERO; group.len() * n];
        buffer.par_chunks_mut(n).zip(group.par_iter()).for_each(|(dst, src)| dst.copy_from_slice(src));
        domain.to_coefficients(&mut buffer)?;
        buffer.par_chunks(n).zip(group.par_iter_mut()).for_each(|(src, dst)| dst.copy_from_slice(src));
    }
    Ok(columns)
}

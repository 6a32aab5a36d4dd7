//! The lookup and permutation arguments' columns: permuted lookup columns,
//! and the lookup and permutation grand products, with their permutations,
//! inversions and running products on the Accelerator's lookup kernels.
//!
//! Each returns its columns on the domain with their blinding rows drawn in
//! stock's order; the caller commits them.

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::bn256::G1Affine;
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use halo2_axiom::plonk::{Any, ConstraintSystem, ProvingKey};
use rand_core::RngCore;
use rayon::prelude::*;
use zkaccel::{Accelerator, BatchInverse, PermuteLookup, PrefixProduct};

use crate::convert::{scalars_from_halo2, scalars_from_halo2_mut, scalars_to_halo2};
use crate::Halo2Error;

/// Rows handled per parallel task in the row-wise loops.
const ROWS_PER_TASK: usize = 1 << 12;

/// `A'` and `S'` of one lookup, each `n` long with `bf + 1` random rows after
/// the usable ones. Draws `A'`'s random rows, then `S'`'s.
pub(crate) fn permute_lookup(
    accelerator: &Accelerator,
    name: &str,
    input: &[Fr],
    table: &[Fr],
    usable_rows: usize,
    rng: &mut impl RngCore,
) -> Result<(Vec<Fr>, Vec<Fr>), Halo2Error> {
    let n = input.len();
    let permuted = accelerator
        .permute_lookup(scalars_from_halo2(&input[..usable_rows]), scalars_from_halo2(&table[..usable_rows]))
        .map_err(|e| match e {
            zkaccel::Error::NotInTable { row, .. } => Halo2Error::InvalidInput(format!(
                "lookup \"{name}\": the input on row {row} is not in the table (the witness does not satisfy the circuit)"
            )),
            e => Halo2Error::Accelerator(e),
        })?;
    let mut a = scalars_to_halo2(&permuted.input).to_vec();
    let mut s = scalars_to_halo2(&permuted.table).to_vec();
    a.resize_with(n, || Fr::random(&mut *rng));
    s.resize_with(n, || Fr::random(&mut *rng));
    Ok((a, s))
}

/// The grand product `z` of one lookup: `z[0] = 1`,
/// `z[i+1] = z[i]·(A[i] + β)(S[i] + γ) / ((A'[i] + β)(S'[i] + γ))` over the
/// usable rows, then `bf` random rows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lookup_product(
    accelerator: &Accelerator,
    input: &[Fr],
    table: &[Fr],
    permuted_input: &[Fr],
    permuted_table: &[Fr],
    beta: Fr,
    gamma: Fr,
    blinding_factors: usize,
    rng: &mut impl RngCore,
) -> Result<Vec<Fr>, Halo2Error> {
    let n = input.len();
    let mut ratio: Vec<Fr> =
        permuted_input.par_iter().zip(permuted_table.par_iter()).map(|(a, s)| (beta + a) * (gamma + s)).collect();
    accelerator.batch_inverse(scalars_from_halo2_mut(&mut ratio))?;
    ratio.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(task, chunk)| {
        let start = task * ROWS_PER_TASK;
        for (i, r) in chunk.iter_mut().enumerate() {
            *r *= (input[start + i] + beta) * (table[start + i] + gamma);
        }
    });
    let running = accelerator.prefix_product(scalars_from_halo2(&ratio[..n - blinding_factors - 1]))?;
    let mut z = scalars_to_halo2(&running).to_vec();
    z.resize_with(n, || Fr::random(&mut *rng));
    Ok(z)
}

/// The permutation argument's grand products, one per set of `degree − 2`
/// columns, each with `bf` random rows; set `s + 1` starts where set `s`
/// ends. Per set, draws its random rows then its (unused) blind, as stock.
#[allow(clippy::too_many_arguments)]
pub(crate) fn permutation_products(
    accelerator: &Accelerator,
    pk: &ProvingKey<G1Affine>,
    cs: &ConstraintSystem<Fr>,
    omega: Fr,
    advice: &[Vec<Fr>],
    instance: &[Vec<Fr>],
    beta: Fr,
    gamma: Fr,
    rng: &mut impl RngCore,
) -> Result<Vec<Vec<Fr>>, Halo2Error> {
    let columns = cs.permutation().get_columns();
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let n = pk.get_vk().get_domain().get_n() as usize;
    let chunk_len = cs.degree() - 2;
    let blinding_factors = cs.blinding_factors();
    let sigmas = pk.permutation().permutations();
    let fixed = pk.fixed_values();
    let values = |column: &halo2_axiom::plonk::Column<Any>| -> &[Fr] {
        match column.column_type() {
            Any::Advice(_) => &advice[column.index()],
            Any::Fixed => &fixed[column.index()],
            Any::Instance => &instance[column.index()],
        }
    };
    let mut delta_power = Fr::ONE;
    let mut last_z = Fr::ONE;
    let mut sets = Vec::new();
    for (chunk, sigma_chunk) in columns.chunks(chunk_len).zip(sigmas.chunks(chunk_len)) {
        // Denominators Π(v + βσ + γ), inverted at once.
        let mut ratio = vec![Fr::ONE; n];
        for (column, sigma) in chunk.iter().zip(sigma_chunk) {
            let v = values(column);
            ratio.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(task, rows)| {
                let start = task * ROWS_PER_TASK;
                for (i, r) in rows.iter_mut().enumerate() {
                    *r *= beta * sigma[start + i] + gamma + v[start + i];
                }
            });
        }
        accelerator.batch_inverse(scalars_from_halo2_mut(&mut ratio))?;
        // Numerators Π(v + δ^j·β·ωⁱ + γ).
        for column in chunk {
            let v = values(column);
            let delta_beta = delta_power * beta;
            ratio.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(task, rows)| {
                let start = task * ROWS_PER_TASK;
                let mut x = delta_beta * omega.pow_vartime([start as u64]);
                for (i, r) in rows.iter_mut().enumerate() {
                    *r *= x + gamma + v[start + i];
                    x *= omega;
                }
            });
            delta_power *= Fr::DELTA;
        }
        let running = accelerator.prefix_product(scalars_from_halo2(&ratio[..n - 1]))?;
        let mut z: Vec<Fr> = scalars_to_halo2(&running).par_iter().map(|r| *r * last_z).collect();
        for cell in &mut z[n - blinding_factors..] {
            *cell = Fr::random(&mut *rng);
        }
        last_z = z[n - blinding_factors - 1];
        let _blind = Fr::random(&mut *rng);
        sets.push(z);
    }
    Ok(sets)
}

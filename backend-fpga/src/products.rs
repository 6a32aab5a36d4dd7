//! Running products and batch inversion on a device that streams
//! interleaved lane products (`zk_lane_product`) and elementwise products
//! (`zk_mont_mul`): the card's grand-product and batch-inversion kernels,
//! composed on the host.
//!
//! A running product is a chain, and the device's multiplier is pipelined,
//! so the column is cut into one block per lane and the blocks are streamed
//! interleaved (element `j` of every block, then element `j + 1`), which
//! keeps the multiplier busy every cycle. The device returns each block's
//! own running products; the host multiplies the `lanes` block totals into
//! carries (one product each), and the device multiplies every element of a
//! block by its block's carry in one elementwise pass.

use zkaccel_core::{validate, Error, Field, Fr, PrimeField, Result};

/// 1 as the device holds it.
const ONE: Limbs = Fr::ONE.montgomery_limbs();

/// An Fr element as the device holds it: Montgomery limbs.
pub type Limbs = [u64; 4];

/// A device with `zk_lane_product` and an elementwise Fr multiplier.
pub trait ProductDevice: Send + Sync + 'static {
    /// The interleaved lanes of its lane product.
    fn lanes(&self) -> usize;
    /// Each element times the earlier elements of its lane (element `i` in
    /// lane `i mod lanes`; `first[i]` starts its lane again).
    fn lane_products(&self, input: &[Limbs], first: &[bool]) -> Result<Vec<Limbs>>;
    /// `a[i]·b[i]` for every `i`.
    fn products(&self, a: &[Limbs], b: &[Limbs]) -> Result<Vec<Limbs>>;
    /// `1/x[i]` for every `i` (nonzero), by Fermat on the multiplier.
    fn inverses(&self, x: &[Limbs]) -> Result<Vec<Limbs>>;
}

/// Running products with a leading one (`out[i + 1] = out[i]·values[i]`),
/// as [`zkaccel_core::PrefixProduct::prefix_product`] defines them.
pub fn prefix_product(device: &impl ProductDevice, backend: &'static str, values: &[Fr]) -> Result<Vec<Fr>> {
    validate::field_elements("values", values)?;
    let n = values.len();
    let mut out = Vec::with_capacity(n + 1);
    out.push(Fr::ONE);
    if n == 0 {
        return Ok(out);
    }
    let lanes = device.lanes().max(1);
    let block = n.div_ceil(lanes);
    // Blocks past the end are padded with ones, which change no product.
    let lane_products = lane_rounds(device, backend, lanes, block, &|k, j| {
        values.get(k * block + j).map_or(Fr::ONE, |v| *v).montgomery_limbs()
    })?;
    let within = |i: usize| lane_products[(i % block) * lanes + i / block];

    // carry[k]: the product of every block before block k.
    let mut carries = Vec::with_capacity(lanes);
    let mut carry = Fr::ONE;
    for k in 0..lanes {
        carries.push(carry);
        if let Some(last) = ((k + 1) * block).min(n).checked_sub(1).filter(|&l| l >= k * block) {
            carry *= element(backend, within(last))?;
        }
    }
    let a: Vec<Limbs> = (0..n).map(within).collect();
    let b: Vec<Limbs> = (0..n).map(|i| carries[i / block].montgomery_limbs()).collect();
    let carried = device.products(&a, &b)?;
    if carried.len() != n {
        return Err(device_error(backend, format!("{} products for {n} inputs", carried.len())));
    }
    for limbs in carried {
        out.push(element(backend, limbs)?);
    }
    Ok(out)
}

/// Replaces every element by its inverse (Montgomery's trick, by blocks),
/// as [`zkaccel_core::BatchInverse::batch_inverse`] defines it: a zero is
/// [`Error::NotInvertible`] and leaves `values` unchanged.
///
/// Three passes of `n` cycles on the device: each block's running products
/// `p` (forward), then the block reversed behind its total's inverse
/// `T⁻¹` (`Q_m = T⁻¹·x_last⋯x_(last−m+1)`, backward), then
/// `x_i⁻¹ = p_(i−1)·Q_(last−i)` (elementwise). Between the first two, the
/// device inverts the `lanes` block totals (Fermat on its multiplier).
pub fn batch_inverse(device: &impl ProductDevice, backend: &'static str, values: &mut [Fr]) -> Result<()> {
    validate::invertible(values)?;
    let n = values.len();
    if n == 0 {
        return Ok(());
    }
    let lanes = device.lanes().max(1);
    let block = n.div_ceil(lanes);
    // x in the padded block layout: block k, position j (ones past the end).
    let x = |k: usize, j: usize| values.get(k * block + j).map_or(ONE, Fr::montgomery_limbs);
    let forward = lane_rounds(device, backend, lanes, block, &|k, j| x(k, j))?;
    let totals: Vec<Limbs> = (0..lanes).map(|k| forward[(block - 1) * lanes + k]).collect();
    let inverses = device.inverses(&totals)?;
    if inverses.len() != lanes {
        return Err(device_error(backend, format!("{} inverses for {lanes} totals", inverses.len())));
    }
    // Each inverse times its total must be one: a check of the device's
    // inversion that costs `lanes` products.
    for (t, i) in totals.iter().zip(&inverses) {
        if element(backend, *t)? * element(backend, *i)? != Fr::ONE {
            return Err(device_error(backend, "a block total's inverse is wrong".into()));
        }
    }
    let backward =
        lane_rounds(device, backend, lanes, block, &|k, j| if j == 0 { inverses[k] } else { x(k, block - j) })?;
    let a: Vec<Limbs> =
        (0..n).map(|i| if i % block == 0 { ONE } else { forward[(i % block - 1) * lanes + i / block] }).collect();
    let b: Vec<Limbs> = (0..n).map(|i| backward[(block - 1 - i % block) * lanes + i / block]).collect();
    let products = device.products(&a, &b)?;
    if products.len() != n {
        return Err(device_error(backend, format!("{} products for {n} inputs", products.len())));
    }
    let inverted = products.into_iter().map(|p| element(backend, p)).collect::<Result<Vec<_>>>()?;
    values.copy_from_slice(&inverted);
    Ok(())
}

/// The lane products of `lanes` blocks of `block` elements streamed
/// interleaved (`element(k, j)`: block `k`'s element `j`; every round holds
/// one element of each lane, the first round starts each lane), in stream
/// order: block `k`'s element `j` at `j·lanes + k`.
fn lane_rounds(
    device: &impl ProductDevice,
    backend: &'static str,
    lanes: usize,
    block: usize,
    element: &dyn Fn(usize, usize) -> Limbs,
) -> Result<Vec<Limbs>> {
    let mut stream = Vec::with_capacity(block * lanes);
    let mut first = Vec::with_capacity(block * lanes);
    for j in 0..block {
        for k in 0..lanes {
            stream.push(element(k, j));
            first.push(j == 0);
        }
    }
    let out = device.lane_products(&stream, &first)?;
    if out.len() != stream.len() {
        return Err(device_error(backend, format!("{} lane products for {} inputs", out.len(), stream.len())));
    }
    Ok(out)
}

/// A device's output as a field element; one that is not reduced is the
/// device's failure.
pub(crate) fn element(backend: &'static str, limbs: Limbs) -> Result<Fr> {
    let x = Fr::from_montgomery_limbs_unchecked(limbs);
    if x.is_reduced() {
        Ok(x)
    } else {
        Err(device_error(backend, "the device wrote an unreduced field element".into()))
    }
}

fn device_error(backend: &'static str, msg: String) -> Error {
    Error::Device { backend, msg }
}

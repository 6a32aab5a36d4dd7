//! The FPGA backend of zkaccel.
//!
//! The MSM runs on `krnl_msm`, the Vitis RTL kernel of `hdl/`: the device
//! accumulates every point into the bucket of its signed digit in each window
//! (one pipelined complete point adder, one bucket addition per cycle) and
//! writes the buckets back; the host packs the inputs and reduces the
//! buckets ([`host`]). Two devices implement [`BucketDevice`]:
//!
//! - [`xrt::XrtDevice`]: a Xilinx card through XRT's OpenCL platform (opencl3,
//!   loaded at run time), running the `.xclbin` named by `ZKACCEL_XCLBIN`;
//!   unavailable, with the reason, when there is no platform or bitstream;
//! - `sim::SimDevice` (feature `sim`): the same RTL verilated into this crate,
//!   for correctness only (`ZKACCEL_BACKEND=fpga-sim`).
//!
//! On a card the backend implements [`Msm`] and no other operation trait, so
//! the Accelerator gives NTTs and the lookup kernels to another backend. The
//! simulation also runs prefix products and batch inversion on
//! `zk_lane_product`, the core of the grand-product kernel to come
//! ([`products`]), and NTTs of every size on its streaming NTT cores by the
//! four-step method ([`ntt`]); no card kernel wraps them yet.

pub mod host;
pub mod ntt;
pub mod products;
#[cfg(feature = "sim")]
pub mod sim;
pub mod xrt;

use std::sync::Arc;

use products::ProductDevice;
use zkaccel_core::backend::unsupported;
use zkaccel_core::{
    validate, Availability, Backend, BatchInverse, Bn254, DeviceInfo, Error, Fr, G1Affine, G1Projective, HeldBackend,
    Msm, Ntt, NttConfig, Operation, PrefixProduct, PreparedBases, Result,
};

/// The backend's name, as `ZKACCEL_BACKEND=fpga` selects it.
pub const NAME: &str = "fpga";

/// The simulation backend's name (`ZKACCEL_BACKEND=fpga-sim`, feature `sim`).
pub const SIM_NAME: &str = "fpga-sim";

/// Why a build without the `sim` feature has no simulation device.
#[cfg(not(feature = "sim"))]
const NO_SIM: &str = "this build has no verilated RTL (build with the `fpga-sim` feature)";

/// Why this machine can or cannot use an FPGA (a cheap check: no bitstream
/// is loaded).
pub fn availability() -> Availability {
    xrt::probe()
}

/// Whether the simulation device is built in, and why not.
pub fn sim_availability() -> Availability {
    #[cfg(feature = "sim")]
    {
        sim::SimDevice.availability()
    }
    #[cfg(not(feature = "sim"))]
    {
        Availability::Unavailable(NO_SIM.into())
    }
}

/// A device that runs `krnl_msm`: bases uploaded once, then one bucket
/// accumulation per scalar vector.
pub trait BucketDevice: Send + Sync + 'static {
    /// Bases resident on the device.
    type Bases: Send + Sync + 'static;

    /// The backend name it serves under.
    fn name(&self) -> &'static str;
    /// Whether it can run, with details.
    fn availability(&self) -> Availability;
    /// The kernel's window size `C`.
    fn window_bits(&self) -> u32;
    /// The largest MSM worth sending to it.
    fn max_points(&self) -> usize;
    /// The longest NTT column worth sending to it (0: it has no NTT).
    fn max_ntt_len(&self) -> usize {
        0
    }
    /// Uploads packed bases ([`host::pack_bases`]).
    fn upload_bases(&self, words: &[u64]) -> Result<Self::Bases>;
    /// Runs the kernel over the first `scalars.len() / 4` bases; returns the
    /// buckets ([`host::BUCKET_WORDS`] words each).
    fn accumulate(&self, bases: &Self::Bases, scalars: &[u64]) -> Result<Vec<u64>>;
}

/// What a prepared-bases handle keeps on an FPGA backend.
struct Resident<B> {
    bases: B,
    identity: Vec<bool>,
}

/// MSMs on a [`BucketDevice`], bucket reduction on the host.
pub struct FpgaBackend<D: BucketDevice> {
    device: D,
}

impl<D: BucketDevice> FpgaBackend<D> {
    /// A backend over `device`.
    pub fn new(device: D) -> Self {
        Self { device }
    }

    /// The device.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// Held by the one operation trait it implements, [`Msm`].
    pub fn into_held(self) -> HeldBackend<Bn254> {
        let b = Arc::new(self);
        HeldBackend::new(b.clone()).with_msm(b)
    }

    fn run(&self, bases: &D::Bases, identity: &[bool], scalars: &[Fr]) -> Result<G1Projective> {
        if scalars.is_empty() {
            return Ok(G1Projective::IDENTITY);
        }
        let words = host::pack_scalars(scalars, identity);
        let buckets = self.device.accumulate(bases, &words)?;
        host::reduce_buckets(&buckets, self.device.window_bits()).ok_or_else(|| Error::Device {
            backend: self.device.name(),
            msg: "the kernel wrote buckets that are not valid field elements".into(),
        })
    }

    /// Packs validated `bases` and puts them on the device: what both a
    /// one-off and a prepared MSM start with. Also returns the packed bytes.
    fn upload(&self, op: Operation, bases: &[G1Affine]) -> Result<(Resident<D::Bases>, usize)> {
        let max = self.device.max_points();
        if bases.len() > max {
            let reason = format!("{} points is more than this device takes ({max})", bases.len());
            return Err(unsupported(self.device.name(), op, reason));
        }
        let (words, identity) = host::pack_bases(bases);
        let resident = Resident { bases: self.device.upload_bases(&words)?, identity };
        Ok((resident, words.len() * 8))
    }
}

impl<D: BucketDevice> Backend for FpgaBackend<D> {
    fn name(&self) -> &'static str {
        self.device.name()
    }

    fn availability(&self) -> Availability {
        self.device.availability()
    }

    /// MSMs up to the device's points; NTTs up to the device's columns;
    /// running products of any length.
    fn max_size(&self, op: Operation) -> usize {
        match op {
            Operation::Msm | Operation::MsmPrepared => self.device.max_points(),
            Operation::Ntt | Operation::Lde => self.device.max_ntt_len(),
            _ => usize::MAX,
        }
    }
}

impl<D: BucketDevice> Msm<Bn254> for FpgaBackend<D> {
    fn msm_batch(&self, bases: &[G1Affine], scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        validate::points(bases)?;
        validate::msm_scalars(bases.len(), scalars)?;
        let (resident, _) = self.upload(Operation::Msm, bases)?;
        scalars.iter().map(|s| self.run(&resident.bases, &resident.identity, s)).collect()
    }

    fn prepare_bases(&self, bases: &[G1Affine]) -> Result<PreparedBases<Bn254>> {
        validate::points(bases)?;
        let (resident, bytes) = self.upload(Operation::MsmPrepared, bases)?;
        Ok(PreparedBases::new(self.device.name(), bases.into(), Box::new(resident), bytes))
    }

    fn msm_prepared_batch(&self, bases: &PreparedBases<Bn254>, scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        let state = bases
            .state::<Resident<D::Bases>>()
            .filter(|_| bases.backend() == self.device.name())
            .ok_or(Error::PreparedBasesMismatch { expected: self.device.name(), found: bases.backend() })?;
        validate::msm_prepared_scalars(bases.len(), scalars)?;
        scalars.iter().map(|s| self.run(&state.bases, &state.identity[..s.len()], s)).collect()
    }
}

/// On a device with streaming NTT cores, by the four-step method ([`ntt`]).
impl<D: BucketDevice + ntt::NttDevice> Ntt<Fr> for FpgaBackend<D> {
    fn ntt_batch(&self, data: &mut [Fr], column_len: usize, config: NttConfig<Fr>) -> Result<()> {
        ntt::ntt_batch(&self.device, self.device.name(), data, column_len, config)
    }
}

/// On a device with `zk_lane_product` ([`products`]).
impl<D: BucketDevice + ProductDevice> BatchInverse<Fr> for FpgaBackend<D> {
    fn batch_inverse(&self, values: &mut [Fr]) -> Result<()> {
        products::batch_inverse(&self.device, self.device.name(), values)
    }
}

/// On a device with `zk_lane_product` ([`products`]).
impl<D: BucketDevice + ProductDevice> PrefixProduct<Fr> for FpgaBackend<D> {
    fn prefix_product(&self, values: &[Fr]) -> Result<Vec<Fr>> {
        products::prefix_product(&self.device, self.device.name(), values)
    }
}

/// The FPGA backend on the card named by `ZKACCEL_XCLBIN`, or why not.
pub fn open() -> Result<FpgaBackend<xrt::XrtDevice>> {
    xrt::XrtDevice::open().map(FpgaBackend::new).map_err(|reason| Error::Unavailable { backend: NAME, reason })
}

/// The simulation backend (feature `sim`), or why not.
pub fn open_sim() -> Result<HeldBackend<Bn254>> {
    #[cfg(feature = "sim")]
    {
        // The simulation also has the lane-product core (running products and
        // batch inversion) and the NTT cores (four-step NTTs).
        let b = Arc::new(FpgaBackend::new(sim::SimDevice));
        Ok(HeldBackend::new(b.clone())
            .with_msm(b.clone())
            .with_ntt(b.clone())
            .with_batch_inverse(b.clone())
            .with_prefix_product(b))
    }
    #[cfg(not(feature = "sim"))]
    {
        Err(Error::Unavailable { backend: SIM_NAME, reason: NO_SIM.into() })
    }
}

/// Device details for [`Availability::Available`].
fn device_info(name: String) -> DeviceInfo {
    DeviceInfo { name, memory_bytes: None, compute_units: Some(1), driver: None }
}

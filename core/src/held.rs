//! A backend held by the operation traits it implements.
//!
//! A backend implements only the traits of the operations it really offers
//! (an FPGA card with an MSM kernel implements [`Msm`] and nothing else);
//! [`HeldBackend`] keeps one trait object per implemented trait, and what it
//! can answer — its [`Capabilities`] — follows from which are there. No
//! backend writes a method that only says "unsupported".

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::backend::{
    Availability, Backend, BatchInverse, Capabilities, ConstraintEvaluation, CurveBackend, Msm, Multiplicities, Ntt,
    Operation, PermuteLookup, PrefixProduct,
};
use crate::curve::SwCurve;

/// One backend and the operation traits it implements, as trait objects of
/// the same object (see [`HeldBackend::every`] and the `with_*` builders).
pub struct HeldBackend<C: SwCurve> {
    id: u64,
    backend: Arc<dyn Backend>,
    msm: Option<Arc<dyn Msm<C>>>,
    ntt: Option<Arc<dyn Ntt<C::Scalar>>>,
    multiplicities: Option<Arc<dyn Multiplicities<C::Scalar>>>,
    batch_inverse: Option<Arc<dyn BatchInverse<C::Scalar>>>,
    prefix_product: Option<Arc<dyn PrefixProduct<C::Scalar>>>,
    permute_lookup: Option<Arc<dyn PermuteLookup<C::Scalar>>>,
    constraints: Option<Arc<dyn ConstraintEvaluation<C::Scalar>>>,
}

impl<C: SwCurve> Clone for HeldBackend<C> {
    fn clone(&self) -> Self {
        Self {
            id: self.id,
            backend: self.backend.clone(),
            msm: self.msm.clone(),
            ntt: self.ntt.clone(),
            multiplicities: self.multiplicities.clone(),
            batch_inverse: self.batch_inverse.clone(),
            prefix_product: self.prefix_product.clone(),
            permute_lookup: self.permute_lookup.clone(),
            constraints: self.constraints.clone(),
        }
    }
}

impl<C: SwCurve> std::fmt::Debug for HeldBackend<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldBackend").field("name", &self.name()).field("id", &self.id).finish()
    }
}

/// Each held backend's identity: two devices of one kind (two GPUs) share a
/// name but not an id, so state prepared on one is never sent to the other.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl<C: SwCurve> HeldBackend<C> {
    /// `backend`, holding no operation yet: add the traits it implements with
    /// the `with_*` methods, passing the same object.
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            backend,
            msm: None,
            ntt: None,
            multiplicities: None,
            batch_inverse: None,
            prefix_product: None,
            permute_lookup: None,
            constraints: None,
        }
    }

    /// A backend that implements every operation trait (shared, so the
    /// caller may keep a handle to it).
    pub fn every<B: CurveBackend<C> + 'static>(b: Arc<B>) -> Self {
        Self::new(b.clone())
            .with_msm(b.clone())
            .with_ntt(b.clone())
            .with_multiplicities(b.clone())
            .with_batch_inverse(b.clone())
            .with_prefix_product(b.clone())
            .with_permute_lookup(b.clone())
            .with_constraints(b)
    }

    /// Holds its [`Msm`].
    pub fn with_msm(self, msm: Arc<dyn Msm<C>>) -> Self {
        Self { msm: Some(msm), ..self }
    }
    /// Holds its [`Ntt`].
    pub fn with_ntt(self, ntt: Arc<dyn Ntt<C::Scalar>>) -> Self {
        Self { ntt: Some(ntt), ..self }
    }
    /// Holds its [`Multiplicities`].
    pub fn with_multiplicities(self, kernel: Arc<dyn Multiplicities<C::Scalar>>) -> Self {
        Self { multiplicities: Some(kernel), ..self }
    }
    /// Holds its [`BatchInverse`].
    pub fn with_batch_inverse(self, kernel: Arc<dyn BatchInverse<C::Scalar>>) -> Self {
        Self { batch_inverse: Some(kernel), ..self }
    }
    /// Holds its [`PrefixProduct`].
    pub fn with_prefix_product(self, kernel: Arc<dyn PrefixProduct<C::Scalar>>) -> Self {
        Self { prefix_product: Some(kernel), ..self }
    }
    /// Holds its [`PermuteLookup`].
    pub fn with_permute_lookup(self, kernel: Arc<dyn PermuteLookup<C::Scalar>>) -> Self {
        Self { permute_lookup: Some(kernel), ..self }
    }
    /// Holds its [`ConstraintEvaluation`].
    pub fn with_constraints(self, kernel: Arc<dyn ConstraintEvaluation<C::Scalar>>) -> Self {
        Self { constraints: Some(kernel), ..self }
    }

    /// This holding's identity (unique in the process).
    pub fn id(&self) -> u64 {
        self.id
    }
    /// The backend's name.
    pub fn name(&self) -> &'static str {
        self.backend.name()
    }
    /// The backend's identity and health.
    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }
    /// Whether it can run here.
    pub fn availability(&self) -> Availability {
        self.backend.availability()
    }

    /// Its MSMs, if it implements them.
    pub fn as_msm(&self) -> Option<&dyn Msm<C>> {
        self.msm.as_deref()
    }
    /// Its NTTs, if it implements them.
    pub fn as_ntt(&self) -> Option<&dyn Ntt<C::Scalar>> {
        self.ntt.as_deref()
    }
    /// Its multiplicities, if it implements them.
    pub fn as_multiplicities(&self) -> Option<&dyn Multiplicities<C::Scalar>> {
        self.multiplicities.as_deref()
    }
    /// Its batch inversion, if it implements it.
    pub fn as_batch_inverse(&self) -> Option<&dyn BatchInverse<C::Scalar>> {
        self.batch_inverse.as_deref()
    }
    /// Its prefix products, if it implements them.
    pub fn as_prefix_product(&self) -> Option<&dyn PrefixProduct<C::Scalar>> {
        self.prefix_product.as_deref()
    }
    /// Its permuted lookup columns, if it implements them.
    pub fn as_permute_lookup(&self) -> Option<&dyn PermuteLookup<C::Scalar>> {
        self.permute_lookup.as_deref()
    }
    /// Its constraint evaluation, if it implements it.
    pub fn as_constraints(&self) -> Option<&dyn ConstraintEvaluation<C::Scalar>> {
        self.constraints.as_deref()
    }

    /// Whether it implements the trait `op` belongs to.
    pub fn implements(&self, op: Operation) -> bool {
        use Operation::*;
        match op {
            Msm | MsmPrepared => self.msm.is_some(),
            Ntt | Lde => self.ntt.is_some(),
            Multiplicities => self.multiplicities.is_some(),
            BatchInverse | InverseOfSums => self.batch_inverse.is_some(),
            PrefixProduct => self.prefix_product.is_some(),
            PermuteLookup => self.permute_lookup.is_some(),
            ConstraintEvaluation => self.constraints.is_some(),
        }
    }

    /// Whether it runs `op` on inputs of `size`.
    pub fn supports(&self, op: Operation, size: usize) -> bool {
        self.implements(op) && size <= self.backend.max_size(op)
    }

    /// What it offers: the operations of the traits it implements, each up to
    /// the backend's [`Backend::max_size`], on curve `C`.
    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            curves: vec![C::NAME],
            operations: Operation::ALL
                .iter()
                .filter(|&&op| self.implements(op))
                .map(|&op| (op, self.backend.max_size(op)))
                .collect(),
        }
    }
}

/// What can be held as a [`HeldBackend`]: one already held, or any backend
/// with every operation trait.
pub trait IntoHeld<C: SwCurve> {
    /// The holding.
    fn into_held(self) -> HeldBackend<C>;
}

impl<C: SwCurve> IntoHeld<C> for HeldBackend<C> {
    fn into_held(self) -> HeldBackend<C> {
        self
    }
}

impl<C: SwCurve, B: CurveBackend<C> + 'static> IntoHeld<C> for B {
    fn into_held(self) -> HeldBackend<C> {
        HeldBackend::every(Arc::new(self))
    }
}

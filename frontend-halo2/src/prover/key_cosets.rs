//! The proving key's own columns on the quotient's coset parts, kept
//! between proofs when the caller allows the memory.
//!
//! Every proof evaluates the key's fixed columns, its permutation σ columns
//! and the first/last/active-row polynomials on each coset part of the
//! extended domain: the same values for every proof with that key, and for
//! a zkML circuit more than half of the proof's coset NTTs. PSE's halo2
//! keeps them in its proving key; halo2-axiom dropped them to save memory
//! (`parts · n` field elements per column: 144 MiB for a 2^16-row LeNet's
//! 24 key columns). So they are kept only on request
//! ([`AcceleratedParams::keep_key_cosets`](crate::AcceleratedParams::keep_key_cosets)),
//! within a byte budget, for the last key proved with; the first proof with a
//! key keeps what it computes anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use halo2_axiom::halo2curves::bn256::Fr;

use super::quotient::Source;

/// Whether a column is the key's own (the same in every proof).
pub(crate) fn is_key_column(source: Source) -> bool {
    matches!(source, Source::Fixed(_) | Source::Sigma(_) | Source::FirstRow | Source::LastRow | Source::ActiveRows)
}

/// One key's columns on the coset parts: part `p` of a column at `p·n`.
pub(crate) struct KeyCosets {
    /// The verifying key's transcript representation (a hash of the whole key).
    key: Fr,
    n: usize,
    parts: usize,
    columns: HashMap<Source, Vec<Fr>>,
}

impl KeyCosets {
    pub fn new(key: Fr, n: usize, parts: usize) -> Self {
        Self { key, n, parts, columns: HashMap::new() }
    }

    /// Whether these are the cosets of this key and domain.
    pub fn fits(&self, key: Fr, n: usize, parts: usize) -> bool {
        self.key == key && self.n == n && self.parts == parts
    }

    /// Part `part` of `source`, if kept.
    pub fn part(&self, source: Source, part: usize) -> Option<&[Fr]> {
        self.columns.get(&source).map(|c| &c[part * self.n..(part + 1) * self.n])
    }

    /// Records part `part` of `source` (parts arrive in order).
    pub fn record(&mut self, source: Source, part: usize, values: &[Fr]) {
        let column = self.columns.entry(source).or_insert_with(|| Vec::with_capacity(self.parts * self.n));
        if column.len() == part * self.n {
            column.extend_from_slice(values);
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.columns.values().map(|c| c.len() * size_of::<Fr>()).sum()
    }

    /// Whether every part of every column arrived.
    pub fn complete(&self) -> bool {
        self.columns.values().all(|c| c.len() == self.parts * self.n)
    }
}

/// The kept cosets of the parameters' last key, and the budget for them.
#[derive(Default)]
pub(crate) struct KeyCosetCache {
    /// Bytes the cosets may take; 0 keeps none.
    pub budget: usize,
    pub slot: Mutex<Option<Arc<KeyCosets>>>,
}

impl KeyCosetCache {
    pub fn with_budget(budget: usize) -> Self {
        Self { budget, slot: Mutex::new(None) }
    }

    /// The kept cosets of this key and domain.
    pub fn get(&self, key: Fr, n: usize, parts: usize) -> Option<Arc<KeyCosets>> {
        let slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.as_ref().filter(|c| c.fits(key, n, parts)).cloned()
    }

    /// Whether `columns` key columns on `parts` parts of `n` fit the budget.
    pub fn admits(&self, columns: usize, n: usize, parts: usize) -> bool {
        columns > 0 && columns.saturating_mul(parts).saturating_mul(n).saturating_mul(size_of::<Fr>()) <= self.budget
    }

    /// Bytes the kept cosets hold.
    pub fn bytes(&self) -> usize {
        self.slot.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map_or(0, |c| c.bytes())
    }

    /// Keeps `cosets` in place of any earlier key's.
    pub fn store(&self, cosets: KeyCosets) {
        if cosets.complete() {
            *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(cosets));
        }
    }
}

//! Witness synthesis: our `Assignment`, which collects the advice columns,
//! and at the end of each phase blinds and commits them and draws that
//! phase's challenges — what halo2's prover does, in its order (instances
//! absorbed before the first commitments; per phase, each column's blinding
//! rows, then one blind per column, from the caller's RNG), so the
//! transcript up to here is stock's.

use std::marker::PhantomData;
use std::time::Instant;

use halo2_axiom::circuit::Value;
use halo2_axiom::halo2curves::bn256::{Fr, G1Affine};
use halo2_axiom::halo2curves::ff::{BatchInvert, Field};
use halo2_axiom::plonk::{
    Advice, Any, Assigned, Assignment, Challenge, Circuit, Column, ConstraintSystem, Error as PlonkError, Fixed,
    FloorPlanner, Instance, Selector,
};
use halo2_axiom::transcript::{EncodedChallenge, TranscriptWrite};
use rand_core::RngCore;

use super::StageTimes;
use crate::scheme::SrsBasis;
use crate::{AcceleratedParams, Halo2Error};

/// The committed advice of one proof.
pub(crate) struct Witness {
    /// Each advice column's values on the domain, blinding rows included.
    pub advice: Vec<Vec<Fr>>,
    /// Every challenge of the circuit, by index.
    pub challenges: Vec<Fr>,
}

/// Runs `circuit`'s synthesis through all its phases, committing each.
#[allow(clippy::too_many_arguments)]
pub(crate) fn synthesize<C, E, T, R>(
    params: &AcceleratedParams,
    cs: &ConstraintSystem<Fr>,
    circuit: &C,
    instances: &[&[Fr]],
    rng: &mut R,
    transcript: &mut T,
    times: &mut StageTimes,
) -> Result<Witness, Halo2Error>
where
    C: Circuit<Fr>,
    E: EncodedChallenge<G1Affine>,
    T: TranscriptWrite<G1Affine, E>,
    R: RngCore,
{
    let n = params.srs_n();
    let mut config_cs = ConstraintSystem::default();
    let config = C::configure_with_params(&mut config_cs, circuit.params());
    let advice_phase = cs.advice_column_phase();
    let phases = advice_phase.iter().copied().max().map_or(1, |p| p + 1);
    let mut collector = Collector {
        params,
        advice_phase: advice_phase.clone(),
        challenge_phase: cs.challenge_phase(),
        usable_rows: n - (cs.blinding_factors() + 1),
        phase: 0,
        assigned: vec![vec![Assigned::Zero; n]; cs.num_advice_columns()],
        advice: vec![Vec::new(); cs.num_advice_columns()],
        challenges: vec![None; cs.num_challenges()],
        instances,
        rng,
        transcript,
        times,
        error: None,
        _challenge: PhantomData,
    };
    let start = Instant::now();
    // As stock: a circuit that moves through its phases itself returns in
    // the last one; one that does not is synthesized once per phase.
    while collector.phase < phases {
        C::FloorPlanner::synthesize(&mut collector, circuit, config.clone(), cs.constants().clone())?;
        if let Some(e) = collector.error.take() {
            return Err(e);
        }
        if collector.phase < phases {
            collector.next_phase();
            if let Some(e) = collector.error.take() {
                return Err(e);
            }
        }
    }
    let synthesis = start.elapsed().saturating_sub(collector.times.commitments);
    collector.times.synthesis += synthesis;
    let challenges = collector
        .challenges
        .iter()
        .enumerate()
        .map(|(i, c)| c.ok_or_else(|| Halo2Error::Unsupported(format!("challenge {i} is never drawn"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Witness { advice: collector.advice, challenges })
}

struct Collector<'a, R, T, E> {
    params: &'a AcceleratedParams,
    advice_phase: Vec<u8>,
    challenge_phase: Vec<u8>,
    usable_rows: usize,
    phase: u8,
    /// Advice cells as assigned (kept to the end, as stock does: a circuit
    /// synthesized once per phase assigns earlier phases' cells again).
    assigned: Vec<Vec<Assigned<Fr>>>,
    /// Committed advice columns.
    advice: Vec<Vec<Fr>>,
    challenges: Vec<Option<Fr>>,
    instances: &'a [&'a [Fr]],
    rng: &'a mut R,
    transcript: &'a mut T,
    times: &'a mut StageTimes,
    /// The first failure; `Assignment` methods that cannot return one leave it here.
    error: Option<Halo2Error>,
    _challenge: PhantomData<E>,
}

impl<R, T, E> Collector<'_, R, T, E>
where
    R: RngCore,
    E: EncodedChallenge<G1Affine>,
    T: TranscriptWrite<G1Affine, E>,
{
    fn fail(&mut self, error: Halo2Error) {
        self.error.get_or_insert(error);
    }

    fn commit_phase(&mut self) -> Result<(), Halo2Error> {
        let phase = self.phase;
        if phase == 0 {
            for column in self.instances {
                for value in column.iter() {
                    self.transcript.common_scalar(*value)?;
                }
            }
        }
        let columns: Vec<usize> = (0..self.advice_phase.len()).filter(|&c| self.advice_phase[c] == phase).collect();
        let start = Instant::now();
        for &c in &columns {
            let mut values = evaluate_assigned(&self.assigned[c]);
            for cell in &mut values[self.usable_rows..] {
                *cell = Fr::random(&mut *self.rng);
            }
            self.advice[c] = values;
        }
        // KZG ignores commitment blinds; they are drawn to keep the RNG stream stock's.
        for _ in &columns {
            let _blind = Fr::random(&mut *self.rng);
        }
        self.times.synthesis += start.elapsed();
        let start = Instant::now();
        let polys: Vec<&[Fr]> = columns.iter().map(|&c| self.advice[c].as_slice()).collect();
        super::commit_and_write(self.params, SrsBasis::Lagrange, &polys, &mut *self.transcript)?;
        self.times.commitments += start.elapsed();
        for (index, challenge_phase) in self.challenge_phase.iter().enumerate() {
            if *challenge_phase == phase {
                self.challenges[index] = Some(*self.transcript.squeeze_challenge_scalar::<()>());
            }
        }
        self.phase += 1;
        Ok(())
    }
}

/// The values of assigned cells, with one batch inversion for all fractions.
fn evaluate_assigned(cells: &[Assigned<Fr>]) -> Vec<Fr> {
    let mut denominators: Vec<Fr> = cells
        .iter()
        .filter_map(|c| match c {
            Assigned::Rational(_, d) => Some(*d),
            _ => None,
        })
        .collect();
    // Zeros stay zero, as in halo2 (a fraction over zero evaluates to zero).
    denominators.iter_mut().batch_invert();
    let mut inverses = denominators.into_iter();
    cells
        .iter()
        .map(|c| match *c {
            Assigned::Zero => Fr::ZERO,
            Assigned::Trivial(v) => v,
            Assigned::Rational(numerator, _) => numerator * inverses.next().unwrap_or(Fr::ZERO),
        })
        .collect()
}

impl<R, T, E> Assignment<Fr> for Collector<'_, R, T, E>
where
    R: RngCore,
    E: EncodedChallenge<G1Affine>,
    T: TranscriptWrite<G1Affine, E>,
{
    fn enter_region<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }

    fn annotate_column<A, AR>(&mut self, _: A, _: Column<Any>)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
    }

    fn exit_region(&mut self) {}

    fn enable_selector<A, AR>(&mut self, _: A, _: &Selector, _: usize) -> Result<(), PlonkError>
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        Ok(())
    }

    fn query_instance(&self, column: Column<Instance>, row: usize) -> Result<Value<Fr>, PlonkError> {
        if row >= self.usable_rows {
            return Err(PlonkError::NotEnoughRowsAvailable { current_k: self.params.srs_k() });
        }
        // Rows past the given values are zero: instances are zero-padded.
        self.instances
            .get(column.index())
            .map(|values| Value::known(values.get(row).copied().unwrap_or(Fr::ZERO)))
            .ok_or(PlonkError::BoundsFailure)
    }

    fn assign_advice<'v>(
        &mut self,
        column: Column<Advice>,
        row: usize,
        to: Value<Assigned<Fr>>,
    ) -> Value<&'v Assigned<Fr>> {
        let Some(&column_phase) = self.advice_phase.get(column.index()) else {
            self.fail(Halo2Error::InvalidInput(format!("advice column {} is not in the circuit", column.index())));
            return Value::unknown();
        };
        if row >= self.usable_rows {
            self.fail(Halo2Error::InvalidInput(format!(
                "advice column {} row {row} is past the {} usable rows",
                column.index(),
                self.usable_rows
            )));
            return Value::unknown();
        }
        if column_phase > self.phase {
            // Assigned when its phase is synthesized, with its challenges known.
            return Value::unknown();
        }
        let cell = &mut self.assigned[column.index()][row];
        if column_phase == self.phase {
            let mut known = None;
            to.map(|value| known = Some(value));
            match known {
                Some(value) => *cell = value,
                None => {
                    self.fail(Halo2Error::InvalidInput(format!(
                        "advice column {} row {row} was assigned an unknown value",
                        column.index()
                    )));
                    return Value::unknown();
                }
            }
        }
        // A column of an earlier phase is committed: a later pass of the
        // synthesis sees the committed value and cannot change it.
        let cell: *const Assigned<Fr> = cell;
        // SAFETY: halo2-axiom's `Assignment` hands out references to assigned
        // cells with a caller-chosen lifetime (stock's prover does the same).
        // The cell vectors are allocated before synthesis and neither grow
        // nor move until it ends, so the pointer stays valid while the
        // circuit's synthesis can hold it.
        Value::known(unsafe { &*cell })
    }

    fn assign_fixed(&mut self, _: Column<Fixed>, _: usize, _: Assigned<Fr>) {}

    fn copy(&mut self, _: Column<Any>, _: usize, _: Column<Any>, _: usize) {}

    fn fill_from_row(&mut self, _: Column<Fixed>, _: usize, _: Value<Assigned<Fr>>) -> Result<(), PlonkError> {
        Ok(())
    }

    fn get_challenge(&self, challenge: Challenge) -> Value<Fr> {
        self.challenges.get(challenge.index()).copied().flatten().map_or_else(Value::unknown, Value::known)
    }

    fn push_namespace<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }

    fn pop_namespace(&mut self, _: Option<String>) {}

    fn next_phase(&mut self) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.commit_phase() {
            self.fail(e);
        }
    }
}

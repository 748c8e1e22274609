//! The turn scheduler: one slice of a library benchmark for every variant, cut
//! into turns of [`TURN`] taken A B B A A B…, so that every variant runs on the
//! machine as it is at that moment and none gets its quiet second alone.

use super::handle::{Answer, Worker};
use super::rounds::{Cell, Ledger};
use super::{Event, Visit};
use crate::results::RoundSample;
use std::time::Duration;

/// How long one variant runs before the next takes over, within a slice. The
/// speed of a shared or virtual CPU wanders by tens of percent over seconds; turns
/// this short see the same speed, so the per-round ratio of two variants holds
/// still even when the machine does not.
pub const TURN: Duration = Duration::from_millis(10);

/// The order of turns in one slice: the seeded order, then reversed, then the
/// seeded order again (A B B A A B…), every pass over the variants still in the
/// running, until each of them has run a whole slice. Variants that have run
/// theirs keep taking turns until the last has too, so all take as many.
pub(super) struct Passes<'a> {
    order: &'a [usize],
    pass: usize,
}

/// One pass over the variants.
pub(super) struct Pass {
    /// The first pass of the slice, where each variant is announced.
    pub first: bool,
    pub turns: Vec<usize>,
}

impl<'a> Passes<'a> {
    pub fn new(order: &'a [usize]) -> Passes<'a> {
        Passes { order, pass: 0 }
    }

    /// The next pass over the variants that are `live`, or none once every one
    /// of them is `done`.
    pub fn next(
        &mut self,
        live: impl Fn(usize) -> bool,
        done: impl Fn(usize) -> bool,
    ) -> Option<Pass> {
        let live: Vec<usize> = self.order.iter().copied().filter(|&v| live(v)).collect();
        if live.iter().all(|&v| done(v)) {
            return None;
        }
        let pass = self.pass;
        self.pass += 1;
        let turns = if pass % 2 == 0 {
            live
        } else {
            live.into_iter().rev().collect()
        };
        Some(Pass {
            first: pass == 0,
            turns,
        })
    }
}

/// One slice of the library benchmark `at` for every variant, in the turns of
/// [`Passes`] over `order`. A variant's round sample is the sum of its turns.
pub(super) fn take_turns(
    at: Visit,
    order: &[usize],
    ledger: &mut Ledger,
    workers: &mut [Option<Worker>],
    on: &mut dyn FnMut(Event),
) {
    let Visit {
        plan,
        bench,
        b,
        round,
        ..
    } = at;
    let slice = plan.slice.as_secs_f64();
    let mut sums = vec![
        RoundSample {
            round,
            ..Default::default()
        };
        plan.variants.len()
    ];
    ledger.skip_failed(b, order);
    let mut passes = Passes::new(order);
    while let Some(pass) = passes.next(|v| ledger.cells[b][v].ok(), |v| sums[v].seconds >= slice) {
        for v in pass.turns {
            if pass.first {
                ledger.announce((b, &bench.id), (v, &plan.variants[v].name), on);
            }
            let cell = &mut ledger.cells[b][v];
            take_turn(at, v, &mut sums[v], cell, &mut workers[v], on);
        }
    }
    for (v, sum) in sums.into_iter().enumerate() {
        let cell = &mut ledger.cells[b][v];
        if sum.iterations > 0 && cell.ok() {
            cell.rounds.push(sum);
        }
    }
}

/// Variant `v`'s next turn: its worker, started afresh if the last one was lost,
/// measures for [`TURN`] (or the slice, if shorter) and the sample adds to `sum`.
fn take_turn(
    at: Visit,
    v: usize,
    sum: &mut RoundSample,
    cell: &mut Cell,
    worker: &mut Option<Worker>,
    on: &mut dyn FnMut(Event),
) {
    let (plan, bench) = (at.plan, at.bench);
    let variant = &plan.variants[v];
    let w = match worker.take() {
        Some(w) => w,
        None => match Worker::start(plan, variant, at.kept.of(v)) {
            Ok(w) => w,
            Err(f) => return cell.fail(&f, bench, variant, on),
        },
    };
    match w.measure(bench, TURN.min(plan.slice), plan.timeout, at.round) {
        Answer::Sample {
            worker: w,
            sample,
            work_per_iter,
        } => {
            sum.add(&sample);
            cell.work_per_iter = work_per_iter;
            *worker = Some(w);
        }
        Answer::Broken { worker: w, failure } => {
            *worker = Some(w);
            cell.fail(&failure, bench, variant, on);
        }
        Answer::Lost(failure) => cell.fail(&failure, bench, variant, on),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every turn `Passes` gives over `order`, each variant's turns lasting
    /// `turn[v]` (in any unit) toward a slice of `slice`, variant `fails` dropping out after
    /// its first turn: (the turns in order, the first-pass flags).
    fn schedule(
        order: &[usize],
        turn: &[f64],
        slice: f64,
        fails: Option<usize>,
    ) -> (Vec<usize>, Vec<bool>) {
        let mut ran = vec![0.0; turn.len()];
        let mut failed = vec![false; turn.len()];
        let (mut turns, mut firsts) = (Vec::new(), Vec::new());
        let mut passes = Passes::new(order);
        while let Some(pass) = passes.next(|v| !failed[v], |v| ran[v] >= slice) {
            firsts.push(pass.first);
            for v in pass.turns {
                turns.push(v);
                ran[v] += turn[v];
                failed[v] |= fails == Some(v);
            }
            assert!(turns.len() < 1000, "the passes never end");
        }
        (turns, firsts)
    }

    fn count(turns: &[usize], v: usize) -> usize {
        turns.iter().filter(|&&t| t == v).count()
    }

    #[test]
    fn the_seeded_order_is_reversed_on_every_pass() {
        let (turns, firsts) = schedule(&[1, 0], &[1.0, 1.0], 5.0, None);
        assert_eq!(turns, [1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
        assert_eq!(firsts, [true, false, false, false, false]);
        let (turns, _) = schedule(&[2, 0, 1], &[1.0; 3], 3.0, None);
        assert_eq!(turns, [2, 0, 1, 1, 0, 2, 2, 0, 1]);
    }

    #[test]
    fn passes_go_on_until_every_variant_has_run_a_whole_slice() {
        // A's turns come up short (a slower or a busier worker): B waits for it.
        let (turns, _) = schedule(&[0, 1], &[1.0, 2.5], 5.0, None);
        assert_eq!(turns.len(), 10);
        assert_eq!(turns[8..], [0, 1]);
        let (turns, _) = schedule(&[0, 1], &[2.0, 2.0], 3.0, None);
        assert_eq!(turns, [0, 1, 1, 0], "a turn past the slice still ends it");
    }

    #[test]
    fn every_variant_takes_as_many_turns() {
        for turn in [[1.0, 1.0, 1.0], [0.25, 1.0, 0.75], [2.0, 0.125, 1.0]] {
            let (turns, _) = schedule(&[2, 1, 0], &turn, 5.0, None);
            let counts: Vec<usize> = (0..3).map(|v| count(&turns, v)).collect();
            assert!(
                counts.iter().all(|&c| c == counts[0]),
                "{turn:?}: {counts:?}"
            );
            let slowest = turn.iter().copied().fold(f64::INFINITY, f64::min);
            assert_eq!(counts[0], (5.0 / slowest).ceil() as usize, "{turn:?}");
        }
    }

    #[test]
    fn a_failed_variant_takes_no_more_turns_and_the_others_go_on_alternating() {
        let (turns, _) = schedule(&[0, 1, 2], &[1.0; 3], 3.0, Some(1));
        assert_eq!(turns, [0, 1, 2, 2, 0, 0, 2]);
    }

    #[test]
    fn no_pass_when_no_variant_is_left() {
        let mut passes = Passes::new(&[0, 1]);
        assert!(passes.next(|_| false, |_| false).is_none());
        let mut passes = Passes::new(&[]);
        assert!(passes.next(|_| true, |_| false).is_none());
    }
}

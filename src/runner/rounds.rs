//! The round bookkeeping: every (benchmark, variant) pair's figures as they come
//! in and its failure, the steps progress counts, and whether another round fits
//! in the time adaptive stopping allows. It runs nothing itself.

use super::failure::Failure;
use super::Event;
use crate::results::{BenchResult, RoundSample, Status};
use crate::variant::Variant;
use crate::workload::BenchSpec;
use std::time::Duration;

/// The measurements of one (benchmark, variant) pair as they come in.
#[derive(Default)]
pub(super) struct Cell {
    pub rounds: Vec<RoundSample>,
    pub work_per_iter: u64,
    /// A process workload's figure per round (see `BenchResult::values`).
    pub values: Vec<f64>,
    pub exit_codes: Vec<i32>,
    status: Status,
    error: Option<String>,
}

impl Cell {
    /// Still measured: the variant has not failed this benchmark.
    pub fn ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// Marks the cell failed and says so; a wrong result also throws away the
    /// figures measured so far, which came from the same wrong code.
    pub fn fail(
        &mut self,
        failure: &Failure,
        bench: &BenchSpec,
        variant: &Variant,
        on: &mut dyn FnMut(Event),
    ) {
        let (status, message) = (failure.status(), failure.describe(variant, &bench.id));
        if status == Status::Broken {
            self.rounds.clear();
            self.values.clear();
        }
        on(Event::Failed {
            bench: &bench.id,
            variant: &variant.name,
            status,
            message: &message,
        });
        self.status = status;
        self.error = Some(message);
    }
}

/// Every pair's [`Cell`], and the counts that carry over from round to round.
pub(super) struct Ledger {
    /// `cells[b][v]`: the `b`th benchmark of the plan in its `v`th variant.
    pub cells: Vec<Vec<Cell>>,
    step: usize,
    steps: usize,
    /// Benchmarks measured so far, summed over rounds: the unit of time estimates.
    visits: usize,
}

impl Ledger {
    /// Empty cells, and `rounds` rounds of every pair to count.
    pub fn new(benches: usize, variants: usize, rounds: u32) -> Ledger {
        Ledger {
            cells: (0..benches)
                .map(|_| (0..variants).map(|_| Cell::default()).collect())
                .collect(),
            step: 0,
            steps: rounds as usize * benches * variants,
            visits: 0,
        }
    }

    /// Counts one more benchmark measured in a round.
    pub fn visit(&mut self) {
        self.visits += 1;
    }

    pub fn visits(&self) -> usize {
        self.visits
    }

    /// Counts the step of `bench` (the `b`th) in `variant` (the `v`th), and says
    /// so unless the variant has already failed it.
    pub fn announce(
        &mut self,
        (b, bench): (usize, &str),
        (v, variant): (usize, &str),
        on: &mut dyn FnMut(Event),
    ) {
        self.step += 1;
        if self.cells[b][v].ok() {
            on(Event::Measuring {
                bench,
                variant,
                step: self.step,
                steps: self.steps,
            });
        }
    }

    /// Counts, unannounced, the steps of the variants in `order` that failed the
    /// `b`th benchmark in an earlier round: they take no turn, but still count.
    pub fn skip_failed(&mut self, b: usize, order: &[usize]) {
        self.step += order.iter().filter(|&&v| !self.cells[b][v].ok()).count();
    }

    /// A round beyond the planned ones: `more` steps are left, and no others.
    pub fn extend(&mut self, more: usize) {
        self.steps = self.step + more;
    }

    /// One result per benchmark and variant, in plan order.
    pub fn results(&self, benches: &[BenchSpec], variants: &[Variant]) -> Vec<BenchResult> {
        let mut results = Vec::new();
        for (bench, row) in benches.iter().zip(&self.cells) {
            for (variant, cell) in variants.iter().zip(row) {
                let mut r = BenchResult::new(
                    &bench.id,
                    bench.group,
                    &variant.name,
                    bench.unit,
                    cell.work_per_iter,
                    cell.rounds.clone(),
                    cell.status,
                    cell.error.clone(),
                );
                if bench.process().is_some() {
                    r = r.with_values(cell.values.clone());
                    r.exit_codes = cell.exit_codes.clone();
                }
                results.push(r);
            }
        }
        results
    }
}

/// Whether a round of the `unsettled` benchmarks, at the pace of the `visits`
/// so far, would end within `max_time` of the start (`elapsed` ago).
pub(super) fn fits(elapsed: Duration, visits: usize, unsettled: usize, max_time: Duration) -> bool {
    let per_visit = elapsed.as_secs_f64() / visits.max(1) as f64;
    let next = per_visit * unsettled as f64;
    unsettled > 0 && elapsed.as_secs_f64() + next <= max_time.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::catalog;

    fn variants() -> Vec<Variant> {
        let mut b = Variant::system();
        b.name = "b".into();
        vec![Variant::system(), b]
    }

    /// A library benchmark and a process one, from the real catalog.
    fn benches() -> Vec<BenchSpec> {
        let all = catalog(&["text".into()]);
        let library = all.iter().find(|b| b.process().is_none()).unwrap().clone();
        let process = all.iter().find(|b| b.process().is_some()).unwrap().clone();
        vec![library, process]
    }

    fn sample(round: u32, seconds: f64) -> RoundSample {
        RoundSample {
            round,
            iterations: 10,
            seconds,
            ..Default::default()
        }
    }

    /// The (step, steps) of every Measuring event that `f` causes.
    fn announced(
        ledger: &mut Ledger,
        f: impl FnOnce(&mut Ledger, &mut dyn FnMut(Event)),
    ) -> Vec<(usize, usize)> {
        let mut seen = Vec::new();
        f(ledger, &mut |e| {
            if let Event::Measuring { step, steps, .. } = e {
                seen.push((step, steps));
            }
        });
        seen
    }

    #[test]
    fn every_pair_of_every_planned_round_is_a_step() {
        let mut ledger = Ledger::new(2, 3, 4);
        let seen = announced(&mut ledger, |l, on| {
            l.announce((0, "x"), (0, "a"), on);
            l.announce((1, "y"), (2, "c"), on);
        });
        assert_eq!(seen, [(1, 24), (2, 24)]);
    }

    #[test]
    fn a_failed_variant_counts_its_step_without_announcing_it() {
        let mut ledger = Ledger::new(1, 3, 1);
        let (bench, variant) = (&benches()[0], &variants()[1]);
        ledger.cells[0][1].fail(
            &Failure::Hung(Duration::from_secs(1)),
            bench,
            variant,
            &mut |_| {},
        );
        ledger.skip_failed(0, &[2, 1, 0]);
        let seen = announced(&mut ledger, |l, on| {
            l.announce((0, "x"), (1, "b"), on);
            l.announce((0, "x"), (0, "a"), on);
        });
        assert_eq!(seen, [(3, 3)]);
    }

    #[test]
    fn an_extended_round_counts_only_the_steps_it_adds() {
        let mut ledger = Ledger::new(3, 2, 1);
        for _ in 0..6 {
            ledger.announce((0, "x"), (0, "a"), &mut |_| {});
        }
        ledger.extend(2 * 2);
        let seen = announced(&mut ledger, |l, on| l.announce((1, "y"), (1, "b"), on));
        assert_eq!(seen, [(7, 10)]);
    }

    #[test]
    fn a_wrong_result_discards_the_figures_and_says_so() {
        let (bench, variant) = (&benches()[0], &variants()[0]);
        let mut cell = Cell {
            rounds: vec![sample(1, 0.5)],
            values: vec![3.0],
            ..Default::default()
        };
        let mut events = Vec::new();
        let failure = Failure::Broken("output differs".into());
        cell.fail(&failure, bench, variant, &mut |e| {
            if let Event::Failed {
                status, message, ..
            } = e
            {
                events.push((status, message.to_string()));
            }
        });
        assert!(cell.rounds.is_empty() && cell.values.is_empty());
        assert!(!cell.ok());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].0, Status::Broken);
        assert!(events[0].1.contains("output differs"), "{}", events[0].1);
        assert_eq!(cell.error.as_deref(), Some(events[0].1.as_str()));
    }

    #[test]
    fn a_crash_or_a_hang_keeps_the_rounds_measured_before_it() {
        let (bench, variant) = (&benches()[0], &variants()[0]);
        let died = Failure::Died {
            status: None,
            stderr: String::new(),
        };
        for (failure, status) in [
            (died, Status::Crashed),
            (Failure::Hung(Duration::from_secs(3)), Status::Timeout),
        ] {
            let mut cell = Cell {
                rounds: vec![sample(1, 0.5), sample(2, 0.6)],
                ..Default::default()
            };
            cell.fail(&failure, bench, variant, &mut |_| {});
            assert_eq!(cell.rounds.len(), 2);
            assert_eq!(cell.status, status);
        }
    }

    #[test]
    fn results_come_one_per_pair_in_plan_order_and_processes_carry_their_figures() {
        let (benches, variants) = (benches(), variants());
        let mut ledger = Ledger::new(2, 2, 1);
        ledger.cells[0][1].rounds.push(sample(1, 0.25));
        ledger.cells[0][1].work_per_iter = 100;
        let process = &mut ledger.cells[1][0];
        process.rounds.push(sample(1, 2.0));
        process.values.push(0.2);
        process.exit_codes.push(3);
        let results = ledger.results(&benches, &variants);
        let pairs: Vec<(&str, &str)> = results
            .iter()
            .map(|r| (r.bench.as_str(), r.variant.as_str()))
            .collect();
        let (l, p) = (benches[0].id.as_str(), benches[1].id.as_str());
        assert_eq!(pairs, [(l, "system"), (l, "b"), (p, "system"), (p, "b")]);
        assert_eq!(results[1].times, [0.025]);
        assert!(results[1].values.is_empty());
        assert_eq!(results[2].values, [0.2]);
        assert_eq!(results[2].exit_codes, [3]);
        assert!(results[0].times.is_empty());
    }

    #[test]
    fn another_round_goes_ahead_only_when_it_ends_in_time() {
        let s = Duration::from_secs;
        // 10 visits in 20 s: 2 s a visit, so 5 more end at 30 s.
        assert!(fits(s(20), 10, 5, s(30)));
        assert!(!fits(s(20), 10, 6, s(30)));
        assert!(!fits(s(20), 10, 0, s(60)), "nothing unsettled: no round");
        // Before any visit the elapsed time itself is the pace.
        assert!(fits(s(1), 0, 2, s(3)));
        assert!(!fits(s(1), 0, 3, s(3)));
    }
}

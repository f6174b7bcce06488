//! How much of the main thread late passes (widgets a page adds after a clean) may use.
//!
//! A token bucket: passes spend from a credit of `LATE_PASS_BURST_MS`, which refills at
//! `MAX_LATE_PASS_CPU_SHARE` of the wall time; when a pass overdraws it, the next pass waits until
//! the credit is back to zero. Over any stretch of time, late passes use at most that share plus
//! the burst (and the overdraft of one pass). The burst is for the widgets a page adds in the
//! first moments after a clean, as its ad scripts load: a single slow pass (a first run of some
//! code, a garbage collection) must not hold the next widgets back for half a second, which a
//! wait proportional to each pass alone would do.

/// The share of the main thread late passes may use in the long run.
pub const MAX_LATE_PASS_CPU_SHARE: f64 = 0.04;

/// Late-pass time that may be spent before the share applies.
pub const LATE_PASS_BURST_MS: f64 = 30.0;

/// The credit of late-pass time (see the module's documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LateBudget {
    credit_ms: f64,
    /// When the credit was last brought up to date (the page's clock, ms).
    at_ms: f64,
}

impl Default for LateBudget {
    fn default() -> LateBudget {
        LateBudget {
            credit_ms: LATE_PASS_BURST_MS,
            at_ms: 0.0,
        }
    }
}

impl LateBudget {
    fn credit_at(&self, now_ms: f64) -> f64 {
        let refill = (now_ms - self.at_ms).max(0.0) * MAX_LATE_PASS_CPU_SHARE;
        (self.credit_ms + refill).min(LATE_PASS_BURST_MS)
    }

    /// Records a pass that took `spent_ms` and ended at `now_ms`.
    pub fn spend(&mut self, now_ms: f64, spent_ms: f64) {
        self.credit_ms = self.credit_at(now_ms) - spent_ms.max(0.0);
        self.at_ms = now_ms;
    }

    /// How long, from `now_ms`, until the budget allows another pass.
    pub fn wait_ms(&self, now_ms: f64) -> f64 {
        let credit = self.credit_at(now_ms);
        if credit >= 0.0 {
            0.0
        } else {
            -credit / MAX_LATE_PASS_CPU_SHARE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_runs_at_once_then_the_share_holds() {
        let mut budget = LateBudget::default();
        // Two slow passes right after the clean: the second need not wait.
        budget.spend(100.0, 12.0);
        assert_eq!(budget.wait_ms(100.0), 0.0);
        budget.spend(160.0, 12.0);
        assert_eq!(budget.wait_ms(160.0), 0.0);
        // A third overdraws the credit: the next waits until it is back to zero.
        budget.spend(220.0, 12.0);
        let wait = budget.wait_ms(220.0);
        assert!(
            wait > 0.0 && wait < 12.0 / MAX_LATE_PASS_CPU_SHARE,
            "{wait}"
        );
        assert!(budget.wait_ms(220.0 + wait + 0.001) == 0.0);
    }

    /// Passes as often as the budget allows, each as slow as it likes: over a long run they
    /// use the share, plus at most the burst and one pass.
    #[test]
    fn the_long_run_share_is_bounded() {
        for pass_ms in [0.5, 3.0, 20.0, 200.0] {
            let mut budget = LateBudget::default();
            let (mut now, mut spent) = (1_000.0, 0.0);
            while now < 600_000.0 {
                now += budget.wait_ms(now).max(60.0) + pass_ms;
                budget.spend(now, pass_ms);
                spent += pass_ms;
            }
            let allowed = (now - 1_000.0) * MAX_LATE_PASS_CPU_SHARE + LATE_PASS_BURST_MS + pass_ms;
            assert!(
                spent <= allowed + 1e-6,
                "{pass_ms} ms passes: spent {spent}, allowed {allowed}"
            );
            // ... and no less than that share, where passes every 60 ms would use more.
            let unlimited = (now - 1_000.0) / (60.0 + pass_ms) * pass_ms;
            let expected = unlimited.min(allowed - LATE_PASS_BURST_MS - pass_ms);
            assert!(
                spent >= expected * 0.9,
                "{pass_ms} ms passes: held back to {spent} of {expected}"
            );
        }
    }

    #[test]
    fn the_credit_never_exceeds_the_burst() {
        let mut budget = LateBudget::default();
        budget.spend(1e9, 0.0);
        budget.spend(1e9 + 1.0, LATE_PASS_BURST_MS + 4.0);
        assert!(budget.wait_ms(1e9 + 1.0) > 0.0);
        // A clock that goes backwards (another page's timer) refills nothing.
        assert_eq!(budget.wait_ms(0.0), budget.wait_ms(1e9 + 1.0));
    }
}

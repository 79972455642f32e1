//! The reconnect policy: when to try a new connection after the old one was lost, and when to give
//! up (sans-IO, the quinn-proto way: inputs with the current time in, a [`Decision`] with a deadline
//! out).
//!
//! It owns the outage: how many attempts were made, for how long (time spent offline excluded),
//! the backoff (exponential, equal jitter from a PRNG the driver seeds, so tests are deterministic),
//! whether the network is up, and whether the last connection was *stable* — open for
//! [`ReconnectConfig::stable_after_ms`] or through a completed turn. Only a stable connection ends an
//! outage: a server that accepts every connection and drops it at once must not reset the count.
//!
//! Must never: read a clock or a random source of its own, arm timers or touch sockets (the session
//! turns decisions into outputs), or know about providers.

/// The limits of one outage. Defaults: attempts 250 ms apart, doubling up to 10 s, at most 6
/// attempts and 60 s.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectConfig {
    /// Attempts per outage before giving up (at least 1).
    pub max_attempts: u32,
    /// The delay before the first attempt after a drop; doubled for each further attempt.
    pub base_delay_ms: f64,
    /// The longest delay between attempts.
    pub max_delay_ms: f64,
    /// The longest an outage may last (time offline not counted) before giving up.
    pub max_outage_ms: f64,
    /// How long a new connection must stay open (without a completed turn) to end the outage.
    pub stable_after_ms: f64,
}

impl Default for ReconnectConfig {
    fn default() -> Self {
        ReconnectConfig { max_attempts: 6, base_delay_ms: 250.0, max_delay_ms: 10_000.0, max_outage_ms: 60_000.0, stable_after_ms: 10_000.0 }
    }
}

/// How the connection was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// The provider asked to move (`goAway`): the first attempt goes at once.
    GoAway,
    /// The connection dropped, or an attempt failed.
    Dropped,
    /// The provider ended the session at its time limit (OpenAI `session_expired`): the first
    /// attempt goes at once.
    Expired,
}

/// What to do after a loss (or when the network comes back).
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Make attempt number `attempt` at `at_ms` (`delay_ms` after now).
    Retry { attempt: u32, delay_ms: f64, at_ms: f64 },
    /// Offline: nothing is attempted (nor counted) until the network is back.
    WaitForNetwork { attempt: u32 },
    /// The limits are reached: `attempts` failed over `elapsed_ms`.
    GiveUp { attempts: u32, elapsed_ms: f64 },
}

/// Tested with `matches!`, not `==`: the derived comparison (of the f64 fields too) would be code
/// of its own in the package.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Connected (or never lost).
    Connected { since_ms: f64, turn_completed: bool },
    /// An attempt is due at this time.
    Scheduled { at_ms: f64 },
    /// Waiting for the network.
    Offline,
    /// An attempt is under way (connecting).
    Attempting,
    /// Given up: nothing more is decided.
    Stopped,
}

#[derive(Debug, Clone, Copy)]
struct Outage {
    started_ms: f64,
    /// Time spent offline during this outage (not counted against `max_outage_ms`).
    offline_ms: f64,
    offline_since_ms: Option<f64>,
    /// Attempts that failed (a connection that opened but was not stable counts as failed).
    failed: u32,
}

impl Outage {
    fn elapsed_ms(&self, now_ms: f64) -> f64 {
        let offline_now = self.offline_since_ms.map_or(0.0, |since| now_ms - since);
        (now_ms - self.started_ms - self.offline_ms - offline_now).max(0.0)
    }
}

#[derive(Debug, Clone)]
pub struct ReconnectPolicy {
    config: ReconnectConfig,
    phase: Phase,
    outage: Option<Outage>,
    online: bool,
    rng: SplitMix64,
}

impl ReconnectPolicy {
    /// `seed` feeds the jitter (the browser driver seeds it from `Math.random()`).
    pub fn new(config: ReconnectConfig, seed: u64, now_ms: f64) -> Self {
        ReconnectPolicy {
            config,
            phase: Phase::Connected { since_ms: now_ms, turn_completed: false },
            outage: None,
            online: true,
            rng: SplitMix64(seed),
        }
    }

    /// A connection opened (the session is open on it).
    pub fn connected(&mut self, now_ms: f64) {
        self.phase = Phase::Connected { since_ms: now_ms, turn_completed: false };
    }

    /// A turn completed on the current connection: it is stable.
    pub fn turn_completed(&mut self) {
        if let Phase::Connected { turn_completed, .. } = &mut self.phase {
            *turn_completed = true;
        }
    }

    /// No connection any more (dropped, `goAway`, or an attempt failed): the next attempt, or why
    /// there is none.
    pub fn lost(&mut self, now_ms: f64, loss: Loss) -> Decision {
        let stable = match self.phase {
            Phase::Connected { since_ms, turn_completed } => turn_completed || now_ms - since_ms >= self.config.stable_after_ms,
            _ => false,
        };
        let outage = match self.outage.as_mut() {
            Some(outage) if !stable => {
                // Offline failures are the network's, not the server's: they do not count.
                if self.online {
                    outage.failed += 1;
                }
                *outage
            }
            _ => *self.outage.insert(Outage {
                started_ms: now_ms,
                offline_ms: 0.0,
                offline_since_ms: (!self.online).then_some(now_ms),
                failed: 0,
            }),
        };
        let attempt = outage.failed + 1;
        if outage.failed >= self.config.max_attempts {
            return self.give_up(now_ms);
        }
        if !self.online {
            self.phase = Phase::Offline;
            return Decision::WaitForNetwork { attempt };
        }
        let delay_ms = if matches!(loss, Loss::GoAway | Loss::Expired) && outage.failed == 0 { 0.0 } else { self.backoff(attempt) };
        if outage.elapsed_ms(now_ms) + delay_ms > self.config.max_outage_ms {
            return self.give_up(now_ms);
        }
        self.phase = Phase::Scheduled { at_ms: now_ms + delay_ms };
        Decision::Retry { attempt, delay_ms, at_ms: now_ms + delay_ms }
    }

    /// The browser went offline or online. Offline: a scheduled attempt is called off (until
    /// online). Online while waiting: attempt at once. `None`: nothing changes for the session.
    pub fn network_changed(&mut self, now_ms: f64, online: bool) -> Option<Decision> {
        if self.online == online {
            return None;
        }
        self.online = online;
        let outage = self.outage.as_mut()?;
        let attempt = outage.failed + 1;
        if !online {
            outage.offline_since_ms = Some(now_ms);
            if let Phase::Scheduled { .. } = self.phase {
                self.phase = Phase::Offline;
                return Some(Decision::WaitForNetwork { attempt });
            }
            return None;
        }
        if let Some(since) = outage.offline_since_ms.take() {
            outage.offline_ms += now_ms - since;
        }
        if !matches!(self.phase, Phase::Offline) {
            return None;
        }
        self.phase = Phase::Scheduled { at_ms: now_ms };
        Some(Decision::Retry { attempt, delay_ms: 0.0, at_ms: now_ms })
    }

    /// Whether the scheduled attempt is due at `now_ms`; if so it is under way from now on. A timer
    /// armed for an attempt that was called off (or superseded) fires early and is refused here.
    pub fn take_due(&mut self, now_ms: f64) -> bool {
        match self.phase {
            Phase::Scheduled { at_ms } if now_ms >= at_ms => {
                self.phase = Phase::Attempting;
                true
            }
            _ => false,
        }
    }

    /// Waiting between attempts (for a timer or for the network): no connection is in flight, so
    /// a close reported now is a stale socket's.
    pub fn is_waiting(&self) -> bool {
        matches!(self.phase, Phase::Scheduled { .. } | Phase::Offline)
    }

    /// An attempt is under way.
    pub fn is_attempting(&self) -> bool {
        matches!(self.phase, Phase::Attempting)
    }

    /// The limits were reached: nothing more will be attempted.
    pub fn gave_up(&self) -> bool {
        matches!(self.phase, Phase::Stopped)
    }

    fn give_up(&mut self, now_ms: f64) -> Decision {
        self.phase = Phase::Stopped;
        let outage = self.outage.take();
        Decision::GiveUp {
            attempts: outage.map_or(0, |o| o.failed),
            elapsed_ms: outage.map_or(0.0, |o| o.elapsed_ms(now_ms)),
        }
    }

    /// Equal jitter: half the exponential step for sure (the delay grows), half at random (clients
    /// dropped together do not come back together).
    fn backoff(&mut self, attempt: u32) -> f64 {
        let doublings = attempt.saturating_sub(1).min(30);
        let step = (self.config.base_delay_ms * (1u32 << doublings) as f64).min(self.config.max_delay_ms);
        crate::float::round(step / 2.0 + self.rng.unit() * step / 2.0)
    }
}

/// SplitMix64: a tiny deterministic PRNG (jitter needs spread, not secrecy).
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

//! Limits failed logins per login and per client address, in memory. The
//! server holds one; after a restart counting starts afresh, which only
//! ever lets an attacker start over as often as the service restarts.
//!
//! A login is counted whether or not an account has it, so being throttled
//! says nothing about which accounts exist.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::account::MAX_LOGIN_CHARS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimits {
    /// Failures of one login within `window` after which it is refused.
    pub per_login: usize,
    /// Failures from one address (IPv6: one /64) within `window`.
    pub per_address: usize,
    pub window: Duration,
    /// Most logins (and, separately, addresses) remembered; beyond it the
    /// ones with the oldest failures are forgotten, so a flood of made-up
    /// logins cannot grow memory without bound.
    pub max_tracked: usize,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        ThrottleLimits {
            per_login: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
            max_tracked: 100_000,
        }
    }
}

/// Where the time comes from; tests turn the clock by hand.
pub trait Clock {
    fn now(&self) -> Instant;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told; clones share the time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    start: Instant,
    elapsed_ms: Arc<AtomicU64>,
}

impl ManualClock {
    pub fn new() -> Self {
        ManualClock {
            start: Instant::now(),
            elapsed_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.elapsed_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + Duration::from_millis(self.elapsed_ms.load(Ordering::SeqCst))
    }
}

/// What was over its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottledBy {
    Login,
    Address,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed logins by {by:?}; retry after {retry_after:?}")]
pub struct Throttled {
    pub by: ThrottledBy,
    pub retry_after: Duration,
}

impl Throttled {
    /// Says nothing about which limit was hit or whether the account
    /// exists.
    pub fn message_ja(&self) -> String {
        let minutes = self.retry_after.as_secs().div_ceil(60).max(1);
        format!(
            "ログインの失敗が続いたため、しばらく受け付けません。{minutes}分ほどたってからもう一度お試しください。"
        )
    }
}

#[derive(Debug)]
pub struct LoginThrottle<C: Clock = SystemClock> {
    limits: ThrottleLimits,
    clock: C,
    by_login: Failures<String>,
    by_address: Failures<IpAddr>,
}

impl LoginThrottle<SystemClock> {
    pub fn new(limits: ThrottleLimits) -> Self {
        Self::with_clock(limits, SystemClock)
    }
}

impl<C: Clock> LoginThrottle<C> {
    pub fn with_clock(limits: ThrottleLimits, clock: C) -> Self {
        LoginThrottle {
            limits,
            clock,
            by_login: Failures::default(),
            by_address: Failures::default(),
        }
    }

    /// Whether a login attempt may go ahead; call before checking the
    /// password.
    pub fn check(&mut self, login: &str, address: IpAddr) -> Result<(), Throttled> {
        let now = self.clock.now();
        let window = self.limits.window;
        if let Some(retry_after) =
            self.by_login
                .blocked(&login_key(login), now, window, self.limits.per_login)
        {
            return Err(Throttled {
                by: ThrottledBy::Login,
                retry_after,
            });
        }
        if let Some(retry_after) =
            self.by_address
                .blocked(&address_key(address), now, window, self.limits.per_address)
        {
            return Err(Throttled {
                by: ThrottledBy::Address,
                retry_after,
            });
        }
        Ok(())
    }

    /// Counts a failed attempt (unknown login, wrong password, refused
    /// account alike).
    pub fn record_failure(&mut self, login: &str, address: IpAddr) {
        let now = self.clock.now();
        let l = self.limits;
        self.by_login
            .add(login_key(login), now, l.window, l.per_login, l.max_tracked);
        self.by_address.add(
            address_key(address),
            now,
            l.window,
            l.per_address,
            l.max_tracked,
        );
    }

    /// A successful login clears its login's failures; the address keeps
    /// its count (one address trying many logins stays limited).
    pub fn record_success(&mut self, login: &str) {
        self.by_login.map.remove(&login_key(login));
    }
}

/// Logins are ASCII lowercase; anything longer than a login can be is cut,
/// so a long made-up login costs no more memory than a real one.
fn login_key(login: &str) -> String {
    login
        .chars()
        .take(MAX_LOGIN_CHARS)
        .collect::<String>()
        .to_lowercase()
}

/// IPv4 as is (IPv4-mapped IPv6 included); IPv6 by its /64, the block one
/// client usually holds whole.
fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

#[derive(Debug)]
struct Failures<K> {
    /// The most recent failures of each key, oldest first, at most the
    /// limit of them (older ones cannot matter).
    map: HashMap<K, VecDeque<Instant>>,
}

impl<K> Default for Failures<K> {
    fn default() -> Self {
        Failures {
            map: HashMap::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Failures<K> {
    fn blocked(
        &mut self,
        key: &K,
        now: Instant,
        window: Duration,
        limit: usize,
    ) -> Option<Duration> {
        let times = self.map.get_mut(key)?;
        drop_expired(times, now, window);
        if times.is_empty() {
            self.map.remove(key);
            return None;
        }
        if times.len() < limit {
            return None;
        }
        // The window reopens when its oldest counted failure leaves it.
        let oldest = *times.front()?;
        Some((oldest + window).saturating_duration_since(now))
    }

    fn add(&mut self, key: K, now: Instant, window: Duration, limit: usize, max_tracked: usize) {
        if !self.map.contains_key(&key) && self.map.len() >= max_tracked {
            self.forget_oldest(now, window, max_tracked);
        }
        let times = self.map.entry(key).or_default();
        drop_expired(times, now, window);
        times.push_back(now);
        while times.len() > limit.max(1) {
            times.pop_front();
        }
    }

    /// Drops expired keys; if that is not enough, the half of the keys
    /// whose last failure is oldest (a sort now and then, not on every
    /// failure).
    fn forget_oldest(&mut self, now: Instant, window: Duration, max_tracked: usize) {
        self.map.retain(|_, times| {
            drop_expired(times, now, window);
            !times.is_empty()
        });
        if self.map.len() < max_tracked {
            return;
        }
        let mut last: Vec<(Instant, K)> = self
            .map
            .iter()
            .filter_map(|(k, t)| t.back().map(|at| (*at, k.clone())))
            .collect();
        last.sort_by_key(|(at, _)| *at);
        let keep = max_tracked / 2;
        let forget = last.len().saturating_sub(keep);
        for (_, key) in last.into_iter().take(forget) {
            self.map.remove(&key);
        }
    }
}

fn drop_expired(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|at| now.saturating_duration_since(*at) >= window)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn throttle(clock: &ManualClock) -> LoginThrottle<ManualClock> {
        LoginThrottle::with_clock(ThrottleLimits::default(), clock.clone())
    }

    #[test]
    fn five_failures_close_a_login_for_the_rest_of_the_window() {
        let clock = ManualClock::new();
        let mut t = throttle(&clock);
        let a = ip("192.0.2.1");
        for i in 0..5 {
            assert!(t.check("hanako", a).is_ok(), "attempt {i}");
            t.record_failure("hanako", a);
            clock.advance(Duration::from_secs(60));
        }
        // Five failures at minutes 0..4; now minute 5.
        let refused = t.check("hanako", a).unwrap_err();
        assert_eq!(refused.by, ThrottledBy::Login);
        assert_eq!(refused.retry_after, Duration::from_secs(10 * 60));
        // Case does not make another login; other logins are untouched.
        assert!(t.check("HANAKO", ip("192.0.2.9")).is_err());
        assert!(t.check("taro", a).is_ok());
        // One second before the first failure leaves the window: still closed.
        clock.advance(Duration::from_secs(10 * 60 - 1));
        assert!(t.check("hanako", a).is_err());
        clock.advance(Duration::from_secs(1));
        assert!(t.check("hanako", a).is_ok());
        // One more failure closes it again (four still in the window).
        t.record_failure("hanako", a);
        assert!(t.check("hanako", a).is_err());
    }

    #[test]
    fn an_address_trying_many_logins_is_closed_after_twenty() {
        let clock = ManualClock::new();
        let mut t = throttle(&clock);
        let a = ip("2001:db8:1:2:3:4:5:6");
        for i in 0..20 {
            let login = format!("user{i}");
            assert!(t.check(&login, a).is_ok(), "attempt {i}");
            t.record_failure(&login, a);
        }
        let refused = t.check("someone-else", a).unwrap_err();
        assert_eq!(refused.by, ThrottledBy::Address);
        // The same /64 is the same client; another /64 is not.
        assert!(t.check("someone-else", ip("2001:db8:1:2:ffff::1")).is_err());
        assert!(t.check("someone-else", ip("2001:db8:1:3::1")).is_ok());
        // A success clears the login's count, not the address's.
        t.record_success("user0");
        assert!(t.check("user0", a).is_err());
        assert!(t.check("user0", ip("198.51.100.7")).is_ok());
        clock.advance(Duration::from_secs(15 * 60));
        assert!(t.check("someone-else", a).is_ok());
    }

    #[test]
    fn success_clears_the_login() {
        let clock = ManualClock::new();
        let mut t = throttle(&clock);
        let a = ip("192.0.2.1");
        for _ in 0..4 {
            t.record_failure("hanako", a);
        }
        t.record_success("hanako");
        for _ in 0..4 {
            t.record_failure("hanako", a);
        }
        assert!(t.check("hanako", a).is_ok());
        assert!(t.check("hanako", ip("::ffff:192.0.2.1")).is_ok());
        t.record_failure("hanako", ip("::ffff:192.0.2.1"));
        assert!(t.check("hanako", a).is_err());
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_made_up_logins() {
        let clock = ManualClock::new();
        let limits = ThrottleLimits {
            max_tracked: 100,
            ..ThrottleLimits::default()
        };
        let mut t = LoginThrottle::with_clock(limits, clock.clone());
        t.record_failure("target", ip("192.0.2.1"));
        for i in 0..1_000 {
            clock.advance(Duration::from_millis(10));
            t.record_failure(&format!("{}{i}", "x".repeat(1_000)), ip("192.0.2.2"));
        }
        assert!(t.by_login.map.len() <= 100, "{}", t.by_login.map.len());
        assert!(t.by_login.map.keys().all(|k| k.len() <= MAX_LOGIN_CHARS));
        let msg = Throttled {
            by: ThrottledBy::Login,
            retry_after: Duration::from_secs(61),
        }
        .message_ja();
        assert!(msg.contains("2分"), "{msg}");
    }
}

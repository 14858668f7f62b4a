//! Answers to anonymous public reads, kept for a moment.
//!
//! The public lookup asks the same few things over and over (体操 near a
//! station, the category list); a search over 100,000 records costs
//! milliseconds of CPU, a cached answer microseconds. An answer is served
//! from here for at most [`PublicCache::ttl`] (half a second by default),
//! so an edit reaches public answers within that time — inside the one
//! second the service promises. Logged-in callers are never served from
//! here: a coordinator sees an edit the moment it is acknowledged. Memory
//! is bounded by the bytes of the answers kept.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

#[derive(Clone)]
struct Entry {
    at: Instant,
    body: Bytes,
}

#[derive(Clone)]
struct ByBytes;

impl Weighter<String, Entry> for ByBytes {
    fn weight(&self, key: &String, entry: &Entry) -> u64 {
        (key.len() + entry.body.len() + 64) as u64
    }
}

/// One computation of an answer that others asking the same meanwhile wait
/// for: `Some(None)` when it produced no cacheable answer.
pub type InFlight = tokio::sync::watch::Receiver<Option<Option<Bytes>>>;

/// What the one computing an answer sends to those waiting.
pub enum Flight {
    Lead(tokio::sync::watch::Sender<Option<Option<Bytes>>>),
    Follow(InFlight),
}

pub struct PublicCache {
    entries: Cache<String, Entry, ByBytes>,
    ttl: Duration,
    /// Answers being computed: when many callers ask the same thing at
    /// once, one searches and the others wait for its answer, instead of
    /// all searching (a burst of identical misses would otherwise cost a
    /// search each).
    in_flight: Mutex<HashMap<String, InFlight>>,
}

impl PublicCache {
    /// `max_bytes` of answers, each served for at most `ttl`; a zero `ttl`
    /// turns the cache off.
    pub fn new(max_bytes: u64, ttl: Duration) -> PublicCache {
        PublicCache {
            entries: Cache::with_weighter(4_096, max_bytes.max(1), ByBytes),
            ttl,
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    /// The computation of `key` to follow, or to lead (then call
    /// [`PublicCache::done`] with its answer).
    pub fn join(&self, key: &str) -> Flight {
        let mut map = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match map.get(key) {
            // A leader cut off (its request timed out) never answers; its
            // entry is taken over rather than followed for ever.
            Some(rx) if rx.has_changed().is_ok() => Flight::Follow(rx.clone()),
            _ => {
                let (tx, rx) = tokio::sync::watch::channel(None);
                map.insert(key.to_string(), rx);
                Flight::Lead(tx)
            }
        }
    }

    /// The computation of `key` is over: its answer (cached by the
    /// caller) or `None` goes to those waiting.
    pub fn done(
        &self,
        key: &str,
        lead: tokio::sync::watch::Sender<Option<Option<Bytes>>>,
        answer: Option<Bytes>,
    ) {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
        let _ = lead.send(Some(answer));
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The answer for `key` if it is young enough.
    pub fn get(&self, key: &str) -> Option<Bytes> {
        if self.ttl.is_zero() {
            return None;
        }
        let entry = self.entries.get(key)?;
        if entry.at.elapsed() <= self.ttl {
            Some(entry.body)
        } else {
            self.entries.remove(key);
            None
        }
    }

    pub fn put(&self, key: String, body: Bytes) {
        if self.ttl.is_zero() {
            return;
        }
        self.entries.insert(
            key,
            Entry {
                at: Instant::now(),
                body,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_expire_and_a_zero_ttl_keeps_nothing() {
        let cache = PublicCache::new(1 << 20, Duration::from_millis(30));
        cache.put("a".into(), Bytes::from_static(b"{}"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"{}"[..]));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get("a"), None);
        let off = PublicCache::new(1 << 20, Duration::ZERO);
        off.put("a".into(), Bytes::from_static(b"{}"));
        assert_eq!(off.get("a"), None);
    }

    #[test]
    fn one_computes_the_others_wait_and_a_dropped_leader_is_replaced() {
        let cache = PublicCache::new(1 << 20, Duration::from_secs(1));
        let Flight::Lead(lead) = cache.join("q") else {
            panic!("the first asker leads");
        };
        let Flight::Follow(mut rx) = cache.join("q") else {
            panic!("the second follows");
        };
        cache.done("q", lead, Some(Bytes::from_static(b"{}")));
        assert_eq!(
            rx.borrow_and_update().clone(),
            Some(Some(Bytes::from_static(b"{}")))
        );
        // After it is done, the next asker leads again.
        let Flight::Lead(lead) = cache.join("q") else {
            panic!("a new computation after the last ended");
        };
        drop(lead);
        assert!(
            matches!(cache.join("q"), Flight::Lead(_)),
            "a dead leader is replaced"
        );
    }

    #[test]
    fn memory_is_bounded_by_bytes() {
        let cache = PublicCache::new(10_000, Duration::from_secs(60));
        for i in 0..1_000 {
            cache.put(format!("k{i}"), Bytes::from(vec![b'x'; 500]));
        }
        let kept = (0..1_000)
            .filter(|i| cache.get(&format!("k{i}")).is_some())
            .count();
        assert!(
            kept < 30,
            "{kept} answers of 564 bytes kept in 10,000 bytes"
        );
    }
}

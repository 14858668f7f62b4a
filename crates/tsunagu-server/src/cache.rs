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

pub struct PublicCache {
    entries: Cache<String, Entry, ByBytes>,
    ttl: Duration,
}

impl PublicCache {
    /// `max_bytes` of answers, each served for at most `ttl`; a zero `ttl`
    /// turns the cache off.
    pub fn new(max_bytes: u64, ttl: Duration) -> PublicCache {
        PublicCache {
            entries: Cache::with_weighter(4_096, max_bytes.max(1), ByBytes),
            ttl,
        }
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

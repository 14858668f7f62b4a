//! Random secrets and their hashes. Session ids and API tokens are stored
//! only as SHA-256 of the raw value: 256 random bits need no slow hash, and
//! a stolen database opens no session.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::AccountError;

/// Bytes of randomness in a session id, a CSRF token and an API token.
pub const SECRET_BYTES: usize = 32;
/// base64url characters of [`SECRET_BYTES`] bytes, without padding.
pub const SECRET_CHARS: usize = 43;

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], AccountError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|e| AccountError::Random(e.to_string()))?;
    Ok(bytes)
}

/// 32 random bytes as base64url without padding (43 characters).
pub(crate) fn random_secret() -> Result<String, AccountError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<SECRET_BYTES>()?))
}

/// Whether `text` has the shape of [`random_secret`]'s output; checked
/// before hashing so that nothing unbounded from a client is hashed.
pub(crate) fn looks_like_secret(text: &str) -> bool {
    text.len() == SECRET_CHARS
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// SHA-256 of `text`, lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Compares two secrets in time that depends on their lengths only, not on
/// where they first differ (a CSRF token from a form against the session's).
pub fn secrets_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_base64url_of_32_bytes() {
        let a = random_secret().unwrap();
        let b = random_secret().unwrap();
        assert_ne!(a, b);
        assert!(looks_like_secret(&a), "{a}");
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), SECRET_BYTES);
        assert!(!looks_like_secret(&format!("{}=", &a[..42])));
        assert!(!looks_like_secret(&a[..42]));
    }

    #[test]
    fn sha256_and_comparison() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abc", "abd"));
        assert!(!secrets_equal("abc", "abcd"));
        assert!(!secrets_equal("", "a"));
    }
}

//! Passwords: argon2id with the crate's default parameters, stored as PHC
//! strings (algorithm, parameters and salt travel with the hash, so the
//! parameters can be raised later without breaking stored hashes).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::secret::random_bytes;
use crate::{AccountError, AccountFieldError, FieldProblem};

/// Shortest password accepted when a person chooses one.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted: hashing work stays bounded.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Length of a generated password.
pub const GENERATED_PASSWORD_CHARS: usize = 16;

/// Letters and digits that cannot be mistaken for one another when read
/// aloud or copied from paper: no 0/O/o, no 1/l/I.
const READABLE: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Refuses a password a person chose when it is too short or too long.
pub fn check_password(password: &str) -> Result<(), AccountFieldError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AccountFieldError::new(
            "password",
            FieldProblem::TooShort {
                min: MIN_PASSWORD_CHARS,
                found: chars,
            },
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AccountFieldError::new(
            "password",
            FieldProblem::TooLong {
                max: MAX_PASSWORD_CHARS,
                found: chars,
            },
        ));
    }
    Ok(())
}

/// The argon2id PHC string of `password`, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `phc` (the crate compares in
/// constant time). A string that is not a valid PHC hash matches nothing.
pub fn verify_password(password: &str, phc: &str) -> bool {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A new password of [`GENERATED_PASSWORD_CHARS`] characters from a
/// readable alphabet (about 93 bits), drawn without modulo bias.
pub fn generate_password() -> Result<String, AccountError> {
    // 256 is not a multiple of the alphabet's size: bytes at or above the
    // largest multiple are drawn again.
    let limit = 256 - 256 % READABLE.len();
    let mut out = String::with_capacity(GENERATED_PASSWORD_CHARS);
    while out.len() < GENERATED_PASSWORD_CHARS {
        for b in random_bytes::<32>()? {
            if usize::from(b) < limit && out.len() < GENERATED_PASSWORD_CHARS {
                out.push(char::from(READABLE[usize::from(b) % READABLE.len()]));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterY", &phc));
        assert!(!verify_password("", &phc));
        assert!(!verify_password("correct horse battery", "not a hash"));
        // Salted: the same password hashes differently each time.
        assert_ne!(phc, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn generated_passwords_are_readable_and_distinct() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_ne!(a, b);
        for p in [&a, &b] {
            assert_eq!(p.chars().count(), GENERATED_PASSWORD_CHARS);
            assert!(p.bytes().all(|c| READABLE.contains(&c)), "{p}");
            assert!(!p.contains(['0', 'O', 'o', '1', 'l', 'I']), "{p}");
            assert!(check_password(p).is_ok());
        }
    }

    #[test]
    fn password_length_bounds() {
        assert!(check_password("short").is_err());
        assert!(check_password(&"x".repeat(MIN_PASSWORD_CHARS)).is_ok());
        assert!(check_password(&"あ".repeat(MAX_PASSWORD_CHARS)).is_ok());
        assert!(check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }
}

//! Browser sessions and API tokens. The raw values exist only in the
//! client's hands (cookie, script); the store holds their SHA-256.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tsunagu_store::{AuditActor, Store, TokenRow, format_time};

use crate::account::text;
use crate::login::may_log_in;
use crate::secret::{SECRET_CHARS, looks_like_secret, random_secret, sha256_hex};
use crate::{Account, AccountError, AccountFieldError, japan_date};

/// How stale `last_seen_at` may get before a request writes it again:
/// not every request pays for a durable write.
pub const SESSION_TOUCH_INTERVAL: Duration = Duration::seconds(60);
/// The prefix of API tokens, so a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "tsg_";
pub const MAX_TOKEN_LABEL_CHARS: usize = 100;

/// Opens a browser session for `login` lasting `ttl` from `now`. Returns
/// the raw session id (for the cookie; stored only as its hash) and the
/// session's CSRF token. Refused for an account that may not log in now.
pub fn create_session(
    store: &Store,
    login: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<(String, String), AccountError> {
    let account = account_that_may_log_in(store, login, now)?;
    let raw_id = random_secret()?;
    let csrf = random_secret()?;
    let at = format_time(now);
    store.insert_session(&tsunagu_store::SessionRow {
        id_hash: sha256_hex(&raw_id),
        login: account.login,
        csrf_token: csrf.clone(),
        created_at: at.clone(),
        expires_at: format_time(now + ttl),
        last_seen_at: at,
    })?;
    Ok((raw_id, csrf))
}

fn account_that_may_log_in(
    store: &Store,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Account, AccountError> {
    let account = crate::get_account(store, login)?.ok_or_else(|| AccountError::NotFound {
        login: login.to_string(),
    })?;
    may_log_in(&account, japan_date(now)).map_err(AccountError::Refused)?;
    Ok(account)
}

/// The account and CSRF token of a live session: `None` when the id is
/// unknown or malformed, the session expired (it is then deleted), or the
/// account may no longer log in (解任, outside its 委託期間). Needs a
/// writable store: it deletes expired sessions and refreshes
/// `last_seen_at` (at most once per [`SESSION_TOUCH_INTERVAL`]).
pub fn session_account(
    store: &Store,
    raw_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Account, String)>, AccountError> {
    if !looks_like_secret(raw_id) {
        return Ok(None);
    }
    let id_hash = sha256_hex(raw_id);
    let Some(session) = store.session(&id_hash)? else {
        return Ok(None);
    };
    let at = format_time(now);
    if session.expires_at <= at {
        store.delete_session(&id_hash)?;
        return Ok(None);
    }
    let Some(account) = crate::get_account(store, &session.login)? else {
        return Ok(None);
    };
    if may_log_in(&account, japan_date(now)).is_err() {
        return Ok(None);
    }
    if session.last_seen_at < format_time(now - SESSION_TOUCH_INTERVAL) {
        store.touch_session(&id_hash, &at)?;
    }
    Ok(Some((account, session.csrf_token)))
}

/// Logs a session out. Whether there was such a session.
pub fn delete_session(store: &Store, raw_id: &str) -> Result<bool, AccountError> {
    if !looks_like_secret(raw_id) {
        return Ok(false);
    }
    Ok(store.delete_session(&sha256_hex(raw_id))?)
}

/// Forgets every session expired at `now` (a periodic clean-up; expired
/// sessions are refused whether or not they were forgotten). Returns how
/// many.
pub fn purge_expired_sessions(store: &Store, now: DateTime<Utc>) -> Result<u64, AccountError> {
    Ok(store.delete_expired_sessions(&format_time(now))?)
}

/// An API token as listed: never the raw token nor its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: u64,
    pub login: String,
    pub label: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<TokenRow> for TokenInfo {
    fn from(row: TokenRow) -> TokenInfo {
        TokenInfo {
            id: row.id,
            login: row.login,
            label: row.label,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// Makes a bearer token for `login` (audited as `token.create` with its id
/// and label). Returns the token's id and the raw token, `tsg_` and 43
/// base64url characters, which is shown once and never stored. Refused
/// for an ended account.
pub fn create_token(
    store: &mut Store,
    login: &str,
    label: &str,
    actor: &AuditActor,
) -> Result<(u64, String), AccountError> {
    let mut errors = Vec::new();
    let label = text(
        &mut |field, problem| errors.push(AccountFieldError::new(field, problem)),
        "label",
        Some(label),
        MAX_TOKEN_LABEL_CHARS,
        false,
    )
    .unwrap_or_default();
    if !errors.is_empty() {
        return Err(AccountError::Invalid(errors));
    }
    let account = crate::get_account(store, login)?.ok_or_else(|| AccountError::NotFound {
        login: login.to_string(),
    })?;
    if let Some(on) = account.ended_on {
        return Err(AccountError::AlreadyEnded {
            login: login.to_string(),
            on,
        });
    }
    let raw = format!("{TOKEN_PREFIX}{}", random_secret()?);
    let row = store.insert_token(login, &sha256_hex(&raw), &label, actor)?;
    Ok((row.id, raw))
}

/// The account a bearer token speaks for: `None` when the token is
/// malformed, unknown or revoked, or its account may not log in `today`.
pub fn token_account(
    store: &Store,
    raw: &str,
    today: chrono::NaiveDate,
) -> Result<Option<Account>, AccountError> {
    let Some(secret) = raw.strip_prefix(TOKEN_PREFIX) else {
        return Ok(None);
    };
    if secret.len() != SECRET_CHARS || !looks_like_secret(secret) {
        return Ok(None);
    }
    let Some(token) = store.token_by_hash(&sha256_hex(raw))? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() {
        return Ok(None);
    }
    let Some(account) = crate::get_account(store, &token.login)? else {
        return Ok(None);
    };
    Ok(may_log_in(&account, today).is_ok().then_some(account))
}

/// Revokes a token (audited as `token.revoke`); revoking a revoked token
/// changes nothing and returns it as it is.
pub fn revoke_token(
    store: &mut Store,
    id: u64,
    actor: &AuditActor,
) -> Result<TokenInfo, AccountError> {
    store
        .revoke_token(id, actor)?
        .map(TokenInfo::from)
        .ok_or(AccountError::NoToken { id })
}

/// Tokens of one account, or of all, revoked ones included, by id.
pub fn list_tokens(store: &Store, login: Option<&str>) -> Result<Vec<TokenInfo>, AccountError> {
    Ok(store
        .tokens(login)?
        .into_iter()
        .map(TokenInfo::from)
        .collect())
}

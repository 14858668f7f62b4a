//! Rows of accounts, browser sessions and API tokens. The store keeps them
//! and audits their changes; what they mean (roles, 委託期間, hashing,
//! permissions) is `tsunagu-accounts`'s. Secrets never reach this layer in
//! the clear: sessions and tokens are stored as SHA-256 hashes of the raw
//! values, passwords as PHC strings.
//!
//! Times are RFC 3339 UTC strings in one format ([`crate::format_time`]),
//! so comparing them as text compares them as times on any backend.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::audit::{Appender, TargetKind};
use crate::{AuditActor, FieldChange, Store, StoreError, now};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    login            TEXT PRIMARY KEY,
    role             TEXT NOT NULL,
    name             TEXT NOT NULL,
    title            TEXT,
    organization     TEXT,
    center_id        TEXT,
    appointed_on     TEXT,
    appointed_reason TEXT,
    valid_from       TEXT NOT NULL,
    valid_until      TEXT,
    ended_on         TEXT,
    ended_reason     TEXT,
    password_hash    TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash      TEXT PRIMARY KEY,
    login        TEXT NOT NULL REFERENCES accounts(login),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_login ON sessions(login);
CREATE TABLE IF NOT EXISTS api_tokens (
    id         INTEGER PRIMARY KEY,
    login      TEXT NOT NULL REFERENCES accounts(login),
    token_hash TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_tokens_by_login ON api_tokens(login);
INSERT OR IGNORE INTO counters(name, value) VALUES ('token', 0);
";

/// One account as stored. Dates are `YYYY-MM-DD`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub login: String,
    /// `admin`, `coordinator` or `viewer`.
    pub role: String,
    pub name: String,
    pub title: Option<String>,
    pub organization: Option<String>,
    pub center_id: Option<String>,
    pub appointed_on: Option<String>,
    pub appointed_reason: Option<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub ended_on: Option<String>,
    pub ended_reason: Option<String>,
    /// PHC string (argon2id).
    pub password_hash: String,
    /// Set by the store when the row is written.
    pub created_at: String,
    pub updated_at: String,
}

// By hand: the password hash never reaches a log through `{:?}`.
impl std::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRow")
            .field("login", &self.login)
            .field("role", &self.role)
            .field("name", &self.name)
            .field("title", &self.title)
            .field("organization", &self.organization)
            .field("center_id", &self.center_id)
            .field("appointed_on", &self.appointed_on)
            .field("appointed_reason", &self.appointed_reason)
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .field("ended_on", &self.ended_on)
            .field("ended_reason", &self.ended_reason)
            .field("password_hash", &"(hidden)")
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// One browser session. The raw session id lives only in the cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 (hex) of the raw session id.
    pub id_hash: String,
    pub login: String,
    pub csrf_token: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_seen_at: String,
}

impl std::fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRow")
            .field("login", &self.login)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish_non_exhaustive()
    }
}

/// One API token. The raw token was shown once, when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: u64,
    pub login: String,
    /// SHA-256 (hex) of the raw token.
    pub token_hash: String,
    pub label: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

const ACCOUNT_COLUMNS: &str = "login, role, name, title, organization, center_id, appointed_on, \
     appointed_reason, valid_from, valid_until, ended_on, ended_reason, password_hash, \
     created_at, updated_at";

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        login: r.get(0)?,
        role: r.get(1)?,
        name: r.get(2)?,
        title: r.get(3)?,
        organization: r.get(4)?,
        center_id: r.get(5)?,
        appointed_on: r.get(6)?,
        appointed_reason: r.get(7)?,
        valid_from: r.get(8)?,
        valid_until: r.get(9)?,
        ended_on: r.get(10)?,
        ended_reason: r.get(11)?,
        password_hash: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

const SESSION_COLUMNS: &str = "id_hash, login, csrf_token, created_at, expires_at, last_seen_at";

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id_hash: r.get(0)?,
        login: r.get(1)?,
        csrf_token: r.get(2)?,
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        last_seen_at: r.get(5)?,
    })
}

const TOKEN_COLUMNS: &str = "id, login, token_hash, label, created_at, revoked_at";

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    let id: i64 = r.get(0)?;
    Ok(TokenRow {
        id: id.max(0) as u64,
        login: r.get(1)?,
        token_hash: r.get(2)?,
        label: r.get(3)?,
        created_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

impl Store {
    /// Stores a new account and its `account.add` audit row in one
    /// transaction. `created_at`/`updated_at` of `row` are ignored: the
    /// store sets both to now. Returns the row as stored.
    pub fn insert_account(
        &mut self,
        row: &AccountRow,
        actor: &AuditActor,
        changes: &[FieldChange],
    ) -> Result<AccountRow, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now();
        {
            let exists = tx
                .prepare_cached("SELECT 1 FROM accounts WHERE login = ?1")?
                .exists(params![row.login])?;
            if exists {
                return Err(StoreError::AccountExists {
                    login: row.login.clone(),
                });
            }
            tx.execute(
                &format!(
                    "INSERT INTO accounts({ACCOUNT_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)"
                ),
                params![
                    row.login,
                    row.role,
                    row.name,
                    row.title,
                    row.organization,
                    row.center_id,
                    row.appointed_on,
                    row.appointed_reason,
                    row.valid_from,
                    row.valid_until,
                    row.ended_on,
                    row.ended_reason,
                    row.password_hash,
                    at
                ],
            )?;
            let mut audit = Appender::new(&tx)?;
            audit.append(
                &at,
                actor,
                "account.add",
                TargetKind::Account,
                &row.login,
                changes,
            )?;
            audit.finish()?;
        }
        tx.commit()?;
        Ok(AccountRow {
            created_at: at.clone(),
            updated_at: at,
            ..row.clone()
        })
    }

    /// Replaces every column of an existing account but its login and
    /// `created_at` with `row`'s, and appends one audit row (`action`, with
    /// `changes` as the caller describes them), in one transaction.
    /// `updated_at` is set to now. Returns the row as stored.
    pub fn update_account(
        &mut self,
        row: &AccountRow,
        actor: &AuditActor,
        action: &str,
        changes: &[FieldChange],
    ) -> Result<AccountRow, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now();
        let stored = {
            let updated = tx.execute(
                "UPDATE accounts SET role = ?2, name = ?3, title = ?4, organization = ?5,
                     center_id = ?6, appointed_on = ?7, appointed_reason = ?8, valid_from = ?9,
                     valid_until = ?10, ended_on = ?11, ended_reason = ?12, password_hash = ?13,
                     updated_at = ?14
                 WHERE login = ?1",
                params![
                    row.login,
                    row.role,
                    row.name,
                    row.title,
                    row.organization,
                    row.center_id,
                    row.appointed_on,
                    row.appointed_reason,
                    row.valid_from,
                    row.valid_until,
                    row.ended_on,
                    row.ended_reason,
                    row.password_hash,
                    at
                ],
            )?;
            if updated == 0 {
                return Err(StoreError::NoAccount {
                    login: row.login.clone(),
                });
            }
            let mut audit = Appender::new(&tx)?;
            audit.append(&at, actor, action, TargetKind::Account, &row.login, changes)?;
            audit.finish()?;
            tx.query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE login = ?1"),
                params![row.login],
                account_row,
            )?
        };
        tx.commit()?;
        Ok(stored)
    }

    pub fn account(&self, login: &str) -> Result<Option<AccountRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE login = ?1"
        ))?;
        Ok(stmt.query_row(params![login], account_row).optional()?)
    }

    /// Every account, ended ones included, by login.
    pub fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY login"
        ))?;
        let rows = stmt.query_map([], account_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn insert_session(&self, row: &SessionRow) -> Result<(), StoreError> {
        self.conn.execute(
            &format!("INSERT INTO sessions({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            params![
                row.id_hash,
                row.login,
                row.csrf_token,
                row.created_at,
                row.expires_at,
                row.last_seen_at
            ],
        )?;
        Ok(())
    }

    pub fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = ?1"
        ))?;
        Ok(stmt.query_row(params![id_hash], session_row).optional()?)
    }

    pub fn touch_session(&self, id_hash: &str, at: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1",
            params![id_hash, at],
        )?;
        Ok(())
    }

    /// Whether there was such a session.
    pub fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
        Ok(n > 0)
    }

    /// Ends every session of an account (after a password change).
    pub fn delete_sessions_of(&self, login: &str) -> Result<u64, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM sessions WHERE login = ?1", params![login])?;
        Ok(n as u64)
    }

    /// Forgets sessions that expired before `now` (a [`crate::format_time`]
    /// string); returns how many.
    pub fn delete_expired_sessions(&self, now: &str) -> Result<u64, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])?;
        Ok(n as u64)
    }

    /// Stores a new token of `login` and its `token.create` audit row (the
    /// token's id and label; never its hash) in one transaction.
    pub fn insert_token(
        &mut self,
        login: &str,
        token_hash: &str,
        label: &str,
        actor: &AuditActor,
    ) -> Result<TokenRow, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now();
        let id = {
            let exists = tx
                .prepare_cached("SELECT 1 FROM accounts WHERE login = ?1")?
                .exists(params![login])?;
            if !exists {
                return Err(StoreError::NoAccount {
                    login: login.to_string(),
                });
            }
            let last: i64 =
                tx.query_row("SELECT value FROM counters WHERE name = 'token'", [], |r| {
                    r.get(0)
                })?;
            let id = last + 1;
            tx.execute(
                &format!(
                    "INSERT INTO api_tokens({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, NULL)"
                ),
                params![id, login, token_hash, label, at],
            )?;
            tx.execute(
                "UPDATE counters SET value = ?1 WHERE name = 'token'",
                params![id],
            )?;
            let mut audit = Appender::new(&tx)?;
            audit.append(
                &at,
                actor,
                "token.create",
                TargetKind::Account,
                login,
                &[FieldChange {
                    field: "token".into(),
                    before: None,
                    after: Some(serde_json::json!({"id": id, "label": label})),
                }],
            )?;
            audit.finish()?;
            id
        };
        tx.commit()?;
        Ok(TokenRow {
            id: id.max(0) as u64,
            login: login.to_string(),
            token_hash: token_hash.to_string(),
            label: label.to_string(),
            created_at: at,
            revoked_at: None,
        })
    }

    pub fn token(&self, id: u64) -> Result<Option<TokenRow>, StoreError> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1"
        ))?;
        Ok(stmt.query_row(params![id], token_row).optional()?)
    }

    pub fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?1"
        ))?;
        Ok(stmt.query_row(params![token_hash], token_row).optional()?)
    }

    /// Tokens of one account, or of all, revoked ones included, by id.
    pub fn tokens(&self, login: Option<&str>) -> Result<Vec<TokenRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE ?1 IS NULL OR login = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![login], token_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Revokes a token and appends its `token.revoke` audit row, in one
    /// transaction. An already revoked token is returned as it is, with no
    /// new row; `None` when there is no such token.
    pub fn revoke_token(
        &mut self,
        id: u64,
        actor: &AuditActor,
    ) -> Result<Option<TokenRow>, StoreError> {
        let Ok(id_sql) = i64::try_from(id) else {
            return Ok(None);
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now();
        let row = {
            let row = tx
                .prepare_cached(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1"
                ))?
                .query_row(params![id_sql], token_row)
                .optional()?;
            match row {
                Some(row) if row.revoked_at.is_none() => {
                    tx.execute(
                        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1",
                        params![id_sql, at],
                    )?;
                    let mut audit = Appender::new(&tx)?;
                    audit.append(
                        &at,
                        actor,
                        "token.revoke",
                        TargetKind::Account,
                        &row.login,
                        &[FieldChange {
                            field: "token".into(),
                            before: Some(serde_json::json!({"id": id, "label": row.label})),
                            after: None,
                        }],
                    )?;
                    audit.finish()?;
                    Some(TokenRow {
                        revoked_at: Some(at),
                        ..row
                    })
                }
                other => other,
            }
        };
        tx.commit()?;
        Ok(row)
    }
}

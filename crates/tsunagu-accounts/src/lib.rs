//! Accounts of the service: the three roles, what the 要綱 (第7条) records
//! about a coordinator and the 委託期間 outside which an account cannot log
//! in, 解任, argon2id passwords, browser sessions, bearer tokens, the
//! permissions of each role (decided in [`permission`] only) and the login
//! throttle.
//!
//! Storage is `tsunagu-store`'s: this crate hands it rows and hashes, and
//! every change to an account or token is audited in the same transaction.
//! Nothing here knows HTTP; the server maps these errors to responses.

mod account;
mod login;
mod manage;
mod password;
pub mod permission;
mod role;
mod secret;
mod session;
mod throttle;

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;
use tsunagu_model::cut_for_message;
use tsunagu_store::StoreError;

pub use account::{
    Account, AccountFieldError, CHANGED_MARKER, Centre, FieldProblem, MAX_LOGIN_CHARS,
    MAX_NAME_CHARS, MAX_ORGANIZATION_CHARS, MAX_REASON_CHARS, MAX_TITLE_CHARS, MIN_LOGIN_CHARS,
    NewAccount, RESERVED_LOGINS, centre, centres, field_label_ja, parse_date,
};
pub use login::{LoginRefusal, authenticate, may_log_in};
pub use manage::{add_account, end_account, get_account, has_admin, list_accounts, set_password};
pub use password::{
    GENERATED_PASSWORD_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_password,
    generate_password, hash_password, verify_password,
};
pub use permission::{
    EditRights, can_edit_record, can_export_internal, can_manage_accounts, can_read_internal,
    edit_rights,
};
pub use role::Role;
pub use secret::{secrets_equal, sha256_hex};
pub use session::{
    MAX_TOKEN_LABEL_CHARS, SESSION_TOUCH_INTERVAL, TOKEN_PREFIX, TokenInfo, create_session,
    create_token, delete_session, list_tokens, purge_expired_sessions, revoke_token,
    session_account, token_account,
};
pub use throttle::{
    Clock, LoginThrottle, ManualClock, SystemClock, ThrottleLimits, Throttled, ThrottledBy,
};

#[derive(Debug, Error)]
pub enum AccountError {
    #[error("invalid account: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<AccountFieldError>),
    #[error("an account with login {login:?} already exists")]
    Exists { login: String },
    #[error("no account with login {login:?}")]
    NotFound { login: String },
    #[error("account {login:?} was ended (解任) on {on}")]
    AlreadyEnded { login: String, on: NaiveDate },
    #[error("no API token with id {id}")]
    NoToken { id: u64 },
    #[error("login refused: {0}")]
    Refused(LoginRefusal),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the system's random source failed: {0}")]
    Random(String),
    #[error("stored account {login:?} is damaged ({what})")]
    Corrupt { login: String, what: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    /// The message shown to a person. A refused login says the same
    /// whatever the reason.
    pub fn message_ja(&self) -> String {
        match self {
            AccountError::Invalid(errors) => errors
                .iter()
                .map(AccountFieldError::message_ja)
                .collect::<Vec<_>>()
                .join("\n"),
            AccountError::Exists { login } => {
                format!(
                    "ログイン名「{}」は既に使われています",
                    cut_for_message(login)
                )
            }
            AccountError::NotFound { login } => {
                format!("ログイン名「{}」の利用者はいません", cut_for_message(login))
            }
            AccountError::AlreadyEnded { login, on } => {
                format!("「{}」は {on} に解任されています", cut_for_message(login))
            }
            AccountError::NoToken { id } => format!("トークン {id} はありません"),
            AccountError::Refused(refusal) => refusal.message_ja().to_string(),
            AccountError::Hash(_) | AccountError::Random(_) => {
                "パスワードや鍵を作れませんでした（システムの問題です）".into()
            }
            AccountError::Corrupt { login, .. } => format!(
                "利用者「{}」の保存データが壊れています",
                cut_for_message(login)
            ),
            AccountError::Store(StoreError::NeedsUpgrade { .. }) => {
                "データの形式が古いため、先に tsunagu reindex を実行してください".into()
            }
            AccountError::Store(StoreError::NewerSchema { .. }) => {
                "このデータは新しい版の tsunagu で作られています。tsunagu を更新してください".into()
            }
            AccountError::Store(_) => "利用者情報を読み書きできませんでした".into(),
        }
    }
}

/// The calendar day in Japan (UTC+9, no daylight saving) at `now`: the day
/// 委託期間 and 解任 dates are written in.
pub fn japan_date(now: DateTime<Utc>) -> NaiveDate {
    (now + chrono::Duration::hours(9)).date_naive()
}

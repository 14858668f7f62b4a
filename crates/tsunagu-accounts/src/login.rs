//! Who may log in, and checking a login and password.

use std::sync::OnceLock;

use chrono::NaiveDate;
use tsunagu_store::Store;

use crate::account::check_login;
use crate::password::{hash_password, verify_password};
use crate::{Account, AccountError};

/// Why a login was refused. The English `Display` is precise, for the log;
/// people see [`LoginRefusal::message_ja`], which is the same for every
/// kind, so a caller learns neither whether an account exists nor why it
/// is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefusal {
    #[error("no account with this login")]
    UnknownLogin,
    #[error("wrong password")]
    WrongPassword,
    #[error("the account was ended (解任) on {on}")]
    Ended { on: NaiveDate },
    #[error("the account's term (委託期間) starts on {from}")]
    NotYetValid { from: NaiveDate },
    #[error("the account's term (委託期間) ended on {until}")]
    Expired { until: NaiveDate },
}

impl LoginRefusal {
    /// The one message shown for every refusal.
    pub const MESSAGE_JA: &'static str = "ログインできませんでした。ログイン名とパスワードを確かめてください。続けてログインできないときは管理者にお問い合わせください。";

    pub fn message_ja(&self) -> &'static str {
        Self::MESSAGE_JA
    }

    /// A stable code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            LoginRefusal::UnknownLogin => "unknown_login",
            LoginRefusal::WrongPassword => "wrong_password",
            LoginRefusal::Ended { .. } => "ended",
            LoginRefusal::NotYetValid { .. } => "not_yet_valid",
            LoginRefusal::Expired { .. } => "expired",
        }
    }
}

/// Whether the account may log in on `today` (a Japanese calendar day, see
/// [`crate::japan_date`]): not on or after its 解任 day, and inside its
/// 委託期間, whose first and last days are included.
pub fn may_log_in(account: &Account, today: NaiveDate) -> Result<(), LoginRefusal> {
    if let Some(on) = account.ended_on
        && today >= on
    {
        return Err(LoginRefusal::Ended { on });
    }
    if today < account.valid_from {
        return Err(LoginRefusal::NotYetValid {
            from: account.valid_from,
        });
    }
    if let Some(until) = account.valid_until
        && today > until
    {
        return Err(LoginRefusal::Expired { until });
    }
    Ok(())
}

/// Checks a login and password and whether the account may log in today.
/// An unknown login costs the same argon2 work as a wrong password, so
/// timing does not tell which accounts exist. Rate limiting is the
/// caller's ([`crate::LoginThrottle`]).
pub fn authenticate(
    store: &Store,
    login: &str,
    password: &str,
    today: NaiveDate,
) -> Result<Account, AccountError> {
    let row = match check_login(login) {
        Ok(()) => store.account(login)?,
        Err(_) => None,
    };
    let Some(row) = row else {
        if let Some(dummy) = dummy_hash() {
            verify_password(password, dummy);
        }
        return Err(AccountError::Refused(LoginRefusal::UnknownLogin));
    };
    if !verify_password(password, &row.password_hash) {
        return Err(AccountError::Refused(LoginRefusal::WrongPassword));
    }
    let account = Account::from_row(row)?;
    may_log_in(&account, today).map_err(AccountError::Refused)?;
    Ok(account)
}

/// A hash with the real parameters, to verify against when there is no
/// account.
fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| hash_password("tsunagu: no such account").ok())
        .as_deref()
}

//! Adding, reading, ending accounts and changing passwords; every change
//! audited in the same transaction as the change itself.

use chrono::NaiveDate;
use tsunagu_store::{AuditActor, Store, StoreError};

use crate::account::{password_change, text};
use crate::password::{check_password, hash_password};
use crate::{Account, AccountError, AccountFieldError, FieldProblem, NewAccount, Role};

/// Validates and stores a new account with its password (audited as
/// `account.add`; the password appears only as a marker). Every field
/// problem is reported at once, the password's among them.
pub fn add_account(
    store: &mut Store,
    new: &NewAccount,
    password: &str,
    actor: &AuditActor,
) -> Result<Account, AccountError> {
    let validated = new.validate();
    let password_problem = check_password(password).err();
    let account = match (validated, password_problem) {
        (Ok(account), None) => account,
        (Ok(_), Some(p)) => return Err(AccountError::Invalid(vec![p])),
        (Err(mut errors), p) => {
            errors.extend(p);
            return Err(AccountError::Invalid(errors));
        }
    };
    let hash = hash_password(password)?;
    let mut changes = account.changes_from(None);
    changes.push(password_change());
    let stored = store
        .insert_account(&account.to_row(hash), actor, &changes)
        .map_err(|e| match e {
            StoreError::AccountExists { login } => AccountError::Exists { login },
            other => other.into(),
        })?;
    Account::from_row(stored)
}

pub fn get_account(store: &Store, login: &str) -> Result<Option<Account>, AccountError> {
    store.account(login)?.map(Account::from_row).transpose()
}

/// Every account, ended ones included, by login.
pub fn list_accounts(store: &Store) -> Result<Vec<Account>, AccountError> {
    store
        .accounts()?
        .into_iter()
        .map(Account::from_row)
        .collect()
}

/// Whether there is an admin that has not been ended (解任) by `today`: the
/// server creates a first admin when there is none.
pub fn has_admin(store: &Store, today: NaiveDate) -> Result<bool, AccountError> {
    Ok(list_accounts(store)?
        .iter()
        .any(|a| a.role == Role::Admin && a.ended_on.is_none_or(|on| today < on)))
}

/// 解任: from `on` the account cannot log in. The account stays, and the
/// changes it made stay attributed to its login. Audited as `account.end`.
pub fn end_account(
    store: &mut Store,
    login: &str,
    on: NaiveDate,
    reason: &str,
    actor: &AuditActor,
) -> Result<Account, AccountError> {
    let mut errors = Vec::new();
    let reason = text(
        &mut |field, problem| errors.push(AccountFieldError::new(field, problem)),
        "ended_reason",
        Some(reason),
        crate::account::MAX_REASON_CHARS,
        true,
    );
    if let Some(problem) = date_in_range(on) {
        errors.push(AccountFieldError::new("ended_on", problem));
    }
    let (Some(reason), true) = (reason, errors.is_empty()) else {
        return Err(AccountError::Invalid(errors));
    };
    let row = store
        .account(login)?
        .ok_or_else(|| AccountError::NotFound {
            login: login.to_string(),
        })?;
    let hash = row.password_hash.clone();
    let before = Account::from_row(row)?;
    if let Some(ended) = before.ended_on {
        return Err(AccountError::AlreadyEnded {
            login: login.to_string(),
            on: ended,
        });
    }
    let after = Account {
        ended_on: Some(on),
        ended_reason: Some(reason),
        ..before.clone()
    };
    let changes = after.changes_from(Some(&before));
    let stored = store.update_account(&after.to_row(hash), actor, "account.end", &changes)?;
    Account::from_row(stored)
}

/// Sets a new password (audited as `account.password` with a marker, never
/// the hash) and ends every browser session of the account, so a password
/// changed because it leaked closes the sessions opened with it.
pub fn set_password(
    store: &mut Store,
    login: &str,
    password: &str,
    actor: &AuditActor,
) -> Result<Account, AccountError> {
    check_password(password).map_err(|e| AccountError::Invalid(vec![e]))?;
    let row = store
        .account(login)?
        .ok_or_else(|| AccountError::NotFound {
            login: login.to_string(),
        })?;
    let account = Account::from_row(row)?;
    if let Some(on) = account.ended_on {
        return Err(AccountError::AlreadyEnded {
            login: login.to_string(),
            on,
        });
    }
    let hash = hash_password(password)?;
    let stored = store.update_account(
        &account.to_row(hash),
        actor,
        "account.password",
        &[password_change()],
    )?;
    store.delete_sessions_of(login)?;
    Account::from_row(stored)
}

fn date_in_range(day: NaiveDate) -> Option<FieldProblem> {
    let text = day.format("%Y-%m-%d").to_string();
    crate::account::parse_date(&text).err()
}

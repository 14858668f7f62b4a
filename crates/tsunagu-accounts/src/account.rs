//! What an account records (the 要綱 第7条 for coordinators: 氏名, 職名,
//! 受託団体, centre, 選任年月日 and 選任事由, 委託期間), and the validation of
//! a new one with errors that name the field.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsunagu_model::cut_for_message;
use tsunagu_store::{AccountRow, FieldChange};

use crate::{AccountError, Role};

/// Logins are `[a-z0-9._-]`, starting with a letter or digit (so a login
/// is never read as a command-line option).
pub const MIN_LOGIN_CHARS: usize = 3;
pub const MAX_LOGIN_CHARS: usize = 64;
/// The audit log's actor for changes no account made.
pub const RESERVED_LOGINS: &[&str] = &[tsunagu_store::AuditActor::SYSTEM];
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_ORGANIZATION_CHARS: usize = 200;
pub const MAX_REASON_CHARS: usize = 500;
/// Dates outside these years are typing mistakes (0205-04-01, 20255-04-01).
const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2199;

/// An account as the service sees it. It carries no password hash, so
/// neither `{:?}` nor JSON can leak one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub login: String,
    pub role: Role,
    /// 氏名.
    pub name: String,
    /// 職名.
    pub title: Option<String>,
    /// 受託団体.
    pub organization: Option<String>,
    /// The あんしんケアセンター (AC01…AC28) of a coordinator; `None` for
    /// the other roles.
    pub center_id: Option<String>,
    /// 選任年月日.
    pub appointed_on: Option<NaiveDate>,
    /// 選任事由.
    pub appointed_reason: Option<String>,
    /// 委託期間, first and last day included.
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// 解任: from this day on the account cannot log in.
    pub ended_on: Option<NaiveDate>,
    pub ended_reason: Option<String>,
    /// RFC 3339 UTC; empty until stored.
    pub created_at: String,
    pub updated_at: String,
}

/// A new account as a person typed it (command line, form, JSON): text to
/// validate, with blank optional fields taken as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct NewAccount {
    pub login: String,
    /// A code (`coordinator`) or a Japanese label (生活支援コーディネーター).
    pub role: String,
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub center_id: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub appointed_on: Option<String>,
    #[serde(default)]
    pub appointed_reason: Option<String>,
    /// YYYY-MM-DD.
    pub valid_from: String,
    /// YYYY-MM-DD; required for coordinators.
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// What is wrong with one field of an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {}", problem.message_en())]
pub struct AccountFieldError {
    /// The field's key (`center_id`, `valid_until`…).
    pub field: &'static str,
    pub problem: FieldProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    Missing,
    TooShort { min: usize, found: usize },
    TooLong { max: usize, found: usize },
    ControlChar { at: usize },
    BadLogin { found: String },
    ReservedLogin { found: String },
    UnknownRole { found: String },
    UnknownCentre { found: String },
    CentreOnlyForCoordinator,
    BadDate { found: String },
    NoSuchDate { found: String },
    DateOutOfRange { found: String },
    UntilBeforeFrom { from: NaiveDate, until: NaiveDate },
}

impl AccountFieldError {
    pub fn new(field: &'static str, problem: FieldProblem) -> Self {
        AccountFieldError { field, problem }
    }

    /// 「センター（center_id）: 生活支援コーディネーターには必須です」
    pub fn message_ja(&self) -> String {
        format!(
            "{}（{}）: {}",
            field_label_ja(self.field),
            self.field,
            self.problem.message_ja(self.field)
        )
    }
}

/// The Japanese name of an account field.
pub fn field_label_ja(field: &str) -> &'static str {
    match field {
        "login" => "ログイン名",
        "role" => "役割",
        "name" => "氏名",
        "title" => "職名",
        "organization" => "受託団体",
        "center_id" => "センター",
        "appointed_on" => "選任年月日",
        "appointed_reason" => "選任事由",
        "valid_from" => "委託期間の開始日",
        "valid_until" => "委託期間の終了日",
        "ended_on" => "解任日",
        "ended_reason" => "解任事由",
        "password" => "パスワード",
        "label" => "ラベル",
        _ => "項目",
    }
}

impl FieldProblem {
    pub fn message_en(&self) -> String {
        match self {
            FieldProblem::Missing => "required".into(),
            FieldProblem::TooShort { min, found } => {
                format!("too short: {found} characters, at least {min}")
            }
            FieldProblem::TooLong { max, found } => {
                format!("too long: {found} characters, at most {max}")
            }
            FieldProblem::ControlChar { at } => {
                format!("contains a control character at character {at}")
            }
            FieldProblem::BadLogin { found } => format!(
                "{found:?} is not {MIN_LOGIN_CHARS}-{MAX_LOGIN_CHARS} characters of a-z 0-9 . _ - starting with a letter or digit"
            ),
            FieldProblem::ReservedLogin { found } => format!("{found:?} is reserved"),
            FieldProblem::UnknownRole { found } => {
                format!("unknown role {found:?}; allowed: admin, coordinator, viewer")
            }
            FieldProblem::UnknownCentre { found } => {
                format!("{found:?} is not a centre of the built-in table (AC01..AC28)")
            }
            FieldProblem::CentreOnlyForCoordinator => {
                "only coordinator accounts are bound to a centre".into()
            }
            FieldProblem::BadDate { found } => format!("{found:?} is not a date YYYY-MM-DD"),
            FieldProblem::NoSuchDate { found } => format!("{found:?} is not a calendar date"),
            FieldProblem::DateOutOfRange { found } => {
                format!("{found} is outside {FIRST_YEAR}-01-01..={LAST_YEAR}-12-31")
            }
            FieldProblem::UntilBeforeFrom { from, until } => {
                format!("the term ends ({until}) before it starts ({from})")
            }
        }
    }

    fn message_ja(&self, field: &str) -> String {
        match self {
            FieldProblem::Missing if field == "center_id" => {
                "生活支援コーディネーターには必須です（AC01〜AC28）".into()
            }
            FieldProblem::Missing => "必須の項目がありません".into(),
            FieldProblem::TooShort { min, found } => {
                format!("短すぎます（{found}文字。{min}文字以上）")
            }
            FieldProblem::TooLong { max, found } => {
                format!("長すぎます（{found}文字。{max}文字以内）")
            }
            FieldProblem::ControlChar { at } => {
                format!("制御文字が含まれています（{at}文字目）")
            }
            FieldProblem::BadLogin { found } => format!(
                "「{}」は使えません。半角の英小文字・数字・. _ - で{MIN_LOGIN_CHARS}〜{MAX_LOGIN_CHARS}文字、先頭は英小文字か数字にしてください",
                cut_for_message(found)
            ),
            FieldProblem::ReservedLogin { found } => {
                format!(
                    "「{}」はシステムが使う名前のため使えません",
                    cut_for_message(found)
                )
            }
            FieldProblem::UnknownRole { found } => format!(
                "「{}」という役割はありません（使える役割: {}）",
                cut_for_message(found),
                Role::codes_with_labels()
            ),
            FieldProblem::UnknownCentre { found } => format!(
                "「{}」というセンターはありません（AC01〜AC28）",
                cut_for_message(found)
            ),
            FieldProblem::CentreOnlyForCoordinator => {
                "センターを指定できるのは生活支援コーディネーターだけです".into()
            }
            FieldProblem::BadDate { found } => format!(
                "「{}」は日付（YYYY-MM-DD）の形式ではありません",
                cut_for_message(found)
            ),
            FieldProblem::NoSuchDate { found } => {
                format!("{} という日付はありません", cut_for_message(found))
            }
            FieldProblem::DateOutOfRange { found } => {
                format!("{found} は範囲外です（{FIRST_YEAR}年〜{LAST_YEAR}年）")
            }
            FieldProblem::UntilBeforeFrom { from, until } => {
                format!("委託期間の終了日 {until} が開始日 {from} より前です")
            }
        }
    }
}

/// One あんしんケアセンター of the built-in table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Centre {
    /// AC01…AC28.
    pub id: String,
    /// The ward's name (中央区…).
    pub ward: String,
    /// 「千葉市あんしんケアセンター浜野」.
    pub name: String,
}

/// The centres of the built-in table (seed-data/anshin_centers.csv, the
/// same file tsunagu-geo builds its areas from).
pub fn centres() -> &'static [Centre] {
    static CENTRES: OnceLock<Vec<Centre>> = OnceLock::new();
    CENTRES.get_or_init(|| {
        include_str!("../../../seed-data/anshin_centers.csv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cells = line.trim_start_matches('\u{feff}').split(',');
                let id = cells.next()?.trim();
                let ward = cells.next()?.trim();
                let name = cells.next()?.trim();
                (!id.is_empty()).then(|| Centre {
                    id: id.to_string(),
                    ward: ward.to_string(),
                    name: name.to_string(),
                })
            })
            .collect()
    })
}

pub fn centre(id: &str) -> Option<&'static Centre> {
    centres().iter().find(|c| c.id == id)
}

impl NewAccount {
    /// The account this input describes, or every problem found (not only
    /// the first). The returned account is not stored yet: its times are
    /// empty.
    pub fn validate(&self) -> Result<Account, Vec<AccountFieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, problem: FieldProblem| {
            errors.push(AccountFieldError::new(field, problem));
        };

        if let Err(problem) = check_login(&self.login) {
            fail("login", problem);
        }
        let role = Role::parse(&self.role);
        if role.is_none() {
            if self.role.trim().is_empty() {
                fail("role", FieldProblem::Missing);
            } else {
                fail(
                    "role",
                    FieldProblem::UnknownRole {
                        found: self.role.clone(),
                    },
                );
            }
        }
        let coordinator = role == Some(Role::Coordinator);

        // In the order of the form, so messages read top to bottom.
        let name = text(&mut fail, "name", Some(&self.name), MAX_NAME_CHARS, true);
        let title = text(
            &mut fail,
            "title",
            self.title.as_deref(),
            MAX_TITLE_CHARS,
            coordinator,
        );
        let organization = text(
            &mut fail,
            "organization",
            self.organization.as_deref(),
            MAX_ORGANIZATION_CHARS,
            coordinator,
        );
        let center_id = match blank_to_none(self.center_id.as_deref()) {
            None => {
                if coordinator {
                    fail("center_id", FieldProblem::Missing);
                }
                None
            }
            Some(raw) => {
                let id = raw.to_ascii_uppercase();
                if role.is_some() && !coordinator {
                    fail("center_id", FieldProblem::CentreOnlyForCoordinator);
                    None
                } else if centre(&id).is_none() {
                    fail(
                        "center_id",
                        FieldProblem::UnknownCentre {
                            found: raw.to_string(),
                        },
                    );
                    None
                } else {
                    Some(id)
                }
            }
        };
        let appointed_on = date(
            &mut fail,
            "appointed_on",
            self.appointed_on.as_deref(),
            coordinator,
        );
        let appointed_reason = text(
            &mut fail,
            "appointed_reason",
            self.appointed_reason.as_deref(),
            MAX_REASON_CHARS,
            coordinator,
        );
        let valid_from = date(&mut fail, "valid_from", Some(&self.valid_from), true);
        let valid_until = date(
            &mut fail,
            "valid_until",
            self.valid_until.as_deref(),
            coordinator,
        );
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until < from
        {
            fail("valid_until", FieldProblem::UntilBeforeFrom { from, until });
        }

        match (role, name, valid_from) {
            (Some(role), Some(name), Some(valid_from)) if errors.is_empty() => Ok(Account {
                login: self.login.clone(),
                role,
                name,
                title,
                organization,
                center_id,
                appointed_on,
                appointed_reason,
                valid_from,
                valid_until,
                ended_on: None,
                ended_reason: None,
                created_at: String::new(),
                updated_at: String::new(),
            }),
            _ => Err(errors),
        }
    }
}

pub(crate) fn check_login(login: &str) -> Result<(), FieldProblem> {
    if login.is_empty() {
        return Err(FieldProblem::Missing);
    }
    let shaped = (MIN_LOGIN_CHARS..=MAX_LOGIN_CHARS).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && login
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !shaped {
        return Err(FieldProblem::BadLogin {
            found: login.to_string(),
        });
    }
    if RESERVED_LOGINS.contains(&login) {
        return Err(FieldProblem::ReservedLogin {
            found: login.to_string(),
        });
    }
    Ok(())
}

fn blank_to_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Checks one free-text field: trimmed, bounded, no control characters.
pub(crate) fn text(
    fail: &mut impl FnMut(&'static str, FieldProblem),
    field: &'static str,
    value: Option<&str>,
    max: usize,
    required: bool,
) -> Option<String> {
    let Some(value) = blank_to_none(value) else {
        if required {
            fail(field, FieldProblem::Missing);
        }
        return None;
    };
    let found = value.chars().count();
    if found > max {
        fail(field, FieldProblem::TooLong { max, found });
        return None;
    }
    if let Some(at) = value.chars().position(char::is_control) {
        fail(field, FieldProblem::ControlChar { at: at + 1 });
        return None;
    }
    Some(value.to_string())
}

fn date(
    fail: &mut impl FnMut(&'static str, FieldProblem),
    field: &'static str,
    value: Option<&str>,
    required: bool,
) -> Option<NaiveDate> {
    let Some(value) = blank_to_none(value) else {
        if required {
            fail(field, FieldProblem::Missing);
        }
        return None;
    };
    match parse_date(value) {
        Ok(d) => Some(d),
        Err(problem) => {
            fail(field, problem);
            None
        }
    }
}

/// A date written exactly `YYYY-MM-DD` that exists in the calendar and
/// lies in the years an account can concern.
pub fn parse_date(text: &str) -> Result<NaiveDate, FieldProblem> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(FieldProblem::BadDate {
            found: text.to_string(),
        });
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let year = i32::try_from(number(0..4)).unwrap_or(0);
    let date = NaiveDate::from_ymd_opt(year, number(5..7), number(8..10)).ok_or_else(|| {
        FieldProblem::NoSuchDate {
            found: text.to_string(),
        }
    })?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(FieldProblem::DateOutOfRange {
            found: text.to_string(),
        });
    }
    Ok(date)
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Account {
    pub(crate) fn from_row(row: AccountRow) -> Result<Account, AccountError> {
        let corrupt = |what: &str| AccountError::Corrupt {
            login: row.login.clone(),
            what: what.to_string(),
        };
        let day = |field: &str, v: &Option<String>| -> Result<Option<NaiveDate>, AccountError> {
            v.as_deref()
                .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt(field)))
                .transpose()
        };
        Ok(Account {
            role: Role::parse(&row.role).ok_or_else(|| corrupt("role"))?,
            appointed_on: day("appointed_on", &row.appointed_on)?,
            valid_from: day("valid_from", &Some(row.valid_from.clone()))?
                .ok_or_else(|| corrupt("valid_from"))?,
            valid_until: day("valid_until", &row.valid_until)?,
            ended_on: day("ended_on", &row.ended_on)?,
            login: row.login,
            name: row.name,
            title: row.title,
            organization: row.organization,
            center_id: row.center_id,
            appointed_reason: row.appointed_reason,
            ended_reason: row.ended_reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    pub(crate) fn to_row(&self, password_hash: String) -> AccountRow {
        AccountRow {
            login: self.login.clone(),
            role: self.role.code().to_string(),
            name: self.name.clone(),
            title: self.title.clone(),
            organization: self.organization.clone(),
            center_id: self.center_id.clone(),
            appointed_on: self.appointed_on.map(date_text),
            appointed_reason: self.appointed_reason.clone(),
            valid_from: date_text(self.valid_from),
            valid_until: self.valid_until.map(date_text),
            ended_on: self.ended_on.map(date_text),
            ended_reason: self.ended_reason.clone(),
            password_hash,
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }

    /// The audited fields with their values (`None`: absent), in a fixed
    /// order. The password is not among them: changes to it are written as
    /// a marker by the callers.
    fn audited_fields(&self) -> [(&'static str, Option<Value>); 12] {
        let s = |v: &Option<String>| v.clone().map(Value::from);
        let d = |v: Option<NaiveDate>| v.map(|d| Value::from(date_text(d)));
        [
            ("login", Some(Value::from(self.login.clone()))),
            ("role", Some(Value::from(self.role.code()))),
            ("name", Some(Value::from(self.name.clone()))),
            ("title", s(&self.title)),
            ("organization", s(&self.organization)),
            ("center_id", s(&self.center_id)),
            ("appointed_on", d(self.appointed_on)),
            ("appointed_reason", s(&self.appointed_reason)),
            ("valid_from", d(Some(self.valid_from))),
            ("valid_until", d(self.valid_until)),
            ("ended_on", d(self.ended_on)),
            ("ended_reason", s(&self.ended_reason)),
        ]
    }

    /// The fields that differ from `before` (everything present, for a new
    /// account).
    pub(crate) fn changes_from(&self, before: Option<&Account>) -> Vec<FieldChange> {
        let old = before.map(Account::audited_fields);
        self.audited_fields()
            .into_iter()
            .enumerate()
            .filter_map(|(i, (field, after))| {
                let before = old.as_ref().and_then(|o| o[i].1.clone());
                (before != after).then(|| FieldChange {
                    field: field.to_string(),
                    before,
                    after,
                })
            })
            .collect()
    }
}

/// The marker written in the audit log for a password change: never the
/// hash, never the password.
pub const CHANGED_MARKER: &str = "(変更)";

pub(crate) fn password_change() -> FieldChange {
    FieldChange {
        field: "password".into(),
        before: None,
        after: Some(Value::from(CHANGED_MARKER)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_has_the_28_centres() {
        let ids: Vec<&str> = centres().iter().map(|c| c.id.as_str()).collect();
        let expected: Vec<String> = (1..=28).map(|n| format!("AC{n:02}")).collect();
        assert_eq!(ids, expected);
        assert_eq!(
            centre("AC05").map(|c| c.name.as_str()),
            Some("千葉市あんしんケアセンター浜野")
        );
        assert!(centre("AC29").is_none());
    }

    #[test]
    fn dates_are_exact_and_real() {
        assert_eq!(
            parse_date("2024-02-29"),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
        assert!(matches!(
            parse_date("2025-02-29"),
            Err(FieldProblem::NoSuchDate { .. })
        ));
        for bad in [
            "2025-4-1",
            "2025/04/01",
            "20250401",
            "２０２５-04-01",
            "2025-04-01x",
            "",
        ] {
            assert!(
                matches!(parse_date(bad), Err(FieldProblem::BadDate { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_date("0205-04-01"),
            Err(FieldProblem::DateOutOfRange { .. })
        ));
    }
}

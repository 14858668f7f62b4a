//! The city's pages: accounts (選任, 委託期間, 解任) and the 要綱's forms
//! filled from an account, printable on A4.
//!
//! Details an account does not hold (生年月日, 代表者職氏名, a photo) are
//! typed on the print page itself: they are form fields that are never
//! submitted, so they are printed and never stored.

use askama::Template;

use crate::Page;
use crate::console::Signed;

/// An account as the list shows it.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub login: String,
    pub login_path: String,
    pub name: String,
    pub role: &'static str,
    pub centre: String,
    pub term: String,
    pub state: String,
    pub ended: bool,
    pub coordinator: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
pub struct AccountsPage {
    pub title: String,
    pub page: Page,
    pub signed: Signed,
    pub rows: Vec<AccountRow>,
    pub notice: Option<String>,
    pub today: String,
}

/// The fields of the 選任 form: key, label, hint, input type.
pub const ACCOUNT_FIELDS: [(&str, &str, &str, &str); 10] = [
    (
        "login",
        "ログイン名",
        "半角英数字。あとから変えられません。",
        "text",
    ),
    ("name", "氏名", "", "text"),
    (
        "role",
        "役割",
        "coordinator（コーディネーター）、viewer（閲覧）、admin（管理者）",
        "text",
    ),
    ("title", "職名", "例: 生活支援コーディネーター", "text"),
    ("organization", "受託法人（所属）", "", "text"),
    (
        "center_id",
        "担当のあんしんケアセンター",
        "例: AC15（コーディネーターは必須）",
        "text",
    ),
    ("appointed_on", "選任年月日", "", "date"),
    ("appointed_reason", "選任の理由", "", "text"),
    ("valid_from", "委託期間の始まり", "", "date"),
    ("valid_until", "委託期間の終わり", "", "date"),
];

#[derive(Debug, Clone)]
pub struct FormField {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "account_new.html")]
pub struct NewAccountPage {
    pub title: String,
    pub page: Page,
    pub signed: Signed,
    pub fields: Vec<FormField>,
    pub error: Option<String>,
    /// After 選任: the login and the password, shown this once.
    pub created: Option<(String, String, String)>,
}

/// Which of the 要綱's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Yoshiki {
    /// 様式第1号 生活支援コーディネーター選任届出書.
    Appointment,
    /// 様式第2号 生活支援コーディネーター証.
    Card,
    /// 様式第3号 生活支援コーディネーター解任届出書.
    Dismissal,
}

impl Yoshiki {
    pub fn from_number(n: &str) -> Option<Yoshiki> {
        match n {
            "1" => Some(Yoshiki::Appointment),
            "2" => Some(Yoshiki::Card),
            "3" => Some(Yoshiki::Dismissal),
            _ => None,
        }
    }

    pub fn number(self) -> &'static str {
        match self {
            Yoshiki::Appointment => "様式第1号",
            Yoshiki::Card => "様式第2号",
            Yoshiki::Dismissal => "様式第3号",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Yoshiki::Appointment => "生活支援コーディネーター選任届出書",
            Yoshiki::Card => "生活支援コーディネーター証",
            Yoshiki::Dismissal => "生活支援コーディネーター解任届出書",
        }
    }
}

/// A form filled from an account.
#[derive(Template)]
#[template(path = "yoshiki.html")]
pub struct YoshikiPage {
    pub title: String,
    pub page: Page,
    pub form: Yoshiki,
    pub name: String,
    pub title_of_post: String,
    pub organization: String,
    pub centre: String,
    pub appointed_on: String,
    pub appointed_reason: String,
    pub term: String,
    pub ended_on: String,
    pub ended_reason: String,
    pub issued_on: String,
}

impl YoshikiPage {
    pub fn is_card(&self) -> bool {
        self.form == Yoshiki::Card
    }
    pub fn is_appointment(&self) -> bool {
        self.form == Yoshiki::Appointment
    }
}

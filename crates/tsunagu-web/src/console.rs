//! The coordinator's console: login, the consultation screen (match form
//! and its answer), and the handout printed for the senior.
//!
//! The senior's name on a handout is typed by the coordinator, printed,
//! and never kept: it travels in the handout form's POST body only.

use askama::Template;
use tsunagu_engine::MatchAnswer;
use tsunagu_model::{Category, Feature, Kind};

use crate::Page;
use crate::public::percent_path;

/// Who is logged in, as the console's header shows it.
#[derive(Debug, Clone)]
pub struct Signed {
    pub name: String,
    pub role: &'static str,
    pub centre: Option<String>,
    /// The session's CSRF token, put in every form that changes anything.
    pub csrf: String,
    /// May manage accounts (the city's pages).
    pub admin: bool,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub title: String,
    pub page: Page,
    pub login: String,
    pub error: Option<String>,
    pub next: String,
}

/// Weekdays as the form offers them.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "月"),
    ("tue", "火"),
    ("wed", "水"),
    ("thu", "木"),
    ("fri", "金"),
    ("sat", "土"),
    ("sun", "日"),
];

/// Distances the form offers (metres).
pub const DISTANCES: [(u32, &str); 5] = [
    (500, "500m（徒歩約7分）"),
    (1_000, "1km（徒歩約13分）"),
    (2_000, "2km"),
    (3_000, "3km"),
    (5_000, "5km"),
];

/// What the match form holds, as typed.
#[derive(Debug, Clone, Default)]
pub struct MatchForm {
    pub needs: Vec<String>,
    pub needs_text: String,
    pub address: String,
    /// A point chosen on the map, `LAT,LON`; used instead of the address.
    pub point: String,
    pub days: Vec<String>,
    pub from: String,
    pub to: String,
    pub max_fee: String,
    pub features: Vec<String>,
    pub max_distance: String,
    pub kind: String,
}

impl MatchForm {
    /// The chosen point in words for the form (「緯度 35.64712・経度 140.11234」).
    pub fn point_ja(&self) -> Option<String> {
        let (lat, lon) = self.point.split_once(',')?;
        Some(format!("緯度 {}・経度 {}", lat.trim(), lon.trim()))
    }

    pub fn has_need(&self, code: &&str) -> bool {
        self.needs.iter().any(|n| n == code)
    }
    pub fn has_day(&self, code: &&str) -> bool {
        self.days.iter().any(|n| n == code)
    }
    pub fn has_feature(&self, code: &&str) -> bool {
        self.features.iter().any(|n| n == code)
    }
    pub fn distance_is(&self, m: &u32) -> bool {
        let chosen = self.max_distance.parse::<u32>().unwrap_or(1_000);
        chosen == *m
    }
}

/// A check box of the form: code, label.
pub type Choice = (&'static str, &'static str);

fn choices_of_kind(kind: Kind) -> Vec<Choice> {
    Category::ALL
        .iter()
        .filter(|c| c.home_kind() == kind)
        .map(|c| (c.code(), c.label_ja()))
        .collect()
}

/// One resource offered for a need.
#[derive(Debug, Clone)]
pub struct OfferView {
    pub id: String,
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub distance: Option<String>,
    pub reasons: Vec<String>,
    pub unknowns: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NeedView {
    pub label: &'static str,
    pub offers: Vec<OfferView>,
}

#[derive(Template)]
#[template(path = "consult.html")]
pub struct ConsultPage {
    pub title: String,
    pub page: Page,
    pub signed: Signed,
    pub form: MatchForm,
    pub places: Vec<Choice>,
    pub services: Vec<Choice>,
    pub features: Vec<Choice>,
    pub weekdays: Vec<Choice>,
    pub distances: Vec<(u32, &'static str)>,
    pub times: Vec<String>,
    /// Problems with the form: field name → message.
    pub errors: Vec<(String, String)>,
    pub answered: bool,
    pub derived: Vec<(String, String)>,
    pub refused: Vec<(String, String)>,
    pub suggestions: Vec<(String, String)>,
    pub needs: Vec<NeedView>,
    pub unmet: Vec<&'static str>,
    pub located: Option<String>,
}

impl ConsultPage {
    pub fn new(page: Page, signed: Signed, form: MatchForm) -> ConsultPage {
        ConsultPage {
            title: "相談".into(),
            page,
            signed,
            form,
            places: choices_of_kind(Kind::Kayoi),
            services: choices_of_kind(Kind::Service),
            features: Feature::ALL
                .iter()
                .map(|f| (f.code(), f.label_ja()))
                .collect(),
            weekdays: WEEKDAYS.to_vec(),
            distances: DISTANCES.to_vec(),
            times: (6..=21).map(|h| format!("{h:02}:00")).collect(),
            errors: Vec::new(),
            answered: false,
            derived: Vec::new(),
            refused: Vec::new(),
            suggestions: Vec::new(),
            needs: Vec::new(),
            unmet: Vec::new(),
            located: None,
        }
    }

    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn with_answer(mut self, answer: &MatchAnswer) -> ConsultPage {
        self.answered = true;
        self.derived = answer
            .derived_needs
            .iter()
            .map(|d| (d.from.clone(), d.code.label_ja().to_string()))
            .collect();
        self.refused = answer
            .refused_needs
            .iter()
            .map(|d| (d.from.clone(), d.code.label_ja().to_string()))
            .collect();
        self.suggestions = answer
            .suggestions
            .iter()
            .map(|s| (s.from.clone(), s.label.to_string()))
            .collect();
        self.needs = answer
            .needs
            .iter()
            .map(|n| NeedView {
                label: n.label,
                offers: n
                    .matches
                    .iter()
                    .map(|m| OfferView {
                        id: m.id.clone(),
                        href: format!("/console/records/{}", percent_path(&m.id)),
                        name: m.name.clone(),
                        kind: m.kind.label_ja(),
                        distance: m.distance_m.map(tsunagu_engine::distance_ja_of),
                        reasons: m.reasons.clone(),
                        unknowns: m.unknowns.clone(),
                    })
                    .collect(),
            })
            .collect();
        self.unmet = answer.unmet_needs.iter().map(|c| c.label_ja()).collect();
        let mut place = String::new();
        place.push_str(answer.location.ward.as_deref().unwrap_or_default());
        place.push_str(answer.location.town.as_deref().unwrap_or_default());
        self.located = (!place.is_empty()).then_some(place);
        self
    }
}

/// A resource on the handout.
#[derive(Debug, Clone)]
pub struct HandoutItem {
    pub name: String,
    pub what: String,
    pub when: String,
    pub place: String,
    pub fee: String,
    pub contact: String,
    pub walk: Option<String>,
}

#[derive(Template)]
#[template(path = "handout.html")]
pub struct HandoutPage {
    pub title: String,
    pub page: Page,
    /// As typed by the coordinator for this print; never stored.
    pub for_name: String,
    pub items: Vec<HandoutItem>,
    /// Ids left out: not public, or no longer there.
    pub left_out: usize,
    pub from_place: Option<String>,
    pub centre: String,
    pub date: String,
    pub map_points: Option<String>,
}

/// The fields the console's edit form offers, in order: key, label, and
/// whether it is a long text.
pub const EDIT_FIELDS: [(&str, &str, bool); 8] = [
    ("name", "名称", false),
    ("description", "説明", true),
    ("schedule_text", "日時（掲載どおりの文）", false),
    ("fee_text", "費用（掲載どおりの文）", false),
    ("target", "対象", false),
    ("address", "所在地", false),
    ("phone", "電話（問い合わせ先）", false),
    ("notes_internal", "内部メモ（公開されません）", true),
];

/// One field of the edit form.
#[derive(Debug, Clone)]
pub struct EditField {
    pub key: &'static str,
    pub label: &'static str,
    pub long: bool,
    pub value: String,
    pub error: Option<String>,
}

/// A record as the console shows it.
#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordPage {
    pub title: String,
    pub page: Page,
    pub signed: Signed,
    pub id: String,
    pub id_path: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub visibility: &'static str,
    pub facts: Vec<(&'static str, String)>,
    /// Read from the listing's text, each with its phrase and decision.
    pub derived: Vec<DerivedFact>,
    pub can_edit: bool,
    pub seq: u64,
    pub fields: Vec<EditField>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// When, who (login, via), what, fields changed.
    pub history: Vec<(String, String, String, String)>,
    pub public_href: Option<String>,
}

impl RecordPage {
    pub fn field_error(&self) -> bool {
        self.fields.iter().any(|f| f.error.is_some())
    }
}

/// A fact read from the listing's text, as the record page shows it with
/// the buttons that confirm or reject it.
#[derive(Debug, Clone)]
pub struct DerivedFact {
    /// 「駐車場あり」
    pub label: &'static str,
    pub phrase: String,
    /// The record key it is in (`description`) and its label (説明).
    pub field: String,
    pub field_label: String,
    /// The fact's key (`feature:parking`), sent back by the buttons.
    pub key: String,
    /// `confirmed`, `rejected`, or empty when undecided.
    pub verdict: &'static str,
    /// 「確認済み（2026-11-30）」「誤りとして除外（…）」「未確認」
    pub state: String,
}

/// A record not confirmed for a long time, as the list shows it.
#[derive(Debug, Clone)]
pub struct StaleRow {
    pub href: String,
    pub name: String,
    pub status: &'static str,
    pub organizer: String,
    pub verified: String,
}

/// Records of an area not confirmed for 12 months or more, and the
/// centre's unmet needs by month.
#[derive(Template)]
#[template(path = "lists.html")]
pub struct ListsPage {
    pub title: String,
    pub page: Page,
    pub signed: Signed,
    pub centre: String,
    pub cutoff: String,
    pub stale: Vec<StaleRow>,
    /// Months (newest first), and per need the counts of those months.
    pub months: Vec<String>,
    pub unmet: Vec<(String, Vec<u64>)>,
}

//! The public lookup: home, search results, a resource's page, errors.
//! Built only from answers the engine projected for the public.

use askama::Template;
use tsunagu_engine::{
    FacetCount, LocatedPlace, SearchResult, SearchResults, ShownRecord, Understanding,
    UnderstoodKind, distance_ja,
};
use tsunagu_model::{Category, Kind, Ward};
use tsunagu_text::Analyzer;

use crate::{Page, escape, query_string};

/// Results per page of the public search.
pub const PAGE_SIZE: usize = 20;

/// Text with ruby when the reader asked for ふりがな (and the analyser can
/// read it); escaped text otherwise.
pub fn text_html(text: &str, ruby: bool, analyzer: Option<&Analyzer>) -> String {
    match analyzer.filter(|_| ruby) {
        Some(a) => match a.tokens(text) {
            Ok(tokens) => crate::ruby::ruby_html(text, &tokens),
            Err(_) => escape(text),
        },
        None => escape(text),
    }
}

/// A category as a link with its icon and, on the home page, its count.
#[derive(Debug, Clone)]
pub struct CategoryTile {
    pub label: &'static str,
    pub icon: &'static str,
    pub href: String,
    pub count: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct WardLink {
    pub name: &'static str,
    pub href: String,
    pub count: Option<u64>,
}

fn count_of(counts: &[FacetCount], value: &str) -> Option<u64> {
    counts.iter().find(|c| c.value == value).map(|c| c.count)
}

fn category_tiles(kind: Kind, counts: &[FacetCount]) -> Vec<CategoryTile> {
    Category::ALL
        .iter()
        .filter(|c| c.home_kind() == kind)
        .map(|c| CategoryTile {
            label: c.label_ja(),
            icon: crate::icons::category_icon(*c),
            href: format!("/search?{}", query_string([("category", c.code())])),
            count: count_of(counts, c.code()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub title: String,
    pub page: Page,
    pub places: Vec<CategoryTile>,
    pub services: Vec<CategoryTile>,
    pub wards: Vec<WardLink>,
    pub total: usize,
}

impl HomePage {
    /// `facets`: the public directory's counts by category and ward.
    pub fn new(page: Page, everything: &SearchResults) -> HomePage {
        HomePage {
            title: "地域の通いの場・生活支援をさがす".into(),
            page,
            places: category_tiles(Kind::Kayoi, &everything.facets.category),
            services: category_tiles(Kind::Service, &everything.facets.category),
            wards: Ward::ALL
                .iter()
                .map(|w| WardLink {
                    name: w.name(),
                    href: format!("/search?{}", query_string([("ward", w.name())])),
                    count: count_of(&everything.facets.ward, w.name()),
                })
                .collect(),
            total: everything.total,
        }
    }
}

/// What the search form holds (as typed, so it can be shown again).
#[derive(Debug, Clone, Default)]
pub struct SearchForm {
    /// Where the form is answered: `/search` (empty) or `/console/search`.
    pub path: &'static str,
    pub q: String,
    pub near: String,
    pub ward: String,
    pub category: String,
    pub page: usize,
}

impl SearchForm {
    /// The query string of this search with some parameters changed
    /// (`None` removes one), without the page unless given.
    pub fn href_with(&self, changes: &[(&str, Option<&str>)]) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("q", self.q.clone()),
            ("near", self.near.clone()),
            ("ward", self.ward.clone()),
            ("category", self.category.clone()),
        ];
        let mut page = None;
        for (key, value) in changes {
            if *key == "page" {
                page = value.map(String::from);
                continue;
            }
            match pairs.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.map(String::from).unwrap_or_default(),
                None => pairs.push((key, value.map(String::from).unwrap_or_default())),
            }
        }
        if let Some(p) = page {
            pairs.push(("page", p));
        }
        let kept: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        format!("{}?{}", self.action(), query_string(kept))
    }

    pub fn action(&self) -> &'static str {
        if self.path.is_empty() {
            "/search"
        } else {
            self.path
        }
    }

    /// Where a result's page is: the public page, or the console's record.
    pub fn detail_prefix(&self) -> &'static str {
        if self.action() == "/search" {
            "/resources/"
        } else {
            "/console/records/"
        }
    }
}

/// One understood part of the query, with the link that searches again
/// without it.
#[derive(Debug, Clone)]
pub struct Chip {
    pub kind: &'static str,
    pub label: String,
    pub remove_href: Option<String>,
}

fn kind_label(kind: UnderstoodKind) -> &'static str {
    match kind {
        UnderstoodKind::Place => "場所",
        UnderstoodKind::Kind => "種類",
        UnderstoodKind::Time => "曜日・時間",
        UnderstoodKind::Cost => "費用",
        UnderstoodKind::Feature => "条件",
        UnderstoodKind::Who => "対象",
        UnderstoodKind::Situation => "困りごと",
    }
}

/// The query without the words one understood part was read from: the
/// engine reports them normalised, so they are taken out of the
/// normalised query. `None` when they do not stand together in it.
pub fn query_without(q: &str, from: &str) -> Option<String> {
    let normalized = tsunagu_text::normalize::normalize(q).text;
    let from = from.trim();
    if from.is_empty() {
        return None;
    }
    let at = normalized.find(from)?;
    let rest = format!("{} {}", &normalized[..at], &normalized[at + from.len()..]);
    Some(rest.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A result as the list shows it.
#[derive(Debug, Clone)]
pub struct ResultItem {
    pub href: String,
    pub name_html: String,
    pub kind: &'static str,
    pub categories: Vec<(&'static str, &'static str)>,
    pub place: String,
    pub walk: Option<String>,
    pub when: String,
    pub fee: String,
    pub snippet_html: String,
}

impl ResultItem {
    pub fn new(
        r: &SearchResult,
        detail_prefix: &str,
        ruby: bool,
        analyzer: Option<&Analyzer>,
    ) -> ResultItem {
        let mut place = place_in_words(&r.record, r.ward.as_deref(), r.in_words.town.as_deref());
        if place.is_empty() && !r.record.service_area.is_empty() {
            place = format!("対象地域: {}", r.record.service_area.join("・"));
        }
        let walk = if r.in_service_area {
            Some("サービスの対象地域です".to_string())
        } else {
            r.distance_m
                .zip(r.walking_min)
                .map(|(d, w)| distance_ja(d, w))
        };
        ResultItem {
            href: format!("{detail_prefix}{}", percent_path(&r.id)),
            name_html: text_html(&r.name, ruby, analyzer),
            kind: r.kind.label_ja(),
            categories: category_tags(&r.categories),
            place,
            walk,
            when: r.in_words.when_ja.clone(),
            fee: r.in_words.fee_ja.clone(),
            // The engine escapes the snippet and adds only <mark>.
            snippet_html: r.snippet.clone(),
        }
    }
}

/// Where a resource is, in words: its published address, else its ward
/// and town (empty when neither is known).
pub fn place_in_words(
    record: &tsunagu_model::Record,
    ward: Option<&str>,
    town: Option<&str>,
) -> String {
    match &record.address {
        Some(a) => a.clone(),
        None => format!("{}{}", ward.unwrap_or_default(), town.unwrap_or_default()),
    }
}

/// Categories as tags: label and icon.
pub fn category_tags(categories: &[Category]) -> Vec<(&'static str, &'static str)> {
    categories
        .iter()
        .map(|c| (c.label_ja(), crate::icons::category_icon(*c)))
        .collect()
}

/// An id as one path segment.
pub fn percent_path(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A search's answer: what was understood, the results, and the place
/// they are near.
#[derive(Debug, Clone)]
pub struct Found {
    pub understanding: Understanding,
    pub results: SearchResults,
    pub located: Option<LocatedPlace>,
}

/// What a search came to.
#[derive(Debug, Clone)]
pub enum SearchOutcome {
    /// Nothing asked yet: the form alone.
    Nothing,
    Found(Box<Found>),
    /// The place could not be found; maybe one of these towns.
    CannotLocate {
        message: String,
        candidates: Vec<String>,
    },
    /// The question cannot be asked (a bad value); said in Japanese.
    Refused {
        message: String,
    },
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub title: String,
    pub page: Page,
    pub form: SearchForm,
    pub ward_options: Vec<(&'static str, bool)>,
    pub category_options: Vec<(&'static str, &'static str, bool)>,
    pub chips: Vec<Chip>,
    pub understood_words: String,
    pub notice: Option<String>,
    pub candidates: Vec<(String, String)>,
    pub searched: bool,
    pub total: usize,
    pub first: usize,
    pub last: usize,
    pub items: Vec<ResultItem>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub located: Option<String>,
    pub relaxed: bool,
    pub qr_svg: Option<String>,
    pub print_url: String,
    pub map_points: Option<String>,
    pub page_size: usize,
    /// In the console: who is logged in (internal records are found too).
    pub console_nav: Option<crate::console::Signed>,
}

impl SearchPage {
    pub fn new(
        page: Page,
        form: SearchForm,
        outcome: SearchOutcome,
        analyzer: Option<&Analyzer>,
        public_base: &str,
    ) -> SearchPage {
        let ward_options = Ward::ALL
            .iter()
            .map(|w| (w.name(), form.ward == w.name()))
            .collect();
        let category_options = Category::ALL
            .iter()
            .map(|c| (c.code(), c.label_ja(), form.category == c.code()))
            .collect();
        let print_url = format!("{public_base}{}", form.href_with(&[]));
        let mut out = SearchPage {
            title: "さがす".into(),
            ward_options,
            category_options,
            chips: Vec::new(),
            understood_words: String::new(),
            notice: None,
            candidates: Vec::new(),
            searched: false,
            total: 0,
            first: 0,
            last: 0,
            items: Vec::new(),
            prev_href: None,
            next_href: None,
            located: None,
            relaxed: false,
            qr_svg: crate::qr::qr_svg(&print_url, "この検索結果のページ（QRコード）"),
            print_url,
            map_points: None,
            page_size: PAGE_SIZE,
            console_nav: None,
            page,
            form,
        };
        match outcome {
            SearchOutcome::Nothing => {}
            SearchOutcome::Refused { message } => out.notice = Some(message),
            SearchOutcome::CannotLocate {
                message,
                candidates,
            } => {
                out.notice = Some(message);
                out.candidates = candidates
                    .into_iter()
                    .take(10)
                    .map(|c| {
                        let href = out.form.href_with(&[("near", Some(c.as_str()))]);
                        (c, href)
                    })
                    .collect();
            }
            SearchOutcome::Found(found) => {
                let Found {
                    understanding,
                    results,
                    located,
                } = *found;
                out.fill(understanding, results, located, analyzer)
            }
        }
        out
    }

    fn fill(
        &mut self,
        understanding: Understanding,
        results: SearchResults,
        located: Option<LocatedPlace>,
        analyzer: Option<&Analyzer>,
    ) {
        self.searched = true;
        let q = self.form.q.clone();
        for u in &understanding.understood {
            let remove_href = query_without(&q, &u.from)
                .map(|rest| self.form.href_with(&[("q", Some(rest.as_str()))]));
            self.chips.push(Chip {
                kind: kind_label(u.kind),
                label: u.label.clone(),
                remove_href,
            });
        }
        if !self.form.ward.is_empty() {
            self.chips.push(Chip {
                kind: "区",
                label: self.form.ward.clone(),
                remove_href: Some(self.form.href_with(&[("ward", None)])),
            });
        }
        if let Some(c) = Category::from_code(&self.form.category) {
            self.chips.push(Chip {
                kind: "分類",
                label: c.label_ja().into(),
                remove_href: Some(self.form.href_with(&[("category", None)])),
            });
        }
        self.understood_words = understanding.text.trim().to_string();
        self.relaxed = results.relaxed;
        self.total = results.total;
        let offset = self.form.page.saturating_sub(1) * PAGE_SIZE;
        if !results.results.is_empty() {
            self.first = offset + 1;
            self.last = offset + results.results.len();
        }
        if offset > 0 {
            let prev = (self.form.page - 1).to_string();
            self.prev_href = Some(self.form.href_with(&[("page", Some(prev.as_str()))]));
        }
        if offset + results.results.len() < results.total {
            let next = (self.form.page.max(1) + 1).to_string();
            self.next_href = Some(self.form.href_with(&[("page", Some(next.as_str()))]));
        }
        self.items = results
            .results
            .iter()
            .map(|r| ResultItem::new(r, self.form.detail_prefix(), self.page.ruby, analyzer))
            .collect();
        if let Some(place) = &located {
            let mut name = String::new();
            name.push_str(place.ward.as_deref().unwrap_or_default());
            name.push_str(place.town.as_deref().unwrap_or_default());
            self.located = Some(if name.is_empty() {
                "指定の場所".into()
            } else {
                name
            });
            let mut points: Vec<MapPoint> = vec![MapPoint {
                lat: place.lat,
                lon: place.lon,
                name: "指定の場所".into(),
                here: true,
            }];
            points.extend(results.results.iter().filter_map(|r| {
                r.point.map(|(lat, lon)| MapPoint {
                    lat,
                    lon,
                    name: r.name.clone(),
                    here: false,
                })
            }));
            self.map_points = Some(map_points_json(&points));
        }
        self.title = if self.form.q.trim().is_empty() {
            "さがした結果".into()
        } else {
            format!("「{}」の結果", self.form.q.trim())
        };
    }

    pub fn understood_sentence(&self) -> String {
        let labels: Vec<&str> = self.chips.iter().map(|c| c.label.as_str()).collect();
        match (labels.is_empty(), self.understood_words.is_empty()) {
            (true, _) => String::new(),
            (false, true) => format!("「{}」として探しました。", labels.join("・")),
            (false, false) => format!(
                "「{}」と、ことば「{}」で探しました。",
                labels.join("・"),
                self.understood_words
            ),
        }
    }
}

/// A point on a page's map.
#[derive(Debug, Clone)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
    pub name: String,
    /// The searched place (drawn apart).
    pub here: bool,
}

/// `[[lat, lon, "name", here], …]` for site.js (the template escapes it as
/// an attribute value).
pub fn map_points_json(points: &[MapPoint]) -> String {
    let items: Vec<String> = points
        .iter()
        .filter(|p| p.lat.is_finite() && p.lon.is_finite())
        .map(|p| {
            format!(
                "[{:.6},{:.6},{},{}]",
                p.lat,
                p.lon,
                json_string(&p.name),
                if p.here { 1 } else { 0 }
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A resource's public page.
#[derive(Template)]
#[template(path = "resource.html")]
pub struct ResourcePage {
    pub title: String,
    pub page: Page,
    pub name_html: String,
    pub kind: &'static str,
    pub categories: Vec<(&'static str, &'static str)>,
    pub description_html: Option<String>,
    pub facts: Vec<(&'static str, String)>,
    pub links: Vec<(&'static str, String, String)>,
    pub map_points: Option<String>,
    pub verified: Option<String>,
    pub qr_svg: Option<String>,
    pub live_url: String,
    pub back_href: Option<String>,
}

impl ResourcePage {
    pub fn new(
        page: Page,
        shown: &ShownRecord,
        analyzer: Option<&Analyzer>,
        live_url: String,
        back_href: Option<String>,
    ) -> ResourcePage {
        let r = &shown.record;
        let ruby = page.ruby;
        let mut facts: Vec<(&'static str, String)> = vec![
            ("いつ", shown.in_words.when_ja.clone()),
            ("費用", shown.in_words.fee_ja.clone()),
        ];
        let place = place_in_words(r, shown.ward.as_deref(), shown.in_words.town.as_deref());
        if !place.is_empty() {
            facts.push(("場所", place));
        }
        if !r.service_area.is_empty() {
            facts.push(("対象地域", r.service_area.join("・")));
        }
        if let Some(t) = &r.target {
            facts.push(("対象", t.clone()));
        }
        if let Some(c) = r.capacity {
            facts.push(("定員", format!("{c}人")));
        }
        if !r.features.is_empty() {
            facts.push((
                "できること",
                r.features
                    .iter()
                    .map(|f| f.label_ja())
                    .collect::<Vec<_>>()
                    .join("・"),
            ));
        }
        if let Some(o) = &r.organizer {
            facts.push(("主催・運営", o.name.clone()));
        }
        let mut links = Vec::new();
        if let Some(c) = &r.contact {
            if let Some(phone) = &c.phone {
                let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
                links.push(("電話", format!("tel:{digits}"), phone.clone()));
            }
            if let Some(email) = &c.email {
                links.push(("メール", format!("mailto:{email}"), email.clone()));
            }
            if let Some(url) = c
                .url
                .as_ref()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            {
                links.push(("ホームページ", url.clone(), url.clone()));
            }
        }
        let map_points = shown.point.map(|(lat, lon)| {
            map_points_json(&[MapPoint {
                lat,
                lon,
                name: r.name.clone(),
                here: false,
            }])
        });
        ResourcePage {
            title: r.name.clone(),
            name_html: text_html(&r.name, ruby, analyzer),
            kind: r.kind.label_ja(),
            categories: category_tags(&r.categories),
            description_html: r
                .description
                .as_deref()
                .map(|d| text_html(d, ruby, analyzer)),
            facts,
            links,
            map_points,
            verified: r
                .verified_on
                .map(|d| d.format("%Y年%-m月%-d日").to_string()),
            qr_svg: crate::qr::qr_svg(&live_url, "この資源のページ（QRコード）"),
            live_url,
            back_href,
            page,
        }
    }
}

/// A page that says something went wrong, and what to do.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub title: String,
    pub page: Page,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_without_a_part() {
        assert_eq!(
            query_without("無料　体操 緑区", "無料").as_deref(),
            Some("体操 緑区")
        );
        assert_eq!(
            query_without("若葉区 車いすで行ける 麻雀", "車いすで行ける").as_deref(),
            Some("若葉区 麻雀")
        );
        assert_eq!(query_without("木曜の午前 サロン", "金曜"), None);
        assert_eq!(query_without("体操", "").as_deref(), None);
    }

    #[test]
    fn hrefs_keep_the_other_parameters() {
        let form = SearchForm {
            q: "体操 無料".into(),
            ward: "緑区".into(),
            page: 3,
            ..SearchForm::default()
        };
        assert_eq!(
            form.href_with(&[]),
            "/search?q=%E4%BD%93%E6%93%8D+%E7%84%A1%E6%96%99&ward=%E7%B7%91%E5%8C%BA"
        );
        assert_eq!(
            form.href_with(&[("ward", None), ("page", Some("2"))]),
            "/search?q=%E4%BD%93%E6%93%8D+%E7%84%A1%E6%96%99&page=2"
        );
    }

    #[test]
    fn map_points_are_json_with_names_escaped() {
        let json = map_points_json(&[
            MapPoint {
                lat: 35.6,
                lon: 140.1,
                name: "a\"b\\c\n".into(),
                here: true,
            },
            MapPoint {
                lat: f64::NAN,
                lon: 1.0,
                name: "x".into(),
                here: false,
            },
        ]);
        assert_eq!(json, "[[35.600000,140.100000,\"a\\\"b\\\\c\\u000a\",1]]");
    }
}

//! The population table reports are read against: residents (all ages,
//! 65+ and 75+) per 町丁目, from the city's 町丁別年齢別人口 CSV as
//! published — UTF-8 (with or without BOM) or CP932, title lines above the
//! header, one column per age (「65歳」), per age band (「65～69歳」
//! 「100歳以上」) or already summed (「65歳以上」), by sex or in total, or
//! one line per town and age band (a 年齢 column with 男・女・計).
//!
//! Nothing is estimated: an age band that straddles 65 (「60～69歳」) makes
//! the 65+ count unknown rather than split, and a cell marked as withheld
//! (「X」「*」「秘匿」) makes its town's count unknown. Which 町丁目 of the
//! gazetteer a line is about is decided by the caller (the engine resolves
//! the names with the gazetteer); this module only reads.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use thiserror::Error;
use tsunagu_model::Ward;
use unicode_normalization::UnicodeNormalization;

/// Residents of a 町丁目 or area; `None` where the table does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Population {
    pub total: Option<u64>,
    pub aged_65: Option<u64>,
    pub aged_75: Option<u64>,
}

impl Default for Population {
    /// Zero people: what a sum starts from.
    fn default() -> Self {
        Population {
            total: Some(0),
            aged_65: Some(0),
            aged_75: Some(0),
        }
    }
}

impl Population {
    /// Adds another's counts; a count unknown in either stays unknown.
    pub fn add(&mut self, other: &Population) {
        let sum = |a: Option<u64>, b: Option<u64>| a.zip(b).map(|(a, b)| a + b);
        self.total = sum(self.total, other.total);
        self.aged_65 = sum(self.aged_65, other.aged_65);
        self.aged_75 = sum(self.aged_75, other.aged_75);
    }
}

/// Residents by 町丁目 (the gazetteer's names), with where they came from.
#[derive(Debug, Clone, Default)]
pub struct PopulationTable {
    pub as_of: Option<String>,
    pub source: String,
    by_town: HashMap<(Ward, String), Population>,
}

impl PopulationTable {
    pub fn new(as_of: Option<String>, source: String) -> PopulationTable {
        PopulationTable {
            as_of,
            source,
            by_town: HashMap::new(),
        }
    }

    /// Adds a town's counts (a town listed twice is summed: some tables
    /// list a 町丁目 once per part).
    pub fn add(&mut self, ward: Ward, town: &str, population: Population) {
        self.by_town
            .entry((ward, town.to_string()))
            .and_modify(|p| p.add(&population))
            .or_insert(population);
    }

    pub fn get(&self, ward: Ward, town: &str) -> Option<&Population> {
        self.by_town.get(&(ward, town.to_string()))
    }

    pub fn len(&self) -> usize {
        self.by_town.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_town.is_empty()
    }

    /// Every town with its counts, in ward and name order.
    pub fn rows(&self) -> Vec<(Ward, &str, Population)> {
        let mut rows: Vec<(Ward, &str, Population)> = self
            .by_town
            .iter()
            .map(|((w, t), p)| (*w, t.as_str(), *p))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
        rows
    }
}

/// One line of a population file: the place as written and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationLine {
    /// 1-based line of the file (the first line the town appears on).
    pub line: usize,
    /// The ward column, when the file has one.
    pub ward: Option<String>,
    pub town: String,
    pub population: Population,
}

/// What reading a file found.
#[derive(Debug, Clone)]
pub struct ParsedPopulation {
    pub lines: Vec<PopulationLine>,
    /// `utf-8` or `cp932`.
    pub encoding: &'static str,
    /// Things a reader should know (an age band that straddles 75…).
    pub notes: Vec<String>,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PopulationError {
    #[error("the file is neither UTF-8 nor CP932 (Shift_JIS) text")]
    Encoding,
    #[error("line {line}: {message}")]
    Csv { line: usize, message: String },
    #[error(
        "no header line naming the town column (町丁名, 町丁目, 町名, 地区名…) in the first {0} lines"
    )]
    NoHeader(usize),
    #[error("no age columns (65歳, 65～69歳, 65歳以上…) or 年齢 column next to the town column")]
    NoAges,
    #[error("the age bands cannot give residents aged 65 and over: band {0} straddles 65")]
    Straddles65(String),
    #[error("line {line}, column {column}: {value:?} is not a count of people")]
    NotANumber {
        line: usize,
        column: String,
        value: String,
    },
    #[error("no town lines")]
    Empty,
}

impl PopulationError {
    pub fn message_ja(&self) -> String {
        match self {
            PopulationError::Encoding => {
                "文字コードが UTF-8 でも CP932（Shift_JIS）でもありません".into()
            }
            PopulationError::Csv { line, message } => {
                format!("{line}行目: CSV として読めません（{message}）")
            }
            PopulationError::NoHeader(n) => format!(
                "最初の{n}行に町丁名の列（町丁名・町丁目・町名・地区名など）の見出しがありません"
            ),
            PopulationError::NoAges => {
                "年齢の列（65歳・65～69歳・65歳以上など）か「年齢」の列がありません".into()
            }
            PopulationError::Straddles65(band) => format!(
                "年齢区分「{band}」が65歳をまたぐため、65歳以上の人数を出せません（分けずに推計はしません）"
            ),
            PopulationError::NotANumber {
                line,
                column,
                value,
            } => format!("{line}行目「{column}」列: 「{value}」は人数ではありません"),
            PopulationError::Empty => "町丁の行がありません".into(),
        }
    }
}

/// An age band of a column or a 年齢 cell: `lo..=hi` (`hi` `None`: and over).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeBand {
    pub lo: u32,
    pub hi: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sex {
    Total,
    Male,
    Female,
}

/// NFKC, no spaces, wave dashes and hyphens as one.
fn norm(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '〜' | '~' | '－' | '-' | '―' | 'ー' | '‐' => '～',
            c => c,
        })
        .collect()
}

/// 「65歳」「65～69歳」「65歳～69歳」「100歳以上」「65以上」「65+」「90～」.
pub fn parse_age_band(text: &str) -> Option<AgeBand> {
    let t = norm(text);
    let t = t
        .trim_start_matches(['男', '女', '計'])
        .trim_start_matches("総数")
        .trim_start_matches("合計")
        .trim_start_matches(['(', '（'])
        .trim_end_matches([')', '）']);
    let number = |s: &str| -> Option<u32> {
        let s = s.trim_end_matches('歳').trim_end_matches("才");
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    for over in ["歳以上", "以上", "歳～", "～", "+"] {
        if let Some(head) = t.strip_suffix(over)
            && let Some(lo) = number(head)
        {
            return Some(AgeBand { lo, hi: None });
        }
    }
    if let Some((a, b)) = t.split_once('～') {
        let (lo, hi) = (number(a)?, number(b)?);
        return (lo <= hi).then_some(AgeBand { lo, hi: Some(hi) });
    }
    let single = t.trim_end_matches('歳').trim_end_matches("才");
    if t.ends_with('歳') || t.ends_with('才') {
        let n = number(single)?;
        return Some(AgeBand { lo: n, hi: Some(n) });
    }
    None
}

fn sex_of(header: &str) -> Sex {
    let t = norm(header);
    if t.contains('男') {
        Sex::Male
    } else if t.contains('女') {
        Sex::Female
    } else {
        Sex::Total
    }
}

const TOWN_HEADERS: &[&str] = &[
    "町丁名",
    "町丁目",
    "町丁目名",
    "町名",
    "町丁",
    "町丁字名",
    "町字名",
    "町丁・字",
    "町丁字",
    "地区名",
    "地区",
    "地域名",
    "字名",
];
const WARD_HEADERS: &[&str] = &["区", "区名", "行政区", "区域"];
const AGE_HEADERS: &[&str] = &[
    "年齢",
    "年齢区分",
    "年齢階級",
    "年齢(5歳階級)",
    "年齢(各歳)",
];
const TOTAL_HEADERS: &[&str] = &["総数", "合計", "計", "人口", "総人口", "人口総数", "男女計"];
/// Header lines are looked for in the first lines only.
const HEADER_SEARCH_LINES: usize = 30;

fn decode(bytes: &[u8]) -> Result<(String, &'static str), PopulationError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "utf-8"));
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(PopulationError::Encoding);
    }
    Ok((text.into_owned(), "cp932"))
}

/// A cell's count: 「1,234」「１２３」; 「-」「－」 and empty are 0 (the
/// statistics' own zero); 「X」「*」「秘匿」「…」 are withheld (unknown).
fn count(cell: &str) -> Result<Option<u64>, ()> {
    let t = norm(cell).replace(',', "");
    if t.is_empty() || t == "～" || t == "0" {
        return Ok(Some(0));
    }
    if matches!(t.as_str(), "X" | "x" | "*" | "秘匿" | "…" | "...") {
        return Ok(None);
    }
    t.parse::<u64>().map(Some).map_err(|_| ())
}

fn is_total_row(town: &str) -> bool {
    let t = norm(town);
    t.is_empty()
        || matches!(
            t.as_str(),
            "合計" | "計" | "総数" | "総計" | "市計" | "全市" | "千葉市"
        )
        || (t.ends_with("区計") || t.ends_with("区合計") || t.ends_with("区総数"))
        || t.ends_with("区")
}

/// Reads a population file.
pub fn parse_population(bytes: &[u8]) -> Result<ParsedPopulation, PopulationError> {
    let (text, encoding) = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| PopulationError::Csv {
            line: e.position().map_or(i + 1, |p| p.line() as usize),
            message: e.to_string(),
        })?;
        let line = row.position().map_or(i + 1, |p| p.line() as usize);
        rows.push((line, row.iter().map(str::to_string).collect()));
    }
    let header_at = rows
        .iter()
        .take(HEADER_SEARCH_LINES)
        .position(|(_, cells)| {
            cells
                .iter()
                .any(|c| TOWN_HEADERS.contains(&norm(c).as_str()))
        })
        .ok_or(PopulationError::NoHeader(HEADER_SEARCH_LINES))?;
    let header: Vec<String> = rows[header_at].1.iter().map(|c| norm(c)).collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let town_col = find(TOWN_HEADERS).ok_or(PopulationError::NoHeader(HEADER_SEARCH_LINES))?;
    let ward_col = find(WARD_HEADERS);
    let age_col = find(AGE_HEADERS);
    // Sex may be said on the line above the header (a merged 「男」 cell over
    // its age columns): carry the last sex named across.
    let above: Vec<Sex> = if header_at > 0 {
        let mut last = Sex::Total;
        rows[header_at - 1]
            .1
            .iter()
            .map(|c| {
                let t = norm(c);
                if t.contains('男') && !t.contains('女') {
                    last = Sex::Male;
                } else if t.contains('女') && !t.contains('男') {
                    last = Sex::Female;
                } else if !t.is_empty() {
                    last = Sex::Total;
                }
                last
            })
            .collect()
    } else {
        Vec::new()
    };
    let sex_at = |i: usize, h: &str| match sex_of(h) {
        Sex::Total => above.get(i).copied().unwrap_or(Sex::Total),
        s => s,
    };
    let body = &rows[header_at + 1..];
    let mut notes = Vec::new();
    let lines = match age_col {
        None => {
            // Wide: one column per age or band.
            let bands: Vec<(usize, AgeBand, Sex)> = header
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != ward_col && *i != town_col)
                .filter_map(|(i, h)| parse_age_band(h).map(|b| (i, b, sex_at(i, h))))
                .collect();
            let totals: Vec<(usize, Sex)> = header
                .iter()
                .enumerate()
                .filter(|(_, h)| {
                    let t = h.trim_start_matches(['男', '女']);
                    TOTAL_HEADERS.contains(&t) || TOTAL_HEADERS.contains(&h.as_str())
                })
                .map(|(i, h)| (i, sex_at(i, h)))
                .collect();
            if bands.is_empty() {
                return Err(PopulationError::NoAges);
            }
            wide(
                body, &header, town_col, ward_col, &bands, &totals, &mut notes,
            )?
        }
        Some(age_col) => long(body, &header, town_col, ward_col, age_col, &mut notes)?,
    };
    if lines.is_empty() {
        return Err(PopulationError::Empty);
    }
    Ok(ParsedPopulation {
        lines,
        encoding,
        notes,
    })
}

/// The columns of one sex to use: the totals when the file has them, else
/// men and women added.
fn pick_sexes<T: Copy>(items: &[(T, Sex)]) -> Vec<T> {
    let total: Vec<T> = items
        .iter()
        .filter(|(_, s)| *s == Sex::Total)
        .map(|(x, _)| *x)
        .collect();
    if !total.is_empty() {
        return total;
    }
    items.iter().map(|(x, _)| *x).collect()
}

/// Residents at or over `age`: the bands summed that start there (「65歳以上」
/// alone when the table has it, else 「65～69歳」「70～74歳」…), never one
/// counted twice. `Err` names a band that straddles `age` when nothing
/// else gives the count.
fn at_or_over(age: u32, bands: &[(AgeBand, Option<u64>)]) -> Result<Option<u64>, AgeBand> {
    let exact: Vec<&(AgeBand, Option<u64>)> = bands
        .iter()
        .filter(|(b, _)| b.lo == age && b.hi.is_none())
        .collect();
    fn sum(items: impl Iterator<Item = Option<u64>>) -> Option<u64> {
        let mut total = 0u64;
        for n in items {
            total += n?;
        }
        Some(total)
    }
    if !exact.is_empty() {
        return Ok(sum(exact.iter().map(|(_, n)| *n)));
    }
    if let Some((band, _)) = bands
        .iter()
        .find(|(b, _)| b.lo < age && b.hi.is_none_or(|h| h >= age))
    {
        return Err(*band);
    }
    let over: Vec<(usize, AgeBand)> = bands
        .iter()
        .enumerate()
        .filter(|(_, (b, _))| b.lo >= age)
        .map(|(i, (b, _))| (i, *b))
        .collect();
    Ok(sum(without_overlaps(over)
        .into_iter()
        .map(|(i, _)| bands[i].1)))
}

/// 65+ and 75+: a band straddling 65 is an error, one straddling 75
/// leaves 75+ unknown (said in a note).
fn aged(
    bands: &[(AgeBand, Option<u64>)],
    notes: &mut Vec<String>,
) -> Result<(Option<u64>, Option<u64>), PopulationError> {
    let a65 =
        at_or_over(65, bands).map_err(|band| PopulationError::Straddles65(band_text(&band)))?;
    let a75 = match at_or_over(75, bands) {
        Ok(n) => n,
        Err(band) => {
            let note = format!(
                "年齢区分「{}」が75歳をまたぐため、75歳以上の人数は出しません",
                band_text(&band)
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
            None
        }
    };
    Ok((a65, a75))
}

fn band_text(band: &AgeBand) -> String {
    match band.hi {
        Some(h) if h == band.lo => format!("{}歳", band.lo),
        Some(h) => format!("{}～{}歳", band.lo, h),
        None => format!("{}歳以上", band.lo),
    }
}

fn cell_count(
    cells: &[String],
    i: usize,
    line: usize,
    header: &[String],
) -> Result<Option<u64>, PopulationError> {
    let cell = cells.get(i).map(String::as_str).unwrap_or("");
    count(cell).map_err(|()| PopulationError::NotANumber {
        line,
        column: header.get(i).cloned().unwrap_or_default(),
        value: cell.chars().take(40).collect(),
    })
}

#[allow(clippy::too_many_arguments)]
fn wide(
    body: &[(usize, Vec<String>)],
    header: &[String],
    town_col: usize,
    ward_col: Option<usize>,
    bands: &[(usize, AgeBand, Sex)],
    totals: &[(usize, Sex)],
    notes: &mut Vec<String>,
) -> Result<Vec<PopulationLine>, PopulationError> {
    let band_cols = pick_sexes(
        &bands
            .iter()
            .map(|(i, b, s)| ((*i, *b), *s))
            .collect::<Vec<_>>(),
    );
    let total_cols = pick_sexes(totals);
    // Without a total column, everyone is the sum of bands from 0 that do
    // not overlap (「65歳以上」 beside 「65～69歳」 would count twice).
    let disjoint = without_overlaps(band_cols.clone());
    let mut out = Vec::new();
    let mut ward_carry: Option<String> = None;
    for (line, cells) in body {
        let town = cells.get(town_col).map(|t| t.trim()).unwrap_or("");
        let ward = ward_col
            .and_then(|i| cells.get(i))
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty());
        if ward.is_some() {
            ward_carry = ward;
        }
        if is_total_row(town) {
            continue;
        }
        let mut counted = Vec::with_capacity(band_cols.len());
        for (i, band) in &band_cols {
            counted.push((*band, cell_count(cells, *i, *line, header)?));
        }
        let (aged_65, aged_75) = aged(&counted, notes)?;
        let total = if total_cols.is_empty() {
            // Every age listed from 0: their sum is everyone.
            let from_zero = disjoint.iter().any(|(_, b)| b.lo == 0)
                && disjoint.iter().any(|(_, b)| b.hi.is_none());
            if from_zero {
                let mut sum = Some(0u64);
                for (i, _) in &disjoint {
                    sum = sum
                        .zip(cell_count(cells, *i, *line, header)?)
                        .map(|(a, b)| a + b);
                }
                sum
            } else {
                None
            }
        } else {
            let mut sum = Some(0u64);
            for i in &total_cols {
                sum = sum
                    .zip(cell_count(cells, *i, *line, header)?)
                    .map(|(a, b)| a + b);
            }
            sum
        };
        out.push(PopulationLine {
            line: *line,
            ward: ward_carry.clone(),
            town: town.to_string(),
            population: Population {
                total,
                aged_65,
                aged_75,
            },
        });
    }
    Ok(out)
}

/// Drops a band that contains another band of the list (a summed 「65歳以上」
/// beside the bands it sums), so nobody is counted twice.
fn without_overlaps(cols: Vec<(usize, AgeBand)>) -> Vec<(usize, AgeBand)> {
    let contains = |outer: &AgeBand, inner: &AgeBand| {
        outer != inner
            && outer.lo <= inner.lo
            && match (outer.hi, inner.hi) {
                (None, _) => true,
                (Some(o), Some(i)) => o >= i,
                (Some(_), None) => false,
            }
    };
    cols.iter()
        .filter(|(_, b)| !cols.iter().any(|(_, other)| contains(b, other)))
        .copied()
        .collect()
}

fn long(
    body: &[(usize, Vec<String>)],
    header: &[String],
    town_col: usize,
    ward_col: Option<usize>,
    age_col: usize,
    notes: &mut Vec<String>,
) -> Result<Vec<PopulationLine>, PopulationError> {
    let counts: Vec<(usize, Sex)> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != town_col && *i != age_col && Some(*i) != ward_col)
        .filter(|(_, h)| {
            let t = h.trim_start_matches(['男', '女']);
            TOTAL_HEADERS.contains(&h.as_str())
                || TOTAL_HEADERS.contains(&t)
                || matches!(h.as_str(), "男" | "女" | "男性" | "女性")
        })
        .map(|(i, h)| (i, sex_of(h)))
        .collect();
    let cols = pick_sexes(&counts);
    if cols.is_empty() {
        return Err(PopulationError::NoAges);
    }
    // (ward, town) → first line, bands, total line
    type Acc = (usize, Vec<(AgeBand, Option<u64>)>, Option<Option<u64>>);
    let mut towns: BTreeMap<(Option<String>, String), Acc> = BTreeMap::new();
    let mut order: Vec<(Option<String>, String)> = Vec::new();
    let mut ward_carry: Option<String> = None;
    let mut town_carry: Option<String> = None;
    for (line, cells) in body {
        let ward = ward_col
            .and_then(|i| cells.get(i))
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty());
        if ward.is_some() {
            ward_carry = ward;
        }
        let town_cell = cells.get(town_col).map(|t| t.trim()).unwrap_or("");
        if !town_cell.is_empty() {
            town_carry = Some(town_cell.to_string());
        }
        let Some(town) = town_carry.clone() else {
            continue;
        };
        if is_total_row(&town) {
            continue;
        }
        let age = cells.get(age_col).map(|a| norm(a)).unwrap_or_default();
        let mut n = Some(0u64);
        for i in &cols {
            n = n
                .zip(cell_count(cells, *i, *line, header)?)
                .map(|(a, b)| a + b);
        }
        let key = (ward_carry.clone(), town);
        let entry = towns.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            (*line, Vec::new(), None)
        });
        if TOTAL_HEADERS.contains(&age.as_str()) {
            entry.2 = Some(n);
        } else if let Some(band) = parse_age_band(&age) {
            entry.1.push((band, n));
        }
    }
    let mut out = Vec::new();
    for key in order {
        let Some((line, bands, total)) = towns.remove(&key) else {
            continue;
        };
        let (aged_65, aged_75) = aged(&bands, notes)?;
        out.push(PopulationLine {
            line,
            ward: key.0,
            town: key.1,
            population: Population {
                total: total.flatten(),
                aged_65,
                aged_75,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_as_tables_write_them() {
        type Band = Option<(u32, Option<u32>)>;
        let cases: &[(&str, Band)] = &[
            ("65歳", Some((65, Some(65)))),
            ("６５歳", Some((65, Some(65)))),
            ("65～69歳", Some((65, Some(69)))),
            ("65歳～69歳", Some((65, Some(69)))),
            ("65-69", Some((65, Some(69)))),
            ("100歳以上", Some((100, None))),
            ("65以上", Some((65, None))),
            ("90～", Some((90, None))),
            ("男65歳", Some((65, Some(65)))),
            ("総数", None),
            ("町丁名", None),
            ("69～65歳", None),
        ];
        for (text, want) in cases {
            let got = parse_age_band(text).map(|b| (b.lo, b.hi));
            assert_eq!(got, *want, "{text}");
        }
    }

    #[test]
    fn a_wide_table_with_title_lines_and_bands() {
        let csv = "千葉市 町丁別年齢別人口,,,,,\n令和8年3月末日現在,,,,,\n区名,町丁名,総数,0～64歳,65～74歳,75歳以上\n稲毛区,小仲台二丁目,\"1,200\",900,180,120\n,小仲台三丁目,800,600,-,200\n稲毛区計,,2000,1500,180,320\n";
        let parsed = parse_population(csv.as_bytes()).unwrap();
        assert_eq!(parsed.lines.len(), 2);
        let a = &parsed.lines[0];
        assert_eq!(
            (a.ward.as_deref(), a.town.as_str()),
            (Some("稲毛区"), "小仲台二丁目")
        );
        assert_eq!(
            a.population,
            Population {
                total: Some(1200),
                aged_65: Some(300),
                aged_75: Some(120)
            }
        );
        let b = &parsed.lines[1];
        assert_eq!(b.ward.as_deref(), Some("稲毛区"), "the ward carries down");
        assert_eq!(b.population.aged_65, Some(200), "「-」 is zero");
    }

    #[test]
    fn men_and_women_are_added_when_there_is_no_total() {
        let csv = "町丁名,男65歳以上,女65歳以上,男75歳以上,女75歳以上\n小仲台二丁目,10,20,4,6\n";
        let parsed = parse_population(csv.as_bytes()).unwrap();
        let p = parsed.lines[0].population;
        // 75歳以上 lies inside 65歳以上: each count from its own columns.
        assert_eq!(p.aged_65, Some(30));
        assert_eq!(p.aged_75, Some(10));
        assert_eq!(p.total, None, "no total column and no ages from 0");
    }

    #[test]
    fn a_band_straddling_65_is_refused_not_split() {
        let csv = "町丁名,60～69歳,70歳以上\n小仲台二丁目,10,20\n";
        let e = parse_population(csv.as_bytes()).unwrap_err();
        assert_eq!(e, PopulationError::Straddles65("60～69歳".into()));
        assert!(e.message_ja().contains("推計はしません"));
    }

    #[test]
    fn withheld_cells_make_the_count_unknown_and_text_is_refused() {
        let csv = "町丁名,65～74歳,75歳以上\n小仲台二丁目,X,20\n";
        let parsed = parse_population(csv.as_bytes()).unwrap();
        assert_eq!(parsed.lines[0].population.aged_65, None);
        assert_eq!(parsed.lines[0].population.aged_75, Some(20));
        let bad = "町丁名,65～74歳,75歳以上\n小仲台二丁目,たくさん,20\n";
        let e = parse_population(bad.as_bytes()).unwrap_err();
        assert!(
            matches!(e, PopulationError::NotANumber { line: 2, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn a_long_table_one_line_per_band_in_cp932() {
        let text = "区,町丁目,年齢,男,女,計\n中央区,千葉港,総数,50,60,110\n,,0～64歳,40,40,80\n,,65～74歳,5,10,15\n,,75歳以上,5,10,15\n";
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let parsed = parse_population(&bytes).unwrap();
        assert_eq!(parsed.encoding, "cp932");
        assert_eq!(parsed.lines.len(), 1);
        assert_eq!(
            parsed.lines[0].population,
            Population {
                total: Some(110),
                aged_65: Some(30),
                aged_75: Some(15)
            }
        );
    }

    #[test]
    fn files_without_a_town_column_or_ages_say_so() {
        assert_eq!(
            parse_population("a,b\n1,2\n".as_bytes()).unwrap_err(),
            PopulationError::NoHeader(HEADER_SEARCH_LINES)
        );
        assert_eq!(
            parse_population("町丁名,世帯数\n小仲台,3\n".as_bytes()).unwrap_err(),
            PopulationError::NoAges
        );
        assert_eq!(
            parse_population(b"\x82\x0a\x82").unwrap_err(),
            PopulationError::Encoding
        );
    }
}

//! Query understanding: what a coordinator's query says besides its words.
//!
//! 「若葉区 車いすで行ける 麻雀」 is a place, a feature and a word;
//! 「木曜の午前 サロン」 a day, a time and a word; 「200円まで 体操 緑区」 a
//! cost, a word and a place. The [`Understander`] takes those out of the text
//! (the vocabulary is `dictionaries/query.tsv`, the places are the
//! gazetteer's), and says what it took and from which words, so the answer
//! can show 「緑区・200円まで として探しました」.
//!
//! Words that only look like constraints stay text: the gazetteer's places
//! are tried before the vocabulary (月見台 and 金親町 are places, not days),
//! a constraint glued to a following word that is not itself understood
//! stays text (無料塾, 夜間見守り), and `stop` rows of the vocabulary keep
//! whole phrases as text.

use std::collections::HashMap;

use serde::Serialize;
use tsunagu_geo::Gazetteer;
use tsunagu_index::{PlaceWanted, WhenWanted};
use tsunagu_model::{Category, Feature, Kind, Ward, Weekday, Who};
use tsunagu_text::normalize::normalize_str;

/// What kind of thing was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnderstoodKind {
    Place,
    Kind,
    Time,
    Cost,
    Feature,
    Who,
    Situation,
}

impl UnderstoodKind {
    pub fn code(self) -> &'static str {
        match self {
            UnderstoodKind::Place => "place",
            UnderstoodKind::Kind => "kind",
            UnderstoodKind::Time => "time",
            UnderstoodKind::Cost => "cost",
            UnderstoodKind::Feature => "feature",
            UnderstoodKind::Who => "who",
            UnderstoodKind::Situation => "situation",
        }
    }
}

/// One thing understood: what it means and the words it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Understood {
    pub kind: UnderstoodKind,
    /// A code: a ward or town name, `thu`, `10:00-12:00`, a yen amount,
    /// a feature, who-fact or category code.
    pub value: String,
    /// How it reads in Japanese (「木曜日」「無料」「車いす」).
    pub label: String,
    /// The words of the query it was read from (normalised).
    pub from: String,
}

/// The query split into what it asks for and the words left to search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Understanding {
    pub understood: Vec<Understood>,
    /// The words that remain the text query.
    pub text: String,
    /// Words that add to the score without being required: what the
    /// constraints and situations were read from.
    #[serde(skip)]
    pub optional_text: String,
    #[serde(skip)]
    pub wards: Vec<Ward>,
    #[serde(skip)]
    pub place: Option<PlaceWanted>,
    #[serde(skip)]
    pub when: Option<WhenWanted>,
    #[serde(skip)]
    pub max_fee_yen: Option<u64>,
    #[serde(skip)]
    pub features: Vec<Feature>,
    #[serde(skip)]
    pub who: Vec<Who>,
    #[serde(skip)]
    pub situations: Vec<Category>,
    #[serde(skip)]
    pub kinds: Vec<Kind>,
}

impl Understanding {
    /// 「稲毛区・土曜日・無料」: the labels in the order they were written.
    pub fn summary_ja(&self) -> String {
        let mut labels: Vec<&str> = Vec::new();
        for u in &self.understood {
            if !labels.contains(&u.label.as_str()) {
                labels.push(&u.label);
            }
        }
        labels.join("・")
    }
}

/// What a vocabulary phrase or a place name means.
#[derive(Debug, Clone, PartialEq)]
enum Meaning {
    /// A place of the gazetteer (index into `places`).
    Place(usize),
    Ward(Ward),
    /// 千葉市: inside the city, no narrower.
    City,
    /// Days as a bit set (bit 0 = Monday); `label` is the line's first phrase.
    Days(u8),
    Weekly,
    /// Minutes from, to.
    Time(u32, u32),
    Cost(u64),
    Feature(Feature),
    Who(Who),
    /// 集まり, 通いの場: a place to go; サービス: help brought home.
    Kind(Kind),
    Stop,
}

#[derive(Debug, Clone)]
struct Entry {
    meaning: Meaning,
    label: String,
}

/// A place name of the gazetteer with the 町丁目 it covers.
#[derive(Debug, Clone)]
struct PlaceName {
    name: String,
    /// Hiragana reading, also recognised (おゆみの = おゆみ野).
    reading: Option<String>,
    ward: Ward,
    towns: Vec<String>,
    point: Option<(f64, f64)>,
}

/// A line of query.tsv that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyError {
    pub line: usize,
    pub message: String,
}

/// The compiled `query.tsv` (places are added from the gazetteer).
#[derive(Debug, Clone, Default)]
pub struct QueryVocabulary {
    phrases: HashMap<String, Entry>,
}

fn minutes_of(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

impl QueryVocabulary {
    /// Parses query.tsv (`kind<TAB>value<TAB>phrases<TAB>note`).
    pub fn parse(text: &str) -> Result<QueryVocabulary, Vec<VocabularyError>> {
        let mut phrases: HashMap<String, Entry> = HashMap::new();
        let mut errors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let mut err = |message: String| {
                errors.push(VocabularyError {
                    line: line_no,
                    message,
                })
            };
            let [kind, value, words, ..] = cols[..] else {
                err("expected kind<TAB>value<TAB>phrases".into());
                continue;
            };
            let meaning = match kind.trim() {
                "weekday" => match Weekday::from_code(value.trim()) {
                    Some(w) => Meaning::Days(1 << weekday_index(w)),
                    None => {
                        err(format!("unknown weekday {value:?} (mon…sun)"));
                        continue;
                    }
                },
                "days" => match value.trim() {
                    "weekdays" => Meaning::Days(0b0011111),
                    "weekend" => Meaning::Days(0b1100000),
                    "everyday" => Meaning::Days(0b1111111),
                    other => {
                        err(format!(
                            "unknown days value {other:?} (weekdays, weekend, everyday)"
                        ));
                        continue;
                    }
                },
                "weekly" => Meaning::Weekly,
                "time" => {
                    let range = value
                        .trim()
                        .split_once('-')
                        .and_then(|(a, b)| Some((minutes_of(a)?, minutes_of(b)?)));
                    match range {
                        Some((a, b)) if a < b => Meaning::Time(a, b),
                        _ => {
                            err(format!(
                                "time value {value:?} must be HH:MM-HH:MM, start before end"
                            ));
                            continue;
                        }
                    }
                }
                "cost" => match value.trim().parse::<u64>() {
                    Ok(yen) if yen <= tsunagu_text::fee::MAX_FEE_YEN => Meaning::Cost(yen),
                    _ => {
                        err(format!("cost value {value:?} must be yen (0–1,000,000)"));
                        continue;
                    }
                },
                "feature" => match Feature::from_code(value.trim()) {
                    Some(f) => Meaning::Feature(f),
                    None => {
                        err(format!(
                            "unknown feature {value:?}; expected one of {}",
                            Feature::ALL
                                .iter()
                                .map(|f| f.code())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        continue;
                    }
                },
                "who" => match Who::from_code(value.trim()) {
                    Some(w) => Meaning::Who(w),
                    None => {
                        err(format!(
                            "unknown who value {value:?}; expected one of {}",
                            Who::ALL
                                .iter()
                                .map(|w| w.code())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        continue;
                    }
                },
                "stop" => Meaning::Stop,
                "kind" => match Kind::from_code(value.trim()) {
                    Some(k) => Meaning::Kind(k),
                    None => {
                        err(format!("unknown kind value {value:?} (kayoi, service)"));
                        continue;
                    }
                },
                other => {
                    err(format!(
                        "unknown kind {other:?} (weekday, days, weekly, time, cost, feature, who, kind, stop)"
                    ));
                    continue;
                }
            };
            let list: Vec<String> = words
                .split(',')
                .map(|w| normalize_str(w.trim()))
                .filter(|w| !w.is_empty())
                .collect();
            let Some(first) = list.first() else {
                err("no phrases".into());
                continue;
            };
            let label = match &meaning {
                Meaning::Cost(yen) if *yen > 0 => format!("{yen}円まで"),
                _ => first.clone(),
            };
            for phrase in list {
                if let Some(old) = phrases.get(&phrase)
                    && old.meaning != meaning
                {
                    err(format!("phrase {phrase:?} already means something else"));
                    continue;
                }
                phrases.insert(
                    phrase,
                    Entry {
                        meaning: meaning.clone(),
                        label: label.clone(),
                    },
                );
            }
        }
        if errors.is_empty() {
            Ok(QueryVocabulary { phrases })
        } else {
            Err(errors)
        }
    }

    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }
}

fn weekday_index(w: Weekday) -> usize {
    Weekday::ALL.iter().position(|x| *x == w).unwrap_or(0)
}

const WEEKDAY_CHARS: [char; 7] = ['月', '火', '水', '木', '金', '土', '日'];
/// Ward names also said without 区; 中央 and 緑 are everyday words and
/// need their 区.
const SHORT_WARDS: [(&str, Ward); 4] = [
    ("稲毛", Ward::Inage),
    ("花見川", Ward::Hanamigawa),
    ("若葉", Ward::Wakaba),
    ("美浜", Ward::Mihama),
];
/// Town names that are everyday words first.
const EVERYDAY_NAMES: [&str; 2] = ["中央", "緑"];
/// What may follow a place name directly and still leave it a place.
const PLACE_SUFFIXES: [&str; 12] = [
    "駅",
    "周辺",
    "付近",
    "近辺",
    "近く",
    "地区",
    "地域",
    "方面",
    "エリア",
    "界隈",
    "あたり",
    "辺り",
];
/// Particles a hiragana phrase may be followed by.
const PARTICLES: [&str; 14] = [
    "の", "に", "で", "は", "が", "も", "を", "から", "まで", "だけ", "と", "や", "へ", "な",
];

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '々' | '〆' | 'ヶ')
}
fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー')
}
fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}')
}
/// Characters that continue a word: a constraint glued to them is part of
/// a name, not a constraint.
fn is_word_char(c: char) -> bool {
    is_kanji(c) || is_katakana(c) || c.is_ascii_alphanumeric()
}

/// Reads constraints out of queries.
#[derive(Debug, Clone)]
pub struct Understander {
    vocabulary: QueryVocabulary,
    places: Vec<PlaceName>,
    /// Vocabulary phrases and place names, for longest-match lookups.
    lookup: HashMap<String, Vec<Entry>>,
    longest: usize,
}

/// A span of the query that was understood.
#[derive(Debug, Clone)]
struct Hit {
    start: usize,
    end: usize,
    meanings: Vec<Meaning>,
    label: String,
}

impl Understander {
    pub fn new(vocabulary: QueryVocabulary, gazetteer: &Gazetteer) -> Understander {
        let places = place_names(gazetteer);
        let mut lookup: HashMap<String, Vec<Entry>> = HashMap::new();
        for (phrase, entry) in &vocabulary.phrases {
            lookup
                .entry(phrase.clone())
                .or_default()
                .push(entry.clone());
        }
        for (i, p) in places.iter().enumerate() {
            // A place name shadows vocabulary (月見台 is not Monday).
            for key in std::iter::once(&p.name).chain(p.reading.as_ref()) {
                let entries = lookup.entry(key.clone()).or_default();
                entries.retain(|e| matches!(e.meaning, Meaning::Place(_)));
                entries.push(Entry {
                    meaning: Meaning::Place(i),
                    label: p.name.clone(),
                });
            }
        }
        for w in Ward::ALL {
            let entry = Entry {
                meaning: Meaning::Ward(w),
                label: w.name().to_string(),
            };
            for name in [w.name().to_string(), format!("千葉市{}", w.name())] {
                lookup.insert(name, vec![entry.clone()]);
            }
        }
        for (short, w) in SHORT_WARDS {
            // The ward, not the town of the same name (稲毛 is 稲毛区).
            lookup.insert(
                short.to_string(),
                vec![Entry {
                    meaning: Meaning::Ward(w),
                    label: w.name().to_string(),
                }],
            );
        }
        lookup.insert(
            "千葉市".into(),
            vec![Entry {
                meaning: Meaning::City,
                label: "千葉市".into(),
            }],
        );
        let longest = lookup.keys().map(|k| k.chars().count()).max().unwrap_or(1);
        Understander {
            vocabulary,
            places,
            lookup,
            longest,
        }
    }

    pub fn vocabulary(&self) -> &QueryVocabulary {
        &self.vocabulary
    }

    /// Splits a query into what it asks for and the words left to search.
    pub fn understand(&self, query: &str) -> Understanding {
        let text = normalize_str(query);
        let chars: Vec<char> = text.chars().collect();
        let mut hits: Vec<Hit> = Vec::new();
        let mut rest = String::new();
        let mut i = 0;
        while i < chars.len() {
            let after_hit = hits.last().is_some_and(|h| h.end == i);
            match self.hit_at(&chars, i, after_hit) {
                Some(hit) if matches!(hit.meanings.as_slice(), [Meaning::Stop]) => {
                    rest.extend(&chars[hit.start..hit.end]);
                    i = hit.end;
                }
                Some(hit) => {
                    rest.push(' ');
                    i = hit.end;
                    hits.push(hit);
                }
                None => {
                    rest.push(chars[i]);
                    i += 1;
                }
            }
        }
        self.assemble(&chars, hits, &rest)
    }

    /// The longest understood span starting at `i`, if its edges allow it.
    fn hit_at(&self, chars: &[char], i: usize, after_hit: bool) -> Option<Hit> {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let mut best: Option<Hit> = None;
        let max = self.longest.min(chars.len() - i);
        for len in (1..=max).rev() {
            let s: String = chars[i..i + len].iter().collect();
            if let Some(entries) = self.lookup.get(&s) {
                let hit = Hit {
                    start: i,
                    end: i + len,
                    meanings: entries.iter().map(|e| e.meaning.clone()).collect(),
                    label: entries.first().map(|e| e.label.clone()).unwrap_or_default(),
                };
                let hit = self.reading_then_name(chars, &hit).unwrap_or(hit);
                if self.edges_allow(chars, &hit, prev, after_hit) {
                    best = Some(hit);
                    break;
                }
            }
        }
        for grammar in [
            clock_at(chars, i),
            amount_at(chars, i),
            weekday_chars_at(chars, i),
        ]
        .into_iter()
        .flatten()
        {
            let longer = best.as_ref().is_none_or(|b| grammar.end > b.end);
            if longer && self.edges_allow(chars, &grammar, prev, after_hit) {
                best = Some(grammar);
            }
        }
        best
    }

    /// A town read in kana followed by the rest of a longer town's name
    /// (おゆみの + 中央 = おゆみ野中央): the longer town.
    fn reading_then_name(&self, chars: &[char], hit: &Hit) -> Option<Hit> {
        let written: String = chars[hit.start..hit.end].iter().collect();
        if written == hit.label || !hit.meanings.iter().any(|m| matches!(m, Meaning::Place(_))) {
            return None;
        }
        let rest_max = (chars.len() - hit.end).min(8);
        for extra in (1..=rest_max).rev() {
            let tail: String = chars[hit.end..hit.end + extra].iter().collect();
            let name = format!("{}{tail}", hit.label);
            if let Some(entries) = self.lookup.get(&name)
                && entries
                    .iter()
                    .all(|e| matches!(e.meaning, Meaning::Place(_)))
            {
                return Some(Hit {
                    start: hit.start,
                    end: hit.end + extra,
                    meanings: entries.iter().map(|e| e.meaning.clone()).collect(),
                    label: name,
                });
            }
        }
        None
    }

    fn edges_allow(&self, chars: &[char], hit: &Hit, prev: Option<char>, after_hit: bool) -> bool {
        let first = chars[hit.start];
        let last = chars[hit.end - 1];
        let next = chars.get(hit.end).copied();
        let is_place = hit
            .meanings
            .iter()
            .any(|m| matches!(m, Meaning::Place(_) | Meaning::Ward(_) | Meaning::City));
        // Left edge: not in the middle of a word.
        if !after_hit && let Some(p) = prev {
            // 1時間500円, 1回200円: a number after a kanji starts a new word.
            let glued_left = (is_word_char(p)
                && is_word_char(first)
                && (!first.is_ascii_digit() || p.is_ascii_alphanumeric()))
                || (is_hiragana(p) && is_hiragana(first))
                || (p.is_ascii_alphanumeric() && first.is_ascii_alphanumeric());
            if glued_left && !(is_place && p == '区') {
                return false;
            }
        }
        let Some(n) = next else {
            return true;
        };
        let tail: String = chars[hit.end..].iter().collect();
        if self.starts_understood(chars, hit.end) {
            return true;
        }
        if is_place {
            if is_word_char(n) {
                // 幕張本郷駅 is still 幕張本郷; 中央公民館 is not 中央.
                return PLACE_SUFFIXES.iter().any(|s| tail.starts_with(s))
                    || n.is_ascii_digit()
                    || "一二三四五六七八九十".contains(n);
            }
            return true;
        }
        if is_word_char(n) && is_word_char(last) {
            // 無料塾, 夜間見守り, 男性料理教室: part of a name.
            return false;
        }
        if is_hiragana(last) && is_hiragana(n) {
            // あさがお is not 朝: a particle must follow, and then a new word.
            return PARTICLES.iter().any(|p| {
                tail.starts_with(p) && !tail[p.len()..].starts_with(|c: char| is_hiragana(c))
            });
        }
        true
    }

    /// Whether something understood starts at `i` (木曜 + 午前).
    fn starts_understood(&self, chars: &[char], i: usize) -> bool {
        let max = self.longest.min(chars.len().saturating_sub(i));
        (1..=max).any(|len| {
            let s: String = chars[i..i + len].iter().collect();
            self.lookup
                .get(&s)
                .is_some_and(|e| e.iter().all(|e| e.meaning != Meaning::Stop))
        }) || clock_at(chars, i).is_some()
            || amount_at(chars, i).is_some()
    }

    fn assemble(&self, chars: &[char], hits: Vec<Hit>, rest: &str) -> Understanding {
        let mut u = Understanding::default();
        let mut days: u8 = 0;
        let mut times: Vec<(u32, u32)> = Vec::new();
        let mut weekly = false;
        let mut place_hits: Vec<(usize, String)> = Vec::new();
        let mut optional: Vec<String> = Vec::new();
        // Wards named outright decide between places of the same name.
        let named_wards: Vec<Ward> = hits
            .iter()
            .flat_map(|h| h.meanings.iter())
            .filter_map(|m| match m {
                Meaning::Ward(w) => Some(*w),
                _ => None,
            })
            .collect();
        for hit in &hits {
            let from: String = chars[hit.start..hit.end].iter().collect();
            let mut push = |kind: UnderstoodKind, value: String, label: String| {
                u.understood.push(Understood {
                    kind,
                    value,
                    label,
                    from: from.clone(),
                });
            };
            let Some(meaning) = hit.meanings.first() else {
                continue;
            };
            match meaning {
                Meaning::Place(_) => {
                    let candidates: Vec<usize> = hit
                        .meanings
                        .iter()
                        .filter_map(|m| match m {
                            Meaning::Place(i) => Some(*i),
                            _ => None,
                        })
                        .collect();
                    let in_named: Vec<usize> = candidates
                        .iter()
                        .copied()
                        .filter(|i| named_wards.contains(&self.places[*i].ward))
                        .collect();
                    let chosen = if in_named.is_empty() {
                        candidates
                    } else {
                        in_named
                    };
                    for i in chosen {
                        let p = &self.places[i];
                        if !u.wards.contains(&p.ward) {
                            u.wards.push(p.ward);
                        }
                        place_hits.push((i, from.clone()));
                    }
                    push(UnderstoodKind::Place, hit.label.clone(), hit.label.clone());
                    optional.push(from.clone());
                }
                Meaning::Ward(w) => {
                    if !u.wards.contains(w) {
                        u.wards.push(*w);
                    }
                    push(
                        UnderstoodKind::Place,
                        w.name().to_string(),
                        w.name().to_string(),
                    );
                }
                Meaning::City => {}
                Meaning::Days(mask) => {
                    days |= mask;
                    let value = (0..7)
                        .filter(|d| mask & (1 << d) != 0)
                        .map(|d| Weekday::ALL[d].code())
                        .collect::<Vec<_>>()
                        .join(",");
                    push(UnderstoodKind::Time, value, hit.label.clone());
                }
                Meaning::Weekly => {
                    weekly = true;
                    push(UnderstoodKind::Time, "weekly".into(), hit.label.clone());
                }
                Meaning::Time(a, b) => {
                    times.push((*a, *b));
                    push(
                        UnderstoodKind::Time,
                        format!("{}-{}", hhmm(*a), hhmm(*b)),
                        hit.label.clone(),
                    );
                }
                Meaning::Cost(yen) => {
                    u.max_fee_yen = Some(u.max_fee_yen.map_or(*yen, |m| m.min(*yen)));
                    let label = if *yen == 0 {
                        "無料".to_string()
                    } else {
                        hit.label.clone()
                    };
                    push(UnderstoodKind::Cost, yen.to_string(), label);
                    optional.push(from.clone());
                }
                Meaning::Feature(f) => {
                    if !u.features.contains(f) {
                        u.features.push(*f);
                    }
                    push(
                        UnderstoodKind::Feature,
                        f.code().to_string(),
                        hit.label.clone(),
                    );
                    optional.push(from.clone());
                }
                Meaning::Who(w) => {
                    if !u.who.contains(w) {
                        u.who.push(*w);
                    }
                    push(UnderstoodKind::Who, w.code().to_string(), hit.label.clone());
                    optional.push(from.clone());
                }
                Meaning::Kind(k) => {
                    if !u.kinds.contains(k) {
                        u.kinds.push(*k);
                    }
                    push(
                        UnderstoodKind::Kind,
                        k.code().to_string(),
                        hit.label.clone(),
                    );
                    optional.push(from.clone());
                }
                Meaning::Stop => {}
            }
        }
        if days != 0 || !times.is_empty() || weekly {
            let mut hours = [0u32; 7];
            let hour_mask = if times.is_empty() {
                WhenWanted::ALL_HOURS
            } else {
                times
                    .iter()
                    .fold(0u32, |m, (a, b)| m | hours_between(*a, *b))
            };
            for (d, h) in hours.iter_mut().enumerate() {
                if days == 0 || days & (1 << d) != 0 {
                    *h = hour_mask;
                }
            }
            u.when = Some(WhenWanted { hours, weekly });
        }
        if !place_hits.is_empty() {
            let mut towns: Vec<String> = Vec::new();
            let mut points: Vec<(f64, f64)> = Vec::new();
            for (i, _) in &place_hits {
                let p = &self.places[*i];
                towns.extend(p.towns.iter().cloned());
                points.extend(p.point);
            }
            let point = (!points.is_empty()).then(|| {
                let n = points.len() as f64;
                (
                    points.iter().map(|p| p.0).sum::<f64>() / n,
                    points.iter().map(|p| p.1).sum::<f64>() / n,
                )
            });
            u.place = Some(PlaceWanted {
                towns,
                point,
                ward: u.wards.first().copied(),
            });
        }
        u.text = without_particles(rest);
        u.optional_text = optional.join(" ");
        u
    }
}

/// The remaining words without the particles that tied them to what was
/// taken out (「の サロン」 → 「サロン」).
fn without_particles(rest: &str) -> String {
    const EDGE: [&str; 16] = [
        "から", "まで", "だけ", "でも", "の", "に", "で", "は", "が", "も", "を", "と", "や", "へ",
        "な", "か",
    ];
    let mut words: Vec<&str> = Vec::new();
    for chunk in rest.split_whitespace() {
        let mut w = chunk;
        loop {
            let before = w;
            for p in EDGE {
                if w.len() > p.len()
                    && w.starts_with(p)
                    && !w[p.len()..].starts_with(|c: char| is_hiragana(c))
                {
                    w = &w[p.len()..];
                }
                if w.len() > p.len()
                    && w.ends_with(p)
                    && !w[..w.len() - p.len()].ends_with(is_hiragana)
                {
                    w = &w[..w.len() - p.len()];
                }
            }
            if w == before {
                break;
            }
        }
        if !EDGE.contains(&w) && !w.is_empty() {
            words.push(w);
        }
    }
    words.join(" ")
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Hours (bit h) that the minutes [a, b) touch.
fn hours_between(a: u32, b: u32) -> u32 {
    (0..24u32)
        .filter(|h| a < h * 60 + 60 && h * 60 < b)
        .fold(0, |m, h| m | (1 << h))
}

fn digits_at(chars: &[char], i: usize) -> Option<(u64, usize)> {
    let mut j = i;
    let mut n: u64 = 0;
    while j < chars.len() && (chars[j].is_ascii_digit() || (j > i && chars[j] == ',')) {
        if let Some(d) = chars[j].to_digit(10) {
            n = n.checked_mul(10)?.checked_add(u64::from(d))?;
        }
        j += 1;
    }
    (j > i).then_some((n, j))
}

fn starts_with_at(chars: &[char], i: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    chars.len() >= i + w.len() && chars[i..i + w.len()] == w[..]
}

/// A clock time: 10時, 10時半, 10:30, with から/以降/〜 (from), まで (until),
/// 頃 (around) or a second time (10時〜12時).
fn clock_at(chars: &[char], i: usize) -> Option<Hit> {
    let (t1, mut j) = one_clock(chars, i)?;
    let (mut a, mut b) = (t1, (t1 + 60).min(24 * 60));
    let mut ranged = false;
    for sep in ["から", "〜", "-", "~"] {
        if starts_with_at(chars, j, sep) {
            let k = j + sep.chars().count();
            if let Some((t2, k2)) = one_clock(chars, k)
                && t2 > t1
            {
                b = t2;
                j = k2;
                if starts_with_at(chars, j, "まで") {
                    j += 2;
                }
            } else {
                b = 24 * 60;
                j = k;
            }
            ranged = true;
            break;
        }
    }
    if !ranged {
        for (suffix, from_start) in [
            ("以降", true),
            ("すぎ", true),
            ("過ぎ", true),
            ("まで", false),
            ("頃", true),
            ("ごろ", true),
        ] {
            if starts_with_at(chars, j, suffix) {
                j += suffix.chars().count();
                if suffix == "まで" {
                    a = 0;
                    b = t1;
                } else if from_start && matches!(suffix, "以降" | "すぎ" | "過ぎ") {
                    b = 24 * 60;
                }
                break;
            }
        }
    }
    if a >= b {
        return None;
    }
    let label: String = chars[i..j].iter().collect();
    Some(Hit {
        start: i,
        end: j,
        meanings: vec![Meaning::Time(a, b)],
        label,
    })
}

/// 10時, 10時半, 10時30分, 10:30 → minutes; a 午後 before the number adds 12 hours.
fn one_clock(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let (pm, i) = if starts_with_at(chars, i, "午後") {
        (true, i + 2)
    } else if starts_with_at(chars, i, "午前") {
        (false, i + 2)
    } else {
        (false, i)
    };
    let (h, mut j) = digits_at(chars, i)?;
    if j - i > 2 {
        return None;
    }
    let mut m = 0u64;
    if starts_with_at(chars, j, ":") {
        let (mm, k) = digits_at(chars, j + 1)?;
        if k - (j + 1) != 2 {
            return None;
        }
        m = mm;
        j = k;
    } else if starts_with_at(chars, j, "時") {
        j += 1;
        if starts_with_at(chars, j, "半") {
            m = 30;
            j += 1;
        } else if let Some((mm, k)) = digits_at(chars, j)
            && starts_with_at(chars, k, "分")
        {
            m = mm;
            j = k + 1;
        }
    } else {
        return None;
    }
    let h = if pm && h < 12 { h + 12 } else { h };
    if h > 24 || m >= 60 || (h == 24 && m > 0) {
        return None;
    }
    Some((u32::try_from(h * 60 + m).ok()?, j))
}

/// An amount: 200円, 1,000円 with 以下/まで/以内/未満/ぐらい; 以上 is not a limit.
fn amount_at(chars: &[char], i: usize) -> Option<Hit> {
    // 「1時間500円まで」「1回200円まで」: the unit the price is for.
    let mut k = i;
    if let Some((_, after)) = digits_at(chars, i) {
        for unit in ["時間", "回", "分", "食"] {
            if starts_with_at(chars, after, unit) {
                let next = after + unit.chars().count();
                if chars.get(next).is_some_and(char::is_ascii_digit) {
                    k = next;
                }
                break;
            }
        }
    }
    let (yen, j) = digits_at(chars, k)?;
    if !starts_with_at(chars, j, "円") {
        return None;
    }
    let mut end = j + 1;
    let mut limit = yen;
    if starts_with_at(chars, end, "以上") {
        return None;
    }
    for suffix in [
        "以下",
        "まで",
        "以内",
        "未満",
        "ぐらい",
        "くらい",
        "程度",
        "前後",
        "位",
    ] {
        if starts_with_at(chars, end, suffix) {
            end += suffix.chars().count();
            if suffix == "未満" {
                limit = yen.saturating_sub(1);
            }
            break;
        }
    }
    if limit > tsunagu_text::fee::MAX_FEE_YEN {
        return None;
    }
    let label = if limit == 0 {
        "無料".to_string()
    } else {
        format!("{limit}円まで")
    };
    Some(Hit {
        start: i,
        end,
        meanings: vec![Meaning::Cost(limit)],
        label,
    })
}

/// One-character weekdays where they cannot be anything else: alone, in
/// brackets （月）, or in a list 月・水・金 / 月水金.
fn weekday_chars_at(chars: &[char], i: usize) -> Option<Hit> {
    let day = |c: char| WEEKDAY_CHARS.iter().position(|w| *w == c);
    let bracketed = chars.get(i) == Some(&'(');
    let first = if bracketed { i + 1 } else { i };
    let mut j = first;
    let mut mask = 0u8;
    let mut count = 0;
    while j < chars.len() {
        let Some(d) = day(chars[j]) else { break };
        mask |= 1 << d;
        count += 1;
        j += 1;
        if j < chars.len()
            && matches!(chars[j], '・' | '、' | ',' | '/')
            && chars.get(j + 1).and_then(|c| day(*c)).is_some()
        {
            j += 1;
        }
    }
    if count == 0 {
        return None;
    }
    let alone = |k: usize| k >= chars.len() || chars[k].is_whitespace();
    let before_ok = i == 0 || chars[i - 1].is_whitespace();
    let (start, end) = if bracketed {
        if chars.get(j) != Some(&')') {
            return None;
        }
        (i, j + 1)
    } else if before_ok
        && (alone(j) || count >= 2 && !is_word_char(chars.get(j).copied().unwrap_or(' ')))
    {
        (i, j)
    } else {
        return None;
    };
    // 「月2回」 and 「日」 in 「日帰り」 never reach here: they are not alone.
    let label = (0..7)
        .filter(|d| mask & (1 << d) != 0)
        .map(|d| format!("{}曜日", WEEKDAY_CHARS[d]))
        .collect::<Vec<_>>()
        .join("・");
    Some(Hit {
        start,
        end,
        meanings: vec![Meaning::Days(mask)],
        label,
    })
}

/// Place names to recognise: the gazetteer's towns (大字・町), their short
/// forms without 町, and names several towns start with (千城台), each
/// covering its 町丁目 (`Gazetteer::place_names`), plus their readings in
/// hiragana (まくはりほんごう) as a second key.
fn place_names(gazetteer: &Gazetteer) -> Vec<PlaceName> {
    let mut out = Vec::new();
    for p in gazetteer.place_names() {
        let name = normalize_str(&p.name);
        // 中央 and 緑 are everyday words; the towns of those names are
        // found through their ward (中央区中央) or as text.
        if name.chars().count() < 2 || EVERYDAY_NAMES.contains(&name.as_str()) {
            continue;
        }
        let reading = p
            .reading
            .as_deref()
            .map(normalize_str)
            .filter(|r| r.chars().count() >= 4 && *r != name);
        out.push(PlaceName {
            name,
            reading,
            ward: p.ward,
            towns: p.towns,
            point: p.point,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn understander() -> Understander {
        let vocabulary = QueryVocabulary::parse(include_str!("../../../dictionaries/query.tsv"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        let locator = tsunagu_geo::Locator::seed().unwrap_or_else(|e| panic!("{e}"));
        Understander::new(vocabulary, locator.gazetteer())
    }

    #[test]
    fn the_bundled_vocabulary_parses() {
        let u = understander();
        assert!(u.vocabulary().len() > 100);
    }

    #[test]
    fn clock_times_and_amounts() {
        let chars: Vec<char> = "10時から12時".chars().collect();
        let hit = clock_at(&chars, 0).unwrap_or_else(|| panic!("no clock"));
        assert_eq!(hit.meanings, vec![Meaning::Time(600, 720)]);
        let chars: Vec<char> = "午後2時".chars().collect();
        assert_eq!(
            clock_at(&chars, 0).map(|h| h.meanings),
            Some(vec![Meaning::Time(840, 900)])
        );
        let chars: Vec<char> = "1,000円未満".chars().collect();
        assert_eq!(
            amount_at(&chars, 0).map(|h| h.meanings),
            Some(vec![Meaning::Cost(999)])
        );
        let chars: Vec<char> = "500円以上".chars().collect();
        assert!(amount_at(&chars, 0).is_none());
    }

    #[test]
    fn broken_vocabulary_lines_are_reported_with_their_line() {
        let errors = QueryVocabulary::parse("weekday\tmonday\t月曜\nfeature\twifi\tWi-Fi\n")
            .err()
            .unwrap_or_default();
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![1, 2]
        );
    }

    #[test]
    fn a_query_only_of_constraints_leaves_no_text() {
        let u = understander().understand("日曜 無料");
        assert_eq!(u.text, "");
        assert_eq!(u.max_fee_yen, Some(0));
        assert!(u.when.is_some());
    }
}

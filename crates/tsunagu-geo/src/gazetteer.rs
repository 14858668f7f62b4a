//! The gazetteer: Chiba City's 町・大字 and 丁目 with a representative point,
//! imported from the formats a city IT department has.
//!
//! * tsunagu's own CSV (`ward_code,lg_code,ward,town,oaza,chome,lat,lng`), the
//!   format of `seed-data/gazetteer.csv`;
//! * デジタル庁 アドレス・ベース・レジストリ 町字 CSV (全国地方公共団体コード,
//!   町字ID, 市区町村名, 政令市区名, 大字・町名, 丁目名, 代表点 緯度/経度; the
//!   English column names of newer releases are accepted too);
//! * 国土交通省 位置参照情報 大字・町丁目レベル CSV (市区町村名 「千葉市中央区」,
//!   大字町丁目名 「磯辺二丁目」, 緯度, 経度), usually Shift_JIS.
//!
//! Rows outside Chiba City are skipped and counted.

use std::collections::HashMap;

use encoding_rs::{SHIFT_JIS, UTF_8};
use rstar::RTree;
use rstar::primitives::GeomWithData;
use tsunagu_model::Ward;

use crate::GeoError;
use crate::address::{
    clean, kanji_number, leading_banchi_len, leading_chome_len, name_key, split_head,
};
use crate::readings::{TownReading, TownReadings};
use crate::spatial::unit_xyz;

/// One 町丁目 (or a town without 丁目).
#[derive(Debug, Clone, PartialEq)]
pub struct TownRow {
    pub ward: Ward,
    /// The official name with 丁目 (「小仲台二丁目」).
    pub town: String,
    /// The name without 丁目 (「小仲台」).
    pub oaza: String,
    pub chome: Option<u32>,
    /// Representative point (lat, lon), when the source has one.
    pub point: Option<(f64, f64)>,
}

/// Which source format a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GazetteerFormat {
    Tsunagu,
    AddressBaseRegistry,
    Mlit,
}

/// What an import read.
#[derive(Debug, Clone)]
pub struct GazetteerImport {
    pub gazetteer: Gazetteer,
    pub format: GazetteerFormat,
    pub rows: usize,
    /// Rows of other municipalities.
    pub skipped_other_city: usize,
    /// Rows that could not be read: (line, reason).
    pub rejected: Vec<(usize, String)>,
}

/// How far an address was resolved.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    None,
    Ward,
    Town,
    Chome,
}

/// How the town name was found in an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TownMatch {
    /// Written as in the gazetteer (ケ/ヶ/が, 之/の and kana width folded).
    Name,
    /// Its reading, whole or mixed with the written name (「おゆみの中央」).
    Reading,
}

/// An address resolved against the gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub level: Level,
    pub ward: Option<Ward>,
    pub oaza: Option<String>,
    pub chome: Option<u32>,
    /// The 町丁目 row reached (level chome, or a town without 丁目).
    pub row: Option<usize>,
    /// The best point known for the level reached.
    pub point: Option<(f64, f64)>,
    /// Towns that also match (ambiguous), or near names (nothing matched).
    pub candidates: Vec<String>,
    /// Why the resolution stopped short, how the address was read when that
    /// was not literal (a ward written without 区, a kana reading), and words
    /// it did not read; in Japanese, sentences joined by 「。」.
    pub note: Option<String>,
    /// Another municipality named in the address.
    pub other_city: Option<String>,
    /// How the town name was found, when one was.
    pub town_match: Option<TownMatch>,
    /// The ward was written without 区 before the town (「稲毛小仲台」).
    pub ward_without_ku: bool,
    /// What the resolution did not read: after the town, its 丁目 and 番地
    /// (a building or room name, other words), or everything after the ward
    /// when no town was found. `None` when nothing was left.
    pub unread: Option<String>,
}

impl Resolution {
    fn add_note(&mut self, sentence: String) {
        match &mut self.note {
            Some(n) => {
                n.push('。');
                n.push_str(&sentence);
            }
            None => self.note = Some(sentence),
        }
    }
}

/// A town name found at the start of some text.
struct TownHit {
    /// Characters of the text it spans.
    chars: usize,
    /// Rows of the town(s) it names.
    rows: Vec<usize>,
    how: TownMatch,
}

type PointEntry = GeomWithData<[f64; 3], usize>;

#[derive(Debug, Clone)]
pub struct Gazetteer {
    rows: Vec<TownRow>,
    /// name_key(oaza) → indices of rows of that town (any ward).
    by_key: HashMap<String, Vec<usize>>,
    /// Readings of the towns, by (ward, name_key(oaza)).
    readings: HashMap<(Ward, String), TownReading>,
    /// name_key of a reading or of a name written partly in kana → the
    /// towns (ward, name_key(oaza)) it spells.
    aliases: HashMap<String, Vec<(Ward, String)>>,
    /// Longest oaza or alias key, in chars, to bound the prefix search.
    longest_key: usize,
    points: RTree<PointEntry>,
}

impl Gazetteer {
    pub fn new(rows: Vec<TownRow>) -> Gazetteer {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut longest_key = 0;
        for (i, r) in rows.iter().enumerate() {
            let key = name_key(&r.oaza);
            longest_key = longest_key.max(key.chars().count());
            by_key.entry(key).or_default().push(i);
        }
        let points = RTree::bulk_load(
            rows.iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    r.point
                        .map(|(lat, lon)| GeomWithData::new(unit_xyz(lat, lon), i))
                })
                .collect(),
        );
        Gazetteer {
            rows,
            by_key,
            readings: HashMap::new(),
            aliases: HashMap::new(),
            longest_key,
            points,
        }
    }

    /// Attaches readings to the towns the table knows, so that addresses
    /// written in kana (「おゆみの中央」, 「いなげ海岸」) resolve and
    /// [`Gazetteer::place_names`] carries them. Towns the table lacks keep
    /// no reading; table rows of towns not in the gazetteer are ignored.
    pub fn with_readings(mut self, table: &TownReadings) -> Gazetteer {
        self.readings.clear();
        self.aliases.clear();
        let mut towns: Vec<(Ward, String)> = self
            .rows
            .iter()
            .map(|r| (r.ward, name_key(&r.oaza)))
            .collect();
        towns.sort();
        towns.dedup();
        for (ward, key) in towns {
            let Some(reading) = table.get(ward, &key) else {
                continue;
            };
            for spelling in reading.spellings() {
                let alias = name_key(&spelling);
                if alias == key {
                    continue;
                }
                self.longest_key = self.longest_key.max(alias.chars().count());
                let targets = self.aliases.entry(alias).or_default();
                if !targets.contains(&(ward, key.clone())) {
                    targets.push((ward, key.clone()));
                }
            }
            self.readings.insert((ward, key), reading.clone());
        }
        self
    }

    /// The reading of a town (「おゆみ野中央」 → 「おゆみのちゅうおう」).
    pub fn reading(&self, ward: Ward, oaza: &str) -> Option<String> {
        self.town_reading(ward, oaza).map(TownReading::reading)
    }

    pub(crate) fn town_reading(&self, ward: Ward, oaza: &str) -> Option<&TownReading> {
        self.readings.get(&(ward, name_key(oaza)))
    }

    pub fn rows(&self) -> &[TownRow] {
        &self.rows
    }

    pub fn row(&self, i: usize) -> Option<&TownRow> {
        self.rows.get(i)
    }

    /// The nearest row with a point.
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<usize> {
        if !(lat.is_finite() && lon.is_finite()) {
            return None;
        }
        self.points
            .nearest_neighbor(&unit_xyz(lat, lon))
            .map(|e| e.data)
    }

    /// Rows of a town in a ward.
    fn town_rows(&self, key: &str, ward: Option<Ward>) -> Vec<usize> {
        self.by_key
            .get(key)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&i| ward.is_none_or(|w| self.rows[i].ward == w))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The longest town name (or reading of one) that begins `text`, in the
    /// ward if one is given.
    fn town_prefix(&self, text: &str, ward: Option<Ward>) -> Option<TownHit> {
        let key = name_key(text);
        let ends: Vec<usize> = key
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain([key.len()])
            .collect();
        for len in (1..=self.longest_key.min(ends.len())).rev() {
            let prefix = &key[..ends[len - 1]];
            let rows = self.town_rows(prefix, ward);
            if !rows.is_empty() {
                return Some(TownHit {
                    chars: len,
                    rows,
                    how: TownMatch::Name,
                });
            }
            if let Some(targets) = self.aliases.get(prefix) {
                let rows: Vec<usize> = targets
                    .iter()
                    .filter(|(w, _)| ward.is_none_or(|x| x == *w))
                    .flat_map(|(w, oaza)| self.town_rows(oaza, Some(*w)))
                    .collect();
                if !rows.is_empty() {
                    return Some(TownHit {
                        chars: len,
                        rows,
                        how: TownMatch::Reading,
                    });
                }
            }
        }
        None
    }

    /// The mean point of some rows.
    fn mean_point(&self, rows: &[usize]) -> Option<(f64, f64)> {
        let pts: Vec<(f64, f64)> = rows.iter().filter_map(|&i| self.rows[i].point).collect();
        if pts.is_empty() {
            return None;
        }
        let n = pts.len() as f64;
        Some((
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        ))
    }

    /// Resolves an address to ward, town, 丁目 and point, as far as it goes.
    ///
    /// The town is the longest name (or reading) that begins the text after
    /// prefecture, city and ward. With no ward written, a ward name without
    /// 区 may come first (「稲毛小仲台2丁目」 is 稲毛区小仲台): that reading
    /// wins when it covers more of the text than a town alone (the town 稲毛
    /// would leave 「小仲台2丁目」 unread). Words left after the town and
    /// 丁目, before any 番地, are named in the note; whatever was not read is
    /// in `unread`.
    pub fn resolve(&self, address: &str) -> Resolution {
        let cleaned = clean(address);
        let head = split_head(&cleaned);
        let mut res = Resolution {
            level: Level::None,
            ward: head.ward,
            oaza: None,
            chome: None,
            row: None,
            point: None,
            candidates: Vec::new(),
            note: None,
            other_city: head.other_city.clone(),
            town_match: None,
            ward_without_ku: false,
            unread: None,
        };
        if head.ward.is_some() {
            res.level = Level::Ward;
        }
        let town_first = self.town_prefix(head.rest, head.ward);
        let ward_first = match head.ward {
            Some(_) => None,
            None => Ward::ALL.into_iter().find_map(|w| {
                let stem = w.name().strip_suffix('区')?;
                let after = head.rest.strip_prefix(stem)?;
                let hit = self.town_prefix(after, Some(w))?;
                Some((w, stem, hit))
            }),
        };
        let (town_text, hit) = match (town_first, ward_first) {
            (town, Some((w, stem, hit)))
                if town
                    .as_ref()
                    .is_none_or(|t| stem.chars().count() + hit.chars > t.chars) =>
            {
                res.ward = Some(w);
                res.level = Level::Ward;
                res.ward_without_ku = true;
                res.add_note(format!("「{stem}」を{}と読みました", w.name()));
                (&head.rest[stem.len()..], hit)
            }
            (Some(town), _) => (head.rest, town),
            (None, _) => {
                res.unread = Some(head.rest.to_string()).filter(|r| !r.is_empty());
                if head.other_city.is_some() {
                    res.note = Some("千葉市外の住所です".into());
                    return res;
                }
                res.candidates = self.near_names(head.rest, head.ward);
                res.note = Some(if head.ward.is_some() {
                    "区はわかりましたが、町名が見つかりません".into()
                } else {
                    "千葉市内の住所として認識できません".into()
                });
                return res;
            }
        };
        // name_key maps char to char on cleaned text, so the hit's length
        // in chars is its length in the written text.
        let written: String = town_text.chars().take(hit.chars).collect();
        let after: String = town_text.chars().skip(hit.chars).collect();
        // A Chiba town matched, so 「古市」 in 「古市場町」 was no city.
        res.other_city = None;
        let rows = hit.rows;
        let mut towns: Vec<(Ward, &str)> = rows
            .iter()
            .map(|&i| (self.rows[i].ward, self.rows[i].oaza.as_str()))
            .collect();
        towns.sort();
        towns.dedup();
        if towns.len() > 1 {
            res.candidates = towns
                .iter()
                .map(|(w, oaza)| format!("{}{oaza}", w.name()))
                .collect();
            let one_name = towns
                .iter()
                .all(|(_, o)| name_key(o) == name_key(towns[0].1));
            res.add_note(if one_name {
                "同じ町名が複数の区にあります。区を指定してください".into()
            } else {
                format!("「{written}」と読める町名が複数あります。漢字で書いてください")
            });
            res.unread = Some(after).filter(|a| !a.is_empty());
            return res;
        }
        let (ward, oaza) = (towns[0].0, towns[0].1.to_string());
        // 「宮崎町」 is not 「宮崎」: a town X matched but the address says X町.
        if after.starts_with('町') && !oaza.ends_with('町') {
            res.candidates = vec![format!("{oaza}町")];
            res.add_note(format!(
                "「{oaza}町」は町名一覧にありません（「{oaza}」とは別の町です）"
            ));
            res.unread = Some(after);
            return res;
        }
        res.town_match = Some(hit.how);
        if hit.how == TownMatch::Reading {
            res.add_note(format!("「{written}」を「{oaza}」と読みました"));
        }
        res.ward = Some(ward);
        res.oaza = Some(oaza.clone());
        res.level = Level::Town;
        let has_chome = rows.iter().any(|&i| self.rows[i].chome.is_some());
        let (chome, chome_len) = match leading_chome_len(&after, has_chome) {
            // 「都町999」: a bare number that is no 丁目 of a town that also
            // has a row without 丁目 is that row's 番地.
            Some((c, len))
                if !after[..len].ends_with("丁目")
                    && !rows.iter().any(|&i| self.rows[i].chome == Some(c))
                    && rows.iter().any(|&i| self.rows[i].chome.is_none()) =>
            {
                (None, 0)
            }
            Some((c, len)) => (Some(c), len),
            None => (None, 0),
        };
        res.chome = chome;
        let exact = match chome {
            Some(c) => rows
                .iter()
                .copied()
                .find(|&i| self.rows[i].chome == Some(c)),
            None => rows.iter().copied().find(|&i| self.rows[i].chome.is_none()),
        };
        match (exact, chome) {
            (Some(i), _) => {
                if chome.is_some() {
                    res.level = Level::Chome;
                }
                res.row = Some(i);
                res.point = self.rows[i].point;
                if res.point.is_none() {
                    res.point = self.mean_point(&rows);
                    if res.point.is_some() {
                        res.add_note(format!(
                            "{}には代表点がないため、{oaza}の代表点の平均を地点にしました",
                            self.rows[i].town
                        ));
                    }
                }
            }
            (None, Some(c)) => {
                res.point = self.mean_point(&rows);
                res.add_note(format!("{oaza}{c}丁目は町名一覧にありません"));
                res.candidates = rows.iter().map(|&i| self.rows[i].town.clone()).collect();
            }
            (None, None) => {
                res.point = self.mean_point(&rows);
            }
        }
        let after_chome = &after[chome_len..];
        let banchi = leading_banchi_len(after_chome);
        let unread = &after_chome[banchi..];
        if !unread.is_empty() {
            res.unread = Some(unread.to_string());
            // After a 番地 come buildings and rooms; straight after the town
            // or 丁目, words may have been part of the place.
            if banchi == 0 {
                res.add_note(format!(
                    "「{written}{}」の後の「{unread}」は住所として読んでいません",
                    &after[..chome_len]
                ));
            }
        }
        res
    }

    /// Names close to what was written, for error messages.
    fn near_names(&self, rest: &str, ward: Option<Ward>) -> Vec<String> {
        let written: String = rest
            .chars()
            .take_while(|c| !c.is_ascii_digit() && !"〇一二三四五六七八九十-".contains(*c))
            .collect();
        if written.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(f64, String)> = self
            .by_key
            .values()
            .filter_map(|rows| {
                let r = rows
                    .iter()
                    .map(|&i| &self.rows[i])
                    .find(|r| ward.is_none_or(|w| r.ward == w))?;
                let score = strsim::normalized_levenshtein(&written, &r.oaza);
                Some((score, format!("{}{}", r.ward.name(), r.oaza)))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        scored.into_iter().take(3).map(|(_, n)| n).collect()
    }

    /// Reads any of the supported CSV formats (UTF-8 with or without BOM, or
    /// Shift_JIS).
    pub fn import_csv(bytes: &[u8]) -> Result<GazetteerImport, GeoError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let enc = if std::str::from_utf8(bytes).is_ok() {
            UTF_8
        } else {
            SHIFT_JIS
        };
        let (text, _, _) = enc.decode(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| GeoError::Csv(e.to_string()))?
            .iter()
            .map(|h| h.trim().trim_matches('"').to_string())
            .collect();
        let col = |names: &[&str]| -> Option<usize> {
            headers
                .iter()
                .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let format = if col(&["oaza"]).is_some() && col(&["lng"]).is_some() {
            GazetteerFormat::Tsunagu
        } else if col(&["大字町丁目名"]).is_some() {
            GazetteerFormat::Mlit
        } else if col(&["大字・町名", "oaza_cho"]).is_some() {
            GazetteerFormat::AddressBaseRegistry
        } else {
            return Err(GeoError::UnknownGazetteerFormat(headers.join(",")));
        };
        let need = |names: &[&str]| {
            col(names).ok_or_else(|| GeoError::MissingColumn(names[0].to_string()))
        };
        let (c_ward, c_city, c_oaza, c_chome, c_chome_num, c_lat, c_lon) = match format {
            GazetteerFormat::Tsunagu => (
                Some(need(&["ward"])?),
                None,
                need(&["oaza"])?,
                col(&["chome"]),
                None,
                need(&["lat"])?,
                need(&["lng", "lon"])?,
            ),
            GazetteerFormat::Mlit => (
                None,
                Some(need(&["市区町村名"])?),
                need(&["大字町丁目名"])?,
                None,
                None,
                need(&["緯度"])?,
                need(&["経度"])?,
            ),
            GazetteerFormat::AddressBaseRegistry => (
                Some(need(&["政令市区名", "ward"])?),
                col(&["市区町村名", "city"]),
                need(&["大字・町名", "oaza_cho"])?,
                col(&["丁目名", "chome"]),
                col(&["丁目名_数字", "chome_number"]),
                need(&["代表点_緯度", "rep_lat", "rep_pnt_lat", "代表点緯度"])?,
                need(&["代表点_経度", "rep_lon", "rep_pnt_lon", "代表点経度"])?,
            ),
        };
        let mut rows = Vec::new();
        let mut skipped_other_city = 0;
        let mut rejected = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    rejected.push((line, e.to_string()));
                    continue;
                }
            };
            let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
            let get = |i: usize| record.get(i).map(str::trim).unwrap_or("");
            if let Some(c) = c_city {
                let city = get(c);
                if !city.is_empty() && !city.starts_with("千葉市") {
                    skipped_other_city += 1;
                    continue;
                }
            }
            let ward_text = match (c_ward, c_city) {
                (Some(w), _) if !get(w).is_empty() => get(w).to_string(),
                (_, Some(c)) => get(c).trim_start_matches("千葉市").to_string(),
                _ => String::new(),
            };
            let Some(ward) = Ward::parse(&ward_text) else {
                if ward_text.is_empty() {
                    rejected.push((line, "no ward".into()));
                } else {
                    skipped_other_city += 1;
                }
                continue;
            };
            let (oaza, chome) = match format {
                GazetteerFormat::Mlit => split_chome_suffix(get(c_oaza)),
                _ => {
                    let oaza = get(c_oaza).to_string();
                    let number = c_chome_num.and_then(|c| get(c).parse::<u32>().ok());
                    let chome = number.or_else(|| {
                        c_chome.and_then(|c| {
                            let t = get(c);
                            t.parse::<u32>()
                                .ok()
                                .or_else(|| kanji_number(t.trim_end_matches("丁目")))
                        })
                    });
                    (oaza, chome)
                }
            };
            if oaza.is_empty() {
                rejected.push((line, "empty town name".into()));
                continue;
            }
            let lat = get(c_lat).parse::<f64>().ok().filter(|x| x.is_finite());
            let lon = get(c_lon).parse::<f64>().ok().filter(|x| x.is_finite());
            let town = match chome {
                Some(c) => format!("{oaza}{}丁目", kanji_digits(c)),
                None => oaza.clone(),
            };
            rows.push(TownRow {
                ward,
                town,
                oaza,
                chome,
                point: lat.zip(lon),
            });
        }
        let n = rows.len();
        Ok(GazetteerImport {
            gazetteer: Gazetteer::new(rows),
            format,
            rows: n,
            skipped_other_city,
            rejected,
        })
    }

    /// Writes tsunagu's own CSV format (what `gazetteer import` stores).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("ward_code,lg_code,ward,town,oaza,chome,lat,lng\n");
        for r in &self.rows {
            let (lat, lng) = r
                .point
                .map(|(a, b)| (format!("{a:.6}"), format!("{b:.6}")))
                .unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                r.ward.code(),
                r.ward.lg_code(),
                r.ward.name(),
                r.town,
                r.oaza,
                r.chome.map(|c| c.to_string()).unwrap_or_default(),
                lat,
                lng
            ));
        }
        out
    }
}

/// 「磯辺二丁目」 → (「磯辺」, 2).
fn split_chome_suffix(name: &str) -> (String, Option<u32>) {
    if let Some(stem) = name.strip_suffix("丁目") {
        let digits: String = stem
            .chars()
            .rev()
            .take_while(|c| "〇一二三四五六七八九十".contains(*c) || c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let oaza = &stem[..stem.len() - digits.len()];
        let n = digits.parse::<u32>().ok().or_else(|| kanji_number(&digits));
        if n.is_some() && !oaza.is_empty() {
            return (oaza.to_string(), n);
        }
    }
    (name.to_string(), None)
}

/// 2 → 「二」, 12 → 「十二」 (official names write 丁目 in kanji).
pub fn kanji_digits(n: u32) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n % 10) as usize]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", D[(n / 10) as usize]),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_number_that_is_no_chome_is_the_banchi_of_the_town_row() {
        let csv = "ward_code,lg_code,ward,town,oaza,chome,lat,lng\n\
                   12101,121011,中央区,都町,都町,,35.61,140.14\n\
                   12101,121011,中央区,都町一丁目,都町,1,35.62,140.15\n\
                   12103,121037,稲毛区,小仲台二丁目,小仲台,2,35.63,140.09\n";
        let g = Gazetteer::import_csv(csv.as_bytes()).unwrap().gazetteer;
        let r = g.resolve("千葉市中央区都町999");
        assert_eq!(
            (r.level, r.row, r.chome, r.note),
            (Level::Town, Some(0), None, None)
        );
        assert_eq!(r.point, Some((35.61, 140.14)));
        let r = g.resolve("都町1-5");
        assert_eq!((r.level, r.row), (Level::Chome, Some(1)));
        // Written as 丁目 it stays a 丁目, and its absence is said.
        let r = g.resolve("都町9丁目");
        assert_eq!((r.level, r.row, r.chome), (Level::Town, None, Some(9)));
        assert!(r.note.unwrap().contains("9丁目"));
        // A town without a row of its own keeps reading the number as 丁目.
        let r = g.resolve("小仲台3");
        assert_eq!((r.level, r.chome), (Level::Town, Some(3)));
    }

    #[test]
    fn mlit_names_split() {
        assert_eq!(split_chome_suffix("磯辺二丁目"), ("磯辺".into(), Some(2)));
        assert_eq!(split_chome_suffix("幕張町"), ("幕張町".into(), None));
        assert_eq!(kanji_digits(12), "十二");
        assert_eq!(kanji_digits(4), "四");
    }

    #[test]
    fn reads_the_three_formats() {
        let ours = "ward_code,lg_code,ward,town,oaza,chome,lat,lng\n12103,121037,稲毛区,小仲台二丁目,小仲台,2,35.65,140.11\n";
        let g = Gazetteer::import_csv(ours.as_bytes()).unwrap();
        assert_eq!(g.format, GazetteerFormat::Tsunagu);
        assert_eq!(g.gazetteer.rows()[0].town, "小仲台二丁目");

        let mlit = "\"都道府県コード\",\"都道府県名\",\"市区町村コード\",\"市区町村名\",\"大字町丁目コード\",\"大字町丁目名\",\"緯度\",\"経度\",\"原典資料コード\",\"大字・字・丁目区分コード\"\n\
                    \"12\",\"千葉県\",\"12106\",\"千葉市美浜区\",\"121060012002\",\"磯辺二丁目\",\"35.627\",\"140.079\",\"1\",\"3\"\n\
                    \"12\",\"千葉県\",\"12204\",\"船橋市\",\"122040001001\",\"本町一丁目\",\"35.70\",\"139.98\",\"1\",\"3\"\n";
        let (sjis, _, _) = SHIFT_JIS.encode(mlit);
        let g = Gazetteer::import_csv(&sjis).unwrap();
        assert_eq!(g.format, GazetteerFormat::Mlit);
        assert_eq!(g.rows, 1);
        assert_eq!(g.skipped_other_city, 1);
        let r = &g.gazetteer.rows()[0];
        assert_eq!(
            (r.ward, r.oaza.as_str(), r.chome),
            (Ward::Mihama, "磯辺", Some(2))
        );

        let abr = "全国地方公共団体コード,町字id,市区町村名,政令市区名,大字・町名,丁目名,代表点_経度,代表点_緯度\n\
                   121037,0001002,千葉市,稲毛区,小仲台,二丁目,140.11,35.65\n";
        let g = Gazetteer::import_csv(abr.as_bytes()).unwrap();
        assert_eq!(g.format, GazetteerFormat::AddressBaseRegistry);
        let r = &g.gazetteer.rows()[0];
        assert_eq!(
            (r.oaza.as_str(), r.chome, r.point),
            ("小仲台", Some(2), Some((35.65, 140.11)))
        );

        assert!(matches!(
            Gazetteer::import_csv(b"a,b\n1,2\n"),
            Err(GeoError::UnknownGazetteerFormat(_))
        ));
    }
}

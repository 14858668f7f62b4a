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
use crate::address::{clean, kanji_number, leading_chome, name_key, split_head};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    None,
    Ward,
    Town,
    Chome,
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
    /// Why the resolution stopped short, in Japanese.
    pub note: Option<String>,
    /// Another municipality named in the address.
    pub other_city: Option<String>,
}

type PointEntry = GeomWithData<[f64; 3], usize>;

#[derive(Debug, Clone)]
pub struct Gazetteer {
    rows: Vec<TownRow>,
    /// name_key(oaza) → indices of rows of that town (any ward).
    by_key: HashMap<String, Vec<usize>>,
    /// Longest oaza key, in chars, to bound the prefix search.
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
            longest_key,
            points,
        }
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
        };
        if head.ward.is_some() {
            res.level = Level::Ward;
        }
        let rest_key = name_key(head.rest);
        let rest_chars: Vec<(usize, char)> = rest_key.char_indices().collect();
        // Longest town name that prefixes the rest (within the ward, if any).
        let mut found: Option<(String, Vec<usize>, usize)> = None;
        for len in (1..=self.longest_key.min(rest_chars.len())).rev() {
            let end = rest_chars
                .get(len)
                .map(|(i, _)| *i)
                .unwrap_or(rest_key.len());
            let key = &rest_key[..end];
            let rows = self.town_rows(key, head.ward);
            if !rows.is_empty() {
                found = Some((key.to_string(), rows, end));
                break;
            }
        }
        let Some((_, rows, key_end)) = found else {
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
        };
        // name_key maps char to char, so the byte end in the key is the
        // byte end in the rest only when widths agree; recompute by chars.
        let key_chars = rest_key[..key_end].chars().count();
        let after: String = head.rest.chars().skip(key_chars).collect();
        // A Chiba town matched, so 「古市」 in 「古市場町」 was no city.
        res.other_city = None;
        let oaza = self.rows[rows[0]].oaza.clone();
        // 「宮崎町」 is not 「宮崎」: a town X matched but the address says X町.
        if after.starts_with('町') && !oaza.ends_with('町') {
            res.candidates = vec![format!("{oaza}町")];
            res.note = Some(format!(
                "「{oaza}町」は町名一覧にありません（「{oaza}」とは別の町です）"
            ));
            return res;
        }
        let wards: Vec<Ward> = {
            let mut w: Vec<Ward> = rows.iter().map(|&i| self.rows[i].ward).collect();
            w.sort();
            w.dedup();
            w
        };
        if wards.len() > 1 {
            res.candidates = wards
                .iter()
                .map(|w| format!("{}{oaza}", w.name()))
                .collect();
            res.note = Some("同じ町名が複数の区にあります。区を指定してください".into());
            return res;
        }
        res.ward = wards.first().copied();
        res.oaza = Some(oaza.clone());
        res.level = Level::Town;
        let has_chome = rows.iter().any(|&i| self.rows[i].chome.is_some());
        let chome = leading_chome(&after, has_chome);
        res.chome = chome;
        let exact = match chome {
            Some(c) => rows
                .iter()
                .copied()
                .find(|&i| self.rows[i].chome == Some(c)),
            None => rows.iter().copied().find(|&i| self.rows[i].chome.is_none()),
        };
        match (exact, chome) {
            (Some(i), Some(_)) => {
                res.level = Level::Chome;
                res.row = Some(i);
                res.point = self.rows[i].point.or_else(|| self.mean_point(&rows));
            }
            (Some(i), None) => {
                res.row = Some(i);
                res.point = self.rows[i].point.or_else(|| self.mean_point(&rows));
            }
            (None, Some(c)) => {
                res.point = self.mean_point(&rows);
                res.note = Some(format!("{oaza}{c}丁目は町名一覧にありません"));
                res.candidates = rows.iter().map(|&i| self.rows[i].town.clone()).collect();
            }
            (None, None) => {
                res.point = self.mean_point(&rows);
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

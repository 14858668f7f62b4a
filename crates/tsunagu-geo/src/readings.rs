//! Readings of town names (`seed-data/town_readings.csv`): the gazetteer has
//! no reading column, so the hiragana reading of each 大字・町 is kept as data,
//! split into parts aligned with the written name (「おゆみ野|中央」 ↔
//! 「おゆみの|ちゅうおう」). The parts let a reading be mixed with the written
//! name (「おゆみの中央」, 「ちしろだい北」), mark the names that others begin
//! with (千城台, 道場) and tell whether a trailing 町 is a suffix that may be
//! left off (検見川|町) or part of the word (本町).

use std::collections::HashMap;

use tsunagu_model::Ward;

use crate::GeoError;
use crate::address::name_key;

/// The built-in reading table.
pub const SEED_READINGS: &str = include_str!("../../../seed-data/town_readings.csv");

/// A 町 part read either way: most of Chiba City's 町 are ちょう, but people
/// (and older lists) also write まち.
const CHO_READINGS: [&str; 2] = ["ちょう", "まち"];

/// One town's name and reading, part by part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownReading {
    pub ward: Ward,
    /// (written part, its hiragana reading), in order; at least one.
    pub parts: Vec<(String, String)>,
}

impl TownReading {
    /// The written name (「おゆみ野中央」).
    pub fn name(&self) -> String {
        self.parts.iter().map(|(w, _)| w.as_str()).collect()
    }

    /// The whole reading (「おゆみのちゅうおう」).
    pub fn reading(&self) -> String {
        self.parts.iter().map(|(_, r)| r.as_str()).collect()
    }

    /// Every other way of writing the name with some parts in kana: each part
    /// written or read (a 町 part read ちょう or まち). The all-written form is
    /// left out; duplicates are removed.
    pub fn spellings(&self) -> Vec<String> {
        let mut out: Vec<String> = vec![String::new()];
        for (written, reading) in &self.parts {
            let mut choices = vec![written.as_str(), reading.as_str()];
            if written == "町" {
                choices.extend(CHO_READINGS);
            }
            choices.sort_unstable();
            choices.dedup();
            out = out
                .iter()
                .flat_map(|prefix| choices.iter().map(move |c| format!("{prefix}{c}")))
                .collect();
        }
        let name = self.name();
        out.retain(|s| *s != name);
        out.sort();
        out.dedup();
        out
    }

    /// The name without a trailing 町 part (検見川|町 → 検見川), with its
    /// reading; `None` when 町 is not a part of its own (本町) or nothing
    /// would be left.
    pub fn without_cho(&self) -> Option<(String, String)> {
        let (last, head) = self.parts.split_last()?;
        if last.0 != "町" || head.is_empty() {
            return None;
        }
        Some((
            head.iter().map(|(w, _)| w.as_str()).collect(),
            head.iter().map(|(_, r)| r.as_str()).collect(),
        ))
    }
}

/// The reading table, by ward and name key.
#[derive(Debug, Clone, Default)]
pub struct TownReadings {
    by_town: HashMap<(Ward, String), TownReading>,
}

impl TownReadings {
    /// Reads `ward,town,reading[,note]` with `#` comment lines; `town` and
    /// `reading` carry the same number of `|`-separated parts, and readings
    /// are hiragana.
    pub fn parse_csv(text: &str) -> Result<TownReadings, GeoError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let mut table = TownReadings::default();
        for row in reader.records() {
            let row = row.map_err(|e| GeoError::Csv(e.to_string()))?;
            let line = row.position().map(|p| p.line() as usize).unwrap_or(0);
            let bad = |message: String| GeoError::BadReadingRow { line, message };
            let get = |k: usize| row.get(k).map(str::trim).unwrap_or("");
            let ward =
                Ward::parse(get(0)).ok_or_else(|| bad(format!("unknown ward {:?}", get(0))))?;
            let written: Vec<&str> = get(1).split('|').collect();
            let read: Vec<&str> = get(2).split('|').collect();
            if written.len() != read.len() {
                return Err(bad(format!(
                    "{:?} has {} parts but its reading {:?} has {}",
                    get(1),
                    written.len(),
                    get(2),
                    read.len()
                )));
            }
            if written.iter().chain(&read).any(|p| p.is_empty()) {
                return Err(bad(format!("empty part in {:?} / {:?}", get(1), get(2))));
            }
            if let Some(p) = read.iter().find(|p| !p.chars().all(is_hiragana)) {
                return Err(bad(format!("reading part {p:?} is not hiragana")));
            }
            let reading = TownReading {
                ward,
                parts: written
                    .iter()
                    .zip(&read)
                    .map(|(w, r)| (w.to_string(), r.to_string()))
                    .collect(),
            };
            let key = (ward, name_key(&reading.name()));
            if table.by_town.insert(key, reading).is_some() {
                return Err(bad(format!("{} listed twice", get(1).replace('|', ""))));
            }
        }
        Ok(table)
    }

    /// The built-in table (`seed-data/town_readings.csv`).
    pub fn seed() -> Result<TownReadings, GeoError> {
        Self::parse_csv(SEED_READINGS)
    }

    pub fn len(&self) -> usize {
        self.by_town.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_town.is_empty()
    }

    /// The reading of a town (its 大字・町 name, ケ/ヶ/が folded).
    pub fn get(&self, ward: Ward, oaza: &str) -> Option<&TownReading> {
        self.by_town.get(&(ward, name_key(oaza)))
    }

    pub fn iter(&self) -> impl Iterator<Item = &TownReading> {
        self.by_town.values()
    }
}

fn is_hiragana(c: char) -> bool {
    ('ぁ'..='ゖ').contains(&c) || c == 'ー'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(parts: &[(&str, &str)]) -> TownReading {
        TownReading {
            ward: Ward::Midori,
            parts: parts
                .iter()
                .map(|(w, r)| (w.to_string(), r.to_string()))
                .collect(),
        }
    }

    #[test]
    fn spellings_mix_written_and_read_parts() {
        let r = reading(&[("おゆみ野", "おゆみの"), ("中央", "ちゅうおう")]);
        assert_eq!(r.name(), "おゆみ野中央");
        assert_eq!(r.reading(), "おゆみのちゅうおう");
        assert_eq!(
            r.spellings(),
            vec!["おゆみのちゅうおう", "おゆみの中央", "おゆみ野ちゅうおう"]
        );
        let r = reading(&[("誉田", "ほんだ"), ("町", "ちょう")]);
        let s = r.spellings();
        for want in ["ほんだちょう", "ほんだまち", "ほんだ町", "誉田ちょう"] {
            assert!(s.iter().any(|x| x == want), "{want}: {s:?}");
        }
        assert!(!s.iter().any(|x| x == "誉田町"));
        assert_eq!(r.without_cho(), Some(("誉田".into(), "ほんだ".into())));
        assert_eq!(reading(&[("本町", "ほんちょう")]).without_cho(), None);
    }

    #[test]
    fn the_table_is_checked() {
        let ok = "# comment\nward,town,reading,note\n緑区,誉田|町,ほんだ|ちょう,\n";
        assert_eq!(TownReadings::parse_csv(ok).unwrap().len(), 1);
        for bad in [
            "ward,town,reading\n緑区,誉田|町,ほんだちょう\n",
            "ward,town,reading\n緑区,誉田町,ホンダチョウ\n",
            "ward,town,reading\n東区,誉田町,ほんだちょう\n",
            "ward,town,reading\n緑区,誉田町,ほんだちょう\n緑区,誉田|町,ほんだ|ちょう\n",
        ] {
            assert!(
                matches!(
                    TownReadings::parse_csv(bad),
                    Err(GeoError::BadReadingRow { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_seed_table_loads() {
        let t = TownReadings::seed().unwrap();
        assert_eq!(t.len(), 234);
        assert_eq!(
            t.get(Ward::Midori, "おゆみ野中央")
                .map(TownReading::reading),
            Some("おゆみのちゅうおう".into())
        );
        assert_eq!(
            t.get(Ward::Hanamigawa, "朝日ヶ丘")
                .map(TownReading::reading),
            Some("あさひがおか".into())
        );
    }
}

//! Place names to recognise in free text (「幕張本郷の体操教室」, 「千城台で
//! 買い物の付き添い」): every town of the gazetteer at 大字・町 level, the
//! short forms of 町 names, and the names several towns begin with, each with
//! its ward, the 町丁目 it covers, a representative point and a reading.

use std::collections::{BTreeMap, HashSet};

use tsunagu_model::Ward;

use crate::address::name_key;
use crate::gazetteer::Gazetteer;

/// What kind of name a [`PlaceName`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceNameKind {
    /// A 大字・町 of the gazetteer (幕張本郷, 検見川町, 稲毛海岸).
    Town,
    /// A 町 name without its 町 (検見川 for 検見川町): only when the reading
    /// table has 町 as a part of its own (not 本町), the rest is at least 2
    /// characters, and no other town's name begins with it (so not 宮崎 for
    /// 宮崎町, 宮崎 being a town, nor 幕張 for 幕張町, 幕張本郷 beginning with
    /// it).
    ShortForm,
    /// The first part (in the reading table) of at least two towns of one
    /// ward that is not a town itself (千城台 of 千城台北・南・東・西, 道場,
    /// 長沼, 幕張 in 花見川区).
    Group,
}

/// A name to recognise in free text and what it stands for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct PlaceName {
    /// As written (the gazetteer's spelling: 朝日ケ丘, not 朝日ヶ丘; compare
    /// with [`crate::address::name_key`] to meet the variants).
    pub name: String,
    /// Hiragana, from the reading table; `None` for towns it lacks.
    pub reading: Option<String>,
    pub ward: Ward,
    /// The 町丁目 (`TownRow::town`) it covers, in gazetteer order: every
    /// 町丁目 of the ward whose 大字・町 name begins with `name`. So 千城台
    /// covers all 千城台北・南・東・西 丁目, and 宮崎 covers 宮崎 1–2丁目 and the
    /// neighbouring 宮崎町 (people say 宮崎 for both); the longer name is a
    /// place name of its own, for callers that match the longest name.
    pub towns: Vec<String>,
    /// The mean (lat, lon) of the covered 町丁目 that have a point; `None`
    /// when none has.
    pub point: Option<(f64, f64)>,
    pub kind: PlaceNameKind,
}

impl Gazetteer {
    /// Every place name to recognise in free text, sorted by ward, then name.
    ///
    /// * one [`PlaceNameKind::Town`] per distinct (ward, 大字・町) — 234 with
    ///   the built-in gazetteer;
    /// * [`PlaceNameKind::ShortForm`]s of 町 names where unambiguous
    ///   (検見川町 → 検見川);
    /// * [`PlaceNameKind::Group`]s, names that several towns of a ward begin
    ///   with (千城台).
    ///
    /// (ward, name) is unique. Ward names themselves are not listed; 中央,
    /// 稲毛, 花見川 and 美浜 appear because they are also towns.
    pub fn place_names(&self) -> Vec<PlaceName> {
        // Distinct towns in gazetteer order.
        let mut towns: Vec<(Ward, &str)> = Vec::new();
        let mut seen = HashSet::new();
        for r in self.rows() {
            if seen.insert((r.ward, name_key(&r.oaza))) {
                towns.push((r.ward, r.oaza.as_str()));
            }
        }
        let town_keys: Vec<(Ward, String)> = towns.iter().map(|(w, o)| (*w, name_key(o))).collect();
        let row_keys: Vec<String> = self.rows().iter().map(|r| name_key(&r.oaza)).collect();
        let mut out: BTreeMap<(Ward, String), PlaceName> = BTreeMap::new();
        for &(ward, oaza) in &towns {
            let reading = self.reading(ward, oaza);
            out.insert(
                (ward, oaza.to_string()),
                self.place_name(&row_keys, oaza, reading, ward, PlaceNameKind::Town),
            );
        }
        // Groups: a first part shared by two or more towns of a ward.
        let mut firsts: BTreeMap<(Ward, String), Vec<String>> = BTreeMap::new();
        for &(ward, oaza) in &towns {
            if let Some(r) = self.town_reading(ward, oaza)
                && r.parts.len() >= 2
            {
                let (first, first_reading) = &r.parts[0];
                firsts
                    .entry((ward, first.clone()))
                    .or_default()
                    .push(first_reading.clone());
            }
        }
        for ((ward, stem), readings) in firsts {
            let key = name_key(&stem);
            if readings.len() < 2 || stem.chars().count() < 2 || town_keys.contains(&(ward, key)) {
                continue;
            }
            // Parts that read differently in different towns give no reading.
            let reading = readings
                .iter()
                .all(|r| *r == readings[0])
                .then(|| readings[0].clone());
            out.insert(
                (ward, stem.clone()),
                self.place_name(&row_keys, &stem, reading, ward, PlaceNameKind::Group),
            );
        }
        // Short forms of 町 names.
        for &(ward, oaza) in &towns {
            let Some((short, reading)) =
                self.town_reading(ward, oaza).and_then(|r| r.without_cho())
            else {
                continue;
            };
            let key = name_key(&short);
            let own = name_key(oaza);
            let ambiguous = town_keys
                .iter()
                .any(|(_, other)| *other != own && other.starts_with(&key));
            if short.chars().count() < 2 || ambiguous || out.contains_key(&(ward, short.clone())) {
                continue;
            }
            // Nothing but the town itself begins with the short form, so it
            // covers what the town covers.
            let name = self.place_name(
                &row_keys,
                &short,
                Some(reading),
                ward,
                PlaceNameKind::ShortForm,
            );
            out.insert((ward, short), name);
        }
        out.into_values().collect()
    }

    /// `row_keys`: name_key of each row's 大字・町 name.
    fn place_name(
        &self,
        row_keys: &[String],
        name: &str,
        reading: Option<String>,
        ward: Ward,
        kind: PlaceNameKind,
    ) -> PlaceName {
        let key = name_key(name);
        let covered: Vec<&crate::TownRow> = self
            .rows()
            .iter()
            .zip(row_keys)
            .filter(|(r, k)| r.ward == ward && k.starts_with(&key))
            .map(|(r, _)| r)
            .collect();
        let points: Vec<(f64, f64)> = covered.iter().filter_map(|r| r.point).collect();
        let point = (!points.is_empty()).then(|| {
            let n = points.len() as f64;
            (
                points.iter().map(|p| p.0).sum::<f64>() / n,
                points.iter().map(|p| p.1).sum::<f64>() / n,
            )
        });
        PlaceName {
            name: name.to_string(),
            reading,
            ward,
            towns: covered.iter().map(|r| r.town.clone()).collect(),
            point,
            kind,
        }
    }
}

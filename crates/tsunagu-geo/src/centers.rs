//! あんしんケアセンター areas: which centre covers a town, or a 丁目 of a town
//! split between centres, parsed from the 担当地域 text the city publishes
//! (「朝日ヶ丘1～3丁目・5丁目」, 「宮野木台2丁目～4丁目」, 「柏井4丁目」).

use std::collections::HashMap;

use tsunagu_model::Ward;

use crate::GeoError;
use crate::address::name_key;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Center {
    /// AC01…AC28.
    pub id: String,
    pub ward: Ward,
    /// 「千葉市あんしんケアセンター稲毛」.
    pub name: String,
}

/// Which centre covers a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CenterAssignment {
    /// Exactly one centre.
    Center(usize),
    /// The town is split by 丁目 and the 丁目 is not known: these centres
    /// cover parts of it. Said rather than guessed.
    Undecided(Vec<usize>),
    /// No centre lists this town.
    Unknown,
}

#[derive(Debug, Clone)]
struct AreaEntry {
    /// `None`: the whole town.
    chome: Option<Vec<u32>>,
    center: usize,
}

#[derive(Debug, Clone, Default)]
pub struct CenterAreas {
    centers: Vec<Center>,
    by_town: HashMap<(Ward, String), Vec<AreaEntry>>,
}

impl CenterAreas {
    /// Reads `center_id,ward,center_name,area` (seed-data/anshin_centers.csv).
    pub fn parse_csv(text: &str) -> Result<CenterAreas, GeoError> {
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let mut areas = CenterAreas::default();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| GeoError::Csv(e.to_string()))?;
            let line = i + 2;
            let get = |k: usize| row.get(k).map(str::trim).unwrap_or("");
            let ward = Ward::parse(get(1)).ok_or_else(|| GeoError::BadCenterRow {
                line,
                message: format!("unknown ward {:?}", get(1)),
            })?;
            let center = areas.centers.len();
            areas.centers.push(Center {
                id: get(0).to_string(),
                ward,
                name: get(2).to_string(),
            });
            for item in get(3).split('、').map(str::trim).filter(|s| !s.is_empty()) {
                let (town, chome) =
                    parse_area_item(item).ok_or_else(|| GeoError::BadCenterRow {
                        line,
                        message: format!("cannot read area item {item:?}"),
                    })?;
                areas
                    .by_town
                    .entry((ward, name_key(&town)))
                    .or_default()
                    .push(AreaEntry { chome, center });
            }
        }
        Ok(areas)
    }

    pub fn centers(&self) -> &[Center] {
        &self.centers
    }

    pub fn center(&self, i: usize) -> Option<&Center> {
        self.centers.get(i)
    }

    /// Whether the town is split between centres by 丁目.
    pub fn is_split(&self, ward: Ward, oaza: &str) -> bool {
        self.by_town
            .get(&(ward, name_key(oaza)))
            .is_some_and(|e| e.iter().any(|a| a.chome.is_some()))
    }

    pub fn assign(&self, ward: Ward, oaza: &str, chome: Option<u32>) -> CenterAssignment {
        let Some(entries) = self.by_town.get(&(ward, name_key(oaza))) else {
            return CenterAssignment::Unknown;
        };
        if let Some(c) = chome
            && let Some(e) = entries
                .iter()
                .find(|e| e.chome.as_ref().is_some_and(|l| l.contains(&c)))
        {
            return CenterAssignment::Center(e.center);
        }
        if let Some(e) = entries.iter().find(|e| e.chome.is_none()) {
            return CenterAssignment::Center(e.center);
        }
        let mut centers: Vec<usize> = entries.iter().map(|e| e.center).collect();
        centers.sort_unstable();
        centers.dedup();
        if chome.is_some() || centers.len() > 1 {
            CenterAssignment::Undecided(centers)
        } else {
            centers
                .first()
                .map(|&c| CenterAssignment::Center(c))
                .unwrap_or(CenterAssignment::Unknown)
        }
    }
}

/// 「柏井4丁目」 → (柏井, [4]); 「朝日ヶ丘1～3丁目・5丁目」 → (朝日ヶ丘, [1,2,3,5]);
/// 「弁天」 → (弁天, None).
fn parse_area_item(item: &str) -> Option<(String, Option<Vec<u32>>)> {
    if !item.contains("丁目") {
        return Some((item.to_string(), None));
    }
    let start = item.find(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c))?;
    let town = item[..start].to_string();
    let spec: String = item[start..]
        .replace("丁目", "")
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '~' | '〜' | '-' => '～',
            other => other,
        })
        .collect();
    let mut numbers = Vec::new();
    for seg in spec.split('・').filter(|s| !s.is_empty()) {
        match seg.split_once('～') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
                numbers.extend(a..=b);
            }
            None => numbers.push(seg.parse().ok()?),
        }
    }
    Some((town, Some(numbers)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_items() {
        assert_eq!(parse_area_item("弁天"), Some(("弁天".into(), None)));
        assert_eq!(
            parse_area_item("柏井4丁目"),
            Some(("柏井".into(), Some(vec![4])))
        );
        assert_eq!(
            parse_area_item("朝日ヶ丘1～3丁目・5丁目"),
            Some(("朝日ヶ丘".into(), Some(vec![1, 2, 3, 5])))
        );
        assert_eq!(
            parse_area_item("宮野木台2丁目～4丁目"),
            Some(("宮野木台".into(), Some(vec![2, 3, 4])))
        );
    }

    #[test]
    fn split_towns_resolve_by_chome_and_say_so_without() {
        let csv = "center_id,ward,center_name,area\n\
                   AC09,花見川区,にれの木台,朝日ヶ丘1～3丁目・5丁目、西小中台\n\
                   AC10,花見川区,花園,朝日ヶ丘町、朝日ヶ丘4丁目、花園\n";
        let a = CenterAreas::parse_csv(csv).unwrap();
        assert_eq!(
            a.assign(Ward::Hanamigawa, "朝日ケ丘", Some(4)),
            CenterAssignment::Center(1)
        );
        assert_eq!(
            a.assign(Ward::Hanamigawa, "朝日が丘", Some(2)),
            CenterAssignment::Center(0)
        );
        assert_eq!(
            a.assign(Ward::Hanamigawa, "朝日ケ丘", None),
            CenterAssignment::Undecided(vec![0, 1])
        );
        assert_eq!(
            a.assign(Ward::Hanamigawa, "朝日ケ丘町", None),
            CenterAssignment::Center(1)
        );
        assert_eq!(
            a.assign(Ward::Hanamigawa, "西小中台", Some(3)),
            CenterAssignment::Center(0)
        );
        assert_eq!(
            a.assign(Ward::Inage, "西小中台", None),
            CenterAssignment::Unknown
        );
        assert!(a.is_split(Ward::Hanamigawa, "朝日ヶ丘"));
    }
}

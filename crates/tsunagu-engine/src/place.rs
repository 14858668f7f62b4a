//! Placing a record at import: ward, 町丁目, あんしんケアセンター and point,
//! from its own point or from its address, with warnings a coordinator
//! should read (address and point disagree, outside the city, unlocatable).

use std::collections::HashMap;
use tsunagu_geo::{CenterAssignment, Level, Locator, Place, distance_m};

use chrono::NaiveDate;
use tsunagu_model::{FactDecision, FactVerdict, ListingFact, Placement, Record};
use tsunagu_store::{Store, StoreError, StoredFactDecision};

/// Address and point farther apart than this are reported.
pub const DISAGREEMENT_M: f64 = 1_000.0;

/// A warning about one record: it was imported, but someone should look.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PlacementWarning {
    pub message_ja: String,
    pub message_en: String,
}

fn warn(ja: String, en: String) -> PlacementWarning {
    PlacementWarning {
        message_ja: ja,
        message_en: en,
    }
}

fn from_place(
    locator: &Locator,
    p: &Place,
    point: Option<(f64, f64)>,
    from_address: bool,
) -> Placement {
    Placement {
        ward: p.ward,
        town: p.town.clone().or_else(|| p.oaza.clone()),
        center_id: locator.center_id(&p.center).map(String::from),
        lat: point.map(|x| x.0),
        lon: point.map(|x| x.1),
        located_from_address: from_address && point.is_some(),
        inside_city: p.inside_city,
        ..Placement::default()
    }
}

/// Placement plus the schedule, fee and listing facts read from the
/// record's text, with the coordinators' decisions on those facts.
pub fn place(
    locator: &Locator,
    record: &Record,
    decisions: &[StoredFactDecision],
) -> (Placement, Vec<PlacementWarning>) {
    let (mut placement, warnings) = locate(locator, record);
    placement.schedule = tsunagu_text::schedule::schedule_of(record);
    placement.fee = tsunagu_text::fee::fee_of(record);
    placement.facts = tsunagu_text::facts::facts_of(record);
    apply_decisions(&mut placement.facts, decisions);
    (placement, warnings)
}

/// A decision holds for the fact read from the same field with the same
/// phrase: when the provider changes the words, the new reading waits for
/// a new decision, and the old one stays stored in case the words return.
pub fn apply_decisions(facts: &mut [ListingFact], decisions: &[StoredFactDecision]) {
    if decisions.is_empty() {
        return;
    }
    for fact in facts {
        let key = fact.fact.key();
        fact.decision = decisions
            .iter()
            .find(|d| d.key.fact == key && d.key.field == fact.field && d.key.phrase == fact.phrase)
            .and_then(|d| {
                Some(FactDecision {
                    verdict: FactVerdict::from_code(&d.verdict)?,
                    on: NaiveDate::parse_from_str(&d.decided_on, "%Y-%m-%d").ok()?,
                })
            });
    }
}

/// Every stored decision by record, for placing many records at once.
#[derive(Debug, Default)]
pub struct DecisionsByRecord(HashMap<String, Vec<StoredFactDecision>>);

impl DecisionsByRecord {
    pub fn load(store: &Store) -> Result<DecisionsByRecord, StoreError> {
        let mut by_record: HashMap<String, Vec<StoredFactDecision>> = HashMap::new();
        for d in store.all_fact_decisions()? {
            by_record
                .entry(d.key.record_id.clone())
                .or_default()
                .push(d);
        }
        Ok(DecisionsByRecord(by_record))
    }

    pub fn of(&self, record_id: &str) -> &[StoredFactDecision] {
        self.0.get(record_id).map(Vec::as_slice).unwrap_or_default()
    }
}

fn locate(locator: &Locator, record: &Record) -> (Placement, Vec<PlacementWarning>) {
    let mut warnings = Vec::new();
    let by_address = record.address.as_deref().map(|a| locator.locate_address(a));
    if let Some((lat, lon)) = record.point() {
        let at = locator.locate_point(lat, lon);
        if !at.inside_city {
            warnings.push(warn(
                "千葉市外の資源です（区・センターなしで登録しました）".into(),
                "point is outside Chiba City; imported without ward or centre".into(),
            ));
        }
        if let Some(addr_point) = by_address.as_ref().and_then(|p| p.point) {
            let d = distance_m((lat, lon), addr_point);
            if d > DISAGREEMENT_M {
                warnings.push(warn(
                    format!(
                        "住所と緯度・経度が約{:.1}km離れています。どちらかを確認してください",
                        d / 1000.0
                    ),
                    format!("address and lat/lon are {d:.0} m apart"),
                ));
            }
        }
        return (from_place(locator, &at, Some((lat, lon)), false), warnings);
    }
    let Some(p) = by_address else {
        return (Placement::default(), warnings);
    };
    let point = p.point.filter(|_| p.level >= Level::Town);
    if !p.inside_city {
        warnings.push(warn(
            "千葉市外の資源です（区・センターなしで登録しました）".into(),
            "address is outside Chiba City; imported without ward or centre".into(),
        ));
    } else if point.is_none() {
        let hint = if p.candidates.is_empty() {
            String::new()
        } else {
            format!("（候補: {}）", p.candidates.join("、"))
        };
        warnings.push(warn(
            format!("住所から位置を特定できませんでした{hint}。緯度・経度を追加してください"),
            format!(
                "address could not be located beyond {:?}; add lat/lon (candidates: {})",
                p.level,
                p.candidates.join(", ")
            ),
        ));
    }
    if let CenterAssignment::Undecided(_) = p.center {
        warnings.push(warn(
            "丁目がないため担当のあんしんケアセンターを決められません".into(),
            "town is split between centres by 丁目 and the address gives none".into(),
        ));
    }
    (from_place(locator, &p, point, true), warnings)
}

//! What a query understood beyond its words (a day and time, a cost, a
//! feature, who is welcome, a place), and how it orders the hits.
//!
//! Each record's facts are packed into fast fields at indexing time, so the
//! ordering reads a few integers per matching document and never the store.
//! Hard limits (a known schedule that never overlaps, a known fee over the
//! limit, another ward) are query filters; everything else is a tier: a
//! record that is known to fit ranks above one whose schedule or fee is
//! unknown or that lacks a wanted feature, and those are never dropped.

use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentReader};
use tsunagu_model::{
    Feature, Placement, Record, ScheduleKnowledge, TimeSlot, Ward, Weekday, Who, area_keys,
};

use crate::schema;

/// Hours of the day a wanted time covers, per weekday (bit h = the hour
/// h:00–h:59, Monday first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WhenWanted {
    pub hours: [u32; 7],
    /// Only records meeting every week (毎週) fit fully.
    pub weekly: bool,
}

impl WhenWanted {
    pub const ALL_HOURS: u32 = (1 << 24) - 1;

    pub fn is_empty(&self) -> bool {
        self.hours.iter().all(|h| *h == 0)
    }
}

/// Where the query asked about: records in these 町丁目 come first, then by
/// straight-line distance from the point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlaceWanted {
    pub towns: Vec<String>,
    pub point: Option<(f64, f64)>,
    /// Services whose service area covers this ward (or the whole city)
    /// serve the place wherever they are based.
    pub ward: Option<Ward>,
}

/// Soft wishes and the ordering they imply; hard limits travel as filters
/// in [`crate::SearchQuery`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preferences {
    pub when: Option<WhenWanted>,
    /// A cost limit was asked for: records whose fee is unknown rank below
    /// those known to fit (the limit itself is `max_fee_yen`).
    pub fee_known_first: bool,
    pub features: Vec<Feature>,
    pub who: Vec<Who>,
    pub place: Option<PlaceWanted>,
}

impl Preferences {
    pub fn is_empty(&self) -> bool {
        self.when.is_none()
            && !self.fee_known_first
            && self.features.is_empty()
            && self.who.is_empty()
            && self.place.is_none()
    }
}

// Bits of the `facts` fast field.
const FEATURE_SHIFT: u32 = 0;
const WHO_SHIFT: u32 = 8;
const SCHEDULE_UNKNOWN: u64 = 1 << 16;
const WEEKLY: u64 = 1 << 17;
/// Bit 24 + d: weekday d has a slot without times.
const UNTIMED_SHIFT: u32 = 24;
/// Bit 32 + w: the service area covers ward w; bit 39: the whole city.
const AREA_WARD_SHIFT: u32 = 32;
const AREA_CITY: u64 = 1 << 39;

/// The `when` term of a weekday and hour, or of a weekday with a slot
/// without times, and of a record whose schedule is not known.
pub(crate) fn hour_term(day: usize, hour: u32) -> String {
    format!("d{day}h{hour:02}")
}
pub(crate) fn untimed_term(day: usize) -> String {
    format!("d{day}hx")
}
pub(crate) const UNKNOWN_TERM: &str = "any";

fn weekday_index(w: Weekday) -> usize {
    Weekday::ALL.iter().position(|x| *x == w).unwrap_or(0)
}

/// The hours (bit h) a slot runs, when it has times. A slot with a start
/// and no end counts its first hour.
fn slot_hours(slot: &TimeSlot) -> Option<u32> {
    let s = u32::from(slot.start?.minutes());
    let e = match slot.end {
        Some(end) => u32::from(end.minutes()),
        None => s + 60,
    }
    .min(24 * 60);
    let mut bits = 0u32;
    for h in 0..24u32 {
        let (hs, he) = (h * 60, h * 60 + 60);
        if s < he && hs < e.max(s + 1) {
            bits |= 1 << h;
        }
    }
    Some(bits)
}

/// What the index keeps of a record for understood queries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DocFacts {
    pub facts: u64,
    pub hours: [u32; 7],
    pub when_terms: Vec<String>,
    pub town_key: u64,
}

impl DocFacts {
    pub fn of(record: &Record, placement: &Placement) -> DocFacts {
        let mut facts = 0u64;
        for (i, f) in Feature::ALL.iter().enumerate() {
            if placement.has_feature(record, *f) {
                facts |= 1 << (FEATURE_SHIFT + i as u32);
            }
        }
        for (i, w) in Who::ALL.iter().enumerate() {
            if placement.has_who(*w) {
                facts |= 1 << (WHO_SHIFT + i as u32);
            }
        }
        for key in area_keys(&record.service_area) {
            if key == "千葉市" {
                facts |= AREA_CITY;
            } else if let Some(i) = Ward::ALL.iter().position(|w| w.name() == key) {
                facts |= 1 << (AREA_WARD_SHIFT + i as u32);
            }
        }
        let mut hours = [0u32; 7];
        let mut untimed = 0u32;
        match &placement.schedule {
            ScheduleKnowledge::Slots(slots) if !slots.is_empty() => {
                let mut weekly = false;
                for slot in slots {
                    if slot.weekdays.is_empty() {
                        // 「毎月15日」: which weekday is not known.
                        facts |= SCHEDULE_UNKNOWN;
                        continue;
                    }
                    if slot.weeks.is_empty() && slot.days.is_empty() && !slot.every_other_week {
                        weekly = true;
                    }
                    for w in &slot.weekdays {
                        let d = weekday_index(*w);
                        match slot_hours(slot) {
                            Some(bits) => hours[d] |= bits,
                            None => untimed |= 1 << d,
                        }
                    }
                }
                if weekly {
                    facts |= WEEKLY;
                }
            }
            _ => facts |= SCHEDULE_UNKNOWN,
        }
        facts |= u64::from(untimed) << UNTIMED_SHIFT;
        let mut when_terms = Vec::new();
        for (d, bits) in hours.iter().enumerate() {
            for h in 0..24 {
                if bits & (1 << h) != 0 {
                    when_terms.push(hour_term(d, h));
                }
            }
            if untimed & (1 << d) != 0 {
                when_terms.push(untimed_term(d));
            }
        }
        if facts & SCHEDULE_UNKNOWN != 0 {
            when_terms.push(UNKNOWN_TERM.to_string());
        }
        DocFacts {
            facts,
            hours,
            when_terms,
            town_key: placement.town.as_deref().map(town_key).unwrap_or(0),
        }
    }

    /// Hours of Monday–Tuesday, Wednesday–Thursday, Friday–Saturday and
    /// Sunday, 24 bits each, for the four `hours` fast fields.
    pub fn packed_hours(&self) -> [u64; 4] {
        let h = |d: usize| u64::from(self.hours[d]);
        [
            h(0) | (h(1) << 24),
            h(2) | (h(3) << 24),
            h(4) | (h(5) << 24),
            h(6),
        ]
    }
}

/// The `when` terms a wanted time accepts: the hours it covers, and the
/// records that cannot be ruled out (no times that day, schedule unknown).
pub(crate) fn wanted_terms(when: &WhenWanted) -> Vec<String> {
    let mut out = vec![UNKNOWN_TERM.to_string()];
    for (d, bits) in when.hours.iter().enumerate() {
        if *bits == 0 {
            continue;
        }
        out.push(untimed_term(d));
        for h in 0..24 {
            if bits & (1 << h) != 0 {
                out.push(hour_term(d, h));
            }
        }
    }
    out
}

/// A stable key of a 町丁目 name (FNV-1a), 0 for none.
pub fn town_key(town: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in town.trim().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h.max(1)
}

/// The order of a hit: fewer unmet wishes first, then in the place, then
/// nearer, then the text score. Compared field by field.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct RankKey {
    /// Minus the number of wishes not known to be met.
    pub fit: i32,
    /// 1 when the record is in the wanted 町丁目 or its service area covers
    /// the place.
    pub in_place: u8,
    /// 1 when the text matches well (at least a share of the best text
    /// score): a record that only shares a category word with the query
    /// does not outrank a good match a little farther away.
    pub strong: u8,
    /// Minus the distance in 500 m steps (0 without a place).
    pub near: i32,
    pub text: Score,
}

/// Distance steps: within one step, the text decides.
const NEAR_STEP_M: f64 = 500.0;
/// A record without a point sorts after every record with one.
const NO_POINT_STEP: i32 = -1_000_000;

pub(crate) struct Ranker {
    pub prefs: Preferences,
    pub town_keys: Vec<u64>,
    /// Text scores at or above this are strong matches.
    pub strong_min: Score,
}

pub(crate) struct SegmentRanker {
    prefs: Preferences,
    town_keys: Vec<u64>,
    strong_min: Score,
    facts: Column<u64>,
    hours: [Column<u64>; 4],
    fee: Column<i64>,
    town: Column<u64>,
    lat: Column<f64>,
    lon: Column<f64>,
}

impl tantivy::collector::ScoreTweaker<RankKey> for Ranker {
    type Child = SegmentRanker;

    fn segment_tweaker(&self, reader: &SegmentReader) -> tantivy::Result<SegmentRanker> {
        let ff = reader.fast_fields();
        let u = |name: &str| -> tantivy::Result<Column<u64>> { ff.u64(name) };
        Ok(SegmentRanker {
            prefs: self.prefs.clone(),
            town_keys: self.town_keys.clone(),
            strong_min: self.strong_min,
            facts: u(schema::FACTS_FIELD)?,
            hours: [
                u(schema::HOURS_FIELDS[0])?,
                u(schema::HOURS_FIELDS[1])?,
                u(schema::HOURS_FIELDS[2])?,
                u(schema::HOURS_FIELDS[3])?,
            ],
            fee: ff.i64(schema::FEE_FIELD)?,
            town: u(schema::TOWN_FIELD)?,
            lat: ff.f64(schema::LAT_FIELD)?,
            lon: ff.f64(schema::LON_FIELD)?,
        })
    }
}

impl tantivy::collector::ScoreSegmentTweaker<RankKey> for SegmentRanker {
    fn score(&mut self, doc: DocId, score: Score) -> RankKey {
        let facts = self.facts.first(doc).unwrap_or(0);
        let mut misses = 0i32;
        if let Some(when) = &self.prefs.when {
            let packed: [u64; 4] = [
                self.hours[0].first(doc).unwrap_or(0),
                self.hours[1].first(doc).unwrap_or(0),
                self.hours[2].first(doc).unwrap_or(0),
                self.hours[3].first(doc).unwrap_or(0),
            ];
            let day = |d: usize| -> u32 { ((packed[d / 2] >> (24 * (d % 2))) & 0xff_ffff) as u32 };
            let fits = (0..7).any(|d| when.hours[d] & day(d) != 0);
            if !fits {
                misses += 1;
            }
            if when.weekly && facts & WEEKLY == 0 {
                misses += 1;
            }
        }
        if self.prefs.fee_known_first && self.fee.first(doc).unwrap_or(-1) < 0 {
            misses += 1;
        }
        for f in &self.prefs.features {
            let i = Feature::ALL.iter().position(|x| x == f).unwrap_or(0) as u32;
            if facts & (1 << (FEATURE_SHIFT + i)) == 0 {
                misses += 1;
            }
        }
        for w in &self.prefs.who {
            let i = Who::ALL.iter().position(|x| x == w).unwrap_or(0) as u32;
            if facts & (1 << (WHO_SHIFT + i)) == 0 {
                misses += 1;
            }
        }
        let (mut in_place, mut near) = (0u8, 0i32);
        if let Some(place) = &self.prefs.place {
            let town = self.town.first(doc).unwrap_or(0);
            let covers = facts & AREA_CITY != 0
                || place.ward.is_some_and(|w| {
                    let i = Ward::ALL.iter().position(|x| *x == w).unwrap_or(0) as u32;
                    facts & (1 << (AREA_WARD_SHIFT + i)) != 0
                });
            if (town != 0 && self.town_keys.contains(&town)) || covers {
                in_place = 1;
            } else if let Some(here) = place.point {
                let lat = self.lat.first(doc).unwrap_or(f64::NAN);
                let lon = self.lon.first(doc).unwrap_or(f64::NAN);
                near = if lat.is_finite() && lon.is_finite() {
                    let d = tsunagu_geo_free_distance(here, (lat, lon));
                    -((d / NEAR_STEP_M).floor() as i32) - 1
                } else {
                    NO_POINT_STEP
                };
            }
        }
        RankKey {
            fit: -misses,
            in_place,
            strong: u8::from(score >= self.strong_min),
            near,
            text: score,
        }
    }
}

/// Every match with its rank key, for searches near a place: whether a
/// match is strong depends on the best text score of all matches, which
/// is only known at the end. Collecting every key once and choosing the
/// top afterwards (`top_ranked`) costs less than the second evaluation of
/// the query that finding the best score first would take.
pub(crate) struct AllRanked(pub Ranker);

pub(crate) struct AllRankedSegment {
    ord: tantivy::SegmentOrdinal,
    ranker: SegmentRanker,
    found: Vec<(RankKey, tantivy::DocAddress)>,
}

impl tantivy::collector::Collector for AllRanked {
    type Fruit = Vec<(RankKey, tantivy::DocAddress)>;
    type Child = AllRankedSegment;

    fn for_segment(
        &self,
        ord: tantivy::SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<AllRankedSegment> {
        use tantivy::collector::ScoreTweaker;
        Ok(AllRankedSegment {
            ord,
            ranker: self.0.segment_tweaker(reader)?,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(RankKey, tantivy::DocAddress)>>,
    ) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl tantivy::collector::SegmentCollector for AllRankedSegment {
    type Fruit = Vec<(RankKey, tantivy::DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        use tantivy::collector::ScoreSegmentTweaker;
        let key = self.ranker.score(doc, score);
        self.found
            .push((key, tantivy::DocAddress::new(self.ord, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}

/// The `limit` best of all keys after `offset`, with `strong` set from the
/// best text score: what a top-N collector with that `strong_min` gives
/// (ties by document address, as tantivy breaks them).
pub(crate) fn top_ranked(
    mut all: Vec<(RankKey, tantivy::DocAddress)>,
    strong_share: Score,
    offset: usize,
    limit: usize,
) -> Vec<(RankKey, tantivy::DocAddress)> {
    let best = all.iter().map(|(k, _)| k.text).fold(0.0, Score::max);
    let strong_min = best * strong_share;
    for (key, _) in &mut all {
        key.strong = u8::from(key.text >= strong_min);
    }
    let order = |a: &(RankKey, tantivy::DocAddress), b: &(RankKey, tantivy::DocAddress)| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.1.cmp(&b.1))
    };
    let wanted = offset.saturating_add(limit);
    if wanted < all.len() {
        all.select_nth_unstable_by(wanted, order);
        all.truncate(wanted);
    }
    all.sort_by(order);
    all.into_iter().skip(offset).collect()
}

/// Haversine metres (the index does not depend on the geo crate).
fn tsunagu_geo_free_distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6_371_008.8;
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagu_model::TimeOfDay;

    fn slot(days: &[Weekday], start: Option<(u16, u16)>, end: Option<(u16, u16)>) -> TimeSlot {
        TimeSlot {
            weekdays: days.to_vec(),
            start: start.and_then(|(h, m)| TimeOfDay::from_minutes(h * 60 + m)),
            end: end.and_then(|(h, m)| TimeOfDay::from_minutes(h * 60 + m)),
            ..TimeSlot::default()
        }
    }

    #[test]
    fn slot_hours_cover_the_hours_it_overlaps() {
        assert_eq!(
            slot_hours(&slot(&[Weekday::Mon], Some((9, 30)), Some((11, 0)))),
            Some((1 << 9) | (1 << 10))
        );
        assert_eq!(
            slot_hours(&slot(&[Weekday::Mon], Some((13, 0)), Some((15, 30)))),
            Some((1 << 13) | (1 << 14) | (1 << 15))
        );
        assert_eq!(slot_hours(&slot(&[Weekday::Mon], None, None)), None);
    }

    #[test]
    fn doc_facts_mark_unknown_and_untimed_schedules() {
        let record: Record =
            serde_json::from_str(r#"{"id":"x","kind":"kayoi","name":"x","categories":["salon"]}"#)
                .unwrap();
        let unknown = DocFacts::of(&record, &Placement::default());
        assert!(unknown.facts & SCHEDULE_UNKNOWN != 0);
        assert_eq!(unknown.when_terms, vec![UNKNOWN_TERM.to_string()]);
        let placement = Placement {
            schedule: ScheduleKnowledge::Slots(vec![
                slot(&[Weekday::Thu], Some((10, 0)), Some((12, 0))),
                slot(&[Weekday::Sat], None, None),
            ]),
            ..Placement::default()
        };
        let f = DocFacts::of(&record, &placement);
        assert!(f.facts & SCHEDULE_UNKNOWN == 0);
        assert!(f.facts & WEEKLY != 0);
        assert_eq!(f.hours[3], (1 << 10) | (1 << 11));
        assert!(f.when_terms.contains(&"d3h10".to_string()));
        assert!(f.when_terms.contains(&"d5hx".to_string()));
        let packed = f.packed_hours();
        assert_eq!((packed[1] >> 24) as u32, f.hours[3]);
    }

    #[test]
    fn rank_keys_order_fit_then_place_then_distance_then_text() {
        let a = RankKey {
            fit: 0,
            in_place: 0,
            strong: 1,
            near: -3,
            text: 1.0,
        };
        let b = RankKey {
            fit: -1,
            in_place: 1,
            strong: 1,
            near: 0,
            text: 9.0,
        };
        assert!(a > b);
        let c = RankKey {
            fit: 0,
            in_place: 0,
            strong: 1,
            near: -1,
            text: 0.5,
        };
        assert!(c > a);
    }

    /// `top_ranked` gives what ranking with the best score known up front
    /// gives: strong from the best text score, key order, ties by address,
    /// offset and limit.
    #[test]
    fn top_ranked_orders_as_a_top_n_with_known_best() {
        let key = |fit: i32, near: i32, text: Score| RankKey {
            fit,
            in_place: 0,
            strong: 0,
            near,
            text,
        };
        let at = |doc: u32| tantivy::DocAddress::new(0, doc);
        let all = vec![
            (key(0, -3, 10.0), at(0)), // strong, far
            (key(0, -1, 2.0), at(1)),  // weak (below 10 × 0.5), near
            (key(0, -1, 6.0), at(2)),  // strong, near
            (key(-1, -1, 9.0), at(3)), // misses a wish
            (key(0, -1, 6.0), at(4)),  // ties with doc 2
        ];
        let docs = |v: Vec<(RankKey, tantivy::DocAddress)>| -> Vec<u32> {
            v.into_iter().map(|(_, a)| a.doc_id).collect()
        };
        assert_eq!(
            docs(top_ranked(all.clone(), 0.5, 0, 10)),
            vec![2, 4, 0, 1, 3]
        );
        assert_eq!(docs(top_ranked(all.clone(), 0.5, 1, 2)), vec![4, 0]);
        assert_eq!(docs(top_ranked(all.clone(), 0.5, 9, 2)), Vec::<u32>::new());
        // With every match strong, distance decides before text.
        assert_eq!(docs(top_ranked(all, 0.0, 0, 3)), vec![2, 4, 1]);
        assert!(top_ranked(Vec::new(), 0.5, 0, 3).is_empty());
    }
}

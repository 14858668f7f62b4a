//! No answer ever contains a resource that breaks a hard rule of
//! spec/match.md, over random records and requests: fees in every unit
//! (time-priced ones compared by what one unit costs), features published
//! or read from the listing's text, and ranking that never puts a partial
//! time fit before a whole one.

#![allow(clippy::unwrap_used)] // tests may unwrap

use chrono::NaiveDate;
use proptest::prelude::*;
use tsunagu_geo::distance_m;
use tsunagu_match::{
    Availability, Candidate, MatchRequest, RequestLocation, SeniorPlace, TimeFit, Wording, rank,
};
use tsunagu_model::{
    Audience, Category, Fact, Feature, FeeKnowledge, FeeUnit, Kind, ListingFact, Placement, Record,
    ScheduleKnowledge, Status, TimeOfDay, TimeSlot, Visibility, Weekday, area_keys,
    record_from_json,
};

const HERE: (f64, f64) = (35.64, 140.10);

fn weekday() -> impl Strategy<Value = Weekday> {
    prop::sample::select(Weekday::ALL.to_vec())
}

fn slot() -> impl Strategy<Value = TimeSlot> {
    (
        prop::collection::vec(weekday(), 0..3),
        0u16..20,
        1u16..6,
        any::<bool>(),
    )
        .prop_map(|(w, start, len, days)| TimeSlot {
            days: if w.is_empty() && days {
                vec![15]
            } else {
                Vec::new()
            },
            weekdays: w,
            start: TimeOfDay::from_minutes(start * 60),
            end: TimeOfDay::from_minutes((start + len).min(24) * 60),
            ..TimeSlot::default()
        })
}

/// A fee in any unit; an hourly one may price 15 to 180 minutes.
fn fee() -> impl Strategy<Value = FeeKnowledge> {
    (
        prop::option::of(0u64..1500),
        prop::sample::select(vec![
            FeeUnit::PerVisit,
            FeeUnit::PerMeal,
            FeeUnit::PerHour,
            FeeUnit::PerMonth,
            FeeUnit::PerYear,
            FeeUnit::Unknown,
        ]),
        prop::option::of(prop::sample::select(vec![15u16, 30, 60, 90, 120, 180])),
    )
        .prop_map(|(yen, unit, minutes)| FeeKnowledge {
            yen,
            unit: if yen.is_some() {
                unit
            } else {
                FeeUnit::Unknown
            },
            minutes: if unit == FeeUnit::PerHour {
                minutes
            } else {
                None
            },
        })
}

fn fact(feature: Feature) -> ListingFact {
    ListingFact {
        fact: Fact::Feature(feature),
        phrase: format!("{}（説明より）", feature.label_ja()),
        field: "description".into(),
        decision: None,
    }
}

#[derive(Debug, Clone)]
struct Gen {
    record: Record,
    placement: Placement,
}

fn candidate(i: usize) -> impl Strategy<Value = Gen> {
    (
        prop::sample::select(vec![Kind::Kayoi, Kind::Service]),
        prop::collection::vec(prop::sample::select(Category::ALL.to_vec()), 1..3),
        prop::sample::select(vec![Status::Active, Status::Active, Status::Paused, Status::Closed]),
        prop::sample::select(vec![Visibility::Public, Visibility::Public, Visibility::Internal]),
        prop::option::of((-0.03f64..0.03, -0.03f64..0.03)),
        prop::collection::vec(prop::sample::select(vec!["千葉市", "稲毛区", "美浜区", "稲毛区小仲台"]), 0..2),
        prop::option::of(prop::collection::vec(slot(), 1..3)),
        fee(),
        prop::collection::vec(prop::sample::select(Feature::ALL.to_vec()), 0..3),
        prop::collection::vec(prop::sample::select(Feature::ALL.to_vec()), 0..3),
    )
        .prop_map(move |(kind, cats, status, vis, offset, areas, slots, fee, features, read)| {
            let v = serde_json::json!({"id": format!("r{i}"), "kind": kind.code(), "name": format!("資源{i}"),
                "categories": cats.iter().map(|c| c.code()).collect::<Vec<_>>(), "address": "千葉市稲毛区小仲台2丁目",
                "service_area": areas, "status": status.code(), "visibility": vis.code(),
                "features": features.iter().map(|f| f.code()).collect::<Vec<_>>()});
            let record = record_from_json(v.as_object().unwrap()).unwrap();
            let placement = Placement {
                lat: offset.map(|o| HERE.0 + o.0),
                lon: offset.map(|o| HERE.1 + o.1),
                schedule: slots.map(ScheduleKnowledge::Slots).unwrap_or_default(),
                fee,
                facts: read.into_iter().map(fact).collect(),
                ..Placement::default()
            };
            Gen { record, placement }
        })
}

fn request() -> impl Strategy<Value = MatchRequest> {
    (
        100f64..3000.0,
        prop::collection::vec(prop::sample::select(Category::ALL.to_vec()), 1..4),
        prop::collection::vec(
            (prop::collection::vec(weekday(), 1..3), 0u16..20, 1u16..8),
            0..2,
        ),
        prop::option::of(0u64..1000),
        prop::collection::vec(prop::sample::select(Feature::ALL.to_vec()), 0..2),
        prop::sample::select(vec![Audience::Public, Audience::Coordinator]),
    )
        .prop_map(
            |(dist, needs, avail, fee, requires, audience)| MatchRequest {
                location: RequestLocation::Point {
                    lat: HERE.0,
                    lon: HERE.1,
                },
                max_distance_m: dist,
                needs,
                needs_text: None,
                available: avail
                    .into_iter()
                    .map(|(w, s, l)| Availability {
                        weekdays: w,
                        start: TimeOfDay::from_minutes(s * 60),
                        end: TimeOfDay::from_minutes((s + l).min(24) * 60),
                    })
                    .collect(),
                max_fee_yen: fee,
                requires,
                kinds: Vec::new(),
                audience,
                limit_per_need: 50,
                record: false,
            },
        )
}

fn overlaps(s: &TimeSlot, a: &Availability) -> bool {
    let days = if s.weekdays.is_empty() {
        true
    } else {
        s.weekdays.iter().any(|w| a.weekdays.contains(w))
    };
    let (s1, e1) = (
        s.start.map(|t| t.minutes()).unwrap_or(0),
        s.end.map(|t| t.minutes()).unwrap_or(1440),
    );
    let (s2, e2) = (
        a.start.map(|t| t.minutes()).unwrap_or(0),
        a.end.map(|t| t.minutes()).unwrap_or(1440),
    );
    days && s1 < e2 && s2 < e1
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn answers_never_break_a_hard_rule(
        gens in (0usize..40).prop_flat_map(|n| (0..n).map(candidate).collect::<Vec<_>>()),
        req in request(),
    ) {
        let place = SeniorPlace { lat: HERE.0, lon: HERE.1, area_keys: area_keys(&["千葉市".into(), "稲毛区".into(), "稲毛区小仲台".into()]) };
        let candidates: Vec<Candidate<'_>> = gens.iter().map(|g| Candidate { record: &g.record, placement: &g.placement }).collect();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        for need in &req.needs {
            let answer = rank(*need, &candidates, &req, &place, today, &Wording::default());
            for m in &answer.matches {
                let g = gens.iter().find(|g| g.record.id == m.id).unwrap();
                let r = &g.record;
                prop_assert_eq!(r.status, Status::Active);
                prop_assert!(!(req.audience == Audience::Public && r.visibility == Visibility::Internal));
                prop_assert!(r.categories.contains(need));
                let covered = r.kind == Kind::Service && area_keys(&r.service_area).iter().any(|k| place.area_keys.contains(k));
                if let Some(p) = g.placement.point() {
                    let beyond = distance_m(HERE, p) > req.max_distance_m;
                    prop_assert!(!beyond || covered, "{} beyond {} m and not covered", m.id, req.max_distance_m);
                }
                if let ScheduleKnowledge::Slots(slots) = &g.placement.schedule
                    && !req.available.is_empty()
                {
                    prop_assert!(slots.iter().any(|s| req.available.iter().any(|a| overlaps(s, a))), "{} schedule", m.id);
                }
                if let (Some(max), Some(fee)) = (req.max_fee_yen, g.placement.fee.least_per_use()) {
                    prop_assert!(fee <= max, "{} fee {} > {}", m.id, fee, max);
                }
                if req.max_fee_yen == Some(0) {
                    prop_assert!(g.placement.fee.yen.unwrap_or(0) == 0, "{} is not free", m.id);
                }
                for f in &req.requires {
                    prop_assert!(g.placement.has_feature(r, *f), "{} lacks {:?}", m.id, f);
                    if !r.features.contains(f) {
                        let said = format!("説明文「{}（説明より）」より・要確認）", f.label_ja());
                        prop_assert!(
                            m.reasons.iter().any(|x| x.ends_with(&said)),
                            "{}: {:?} read from text is said so: {:?}", m.id, f, m.reasons
                        );
                    }
                }
                if let Some(price) = g.placement.fee.describe_ja() {
                    prop_assert!(m.reasons.iter().any(|x| x.starts_with(&price)), "{} price {price}: {:?}", m.id, m.reasons);
                    prop_assert!(!m.reasons.iter().any(|x| x == "費用要確認"), "{}", m.id);
                }
                prop_assert!(!m.reasons.is_empty());
            }
            // A partial time fit never comes before a whole one.
            let fits: Vec<TimeFit> = answer.matches.iter().map(|m| m.time_fit).collect();
            if let Some(first_partial) = fits.iter().position(|f| *f == TimeFit::Partial) {
                prop_assert!(fits[first_partial..].iter().all(|f| *f == TimeFit::Partial), "{fits:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Issue 12: a fee priced by time (「1時間600円」) costs at least one
    /// unit, so it is above a smaller budget and above a free-only request;
    /// whatever the price, unit length and budget, no returned candidate
    /// costs more per use than `max_fee_yen`.
    #[test]
    fn no_answer_breaks_the_fee_rule_for_time_priced_fees(
        fees in prop::collection::vec(
            (0u64..3000, prop::option::of(prop::sample::select(vec![10u16, 15, 30, 45, 60, 90, 120, 240]))),
            1..12,
        ),
        budget in prop_oneof![Just(0u64), 0u64..3000],
        kind in prop::sample::select(vec![Kind::Kayoi, Kind::Service]),
    ) {
        let gens: Vec<Gen> = fees.iter().enumerate().map(|(i, (yen, minutes))| {
            let v = serde_json::json!({"id": format!("t{i}"), "kind": kind.code(), "name": format!("時間制{i}"),
                "categories": ["housework"], "address": "千葉市稲毛区小仲台2丁目", "service_area": ["千葉市"]});
            Gen {
                record: record_from_json(v.as_object().unwrap()).unwrap(),
                placement: Placement {
                    lat: Some(HERE.0),
                    lon: Some(HERE.1 + 0.001 * i as f64),
                    fee: FeeKnowledge { yen: Some(*yen), unit: FeeUnit::PerHour, minutes: *minutes },
                    ..Placement::default()
                },
            }
        }).collect();
        let candidates: Vec<Candidate<'_>> = gens.iter().map(|g| Candidate { record: &g.record, placement: &g.placement }).collect();
        let req = MatchRequest {
            location: RequestLocation::Point { lat: HERE.0, lon: HERE.1 },
            max_distance_m: 5000.0,
            needs: vec![Category::Housework],
            needs_text: None,
            available: Vec::new(),
            max_fee_yen: Some(budget),
            requires: Vec::new(),
            kinds: Vec::new(),
            audience: Audience::Public,
            limit_per_need: 100,
            record: false,
        };
        let place = SeniorPlace { lat: HERE.0, lon: HERE.1, area_keys: area_keys(&["千葉市".into()]) };
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let answer = rank(Category::Housework, &candidates, &req, &place, today, &Wording::default());
        for m in &answer.matches {
            let g = gens.iter().find(|g| g.record.id == m.id).unwrap();
            let least = g.placement.fee.least_per_use().unwrap();
            prop_assert!(least <= budget, "{} costs at least {least} > {budget}", m.id);
            prop_assert!(!m.reasons.iter().any(|r| r == "費用要確認"), "{:?}", m.reasons);
            prop_assert!(!m.unknowns.iter().any(|u| u == "費用要確認"), "{:?}", m.unknowns);
        }
        // Nothing affordable is lost either.
        let affordable = fees.iter().filter(|(yen, _)| *yen <= budget).count();
        prop_assert_eq!(answer.matches.len(), affordable);
    }
}

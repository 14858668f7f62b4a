//! One candidate at a time, built by hand: the rules and reasons of issue 12
//! (time-priced fees, features read from a listing's text, partial time
//! fits, 利用/参加 and 毎日) and the ranking tiers of named and refused
//! activities.

#![allow(clippy::unwrap_used)] // tests may unwrap

use chrono::NaiveDate;
use tsunagu_match::{
    Availability, Candidate, Excluded, Keyword, Match, MatchRequest, RequestLocation, SeniorPlace,
    TimeFit, Wording, evaluate, rank,
};
use tsunagu_model::{
    Audience, Category, Fact, Feature, FeeKnowledge, FeeUnit, Kind, ListingFact, Placement, Record,
    ScheduleKnowledge, TimeOfDay, TimeSlot, Weekday, area_keys, record_from_json,
};

const HERE: (f64, f64) = (35.64, 140.10);

fn record(id: &str, kind: Kind, extra: serde_json::Value) -> Record {
    let mut v = serde_json::json!({"id": id, "kind": kind.code(), "name": format!("資源 {id}"),
        "categories": ["salon", "housework"], "address": "千葉市稲毛区小仲台2丁目"});
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in e {
            o.insert(k.clone(), x.clone());
        }
    }
    record_from_json(v.as_object().unwrap()).unwrap()
}

/// A placement about 110 m north of the senior.
fn near() -> Placement {
    Placement {
        lat: Some(HERE.0 + 0.001),
        lon: Some(HERE.1),
        ..Placement::default()
    }
}

fn request() -> MatchRequest {
    MatchRequest {
        location: RequestLocation::Point {
            lat: HERE.0,
            lon: HERE.1,
        },
        max_distance_m: 1000.0,
        needs: vec![Category::Salon],
        needs_text: None,
        available: Vec::new(),
        max_fee_yen: None,
        requires: Vec::new(),
        kinds: Vec::new(),
        audience: Audience::Public,
        limit_per_need: 10,
        record: false,
    }
}

fn place() -> SeniorPlace {
    SeniorPlace {
        lat: HERE.0,
        lon: HERE.1,
        area_keys: area_keys(&["千葉市".into(), "稲毛区".into()]),
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn eval(r: &Record, p: &Placement, req: &MatchRequest, need: Category) -> Result<Match, Excluded> {
    evaluate(
        &Candidate {
            record: r,
            placement: p,
        },
        need,
        req,
        &place(),
        today(),
        &Wording::default(),
    )
}

fn hourly(yen: u64, minutes: Option<u16>) -> FeeKnowledge {
    FeeKnowledge {
        yen: Some(yen),
        unit: FeeUnit::PerHour,
        minutes,
    }
}

fn time(h: u16, m: u16) -> Option<TimeOfDay> {
    TimeOfDay::from_minutes(h * 60 + m)
}

fn slot(weekdays: &[Weekday], from: (u16, u16), to: (u16, u16)) -> TimeSlot {
    TimeSlot {
        weekdays: weekdays.to_vec(),
        start: time(from.0, from.1),
        end: time(to.0, to.1),
        ..TimeSlot::default()
    }
}

fn free(weekdays: &[Weekday], from: (u16, u16), to: (u16, u16)) -> Availability {
    Availability {
        weekdays: weekdays.to_vec(),
        start: time(from.0, from.1),
        end: time(to.0, to.1),
    }
}

// ------------------------------------------------------------------ fees

#[test]
fn a_time_priced_fee_is_above_a_smaller_budget_and_a_free_only_request() {
    let r = record(
        "h1",
        Kind::Service,
        serde_json::json!({"service_area": ["千葉市"]}),
    );
    let p = Placement {
        fee: hourly(600, None),
        ..near()
    };
    let mut req = request();
    for (budget, kept) in [
        (Some(0), false),
        (Some(500), false),
        (Some(600), true),
        (None, true),
    ] {
        req.max_fee_yen = budget;
        let got = eval(&r, &p, &req, Category::Housework);
        assert_eq!(got.is_ok(), kept, "budget {budget:?}: {got:?}");
        if let Err(e) = got {
            assert_eq!(e, Excluded::Fee);
        }
    }
    req.max_fee_yen = Some(600);
    let m = eval(&r, &p, &req, Category::Housework).unwrap();
    assert!(
        m.reasons.contains(&"1時間600円".to_string()),
        "{:?}",
        m.reasons
    );
    assert!(!m.reasons.iter().any(|x| x.contains("費用要確認")));
    assert!(!m.unknowns.contains(&"費用要確認".to_string()));

    // 「30分300円」 costs at least 300 per use.
    let p = Placement {
        fee: hourly(300, Some(30)),
        ..near()
    };
    req.max_fee_yen = Some(299);
    assert_eq!(
        eval(&r, &p, &req, Category::Housework).unwrap_err(),
        Excluded::Fee
    );
    req.max_fee_yen = Some(300);
    let m = eval(&r, &p, &req, Category::Housework).unwrap();
    assert!(
        m.reasons.contains(&"30分300円".to_string()),
        "{:?}",
        m.reasons
    );
}

#[test]
fn monthly_and_yearly_fees_are_shown_but_unknown_per_visit() {
    let r = record("m1", Kind::Kayoi, serde_json::json!({}));
    let mut req = request();
    req.max_fee_yen = Some(100);
    for (unit, said) in [
        (FeeUnit::PerMonth, "月500円（1回あたりは不明）"),
        (FeeUnit::PerYear, "年500円（1回あたりは不明）"),
    ] {
        let p = Placement {
            fee: FeeKnowledge {
                yen: Some(500),
                unit,
                minutes: None,
            },
            ..near()
        };
        let m = eval(&r, &p, &req, Category::Salon).unwrap();
        assert!(m.reasons.contains(&said.to_string()), "{:?}", m.reasons);
        assert!(m.unknowns.contains(&"費用要確認".to_string()));
        // Any positive amount is above a request for free resources only.
        let mut free_only = req.clone();
        free_only.max_fee_yen = Some(0);
        assert_eq!(
            eval(&r, &p, &free_only, Category::Salon).unwrap_err(),
            Excluded::Fee
        );
    }
    // 月0円 is free whatever the unit.
    let p = Placement {
        fee: FeeKnowledge {
            yen: Some(0),
            unit: FeeUnit::PerMonth,
            minutes: None,
        },
        ..near()
    };
    req.max_fee_yen = Some(0);
    let m = eval(&r, &p, &req, Category::Salon).unwrap();
    assert!(m.reasons.contains(&"無料".to_string()));
    // Nothing known: 費用要確認, and kept.
    let m = eval(&r, &near(), &req, Category::Salon).unwrap();
    assert!(m.reasons.contains(&"費用要確認".to_string()));
}

#[test]
fn per_visit_and_per_meal_prices_read_as_before() {
    let r = record("v1", Kind::Kayoi, serde_json::json!({}));
    let req = request();
    for (unit, said) in [
        (FeeUnit::PerVisit, "1回1,200円"),
        (FeeUnit::PerMeal, "1食1,200円"),
    ] {
        let p = Placement {
            fee: FeeKnowledge {
                yen: Some(1200),
                unit,
                minutes: None,
            },
            ..near()
        };
        let m = eval(&r, &p, &req, Category::Salon).unwrap();
        assert!(m.reasons.contains(&said.to_string()), "{:?}", m.reasons);
    }
}

// ------------------------------------------------------------------ features

fn parking_from_text() -> ListingFact {
    ListingFact {
        fact: Fact::Feature(Feature::Parking),
        phrase: "駐車場あり（3台）".into(),
        field: "description".into(),
        decision: None,
    }
}

#[test]
fn a_coordinators_decision_on_a_text_fact_changes_what_it_grants() {
    use tsunagu_model::{FactDecision, FactVerdict};
    let r = record("p3", Kind::Kayoi, serde_json::json!({}));
    let mut req = request();
    req.requires = vec![Feature::Parking];
    let decided = |verdict| Placement {
        facts: vec![ListingFact {
            decision: Some(FactDecision {
                verdict,
                on: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            }),
            ..parking_from_text()
        }],
        ..near()
    };
    let m = eval(&r, &decided(FactVerdict::Confirmed), &req, Category::Salon).unwrap();
    assert!(
        m.reasons
            .contains(&"駐車場あり（説明文「駐車場あり（3台）」より・確認済み）".to_string()),
        "{:?}",
        m.reasons
    );
    assert_eq!(
        eval(&r, &decided(FactVerdict::Rejected), &req, Category::Salon).unwrap_err(),
        Excluded::Feature,
        "a rejected reading grants nothing"
    );
}

#[test]
fn a_required_feature_read_from_the_text_satisfies_requires_and_says_so() {
    let r = record(
        "p1",
        Kind::Kayoi,
        serde_json::json!({"features": ["trial"]}),
    );
    let mut req = request();
    req.requires = vec![Feature::Parking];
    assert_eq!(
        eval(&r, &near(), &req, Category::Salon).unwrap_err(),
        Excluded::Feature,
        "neither published nor read"
    );
    let p = Placement {
        facts: vec![parking_from_text()],
        ..near()
    };
    let m = eval(&r, &p, &req, Category::Salon).unwrap();
    assert!(
        m.reasons
            .contains(&"駐車場あり（説明文「駐車場あり（3台）」より・要確認）".to_string()),
        "{:?}",
        m.reasons
    );
    // A published feature is said plainly, and its text fact adds nothing.
    let published = record(
        "p2",
        Kind::Kayoi,
        serde_json::json!({"features": ["parking"]}),
    );
    let m = eval(&published, &p, &req, Category::Salon).unwrap();
    assert!(
        m.reasons.contains(&"駐車場あり".to_string()),
        "{:?}",
        m.reasons
    );
    assert!(!m.reasons.iter().any(|x| x.contains("説明文")));
}

#[test]
fn helpful_features_read_from_text_are_shown_and_count_half() {
    let r = record("w1", Kind::Kayoi, serde_json::json!({}));
    let read = Placement {
        facts: vec![ListingFact {
            fact: Fact::Feature(Feature::Wheelchair),
            phrase: "車いすの方も参加できます".into(),
            field: "target".into(),
            decision: None,
        }],
        ..near()
    };
    let m = eval(&r, &read, &request(), Category::Salon).unwrap();
    assert!(
        m.reasons.contains(
            &"車いすで参加できます（対象「車いすの方も参加できます」より・要確認）".to_string()
        ),
        "{:?}",
        m.reasons
    );
    let part = |m: &Match| {
        m.score_parts
            .iter()
            .find(|p| p.part == "features")
            .unwrap()
            .value
    };
    let published = record(
        "w2",
        Kind::Kayoi,
        serde_json::json!({"features": ["wheelchair"]}),
    );
    let m2 = eval(&published, &near(), &request(), Category::Salon).unwrap();
    assert!(part(&m) < part(&m2) && part(&m) > 0.0);
}

// ------------------------------------------------------------------ time

#[test]
fn a_session_longer_than_the_free_time_fits_in_part_and_ranks_below_whole_fits() {
    let long = record("t-long", Kind::Kayoi, serde_json::json!({}));
    let short = record("t-short", Kind::Kayoi, serde_json::json!({}));
    // The partial one is nearer and fresher: only the tier keeps it below.
    let p_long = Placement {
        schedule: ScheduleKnowledge::Slots(vec![slot(&[Weekday::Tue], (10, 0), (12, 0))]),
        lat: Some(HERE.0 + 0.0001),
        ..near()
    };
    let p_short = Placement {
        schedule: ScheduleKnowledge::Slots(vec![slot(&[Weekday::Tue], (10, 0), (11, 0))]),
        lat: Some(HERE.0 + 0.008),
        ..near()
    };
    let mut req = request();
    req.available = vec![free(&[Weekday::Tue], (10, 0), (11, 0))];
    let m = eval(&long, &p_long, &req, Category::Salon).unwrap();
    assert_eq!(m.time_fit, TimeFit::Partial);
    assert!(
        m.reasons
            .contains(&"毎週火曜 10:00〜12:00（一部の時間のみ合います）".to_string()),
        "{:?}",
        m.reasons
    );
    let m = eval(&short, &p_short, &req, Category::Salon).unwrap();
    assert_eq!(m.time_fit, TimeFit::Full);
    assert!(
        m.reasons
            .contains(&"毎週火曜 10:00〜11:00 に参加できます".to_string()),
        "{:?}",
        m.reasons
    );
    let candidates = [
        Candidate {
            record: &long,
            placement: &p_long,
        },
        Candidate {
            record: &short,
            placement: &p_short,
        },
    ];
    let ranked = rank(
        Category::Salon,
        &candidates,
        &req,
        &place(),
        today(),
        &Wording::default(),
    );
    let ids: Vec<&str> = ranked.matches.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["t-short", "t-long"]);
    assert!(
        ranked.matches[1].score > ranked.matches[0].score,
        "the tier, not the score, decides"
    );
}

#[test]
fn a_services_hours_that_cover_the_free_time_fit_whole_and_say_riyou() {
    let r = record(
        "s1",
        Kind::Service,
        serde_json::json!({"service_area": ["千葉市"]}),
    );
    let p = Placement {
        schedule: ScheduleKnowledge::Slots(vec![slot(Weekday::ALL, (8, 0), (20, 0))]),
        ..near()
    };
    let mut req = request();
    req.available = vec![free(&[Weekday::Tue, Weekday::Wed], (9, 0), (12, 0))];
    let m = eval(&r, &p, &req, Category::Housework).unwrap();
    assert_eq!(m.time_fit, TimeFit::Full);
    assert!(
        m.reasons
            .contains(&"毎週火・水曜 8:00〜20:00 に利用できます".to_string()),
        "{:?}",
        m.reasons
    );
    // Hours that only overlap the free time's end fit in part.
    let p = Placement {
        schedule: ScheduleKnowledge::Slots(vec![slot(&[Weekday::Tue], (11, 0), (15, 0))]),
        ..near()
    };
    let m = eval(&r, &p, &req, Category::Housework).unwrap();
    assert_eq!(m.time_fit, TimeFit::Partial);
    // No overlap at all: excluded, as before.
    let p = Placement {
        schedule: ScheduleKnowledge::Slots(vec![slot(&[Weekday::Tue], (13, 0), (15, 0))]),
        ..near()
    };
    assert_eq!(
        eval(&r, &p, &req, Category::Housework).unwrap_err(),
        Excluded::Schedule
    );
}

#[test]
fn a_whole_fit_is_preferred_over_an_earlier_partial_slot() {
    let r = record("k1", Kind::Kayoi, serde_json::json!({}));
    let p = Placement {
        schedule: ScheduleKnowledge::Slots(vec![
            slot(&[Weekday::Mon], (9, 0), (12, 0)),
            slot(&[Weekday::Thu], (10, 0), (11, 0)),
        ]),
        ..near()
    };
    let mut req = request();
    req.available = vec![free(&[Weekday::Mon, Weekday::Thu], (10, 0), (11, 30))];
    let m = eval(&r, &p, &req, Category::Salon).unwrap();
    assert_eq!(m.time_fit, TimeFit::Full);
    assert!(
        m.reasons
            .contains(&"毎週木曜 10:00〜11:00 に参加できます".to_string())
    );
}

#[test]
fn seven_weekdays_read_mainichi() {
    let r = record(
        "d1",
        Kind::Service,
        serde_json::json!({"service_area": ["千葉市"]}),
    );
    let p = Placement {
        schedule: ScheduleKnowledge::Slots(vec![slot(Weekday::ALL, (8, 0), (20, 0))]),
        ..near()
    };
    let m = eval(&r, &p, &request(), Category::Housework).unwrap();
    assert!(
        m.reasons.contains(&"毎日 8:00〜20:00".to_string()),
        "{:?}",
        m.reasons
    );
    let mut req = request();
    req.available = vec![free(Weekday::ALL, (9, 0), (12, 0))];
    let m = eval(&r, &p, &req, Category::Housework).unwrap();
    assert!(
        m.reasons
            .contains(&"毎日 8:00〜20:00 に利用できます".to_string()),
        "{:?}",
        m.reasons
    );
}

#[test]
fn features_are_worded_for_places_and_services() {
    let kayoi = record(
        "f1",
        Kind::Kayoi,
        serde_json::json!({"features": ["wheelchair", "dementia_friendly"]}),
    );
    let service = record(
        "f2",
        Kind::Service,
        serde_json::json!({"features": ["wheelchair", "dementia_friendly"], "service_area": ["千葉市"]}),
    );
    let m = eval(&kayoi, &near(), &request(), Category::Salon).unwrap();
    assert!(m.reasons.contains(&"車いすで参加できます".to_string()));
    assert!(m.reasons.contains(&"認知症の方も参加できます".to_string()));
    let m = eval(&service, &near(), &request(), Category::Housework).unwrap();
    assert!(m.reasons.contains(&"車いすで利用できます".to_string()));
    assert!(m.reasons.contains(&"認知症の方も利用できます".to_string()));
}

// ------------------------------------------------------------------ words

#[test]
fn a_named_activity_ranks_first_and_a_refused_one_last() {
    let go = record(
        "a-go",
        Kind::Kayoi,
        serde_json::json!({"categories": ["hobby"], "description": "囲碁を楽しむ会です"}),
    );
    let mahjong = record(
        "a-mahjong",
        Kind::Kayoi,
        serde_json::json!({"categories": ["hobby"], "description": "健康麻雀の会です", "verified_on": "2026-10-01"}),
    );
    let taiso = record(
        "a-taiso",
        Kind::Kayoi,
        serde_json::json!({"categories": ["hobby"], "description": "体操と囲碁", "verified_on": "2026-10-01"}),
    );
    // 囲碁 farthest, 麻雀 nearest: without the keyword, distance decides.
    let p_go = Placement {
        lat: Some(HERE.0 + 0.006),
        ..near()
    };
    let p_mahjong = Placement {
        lat: Some(HERE.0 + 0.0005),
        ..near()
    };
    let candidates = [
        Candidate {
            record: &go,
            placement: &p_go,
        },
        Candidate {
            record: &mahjong,
            placement: &p_mahjong,
        },
        Candidate {
            record: &taiso,
            placement: &p_mahjong,
        },
    ];
    let mut req = request();
    req.needs = vec![Category::Hobby];
    let order = |w: &Wording| {
        rank(Category::Hobby, &candidates, &req, &place(), today(), w)
            .matches
            .iter()
            .map(|m| m.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(order(&Wording::default())[2], "a-go");
    let wants_go = Wording {
        keywords: vec![Keyword::new("囲碁")],
        ..Wording::default()
    };
    let got = order(&wants_go);
    assert_eq!(got[2], "a-mahjong", "{got:?}");
    let ranked = rank(
        Category::Hobby,
        &candidates,
        &req,
        &place(),
        today(),
        &wants_go,
    );
    let go_match = ranked.matches.iter().find(|m| m.id == "a-go").unwrap();
    assert!(
        go_match
            .reasons
            .contains(&"ご希望の「囲碁」があります".to_string())
    );
    // Refusing 体操 puts the 体操 club last, even though it mentions 囲碁.
    let no_taiso = Wording {
        keywords: vec![Keyword::new("囲碁")],
        avoid: vec![Keyword::new("体操")],
        ..Wording::default()
    };
    assert_eq!(order(&no_taiso), ["a-go", "a-taiso", "a-mahjong"]);
    let avoid_only = Wording {
        avoid: vec![Keyword::new("体操")],
        ..Wording::default()
    };
    assert_eq!(order(&avoid_only).last().unwrap(), "a-taiso");
}

#[test]
fn keywords_compare_folded_kana_and_width() {
    let r = record(
        "kk",
        Kind::Kayoi,
        serde_json::json!({"categories": ["hobby"], "description": "ｶﾗｵｹで歌いましょう"}),
    );
    let mut req = request();
    req.needs = vec![Category::Hobby];
    let w = Wording {
        keywords: vec![Keyword::new("カラオケ")],
        ..Wording::default()
    };
    let m = evaluate(
        &Candidate {
            record: &r,
            placement: &near(),
        },
        Category::Hobby,
        &req,
        &place(),
        today(),
        &w,
    )
    .unwrap();
    assert_eq!(m.keywords, ["カラオケ"]);
}

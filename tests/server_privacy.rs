//! Property: whatever records the directory holds and whatever a public
//! caller asks of any public endpoint, no answer carries an internal
//! record, `notes_internal`, `contact.person` or anything about accounts.
//! Internal data is written with markers ("ZZ…") that public text never
//! contains, so a leak anywhere in an answer is seen.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod server_common;

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use tower::ServiceExt;
use tsunagu_engine::{Directory, ImportOptions};
use tsunagu_server::App;

const WORDS: &[&str] = &[
    "体操",
    "サロン",
    "囲碁",
    "麻雀",
    "配食",
    "見守り",
    "買い物",
    "ごみ出し",
    "カフェ",
    "認知症",
    "ヨガ",
    "散歩",
    "茶話会",
    "送迎",
    "無料",
    "若葉区",
    "月曜",
    "午前",
];
const TOWNS: &[&str] = &[
    "千葉市稲毛区小仲台2丁目",
    "千葉市中央区富士見2丁目",
    "千葉市美浜区真砂4丁目",
    "千葉市若葉区都賀3丁目",
    "千葉市緑区おゆみ野中央1丁目",
    "千葉市花見川区幕張本郷1丁目",
];
const CATEGORIES: &[&str] = &[
    "exercise",
    "salon",
    "hobby",
    "dementia_cafe",
    "meal_delivery",
    "watching",
    "shopping",
    "garbage",
];

fn record_strategy() -> impl Strategy<Value = (bool, usize, usize, usize, usize, bool)> {
    (
        any::<bool>(),
        0..WORDS.len(),
        0..TOWNS.len(),
        0..CATEGORIES.len(),
        0..WORDS.len(),
        any::<bool>(),
    )
}

/// Random records, about half internal, every one with an internal note
/// and a contact person; and an account.
fn app() -> &'static App {
    static APP: OnceLock<(tempfile::TempDir, App)> = OnceLock::new();
    &APP.get_or_init(|| {
        let mut runner = TestRunner::deterministic();
        let strategy = proptest::collection::vec(record_strategy(), 120);
        let drawn = strategy.new_tree(&mut runner).unwrap().current();
        let mut lines = String::new();
        for (i, (internal, w1, town, cat, w2, paused)) in drawn.into_iter().enumerate() {
            let category = CATEGORIES[cat];
            let kind = if ["meal_delivery", "watching", "shopping", "garbage"].contains(&category) {
                "service"
            } else {
                "kayoi"
            };
            let id = if internal {
                format!("zzinternal-{i}")
            } else {
                format!("pub-{i}")
            };
            let name = if internal {
                format!("ZZINTERNAL {} {}", WORDS[w1], WORDS[w2])
            } else {
                format!("{}の{}", WORDS[w1], WORDS[w2])
            };
            let mut rec = json!({
                "id": id, "kind": kind, "name": name, "categories": [category],
                "description": format!("{}と{}の会です", WORDS[w1], WORDS[w2]),
                "address": TOWNS[town],
                "contact": {"phone": format!("043-200-{i:04}"), "person": format!("ZZPERSON{i}")},
                "notes_internal": format!("ZZNOTE{i} 家族の事情あり"),
                "visibility": if internal { "internal" } else { "public" },
                "status": if paused { "paused" } else { "active" },
            });
            if i.is_multiple_of(3) {
                rec["service_area"] = json!(["千葉市"]);
            }
            lines.push_str(&rec.to_string());
            lines.push('\n');
        }
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let config = server_common::config(&data);
        let mut dir = Directory::open(&config).unwrap();
        let report = dir
            .import_bytes("random.jsonl", lines.as_bytes(), &ImportOptions::default())
            .unwrap();
        assert_eq!(report.rejected, 0, "{:?}", report.rejections);
        // An account, so that nothing about accounts can be leaked unseen.
        server_common::add_account(
            &data,
            "zzaccount",
            "admin",
            "ZZ 管理者",
            "zz-secret-password-1",
        );
        (tmp, server_common::app(config, dir, |_| {}))
    })
    .1
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A random public request to one of the public endpoints or pages.
fn request_strategy() -> impl Strategy<Value = (u8, usize, usize, usize, usize, bool)> {
    (
        0u8..17,
        0..WORDS.len(),
        0..TOWNS.len(),
        0..CATEGORIES.len(),
        1usize..60,
        any::<bool>(),
    )
}

fn build(
    (endpoint, w, town, cat, n, flag): (u8, usize, usize, usize, usize, bool),
) -> Request<Body> {
    let get = |uri: String| Request::get(uri).body(Body::empty()).unwrap();
    match endpoint {
        0 => get(format!(
            "/api/v1/resources/search?q={}&limit={n}",
            enc(WORDS[w])
        )),
        1 => get(format!(
            "/api/v1/resources/search?q={}&near={}&within=5000&include_inactive={flag}",
            enc(WORDS[w]),
            enc(TOWNS[town])
        )),
        2 => get(format!(
            "/api/v1/resources/search?category={}&limit={n}&include_inactive=true",
            CATEGORIES[cat]
        )),
        3 => get(format!(
            "/api/v1/resources/nearest?near={}&k={n}",
            enc(TOWNS[town])
        )),
        4 => get(if flag {
            format!("/api/v1/resources/zzinternal-{n}")
        } else {
            format!("/api/v1/resources/pub-{n}")
        }),
        5 => get("/api/v1/categories".into()),
        6 => get("/api/v1/wards".into()),
        // The public pages, with and without ふりがな and larger text.
        8 => get(format!("/search?q={}&page={}", enc(WORDS[w]), n % 3 + 1)),
        9 => get(format!(
            "/search?q={}&near={}",
            enc(WORDS[w]),
            enc(TOWNS[town])
        )),
        10 => get(format!("/search?category={}", CATEGORIES[cat])),
        11 => Request::get(if flag {
            format!("/resources/zzinternal-{n}")
        } else {
            format!("/resources/pub-{n}")
        })
        .header("cookie", "tsunagu_display=large.ruby")
        .body(Body::empty())
        .unwrap(),
        12 => get("/".into()),
        // The public 地域診断 report, in each format and scope.
        13 => get(format!(
            "/api/v1/reports/area?format=json&since=2000-01-01{}",
            if flag {
                "&ward=%E7%A8%B2%E6%AF%9B%E5%8C%BA"
            } else {
                ""
            }
        )),
        14 => get(format!(
            "/api/v1/reports/area?format=csv&audience=public&centre=AC{:02}",
            n % 28 + 1
        )),
        15 => get(format!(
            "/api/v1/reports/area?format=html&centre=AC{:02}&since=2000-01-01",
            n % 28 + 1
        )),
        // The public exports.
        16 => get(format!(
            "/api/v1/export?format={}",
            ["hsds", "csv", "geojson"][n % 3]
        )),
        _ => Request::post("/api/v1/match")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({
                    "needs": [CATEGORIES[cat]],
                    "needs_text": WORDS[w],
                    "location": {"address": TOWNS[town]},
                    "max_distance_m": 3000,
                })
                .to_string(),
            ))
            .unwrap(),
    }
}

#[test]
fn no_public_answer_carries_internal_data() {
    let app = app();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    let answered = std::cell::Cell::new(0);
    runner
        .run(&request_strategy(), |input| {
            let req = build(input);
            let uri = req.uri().to_string();
            let (status, text) = runtime.block_on(async {
                let response = app.router().oneshot(req).await.unwrap();
                let status = response.status();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                (status, String::from_utf8_lossy(&bytes).into_owned())
            });
            prop_assert!(status.as_u16() < 500, "{uri}: {status} {text}");
            for marker in [
                "ZZ",
                "zzinternal",
                "zzaccount",
                "notes_internal",
                "\"person\"",
            ] {
                prop_assert!(!text.contains(marker), "{uri} leaked {marker}: {text}");
            }
            if status.is_success() {
                answered.set(answered.get() + 1);
                if uri.contains("format=csv") {
                    prop_assert!(text.starts_with('\u{feff}'), "{uri}: {text}");
                } else if uri.contains("format=hsds") {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    prop_assert!(v.is_array());
                } else if uri.starts_with("/api/") && !uri.contains("format=html") {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    prop_assert!(v.is_object());
                } else {
                    prop_assert!(text.starts_with("<!doctype html>"), "{uri}: {text}");
                }
            }
            Ok(())
        })
        .unwrap();
    let answered = answered.get();
    assert!(
        answered > 200,
        "most random requests are answered: {answered}"
    );
}

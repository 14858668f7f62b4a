//! The service's public API through the real router (`oneshot`), on the
//! bundled seed data: answers, errors as JSON naming the parameter, the
//! public/internal split, and edits visible to search at once.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod server_common;

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use server_common::{config, seeded};
use tower::ServiceExt;
use tsunagu_engine::{Actor, Directory, EditRequest, EditScope, RecordEdit, SearchQuery};
use tsunagu_server::App;

/// A data directory with the seed records, and the app over it.
fn seeded_app() -> (tempfile::TempDir, App) {
    let tmp = tempfile::tempdir().unwrap();
    let (config, dir) = seeded(&tmp.path().join("data"));
    (tmp, server_common::app(config, dir, |_| {}))
}

/// One app for the read-only tests.
fn shared() -> &'static App {
    static APP: OnceLock<(tempfile::TempDir, App)> = OnceLock::new();
    &APP.get_or_init(seeded_app).1
}

async fn call(app: &App, req: Request<Body>) -> (StatusCode, Value) {
    let response = app.router().oneshot(req).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, value)
}

async fn get(app: &App, uri: &str) -> (StatusCode, Value) {
    call(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post_json(app: &App, uri: &str, body: &Value) -> (StatusCode, Value) {
    call(
        app,
        Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn error_field(v: &Value) -> Option<&str> {
    v["error"]["field"].as_str()
}

#[tokio::test]
async fn health_and_readiness() {
    let app = shared();
    let (s, v) = get(app, "/healthz").await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, v) = get(app, "/readyz").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ready"], json!(true));
    assert!(v["store_seq"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn search_answers_as_the_engine_does_with_its_understanding() {
    let app = shared();
    let q = "若葉区 体操";
    let (s, v) = get(
        app,
        &format!("/api/v1/resources/search?q={}&limit=5", enc(q)),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["total"].as_u64().unwrap() > 0);
    assert_eq!(
        v["understanding"]["understood"][0]["value"],
        json!("若葉区")
    );
    assert_eq!(v["understanding"]["text"], json!("体操"));
    // The same answer as the engine (and so the CLI's --format json).
    let data = app
        .state
        .readers
        .run(|d| Ok(d.data_dir().to_path_buf()))
        .await
        .unwrap();
    let reader = Directory::open_reader(&config(&data)).unwrap();
    let direct = reader
        .search_understood(
            &SearchQuery {
                text: q.into(),
                limit: 5,
                ..SearchQuery::default()
            },
            false,
        )
        .unwrap();
    // Scores go through f32 → JSON text → f64 on one side only.
    let without_scores = |mut v: Value| {
        for r in v["results"].as_array_mut().unwrap() {
            r.as_object_mut().unwrap().remove("score");
        }
        v
    };
    assert_eq!(
        without_scores(v.clone()),
        without_scores(serde_json::to_value(&direct).unwrap())
    );
    for r in v["results"].as_array().unwrap() {
        assert_eq!(r["ward"], json!("若葉区"), "{r}");
    }
}

#[tokio::test]
async fn search_near_and_filters() {
    let app = shared();
    let (s, v) = get(
        app,
        &format!(
            "/api/v1/resources/search?q={}&near={}&within=3000&sort=distance",
            enc("サロン"),
            enc("千葉市稲毛区小仲台2丁目")
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["place"]["ward"], json!("稲毛区"));
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let distances: Vec<u64> = results
        .iter()
        .filter(|r| r["in_service_area"] == json!(false))
        .map(|r| r["distance_m"].as_u64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances.iter().all(|d| *d <= 3000));
    // Category by Japanese label, kind by code, repeated and comma lists.
    let (s, v) = get(
        app,
        &format!(
            "/api/v1/resources/search?q=&category={}&kind=kayoi&ward={},{}",
            enc("体操"),
            enc("稲毛区"),
            enc("美浜")
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for r in v["results"].as_array().unwrap() {
        assert!(
            ["稲毛区", "美浜区"].contains(&r["ward"].as_str().unwrap()),
            "{r}"
        );
        assert!(
            r["categories"]
                .as_array()
                .unwrap()
                .contains(&json!("exercise"))
        );
    }
}

#[tokio::test]
async fn bad_parameters_are_named_in_japanese() {
    let app = shared();
    for (uri, field) in [
        ("/api/v1/resources/search?q=a&limt=3", "limt"),
        ("/api/v1/resources/search?q=a&limit=abc", "limit"),
        ("/api/v1/resources/search?q=a&limit=5000", "limit"),
        (
            "/api/v1/resources/search?q=a&category=spaceflight",
            "category",
        ),
        ("/api/v1/resources/search?q=a&within=100", "near"),
        ("/api/v1/resources/search?q=a&near=95,200", "near"),
        ("/api/v1/resources/search?q=a&q=b", "q"),
        ("/api/v1/resources/nearest", "near"),
        ("/api/v1/locate", "address"),
        ("/api/v1/locate?point=abc", "point"),
    ] {
        let (s, v) = get(app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(error_field(&v), Some(field), "{uri}: {v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message
                .chars()
                .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
            "{uri}: message in Japanese: {message}"
        );
    }
    let long = "体".repeat(600);
    let (s, v) = get(app, &format!("/api/v1/resources/search?q={}", enc(&long))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test]
async fn the_public_never_sees_internal_records_or_fields() {
    let app = shared();
    let (s, v) = get(app, "/api/v1/resources/chuo-k-002").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "internal record: {v}");
    let (s, v) = get(app, "/api/v1/resources/search?q=&audience=coordinator").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = get(
        app,
        "/api/v1/resources/search?q=&kind=kayoi,service&limit=1000",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let text = v.to_string();
    assert!(!text.contains("notes_internal"));
    assert!(!text.contains("\"person\""));
    assert!(!text.contains("chuo-k-002"));
    // A public record's detail carries no internal field either.
    let first = v["results"][0]["id"].as_str().unwrap().to_string();
    let (s, v) = get(app, &format!("/api/v1/resources/{first}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["record"].get("notes_internal").is_none());
    assert!(v["record"]["contact"].get("person").is_none());
}

#[tokio::test]
async fn nearest_locate_categories_and_wards() {
    let app = shared();
    let (s, v) = get(app, "/api/v1/resources/nearest?near=35.6437,140.1216&k=3").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["place"]["lat"].is_number());
    assert!(!v["results"].as_array().unwrap().is_empty());

    let (s, v) = get(
        app,
        &format!("/api/v1/locate?address={}", enc("千葉市中央区大巌寺町")),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ward"], json!("中央区"));
    assert_eq!(v["town"], json!("大巌寺町"));
    assert!(v["center_id"].as_str().unwrap().starts_with("AC"));

    let (_, all) = get(app, "/api/v1/resources/search?kind=kayoi,service&limit=1").await;
    let total = all["total"].as_u64().unwrap();
    let (s, v) = get(app, "/api/v1/wards").await;
    assert_eq!(s, StatusCode::OK);
    let wards = v["wards"].as_array().unwrap();
    assert_eq!(wards.len(), 6);
    let by_ward: u64 = wards.iter().map(|w| w["count"].as_u64().unwrap()).sum();
    assert!(by_ward <= total && by_ward > 0, "{by_ward} of {total}");
    let (s, v) = get(app, "/api/v1/categories").await;
    assert_eq!(s, StatusCode::OK);
    let exercise = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == json!("exercise"))
        .unwrap();
    assert_eq!(exercise["label"], json!("体操・運動"));
    assert!(exercise["count"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn matching_is_public_but_internal_audience_and_recording_are_not() {
    let app = shared();
    let request = json!({
        "needs": ["exercise"],
        "location": {"address": "千葉市稲毛区小仲台2丁目"},
    });
    let (s, v) = post_json(app, "/api/v1/match", &request).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["needs"].is_array());
    let mut internal = request.clone();
    internal["audience"] = json!("coordinator");
    let (s, _) = post_json(app, "/api/v1/match", &internal).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut record = request.clone();
    record["record"] = json!(true);
    let (s, _) = post_json(app, "/api/v1/match", &record).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = post_json(app, "/api/v1/match", &json!({"needs": ["flying"]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(error_field(&v).is_some());
    let (s, v) = call(
        app,
        Request::post("/api/v1/match")
            .body(Body::from("{not json"))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test]
async fn errors_from_the_framework_are_json_too() {
    let app = shared();
    let (s, v) = get(app, "/api/v1/nothing-here").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], json!("not_found"));
    let (s, v) = call(
        app,
        Request::delete("/api/v1/categories")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["error"]["code"], json!("method_not_allowed"));
    let huge = "x".repeat(2 * 1024 * 1024);
    let (s, v) = call(
        app,
        Request::post("/api/v1/match")
            .header("content-type", "application/json")
            .body(Body::from(huge))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["error"]["code"], json!("too_large"));
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = shared();
    get(app, "/api/v1/wards").await;
    let response = app
        .router()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains("tsunagu_http_requests_total{"), "{text}");
    assert!(text.contains("route=\"/api/v1/wards\""), "{text}");
    assert!(
        text.contains("tsunagu_records{status=\"active\"}"),
        "{text}"
    );
    assert!(text.contains("tsunagu_index_lag_changes 0"), "{text}");
}

/// An edit made through the writer is in search the moment it is
/// acknowledged, and a refused one changes nothing.
#[tokio::test]
async fn edits_are_searchable_when_acknowledged() {
    let (_tmp, app) = seeded_app();
    let actor = Actor {
        login: "test".into(),
        via: "test".into(),
    };
    let edit = |e: RecordEdit| EditRequest {
        edit: e,
        actor: actor.clone(),
        scope: EditScope::Everything,
    };
    let mut fields = serde_json::Map::new();
    fields.insert("name".into(), json!("ひまわり吹き矢クラブ"));
    let (_, before) = get(
        &app,
        &format!("/api/v1/resources/search?q={}", enc("吹き矢")),
    )
    .await;
    let target = "chuo-k-001";
    let answers = app
        .state
        .writer
        .edit(vec![
            edit(RecordEdit::Patch {
                id: target.into(),
                fields,
                expected_seq: None,
            }),
            edit(RecordEdit::Patch {
                id: target.into(),
                fields: json!({"fee_yen": -5}).as_object().unwrap().clone(),
                expected_seq: None,
            }),
            edit(RecordEdit::Patch {
                id: "no-such-record".into(),
                fields: serde_json::Map::new(),
                expected_seq: None,
            }),
        ])
        .await
        .unwrap()
        .unwrap();
    assert!(answers[0].is_ok(), "{:?}", answers[0]);
    let invalid = answers[1].as_ref().unwrap_err();
    assert_eq!(invalid.fields(), vec!["fee_yen".to_string()]);
    assert!(matches!(
        answers[2],
        Err(tsunagu_engine::EditError::NotFound { .. })
    ));
    // The public may be answered from the half-second cache: the edit is
    // there within a second of its acknowledgement.
    let acknowledged = std::time::Instant::now();
    let after = loop {
        let (_, after) = get(
            &app,
            &format!("/api/v1/resources/search?q={}", enc("吹き矢")),
        )
        .await;
        if after.to_string().contains(target) {
            break after;
        }
        assert!(
            acknowledged.elapsed() < std::time::Duration::from_secs(1),
            "the edit reaches public search within 1 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(
        after["total"].as_u64().unwrap(),
        before["total"].as_u64().unwrap_or(0) + 1
    );
    let (_, shown) = get(&app, &format!("/api/v1/resources/{target}")).await;
    assert_eq!(shown["record"]["name"], json!("ひまわり吹き矢クラブ"));
    assert!(
        shown["record"]
            .get("fee_yen")
            .is_none_or(|f| f != &json!(-5))
    );
    let (s, v) = get(&app, "/readyz").await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Anonymous reads are answered from the public cache for a moment.
#[tokio::test]
async fn public_answers_are_cached_briefly() {
    let app = shared();
    let uri = "/api/v1/resources/search?q=%E3%82%B5%E3%83%AD%E3%83%B3&limit=3";
    let first = app
        .router()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(first.headers().get("x-cache").is_none());
    let first = first.into_body().collect().await.unwrap().to_bytes();
    let second = app
        .router()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(second.headers()["x-cache"], "hit");
    assert_eq!(
        second.into_body().collect().await.unwrap().to_bytes(),
        first
    );
    tokio::time::sleep(app.state.public_cache.ttl() + std::time::Duration::from_millis(50)).await;
    let third = app
        .router()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(third.headers().get("x-cache").is_none(), "expired");
}

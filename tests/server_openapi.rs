//! The OpenAPI document says what the public API really answers: every
//! public endpoint's answers (and its errors) validate against the schema
//! the document gives for them.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod server_common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use tsunagu_server::App;

fn app() -> (tempfile::TempDir, App) {
    let tmp = tempfile::tempdir().unwrap();
    let (config, dir) = server_common::seeded(&tmp.path().join("data"));
    (tmp, server_common::app(config, dir, |_| {}))
}

async fn call(app: &App, req: Request<Body>) -> (StatusCode, Value) {
    let response = app.router().oneshot(req).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Validates an answer against the document's schema for path, method and
/// status.
fn check(doc: &Value, path: &str, method: &str, status: StatusCode, answer: &Value) {
    let code = status.as_u16().to_string();
    let schema =
        &doc["paths"][path][method]["responses"][&code]["content"]["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "the document describes {method} {path} {code}"
    );
    let full = tsunagu_server::openapi::answer_schema(doc, schema);
    let validator =
        jsonschema::validator_for(&full).unwrap_or_else(|e| panic!("{path}: schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(answer)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {code} does not match the document:\n{}",
        errors.join("\n")
    );
}

#[tokio::test]
async fn every_public_endpoint_answers_as_the_document_says() {
    let (_tmp, app) = app();
    let (status, doc) = call(
        &app,
        Request::get("/api/v1/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], json!("3.1.0"));
    assert_eq!(doc, tsunagu_server::openapi::document(), "served as built");

    let gets: Vec<(&str, String)> = vec![
        (
            "/api/v1/resources/search",
            format!("/api/v1/resources/search?q={}", enc("体操")),
        ),
        (
            "/api/v1/resources/search",
            format!(
                "/api/v1/resources/search?q={}&limit=50",
                enc("若葉区 木曜の午前 無料")
            ),
        ),
        (
            "/api/v1/resources/search",
            format!("/api/v1/resources/search?q={}", enc("蛍光灯が替えられない")),
        ),
        (
            "/api/v1/resources/search",
            "/api/v1/resources/search?kind=kayoi,service&limit=1000&include_inactive=true".into(),
        ),
        (
            "/api/v1/resources/search",
            format!(
                "/api/v1/resources/search?q={}&near={}&within=3000",
                enc("サロン"),
                enc("千葉市稲毛区小仲台2丁目")
            ),
        ),
        (
            "/api/v1/resources/search",
            format!(
                "/api/v1/resources/search?q={}&near=35.6072,140.1063&sort=distance",
                enc("買い物")
            ),
        ),
        (
            "/api/v1/resources/nearest",
            format!(
                "/api/v1/resources/nearest?near={}&k=20",
                enc("千葉市美浜区真砂4丁目")
            ),
        ),
        (
            "/api/v1/resources/nearest",
            "/api/v1/resources/nearest?near=35.6072,140.1063&category=shopping".into(),
        ),
        (
            "/api/v1/resources/{id}",
            "/api/v1/resources/chuo-k-001".into(),
        ),
        (
            "/api/v1/resources/{id}",
            "/api/v1/resources/wakaba-k-024".into(),
        ),
        (
            "/api/v1/locate",
            format!("/api/v1/locate?address={}", enc("千葉市中央区大巌寺町")),
        ),
        (
            "/api/v1/locate",
            format!("/api/v1/locate?address={}", enc("どこでもない町")),
        ),
        (
            "/api/v1/locate",
            "/api/v1/locate?point=35.6072,140.1063".into(),
        ),
        ("/api/v1/categories", "/api/v1/categories".into()),
        ("/api/v1/wards", "/api/v1/wards".into()),
    ];
    for (path, uri) in gets {
        let (status, answer) = call(&app, Request::get(&uri).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {answer}");
        check(&doc, path, "get", status, &answer);
    }
    for request in [
        json!({"needs": ["exercise", "shopping"], "location": {"address": "千葉市稲毛区小仲台2丁目"}}),
        json!({"needs_text": "買い物に行けなくて、話し相手もいない", "location": {"lat": 35.6072, "lon": 140.1063},
               "available": [{"weekdays": ["mon", "wed"], "start": "09:00", "end": "12:00"}], "max_fee_yen": 0}),
    ] {
        let (status, answer) = call(
            &app,
            Request::post("/api/v1/match")
                .header("content-type", "application/json")
                .body(Body::from(request.to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        check(&doc, "/api/v1/match", "post", status, &answer);
    }
    // The check is not vacuous: a broken answer fails it.
    let (_, mut broken) = call(
        &app,
        Request::get(format!("/api/v1/resources/search?q={}", enc("体操")))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    broken["results"][0]["record"]["kind"] = json!("spaceship");
    let schema = &doc["paths"]["/api/v1/resources/search"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let full = tsunagu_server::openapi::answer_schema(&doc, schema);
    assert!(!jsonschema::validator_for(&full).unwrap().is_valid(&broken));
    // Errors too.
    for (path, uri, method) in [
        (
            "/api/v1/resources/search",
            "/api/v1/resources/search?q=a&limit=x",
            "get",
        ),
        (
            "/api/v1/resources/search",
            "/api/v1/resources/search?audience=coordinator&q=a",
            "get",
        ),
        (
            "/api/v1/resources/{id}",
            "/api/v1/resources/no-such-id",
            "get",
        ),
        (
            "/api/v1/resources/nearest",
            "/api/v1/resources/nearest",
            "get",
        ),
    ] {
        let (status, answer) = call(&app, Request::get(uri).body(Body::empty()).unwrap()).await;
        assert!(status.is_client_error(), "{uri}");
        check(&doc, path, method, status, &answer);
    }
}

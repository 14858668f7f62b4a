//! The public pages through the real router: HTML with the page headers
//! (a strict Content-Security-Policy, caching), search with what was
//! understood and the links that take each part away, a resource's page,
//! errors as pages, the display switches (never an open redirect) and the
//! assets pages load.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod server_common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tsunagu_server::App;

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn get(app: &App, uri: &str, cookie: Option<&str>) -> Page {
    let mut req = Request::get(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let response = app
        .router()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn seeded_app() -> (tempfile::TempDir, App) {
    let tmp = tempfile::tempdir().unwrap();
    let (config, dir) = server_common::seeded(&tmp.path().join("data"));
    let app = server_common::app(config, dir, |_| {});
    (tmp, app)
}

#[tokio::test]
async fn pages_are_html_with_a_strict_policy() {
    let (_tmp, app) = seeded_app();
    for uri in ["/", "/search?q=%E4%BD%93%E6%93%8D", "/resources/chuo-k-006"] {
        let p = get(&app, uri, None).await;
        assert_eq!(p.status, StatusCode::OK, "{uri}: {}", p.body);
        let ct = p.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert!(ct.starts_with("text/html"), "{uri}: {ct}");
        let csp = p.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(
            csp.contains("https://cyberjapandata.gsi.go.jp"),
            "tiles allowed: {csp}"
        );
        assert_eq!(p.headers[header::VARY], "Cookie");
        assert!(p.body.starts_with("<!doctype html>"));
        assert!(p.body.contains("<html lang=\"ja\""));
        // No inline script or style anywhere: the policy would block it.
        assert!(
            !p.body.contains("<script>") && !p.body.contains("style="),
            "{uri}"
        );
        assert!(
            !p.body.contains("http://") || p.body.contains("http://localhost"),
            "{uri}: no other origin"
        );
    }
}

#[tokio::test]
async fn search_says_what_it_understood_and_each_part_can_be_taken_away() {
    let (_tmp, app) = seeded_app();
    let p = get(&app, &format!("/search?q={}", enc("無料 体操 緑区")), None).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("件見つかりました"), "{}", p.body);
    assert!(p.body.contains("として探しました") || p.body.contains("で探しました"));
    // 無料 is a chip whose link searches again without it.
    let without_free = format!("/search?q={}", enc("体操 緑区"));
    assert!(
        p.body.contains(&without_free.replace('&', "&amp;")) || p.body.contains(&without_free),
        "a link without 無料 ({without_free}) in {}",
        p.body
    );
    // The ward chip's link keeps 無料.
    let without_ward = format!("/search?q={}", enc("無料 体操"));
    assert!(p.body.contains(&without_ward), "{}", p.body);
    // Results are links to resource pages.
    assert!(p.body.contains("href=\"/resources/"));
}

#[tokio::test]
async fn a_place_that_cannot_be_found_offers_towns_and_bad_values_are_said() {
    let (_tmp, app) = seeded_app();
    let p = get(
        &app,
        &format!(
            "/search?q={}&near={}",
            enc("体操"),
            enc("千葉市中央区ほげほげ町")
        ),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("場所がわかりませんでした"), "{}", p.body);
    assert!(p.body.contains("role=\"alert\""));
    let p = get(&app, &format!("/search?ward={}", enc("東区")), None).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("という区はありません"), "{}", p.body);
    // The form alone when nothing is asked.
    let p = get(&app, "/search", None).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("件見つかりました"));
}

#[tokio::test]
async fn near_a_place_results_say_how_far_and_carry_a_map() {
    let (_tmp, app) = seeded_app();
    let p = get(
        &app,
        &format!(
            "/search?q={}&near={}",
            enc("体操"),
            enc("千葉市稲毛区小仲台2丁目")
        ),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("から近い順です"), "{}", p.body);
    assert!(
        p.body.contains("徒歩約") || p.body.contains("km"),
        "{}",
        p.body
    );
    assert!(p.body.contains("data-points=\"[["), "{}", p.body);
    assert!(p.body.contains("name=\"tsunagu-map\""));
}

#[tokio::test]
async fn internal_and_missing_resources_are_not_found_pages() {
    let (_tmp, app) = seeded_app();
    // chuo-k-002 is internal in the seed data.
    for uri in [
        "/resources/chuo-k-002",
        "/resources/no-such-id",
        "/no/such/page",
    ] {
        let p = get(&app, uri, None).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            p.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{uri}"
        );
        assert!(
            !p.body.contains("春日介護予防サポーター自主グループ"),
            "{uri}"
        );
        assert!(p.body.contains("見つかりません"), "{uri}: {}", p.body);
    }
    // The API still answers JSON errors.
    let p = get(&app, "/api/v1/nothing", None).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(
        p.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

#[tokio::test]
async fn display_switches_set_a_cookie_and_come_back_only_to_this_site() {
    let (_tmp, app) = seeded_app();
    let back = enc("/search?q=体操");
    let p = get(
        &app,
        &format!("/settings?large=1&back={back}"),
        Some("tsunagu_display=ruby"),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.headers[header::LOCATION], "/search?q=体操");
    let cookie = p.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("tsunagu_display=large.ruby;"),
        "{cookie}"
    );
    for evil in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let p = get(&app, &format!("/settings?ruby=1&back={}", enc(evil)), None).await;
        assert_eq!(p.headers[header::LOCATION], "/", "{evil}");
    }
    // Pages read the cookie: larger text, and ruby over kanji.
    let p = get(
        &app,
        &format!("/search?q={}", enc("体操")),
        Some("tsunagu_display=large.ruby"),
    )
    .await;
    assert!(p.body.contains("class=\"text-large\""));
    assert!(p.body.contains("<ruby>"), "{}", p.body);
    let plain = get(&app, &format!("/search?q={}", enc("体操")), None).await;
    assert!(!plain.body.contains("<ruby>"));
}

#[tokio::test]
async fn assets_are_served_with_long_caching_when_versioned() {
    let (_tmp, app) = seeded_app();
    let home = get(&app, "/", None).await;
    let css = home
        .body
        .split("href=\"")
        .find_map(|s| {
            s.split('"')
                .next()
                .filter(|u| u.starts_with("/assets/site.css?v="))
        })
        .expect("the stylesheet's versioned URL")
        .to_string();
    let p = get(&app, &css, None).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        p.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    for path in tsunagu_web::assets::all().iter().map(|a| a.path) {
        let p = get(&app, &format!("/assets/{path}"), None).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
    }
    assert_eq!(
        get(&app, "/assets/../Cargo.toml", None).await.status,
        StatusCode::NOT_FOUND
    );
}

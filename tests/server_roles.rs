//! The coordinators' and the city's API through the real router: logging
//! in, roles, 委託期間 and 解任, tokens, CSRF, and every edit a coordinator
//! makes, each forbidden combination included.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod server_common;

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use tsunagu_server::App;

const ADMIN_PASSWORD: &str = "city-admin-password-1";
const PASSWORD: &str = "coordinator-password-1";

struct World {
    _tmp: tempfile::TempDir,
    app: App,
    store_path: PathBuf,
}

/// The seed records, the city's admin account, and the app over them.
fn world() -> World {
    world_with(false)
}

fn world_with(secure_cookies: bool) -> World {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (config, dir) = server_common::seeded(&data);
    server_common::add_account(&data, "city", "admin", "市 管理者", ADMIN_PASSWORD);
    World {
        _tmp: tmp,
        app: server_common::app(config, dir, |s| s.secure_cookies = secure_cookies),
        store_path: data.join(tsunagu_engine::STORE_FILE),
    }
}

/// How a request authenticates.
#[derive(Debug, Clone, Default)]
struct Auth {
    cookie: Option<String>,
    csrf: Option<String>,
    token: Option<String>,
}

#[derive(Debug)]
struct Answer {
    status: StatusCode,
    body: Value,
    headers: axum::http::HeaderMap,
}

impl World {
    async fn call(&self, method: &str, uri: &str, auth: &Auth, body: Option<Value>) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(c) = &auth.cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(c) = &auth.csrf {
            req = req.header("x-csrf-token", c);
        }
        if let Some(t) = &auth.token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let response = self.app.router().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers,
        }
    }

    async fn login(&self, login: &str, password: &str) -> Result<Auth, Answer> {
        let a = self
            .call(
                "POST",
                "/api/v1/login",
                &Auth::default(),
                Some(json!({"login": login, "password": password})),
            )
            .await;
        if a.status != StatusCode::OK {
            return Err(a);
        }
        let cookie = a.headers[header::SET_COOKIE].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        Ok(Auth {
            cookie: Some(cookie.split(';').next().unwrap().to_string()),
            csrf: a.body["csrf_token"].as_str().map(String::from),
            token: None,
        })
    }

    async fn add(&self, admin: &Auth, account: Value) -> Answer {
        self.call("POST", "/api/v1/accounts", admin, Some(account))
            .await
    }
}

fn coordinator(login: &str, centre: &str, from: &str, until: &str) -> Value {
    json!({
        "login": login, "role": "coordinator", "name": "試験 太郎", "title": "生活支援コーディネーター",
        "organization": "社会福祉法人 試験会", "center_id": centre, "appointed_on": from,
        "appointed_reason": "委託契約による", "valid_from": from, "valid_until": until,
        "password": PASSWORD,
    })
}

fn today() -> chrono::NaiveDate {
    tsunagu_server::today_jst()
}

#[tokio::test]
async fn roles_terms_and_every_forbidden_combination() {
    let w = world();
    let admin = w
        .login("city", ADMIN_PASSWORD)
        .await
        .unwrap_or_else(|a| panic!("{}", a.body));

    // Where the records to edit are.
    let a = w
        .call("GET", "/api/v1/records/chuo-k-001", &admin, None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let centre = a.body["placement"]["center_id"]
        .as_str()
        .unwrap()
        .to_string();
    let seq = a.body["seq"].as_u64().unwrap();
    assert_eq!(
        a.headers[header::ETAG].to_str().unwrap(),
        format!("\"{seq}\"")
    );
    let other_centre = if centre == "AC01" { "AC02" } else { "AC01" };
    let year_ago = (today() - chrono::TimeDelta::days(365)).to_string();
    let in_a_year = (today() + chrono::TimeDelta::days(365)).to_string();
    let tomorrow = (today() + chrono::TimeDelta::days(1)).to_string();

    // 選任 by the city: field errors are named.
    let a = w
        .add(
            &admin,
            json!({"login": "x", "role": "coordinator", "name": "", "valid_from": "2026-13-01"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(!a.body["error"]["fields"].as_array().unwrap().is_empty());
    for (login, c, from, until) in [
        (
            "mine",
            centre.as_str(),
            year_ago.as_str(),
            in_a_year.as_str(),
        ),
        (
            "theirs",
            other_centre,
            year_ago.as_str(),
            in_a_year.as_str(),
        ),
        (
            "later",
            centre.as_str(),
            tomorrow.as_str(),
            in_a_year.as_str(),
        ),
        (
            "ending",
            centre.as_str(),
            year_ago.as_str(),
            in_a_year.as_str(),
        ),
    ] {
        let a = w.add(&admin, coordinator(login, c, from, until)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{login}: {}", a.body);
        assert!(!a.body.to_string().contains("password_hash"));
    }
    let a = w
        .add(
            &admin,
            json!({"login": "reader", "role": "viewer", "name": "閲覧 花子",
                   "valid_from": year_ago, "password": PASSWORD}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);

    let mine = w
        .login("mine", PASSWORD)
        .await
        .unwrap_or_else(|a| panic!("{}", a.body));
    let theirs = w.login("theirs", PASSWORD).await.unwrap();
    let reader = w.login("reader", PASSWORD).await.unwrap();
    let ending = w.login("ending", PASSWORD).await.unwrap();

    // Outside the 委託期間, a wrong password and an unknown login: one answer.
    let refused = [
        w.login("later", PASSWORD).await.err().unwrap(),
        w.login("mine", "wrong-password-123").await.err().unwrap(),
        w.login("nobody", PASSWORD).await.err().unwrap(),
    ];
    for a in &refused {
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_eq!(a.body, refused[0].body, "refusals say the same thing");
    }

    // Reading: every role reads internal data; the public does not.
    let internal = "/api/v1/resources/chuo-k-002?audience=coordinator";
    assert_eq!(
        w.call("GET", internal, &reader, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        w.call("GET", internal, &Auth::default(), None).await.status,
        StatusCode::FORBIDDEN
    );
    let a = w
        .call(
            "GET",
            "/api/v1/resources/search?q=&kind=kayoi,service&limit=1000&audience=coordinator",
            &mine,
            None,
        )
        .await;
    assert!(a.body.to_string().contains("chuo-k-002"));

    // Editing: the viewer never; another centre's coordinator never; a
    // change without its CSRF token never.
    let patch = |name: &str| Some(json!({"name": name}));
    let target = "/api/v1/records/chuo-k-001";
    assert_eq!(
        w.call("PATCH", target, &reader, patch("閲覧者の変更"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let a = w
        .call("PATCH", target, &theirs, patch("よそのセンター"))
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let no_csrf = Auth {
        csrf: None,
        ..mine.clone()
    };
    let a = w.call("PATCH", target, &no_csrf, patch("CSRFなし")).await;
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf"))
    );
    let a = w
        .call("PATCH", target, &Auth::default(), patch("匿名"))
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    // The coordinator of the area edits; the change is attributed.
    let a = w
        .call("PATCH", target, &mine, patch("みんなの吹き矢クラブ"))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        a.body["record"]["record"]["name"],
        json!("みんなの吹き矢クラブ")
    );
    let found = w
        .call(
            "GET",
            "/api/v1/resources/search?q=%E5%90%B9%E3%81%8D%E7%9F%A2",
            &Auth::default(),
            None,
        )
        .await;
    assert!(
        found.body.to_string().contains("chuo-k-001"),
        "in search at once: {}",
        found.body
    );
    // A stale change number is refused; an unknown key is named.
    let a = w
        .call(
            "PATCH",
            target,
            &mine,
            Some(json!({"name": "古い版から", "expected_seq": seq})),
        )
        .await;
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let a = w
        .call("PATCH", target, &mine, Some(json!({"nmae": "typo"})))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.body["error"]["field"], json!("nmae"));
    let a = w
        .call("PATCH", target, &mine, Some(json!({"fee_yen": "たくさん"})))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.body["error"]["field"], json!("fee_yen"));

    // Confirm, pause, reopen; history says who and what.
    let a = w
        .call("POST", &format!("{target}/confirm"), &mine, None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        a.body["record"]["record"]["verified_on"],
        json!(today().to_string())
    );
    let a = w
        .call("POST", &format!("{target}/pause"), &mine, None)
        .await;
    assert_eq!(a.body["record"]["record"]["status"], json!("paused"));
    // Public answers may be up to the cache's age old.
    tokio::time::sleep(w.app.state.public_cache.ttl()).await;
    let public = w
        .call(
            "GET",
            "/api/v1/resources/search?q=%E5%90%B9%E3%81%8D%E7%9F%A2",
            &Auth::default(),
            None,
        )
        .await;
    assert!(
        !public.body.to_string().contains("chuo-k-001"),
        "paused records leave the public search"
    );
    assert_eq!(
        w.call("POST", &format!("{target}/reopen"), &mine, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        w.call("POST", &format!("{target}/close"), &theirs, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let a = w
        .call("GET", &format!("{target}/history"), &reader, None)
        .await;
    let history = a.body["history"].as_array().unwrap();
    let actions: Vec<(&str, &str)> = history
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    for wanted in [("mine", "update"), ("mine", "confirm"), ("mine", "status")] {
        assert!(actions.contains(&wanted), "{actions:?}");
    }
    let update = history
        .iter()
        .find(|e| e["action"] == json!("update"))
        .unwrap();
    assert!(
        update["changes"]
            .to_string()
            .contains("みんなの吹き矢クラブ")
    );

    // Creating: inside the area yes, outside no.
    let new = |id: &str, address: &str| {
        Some(
            json!({"id": id, "kind": "kayoi", "name": "新しいサロン", "categories": ["salon"], "address": address}),
        )
    };
    let home = a_record_address(&w, &admin, &centre).await;
    let a = w
        .call("POST", "/api/v1/records", &mine, new("new-1", &home))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let a = w
        .call("POST", "/api/v1/records", &mine, new("new-1", &home))
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let away = a_record_address(&w, &admin, other_centre).await;
    let a = w
        .call("POST", "/api/v1/records", &mine, new("new-2", &away))
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);

    // Records of my area not confirmed for a year: mine only.
    let a = w.call("GET", "/api/v1/stale", &mine, None).await;
    assert_eq!(a.status, StatusCode::OK);
    let stale_list = a.body["records"].as_array().unwrap();
    assert!(stale_list.iter().all(|r| r["center_id"] == json!(centre)));
    assert!(
        !stale_list.iter().any(|r| r["id"] == json!("chuo-k-001")),
        "just confirmed"
    );

    // Accounts and the audit log are the city's.
    assert_eq!(
        w.call("GET", "/api/v1/accounts", &mine, None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.call("GET", "/api/v1/audit", &reader, None).await.status,
        StatusCode::FORBIDDEN
    );
    let a = w
        .call("GET", "/api/v1/audit?limit=1000", &admin, None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body["entries"].as_array().unwrap().len() >= 8);
    assert!(!a.body.to_string().contains("$argon2"));

    // 解任: the session in use stops working at once; logging in is refused.
    assert_eq!(
        w.call("GET", "/api/v1/me", &ending, None).await.status,
        StatusCode::OK
    );
    let a = w
        .call(
            "POST",
            "/api/v1/accounts/ending/end",
            &admin,
            Some(json!({"on": today().to_string(), "reason": "委託契約の終了"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        w.call("GET", "/api/v1/me", &ending, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        w.login("ending", PASSWORD).await.err().unwrap().status,
        StatusCode::UNAUTHORIZED
    );

    // Tokens: work until revoked.
    let mut store = tsunagu_store::Store::open(&w.store_path).unwrap();
    let actor = tsunagu_store::AuditActor::system("test");
    let (id, raw) = tsunagu_accounts::create_token(&mut store, "mine", "script", &actor).unwrap();
    let token = Auth {
        token: Some(raw),
        ..Auth::default()
    };
    let a = w
        .call("POST", &format!("{target}/confirm"), &token, None)
        .await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "a token needs no CSRF token: {}",
        a.body
    );
    tsunagu_accounts::revoke_token(&mut store, id, &actor).unwrap();
    assert_eq!(
        w.call("GET", "/api/v1/me", &token, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let bogus = Auth {
        token: Some("tsg_nonsense".into()),
        ..Auth::default()
    };
    assert_eq!(
        w.call("GET", "/api/v1/me", &bogus, None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Logging out ends the session.
    assert_eq!(
        w.call("POST", "/api/v1/logout", &reader, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        w.call("GET", "/api/v1/me", &reader, None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// The address of some record placed in `centre`.
async fn a_record_address(w: &World, admin: &Auth, centre: &str) -> String {
    let a = w
        .call(
            "GET",
            &format!("/api/v1/resources/search?centre={centre}&limit=50&audience=coordinator"),
            admin,
            None,
        )
        .await;
    a.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["record"]["address"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("a record with an address in {centre}: {}", a.body))
}

#[tokio::test]
async fn uploads_unmet_needs_and_throttling() {
    let w = world();
    let admin = w.login("city", ADMIN_PASSWORD).await.unwrap();
    let a = w
        .call("GET", "/api/v1/records/inage-k-001", &admin, None)
        .await;
    let centre = a.body["placement"]["center_id"]
        .as_str()
        .unwrap()
        .to_string();
    let home = a.body["record"]["address"].as_str().unwrap().to_string();
    let from = (today() - chrono::TimeDelta::days(30)).to_string();
    let until = (today() + chrono::TimeDelta::days(300)).to_string();
    let a = w
        .add(&admin, coordinator("uploader", &centre, &from, &until))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let me = w.login("uploader", PASSWORD).await.unwrap();

    // An upload: lines in my area are taken, others refused by line.
    let lines = [
        json!({"id": "up-1", "kind": "kayoi", "name": "うちのサロン", "categories": ["salon"], "address": home}),
        json!({"id": "up-2", "kind": "kayoi", "name": "よそのサロン", "categories": ["salon"], "address": "千葉市緑区おゆみ野中央1丁目"}),
        json!({"id": "up-3", "kind": "kayoi", "categories": ["salon"], "address": home}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let req = Request::post("/api/v1/imports?format=jsonl&name=upload.jsonl")
        .header(header::COOKIE, me.cookie.clone().unwrap())
        .header("x-csrf-token", me.csrf.clone().unwrap())
        .body(Body::from(body))
        .unwrap();
    let response = w.app.router().oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(report["inserted"], json!(1), "{report}");
    assert_eq!(report["rejected"], json!(2), "{report}");
    let a = w
        .call("GET", "/api/v1/records/up-1/history", &me, None)
        .await;
    assert_eq!(
        a.body["history"][0]["actor"],
        json!("uploader"),
        "{}",
        a.body
    );
    assert_eq!(a.body["history"][0]["via"], json!("import:upload.jsonl"));
    assert_eq!(
        w.call("GET", "/api/v1/records/up-2", &me, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A recorded consultation counts its unmet needs once.
    let request = json!({
        "needs": ["garbage", "exercise"], "location": {"address": home},
        "max_distance_m": 50, "record": true,
    });
    let a = w
        .call("POST", "/api/v1/match", &me, Some(request.clone()))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = w
        .call("GET", &format!("/api/v1/unmet?centre={centre}"), &me, None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let total: u64 = a.body["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert!(total >= 1, "{}", a.body);
    let mut trying = request;
    trying["record"] = json!(false);
    w.call("POST", "/api/v1/match", &me, Some(trying)).await;
    let again = w
        .call("GET", &format!("/api/v1/unmet?centre={centre}"), &me, None)
        .await;
    assert_eq!(again.body, a.body, "an unrecorded try counts nothing");

    // Repeated failures for one login are throttled (429 with Retry-After).
    let mut last = StatusCode::OK;
    for _ in 0..8 {
        let a = w
            .login("uploader", "not-the-password-0")
            .await
            .err()
            .unwrap();
        last = a.status;
        if last == StatusCode::TOO_MANY_REQUESTS {
            assert!(a.headers.contains_key(header::RETRY_AFTER));
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// The remaining walls: what a viewer and a coordinator may not do on the
/// other endpoints, and what the city may do anywhere.
#[tokio::test]
async fn every_endpoint_keeps_to_its_roles() {
    let w = world();
    let admin = w.login("city", ADMIN_PASSWORD).await.unwrap();
    let year_ago = (today() - chrono::TimeDelta::days(365)).to_string();
    let in_a_year = (today() + chrono::TimeDelta::days(365)).to_string();
    // A centre that holds neither chuo-k-002 nor 千葉港.
    let held = w
        .call("GET", "/api/v1/records/chuo-k-002", &admin, None)
        .await;
    let port = w
        .call("GET", "/api/v1/locate?address=%E5%8D%83%E8%91%89%E5%B8%82%E4%B8%AD%E5%A4%AE%E5%8C%BA%E5%8D%83%E8%91%89%E6%B8%AF1%E4%B8%81%E7%9B%AE", &admin, None)
        .await;
    let taken = [
        held.body["placement"]["center_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        port.body["center_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ];
    let centre = (1..=28)
        .map(|n| format!("AC{n:02}"))
        .find(|c| !taken.contains(c))
        .unwrap();
    let a = w
        .add(&admin, coordinator("coord", &centre, &year_ago, &in_a_year))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let a = w
        .add(
            &admin,
            json!({"login": "viewer", "role": "viewer", "name": "閲覧 次郎",
                   "valid_from": year_ago, "password": PASSWORD}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let coord = w.login("coord", PASSWORD).await.unwrap();
    let viewer = w.login("viewer", PASSWORD).await.unwrap();
    let anonymous = Auth::default();
    let record = json!({"id": "city-1", "kind": "service", "name": "市の配食", "categories": ["meal_delivery"],
                        "address": "千葉市中央区千葉港1丁目", "service_area": ["千葉市"]});
    let mut other = record.clone();
    other["id"] = json!("city-2");

    // (method, path, body, anonymous, viewer, coordinator, admin)
    let table: Vec<(&str, &str, Option<Value>, [StatusCode; 4])> = vec![
        (
            "GET",
            "/api/v1/me",
            None,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::OK,
                StatusCode::OK,
                StatusCode::OK,
            ],
        ),
        (
            "GET",
            "/api/v1/stale",
            None,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::OK,
                StatusCode::OK,
                StatusCode::OK,
            ],
        ),
        (
            "GET",
            "/api/v1/unmet",
            None,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::OK,
                StatusCode::OK,
                StatusCode::OK,
            ],
        ),
        (
            "GET",
            "/api/v1/records/chuo-k-002",
            None,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::OK,
                StatusCode::OK,
                StatusCode::OK,
            ],
        ),
        (
            "GET",
            "/api/v1/records/chuo-k-002/history",
            None,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::OK,
                StatusCode::OK,
                StatusCode::OK,
            ],
        ),
        (
            "GET",
            "/api/v1/accounts",
            None,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::OK,
            ],
        ),
        (
            "GET",
            "/api/v1/audit",
            None,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::OK,
            ],
        ),
        (
            "POST",
            "/api/v1/accounts/viewer/end",
            Some(json!({"reason": "x"})),
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::NOT_FOUND,
            ],
        ),
        (
            "POST",
            "/api/v1/imports?format=jsonl&name=a.jsonl",
            Some(record.clone()),
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::OK,
                StatusCode::OK,
            ],
        ),
        (
            "POST",
            "/api/v1/records/chuo-k-002/confirm",
            None,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::OK,
            ],
        ),
        (
            "POST",
            "/api/v1/records",
            Some(other),
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::CREATED,
            ],
        ),
    ];
    for (method, path, body, wanted) in table {
        for (who, auth, want) in [
            ("anonymous", &anonymous, wanted[0]),
            ("viewer", &viewer, wanted[1]),
            ("coordinator", &coord, wanted[2]),
            ("admin", &admin, wanted[3]),
        ] {
            // The admin's `end` of a missing login (NOT_FOUND) keeps the
            // viewer for the rows below.
            let path = if who == "admin" && path.ends_with("/viewer/end") {
                "/api/v1/accounts/nobody/end"
            } else {
                path
            };
            let a = w.call(method, path, auth, body.clone()).await;
            assert_eq!(a.status, want, "{who} {method} {path}: {}", a.body);
        }
    }
    // The coordinator's upload of a record outside its area was refused by
    // line: the record stored is the admin's.
    let stored = w.call("GET", "/api/v1/records/city-1", &admin, None).await;
    let history = w
        .call("GET", "/api/v1/records/city-1/history", &admin, None)
        .await;
    let actors: Vec<&str> = history.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(stored.status, StatusCode::OK);
    assert!(!actors.contains(&"coord"), "{actors:?}");
    // Logging out is a change: it needs the CSRF token too.
    let no_csrf = Auth {
        csrf: None,
        ..viewer.clone()
    };
    assert_eq!(
        w.call("POST", "/api/v1/logout", &no_csrf, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// Behind TLS the session cookie is marked Secure; otherwise it is not
/// (a browser would drop a Secure cookie over plain HTTP).
#[tokio::test]
async fn session_cookies_are_secure_when_served_over_tls() {
    for secure in [false, true] {
        let w = world_with(secure);
        let a = w
            .call(
                "POST",
                "/api/v1/login",
                &Auth::default(),
                Some(json!({"login": "city", "password": ADMIN_PASSWORD})),
            )
            .await;
        let cookie = a.headers[header::SET_COOKIE].to_str().unwrap().to_string();
        assert_eq!(cookie.contains("; Secure"), secure, "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    }
}

/// A decision on a fact read from a listing, through the API: only the
/// area's coordinator may make it, it shows in the record, the public
/// feature filter follows it at once, and a phrase the record does not
/// read is a conflict.
#[tokio::test]
async fn a_coordinator_confirms_or_rejects_what_a_listing_was_read_to_say() {
    let w = world();
    let admin = w.login("city", ADMIN_PASSWORD).await.unwrap();
    let from = (today() - chrono::Duration::days(30)).to_string();
    let until = (today() + chrono::Duration::days(300)).to_string();
    for (login, centre) in [("mine", "AC12"), ("theirs", "AC20")] {
        let a = w
            .add(&admin, coordinator(login, centre, &from, &until))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    let mine = w.login("mine", PASSWORD).await.unwrap();
    let theirs = w.login("theirs", PASSWORD).await.unwrap();
    // 小中台町さんぽの会 (AC12) publishes no parking; its text says 「集会所の駐車場あり」.
    let target = "/api/v1/records/inage-k-002/facts";
    let reading = json!({
        "fact": "feature:parking",
        "field": "description",
        "phrase": "集会所の駐車場あり",
        "verdict": "rejected",
    });
    let parking_ids = || async {
        let a = w
            .call(
                "GET",
                "/api/v1/resources/search?q=%E3%81%95%E3%82%93%E3%81%BD&feature=parking&limit=50",
                &Auth::default(),
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(parking_ids().await.contains(&"inage-k-002".to_string()));

    let a = w.call("POST", target, &theirs, Some(reading.clone())).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let a = w
        .call(
            "POST",
            target,
            &mine,
            Some(with(&reading, "verdict", json!("maybe"))),
        )
        .await;
    assert_eq!(
        (a.status, a.body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("verdict"))
    );
    let a = w
        .call(
            "POST",
            target,
            &mine,
            Some(with(&reading, "phrase", json!("駐車場あり"))),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);

    let a = w.call("POST", target, &mine, Some(reading.clone())).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let facts = &a.body["record"]["placement"]["facts"];
    assert_eq!(
        facts[0]["decision"]["verdict"],
        json!("rejected"),
        "{facts}"
    );
    // Public answers may be up to the cache's age old.
    tokio::time::sleep(w.app.state.public_cache.ttl()).await;
    assert!(!parking_ids().await.contains(&"inage-k-002".to_string()));

    let a = w
        .call(
            "POST",
            target,
            &mine,
            Some(with(&reading, "verdict", Value::Null)),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body["record"]["placement"]["facts"][0]["decision"].is_null());
    let history = w
        .call("GET", "/api/v1/records/inage-k-002/history", &mine, None)
        .await;
    let actions: Vec<&str> = history.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["action"].as_str())
        .filter(|a| *a == "fact")
        .collect();
    assert_eq!(actions.len(), 2, "{}", history.body);
}

fn with(body: &Value, key: &str, value: Value) -> Value {
    let mut body = body.clone();
    body[key] = value;
    body
}

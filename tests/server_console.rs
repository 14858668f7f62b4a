//! The console pages through the real router: a login form that sets the
//! session, CSRF on every form that changes anything, the match form with
//! field-level messages and its answer, and the handout: public
//! information only, and the senior's words and name never stored.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod server_common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tsunagu_server::App;

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(
    app: &App,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_string())
        }
        None => Body::empty(),
    };
    let response = app.router().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The CSRF token in a page's forms.
fn csrf_of(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    body[at..].split('"').next().unwrap().to_string()
}

struct Console {
    _tmp: tempfile::TempDir,
    data: std::path::PathBuf,
    app: App,
}

fn console() -> Console {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (config, dir) = server_common::seeded(&data);
    server_common::add_account(&data, "kanri", "admin", "市 太郎", "correct-horse-battery");
    let app = server_common::app(config, dir, |_| {});
    Console {
        _tmp: tmp,
        data,
        app,
    }
}

async fn logged_in(c: &Console) -> (String, String) {
    let a = send(
        &c.app,
        "POST",
        "/console/login",
        None,
        Some("login=kanri&password=correct-horse-battery&next=%2Fconsole"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.headers[header::LOCATION], "/console");
    let cookie = a.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page = send(&c.app, "GET", "/console", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_of(&page.body);
    (cookie, csrf)
}

fn store_bytes(data: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(data).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("sqlite3") {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    all
}

#[tokio::test]
async fn login_logout_and_the_way_back() {
    let c = console();
    let a = send(&c.app, "GET", "/console", None, None).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.headers[header::LOCATION],
        "/console/login?next=%2Fconsole"
    );
    let wrong = send(
        &c.app,
        "POST",
        "/console/login",
        None,
        Some("login=kanri&password=nope"),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("role=\"alert\"") && wrong.body.contains("value=\"kanri\""));
    assert!(!wrong.headers.contains_key(header::SET_COOKIE));
    // `next` only ever leads inside the console.
    let evil = send(
        &c.app,
        "POST",
        "/console/login",
        None,
        Some("login=kanri&password=correct-horse-battery&next=https%3A%2F%2Fevil.example%2F"),
    )
    .await;
    assert_eq!(evil.headers[header::LOCATION], "/console");

    let (cookie, csrf) = logged_in(&c).await;
    let no_csrf = send(&c.app, "POST", "/console/logout", Some(&cookie), Some("")).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let out = send(
        &c.app,
        "POST",
        "/console/logout",
        Some(&cookie),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = send(&c.app, "GET", "/console", Some(&cookie), None).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the session ended in the store too"
    );
}

#[tokio::test]
async fn the_match_form_answers_per_need_and_keeps_no_words() {
    let c = console();
    let (cookie, csrf) = logged_in(&c).await;
    let without = send(
        &c.app,
        "POST",
        "/console/match",
        Some(&cookie),
        Some("address=x"),
    )
    .await;
    assert_eq!(
        without.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no match"
    );

    let empty = send(
        &c.app,
        "POST",
        "/console/match",
        Some(&cookie),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("error-summary") && empty.body.contains("href=\"#address\""));

    let bad_fee = format!(
        "csrf={csrf}&address={}&need=salon&max_fee=abc",
        enc("稲毛区小仲台2丁目")
    );
    let a = send(
        &c.app,
        "POST",
        "/console/match",
        Some(&cookie),
        Some(&bad_fee),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("費用の上限は"), "{}", a.body);
    assert!(a.body.contains("value=\"abc\""), "what was typed is kept");

    let words = "ZZSECRET 一人暮らしで買い物に行けない。囲碁が好き";
    let form = format!(
        "csrf={csrf}&address={}&need=salon&need=shopping&needs_text={}&day=tue&day=thu&from=09%3A00&to=15%3A00&max_distance=2000",
        enc("稲毛区小仲台2丁目"),
        enc(words)
    );
    let a = send(&c.app, "POST", "/console/match", Some(&cookie), Some(&form)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
    assert!(a.body.contains("自由記述から読み取ったこと"), "{}", a.body);
    assert!(a.body.contains("<h3>茶話会・サロン</h3>"), "{}", a.body);
    assert!(a.body.contains("class=\"reasons\""));
    assert!(
        a.body.contains("name=\"id\" value=\""),
        "results can be picked for a handout"
    );
    let stored = store_bytes(&c.data);
    assert!(
        !stored.windows(8).any(|w| w == b"ZZSECRET"),
        "the senior's words are not kept"
    );
}

#[tokio::test]
async fn a_handout_prints_public_information_and_forgets_the_name() {
    let c = console();
    let (cookie, csrf) = logged_in(&c).await;
    // chuo-k-006 is public; chuo-k-002 is internal; nothing is called zz.
    let form = format!(
        "csrf={csrf}&address={}&id=chuo-k-006&id=chuo-k-002&id=zz-none&for_name={}",
        enc("中央区星久喜町"),
        enc("ZZNAME 花子")
    );
    let a = send(
        &c.app,
        "POST",
        "/console/handout",
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
    assert!(a.body.contains("ZZNAME 花子 さんへ"));
    assert!(a.body.contains("編み物教室 ほしくき"));
    assert!(
        !a.body.contains("春日介護予防サポーター自主グループ"),
        "no internal record"
    );
    assert!(
        !a.body.contains("会場の鍵は自治会長が管理"),
        "no internal note"
    );
    assert!(a.body.contains("2 件は載せていません"), "{}", a.body);
    assert!(a.body.contains("ご自宅のあたり"));
    let stored = store_bytes(&c.data);
    assert!(
        !stored.windows(6).any(|w| w == b"ZZNAME"),
        "the name is not kept"
    );
    let no_csrf = send(
        &c.app,
        "POST",
        "/console/handout",
        Some(&cookie),
        Some("id=chuo-k-006"),
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_city_appoints_prints_the_forms_and_dismisses() {
    let c = console();
    let (cookie, csrf) = logged_in(&c).await;
    let list = send(&c.app, "GET", "/console/accounts", Some(&cookie), None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("kanri"));

    // Missing 要綱 fields are named at their fields.
    let form = format!(
        "csrf={csrf}&login=hanako&role=coordinator&name={}&valid_from=2025-04-01",
        enc("千葉 花子")
    );
    let a = send(
        &c.app,
        "POST",
        "/console/accounts",
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(
        a.body.contains("id=\"e-center_id\"") && a.body.contains("id=\"e-valid_until\""),
        "{}",
        a.body
    );
    assert!(
        a.body.contains("value=\"hanako\""),
        "what was typed is kept"
    );

    let form = format!(
        "csrf={csrf}&login=hanako&role=coordinator&name={}&title={}&organization={}&center_id=AC15&appointed_on=2025-03-15&appointed_reason={}&valid_from=2025-04-01&valid_until=2027-03-31",
        enc("千葉 花子"),
        enc("生活支援コーディネーター"),
        enc("社会福祉法人つなぐ会"),
        enc("前任者の退職による")
    );
    let a = send(
        &c.app,
        "POST",
        "/console/accounts",
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
    assert!(a.body.contains("初めのパスワードは"));

    let card = send(
        &c.app,
        "GET",
        "/console/accounts/hanako/yoshiki/2",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(card.status, StatusCode::OK);
    assert!(card.body.contains("様式第2号") && card.body.contains("生活支援コーディネーター証"));
    assert!(
        card.body.contains("千葉 花子") && card.body.contains("2025年4月1日〜2027年3月31日"),
        "{}",
        card.body
    );
    assert!(
        card.body.contains("小仲台"),
        "the centre by name: {}",
        card.body
    );
    let first = send(
        &c.app,
        "GET",
        "/console/accounts/hanako/yoshiki/1",
        Some(&cookie),
        None,
    )
    .await;
    assert!(first.body.contains("選任届出書") && first.body.contains("前任者の退職による"));
    let early = send(
        &c.app,
        "GET",
        "/console/accounts/hanako/yoshiki/3",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(early.status, StatusCode::CONFLICT);

    let end = format!("csrf={csrf}&on=2026-03-31&reason={}", enc("一身上の都合"));
    let a = send(
        &c.app,
        "POST",
        "/console/accounts/hanako/end",
        Some(&cookie),
        Some(&end),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let third = send(
        &c.app,
        "GET",
        "/console/accounts/hanako/yoshiki/3",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(third.status, StatusCode::OK);
    assert!(
        third.body.contains("解任届出書")
            && third.body.contains("2026年3月31日")
            && third.body.contains("一身上の都合")
    );

    // A coordinator cannot use the city's pages.
    server_common::add_account(&c.data, "taro", "viewer", "閲覧 太郎", "viewer-password-1");
    let a = send(
        &c.app,
        "POST",
        "/console/login",
        None,
        Some("login=taro&password=viewer-password-1"),
    )
    .await;
    let viewer = a.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let refused = send(&c.app, "GET", "/console/accounts", Some(&viewer), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn quick_search_finds_internal_records_and_lists_say_what_to_check() {
    let c = console();
    let (cookie, _) = logged_in(&c).await;
    // chuo-k-002 is internal: the console finds it, the public page does not.
    let q = enc("春日介護予防サポーター");
    let console = send(
        &c.app,
        "GET",
        &format!("/console/search?q={q}"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(console.status, StatusCode::OK, "{}", console.body);
    assert!(
        console
            .body
            .contains("href=\"/console/records/chuo-k-002\""),
        "{}",
        console.body
    );
    let public = send(&c.app, "GET", &format!("/search?q={q}"), None, None).await;
    assert!(!public.body.contains("chuo-k-002"));
    let anonymous = send(&c.app, "GET", &format!("/console/search?q={q}"), None, None).await;
    assert_eq!(
        anonymous.status,
        StatusCode::SEE_OTHER,
        "the console needs a login"
    );

    let lists = send(&c.app, "GET", "/console/lists", Some(&cookie), None).await;
    assert_eq!(lists.status, StatusCode::OK);
    assert!(lists.body.contains("12か月以上確認していない資源"));
    // The seed has records confirmed long ago (inage-k-017, 2023-01-10);
    // closed ones (chuo-k-008) need no confirming.
    assert!(lists.body.contains("/console/records/inage-k-017"));
    assert!(!lists.body.contains("/console/records/chuo-k-008"));
}

#[tokio::test]
async fn a_record_edit_is_refused_at_its_field_and_then_saved() {
    let c = console();
    let (cookie, csrf) = logged_in(&c).await;
    let page = send(
        &c.app,
        "GET",
        "/console/records/inage-k-017",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let needle = "name=\"expected_seq\" value=\"";
    let seq_at = page.body.find(needle).unwrap() + needle.len();
    let seq: String = page.body[seq_at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();

    let empty = format!("csrf={csrf}&expected_seq={seq}&name=");
    let a = send(
        &c.app,
        "POST",
        "/console/records/inage-k-017/edit",
        Some(&cookie),
        Some(&empty),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(
        a.body.contains("名称: 必須の項目がありません"),
        "{}",
        a.body
    );
    assert!(
        a.body.contains("id=\"e-name\""),
        "the message sits at the field"
    );
    assert!(!a.body.contains("name: name:"));

    let fixed = format!(
        "csrf={csrf}&expected_seq={seq}&name={}",
        enc("弥生町いきいき百歳体操（火曜）")
    );
    let a = send(
        &c.app,
        "POST",
        "/console/records/inage-k-017/edit",
        Some(&cookie),
        Some(&fixed),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // The old sequence number no longer matches: someone else's view is stale.
    let again = format!("csrf={csrf}&expected_seq={seq}&name={}", enc("別の名前"));
    let a = send(
        &c.app,
        "POST",
        "/console/records/inage-k-017/edit",
        Some(&cookie),
        Some(&again),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    let page = send(
        &c.app,
        "GET",
        "/console/records/inage-k-017?done=edit",
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        page.body.contains("弥生町いきいき百歳体操（火曜）") && page.body.contains("保存しました")
    );
}

/// The record page shows what was read from the listing with buttons that
/// confirm or reject it; a decision is saved and shown, and taken back.
#[tokio::test]
async fn a_fact_read_from_the_listing_is_confirmed_rejected_and_taken_back() {
    let c = console();
    let (cookie, csrf) = logged_in(&c).await;
    let uri = "/console/records/chuo-k-015";
    let page = send(&c.app, "GET", uri, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("掲載文から読み取ったこと"));
    assert!(
        page.body
            .contains("「車でお越しの方は駐車場をご利用いただけます」")
    );
    assert!(page.body.contains("未確認"), "undecided at first");
    assert!(
        page.body
            .contains("name=\"fact\" value=\"feature:parking\"")
    );

    let decide = |verdict: &str| {
        format!(
            "csrf={csrf}&fact={}&field=description&phrase={}&verdict={verdict}",
            enc("feature:parking"),
            enc("車でお越しの方は駐車場をご利用いただけます")
        )
    };
    let a = send(
        &c.app,
        "POST",
        "/console/records/chuo-k-015/fact",
        Some(&cookie),
        Some(&decide("rejected")),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.headers[header::LOCATION], format!("{uri}?done=fact"));
    let page = send(
        &c.app,
        "GET",
        &format!("{uri}?done=fact"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(page.body.contains("誤りとして除外（"), "{}", page.body);
    assert!(page.body.contains("判断を記録しました"));
    assert!(page.body.contains("class=\"rejected\""));
    assert!(page.body.contains("判断を取り消す"));

    // Without the form's CSRF token nothing is decided.
    let forged = decide("confirmed").replace(&format!("csrf={csrf}"), "csrf=forged");
    let a = send(
        &c.app,
        "POST",
        "/console/records/chuo-k-015/fact",
        Some(&cookie),
        Some(&forged),
    )
    .await;
    assert_ne!(a.status, StatusCode::SEE_OTHER);
    let page = send(&c.app, "GET", uri, Some(&cookie), None).await;
    assert!(page.body.contains("誤りとして除外（"));

    // A phrase the record does not read: refused on the page, not stored.
    let a = send(
        &c.app,
        "POST",
        "/console/records/chuo-k-015/fact",
        Some(&cookie),
        Some(&decide("confirmed").replace(&enc("車でお越しの方は"), "")),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(a.body.contains("開き直して"));

    let a = send(
        &c.app,
        "POST",
        "/console/records/chuo-k-015/fact",
        Some(&cookie),
        Some(&decide("")),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&c.app, "GET", uri, Some(&cookie), None).await;
    assert!(page.body.contains("未確認") && !page.body.contains("誤りとして除外（"));
}

/// A point chosen on the match form's map is used instead of an address
/// (and before one), carried to the handout for walking distances, and a
/// point that does not read is said at the address field.
#[tokio::test]
async fn a_point_chosen_on_the_map_places_the_consultation() {
    let c = console();
    let (cookie, csrf) = logged_in(&c).await;
    let page = send(&c.app, "GET", "/console", Some(&cookie), None).await;
    assert!(page.body.contains("id=\"pick-map\"") && page.body.contains("name=\"point\""));
    assert!(
        page.body.contains("name=\"tsunagu-map\""),
        "the map's configuration"
    );

    // 小仲台二丁目's point, with no address typed.
    let form = format!(
        "csrf={csrf}&point={}&need=salon",
        enc("35.637111,140.096136")
    );
    let a = send(&c.app, "POST", "/console/match", Some(&cookie), Some(&form)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("結果（稲毛区小仲台"), "{}", a.body);
    assert!(
        a.body
            .contains("地図で選んだ地点（緯度 35.637111・経度 140.096136）")
    );
    assert!(
        a.body
            .contains("name=\"point\" value=\"35.637111,140.096136\""),
        "the handout form carries the point"
    );

    // The point wins over an address elsewhere in the city.
    let both = format!(
        "csrf={csrf}&address={}&point={}&need=salon",
        enc("緑区おゆみ野中央1丁目"),
        enc("35.637111,140.096136")
    );
    let a = send(&c.app, "POST", "/console/match", Some(&cookie), Some(&both)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("結果（稲毛区小仲台"), "{}", a.body);

    for bad in ["35.6,", "abc,def", "95,140"] {
        let form = format!("csrf={csrf}&point={}&need=salon", enc(bad));
        let a = send(&c.app, "POST", "/console/match", Some(&cookie), Some(&form)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.body);
        assert!(a.body.contains("href=\"#address\""), "{bad}: {}", a.body);
    }

    let id_at = a_result_id(&c, &cookie, &csrf).await;
    let handout = format!(
        "csrf={csrf}&point={}&id={}",
        enc("35.637111,140.096136"),
        enc(&id_at)
    );
    let a = send(
        &c.app,
        "POST",
        "/console/handout",
        Some(&cookie),
        Some(&handout),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(
        a.body.contains("徒歩約") || a.body.contains("km"),
        "the walk from the chosen point: {}",
        a.body
    );
}

async fn a_result_id(c: &Console, cookie: &str, csrf: &str) -> String {
    let form = format!(
        "csrf={csrf}&point={}&need=salon",
        enc("35.637111,140.096136")
    );
    let a = send(&c.app, "POST", "/console/match", Some(cookie), Some(&form)).await;
    let needle = "name=\"id\" value=\"";
    let at = a.body.find(needle).expect("a result") + needle.len();
    a.body[at..].split('"').next().unwrap().to_string()
}

/// The 地域診断 pages: the form, the report with its downloads and agenda
/// links, the agenda, the survey; the coordinators' report and the survey
/// need a login, and a downloaded coordinators' file says 「内部用」.
#[tokio::test]
async fn reports_in_the_console_and_over_the_api() {
    let c = console();
    let a = send(&c.app, "GET", "/console/reports", None, None).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(
        a.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/console/login")
    );
    let refused = send(
        &c.app,
        "GET",
        "/api/v1/reports/area?audience=coordinator",
        None,
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let refused = send(
        &c.app,
        "GET",
        "/api/v1/reports/kayoi-survey?year=2026",
        None,
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    let public = send(
        &c.app,
        "GET",
        "/api/v1/reports/area?ward=%E7%A8%B2%E6%AF%9B%E5%8C%BA",
        None,
        None,
    )
    .await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert!(public.body.contains("\"audience\":\"public\""));
    let bad = send(
        &c.app,
        "GET",
        "/api/v1/reports/area?centre=AC99",
        None,
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("\"field\":\"centre\""), "{}", bad.body);

    let (cookie, _) = logged_in(&c).await;
    let form = send(&c.app, "GET", "/console/reports", Some(&cookie), None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("地域診断を作る") && form.body.contains("AC15"));

    let page = send(
        &c.app,
        "GET",
        "/console/reports/area?centre=AC15&from=2026-01-01&to=2026-12-31&audience=coordinator",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("地域診断: 千葉市あんしんケアセンター小仲台")
    );
    assert!(page.body.contains("内部用（非公開の資源を含む）"));
    let default = send(
        &c.app,
        "GET",
        "/console/reports/area?centre=AC15",
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        default.body.contains("公開用（公開の資源のみ）"),
        "the public report unless the internal one is asked for"
    );
    assert!(page.body.contains("<svg class=\"area-map\""));
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(
        !page.body.contains("style="),
        "no inline style under the CSP"
    );
    assert!(page.body.contains("/console/reports/agenda?centre=AC15"));
    let csv_at = page.body.find("/api/v1/reports/area?").unwrap();
    let csv_uri: String = page.body[csv_at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(csv_uri.contains("format=csv"), "{csv_uri}");
    let csv = send(&c.app, "GET", &csv_uri, Some(&cookie), None).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let disposition = csv.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    // 「内部用」, percent-encoded in the RFC 6266 file name.
    assert!(
        disposition.contains("%E5%86%85%E9%83%A8%E7%94%A8"),
        "{disposition}"
    );
    assert!(csv.body.starts_with('\u{feff}'));

    let agenda = send(
        &c.app,
        "GET",
        "/console/reports/agenda?centre=AC15",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(agenda.status, StatusCode::OK);
    assert!(
        agenda
            .body
            .contains("協議体 資料: 千葉市あんしんケアセンター小仲台")
    );
    let city = send(
        &c.app,
        "GET",
        "/console/reports/agenda",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(city.status, StatusCode::BAD_REQUEST);
    assert!(city.body.contains("区かセンターごと"));

    let survey = send(
        &c.app,
        "GET",
        "/console/reports/kayoi-survey?year=2026",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(survey.status, StatusCode::OK, "{}", survey.body);
    assert!(survey.body.contains("通いの場の実施状況（2026年度）"));
    assert!(survey.body.contains("週1回以上"));
}

/// `GET /api/v1/export`: streamed, public without login, the coordinators'
/// export only with one and named 「内部用」; a character Shift_JIS cannot
/// hold is refused before anything is sent, naming the record.
#[tokio::test]
async fn exports_over_http() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (config, mut dir) = server_common::seeded(&data);
    let line = r#"{"id":"taka-1","kind":"kayoi","name":"髙橋さんのサロン","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目","visibility":"internal"}"#;
    let report = dir
        .import_lines(
            "taka.jsonl",
            tsunagu_ingest::read_jsonl(std::io::Cursor::new(line.as_bytes()), "taka.jsonl"),
        )
        .unwrap();
    assert_eq!(report.accepted, 1);
    server_common::add_account(&data, "kanri", "admin", "市 太郎", "correct-horse-battery");
    server_common::add_account(
        &data,
        "etsuran",
        "viewer",
        "閲覧 花子",
        "viewer-horse-battery",
    );
    let c = Console {
        _tmp: tmp,
        data,
        app: server_common::app(config, dir, |_| {}),
    };
    // A viewer reads internal records on screen but takes none away.
    let a = send(
        &c.app,
        "POST",
        "/console/login",
        None,
        Some("login=etsuran&password=viewer-horse-battery&next=%2Fconsole"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let viewer = a.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let refused = send(
        &c.app,
        "GET",
        "/api/v1/export?format=csv&audience=coordinator",
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("内部用の書き出し"));

    let geo = send(&c.app, "GET", "/api/v1/export?format=geojson", None, None).await;
    assert_eq!(geo.status, StatusCode::OK);
    assert_eq!(geo.headers[header::CONTENT_TYPE], "application/geo+json");
    let v: serde_json::Value = serde_json::from_str(&geo.body).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    assert!(v["features"].as_array().unwrap().len() > 100);
    assert!(
        !geo.body.contains("taka-1"),
        "an internal record in a public export"
    );
    let disposition = geo.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        !disposition.contains("%E5%86%85%E9%83%A8%E7%94%A8"),
        "{disposition}"
    );

    // Public CP932: the internal 髙 record is not in it, so it exports.
    let sj = send(
        &c.app,
        "GET",
        "/api/v1/export?format=csv&encoding=cp932",
        None,
        None,
    )
    .await;
    assert_eq!(sj.status, StatusCode::OK, "{}", sj.body);

    let refused = send(
        &c.app,
        "GET",
        "/api/v1/export?format=csv&audience=coordinator",
        None,
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = send(&c.app, "GET", "/api/v1/export?format=xml", None, None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = send(
        &c.app,
        "GET",
        "/api/v1/export?format=hsds&encoding=cp932",
        None,
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let (cookie, _) = logged_in(&c).await;
    let csv = send(
        &c.app,
        "GET",
        "/api/v1/export?format=csv&audience=coordinator",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}') && csv.body.contains("taka-1"));
    let disposition = csv.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.contains("%E5%86%85%E9%83%A8%E7%94%A8"),
        "{disposition}"
    );
    let sj = send(
        &c.app,
        "GET",
        "/api/v1/export?format=csv&audience=coordinator&encoding=cp932",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(sj.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", sj.body);
    assert!(
        sj.body.contains("taka-1") && sj.body.contains("髙"),
        "{}",
        sj.body
    );
    assert!(
        sj.body.contains("\"name\""),
        "the field is named: {}",
        sj.body
    );
    let hsds = send(
        &c.app,
        "GET",
        "/api/v1/export?format=hsds&audience=coordinator",
        Some(&cookie),
        None,
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&hsds.body).unwrap();
    assert!(v.as_array().unwrap().len() > 100);
}

//! The coordinator's console pages: login and logout, the consultation
//! screen (the match form and its answer) and the printed handout.
//!
//! Pages post plain HTML forms, so the CSRF token travels as the form's
//! `csrf` field and is checked here against the session's, on every
//! request that changes anything. The senior's words and name are never
//! stored: matching keeps only the unmet needs (as the API does with
//! `record: true`), and the handout's name lives in one POST body.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tsunagu_accounts::Account;
use tsunagu_engine::{Audience, Location, MatchRequest, RequestError};
use tsunagu_engine::{EditError, RecordEdit};
use tsunagu_model::{FactVerdict, Status};
use tsunagu_web::Template;
use tsunagu_web::admin::{
    ACCOUNT_FIELDS, AccountRow, AccountsPage, FormField, NewAccountPage, Yoshiki, YoshikiPage,
};
use tsunagu_web::console::{
    ConsultPage, EDIT_FIELDS, EditField, HandoutItem, HandoutPage, ListsPage, LoginPage, MatchForm,
    RecordPage, Signed as SignedView, StaleRow,
};
use tsunagu_web::public::{MapPoint, map_points_json};

use crate::AppState;
use crate::auth::{SignIn, session_of, sign_in, sign_out};
use crate::error::ApiError;
use crate::pages::{html, message_page, not_found_page, page_for};

/// Longest form body a console page accepts.
const MAX_FORM_BYTES: usize = 64 * 1024;
/// Resources one handout holds (one A4 page in large type).
pub const MAX_HANDOUT_ITEMS: usize = 5;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(consult))
        .route("/console/login", get(login_form).post(login))
        .route("/console/logout", axum::routing::post(logout))
        .route("/console/match", axum::routing::post(match_form))
        .route("/console/handout", axum::routing::post(handout))
        .route("/console/accounts", get(accounts_page).post(add_account))
        .route("/console/accounts/new", get(new_account_page))
        .route(
            "/console/accounts/{login}/end",
            axum::routing::post(end_account),
        )
        .route("/console/accounts/{login}/yoshiki/{n}", get(yoshiki))
        .route("/console/lists", get(lists_page))
        .route("/console/search", get(console_search))
        .route("/console/records/{id}", get(record_page))
        .route(
            "/console/records/{id}/{action}",
            axum::routing::post(record_action),
        )
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

fn all(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The logged-in account of a page request, or the way to the login page.
async fn signed_in(
    app: &AppState,
    headers: &HeaderMap,
    back: &str,
) -> Result<(Account, String), Response> {
    match session_of(app, headers).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(Redirect::to(&format!(
            "/console/login?{}",
            tsunagu_web::query_string([("next", back)])
        ))
        .into_response()),
        Err(e) => Err(message_page(
            app,
            headers,
            e.status,
            "表示できませんでした",
            &e.message,
        )),
    }
}

/// The session's CSRF token must come back in the form; `Some` is the
/// refusal to answer with.
fn csrf_refusal(
    app: &AppState,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    csrf: &str,
) -> Option<Response> {
    if tsunagu_accounts::secrets_equal(first(pairs, "csrf"), csrf) {
        None
    } else {
        tracing::warn!("console form without the session's CSRF token");
        Some(message_page(
            app,
            headers,
            StatusCode::FORBIDDEN,
            "操作できませんでした",
            "画面を開き直してからもう一度操作してください（確認用の値が合いません）。",
        ))
    }
}

/// A posted console form: the signed-in account (an administrator when
/// `admin`), its CSRF token checked against the form's, and the form's
/// fields; or the answer to give instead.
async fn posted_form(
    app: &AppState,
    headers: &HeaderMap,
    back: &str,
    body: &Bytes,
    admin: bool,
) -> Result<(Account, String, Vec<(String, String)>), Response> {
    let (account, csrf) = if admin {
        admin_in(app, headers, back).await?
    } else {
        signed_in(app, headers, back).await?
    };
    let pairs = form_pairs(&body[..body.len().min(MAX_FORM_BYTES)]);
    if let Some(refusal) = csrf_refusal(app, headers, &pairs, &csrf) {
        return Err(refusal);
    }
    Ok((account, csrf, pairs))
}

fn signed_view(account: &Account, csrf: String) -> SignedView {
    SignedView {
        name: account.name.clone(),
        role: account.role.label_ja(),
        centre: account.center_id.clone(),
        csrf,
        admin: account.role == tsunagu_accounts::Role::Admin,
    }
}

fn local_path(next: &str) -> String {
    if next.starts_with("/console") && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/console".to_string()
    }
}

fn render(t: &impl Template) -> Result<String, ApiError> {
    t.render()
        .map_err(|e| ApiError::internal("rendering a console page", &e))
}

/// A console page. Never `public`: the answer is `no-store`, as pages
/// with a senior's name, a new password or internal fields must be.
fn page_response(
    app: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    body: Result<String, ApiError>,
) -> Response {
    match body {
        Ok(body) => html(app, status, body, false),
        Err(e) => message_page(app, headers, e.status, "表示できませんでした", &e.message),
    }
}

async fn login_form(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let next = form_pairs(raw.unwrap_or_default().as_bytes())
        .into_iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| local_path(&v))
        .unwrap_or_else(|| "/console".into());
    let page = LoginPage {
        title: "ログイン".into(),
        page: page_for(&app, &headers, "/console/login".into()),
        login: String::new(),
        error: None,
        next,
    };
    page_response(&app, &headers, StatusCode::OK, render(&page))
}

async fn login(State(app): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let headers = parts.headers.clone();
    let pairs = form_pairs(&body[..body.len().min(MAX_FORM_BYTES)]);
    let login_name = first(&pairs, "login").chars().take(200).collect::<String>();
    let password = first(&pairs, "password")
        .chars()
        .take(1024)
        .collect::<String>();
    let next = local_path(first(&pairs, "next"));
    let address = crate::auth::client_address_of(&parts);
    let refused = |message: String, status: StatusCode| {
        let page = LoginPage {
            title: "ログイン".into(),
            page: page_for(&app, &headers, "/console/login".into()),
            login: login_name.clone(),
            error: Some(message),
            next: next.clone(),
        };
        page_response(&app, &headers, status, render(&page))
    };
    match sign_in(&app, login_name.clone(), password, address).await {
        Ok(SignIn::In(_, cookie, _)) => {
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Ok(SignIn::Throttled(message, _)) => refused(message, StatusCode::TOO_MANY_REQUESTS),
        Ok(SignIn::Refused) => refused(
            tsunagu_accounts::LoginRefusal::MESSAGE_JA.to_string(),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => message_page(
            &app,
            &headers,
            e.status,
            "ログインできませんでした",
            &e.message,
        ),
    }
}

async fn logout(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body[..body.len().min(MAX_FORM_BYTES)]);
    let (_, csrf) = match signed_in(&app, &headers, "/console").await {
        Ok(found) => found,
        // No session: nothing to end.
        Err(_) => return Redirect::to("/").into_response(),
    };
    if let Some(refusal) = csrf_refusal(&app, &headers, &pairs, &csrf) {
        return refusal;
    }
    match sign_out(&app, &headers).await {
        Ok(cookie) => {
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => message_page(
            &app,
            &headers,
            e.status,
            "ログアウトできませんでした",
            &e.message,
        ),
    }
}

async fn consult(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let (account, csrf) = match signed_in(&app, &headers, "/console").await {
        Ok(found) => found,
        Err(to_login) => return to_login,
    };
    let page = ConsultPage::new(
        page_for(&app, &headers, "/console".into()),
        signed_view(&account, csrf),
        MatchForm {
            max_distance: "1000".into(),
            ..MatchForm::default()
        },
    );
    page_response(&app, &headers, StatusCode::OK, render(&page))
}

fn read_match_form(pairs: &[(String, String)]) -> MatchForm {
    let cut = |s: &str, n: usize| s.trim().chars().take(n).collect::<String>();
    MatchForm {
        needs: all(pairs, "need").into_iter().take(30).collect(),
        needs_text: cut(first(pairs, "needs_text"), 2_000),
        address: cut(first(pairs, "address"), 200),
        point: cut(first(pairs, "point"), 40),
        days: all(pairs, "day").into_iter().take(7).collect(),
        from: cut(first(pairs, "from"), 5),
        to: cut(first(pairs, "to"), 5),
        max_fee: cut(first(pairs, "max_fee"), 12),
        features: all(pairs, "feature").into_iter().take(20).collect(),
        max_distance: cut(first(pairs, "max_distance"), 6),
        kind: cut(first(pairs, "kind"), 20),
    }
}

/// The match request the form asks, in the API's JSON (so the same
/// validation and messages apply), or the form's own problems.
fn match_request_of(form: &MatchForm) -> Result<MatchRequest, Vec<(String, String)>> {
    let mut errors = Vec::new();
    // A point chosen on the map is used before the address.
    let point = match Location::parse(&form.point) {
        Location::Point(lat, lon) => Some((lat, lon)),
        Location::Address(_) if form.point.is_empty() => None,
        Location::Address(_) => {
            errors.push((
                "address".to_string(),
                "地図で選んだ地点が読めません。もう一度選ぶか、住所を入力してください".to_string(),
            ));
            None
        }
    };
    if form.address.is_empty() && form.point.is_empty() {
        errors.push((
            "address".to_string(),
            "住んでいる所を入力するか、地図で選んでください（町名まででかまいません）".to_string(),
        ));
    }
    if form.needs.is_empty() && form.needs_text.is_empty() {
        errors.push((
            "needs_text".to_string(),
            "困りごとを選ぶか、ご本人の様子を書いてください".to_string(),
        ));
    }
    let max_fee = if form.max_fee.is_empty() {
        None
    } else {
        match form.max_fee.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push((
                    "max_fee_yen".to_string(),
                    "費用の上限は 0 以上の整数（円）で入力してください".to_string(),
                ));
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let location = match point {
        Some((lat, lon)) => json!({"lat": lat, "lon": lon}),
        None => json!({"address": form.address}),
    };
    let mut body = json!({
        "location": location,
        "needs": form.needs,
        "requires": form.features,
        "max_distance_m": form.max_distance.parse::<f64>().unwrap_or(1_000.0),
        "audience": "coordinator",
        // Only the unmet needs are kept (資源開発), never the words.
        "record": true,
    });
    if !form.needs_text.is_empty() {
        body["needs_text"] = Value::from(form.needs_text.clone());
    }
    if let Some(n) = max_fee {
        body["max_fee_yen"] = Value::from(n);
    }
    if !form.days.is_empty() || !form.from.is_empty() || !form.to.is_empty() {
        let days: Vec<&str> = if form.days.is_empty() {
            tsunagu_web::console::WEEKDAYS
                .iter()
                .map(|(c, _)| *c)
                .collect()
        } else {
            form.days.iter().map(String::as_str).collect()
        };
        let start = if form.from.is_empty() {
            "00:00"
        } else {
            form.from.as_str()
        };
        let end = if form.to.is_empty() {
            "24:00"
        } else {
            form.to.as_str()
        };
        body["available"] = json!([{"weekdays": days, "start": start, "end": end}]);
    }
    MatchRequest::from_json(&body.to_string()).map_err(|e| {
        let field = match &e {
            RequestError::Field { field, .. } => match field.as_str() {
                f if f.starts_with("location") => "address".to_string(),
                f if f.starts_with("available") => "from".to_string(),
                f if f.starts_with("needs_text") => "needs_text".to_string(),
                f if f.starts_with("max_fee") => "max_fee_yen".to_string(),
                f => f.to_string(),
            },
            _ => "needs_text".to_string(),
        };
        vec![(field, e.message_ja())]
    })
}

async fn match_form(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (account, csrf, pairs) = match posted_form(&app, &headers, "/console", &body, false).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let form = read_match_form(&pairs);
    let mut page = ConsultPage::new(
        page_for(&app, &headers, "/console".into()),
        signed_view(&account, csrf),
        form.clone(),
    );
    let request = match match_request_of(&form) {
        Ok(r) => r,
        Err(errors) => {
            page.errors = errors;
            return page_response(&app, &headers, StatusCode::BAD_REQUEST, render(&page));
        }
    };
    let today = crate::today_jst();
    let answer = app
        .readers
        .run(move |dir| Ok(dir.match_request(&request, today)))
        .await;
    let rendered = match answer {
        Ok(Ok(answer)) => render(&page.with_answer(&answer)).map(|b| (StatusCode::OK, b)),
        Ok(Err(tsunagu_engine::EngineError::CannotLocate {
            message,
            candidates,
        })) => {
            let mut text = if form.point.is_empty() {
                format!("「{}」の場所がわかりませんでした。{message}", form.address)
            } else {
                format!("地図で選んだ地点を使えませんでした。{message}")
            };
            if !candidates.is_empty() {
                text.push_str(&format!(
                    "候補: {}",
                    candidates
                        .iter()
                        .take(5)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("、")
                ));
            }
            page.errors = vec![("address".into(), text)];
            render(&page).map(|b| (StatusCode::BAD_REQUEST, b))
        }
        Ok(Err(e @ tsunagu_engine::EngineError::Input(_))) => {
            page.errors = vec![("needs_text".into(), e.message_ja())];
            render(&page).map(|b| (StatusCode::BAD_REQUEST, b))
        }
        Ok(Err(e)) => Err(ApiError::from(e)),
        Err(e) => Err(e),
    };
    match rendered {
        Ok((status, body)) => html(&app, status, body, false),
        Err(e) => message_page(&app, &headers, e.status, "表示できませんでした", &e.message),
    }
}

async fn handout(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (account, _, pairs) = match posted_form(&app, &headers, "/console", &body, false).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let mut ids = all(&pairs, "id");
    ids.dedup();
    ids.truncate(MAX_HANDOUT_ITEMS);
    let for_name: String = first(&pairs, "for_name").trim().chars().take(40).collect();
    let address: String = first(&pairs, "address").trim().chars().take(200).collect();
    let point: String = first(&pairs, "point").trim().chars().take(40).collect();
    let page = page_for(&app, &headers, "/console".into());
    let centre = account
        .center_id
        .clone()
        .unwrap_or_else(|| "千葉市 生活支援コーディネーター".into());
    let date = crate::today_jst().format("%Y年%-m月%-d日").to_string();
    let rendered = app
        .readers
        .run(move |dir| {
            // The point chosen on the map, as the consultation used it.
            let home = match Location::parse(&point) {
                p @ Location::Point(..) => dir.resolve_location(&p).ok(),
                Location::Address(_) if address.is_empty() => None,
                Location::Address(_) => dir
                    .resolve_location(&Location::Address(address.clone()))
                    .ok(),
            };
            let mut items = Vec::new();
            let mut points = Vec::new();
            let mut left_out = 0;
            for id in &ids {
                // A handout goes home with the senior: public information
                // only, whoever prints it.
                let Some(shown) = dir.get(id, Audience::Public)? else {
                    left_out += 1;
                    continue;
                };
                let r = &shown.record;
                let walk = home
                    .as_ref()
                    .zip(shown.point)
                    .map(|((_, here), there)| tsunagu_geo::distance_m(*here, there))
                    .map(|d| {
                        tsunagu_engine::distance_ja_of(d.round().min(f64::from(u32::MAX)) as u32)
                    });
                let mut place = tsunagu_web::public::place_in_words(
                    r,
                    shown.ward.as_deref(),
                    shown.in_words.town.as_deref(),
                );
                if place.is_empty() && !r.service_area.is_empty() {
                    place = format!("ご自宅へ（対象地域: {}）", r.service_area.join("・"));
                }
                let contact = r
                    .contact
                    .as_ref()
                    .and_then(|c| {
                        c.phone
                            .clone()
                            .map(|p| format!("電話 {p}"))
                            .or_else(|| c.email.clone())
                    })
                    .map(|c| match &r.organizer {
                        Some(o) => format!("{}　{c}", o.name),
                        None => c,
                    })
                    .unwrap_or_default();
                if let Some((lat, lon)) = shown.point {
                    points.push(MapPoint {
                        lat,
                        lon,
                        name: r.name.clone(),
                        here: false,
                    });
                }
                items.push(HandoutItem {
                    name: r.name.clone(),
                    what: r
                        .categories
                        .iter()
                        .map(|c| c.label_ja())
                        .collect::<Vec<_>>()
                        .join("・"),
                    when: shown.in_words.when_ja.clone(),
                    place,
                    fee: shown.in_words.fee_ja.clone(),
                    contact,
                    walk,
                });
            }
            let from_place = home.as_ref().map(|(place, (lat, lon))| {
                points.insert(
                    0,
                    MapPoint {
                        lat: *lat,
                        lon: *lon,
                        name: "ご自宅のあたり".into(),
                        here: true,
                    },
                );
                let mut name = String::new();
                name.push_str(place.ward.map(|w| w.name()).unwrap_or_default());
                name.push_str(
                    place
                        .town
                        .as_deref()
                        .or(place.oaza.as_deref())
                        .unwrap_or_default(),
                );
                if name.is_empty() {
                    "ご自宅".to_string()
                } else {
                    format!("{name}（ご自宅のあたり）")
                }
            });
            let map_points = (points.len() > 1 || (home.is_none() && !points.is_empty()))
                .then(|| map_points_json(&points));
            render(&HandoutPage {
                title: "ご案内".into(),
                page,
                for_name,
                items,
                left_out,
                from_place,
                centre,
                date,
                map_points,
            })
        })
        .await;
    page_response(&app, &headers, StatusCode::OK, rendered)
}

fn derived_fact(f: &tsunagu_model::ListingFact) -> tsunagu_web::console::DerivedFact {
    let field_label = EDIT_FIELDS
        .iter()
        .find(|(key, _, _)| *key == f.field)
        .map(|(_, label, _)| label.to_string())
        .unwrap_or_else(|| f.field.clone());
    let (verdict, state) = match &f.decision {
        Some(d) => (
            d.verdict.code(),
            format!("{}（{}）", d.verdict.label_ja(), d.on),
        ),
        None => ("", "未確認".to_string()),
    };
    tsunagu_web::console::DerivedFact {
        label: f.fact.label_ja(),
        phrase: f.phrase.clone(),
        field: f.field.clone(),
        field_label,
        key: f.fact.key(),
        verdict,
        state,
    }
}

/// What a record page shows after an action (`?done=…`).
fn done_notice(done: &str) -> Option<String> {
    Some(
        match done {
            "confirm" => "情報を確認したことを記録しました（確認日を今日にしました）。",
            "pause" => "休止にしました。公開の検索には出なくなります。",
            "close" => "終了にしました。公開の検索には出なくなります。",
            "reopen" => "再開にしました。",
            "edit" => "保存しました。",
            "fact" => "読み取ったことへの判断を記録しました。検索と照合にすぐ反映されます。",
            _ => return None,
        }
        .to_string(),
    )
}

fn record_fields(view: &tsunagu_engine::RecordView) -> Vec<EditField> {
    let r = &view.record;
    EDIT_FIELDS
        .iter()
        .map(|(key, label, long)| {
            let value = match *key {
                "name" => Some(r.name.clone()),
                "description" => r.description.clone(),
                "schedule_text" => r.schedule_text.clone(),
                "fee_text" => r.fee_text.clone(),
                "target" => r.target.clone(),
                "address" => r.address.clone(),
                "phone" => r.contact.as_ref().and_then(|c| c.phone.clone()),
                "notes_internal" => r.notes_internal.clone(),
                _ => None,
            };
            EditField {
                key,
                label,
                long: *long,
                value: value.unwrap_or_default(),
                error: None,
            }
        })
        .collect()
}

fn record_page_of(
    page: tsunagu_web::Page,
    signed: &crate::auth::Signed,
    csrf: String,
    view: &tsunagu_engine::RecordView,
    history: &[tsunagu_store::AuditEntry],
) -> RecordPage {
    let r = &view.record;
    let p = &view.placement;
    let mut facts: Vec<(&'static str, String)> = vec![
        ("種類", r.kind.label_ja().to_string()),
        (
            "分類",
            r.categories
                .iter()
                .map(|c| c.label_ja())
                .collect::<Vec<_>>()
                .join("・"),
        ),
    ];
    let mut push = |k: &'static str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            facts.push((k, v));
        }
    };
    push("説明", r.description.clone());
    push(
        "日時",
        Some(tsunagu_engine::schedule_ja(
            &p.schedule,
            r.schedule_text.as_deref(),
        )),
    );
    push(
        "費用",
        r.fee_text.clone().or(r.fee_yen.map(|y| format!("{y}円"))),
    );
    push("所在地", r.address.clone());
    push(
        "区・町",
        Some(format!(
            "{}{}",
            p.ward.map(|w| w.name()).unwrap_or_default(),
            p.town.as_deref().unwrap_or_default()
        )),
    );
    push("あんしんケアセンター", p.center_id.clone());
    if !r.service_area.is_empty() {
        push("対象地域", Some(r.service_area.join("・")));
    }
    push("対象", r.target.clone());
    push("定員", r.capacity.map(|c| format!("{c}人")));
    push("主催・運営", r.organizer.as_ref().map(|o| o.name.clone()));
    if let Some(c) = &r.contact {
        push("電話", c.phone.clone());
        push("メール", c.email.clone());
        push("ホームページ", c.url.clone());
        push("担当者（内部）", c.person.clone());
    }
    push("内部メモ", r.notes_internal.clone());
    push("確認日", r.verified_on.map(|d| d.to_string()));
    push("最終変更", Some(view.last_changed.clone()));
    let id_path = tsunagu_web::public::percent_path(&r.id);
    RecordPage {
        title: r.name.clone(),
        page,
        signed: signed_view(&signed.account, csrf),
        id: r.id.clone(),
        public_href: r.is_public().then(|| format!("/resources/{id_path}")),
        id_path,
        status: r.status.label_ja(),
        status_code: r.status.code(),
        visibility: r.visibility.label_ja(),
        facts,
        derived: p.facts.iter().map(derived_fact).collect(),
        // Only what the writer would accept from this account.
        can_edit: signed.require_editor().is_ok()
            && signed
                .edit_scope()
                .allows(Some(&view.placement), &view.placement),
        seq: view.seq,
        fields: record_fields(view),
        notice: None,
        error: None,
        history: history
            .iter()
            .rev()
            .take(50)
            .map(|h| {
                (
                    h.at.clone(),
                    format!("{}（{}）", h.actor, h.via),
                    action_ja(&h.action).to_string(),
                    h.changes
                        .iter()
                        .map(change_ja)
                        .collect::<Vec<_>>()
                        .join("、"),
                )
            })
            .collect(),
    }
}

/// The audit log's action names as the history table says them.
fn action_ja(action: &str) -> &str {
    match action {
        "create" => "登録",
        "update" => "変更",
        "confirm" => "情報を確認",
        "status" => "状態の変更",
        "fact" => "読み取りへの判断",
        other => other,
    }
}

/// A changed field by its label; a decision on a reading with the fact and
/// the verdict.
fn change_ja(change: &tsunagu_store::FieldChange) -> String {
    if let Some(key) = change.field.strip_prefix("facts.") {
        let label = tsunagu_model::Fact::from_key(key).map_or(key, |f| f.label_ja());
        let verdict = change
            .after
            .as_ref()
            .and_then(|a| a["verdict"].as_str())
            .and_then(FactVerdict::from_code)
            .map_or("判断の取り消し", |v| v.label_ja());
        return format!("「{label}」→{verdict}");
    }
    EDIT_FIELDS
        .iter()
        .find(|(key, _, _)| *key == change.field)
        .map_or_else(|| change.field.clone(), |(_, label, _)| label.to_string())
}

/// The record page, with a notice or the refusal of an edit.
async fn show_record(
    app: &AppState,
    headers: &HeaderMap,
    signed: crate::auth::Signed,
    csrf: String,
    id: String,
    adjust: impl FnOnce(&mut RecordPage) + Send + 'static,
    status: StatusCode,
) -> Response {
    let page = page_for(
        app,
        headers,
        format!(
            "/console/records/{}",
            tsunagu_web::public::percent_path(&id)
        ),
    );
    let rendered = app
        .readers
        .run(move |dir| {
            let Some(view) = dir.record_view(&id)? else {
                return Ok(None);
            };
            let history = dir.history(&id)?;
            let mut p = record_page_of(page, &signed, csrf, &view, &history);
            adjust(&mut p);
            render(&p).map(Some)
        })
        .await;
    match rendered {
        Ok(Some(body)) => html(app, status, body, false),
        Ok(None) => message_page(
            app,
            headers,
            StatusCode::NOT_FOUND,
            "見つかりません",
            "その資源はありません。",
        ),
        Err(e) => message_page(app, headers, e.status, "表示できませんでした", &e.message),
    }
}

async fn record_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let back = format!(
        "/console/records/{}",
        tsunagu_web::public::percent_path(&id)
    );
    let (account, csrf) = match signed_in(&app, &headers, &back).await {
        Ok(found) => found,
        Err(to_login) => return to_login,
    };
    if id.chars().count() > 200 {
        return not_found_page(&app, &headers, "その資源はありません。");
    }
    let notice = form_pairs(raw.unwrap_or_default().as_bytes())
        .into_iter()
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| done_notice(&v));
    let signed = crate::auth::Signed {
        account,
        csrf: Some(csrf.clone()),
    };
    show_record(
        &app,
        &headers,
        signed,
        csrf,
        id,
        move |p| p.notice = notice,
        StatusCode::OK,
    )
    .await
}

/// The merge patch of what the edit form changed (empty: removed).
fn patch_of(pairs: &[(String, String)], current: &[EditField]) -> serde_json::Map<String, Value> {
    let mut patch = serde_json::Map::new();
    for field in current {
        let Some((_, sent)) = pairs.iter().find(|(k, _)| k == field.key) else {
            continue;
        };
        let sent = sent.trim();
        if sent == field.value.trim() {
            continue;
        }
        let value = if sent.is_empty() {
            Value::Null
        } else {
            Value::from(sent)
        };
        if field.key == "phone" {
            patch.insert("contact".into(), json!({ "phone": value }));
        } else {
            patch.insert(field.key.into(), value);
        }
    }
    patch
}

async fn record_action(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let back = format!(
        "/console/records/{}",
        tsunagu_web::public::percent_path(&id)
    );
    let (account, csrf, pairs) = match posted_form(&app, &headers, &back, &body, false).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    if id.chars().count() > 200 {
        return not_found_page(&app, &headers, "その資源はありません。");
    }
    let signed = crate::auth::Signed {
        account,
        csrf: Some(csrf.clone()),
    };
    let edit = match action.as_str() {
        "confirm" => RecordEdit::Confirm {
            id: id.clone(),
            on: crate::today_jst(),
        },
        "pause" => RecordEdit::SetStatus {
            id: id.clone(),
            status: Status::Paused,
        },
        "close" => RecordEdit::SetStatus {
            id: id.clone(),
            status: Status::Closed,
        },
        "reopen" => RecordEdit::SetStatus {
            id: id.clone(),
            status: Status::Active,
        },
        "fact" => {
            let verdict = match first(&pairs, "verdict") {
                "" => None,
                code => match FactVerdict::from_code(code) {
                    Some(v) => Some(v),
                    None => return not_found_page(&app, &headers, "そのページはありません。"),
                },
            };
            RecordEdit::DecideFact {
                id: id.clone(),
                fact: first(&pairs, "fact").to_string(),
                field: first(&pairs, "field").to_string(),
                phrase: first(&pairs, "phrase").to_string(),
                verdict,
                on: crate::today_jst(),
            }
        }
        "edit" => {
            let id2 = id.clone();
            let current = app.readers.run(move |dir| Ok(dir.record_view(&id2)?)).await;
            let view = match current {
                Ok(Some(v)) => v,
                Ok(None) => {
                    return not_found_page(&app, &headers, "その資源はありません。");
                }
                Err(e) => {
                    return message_page(
                        &app,
                        &headers,
                        e.status,
                        "表示できませんでした",
                        &e.message,
                    );
                }
            };
            let fields = patch_of(&pairs, &record_fields(&view));
            if fields.is_empty() {
                return Redirect::to(&back).into_response();
            }
            let expected_seq = first(&pairs, "expected_seq").parse::<u64>().ok();
            RecordEdit::Patch {
                id: id.clone(),
                fields,
                expected_seq,
            }
        }
        _ => {
            return not_found_page(&app, &headers, "そのページはありません。");
        }
    };
    match crate::coordinator::write_edit(&app, &signed, "console", edit).await {
        Ok(Ok(_)) => Redirect::to(&format!("{back}?done={action}")).into_response(),
        Ok(Err(refusal)) => {
            let message = refusal.message_ja();
            let fields = refusal.field_messages();
            // What was typed stays in the form, with the message at its field.
            let typed: Vec<(String, String)> = pairs
                .into_iter()
                .filter(|(k, _)| EDIT_FIELDS.iter().any(|(f, _, _)| f == k))
                .collect();
            let status = match refusal {
                EditError::NotFound { .. } => StatusCode::NOT_FOUND,
                EditError::Conflict { .. } | EditError::NoSuchFact { .. } => StatusCode::CONFLICT,
                EditError::Forbidden { .. } => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            show_record(
                &app,
                &headers,
                signed,
                csrf,
                id,
                move |p| {
                    p.error = Some(message);
                    for f in &mut p.fields {
                        if let Some((_, v)) = typed.iter().find(|(k, _)| k == f.key) {
                            f.value = v.clone();
                        }
                        let named = fields.iter().find(|(n, _)| {
                            n == f.key || (f.key == "phone" && n.starts_with("contact"))
                        });
                        if let Some((_, m)) = named {
                            f.error = Some(m.clone());
                        }
                    }
                },
                status,
            )
            .await
        }
        Err(e) => message_page(&app, &headers, e.status, "保存できませんでした", &e.message),
    }
}

/// Quick search in the console: the coordinators' audience (internal
/// records and fields are theirs to see), results lead to record pages.
async fn console_search(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let mut form = crate::pages::read_form(raw.as_deref());
    form.path = "/console/search";
    let here = form.href_with(&[]);
    let (account, csrf) = match signed_in(&app, &headers, &here).await {
        Ok(found) => found,
        Err(to_login) => return to_login,
    };
    let page = page_for(&app, &headers, here);
    // Printed console lists carry a QR code to the same search (it asks
    // for a login first).
    let base = crate::pages::public_base(&app, &headers);
    let signed = signed_view(&account, csrf);
    let rendered = app
        .readers
        .run(move |dir| {
            let outcome = crate::pages::search_outcome(dir, &form, Audience::Coordinator)?;
            let mut p = tsunagu_web::public::SearchPage::new(
                page,
                form,
                outcome,
                Some(dir.analyzer()),
                &base,
            );
            p.console_nav = Some(signed);
            render(&p)
        })
        .await;
    page_response(&app, &headers, StatusCode::OK, rendered)
}

/// The coordinator's lists: stale records of the area, unmet needs of the
/// centre by month (an admin, without a centre, sees the whole city).
async fn lists_page(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let (account, csrf) = match signed_in(&app, &headers, "/console/lists").await {
        Ok(found) => found,
        Err(to_login) => return to_login,
    };
    let today = crate::today_jst();
    let cutoff = today
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(today);
    let centre = account.center_id.clone();
    let names = centre_names(&app).await;
    let c = centre.clone();
    let found = app
        .readers
        .run(move |dir| {
            Ok((
                dir.stale_records(c.as_deref(), cutoff)?,
                dir.unmet_counts(c.as_deref(), None, None)?,
            ))
        })
        .await;
    let (stale, counts) = match found {
        Ok(found) => found,
        Err(e) => {
            return message_page(&app, &headers, e.status, "表示できませんでした", &e.message);
        }
    };
    let mut months: Vec<String> = counts.iter().map(|c| c.month.clone()).collect();
    months.sort_unstable_by(|a, b| b.cmp(a));
    months.dedup();
    months.truncate(12);
    let mut needs: Vec<String> = counts.iter().map(|c| c.need.clone()).collect();
    needs.sort_unstable();
    needs.dedup();
    let unmet = needs
        .iter()
        .map(|need| {
            let label = tsunagu_model::Category::from_code(need)
                .map(|c| c.label_ja().to_string())
                .unwrap_or_else(|| need.clone());
            let per_month = months
                .iter()
                .map(|m| {
                    counts
                        .iter()
                        .filter(|c| &c.need == need && &c.month == m)
                        .map(|c| c.count)
                        .sum()
                })
                .collect();
            (label, per_month)
        })
        .collect();
    let page = ListsPage {
        title: "確認・資源開発".into(),
        page: page_for(&app, &headers, "/console/lists".into()),
        signed: signed_view(&account, csrf),
        centre: centre
            .map(|c| names.get(&c).cloned().unwrap_or(c))
            .unwrap_or_else(|| "千葉市全体".into()),
        cutoff: date_ja(cutoff),
        stale: stale
            .iter()
            .map(|r| StaleRow {
                href: format!(
                    "/console/records/{}",
                    tsunagu_web::public::percent_path(&r.id)
                ),
                name: r.name.clone(),
                status: r.status.label_ja(),
                organizer: r.organizer.clone().unwrap_or_default(),
                verified: r
                    .verified_on
                    .map(date_ja)
                    .unwrap_or_else(|| "確認日なし".into()),
            })
            .collect(),
        months,
        unmet,
    };
    page_response(&app, &headers, StatusCode::OK, render(&page))
}

/// The signed-in administrator of an admin page, or the answer to give.
async fn admin_in(
    app: &AppState,
    headers: &HeaderMap,
    back: &str,
) -> Result<(Account, String), Response> {
    let (account, csrf) = signed_in(app, headers, back).await?;
    if account.role != tsunagu_accounts::Role::Admin {
        return Err(message_page(
            app,
            headers,
            StatusCode::FORBIDDEN,
            "表示できません",
            "このページは市の管理者だけが使えます。",
        ));
    }
    Ok((account, csrf))
}

/// あんしんケアセンター id → name, from the directory's areas.
async fn centre_names(app: &AppState) -> std::collections::HashMap<String, String> {
    app.readers
        .run(|dir| {
            Ok(dir
                .locator()
                .centers()
                .centers()
                .iter()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect())
        })
        .await
        .unwrap_or_default()
}

fn date_ja(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

fn term_of(a: &Account) -> String {
    format!(
        "{}〜{}",
        date_ja(a.valid_from),
        a.valid_until.map(date_ja).unwrap_or_default()
    )
}

async fn accounts_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let (account, csrf) = match admin_in(&app, &headers, "/console/accounts").await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let listed = app
        .accounts
        .with_store(|store| {
            tsunagu_accounts::list_accounts(store)
                .map_err(|e| ApiError::internal("listing accounts", &e))
        })
        .await;
    let list = match listed {
        Ok(list) => list,
        Err(e) => {
            return message_page(&app, &headers, e.status, "表示できませんでした", &e.message);
        }
    };
    let names = centre_names(&app).await;
    let today = crate::today_jst();
    let notice = form_pairs(raw.unwrap_or_default().as_bytes())
        .into_iter()
        .find(|(k, _)| k == "ended")
        .map(|(_, login)| {
            format!("「{login}」を解任しました。様式第3号（解任届出書）を印刷できます。")
        });
    let rows = list
        .iter()
        .map(|a| {
            let ended = a.ended_on.is_some();
            let state = match (a.ended_on, a.valid_until) {
                (Some(d), _) => format!("{} 解任", date_ja(d)),
                (None, Some(until)) if until < today => "委託期間が終わりました".to_string(),
                _ if a.valid_from > today => "委託期間の前です".to_string(),
                _ => "有効".to_string(),
            };
            AccountRow {
                login: a.login.clone(),
                login_path: tsunagu_web::public::percent_path(&a.login),
                name: a.name.clone(),
                role: a.role.label_ja(),
                centre: a
                    .center_id
                    .as_ref()
                    .map(|c| names.get(c).cloned().unwrap_or_else(|| c.clone()))
                    .unwrap_or_default(),
                term: term_of(a),
                state,
                ended,
                coordinator: a.role == tsunagu_accounts::Role::Coordinator,
            }
        })
        .collect();
    let page = AccountsPage {
        title: "利用者".into(),
        page: page_for(&app, &headers, "/console/accounts".into()),
        signed: signed_view(&account, csrf),
        rows,
        notice,
        today: today.to_string(),
    };
    page_response(&app, &headers, StatusCode::OK, render(&page))
}

fn account_fields(pairs: &[(String, String)]) -> Vec<FormField> {
    ACCOUNT_FIELDS
        .iter()
        .map(|(key, label, hint, kind)| FormField {
            key,
            label,
            hint,
            kind,
            value: first(pairs, key).trim().chars().take(200).collect(),
            error: None,
        })
        .collect()
}

async fn new_account_page(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let (account, csrf) = match admin_in(&app, &headers, "/console/accounts/new").await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let defaults = vec![
        ("role".to_string(), "coordinator".to_string()),
        ("title".to_string(), "生活支援コーディネーター".to_string()),
    ];
    let page = NewAccountPage {
        title: "選任".into(),
        page: page_for(&app, &headers, "/console/accounts/new".into()),
        signed: signed_view(&account, csrf),
        fields: account_fields(&defaults),
        error: None,
        created: None,
    };
    page_response(&app, &headers, StatusCode::OK, render(&page))
}

async fn add_account(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (account, csrf, pairs) =
        match posted_form(&app, &headers, "/console/accounts/new", &body, true).await {
            Ok(found) => found,
            Err(answer) => return answer,
        };
    let mut fields = account_fields(&pairs);
    let value = |k: &str| {
        fields
            .iter()
            .find(|f| f.key == k)
            .map(|f| f.value.clone())
            .unwrap_or_default()
    };
    let optional = |k: &str| Some(value(k)).filter(|v| !v.is_empty());
    let new = tsunagu_accounts::NewAccount {
        login: value("login"),
        role: value("role"),
        name: value("name"),
        title: optional("title"),
        organization: optional("organization"),
        center_id: optional("center_id"),
        appointed_on: optional("appointed_on"),
        appointed_reason: optional("appointed_reason"),
        valid_from: value("valid_from"),
        valid_until: optional("valid_until"),
    };
    let actor = tsunagu_store::AuditActor {
        login: account.login.clone(),
        via: "console".into(),
    };
    let added = app
        .accounts
        .with_store(move |store| {
            let password = tsunagu_accounts::generate_password()
                .map_err(|e| ApiError::internal("generating a password", &e))?;
            Ok(
                tsunagu_accounts::add_account(store, &new, &password, &actor)
                    .map(|a| (a, password)),
            )
        })
        .await;
    let mut page = NewAccountPage {
        title: "選任".into(),
        page: page_for(&app, &headers, "/console/accounts/new".into()),
        signed: signed_view(&account, csrf),
        fields: Vec::new(),
        error: None,
        created: None,
    };
    let status = match added {
        Ok(Ok((created, password))) => {
            let href = format!(
                "/console/accounts/{}/yoshiki/1",
                tsunagu_web::public::percent_path(&created.login)
            );
            page.created = Some((created.login, password, href));
            StatusCode::CREATED
        }
        Ok(Err(e)) => {
            if let tsunagu_accounts::AccountError::Invalid(problems) = &e {
                for p in problems {
                    if let Some(f) = fields.iter_mut().find(|f| f.key == p.field) {
                        f.error = Some(p.message_ja());
                    }
                }
            } else if let Some(f) = fields.iter_mut().find(|f| f.key == "login") {
                f.error = Some(e.message_ja());
            }
            page.error = Some("入力を確かめてください。".into());
            page.fields = fields;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => {
            return message_page(&app, &headers, e.status, "登録できませんでした", &e.message);
        }
    };
    page_response(&app, &headers, status, render(&page))
}

async fn end_account(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(login): Path<String>,
    body: Bytes,
) -> Response {
    let (account, _, pairs) =
        match posted_form(&app, &headers, "/console/accounts", &body, true).await {
            Ok(found) => found,
            Err(answer) => return answer,
        };
    let on = match chrono::NaiveDate::parse_from_str(first(&pairs, "on").trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) if first(&pairs, "on").trim().is_empty() => crate::today_jst(),
        Err(_) => {
            return message_page(
                &app,
                &headers,
                StatusCode::BAD_REQUEST,
                "解任できませんでした",
                "解任年月日は YYYY-MM-DD の日付で入力してください。",
            );
        }
    };
    let reason: String = first(&pairs, "reason").trim().chars().take(500).collect();
    let actor = tsunagu_store::AuditActor {
        login: account.login.clone(),
        via: "console".into(),
    };
    let who = login.clone();
    let ended = app
        .accounts
        .with_store(move |store| {
            Ok(tsunagu_accounts::end_account(
                store, &who, on, &reason, &actor,
            ))
        })
        .await;
    match ended {
        Ok(Ok(_)) => Redirect::to(&format!(
            "/console/accounts?{}",
            tsunagu_web::query_string([("ended", login.as_str())])
        ))
        .into_response(),
        Ok(Err(e)) => message_page(
            &app,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "解任できませんでした",
            &e.message_ja(),
        ),
        Err(e) => message_page(&app, &headers, e.status, "解任できませんでした", &e.message),
    }
}

async fn yoshiki(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((login, n)): Path<(String, String)>,
) -> Response {
    if let Err(answer) = admin_in(&app, &headers, "/console/accounts").await {
        return answer;
    }
    let Some(form) = Yoshiki::from_number(&n) else {
        return not_found_page(&app, &headers, "その様式はありません。");
    };
    let who = login.clone();
    let found = app
        .accounts
        .with_store(move |store| {
            tsunagu_accounts::get_account(store, &who)
                .map_err(|e| ApiError::internal("reading an account", &e))
        })
        .await;
    let a = match found {
        Ok(Some(a)) => a,
        Ok(None) => {
            return not_found_page(&app, &headers, "その利用者はいません。");
        }
        Err(e) => {
            return message_page(&app, &headers, e.status, "表示できませんでした", &e.message);
        }
    };
    if form == Yoshiki::Dismissal && a.ended_on.is_none() {
        return message_page(
            &app,
            &headers,
            StatusCode::CONFLICT,
            "印刷できません",
            "まだ解任されていない利用者です。解任してから様式第3号を印刷してください。",
        );
    }
    let names = centre_names(&app).await;
    let page = YoshikiPage {
        title: format!("{} {}（{}）", form.number(), form.name(), a.name),
        page: page_for(
            &app,
            &headers,
            format!(
                "/console/accounts/{}/yoshiki/{n}",
                tsunagu_web::public::percent_path(&login)
            ),
        ),
        form,
        name: a.name.clone(),
        title_of_post: a.title.clone().unwrap_or_default(),
        organization: a.organization.clone().unwrap_or_default(),
        centre: a
            .center_id
            .as_ref()
            .map(|c| names.get(c).cloned().unwrap_or_else(|| c.clone()))
            .unwrap_or_default(),
        appointed_on: a.appointed_on.map(date_ja).unwrap_or_default(),
        appointed_reason: a.appointed_reason.clone().unwrap_or_default(),
        term: term_of(&a),
        ended_on: a.ended_on.map(date_ja).unwrap_or_default(),
        ended_reason: a.ended_reason.clone().unwrap_or_default(),
        issued_on: date_ja(crate::today_jst()),
    };
    page_response(&app, &headers, StatusCode::OK, render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_apis_request() {
        let form = MatchForm {
            needs: vec!["shopping".into()],
            needs_text: "囲碁が好き".into(),
            address: "稲毛区小仲台2丁目".into(),
            point: String::new(),
            days: vec!["tue".into(), "thu".into()],
            from: "09:00".into(),
            to: "".into(),
            max_fee: "500".into(),
            features: vec!["wheelchair".into()],
            max_distance: "2000".into(),
            kind: String::new(),
        };
        let r = match_request_of(&form).expect("valid");
        assert_eq!(r.max_fee_yen, Some(500));
        assert_eq!(r.max_distance_m, 2000.0);
        assert!(r.record, "unmet needs are counted");
        assert_eq!(r.audience, Audience::Coordinator);
        assert_eq!(r.available.len(), 1);

        let empty = MatchForm::default();
        let errors = match_request_of(&empty).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["address", "needs_text"]);

        let bad_fee = MatchForm {
            max_fee: "五百".into(),
            ..form.clone()
        };
        assert_eq!(match_request_of(&bad_fee).unwrap_err()[0].0, "max_fee_yen");
        let bad_need = MatchForm {
            needs: vec!["flying".into()],
            ..form
        };
        assert!(match_request_of(&bad_need).is_err());
    }

    #[test]
    fn next_is_a_console_path_only() {
        assert_eq!(local_path("/console/records/x"), "/console/records/x");
        assert_eq!(local_path("https://evil.example/"), "/console");
        assert_eq!(local_path("//evil.example/console"), "/console");
        assert_eq!(local_path("/search"), "/console");
    }
}

//! The coordinators' API (login): internal reads, record edits through the
//! one writer (every edit audited with who made it), uploads, the records
//! of an area not confirmed for a year, unmet-needs counts; and the city's
//! account management (admins).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use tsunagu_engine::{Actor, EditError, EditRequest, ImportOptions, RecordEdit, limits};
use tsunagu_model::Status;

use crate::AppState;
use crate::auth::Signed;
use crate::error::ApiError;
use crate::params::{Params, parse_centre};

/// Largest upload accepted for import (the engine's own bound for a file).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", post(crate::auth::login))
        .route("/api/v1/logout", post(crate::auth::logout))
        .route("/api/v1/me", get(crate::auth::me))
        .route("/api/v1/records", post(create))
        .route("/api/v1/records/{id}", get(record).patch(update))
        .route("/api/v1/records/{id}/history", get(history))
        .route("/api/v1/records/{id}/confirm", post(confirm))
        .route("/api/v1/records/{id}/facts", post(decide_fact))
        .route("/api/v1/records/{id}/pause", post(pause))
        .route("/api/v1/records/{id}/close", post(close))
        .route("/api/v1/records/{id}/reopen", post(reopen))
        .route("/api/v1/stale", get(stale))
        .route("/api/v1/unmet", get(unmet))
        .route(
            "/api/v1/imports",
            post(import).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/accounts", get(accounts).post(add_account))
        .route("/api/v1/accounts/{login}/end", post(end_account))
        .route("/api/v1/audit", get(audit))
}

fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.chars().count() > 200 {
        return Err(ApiError::bad_request("id", "id が空か長すぎます"));
    }
    Ok(())
}

fn edit_error(e: &EditError) -> ApiError {
    let (status, code) = match e {
        EditError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
        EditError::Exists { .. } => (StatusCode::CONFLICT, "exists"),
        EditError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
        EditError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
        // The reading it names is no longer there: the record changed.
        EditError::NoSuchFact { .. } => (StatusCode::CONFLICT, "conflict"),
        EditError::Invalid { .. } | EditError::UnknownKeys { .. } | EditError::IdChange { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
        }
    };
    ApiError::new(status, code, e.message_ja()).with_fields(e.fields())
}

/// One edit through the writer, as `signed` via `via` (`api`, `console`):
/// the outcome, or the edit's own refusal (for forms to show by field).
pub(crate) async fn write_edit(
    app: &AppState,
    signed: &Signed,
    via: &str,
    edit: RecordEdit,
) -> Result<Result<tsunagu_engine::EditOutcome, EditError>, ApiError> {
    signed.require_editor()?;
    let request = EditRequest {
        edit,
        actor: Actor {
            login: signed.account.login.clone(),
            via: via.into(),
        },
        scope: signed.edit_scope(),
    };
    let mut answers = app
        .writer
        .edit(vec![request])
        .await
        .map_err(|e| ApiError::unavailable(format!("書き込みを受け付けられません（{e}）")))?
        .map_err(|e| ApiError::internal("writing an edit", &e))?;
    match answers.pop() {
        Some(Ok(outcome)) => {
            app.metrics.edits.inc();
            Ok(Ok(outcome))
        }
        Some(Err(e)) => Ok(Err(e)),
        None => Err(ApiError::internal("writing an edit", &"no answer")),
    }
}

/// One edit through the writer; the answer is the record as now stored.
async fn apply(
    app: &AppState,
    signed: &Signed,
    edit: RecordEdit,
    created: bool,
) -> Result<Response, ApiError> {
    let outcome = match write_edit(app, signed, "api", edit).await? {
        Ok(outcome) => outcome,
        Err(e) => return Err(edit_error(&e)),
    };
    let id = outcome.id.clone();
    let view = app
        .readers
        .run(move |dir| Ok(dir.record_view(&id)?))
        .await?;
    let status = if created && outcome.effect == tsunagu_engine::EditEffect::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let etag = axum::http::HeaderValue::from_str(&format!("\"{}\"", outcome.seq))
        .map_err(|e| ApiError::internal("etag", &e))?;
    Ok((
        status,
        [(header::ETAG, etag)],
        Json(json!({"outcome": outcome, "record": view})),
    )
        .into_response())
}

fn json_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "body",
            "JSON のオブジェクト（{…}）で送ってください",
        )),
        Err(e) => Err(ApiError::bad_request(
            "body",
            format!("JSON を読めません（{}行目 {}文字目）", e.line(), e.column()),
        )),
    }
}

/// `POST /api/v1/records`: a new record, validated as import validates.
async fn create(
    State(app): State<AppState>,
    signed: Signed,
    body: Bytes,
) -> Result<Response, ApiError> {
    let record = json_object(&body)?;
    apply(&app, &signed, RecordEdit::Create { record }, true).await
}

/// `GET /api/v1/records/{id}`: everything stored (any logged-in role).
async fn record(
    State(app): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let _ = signed;
    check_id(&id)?;
    let view = app
        .readers
        .run(move |dir| Ok(dir.record_view(&id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("その資源はありません"))?;
    let etag = axum::http::HeaderValue::from_str(&format!("\"{}\"", view.seq))
        .map_err(|e| ApiError::internal("etag", &e))?;
    Ok(([(header::ETAG, etag)], Json(json!(view))).into_response())
}

/// `If-Match: "SEQ"` (or `expected_seq` in the body) refuses an edit when
/// the record changed since it was read.
fn expected_seq(
    headers: &HeaderMap,
    body: &mut Map<String, Value>,
) -> Result<Option<u64>, ApiError> {
    if let Some(v) = body.remove("expected_seq") {
        return v
            .as_u64()
            .map(Some)
            .ok_or_else(|| ApiError::bad_request("expected_seq", "expected_seq は数です"));
    }
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .map(|s| s.trim().trim_matches('"'))
            .and_then(|s| s.parse::<u64>().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request("If-Match", "If-Match は記録の変更番号（\"123\"）です")
            }),
    }
}

/// `PATCH /api/v1/records/{id}`: only the named fields change.
async fn update(
    State(app): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let mut fields = json_object(&body)?;
    let expected_seq = expected_seq(&headers, &mut fields)?;
    apply(
        &app,
        &signed,
        RecordEdit::Patch {
            id,
            fields,
            expected_seq,
        },
        false,
    )
    .await
}

/// `POST /api/v1/records/{id}/confirm` (`{"on": "YYYY-MM-DD"}` optional,
/// default today in Japan): 「情報を確認しました」.
async fn confirm(
    State(app): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let today = crate::today_jst();
    let on = if body.iter().all(u8::is_ascii_whitespace) {
        today
    } else {
        let map = json_object(&body)?;
        match map.get("on").and_then(Value::as_str) {
            None => today,
            Some(text) => {
                let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| ApiError::bad_request("on", "on は YYYY-MM-DD の日付です"))?;
                if day > today {
                    return Err(ApiError::bad_request(
                        "on",
                        "確認日に未来の日付は使えません",
                    ));
                }
                day
            }
        }
    };
    apply(&app, &signed, RecordEdit::Confirm { id, on }, false).await
}

/// `POST /api/v1/records/{id}/facts` with `{"fact": "feature:parking",
/// "field": "description", "phrase": "駐車場あり", "verdict":
/// "confirmed" | "rejected" | null}`: a decision on a fact read from the
/// listing's text (`null` takes one back). The fact, field and phrase are
/// those `GET /api/v1/records/{id}` gives under `placement.facts`.
async fn decide_fact(
    State(app): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    let map = json_object(&body)?;
    let text = |key: &'static str| -> Result<String, ApiError> {
        match map.get(key).and_then(Value::as_str) {
            Some(t) if !t.is_empty() && t.chars().count() <= 2_000 => Ok(t.to_string()),
            _ => Err(ApiError::bad_request(
                key,
                format!("{key} は空でない文字列です"),
            )),
        }
    };
    let fact = text("fact")?;
    if tsunagu_model::Fact::from_key(&fact).is_none() {
        return Err(ApiError::bad_request(
            "fact",
            "fact は feature:parking や who:women_only のような読み取りの種類です",
        ));
    }
    let verdict = match map.get("verdict") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_str()
                .and_then(tsunagu_model::FactVerdict::from_code)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "verdict",
                        "verdict は confirmed、rejected、null のどれかです",
                    )
                })?,
        ),
    };
    let edit = RecordEdit::DecideFact {
        id,
        fact,
        field: text("field")?,
        phrase: text("phrase")?,
        verdict,
        on: crate::today_jst(),
    };
    apply(&app, &signed, edit, false).await
}

async fn set_status(
    app: AppState,
    signed: Signed,
    id: String,
    status: Status,
) -> Result<Response, ApiError> {
    check_id(&id)?;
    apply(&app, &signed, RecordEdit::SetStatus { id, status }, false).await
}

async fn pause(
    State(app): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_status(app, signed, id, Status::Paused).await
}

async fn close(
    State(app): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_status(app, signed, id, Status::Closed).await
}

async fn reopen(
    State(app): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_status(app, signed, id, Status::Active).await
}

/// `GET /api/v1/records/{id}/history`: who changed what, oldest first.
async fn history(
    State(app): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let _ = signed;
    check_id(&id)?;
    let (exists, entries) = app
        .readers
        .run(move |dir| Ok((dir.exists(&id)?, dir.history(&id)?)))
        .await?;
    if !exists && entries.is_empty() {
        return Err(ApiError::not_found("その資源はありません"));
    }
    Ok(Json(json!({ "history": entries })))
}

const STALE_PARAMS: &[&str] = &["centre", "months"];

/// `GET /api/v1/stale?centre=AC05&months=12`: records of an area (by
/// default the coordinator's own) not confirmed for 12 months or more.
async fn stale(
    State(app): State<AppState>,
    signed: Signed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(raw.as_deref(), STALE_PARAMS)?;
    let centre = match p.one("centre")? {
        Some(c) => Some(
            parse_centre(c)
                .ok_or_else(|| ApiError::bad_request("centre", "centre は AC01〜AC28 です"))?,
        ),
        None => signed.account.center_id.clone(),
    };
    let months: u32 = p.number("months")?.unwrap_or(12);
    if !(1..=120).contains(&months) {
        return Err(ApiError::bad_request("months", "months は 1〜120 です"));
    }
    let today = crate::today_jst();
    let cutoff = today
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(today);
    let c = centre.clone();
    let records = app
        .readers
        .run(move |dir| Ok(dir.stale_records(c.as_deref(), cutoff)?))
        .await?;
    Ok(Json(json!({
        "centre": centre,
        "confirmed_before": cutoff,
        "count": records.len(),
        "records": records,
    })))
}

const UNMET_PARAMS: &[&str] = &["centre", "from", "to"];

/// `GET /api/v1/unmet?centre=&from=&to=`: unmet needs by centre, need and
/// month (each consultation counted once).
async fn unmet(
    State(app): State<AppState>,
    signed: Signed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let _ = signed;
    let p = Params::parse(raw.as_deref(), UNMET_PARAMS)?;
    let centre = p
        .one("centre")?
        .map(|c| {
            parse_centre(c)
                .ok_or_else(|| ApiError::bad_request("centre", "centre は AC01〜AC28 です"))
        })
        .transpose()?;
    let date = |key: &str| -> Result<Option<NaiveDate>, ApiError> {
        p.one(key)?
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_request(key, format!("{key} は YYYY-MM-DD の日付です"))
                })
            })
            .transpose()
    };
    let (from, to) = (date("from")?, date("to")?);
    let c = centre.clone();
    let counts = app
        .readers
        .run(move |dir| Ok(dir.unmet_counts(c.as_deref(), from, to)?))
        .await?;
    Ok(Json(
        json!({ "centre": centre, "from": from, "to": to, "counts": counts }),
    ))
}

const IMPORT_PARAMS: &[&str] = &["format", "encoding", "name", "merge"];

/// `POST /api/v1/imports?format=csv|jsonl&name=FILE`: the file as the
/// body; the import report as the answer. Records outside the caller's
/// area are refused line by line, as bad lines are.
async fn import(
    State(app): State<AppState>,
    signed: Signed,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    signed.require_editor()?;
    let p = Params::parse(raw.as_deref(), IMPORT_PARAMS)?;
    let format = match p.one("format")? {
        Some("csv") => tsunagu_engine::FileFormat::Csv,
        Some("jsonl") => tsunagu_engine::FileFormat::JsonLines,
        _ => {
            return Err(ApiError::bad_request(
                "format",
                "format は csv か jsonl を指定してください",
            ));
        }
    };
    let encoding = tsunagu_engine::CsvEncoding::parse(p.one("encoding")?.unwrap_or("auto"))
        .map_err(|e| ApiError::bad_request("encoding", e.message_ja()))?;
    let name = p.one("name")?.unwrap_or("upload").to_string();
    if body.is_empty() {
        return Err(ApiError::bad_request("body", "ファイルの中身が空です"));
    }
    limits::check_len("name", &name, 200)
        .map_err(|e| ApiError::bad_request("name", e.message_ja()))?;
    let options = ImportOptions {
        format: Some(format),
        encoding,
        scope: signed.edit_scope(),
        actor: Some(tsunagu_engine::Actor {
            login: signed.account.login.clone(),
            via: format!("import:{name}"),
        }),
        merge: p.flag("merge")?,
    };
    let report = app
        .writer
        .import_bytes(name, body.to_vec(), options)
        .await
        .map_err(|e| ApiError::unavailable(format!("書き込みを受け付けられません（{e}）")))?
        .map_err(ApiError::from)?;
    // Bad lines are in the report; only a file that could not be read at
    // all is a failed request.
    let status = if report.file_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!(report))).into_response())
}

/// `GET /api/v1/accounts` (admins): every account, ended ones included.
async fn accounts(State(app): State<AppState>, signed: Signed) -> Result<Json<Value>, ApiError> {
    signed.require_admin()?;
    let list = app
        .accounts
        .with_store(|store| {
            tsunagu_accounts::list_accounts(store)
                .map_err(|e| ApiError::internal("listing accounts", &e))
        })
        .await?;
    Ok(Json(json!({ "accounts": list })))
}

fn account_error(e: tsunagu_accounts::AccountError) -> ApiError {
    use tsunagu_accounts::AccountError as E;
    match &e {
        E::Invalid(errors) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.message_ja())
                .with_fields(errors.iter().map(|f| f.field.to_string()).collect())
        }
        E::Exists { .. } | E::AlreadyEnded { .. } => {
            ApiError::new(StatusCode::CONFLICT, "conflict", e.message_ja())
        }
        E::NotFound { .. } | E::NoToken { .. } => ApiError::not_found(e.message_ja()),
        _ => ApiError::internal("account operation", &e),
    }
}

/// `POST /api/v1/accounts` (admins): 選任. The body is the new account
/// (`login`, `role`, `name`, `title`, `organization`, `center_id`,
/// `appointed_on`, `appointed_reason`, `valid_from`, `valid_until`) and
/// optionally `password`; without one a password is generated and given
/// in this answer only.
async fn add_account(
    State(app): State<AppState>,
    signed: Signed,
    body: Bytes,
) -> Result<Response, ApiError> {
    signed.require_admin()?;
    let mut map = json_object(&body)?;
    let password = match map.remove("password") {
        Some(Value::String(p)) => Some(p),
        Some(_) => return Err(ApiError::bad_request("password", "password は文字列です")),
        None => None,
    };
    let new: tsunagu_accounts::NewAccount = serde_json::from_value(Value::Object(map))
        .map_err(|e| ApiError::bad_request("body", format!("利用者の項目を読めません（{e}）")))?;
    let actor = signed.actor("api");
    let (account, generated) = app
        .accounts
        .with_store(move |store| {
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (
                    tsunagu_accounts::generate_password()
                        .map_err(|e| ApiError::internal("generating a password", &e))?,
                    true,
                ),
            };
            let account = tsunagu_accounts::add_account(store, &new, &password, &actor)
                .map_err(account_error)?;
            Ok((account, generated.then_some(password)))
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "account": account, "password": generated })),
    )
        .into_response())
}

/// `POST /api/v1/accounts/{login}/end` `{"on", "reason"}` (admins): 解任.
async fn end_account(
    State(app): State<AppState>,
    signed: Signed,
    Path(login): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    signed.require_admin()?;
    let map = json_object(&body)?;
    let on = match map.get("on").and_then(Value::as_str) {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::bad_request("on", "on は YYYY-MM-DD の日付です"))?,
        None => crate::today_jst(),
    };
    let reason = map
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let actor = signed.actor("api");
    let account = app
        .accounts
        .with_store(move |store| {
            tsunagu_accounts::end_account(store, &login, on, &reason, &actor).map_err(account_error)
        })
        .await?;
    Ok(Json(json!({ "account": account })))
}

const AUDIT_PARAMS: &[&str] = &["after", "limit"];

/// `GET /api/v1/audit?after=ID&limit=N` (admins): the whole log.
async fn audit(
    State(app): State<AppState>,
    signed: Signed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    signed.require_admin()?;
    let p = Params::parse(raw.as_deref(), AUDIT_PARAMS)?;
    let after: u64 = p.number("after")?.unwrap_or(0);
    let limit: usize = p.number("limit")?.unwrap_or(100);
    let entries = app
        .readers
        .run(move |dir| Ok(dir.audit_log(after, limit)?))
        .await?;
    Ok(Json(json!({ "entries": entries })))
}

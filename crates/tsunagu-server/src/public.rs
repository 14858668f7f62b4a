//! The public API (no login): the CLI's search, nearest, one resource,
//! locate, categories and wards with counts, and matching. Public callers
//! get public records and public fields only: every record passes through
//! the engine's `Audience::project` with `Audience::Public`, and asking for
//! `audience=coordinator` without an account is refused.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tsunagu_engine::{
    Audience, Directory, Location, MatchRequest, NearQuery, NearSort, SearchQuery,
    apply_understanding, limits,
};
use tsunagu_model::{Category, Ward};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Params;

pub fn routes(state: AppState) -> Router<AppState> {
    let cached = Router::new()
        .route("/api/v1/resources/search", get(search))
        .route("/api/v1/resources/nearest", get(nearest))
        .route("/api/v1/resources/{id}", get(resource))
        .route("/api/v1/locate", get(locate))
        .route("/api/v1/categories", get(categories))
        .route("/api/v1/wards", get(wards))
        .route_layer(axum::middleware::from_fn_with_state(state, public_cache));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/v1/openapi.json", get(crate::openapi::openapi))
        .route("/api/v1/match", post(match_request))
        .merge(cached)
}

/// Anonymous GETs are answered from the public cache when it has a young
/// enough answer, and their successful answers are kept (see `cache.rs`).
async fn public_cache(
    State(app): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let anonymous = req.method() == axum::http::Method::GET
        && !req.headers().contains_key(header::AUTHORIZATION)
        && !req.headers().contains_key(header::COOKIE);
    if !anonymous {
        return next.run(req).await;
    }
    let key = req.uri().to_string();
    // `x-cache: hit` from the cache, `shared` from an identical request
    // answered at the same moment.
    let hit = |body: Bytes, how: &'static str| {
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::HeaderName::from_static("x-cache"), how),
            ],
            body,
        )
            .into_response()
    };
    if let Some(body) = app.public_cache.get(&key) {
        return hit(body, "hit");
    }
    let lead = match app.public_cache.join(&key) {
        crate::cache::Flight::Lead(tx) => tx,
        crate::cache::Flight::Follow(mut rx) => {
            // Someone is answering this very request: wait for theirs.
            let answer = rx
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|v| v.clone());
            if let Some(Some(body)) = answer {
                return hit(body, "shared");
            }
            // Theirs was not cacheable (an error): answer this one ourselves.
            return next.run(req).await;
        }
    };
    let response = next.run(req).await;
    let (response, body) = if response.status() == StatusCode::OK {
        let (parts, body) = response.into_parts();
        match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
            Ok(bytes) => {
                app.public_cache.put(key.clone(), bytes.clone());
                (
                    Response::from_parts(parts, axum::body::Body::from(bytes.clone())),
                    Some(bytes),
                )
            }
            Err(e) => (
                ApiError::internal("reading an answer to cache it", &e).into_response(),
                None,
            ),
        }
    } else {
        (response, None)
    };
    app.public_cache.done(&key, lead, body);
    response
}

/// What a caller may read: public data, or internal data as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Public,
    Internal,
}

impl Reach {
    /// The audience a caller asked for, if it may have it.
    pub fn audience(self, asked: Option<&str>) -> Result<Audience, ApiError> {
        match (asked, self) {
            (None | Some("public"), _) => Ok(Audience::Public),
            (Some("coordinator"), Reach::Internal) => Ok(Audience::Coordinator),
            (Some("coordinator"), Reach::Public) => Err(ApiError::forbidden(
                "内部向けの情報を見るにはログインが必要です",
            )),
            (Some(other), _) => {
                let other = tsunagu_model::cut_for_message(other);
                Err(ApiError::bad_request(
                    "audience",
                    format!("audience は public か coordinator です（「{other}」）"),
                ))
            }
        }
    }
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the index has caught up with every change in the store.
async fn readyz(State(app): State<AppState>) -> Result<Response, ApiError> {
    let (store, index) = app
        .readers
        .run(|dir| Ok((dir.store_seq()?, dir.index_seq()?)))
        .await?;
    let body = json!({
        "store_seq": store,
        "index_seq": index,
        "ready": index >= store,
    });
    let status = if index >= store {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((status, Json(body)).into_response())
}

async fn metrics(State(app): State<AppState>) -> Result<Response, ApiError> {
    let (store, index, by_status) = app
        .readers
        .run(|dir| Ok((dir.store_seq()?, dir.index_seq()?, dir.status_counts()?)))
        .await?;
    app.metrics
        .index_lag
        .set(store.saturating_sub(index).min(i64::MAX as u64) as i64);
    app.metrics.writer_queue.set(app.writer.queued() as i64);
    for (status, n) in by_status {
        app.metrics
            .records
            .get_or_create(&crate::metrics::StatusLabels {
                status: status.code().to_string(),
            })
            .set(n.min(i64::MAX as u64) as i64);
    }
    let text = app
        .metrics
        .encode()
        .map_err(|e| ApiError::internal("encoding metrics", &e))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

const SEARCH_PARAMS: &[&str] = &[
    "q",
    "kind",
    "category",
    "ward",
    "centre",
    "feature",
    "max_fee",
    "near",
    "within",
    "sort",
    "limit",
    "offset",
    "literal",
    "include_inactive",
    "audience",
];

/// The CLI's `search --format json`, with or without `near`.
pub async fn search(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    search_as(app, raw, caller.reach()).await
}

pub async fn search_as(
    app: AppState,
    raw: Option<String>,
    reach: Reach,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(raw.as_deref(), SEARCH_PARAMS)?;
    let text = p.one("q")?.unwrap_or_default().to_string();
    let query = SearchQuery {
        text,
        kinds: p.kinds()?,
        categories: p.categories()?,
        wards: p.wards()?,
        centers: p.centres()?,
        features: p.features()?,
        max_fee_yen: p.number("max_fee")?,
        include_inactive: p.flag("include_inactive")?,
        audience: reach.audience(p.one("audience")?)?,
        limit: p.number("limit")?.unwrap_or(10),
        offset: p.number("offset")?.unwrap_or(0),
        ..SearchQuery::default()
    };
    let literal = p.flag("literal")?;
    let within: Option<f64> = p.number("within")?;
    let sort = match p.one("sort")? {
        None | Some("relevance") => NearSort::Relevance,
        Some("distance") => NearSort::Distance,
        Some(other) => {
            let other = tsunagu_model::cut_for_message(other);
            return Err(ApiError::bad_request(
                "sort",
                format!("sort は relevance か distance です（「{other}」）"),
            ));
        }
    };
    let near = p.one("near")?.map(location).transpose()?;
    if near.is_none() && (within.is_some() || p.one("sort")?.is_some()) {
        return Err(ApiError::bad_request(
            "near",
            "within と sort は near と一緒に指定してください",
        ));
    }
    let value = app
        .readers
        .run(move |dir| match near {
            None => {
                let found = dir.search_understood(&query, literal)?;
                serde_json::to_value(&found).map_err(|e| ApiError::internal("encoding", &e))
            }
            Some(location) => {
                let nq = NearQuery {
                    location,
                    within_m: within,
                    sort,
                };
                let (q, understanding) = if literal {
                    (query.clone(), tsunagu_engine::Understanding::default())
                } else {
                    let u = dir.understand(&query.text, &query.kinds)?;
                    let mut q = apply_understanding(&query, &u);
                    q.prefs.place = None;
                    (q, u)
                };
                let (located, results) = dir.search_near(&q, &nq)?;
                crate::wire::near_json(&located, &results, Some(&understanding))
                    .map_err(|e| ApiError::internal("encoding", &e))
            }
        })
        .await?;
    Ok(Json(value))
}

fn location(text: &str) -> Result<Location, ApiError> {
    let location = Location::parse(text);
    match &location {
        Location::Point(lat, lon) => limits::check_point(*lat, *lon)
            .map_err(|e| ApiError::bad_request("near", e.message_ja()))?,
        Location::Address(a) => limits::check_len("near", a, limits::MAX_ADDRESS_CHARS)
            .map_err(|e| ApiError::bad_request("near", e.message_ja()))?,
    }
    Ok(location)
}

const NEAREST_PARAMS: &[&str] = &["near", "category", "kind", "k", "audience"];

pub async fn nearest(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    nearest_as(app, raw, caller.reach()).await
}

pub async fn nearest_as(
    app: AppState,
    raw: Option<String>,
    reach: Reach,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(raw.as_deref(), NEAREST_PARAMS)?;
    let near = p
        .one("near")?
        .ok_or_else(|| ApiError::bad_request("near", "near（緯度,経度 か住所）を指定してください"))
        .and_then(location)?;
    let query = SearchQuery {
        categories: p.categories()?,
        kinds: p.kinds()?,
        audience: reach.audience(p.one("audience")?)?,
        ..SearchQuery::default()
    };
    let k: usize = p.number("k")?.unwrap_or(10);
    let value = app
        .readers
        .run(move |dir| {
            let (located, results) = dir.nearest(&query, &near, k)?;
            crate::wire::near_json(&located, &results, None)
                .map_err(|e| ApiError::internal("encoding", &e))
        })
        .await?;
    Ok(Json(value))
}

const RESOURCE_PARAMS: &[&str] = &["audience"];

/// One resource; `audience=coordinator` (logged in) shows an internal
/// record and internal fields.
pub async fn resource(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(raw.as_deref(), RESOURCE_PARAMS)?;
    let audience = caller.reach().audience(p.one("audience")?)?;
    resource_as(app, id, audience).await
}

pub async fn resource_as(
    app: AppState,
    id: String,
    audience: Audience,
) -> Result<Json<Value>, ApiError> {
    if id.chars().count() > 200 {
        return Err(ApiError::bad_request("id", "id が長すぎます"));
    }
    let shown = app
        .readers
        .run(move |dir| Ok(dir.get(&id, audience)?))
        .await?;
    match shown {
        Some(shown) => Ok(Json(
            serde_json::to_value(&shown).map_err(|e| ApiError::internal("encoding", &e))?,
        )),
        // An internal record is "not found" to the public: its existence is
        // not said either.
        None => Err(ApiError::not_found("その資源はありません")),
    }
}

const LOCATE_PARAMS: &[&str] = &["address", "point"];

async fn locate(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(raw.as_deref(), LOCATE_PARAMS)?;
    let wanted = match (p.one("address")?, p.one("point")?) {
        (Some(a), None) => {
            limits::check_len("address", a, limits::MAX_ADDRESS_CHARS)
                .map_err(|e| ApiError::bad_request("address", e.message_ja()))?;
            Location::Address(a.to_string())
        }
        (None, Some(pt)) => match Location::parse(pt) {
            Location::Point(lat, lon) => {
                limits::check_point(lat, lon)
                    .map_err(|e| ApiError::bad_request("point", e.message_ja()))?;
                Location::Point(lat, lon)
            }
            Location::Address(_) => {
                return Err(ApiError::bad_request(
                    "point",
                    "point は「緯度,経度」で指定してください（例: 35.65,140.10）",
                ));
            }
        },
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "point",
                "address と point はどちらか一つを指定してください",
            ));
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "address",
                "address（住所）か point（緯度,経度）を指定してください",
            ));
        }
    };
    let value = app
        .readers
        .run(move |dir| {
            let locator = dir.locator();
            let place = match &wanted {
                Location::Address(a) => locator.locate_address(a),
                Location::Point(lat, lon) => locator.locate_point(*lat, *lon),
            };
            Ok(crate::wire::place_json(locator, &place))
        })
        .await?;
    Ok(Json(value))
}

/// Active public records per category and per ward (a browse of the index
/// with no words: the facet counts).
pub(crate) fn public_counts(dir: &Directory) -> Result<tsunagu_engine::SearchResults, ApiError> {
    // Every kind: a browse of the whole directory, not an empty query.
    let q = SearchQuery {
        limit: 1,
        kinds: tsunagu_model::Kind::ALL.to_vec(),
        audience: Audience::Public,
        ..SearchQuery::default()
    };
    Ok(dir.search_understood(&q, true)?.results)
}

async fn categories(
    State(app): State<AppState>,
) -> Result<Json<crate::wire::CategoriesAnswer>, ApiError> {
    let counts = app.readers.run(public_counts).await?;
    let categories = Category::ALL
        .iter()
        .map(|c| crate::wire::CategoryCount {
            code: *c,
            label: c.label_ja(),
            kind: c.home_kind(),
            count: counts
                .facets
                .category
                .iter()
                .find(|f| f.value == c.code())
                .map_or(0, |f| f.count),
        })
        .collect();
    Ok(Json(crate::wire::CategoriesAnswer { categories }))
}

async fn wards(State(app): State<AppState>) -> Result<Json<crate::wire::WardsAnswer>, ApiError> {
    let counts = app.readers.run(public_counts).await?;
    let wards = Ward::ALL
        .iter()
        .map(|w| crate::wire::WardCount {
            code: w.code(),
            lg_code: w.lg_code(),
            name: w.name(),
            count: counts
                .facets
                .ward
                .iter()
                .find(|f| f.value == w.name())
                .map_or(0, |f| f.count),
        })
        .collect();
    Ok(Json(crate::wire::WardsAnswer { wards }))
}

/// spec/match.md. The public may match; the coordinator audience and
/// recording a consultation need an account.
async fn match_request(
    State(app): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    match_as(app, body, caller.reach()).await
}

pub async fn match_as(app: AppState, body: Bytes, reach: Reach) -> Result<Json<Value>, ApiError> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("body", "要求は UTF-8 の JSON で送ってください"))?;
    let req = MatchRequest::from_json(text).map_err(|e| {
        let field = match &e {
            tsunagu_engine::RequestError::Field { field, .. } => field.as_str(),
            _ => "body",
        };
        ApiError::bad_request(field, e.message_ja())
    })?;
    if reach == Reach::Public {
        if req.audience == Audience::Coordinator {
            return Err(ApiError::forbidden(
                "audience: coordinator で照合するにはログインが必要です",
            ));
        }
        if req.record {
            return Err(ApiError::forbidden("相談を記録するにはログインが必要です"));
        }
    }
    // Unmet needs are counted under the centre of the senior's place,
    // which the engine finds from the request's location.
    let today = crate::today_jst();
    let value = app
        .readers
        .run(move |dir| {
            let answer = dir.match_request(&req, today)?;
            serde_json::to_value(&answer).map_err(|e| ApiError::internal("encoding", &e))
        })
        .await?;
    Ok(Json(value))
}

//! The public pages: home, search, a resource, the display switches and
//! the static assets. HTML comes from `tsunagu-web`; this module asks the
//! engine for the public (`Audience::Public`, whoever is logged in: a page
//! that can be printed and handed on shows public information only) and
//! sets the headers every page carries.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tsunagu_engine::{
    Audience, Directory, EngineError, IndexError, Location, NearQuery, NearSort, SearchQuery,
    apply_understanding,
};
use tsunagu_model::{Category, Ward};
use tsunagu_web::Template;
use tsunagu_web::public::{
    Found, HomePage, MessagePage, PAGE_SIZE, ResourcePage, SearchForm, SearchOutcome, SearchPage,
    percent_path,
};

use crate::AppState;
use crate::error::ApiError;

/// The cookie that keeps the display switches (not personal data: which
/// of two text sizes and whether ruby is shown).
pub const DISPLAY_COOKIE: &str = "tsunagu_display";

/// Longest query value a page reads; longer ones are cut (the engine
/// refuses what is still too long, with a message).
const MAX_FIELD_CHARS: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/resources/{id}", get(resource))
        .route("/settings", get(settings))
        .route("/assets/{*path}", get(asset))
}

/// The reader's display choices, from the cookie.
#[derive(Debug, Clone, Copy, Default)]
pub struct Display {
    pub large: bool,
    pub ruby: bool,
}

impl Display {
    pub fn from_headers(headers: &HeaderMap) -> Display {
        let mut out = Display::default();
        for value in headers.get_all(header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for pair in value.split(';') {
                if let Some(v) = pair
                    .trim()
                    .strip_prefix(DISPLAY_COOKIE)
                    .and_then(|r| r.strip_prefix('='))
                {
                    for flag in v.split('.') {
                        match flag {
                            "large" => out.large = true,
                            "ruby" => out.ruby = true,
                            _ => {}
                        }
                    }
                }
            }
        }
        out
    }

    fn cookie_value(self) -> String {
        let mut flags = Vec::new();
        if self.large {
            flags.push("large");
        }
        if self.ruby {
            flags.push("ruby");
        }
        if flags.is_empty() {
            flags.push("plain");
        }
        flags.join(".")
    }
}

/// The page context for a request.
pub fn page_for(app: &AppState, headers: &HeaderMap, here: String) -> tsunagu_web::Page {
    let display = Display::from_headers(headers);
    tsunagu_web::Page {
        large: display.large,
        ruby: display.ruby,
        here,
        tiles: app.config.map_tiles.clone(),
    }
}

/// The site's origin as the reader reached it, for the QR codes of printed
/// pages: the configured public URL, else the request's Host.
pub(crate) fn public_base(app: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = &app.config.public_url {
        return base.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if app.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// The Content-Security-Policy of every page: nothing inline, nothing from
/// elsewhere except map tiles from the configured tile server.
pub fn content_security_policy(app: &AppState) -> String {
    let tiles = app
        .config
        .map_tiles
        .origin()
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; img-src 'self' data: blob:{tiles}; script-src 'self'; style-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// An HTML answer with the page headers. `public`: may be kept by shared
/// caches for a minute (it varies only with the display cookie).
pub fn html(app: &AppState, status: StatusCode, body: String, public: bool) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(app)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if public && status.is_success() {
            "public, max-age=60"
        } else {
            "no-store"
        }),
    );
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    response
}

fn render(t: &impl Template) -> Result<String, ApiError> {
    t.render()
        .map_err(|e| ApiError::internal("rendering a page", &e))
}

/// A page that says what went wrong, in the page layout.
pub fn message_page(
    app: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    let page = MessagePage {
        title: title.into(),
        page: page_for(app, headers, "/".into()),
        message: message.into(),
    };
    match page.render() {
        Ok(body) => html(app, status, body, false),
        Err(e) => {
            tracing::error!(error = %e, "cannot render the message page");
            (status, message.to_string()).into_response()
        }
    }
}

/// A page that says what was not found.
pub fn not_found_page(app: &AppState, headers: &HeaderMap, message: &str) -> Response {
    message_page(
        app,
        headers,
        StatusCode::NOT_FOUND,
        "見つかりません",
        message,
    )
}

fn failure(app: &AppState, headers: &HeaderMap, e: ApiError) -> Response {
    let status = e.status;
    if status.is_server_error() {
        tracing::error!(error = ?e, "page failed");
    }
    message_page(app, headers, status, "表示できませんでした", &e.message)
}

async fn home(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let page = page_for(&app, &headers, "/".into());
    let rendered = app
        .readers
        .run(move |dir| {
            let counts = crate::public::public_counts(dir)?;
            render(&HomePage::new(page, &counts))
        })
        .await;
    match rendered {
        Ok(body) => html(&app, StatusCode::OK, body, true),
        Err(e) => failure(&app, &headers, e),
    }
}

/// Reads the search form from the query string, leniently: unknown keys
/// are ignored (people edit URLs), over-long values cut.
pub(crate) fn read_form(raw: Option<&str>) -> SearchForm {
    let mut form = SearchForm {
        page: 1,
        ..SearchForm::default()
    };
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let v: String = v.chars().take(MAX_FIELD_CHARS).collect();
        match k.as_ref() {
            "q" => form.q = v,
            "near" => form.near = v.trim().to_string(),
            "ward" => form.ward = v.trim().to_string(),
            "category" => form.category = v.trim().to_string(),
            "page" => form.page = v.trim().parse::<usize>().unwrap_or(1).clamp(1, 500),
            _ => {}
        }
    }
    form
}

pub(crate) fn search_outcome(
    dir: &Directory,
    form: &SearchForm,
    audience: Audience,
) -> Result<SearchOutcome, ApiError> {
    if form.q.trim().is_empty()
        && form.near.is_empty()
        && form.ward.is_empty()
        && form.category.is_empty()
    {
        return Ok(SearchOutcome::Nothing);
    }
    let mut query = SearchQuery {
        text: form.q.clone(),
        audience,
        limit: PAGE_SIZE,
        offset: (form.page - 1) * PAGE_SIZE,
        ..SearchQuery::default()
    };
    if !form.ward.is_empty() {
        match Ward::parse(&form.ward) {
            Some(w) => query.wards = vec![w],
            None => {
                return Ok(SearchOutcome::Refused {
                    message: format!("「{}」という区はありません。", form.ward),
                });
            }
        }
    }
    if !form.category.is_empty() {
        match Category::from_user_text(&form.category) {
            Some(c) => query.categories = vec![c],
            None => {
                return Ok(SearchOutcome::Refused {
                    message: format!("「{}」という分類はありません。", form.category),
                });
            }
        }
    }
    let answer = if form.near.is_empty() {
        dir.search_understood(&query, false)
            .map(|found| (found.understanding, found.results, None))
    } else {
        let near = NearQuery {
            location: Location::parse(&form.near),
            within_m: None,
            sort: NearSort::Relevance,
        };
        dir.understand(&query.text, &query.kinds).and_then(|u| {
            let mut q = apply_understanding(&query, &u);
            // The address given is the place; a place in the words only
            // narrows by ward.
            q.prefs.place = None;
            dir.search_near(&q, &near)
                .map(|(located, results)| (u, results, Some(located)))
        })
    };
    match answer {
        Ok((understanding, results, located)) => Ok(SearchOutcome::Found(Box::new(Found {
            understanding,
            results,
            located,
        }))),
        Err(EngineError::CannotLocate {
            message,
            candidates,
        }) => Ok(SearchOutcome::CannotLocate {
            message: format!("「{}」の場所がわかりませんでした。{message}", form.near),
            candidates,
        }),
        Err(e @ (EngineError::Index(IndexError::EmptyQuery) | EngineError::Input(_))) => {
            Ok(SearchOutcome::Refused {
                message: e.message_ja(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

async fn search(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let form = read_form(raw.as_deref());
    let here = form.href_with(&[("page", Some(form.page.to_string().as_str()))]);
    let page = page_for(&app, &headers, here);
    let base = public_base(&app, &headers);
    let rendered = app
        .readers
        .run(move |dir| {
            let outcome = search_outcome(dir, &form, Audience::Public)?;
            let refused = matches!(
                outcome,
                SearchOutcome::Refused { .. } | SearchOutcome::CannotLocate { .. }
            );
            let body = render(&SearchPage::new(
                page,
                form,
                outcome,
                Some(dir.analyzer()),
                &base,
            ))?;
            Ok((refused, body))
        })
        .await;
    match rendered {
        // A question that cannot be answered is still a page that says why
        // and lets the reader ask again.
        Ok((true, body)) => html(&app, StatusCode::BAD_REQUEST, body, false),
        Ok((false, body)) => html(&app, StatusCode::OK, body, true),
        Err(e) => failure(&app, &headers, e),
    }
}

async fn resource(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if id.chars().count() > 200 {
        return not_found_page(&app, &headers, "そのページはありません。");
    }
    let here = format!("/resources/{}", percent_path(&id));
    let live_url = format!("{}{here}", public_base(&app, &headers));
    let back_href = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("/search?").map(|at| r[at..].to_string()))
        .filter(|r| r.len() <= 2_000);
    let page = page_for(&app, &headers, here);
    let rendered = app
        .readers
        .run(move |dir| match dir.get(&id, Audience::Public)? {
            Some(shown) => render(&ResourcePage::new(
                page,
                &shown,
                Some(dir.analyzer()),
                live_url,
                back_href,
            ))
            .map(Some),
            None => Ok(None),
        })
        .await;
    match rendered {
        Ok(Some(body)) => html(&app, StatusCode::OK, body, true),
        // An internal record is not found for the public, and not said to
        // exist.
        Ok(None) => not_found_page(
            &app,
            &headers,
            "その資源は見つかりませんでした。終了したか、公開されていない可能性があります。",
        ),
        Err(e) => failure(&app, &headers, e),
    }
}

/// The display switches: sets the cookie and goes back to the page. Works
/// as a plain link, without JavaScript.
async fn settings(headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let mut display = Display::from_headers(&headers);
    let mut back = "/".to_string();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "large" => display.large = v == "1",
            "ruby" => display.ruby = v == "1",
            // Only a path of this site: never an open redirect.
            "back"
                if v.starts_with('/')
                    && !v.starts_with("//")
                    && !v.contains('\\')
                    && v.len() <= 2_000 =>
            {
                back = v.into_owned();
            }
            _ => {}
        }
    }
    let cookie = format!(
        "{DISPLAY_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        display.cookie_value()
    );
    let mut response = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn asset(Path(path): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let Some(asset) = tsunagu_web::assets::asset(&path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    // A URL with the content's hash never changes meaning.
    let cache = if raw.as_deref().is_some_and(|q| q.starts_with("v=")) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_cookie_round_trip() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; tsunagu_display=large.ruby; c=d"),
        );
        let d = Display::from_headers(&headers);
        assert!(d.large && d.ruby);
        assert_eq!(d.cookie_value(), "large.ruby");
        assert_eq!(Display::default().cookie_value(), "plain");
    }

    #[test]
    fn forms_are_read_leniently() {
        let f = read_form(Some(
            "q=%E4%BD%93%E6%93%8D&page=abc&x=1&ward=%E7%B7%91%E5%8C%BA",
        ));
        assert_eq!(f.q, "体操");
        assert_eq!(f.page, 1);
        assert_eq!(f.ward, "緑区");
        let long = format!("q={}", "a".repeat(2_000));
        assert_eq!(read_form(Some(&long)).q.len(), MAX_FIELD_CHARS);
    }
}

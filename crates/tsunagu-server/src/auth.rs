//! Who is calling: a bearer token (scripts), a session cookie (browsers),
//! or nobody. Sessions live in the store (HttpOnly, SameSite=Strict
//! cookies, Secure behind TLS); a state-changing request made with a
//! session cookie must carry its CSRF token (header `X-CSRF-Token`, or the
//! `csrf` field of a form), so another site cannot make a coordinator's
//! browser act. Logins are rate-limited per account and per address, and
//! every refusal gets the same message whatever its reason.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tsunagu_accounts::{Account, AccountError, EditRights, LoginThrottle, ThrottleLimits};
use tsunagu_engine::EditScope;
use tsunagu_store::{AuditActor, Store};

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "tsunagu_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A working day; a coordinator logs in again the next morning.
pub const SESSION_HOURS: i64 = 10;

/// The accounts' side of the state: a read-write store connection for
/// sessions and accounts (short statements; the record writer is apart),
/// and the login throttle.
pub struct Accounts {
    store: Mutex<Store>,
    throttle: Mutex<LoginThrottle>,
    /// Set when served over TLS (or behind a TLS proxy): cookies get Secure.
    pub secure_cookies: bool,
}

impl Accounts {
    pub fn new(store: Store, secure_cookies: bool) -> Accounts {
        Accounts {
            store: Mutex::new(store),
            throttle: Mutex::new(LoginThrottle::new(ThrottleLimits::default())),
            secure_cookies,
        }
    }

    /// Runs `f` with the accounts' store on a blocking thread.
    pub async fn with_store<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = me.store.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut store)
        })
        .await
        .map_err(|e| ApiError::internal("accounts task failed", &e))?
    }
}

/// A logged-in caller.
#[derive(Debug, Clone)]
pub struct Signed {
    pub account: Account,
    /// The session's CSRF token; `None` for a bearer token.
    pub csrf: Option<String>,
}

impl Signed {
    pub fn actor(&self, via: &str) -> AuditActor {
        AuditActor {
            login: self.account.login.clone(),
            via: via.to_string(),
        }
    }

    /// Which records this caller may change: the accounts' rule
    /// (`permission.rs`), as the scope the writer applies to the record as
    /// it is when the change is made.
    pub fn edit_scope(&self) -> EditScope {
        match tsunagu_accounts::edit_rights(&self.account) {
            EditRights::Everything => EditScope::Everything,
            EditRights::Centres(ids) => EditScope::Centres(ids),
            EditRights::Nothing => EditScope::Nothing,
        }
    }

    pub fn require_editor(&self) -> Result<(), ApiError> {
        if self.edit_scope() == EditScope::Nothing {
            return Err(ApiError::forbidden("この利用者には編集の権限がありません"));
        }
        Ok(())
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if !tsunagu_accounts::can_manage_accounts(&self.account) {
            return Err(ApiError::forbidden("管理者だけができる操作です"));
        }
        Ok(())
    }
}

/// Anyone: signed in or not.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Signed(Box<Signed>),
}

impl Caller {
    pub fn signed(&self) -> Option<&Signed> {
        match self {
            Caller::Signed(s) => Some(s.as_ref()),
            Caller::Anonymous => None,
        }
    }

    /// What of the directory this caller may read.
    pub fn reach(&self) -> crate::public::Reach {
        match self {
            Caller::Signed(s) if tsunagu_accounts::can_read_internal(&s.account) => {
                crate::public::Reach::Internal
            }
            _ => crate::public::Reach::Public,
        }
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn unsafe_method(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Caller, ApiError> {
        let now = chrono::Utc::now();
        let today = tsunagu_accounts::japan_date(now);
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let raw = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(|v| v.trim().to_string())
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthorized",
                        "Authorization は「Bearer トークン」の形で送ってください",
                    )
                })?;
            let account = app
                .accounts
                .with_store(move |store| {
                    tsunagu_accounts::token_account(store, &raw, today)
                        .map_err(|e| ApiError::internal("reading a token", &e))
                })
                .await?;
            return match account {
                Some(account) => Ok(Caller::Signed(Box::new(Signed {
                    account,
                    csrf: None,
                }))),
                None => {
                    tracing::info!("bearer token refused (unknown, revoked, or account not valid)");
                    Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthorized",
                        "トークンが無効です（取り消されたか、利用者が使えない状態です）",
                    ))
                }
            };
        }
        let Some(raw) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) else {
            return Ok(Caller::Anonymous);
        };
        let found = app
            .accounts
            .with_store(move |store| {
                tsunagu_accounts::session_account(store, &raw, now)
                    .map_err(|e| ApiError::internal("reading a session", &e))
            })
            .await?;
        let Some((account, csrf)) = found else {
            // An expired or ended session is no session.
            return Ok(Caller::Anonymous);
        };
        if unsafe_method(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !tsunagu_accounts::secrets_equal(sent, &csrf) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "画面を開き直してからもう一度操作してください（確認用の値がありません）",
                ));
            }
        }
        Ok(Caller::Signed(Box::new(Signed {
            account,
            csrf: Some(csrf),
        })))
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Signed, ApiError> {
        match Caller::from_request_parts(parts, app).await? {
            Caller::Signed(s) => Ok(*s),
            Caller::Anonymous => Err(ApiError::unauthorized()),
        }
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

fn client_address(parts_addr: Option<&ConnectInfo<SocketAddr>>) -> IpAddr {
    parts_addr
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

fn session_cookie(value: &str, max_age: i64, secure: bool) -> Result<HeaderValue, ApiError> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| ApiError::internal("building the session cookie", &e))
}

/// What a sign-in came to.
pub(crate) enum SignIn {
    /// The account, the session cookie to set and the session's CSRF token.
    In(Box<tsunagu_accounts::Account>, HeaderValue, String),
    /// Too many attempts: the message and seconds to wait.
    Throttled(String, u64),
    /// Wrong login or password, or an account that may not log in now:
    /// one message for all (the reason is in the log).
    Refused,
}

/// Checks a login and password (throttled per account and address) and
/// opens a session. Shared by the API's login and the console's.
pub(crate) async fn sign_in(
    app: &AppState,
    login: String,
    password: String,
    address: IpAddr,
) -> Result<SignIn, ApiError> {
    {
        let mut throttle = app
            .accounts
            .throttle
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Err(t) = throttle.check(&login, address) {
            tracing::warn!(%address, by = ?t.by, "login throttled");
            return Ok(SignIn::Throttled(
                t.message_ja(),
                t.retry_after.as_secs().max(1),
            ));
        }
    }
    let now = chrono::Utc::now();
    let today = tsunagu_accounts::japan_date(now);
    let who = login.clone();
    let outcome = app
        .accounts
        .with_store(move |store| {
            let account = match tsunagu_accounts::authenticate(store, &login, &password, today) {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            let session = tsunagu_accounts::create_session(
                store,
                &account.login,
                chrono::TimeDelta::hours(SESSION_HOURS),
                now,
            )
            .map_err(|e| ApiError::internal("creating a session", &e))?;
            Ok(Ok((account, session)))
        })
        .await?;
    let mut throttle = app
        .accounts
        .throttle
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match outcome {
        Ok((account, (raw_id, csrf))) => {
            throttle.record_success(&who);
            drop(throttle);
            tracing::info!(login = %account.login, "logged in");
            let cookie =
                session_cookie(&raw_id, SESSION_HOURS * 3600, app.accounts.secure_cookies)?;
            Ok(SignIn::In(Box::new(account), cookie, csrf))
        }
        Err(AccountError::Refused(refusal)) => {
            throttle.record_failure(&who, address);
            // The reason goes to the log; the caller learns nothing of it.
            tracing::info!(%address, reason = refusal.code(), "login refused");
            Ok(SignIn::Refused)
        }
        Err(e) => Err(ApiError::internal("logging in", &e)),
    }
}

/// The session a request's cookie names, when it is a live one: the
/// account and the session's CSRF token. Checking the token is the
/// caller's (pages take it from their form).
pub(crate) async fn session_of(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(tsunagu_accounts::Account, String)>, ApiError> {
    let Some(raw) = cookie(headers, SESSION_COOKIE).map(str::to_string) else {
        return Ok(None);
    };
    let now = chrono::Utc::now();
    app.accounts
        .with_store(move |store| {
            tsunagu_accounts::session_account(store, &raw, now)
                .map_err(|e| ApiError::internal("reading a session", &e))
        })
        .await
}

/// Ends the request's session (in the store) and gives the cookie that
/// clears it.
pub(crate) async fn sign_out(app: &AppState, headers: &HeaderMap) -> Result<HeaderValue, ApiError> {
    if let Some(raw) = cookie(headers, SESSION_COOKIE).map(str::to_string) {
        app.accounts
            .with_store(move |store| {
                tsunagu_accounts::delete_session(store, &raw)
                    .map_err(|e| ApiError::internal("ending a session", &e))
            })
            .await?;
    }
    session_cookie("", 0, app.accounts.secure_cookies)
}

pub(crate) fn client_address_of(parts: &Parts) -> IpAddr {
    client_address(parts.extensions.get::<ConnectInfo<SocketAddr>>())
}

/// `POST /api/v1/login` `{login, password}` → the session cookie and, in
/// the body, who logged in and the CSRF token to send with changes.
pub async fn login(
    State(app): State<AppState>,
    parts: Parts,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let form: LoginForm = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("body", "login と password を JSON で送ってください"))?;
    if form.login.len() > 200 || form.password.len() > 1024 {
        return Err(ApiError::bad_request(
            "login",
            "ログイン名かパスワードが長すぎます",
        ));
    }
    let address = client_address_of(&parts);
    match sign_in(&app, form.login, form.password, address).await? {
        SignIn::In(account, cookie, csrf) => {
            let body = json!({
                "login": account.login,
                "name": account.name,
                "role": account.role,
                "center_id": account.center_id,
                "csrf_token": csrf,
            });
            Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
        }
        SignIn::Throttled(message, retry) => {
            let mut response =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "throttled", message).into_response();
            if let Ok(v) = HeaderValue::from_str(&retry.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(response)
        }
        SignIn::Refused => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            tsunagu_accounts::LoginRefusal::MESSAGE_JA,
        )),
    }
}

/// `POST /api/v1/logout`: ends the session (cookie and store).
pub async fn logout(
    State(app): State<AppState>,
    headers: HeaderMap,
    _signed: Signed,
) -> Result<Response, ApiError> {
    let cookie = sign_out(&app, &headers).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({"logged_out": true})),
    )
        .into_response())
}

/// `GET /api/v1/me`: who is logged in (and the CSRF token of a session).
pub async fn me(signed: Signed) -> Json<serde_json::Value> {
    Json(json!({
        "account": signed.account,
        "csrf_token": signed.csrf,
    }))
}

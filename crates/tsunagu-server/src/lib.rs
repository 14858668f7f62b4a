//! The tsunagu service: one process serving the public lookup API and the
//! coordinators' API over one data directory.
//!
//! Shape (see ARCHITECTURE.md): one writer thread owns the writable
//! [`Directory`] (store, index writer, spatial index updates); request
//! handlers read through a pool of reader handles that share the writer's
//! index, so an edit is searchable as soon as its index commit is done.
//! The engine knows nothing of HTTP; this crate knows nothing of the CLI.

pub mod auth;
pub mod cache;
pub mod console;
pub mod coordinator;
pub mod error;
pub mod exports;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod params;
mod pool;
pub mod public;
pub mod reports;
pub mod wire;
pub mod writer;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use tokio::net::TcpListener;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use tsunagu_engine::{Directory, DirectoryConfig, EngineError};

use crate::metrics::Metrics;
use crate::pool::ReaderPool;
use crate::writer::WriterHandle;

pub use error::ApiError;

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub directory: DirectoryConfig,
    /// Reader handles: searches answered at once (the rest wait).
    pub readers: usize,
    /// Every request is answered or cut off within this time.
    pub request_timeout: Duration,
    /// Largest JSON body accepted (uploads have their own bound).
    pub max_body_bytes: usize,
    /// Served over TLS (or behind a TLS proxy): session cookies get Secure.
    pub secure_cookies: bool,
    /// How long an anonymous public answer may be served again (zero: never).
    pub public_cache_ttl: Duration,
    /// Bytes of public answers kept.
    pub public_cache_bytes: u64,
    /// Map tiles for the pages' maps (地理院タイル by default; none: points
    /// on a plain background).
    pub map_tiles: tsunagu_web::MapTiles,
    /// The address readers reach the service at (`https://tsunagu.example`),
    /// for QR codes on printed pages; `None`: the request's Host.
    pub public_url: Option<String>,
}

impl ServerConfig {
    pub fn new(directory: DirectoryConfig) -> ServerConfig {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        ServerConfig {
            directory,
            readers: (cores * 2).clamp(2, 16),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            secure_cookies: false,
            public_cache_ttl: Duration::from_millis(500),
            public_cache_bytes: 64 * 1024 * 1024,
            map_tiles: tsunagu_web::MapTiles::gsi(),
            public_url: None,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub readers: Arc<ReaderPool>,
    pub writer: WriterHandle,
    pub metrics: Arc<Metrics>,
    pub config: Arc<ServerConfig>,
    pub accounts: Arc<auth::Accounts>,
    pub public_cache: Arc<cache::PublicCache>,
}

/// A running service's parts: the state for the router, and the writer
/// thread to wait for after the last request.
pub struct App {
    pub state: AppState,
    writer_thread: std::thread::JoinHandle<()>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
}

impl App {
    /// Opens the data directory as its one writer (healing and catching up
    /// the index), then the reader pool and the writer thread.
    pub fn open(config: ServerConfig) -> Result<App, ServerError> {
        let dir = Directory::open(&config.directory)?;
        Self::with_directory(config, dir)
    }

    pub fn with_directory(config: ServerConfig, dir: Directory) -> Result<App, ServerError> {
        // Accounts and sessions have a connection of their own: short
        // statements that never wait behind an import.
        let accounts_store =
            tsunagu_store::Store::open_existing(&dir.data_dir().join(tsunagu_engine::STORE_FILE))
                .map_err(EngineError::from)?;
        let accounts = Arc::new(auth::Accounts::new(accounts_store, config.secure_cookies));
        let readers = Arc::new(ReaderPool::new(&dir, config.readers)?);
        let public_cache = Arc::new(cache::PublicCache::new(
            config.public_cache_bytes,
            config.public_cache_ttl,
        ));
        let (writer, writer_thread) = WriterHandle::start(dir)?;
        Ok(App {
            state: AppState {
                readers,
                writer,
                metrics: Arc::new(Metrics::new()),
                config: Arc::new(config),
                accounts,
                public_cache,
            },
            writer_thread,
        })
    }

    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Serves until `shutdown` resolves, lets requests in flight finish,
    /// then lets the writer finish its queue.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let router = self.router();
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        let App {
            state,
            writer_thread,
        } = self;
        // The writer stops when the last handle on its queue is gone.
        drop(state);
        let joined = tokio::task::spawn_blocking(move || writer_thread.join()).await;
        if !matches!(joined, Ok(Ok(()))) {
            tracing::error!("the writer thread ended abnormally");
        }
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Request ids: the process start and a counter, unique per process and
/// cheap (no randomness needed: they identify log lines, not secrets).
#[derive(Clone)]
struct CountingRequestId {
    prefix: Arc<str>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl MakeRequestId for CountingRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}-{n}", self.prefix)
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let ids = CountingRequestId {
        prefix: format!(
            "{:x}",
            chrono::Utc::now().timestamp_millis() & 0xff_ffff_ffff
        )
        .into(),
        next: Arc::new(std::sync::atomic::AtomicU64::new(1)),
    };
    let metrics = state.metrics.clone();
    let timeout = state.config.request_timeout;
    let body_limit = state.config.max_body_bytes;
    let state_for_errors = state.clone();
    public::routes(state.clone())
        .merge(coordinator::routes())
        .merge(pages::routes())
        .merge(console::routes())
        .merge(reports::routes())
        .merge(exports::routes())
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        // Pages, assets and answers travel compressed when the client
        // accepts it (Leaflet: 148 KB → 43 KB).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state_for_errors,
            json_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(timeout, deadline))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, ids))
}

/// Every request is answered within the deadline, with a JSON error when
/// it is not (the work itself may finish later; its answer is dropped).
async fn deadline(
    axum::extract::State(limit): axum::extract::State<Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?limit, "request cut off at its deadline");
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "時間内に処理できませんでした。条件を絞ってもう一度お試しください",
            )
            .into_response()
        }
    }
}

/// Errors that axum itself produces (unknown route, wrong method, body too
/// large, unreadable body) come as plain text; the API speaks JSON, so
/// they are said again in its error shape.
async fn json_errors(
    axum::extract::State(app): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let path = req.uri().path();
    let api = path.starts_with("/api/") || matches!(path, "/healthz" | "/readyz" | "/metrics");
    let headers = (!api).then(|| req.headers().clone());
    let response = next.run(req).await;
    let status = response.status();
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_json = content_type.starts_with("application/json");
    let is_html = content_type.starts_with("text/html");
    if !(status.is_client_error() || status.is_server_error()) || is_json || is_html {
        return response;
    }
    // Outside the API an error is a page.
    if let Some(headers) = headers {
        let (title, message) = match status {
            StatusCode::NOT_FOUND => ("見つかりません", "そのページはありません。"),
            s if s.is_client_error() => ("表示できませんでした", "要求を読み取れませんでした。"),
            _ => (
                "表示できませんでした",
                "サーバーで問題が起きました。しばらくしてからもう一度お試しください。",
            ),
        };
        return pages::message_page(&app, &headers, status, title, message);
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "そのページや API はありません"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "この API はその方法（メソッド）では使えません",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "送られたデータが大きすぎます"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "送られたデータの形式が違います（JSON で送ってください）",
        ),
        s if s.is_client_error() => ("bad_request", "要求を読み取れません"),
        _ => (
            "internal",
            "サーバーで問題が起きました。しばらくしてからもう一度お試しください",
        ),
    };
    let mut out = ApiError::new(status, code, message).into_response();
    for (name, value) in response.headers() {
        if name == axum::http::header::ALLOW {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// Today in Japan (dates of confirmations and the unmet-needs log are the
/// city's dates, whatever the server's clock zone), as accounts count
/// their 委託期間.
pub fn today_jst() -> chrono::NaiveDate {
    tsunagu_accounts::japan_date(chrono::Utc::now())
}

//! `GET /api/v1/export`: the directory in HSDS, CSV or GeoJSON, streamed
//! as the records are read (memory stays flat however many there are).
//! The public export needs no login; the coordinators' needs an admin's or
//! a coordinator's (`can_export_internal`), and its file name says 「内部用」.

use std::io::Write;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::mpsc;
use tsunagu_engine::Audience;
use tsunagu_export::{Encoding, ExportError, ExportItem, ExportOptions, Exporter, Format};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Params;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/export", get(export))
}

/// Bytes handed to the response in pieces of this size.
const CHUNK: usize = 64 * 1024;

/// Writes into the response body: full chunks are sent as they fill; a
/// client that went away ends the export with `BrokenPipe`.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

fn refusal(e: ExportError) -> ApiError {
    match &e {
        ExportError::Unencodable { key, .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unencodable",
            e.message_ja(),
        )
        .with_fields(vec![(*key).to_string()]),
        ExportError::EncodingNotForFormat { .. } => {
            ApiError::bad_request("encoding", e.message_ja())
        }
        _ => ApiError::internal("export", &e),
    }
}

/// Runs an export of the directory into `out`.
fn write_all<W: Write>(
    dir: &tsunagu_engine::Directory,
    format: Format,
    options: ExportOptions,
    out: W,
) -> Result<W, ApiError> {
    let mut exporter = Exporter::new(format, options, out).map_err(refusal)?;
    dir.for_each_record(options.audience, |item| -> Result<(), ApiError> {
        exporter
            .write(&ExportItem {
                record: item.record,
                placement: item.placement,
                last_changed: Some(item.last_changed),
                when_ja: Some(&item.words.when_ja),
                fee_ja: Some(&item.words.fee_ja),
            })
            .map_err(refusal)
    })?;
    let (out, _) = exporter.finish().map_err(refusal)?;
    Ok(out)
}

/// `GET /api/v1/export?format=hsds|csv|geojson[&audience=public|coordinator][&encoding=utf-8|cp932]`
async fn export(
    State(app): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["format", "audience", "encoding"])?;
    let format = match p.one("format")? {
        Some("hsds") => Format::Hsds,
        Some("csv") => Format::Csv,
        Some("geojson") => Format::GeoJson,
        _ => {
            return Err(ApiError::bad_request(
                "format",
                "format は hsds、csv、geojson のどれかです",
            ));
        }
    };
    let audience = caller.reach().audience(p.one("audience")?)?;
    if audience == Audience::Coordinator
        && !caller
            .signed()
            .is_some_and(|s| tsunagu_accounts::can_export_internal(&s.account))
    {
        return Err(ApiError::forbidden(
            "内部用の書き出しは管理者と生活支援コーディネーターだけができます",
        ));
    }
    let encoding = match (p.one("encoding")?, format) {
        (Some("cp932" | "shift_jis"), Format::Csv) => Encoding::Cp932,
        (Some("cp932" | "shift_jis"), _) => {
            return Err(ApiError::bad_request(
                "encoding",
                "cp932 は CSV にだけ指定できます（HSDS と GeoJSON はいつも UTF-8 です）",
            ));
        }
        (None | Some("utf-8"), Format::Csv) => Encoding::Utf8Bom,
        (None | Some("utf-8"), _) => Encoding::Utf8,
        (Some(_), _) => {
            return Err(ApiError::bad_request(
                "encoding",
                "encoding は utf-8 か cp932 です",
            ));
        }
    };
    let options = ExportOptions { audience, encoding };
    if encoding == Encoding::Cp932 {
        // A character Shift_JIS cannot hold is said before the first byte
        // is sent, not as a file cut short.
        app.readers
            .run(move |dir| write_all(dir, format, options, std::io::sink()).map(|_| ()))
            .await?;
    }
    let (tx, mut rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let readers = app.readers.clone();
    tokio::spawn(async move {
        let writer_tx = tx.clone();
        let done = readers
            .run(move |dir| {
                let out = ChannelWriter {
                    tx: writer_tx,
                    buf: Vec::with_capacity(CHUNK),
                };
                let mut out = write_all(dir, format, options, out)?;
                out.flush().map_err(|e| ApiError::internal("export", &e))
            })
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e.message, "export stopped");
            // The body ends with an error: the client sees a broken
            // transfer, never a file that looks complete.
            let _ = tx.send(Err(std::io::Error::other(e.message))).await;
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let mut response = Body::from_stream(stream).into_response();
    let (content_type, ext) = match (format, encoding) {
        (Format::Hsds, _) => ("application/json", "json"),
        (Format::GeoJson, _) => ("application/geo+json", "geojson"),
        (Format::Csv, Encoding::Cp932) => ("text/csv; charset=Shift_JIS", "csv"),
        (Format::Csv, _) => ("text/csv; charset=utf-8", "csv"),
    };
    let kind = match format {
        Format::Hsds => "hsds",
        Format::Csv => "csv",
        Format::GeoJson => "geojson",
    };
    let internal = if audience == Audience::Coordinator {
        "_内部用"
    } else {
        ""
    };
    let name = format!("tsunagu_{kind}_{}{internal}.{ext}", crate::today_jst());
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"tsunagu_{kind}.{ext}\"; filename*=UTF-8''{}",
        encoded.replace('+', "%20")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    Ok(response)
}

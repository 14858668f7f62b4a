//! The files pages load, compiled into the binary: no CDN, no files to
//! deploy beside it. Each URL carries a hash of its content, so browsers
//! may keep a file for a year and still never run a stale one.

use std::collections::HashMap;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// One static file.
#[derive(Debug)]
pub struct Asset {
    pub path: &'static str,
    pub bytes: &'static [u8],
    pub content_type: &'static str,
}

macro_rules! asset {
    ($path:literal, $type:literal) => {
        Asset {
            path: $path,
            bytes: include_bytes!(concat!("../assets/", $path)),
            content_type: $type,
        }
    };
}

static ASSETS: &[Asset] = &[
    asset!("site.css", "text/css; charset=utf-8"),
    asset!("site.js", "text/javascript; charset=utf-8"),
    asset!("icons.svg", "image/svg+xml"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!(
        "vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8"
    ),
    asset!("vendor/leaflet/leaflet.css", "text/css; charset=utf-8"),
    asset!("vendor/leaflet/images/marker-icon.png", "image/png"),
    asset!("vendor/leaflet/images/marker-icon-2x.png", "image/png"),
    asset!("vendor/leaflet/images/marker-shadow.png", "image/png"),
    asset!("vendor/leaflet/LICENSE", "text/plain; charset=utf-8"),
];

/// The file at this path under `/assets/`, if there is one.
pub fn asset(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// Every asset, for tests and listings.
pub fn all() -> &'static [Asset] {
    ASSETS
}

fn versions() -> &'static HashMap<&'static str, String> {
    static VERSIONS: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let digest = Sha256::digest(a.bytes);
                let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
                (a.path, hex)
            })
            .collect()
    })
}

/// The URL of an asset, with its content hash.
pub fn url(path: &str) -> String {
    match versions().get(path) {
        Some(v) => format!("/assets/{path}?v={v}"),
        None => format!("/assets/{path}"),
    }
}

//! The HTML of tsunagu's pages.
//!
//! Templates (askama: checked when compiled, HTML-escaped unless a value
//! is marked safe) and the view models they read, built from the engine's
//! answers. Nothing here knows HTTP: the server decides who may see what,
//! asks the engine with the right audience, and hands the answers here.
//! A public page is built only from what the engine projected for the
//! public (`Audience::Public`), so no internal record or field can reach
//! one from this crate.

pub mod admin;
pub mod assets;
pub mod console;
pub mod icons;
pub mod public;
pub mod qr;
pub mod report;
pub mod ruby;

pub use askama::Template;

/// HTML-escapes text (for the few places that build HTML by hand: ruby,
/// snippets' surroundings, SVG labels).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A query string from pairs (form-encoded).
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// How the map on pages gets its tiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapTiles {
    /// `{z}/{x}/{y}` URL template; empty for no tiles (points on a plain
    /// background).
    pub url: String,
    /// Shown on the map, as the tile provider requires (text).
    pub attribution: String,
}

impl MapTiles {
    /// 地理院タイル (標準地図), the natural default in Japan; their terms ask
    /// for the attribution 「地理院タイル」 with a link to the list of tiles.
    pub fn gsi() -> MapTiles {
        MapTiles {
            url: "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png".into(),
            attribution:
                "<a href=\"https://maps.gsi.go.jp/development/ichiran.html\">地理院タイル</a>"
                    .into(),
        }
    }

    pub fn none() -> MapTiles {
        MapTiles {
            url: String::new(),
            attribution: String::new(),
        }
    }

    /// The tile server's origin (`https://host`), for the page's
    /// Content-Security-Policy.
    pub fn origin(&self) -> Option<String> {
        let rest = self
            .url
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| self.url.strip_prefix("http://").map(|r| ("http://", r)))?;
        let host = rest.1.split('/').next()?;
        (!host.is_empty()).then(|| format!("{}{host}", rest.0))
    }
}

/// What every page knows about the request: the reader's display choices
/// and where the page is, for the switches that come back to it.
#[derive(Debug, Clone)]
pub struct Page {
    /// Larger text (the 「文字を大きく」 switch).
    pub large: bool,
    /// Ruby readings over kanji (the 「ふりがな」 switch).
    pub ruby: bool,
    /// Path and query of this page.
    pub here: String,
    pub tiles: MapTiles,
}

impl Page {
    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }

    fn switch(&self, key: &str, on: bool) -> String {
        format!(
            "/settings?{}",
            query_string([
                (key, if on { "1" } else { "0" }),
                ("back", self.here.as_str())
            ])
        )
    }

    pub fn large_href(&self) -> String {
        self.switch("large", !self.large)
    }

    pub fn ruby_href(&self) -> String {
        self.switch("ruby", !self.ruby)
    }

    pub fn html_class(&self) -> &'static str {
        if self.large { "text-large" } else { "" }
    }

    pub fn leaflet_js(&self) -> String {
        assets::url("vendor/leaflet/leaflet.js")
    }

    pub fn leaflet_css(&self) -> String {
        assets::url("vendor/leaflet/leaflet.css")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_origins() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            MapTiles::gsi().origin().as_deref(),
            Some("https://cyberjapandata.gsi.go.jp")
        );
        assert_eq!(MapTiles::none().origin(), None);
        let local = MapTiles {
            url: "http://127.0.0.1:9000/{z}/{x}/{y}.png".into(),
            attribution: String::new(),
        };
        assert_eq!(local.origin().as_deref(), Some("http://127.0.0.1:9000"));
    }
}

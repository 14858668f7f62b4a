//! QR codes on printed pages, pointing back to the live page.

use qrcode::QrCode;
use qrcode::render::svg;

/// An inline SVG QR code of `url` (escaped for HTML by construction: the
/// renderer writes only numbers and fixed markup), or `None` for a URL too
/// long to encode.
pub fn qr_svg(url: &str, label: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(120, 120)
        .quiet_zone(true)
        .build();
    // Drop the XML declaration for inline use; name the image for screen
    // readers.
    let start = svg.find("<svg")?;
    let label = crate::escape(label);
    Some(svg[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_svg_with_a_label() {
        let svg = qr_svg(
            "http://127.0.0.1:8080/resources/r-1",
            "この資源のページ <QR>",
        )
        .expect("short URL encodes");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"この資源のページ &lt;QR&gt;\""));
        assert!(svg.contains("<path"));
        assert!(!svg.contains("<?xml"));
        assert!(!svg.contains("style="), "CSP forbids inline styles");
    }

    #[test]
    fn too_long_is_none() {
        assert!(qr_svg(&"a".repeat(8000), "x").is_none());
    }
}

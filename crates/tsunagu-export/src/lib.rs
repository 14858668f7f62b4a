//! Exports of the directory's records, written record by record to any
//! [`std::io::Write`]: memory stays flat however many records there are.
//!
//! - [`hsds`]: Open Referral HSDS 3.0 JSON (and [`hsds::read`], which brings
//!   such documents back as records for `tsunagu import`);
//! - [`table`]: CSV in the style of the 自治体標準オープンデータセット, UTF-8 with
//!   a BOM or CP932, readable by tsunagu's own CSV importer;
//! - [`geojson`]: a GeoJSON FeatureCollection of the records that have a
//!   point, for QGIS.
//!
//! The caller hands each record already projected for its audience
//! ([`tsunagu_model::Audience::project`] decides what the public may see;
//! nothing here decides it again) together with the [`Placement`] the
//! engine derived for it. The audience in [`ExportOptions`] only chooses
//! the CSV's columns (the coordinators' columns are left out of a public
//! CSV rather than left empty).

pub mod error;
pub mod geojson;
pub mod hsds;
pub mod ids;
pub mod schedule;
pub mod table;
pub mod taxonomy;

use std::io::Write;

pub use error::ExportError;
use tsunagu_model::{Audience, Placement, Record};

/// One record to export, with what the engine knows about it.
#[derive(Debug, Clone, Copy)]
pub struct ExportItem<'a> {
    /// The record as the export's audience may see it.
    pub record: &'a Record,
    pub placement: &'a Placement,
    /// When the record last changed (RFC 3339), for HSDS `last_modified`.
    pub last_changed: Option<&'a str>,
    /// The schedule and the fee in the engine's words (「毎週火曜
    /// 10:00〜11:30」「1回100円」), for GeoJSON labels.
    pub when_ja: Option<&'a str>,
    pub fee_ja: Option<&'a str>,
}

impl<'a> ExportItem<'a> {
    pub fn new(record: &'a Record, placement: &'a Placement) -> Self {
        ExportItem {
            record,
            placement,
            last_changed: None,
            when_ja: None,
            fee_ja: None,
        }
    }
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Hsds,
    Csv,
    GeoJson,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Hsds => "HSDS JSON",
            Format::Csv => "CSV",
            Format::GeoJson => "GeoJSON",
        }
    }
}

/// The bytes a CSV is written in (JSON formats are always UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 with a BOM, which Excel needs to read Japanese.
    #[default]
    Utf8Bom,
    /// UTF-8 without a BOM.
    Utf8,
    /// Shift_JIS as Windows writes it (encoding_rs's Shift_JIS, which is
    /// WHATWG's, which is CP932). A character it cannot hold stops the
    /// export with [`ExportError::Unencodable`].
    Cp932,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Utf8 => "UTF-8",
            Encoding::Cp932 => "CP932 (Shift_JIS)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportOptions {
    pub audience: Audience,
    pub encoding: Encoding,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Records handed to the exporter.
    pub records: u64,
    /// Records written (GeoJSON leaves out those without a point).
    pub written: u64,
}

/// Any of the three writers.
pub enum Exporter<W: Write> {
    Hsds(hsds::HsdsWriter<W>),
    Csv(Box<table::CsvWriter<W>>),
    GeoJson(geojson::GeoJsonWriter<W>),
}

impl<W: Write> Exporter<W> {
    /// Starts an export (writes what comes before the first record).
    pub fn new(format: Format, options: ExportOptions, out: W) -> Result<Self, ExportError> {
        if format != Format::Csv && options.encoding == Encoding::Cp932 {
            return Err(ExportError::EncodingNotForFormat {
                format: format.name(),
                encoding: options.encoding.name(),
            });
        }
        Ok(match format {
            Format::Hsds => Exporter::Hsds(hsds::HsdsWriter::new(out)?),
            Format::Csv => Exporter::Csv(Box::new(table::CsvWriter::new(out, options)?)),
            Format::GeoJson => Exporter::GeoJson(geojson::GeoJsonWriter::new(out, options)?),
        })
    }

    pub fn write(&mut self, item: &ExportItem<'_>) -> Result<(), ExportError> {
        match self {
            Exporter::Hsds(w) => w.write(item),
            Exporter::Csv(w) => w.write(item),
            Exporter::GeoJson(w) => w.write(item),
        }
    }

    /// Ends the document and flushes; returns the writer and what was written.
    pub fn finish(self) -> Result<(W, ExportSummary), ExportError> {
        match self {
            Exporter::Hsds(w) => w.finish(),
            Exporter::Csv(w) => (*w).finish(),
            Exporter::GeoJson(w) => w.finish(),
        }
    }
}

//! `tsunagu export` (HSDS JSON, CSV, GeoJSON from the store, streamed) and
//! the HSDS side of `tsunagu import`. The formats are `tsunagu-export`'s;
//! this only opens the data directory as a reader and moves bytes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tsunagu_engine::{
    Audience, Directory, DirectoryConfig, ImportOptions, ImportProgress, ImportReport,
    MAX_IMPORT_FILE_BYTES, RecordSource,
};
use tsunagu_export::{
    Encoding, ExportError, ExportItem, ExportOptions, ExportSummary, Exporter, Format,
};

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Open Referral HSDS 3.0: a JSON array of services.
    Hsds,
    /// CSV in the style of the 自治体標準オープンデータセット.
    Csv,
    /// A GeoJSON FeatureCollection of the records with a point.
    Geojson,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportAudience {
    Public,
    Coordinator,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportEncoding {
    /// UTF-8; a CSV starts with a BOM (Excel needs it).
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// UTF-8 without a BOM, for programs.
    #[value(name = "utf-8-no-bom", alias = "utf8-no-bom")]
    Utf8NoBom,
    /// Shift_JIS as Windows writes it (CSV only).
    #[value(name = "cp932", alias = "shift_jis", alias = "sjis")]
    Cp932,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Who the export is for: public leaves out internal records, internal
    /// notes and contact persons.
    #[arg(long, value_enum, default_value_t = ExportAudience::Public)]
    audience: ExportAudience,
    /// Bytes of a CSV (HSDS and GeoJSON are always UTF-8).
    #[arg(long, value_enum, default_value_t = ExportEncoding::Utf8)]
    encoding: ExportEncoding,
    /// Write here (replaced only when the export is complete) instead of
    /// standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Say on stderr how many records, how long and the peak memory.
    #[arg(long)]
    stats: bool,
}

/// Counts the bytes that pass.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// An export error, said in Japanese with the English after it; an I/O
/// error stays in the chain (a closed pipe ends quietly).
fn said(e: ExportError) -> anyhow::Error {
    let ja = e.message_ja();
    anyhow::Error::from(e).context(ja)
}

fn stream<W: Write>(
    source: &RecordSource,
    format: Format,
    options: ExportOptions,
    out: W,
) -> Result<(W, ExportSummary)> {
    let mut exporter = Exporter::new(format, options, out).map_err(said)?;
    source.for_each_record(options.audience, |item| -> Result<()> {
        exporter
            .write(&ExportItem {
                record: item.record,
                placement: item.placement,
                last_changed: Some(item.last_changed),
                when_ja: Some(&item.words.when_ja),
                fee_ja: Some(&item.words.fee_ja),
            })
            .map_err(said)
    })?;
    exporter.finish().map_err(said)
}

/// A file beside `path` to write into before it replaces `path`.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
}

pub fn run(args: &ExportArgs, config: &DirectoryConfig) -> Result<ExitCode> {
    let format = match args.format {
        ExportFormat::Hsds => Format::Hsds,
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Geojson => Format::GeoJson,
    };
    let encoding = match (args.encoding, format) {
        (ExportEncoding::Cp932, _) => Encoding::Cp932,
        (ExportEncoding::Utf8, Format::Csv) => Encoding::Utf8Bom,
        _ => Encoding::Utf8,
    };
    if encoding == Encoding::Cp932 && format != Format::Csv {
        return Err(said(ExportError::EncodingNotForFormat {
            format: format.name(),
            encoding: encoding.name(),
        }));
    }
    let options = ExportOptions {
        audience: match args.audience {
            ExportAudience::Public => Audience::Public,
            ExportAudience::Coordinator => Audience::Coordinator,
        },
        encoding,
    };
    // Before any file is created: a missing data directory changes nothing.
    let source = RecordSource::open(config)?;
    let started = Instant::now();
    let (summary, bytes) = match &args.output {
        None => {
            let out = Counting {
                inner: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
                bytes: 0,
            };
            let (out, summary) = stream(&source, format, options, out)?;
            (summary, out.bytes)
        }
        Some(path) => {
            let partial = partial_path(path);
            let file = std::fs::File::create(&partial)
                .with_context(|| format!("{} を作れません", partial.display()))?;
            let out = Counting {
                inner: std::io::BufWriter::with_capacity(1 << 16, file),
                bytes: 0,
            };
            let done = stream(&source, format, options, out).and_then(|(out, summary)| {
                let file = out
                    .inner
                    .into_inner()
                    .map_err(|e| anyhow::Error::from(e.into_error()))?;
                file.sync_all()?;
                std::fs::rename(&partial, path)
                    .with_context(|| format!("{} に書けません", path.display()))?;
                Ok((summary, out.bytes))
            });
            if done.is_err() {
                let _ = std::fs::remove_file(&partial);
            }
            done?
        }
    };
    if args.stats {
        eprintln!(
            "export {}: {} records, {} written, {} bytes, {:.2} s, peak RSS {:.1} MiB",
            format.name(),
            summary.records,
            summary.written,
            bytes,
            started.elapsed().as_secs_f64(),
            crate::bench::peak_rss_mib().unwrap_or(0.0)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `path` is to be read as HSDS: a `.json` file whose content is an
/// HSDS document rather than JSON Lines. A file that cannot be read is not
/// (the JSON Lines reader then says why).
pub fn is_hsds_file(path: &Path) -> bool {
    let json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !json {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut prefix = Vec::new();
    let sniff = tsunagu_export::hsds::SNIFF_BYTES as u64;
    if std::io::Read::read_to_end(&mut std::io::Read::take(file, sniff), &mut prefix).is_err() {
        return false;
    }
    tsunagu_export::hsds::looks_like_hsds(&prefix)
}

/// Imports one HSDS document: each service is a record, good or rejected
/// on its own as a line of JSON Lines is.
pub fn import_hsds(
    dir: &mut Directory,
    path: &Path,
    options: &ImportOptions,
    progress: &dyn ImportProgress,
) -> Result<ImportReport> {
    if options.merge {
        bail!("--merge は HSDS の文書には使えません / --merge does not apply to HSDS documents");
    }
    let name = path.display().to_string();
    let failure = |source: std::io::Error| tsunagu_ingest::IngestError::Io {
        path: name.clone(),
        source,
    };
    let read = std::fs::File::open(path).map_err(failure).and_then(|file| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(file, MAX_IMPORT_FILE_BYTES + 1),
            &mut bytes,
        )
        .map_err(failure)?;
        if bytes.len() as u64 > MAX_IMPORT_FILE_BYTES {
            return Err(failure(std::io::Error::other(format!(
                "larger than {MAX_IMPORT_FILE_BYTES} bytes, the most a file may hold; split it"
            ))));
        }
        Ok(bytes)
    });
    let report = match read {
        Ok(bytes) => {
            progress.begin(&name, Some(bytes.len() as u64));
            progress.advance_bytes(bytes.len() as u64);
            let report = match tsunagu_export::hsds::read(&bytes) {
                Ok(services) => dir.import_lines_with(&name, services.map(Ok), options)?,
                Err(e) => dir.import_lines_with(&name, std::iter::once(Err(e)), options)?,
            };
            progress.finish();
            report
        }
        Err(e) => dir.import_lines_with(&name, std::iter::once(Err(e)), options)?,
    };
    Ok(report)
}

/// The targets `tsunagu bench --exports` checks, per export at 100,000
/// records (issue 15).
const BENCH_SECONDS: f64 = 10.0;
const BENCH_PEAK_MIB: f64 = 200.0;

/// `tsunagu bench --exports`: each export of the data directory as the
/// real command in a child process (so its peak memory is its own, not the
/// import's), to a file in `work`.
pub fn bench(config: &DirectoryConfig, work: &Path) -> Result<ExitCode> {
    let exe = std::env::current_exe().context("the tsunagu binary")?;
    let source = RecordSource::open(config)?;
    let records = source.for_each_record(Audience::Coordinator, |_| Ok::<(), anyhow::Error>(()))?;
    drop(source);
    println!(
        "exports of {records} records (coordinators' audience, every record), each in its own process:"
    );
    println!(
        "{:<14} {:>9} {:>10} {:>12} {:>14}",
        "format", "records", "seconds", "MB written", "peak RSS MiB"
    );
    let mut all_ok = true;
    for (label, format, encoding, file) in [
        ("hsds", "hsds", "utf-8", "export.hsds.json"),
        ("csv utf-8", "csv", "utf-8", "export.csv"),
        ("csv cp932", "csv", "cp932", "export.cp932.csv"),
        ("geojson", "geojson", "utf-8", "export.geojson"),
    ] {
        let target = work.join(file);
        let mut command = std::process::Command::new(&exe);
        command.arg("--data-dir").arg(&config.data_dir);
        if let Some(d) = &config.dictionaries {
            command.arg("--dictionaries").arg(d);
        }
        let started = Instant::now();
        let out = command
            .args(["export", "--format", format, "--encoding", encoding])
            .args(["--audience", "coordinator", "--stats", "--output"])
            .arg(&target)
            .output()
            .context("run tsunagu export")?;
        let wall = started.elapsed().as_secs_f64();
        let err = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            println!("{label:<14} failed: {}", err.trim());
            all_ok = false;
            continue;
        }
        // "export …: N records, M written, B bytes, T s, peak RSS R MiB"
        let stats = err
            .lines()
            .find(|l| l.starts_with("export "))
            .unwrap_or_default();
        let number_before = |unit: &str| -> Option<f64> {
            let at = stats.find(unit)?;
            stats[..at]
                .split([' ', ','])
                .rfind(|w| !w.is_empty())?
                .parse()
                .ok()
        };
        let bytes = number_before(" bytes").unwrap_or(0.0);
        let peak = number_before(" MiB").unwrap_or(f64::NAN);
        let ok = wall < BENCH_SECONDS && peak < BENCH_PEAK_MIB;
        all_ok &= ok;
        println!(
            "{label:<14} {:>9} {wall:>10.2} {:>12.1} {peak:>14.1}{}",
            number_before(" written").unwrap_or(0.0),
            bytes / 1e6,
            if ok { "" } else { "  over target" }
        );
    }
    println!(
        "target: each export under {BENCH_SECONDS} s with peak RSS under {BENCH_PEAK_MIB} MiB (wall time of the whole command) — {}",
        if all_ok { "met" } else { "NOT met" }
    );
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

//! `tsunagu report area|kayoi-survey` and `tsunagu population import|show`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use tsunagu_engine::{Directory, DirectoryConfig};
use tsunagu_model::Ward;
use tsunagu_report::{AreaReportRequest, ReportScope};
use tsunagu_web::Template;
use tsunagu_web::report::{AgendaPage, Css, MapInput, ReportPage, SurveyPage};

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// 地域診断: resources per area (and per 1,000 aged 65+ when a
    /// population table is imported), reach of 通いの場 per 町丁目, gaps,
    /// unmet needs, stale records, what was added or closed.
    Area(AreaArgs),
    /// The counts of the city's yearly 通いの場 return to the national
    /// survey, for a 年度 (April to March).
    KayoiSurvey(SurveyArgs),
}

#[derive(Args, Debug)]
pub struct AreaArgs {
    /// One ward (稲毛区, inage…).
    #[arg(long, conflicts_with = "centre")]
    pub ward: Option<String>,
    /// One あんしんケアセンター area (AC01…AC28).
    #[arg(long, alias = "center")]
    pub centre: Option<String>,
    /// Unmet needs logged from this day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Unmet needs logged up to this day.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Resources added or closed since this day (default: --from, else
    /// three months ago).
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Public (the default: what may be shown at a 協議体 meeting or
    /// published) or coordinator (internal records counted and listed).
    #[arg(long, value_enum, default_value_t = ReportAudience::Public)]
    pub audience: ReportAudience,
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
    /// With --format html: the one-page 協議体 agenda instead of the report.
    #[arg(long)]
    pub agenda: bool,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SurveyArgs {
    /// The 年度 (2025 = April 2025 to March 2026).
    #[arg(long)]
    pub year: i32,
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportAudience {
    Public,
    Coordinator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Json,
    Csv,
    Html,
}

#[derive(Subcommand, Debug)]
pub enum PopulationCommand {
    /// Import the city's 町丁別年齢別人口 CSV (UTF-8 or CP932) as the table
    /// reports are read against; replaces the one imported before.
    Import {
        file: PathBuf,
        /// The day the counts are for (e.g. 2026-09-30).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// The imported table, one line per 町丁目.
    Show,
}

fn scope_of(args: &AreaArgs) -> Result<ReportScope> {
    if let Some(w) = &args.ward {
        let ward = Ward::parse(w).with_context(|| {
            format!("「{w}」は千葉市の区ではありません / not a ward of Chiba City")
        })?;
        return Ok(ReportScope::Ward(ward));
    }
    if let Some(c) = &args.centre {
        let id = c.trim().to_ascii_uppercase();
        let n: Option<u32> = id.strip_prefix("AC").and_then(|n| n.parse().ok());
        if id.len() != 4 || !n.is_some_and(|n| (1..=28).contains(&n)) {
            bail!("センターは AC01〜AC28 で指定してください / --centre is AC01…AC28");
        }
        return Ok(ReportScope::Centre(id));
    }
    Ok(ReportScope::City)
}

fn writer(output: Option<&Path>) -> Result<Box<dyn Write>> {
    Ok(match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

fn inline_css() -> Css {
    let css = tsunagu_web::assets::asset("site.css")
        .map(|a| String::from_utf8_lossy(a.bytes).into_owned())
        .unwrap_or_default();
    Css::Inline(css)
}

/// The report as a page that opens on its own, with its map.
fn report_html(dir: &Directory, request: &AreaReportRequest) -> Result<String> {
    let (report, points, frame) = dir.area_report_with_points(request)?;
    let map = MapInput {
        outlines: dir.ward_outlines(),
        points,
        frame,
    };
    Ok(ReportPage::new(&report, &map, inline_css(), None).render()?)
}

pub fn report(command: &ReportCommand, config: DirectoryConfig) -> Result<ExitCode> {
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).context("JST")?)
        .date_naive();
    match command {
        ReportCommand::Area(args) => {
            if args.agenda && args.format != ReportFormat::Html {
                bail!("--agenda は --format html と使います / --agenda needs --format html");
            }
            let scope = scope_of(args)?;
            if args.agenda && scope == ReportScope::City {
                bail!(
                    "協議体の資料は区かセンターごとです（--ward か --centre）/ an agenda is per ward or centre"
                );
            }
            let dir = Directory::open_reader(&config)?;
            let request = AreaReportRequest {
                scope,
                from: args.from,
                to: args.to,
                since: args.since,
                today,
                public_only: matches!(args.audience, ReportAudience::Public),
            };
            let mut out = writer(args.output.as_deref())?;
            match args.format {
                ReportFormat::Json => {
                    let report = dir.area_report(&request)?;
                    serde_json::to_writer_pretty(&mut out, &report)?;
                    writeln!(out)?;
                }
                ReportFormat::Csv => {
                    let report = dir.area_report(&request)?;
                    tsunagu_report::csv_out::area_report_csv(&report, &mut out)?;
                }
                ReportFormat::Html => {
                    let html = if args.agenda {
                        AgendaPage::new(&dir.area_report(&request)?, inline_css(), None).render()?
                    } else {
                        report_html(&dir, &request)?
                    };
                    out.write_all(html.as_bytes())?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::KayoiSurvey(args) => {
            let dir = Directory::open_reader(&config)?;
            let Some(survey) = dir.kayoi_survey(args.year)? else {
                bail!("年度 {} は扱えません / year out of range", args.year);
            };
            let mut out = writer(args.output.as_deref())?;
            match args.format {
                ReportFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &survey)?;
                    writeln!(out)?;
                }
                ReportFormat::Csv => tsunagu_report::csv_out::kayoi_survey_csv(&survey, &mut out)?,
                ReportFormat::Html => {
                    let page = SurveyPage {
                        title: format!("通いの場の実施状況（{}年度）", survey.year),
                        css: inline_css(),
                        back_href: None,
                        survey,
                    };
                    out.write_all(page.render()?.as_bytes())?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn population(command: &PopulationCommand, config: DirectoryConfig) -> Result<ExitCode> {
    match command {
        PopulationCommand::Import { file, as_of } => {
            tsunagu_engine::check_input_file(file)?;
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let mut dir = Directory::open(&config)?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match dir.import_population(&bytes, &name, as_of.as_deref()) {
                Ok(done) => {
                    println!(
                        "人口表を取り込みました: {}町丁目（{}行、{}）、65歳以上 {}人 / population imported: {} towns",
                        done.towns, done.lines, done.encoding, done.aged_65, done.towns
                    );
                    for note in &done.notes {
                        println!("注意: {note}");
                    }
                    for u in &done.unmatched {
                        let candidates = if u.candidates.is_empty() {
                            String::new()
                        } else {
                            format!("（候補: {}）", u.candidates.join("、"))
                        };
                        println!(
                            "{}行目: 「{}」は町丁目の一覧にありません{candidates} / line {}: not a town of the gazetteer",
                            u.line, u.text, u.line
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{} / {e}", e.message_ja());
                    Ok(ExitCode::from(1))
                }
            }
        }
        PopulationCommand::Show => {
            let dir = Directory::open_reader(&config)?;
            let Some(table) = dir.population_table()? else {
                println!("人口表は取り込まれていません / no population table imported");
                return Ok(ExitCode::SUCCESS);
            };
            println!(
                "{}（{}）",
                table.source,
                table.as_of.as_deref().unwrap_or("時点の記載なし")
            );
            let show = |n: Option<u64>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
            println!("区\t町丁目\t総数\t65歳以上\t75歳以上");
            for (ward, town, p) in table.rows() {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    ward.name(),
                    tsunagu_model::escape_controls(town),
                    show(p.total),
                    show(p.aged_65),
                    show(p.aged_75)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `tsunagu bench --reports`: each report five times on the data directory,
/// as a reader, with the median and the slowest.
pub fn bench(config: &DirectoryConfig) -> Result<ExitCode> {
    let dir = Directory::open_reader(config)?;
    let today = chrono::Utc::now().date_naive();
    let request = |scope: ReportScope| AreaReportRequest {
        scope,
        from: None,
        to: None,
        since: None,
        today,
        public_only: false,
    };
    let time = |what: &str, f: &dyn Fn() -> Result<usize>| -> Result<()> {
        let mut took = Vec::new();
        let mut size = 0;
        for _ in 0..5 {
            let started = std::time::Instant::now();
            size = f()?;
            took.push(started.elapsed());
        }
        took.sort();
        println!(
            "{what:<40} median {:>8.1?}  slowest {:>8.1?}  ({size} bytes)",
            took[2], took[4]
        );
        Ok(())
    };
    println!("records: {}", dir.record_count()?);
    time("area report, city, JSON", &|| {
        Ok(serde_json::to_vec(&dir.area_report(&request(ReportScope::City))?)?.len())
    })?;
    time("area report, city, HTML with map", &|| {
        Ok(report_html(&dir, &request(ReportScope::City))?.len())
    })?;
    time("area report, AC15, HTML with map", &|| {
        Ok(report_html(&dir, &request(ReportScope::Centre("AC15".into())))?.len())
    })?;
    time("kayoi survey", &|| {
        let year = chrono::Datelike::year(&today) - 1;
        Ok(serde_json::to_vec(&dir.kayoi_survey(year)?)?.len())
    })?;
    if let Some(peak) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(String::from))
    {
        println!(
            "peak memory of the process: {}",
            peak.trim_start_matches("VmHWM:").trim()
        );
    }
    Ok(ExitCode::SUCCESS)
}

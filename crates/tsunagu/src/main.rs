//! `tsunagu`: the one binary. Parses arguments, calls the engine, prints.
//! All logic lives in the library crates; this file only adapts.

mod accounts_cli;
mod bench;
mod edits_cli;
mod export_cli;
mod load;
mod output;
mod report_cli;
mod serve;

/// Japanese analysis allocates a token at a time, for every record at import
/// and every query at search; glibc's allocator was a fifth of the time of
/// an import (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tsunagu_engine::{
    Audience, CsvEncoding, Directory, DirectoryConfig, EngineError, FileFormat, ImportOptions,
    ImportProgress, Location, NearQuery, NearSort, SearchQuery,
};
use tsunagu_model::{Category, Feature, Kind, Ward};
use tsunagu_text::Lexicon;

#[derive(Parser, Debug)]
#[command(
    name = "tsunagu",
    version,
    about = "つなぐ — 千葉市 生活支援体制整備事業の地域資源ディレクトリ / local-resource directory for Chiba City"
)]
struct Cli {
    /// Data directory (store and index).
    #[arg(long, global = true, env = "TSUNAGU_DATA", default_value = "./data")]
    data_dir: PathBuf,
    /// Directory with user.csv, synonyms.tsv and categories.tsv
    /// (default: ./dictionaries if present, else the built-in copies).
    #[arg(long, global = true, env = "TSUNAGU_DICTIONARIES")]
    dictionaries: Option<PathBuf>,
    /// Seconds a writing command (import, reindex, gazetteer import) waits
    /// for another one to finish before giving up.
    #[arg(long, global = true, env = "TSUNAGU_LOCK_WAIT", default_value_t = 10)]
    lock_wait: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import resource records (JSON Lines, CSV or HSDS JSON) into the
    /// directory.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Input format, when the extension does not tell.
        #[arg(long, value_enum)]
        input_format: Option<InputFormat>,
        /// CSV encoding: auto (UTF-8 with or without BOM, else CP932), utf-8, cp932.
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// Summary format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// The files hold partial records: an id and the keys to change
        /// (e.g. ID + 確認日, or ID + 状態); each row changes only those
        /// keys of a stored record, validated and audited like an edit.
        #[arg(long)]
        merge: bool,
    },
    /// Search the directory.
    Search {
        query: String,
        #[arg(long, value_parser = parse_kind)]
        kind: Vec<Kind>,
        #[arg(long, value_parser = parse_category)]
        category: Vec<Category>,
        #[arg(long, value_parser = parse_ward)]
        ward: Vec<Ward>,
        /// あんしんケアセンター area (AC01…AC28): records placed in it.
        #[arg(long = "centre", alias = "center", value_parser = parse_centre)]
        centre: Vec<String>,
        /// Required feature (repeat for several; all must be present).
        #[arg(long, value_parser = parse_feature)]
        feature: Vec<Feature>,
        /// Highest fee per visit in yen (records with unknown fee are kept).
        #[arg(long)]
        max_fee: Option<u64>,
        /// Also show paused (休止中) and closed (廃止) records.
        #[arg(long)]
        include_inactive: bool,
        #[arg(long, value_enum, default_value_t = AudienceFlag::Public)]
        audience: AudienceFlag,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// A place: `LAT,LON` or an address (「千葉市稲毛区小仲台2丁目」).
        #[arg(long)]
        near: Option<String>,
        /// Only within this many metres of --near (services whose area covers
        /// the place are always included).
        #[arg(long, requires = "near")]
        within: Option<f64>,
        /// With --near: order by relevance and distance combined, or distance.
        #[arg(long, value_enum, default_value_t = SortFlag::Relevance, requires = "near")]
        sort: SortFlag,
        /// Search the words as written: no places, days, times, costs,
        /// features or situations taken out of the query.
        #[arg(long)]
        literal: bool,
    },
    /// The resources nearest to a place, and the services whose area
    /// covers it.
    Nearest {
        /// `LAT,LON` or an address.
        #[arg(long)]
        near: String,
        #[arg(long, value_parser = parse_category)]
        category: Vec<Category>,
        #[arg(long, value_parser = parse_kind)]
        kind: Vec<Kind>,
        /// How many nearby resources, and at most how many covering services.
        #[arg(short = 'k', long, default_value_t = 10)]
        k: usize,
        #[arg(long, value_enum, default_value_t = AudienceFlag::Public)]
        audience: AudienceFlag,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Match a senior's needs, place, days and budget to resources
    /// (docs/match-format.md).
    Match {
        /// The request JSON file, or `-` for standard input.
        #[arg(long)]
        request: String,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// The date to judge `verified_on` freshness and to log unmet needs
        /// under (default: today), for reproducible answers.
        #[arg(long)]
        today: Option<String>,
        /// Count this consultation's unmet needs in the anonymous log
        /// (資源開発); same as `"record": true` in the request.
        #[arg(long)]
        record: bool,
    },
    /// Where an address or a point is: ward, 町丁目, あんしんケアセンター.
    Locate {
        /// An address (omit with --point).
        address: Option<String>,
        /// `LAT,LON` instead of an address.
        #[arg(long, conflicts_with = "address")]
        point: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// The gazetteer (町丁目 with points) and ward boundaries.
    Gazetteer {
        #[command(subcommand)]
        command: GazetteerCommand,
    },
    /// Write every record (as an audience may see it) as HSDS JSON, CSV or
    /// GeoJSON, streamed from the store.
    Export(export_cli::ExportArgs),
    /// Show one record (as JSON).
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t = AudienceFlag::Public)]
        audience: AudienceFlag,
    },
    /// Rebuild the search index from the store.
    Reindex,
    /// Dictionary files.
    Dict {
        #[command(subcommand)]
        command: DictCommand,
    },
    /// Import the bundled seed data into a fresh data directory and show
    /// sample searches.
    Demo {
        /// The seed-data directory.
        #[arg(long, default_value = "seed-data")]
        seed: PathBuf,
    },
    /// Measure import and search on a generated corpus.
    Bench(bench::BenchArgs),
    /// Run the service: public and coordinator APIs over the data directory.
    Serve(serve::ServeArgs),
    /// Mark records as checked (「情報を確認しました」): stamps verified_on.
    Confirm(edits_cli::ConfirmArgs),
    /// Copy the store (consistently, also while a server runs) and the
    /// imported geography to a new directory.
    Backup(edits_cli::BackupArgs),
    /// Replace the data directory's store with a backup's and rebuild the
    /// index (stop the server first).
    Restore(edits_cli::RestoreArgs),
    /// Accounts: add, list, end (解任), set a password.
    User {
        #[command(subcommand)]
        command: accounts_cli::UserCommand,
    },
    /// API tokens for scripts: create, list, revoke.
    Token {
        #[command(subcommand)]
        command: accounts_cli::TokenCommand,
    },
    /// Reports: 地域診断 (area) and the yearly 通いの場 survey's counts.
    Report {
        #[command(subcommand)]
        command: report_cli::ReportCommand,
    },
    /// The population table reports are read against (町丁別年齢別人口).
    Population {
        #[command(subcommand)]
        command: report_cli::PopulationCommand,
    },
}

#[derive(Subcommand, Debug)]
enum GazetteerCommand {
    /// Import a gazetteer (Address Base Registry 町字 CSV, MLIT 位置参照情報
    /// CSV, or tsunagu's CSV) and optionally ward polygons (GeoJSON), then
    /// place every stored record again.
    Import {
        file: Option<PathBuf>,
        #[arg(long)]
        wards: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SortFlag {
    Relevance,
    Distance,
}

#[derive(Subcommand, Debug)]
enum DictCommand {
    /// Check dictionaries/ for errors (CI runs this).
    Check,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InputFormat {
    Jsonl,
    Csv,
    /// Open Referral HSDS 3.0 services (a `.json` file holding one is
    /// recognised without this).
    Hsds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AudienceFlag {
    Public,
    Coordinator,
}

impl From<AudienceFlag> for Audience {
    fn from(flag: AudienceFlag) -> Audience {
        match flag {
            AudienceFlag::Public => Audience::Public,
            AudienceFlag::Coordinator => Audience::Coordinator,
        }
    }
}

fn parse_location(text: &str) -> Location {
    Location::parse(text)
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::from_code_or_label(s)
        .ok_or_else(|| format!("kind は {} のどれかです", Kind::codes_joined()))
}
fn parse_category(s: &str) -> Result<Category, String> {
    Category::from_user_text(s).ok_or_else(|| {
        format!(
            "分類「{s}」がわかりません。使える分類: {}",
            Category::codes_with_labels_joined()
        )
    })
}
fn parse_feature(s: &str) -> Result<Feature, String> {
    Feature::from_user_text(s).ok_or_else(|| {
        format!(
            "特徴「{s}」がわかりません。使える特徴: {}",
            Feature::codes_with_labels_joined()
        )
    })
}
fn parse_centre(s: &str) -> Result<String, String> {
    let id = s.trim().to_ascii_uppercase();
    let ok = id.len() == 4
        && id.starts_with("AC")
        && id[2..].parse::<u8>().is_ok_and(|n| (1..=28).contains(&n));
    if ok {
        Ok(id)
    } else {
        Err(format!(
            "センター「{s}」がわかりません。AC01〜AC28 で指定してください"
        ))
    }
}
fn parse_ward(s: &str) -> Result<Ward, String> {
    Ward::parse(s).ok_or_else(|| "区の名前が違います（例: 稲毛区、美浜区）".to_string())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        // Colours only on a terminal: piped stderr stays plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TSUNAGU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // `tsunagu show ID | head`: the reader has gone; stop quietly, as
        // other Unix tools do.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            match e.downcast_ref::<EngineError>() {
                Some(engine) => eprintln!("エラー: {}\nerror: {e:#}", engine.message_ja()),
                None => eprintln!("エラー: {e:#}"),
            }
            ExitCode::from(2)
        }
    }
}

fn config(cli: &Cli) -> DirectoryConfig {
    DirectoryConfig {
        data_dir: cli.data_dir.clone(),
        dictionaries: cli.dictionaries.clone(),
        writer_wait: std::time::Duration::from_secs(cli.lock_wait),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Import {
            files,
            input_format,
            encoding,
            format,
            merge,
        } => {
            let encoding =
                CsvEncoding::parse(encoding).map_err(|e| anyhow::anyhow!("{}", e.message_ja()))?;
            let options = ImportOptions {
                format: input_format.and_then(|f| match f {
                    InputFormat::Jsonl => Some(FileFormat::JsonLines),
                    InputFormat::Csv => Some(FileFormat::Csv),
                    InputFormat::Hsds => None,
                }),
                encoding,
                merge: *merge,
                ..ImportOptions::default()
            };
            // Every file's format is known before anything is imported.
            let mut hsds = Vec::with_capacity(files.len());
            for file in files {
                let is_hsds = match input_format {
                    Some(InputFormat::Hsds) => true,
                    Some(_) => false,
                    None => export_cli::is_hsds_file(file),
                };
                if is_hsds && *merge {
                    bail!(
                        "--merge は HSDS の文書（{}）には使えません / --merge does not apply to HSDS documents",
                        file.display()
                    );
                }
                if !is_hsds {
                    options.format_of(file)?;
                }
                hsds.push(is_hsds);
            }
            let mut dir = Directory::open(&config(&cli))?;
            let progress = BarProgress::new();
            let mut reports = Vec::new();
            for (file, is_hsds) in files.iter().zip(hsds) {
                reports.push(if is_hsds {
                    export_cli::import_hsds(&mut dir, file, &options, &progress)?
                } else {
                    dir.import_file(file, &options, &progress)?
                });
            }
            output::print_import(&reports, *format == OutputFormat::Json)?;
            let failed = reports.iter().any(|r| r.failed());
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Search {
            query,
            kind,
            category,
            ward,
            centre,
            feature,
            max_fee,
            include_inactive,
            audience,
            limit,
            offset,
            format,
            near,
            within,
            sort,
            literal,
        } => {
            let dir = Directory::open_reader(&config(&cli))?;
            let q = SearchQuery {
                text: query.clone(),
                kinds: kind.clone(),
                categories: category.clone(),
                wards: ward.clone(),
                centers: centre.clone(),
                features: feature.clone(),
                max_fee_yen: *max_fee,
                include_inactive: *include_inactive,
                audience: (*audience).into(),
                limit: *limit,
                offset: *offset,
                ..SearchQuery::default()
            };
            let json = *format == OutputFormat::Json;
            match near {
                None => output::print_search(query, &dir.search_understood(&q, *literal)?, json)?,
                Some(place) => {
                    let nq = NearQuery {
                        location: parse_location(place),
                        within_m: *within,
                        sort: match sort {
                            SortFlag::Relevance => NearSort::Relevance,
                            SortFlag::Distance => NearSort::Distance,
                        },
                    };
                    // The place is --near; the rest of what the query says
                    // (days, cost, features…) still applies.
                    let (q, understanding) = if *literal {
                        (q.clone(), tsunagu_engine::Understanding::default())
                    } else {
                        let u = dir.understand(&q.text, &q.kinds)?;
                        let mut q = tsunagu_engine::apply_understanding(&q, &u);
                        q.prefs.place = None;
                        (q, u)
                    };
                    let (located, results) = dir.search_near(&q, &nq)?;
                    output::print_near(query, &understanding, &located, &results, json)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Nearest {
            near,
            category,
            kind,
            k,
            audience,
            format,
        } => {
            let dir = Directory::open_reader(&config(&cli))?;
            let q = SearchQuery {
                categories: category.clone(),
                kinds: kind.clone(),
                audience: (*audience).into(),
                ..SearchQuery::default()
            };
            let (located, results) = dir.nearest(&q, &parse_location(near), *k)?;
            output::print_nearest(&located, &results, *format == OutputFormat::Json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Match {
            request,
            format,
            today,
            record,
        } => {
            let text = read_request(request)?;
            let req = match tsunagu_engine::MatchRequest::from_json(&text) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("エラー: {}\nerror: {e}", e.message_ja());
                    return Ok(ExitCode::from(2));
                }
            };
            let today = match today {
                Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .with_context(|| format!("--today は YYYY-MM-DD です: {d}"))?,
                None => chrono::Local::now().date_naive(),
            };
            let mut req = req;
            req.record |= *record;
            let dir = Directory::open_reader(&config(&cli))?;
            let answer = dir.match_request(&req, today)?;
            let json = *format == OutputFormat::Json;
            // The table says where, when, cost and telephone of each match,
            // which the answer itself does not carry.
            let mut records = std::collections::HashMap::new();
            if !json {
                for m in answer.needs.iter().flat_map(|n| &n.matches) {
                    if !records.contains_key(&m.id)
                        && let Some(shown) = dir.get(&m.id, req.audience)?
                    {
                        records.insert(m.id.clone(), shown);
                    }
                }
            }
            output::print_match(&answer, &records, req.record, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Locate {
            address,
            point,
            format,
        } => {
            if !cli.data_dir.is_dir() {
                eprintln!(
                    "注意: データディレクトリ {} がないため、組み込みの町丁目表で調べます / data directory not found; using the built-in gazetteer",
                    cli.data_dir.display()
                );
            }
            let locator = tsunagu_engine::load_locator(&cli.data_dir)?;
            let place = match (address, point) {
                (Some(a), _) => {
                    tsunagu_engine::limits::check_len(
                        "address",
                        a,
                        tsunagu_engine::limits::MAX_ADDRESS_CHARS,
                    )
                    .map_err(EngineError::from)?;
                    locator.locate_address(a)
                }
                (None, Some(p)) => match parse_location(p) {
                    Location::Point(lat, lon) => {
                        tsunagu_engine::limits::check_point(lat, lon).map_err(EngineError::from)?;
                        locator.locate_point(lat, lon)
                    }
                    Location::Address(_) => {
                        bail!("--point は「緯度,経度」で指定してください（例: 35.65,140.10）")
                    }
                },
                (None, None) => bail!("住所か --point を指定してください"),
            };
            let ok = place.level > tsunagu_geo::Level::None;
            output::print_place(&locator, &place, *format == OutputFormat::Json)?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Gazetteer {
            command: GazetteerCommand::Import { file, wards },
        } => {
            // Before the data directory is opened (and so created): a
            // mistyped path changes nothing.
            for input in file.iter().chain(wards) {
                tsunagu_engine::check_input_file(input)?;
            }
            let mut dir = Directory::open(&config(&cli))?;
            let summary = dir.import_gazetteer(file.as_deref(), wards.as_deref())?;
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => export_cli::run(args, &config(&cli)),
        Command::Show { id, audience } => {
            let dir = Directory::open_reader(&config(&cli))?;
            match dir.get(id, (*audience).into())? {
                Some(shown) => {
                    println!("{}", serde_json::to_string_pretty(&shown)?);
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    let id = tsunagu_model::cut_for_message(id);
                    eprintln!("id「{id}」の資源はありません / no record with id {id}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Reindex => {
            if !cli.data_dir.join(tsunagu_engine::STORE_FILE).is_file() {
                return Err(EngineError::NoDataDir {
                    path: cli.data_dir.clone(),
                }
                .into());
            }
            let mut dir = Directory::open(&config(&cli))?;
            let n = dir.reindex()?;
            println!("索引を作り直しました: {n}件 / reindexed {n} records");
            Ok(ExitCode::SUCCESS)
        }
        Command::Dict {
            command: DictCommand::Check,
        } => dict_check(&cli),
        Command::Demo { seed } => demo(&cli, seed),
        Command::Bench(args) => bench::run(args, cli.dictionaries.as_deref()),
        Command::Serve(args) => serve::run(args, config(&cli)),
        Command::Confirm(args) => edits_cli::confirm(args, config(&cli)),
        Command::Backup(args) => edits_cli::backup(args, &config(&cli)),
        Command::Restore(args) => edits_cli::restore(args, &config(&cli)),
        Command::User { command } => accounts_cli::user(&cli.data_dir, command),
        Command::Token { command } => accounts_cli::token(&cli.data_dir, command),
        Command::Report { command } => report_cli::report(command, config(&cli)),
        Command::Population { command } => report_cli::population(command, config(&cli)),
    }
}

/// The request body from a file or standard input, read no further than
/// the largest request accepted (a runaway pipe must not fill memory).
fn read_request(request: &str) -> Result<String> {
    let limit = tsunagu_engine::MAX_REQUEST_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    if request == "-" {
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::io::stdin(), limit),
            &mut bytes,
        )?;
    } else {
        let file = std::fs::File::open(request)
            .with_context(|| format!("依頼ファイル {request} を読めません"))?;
        std::io::Read::read_to_end(&mut std::io::Read::take(file, limit), &mut bytes)
            .with_context(|| format!("依頼ファイル {request} を読めません"))?;
    }
    if bytes.len() as u64 >= limit {
        bail!(
            "依頼が大きすぎます（{}バイトまで） / the request is larger than {} bytes",
            tsunagu_engine::MAX_REQUEST_BYTES,
            tsunagu_engine::MAX_REQUEST_BYTES
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "依頼が UTF-8 ではありません（{} バイト目） / the request is not UTF-8 (byte {})",
            e.utf8_error().valid_up_to(),
            e.utf8_error().valid_up_to()
        )
    })
}

fn dict_check(cli: &Cli) -> Result<ExitCode> {
    let lexicon = Lexicon::locate(cli.dictionaries.as_deref())
        .map_err(|e| anyhow::anyhow!("辞書ファイルを読めません: {e}"))?;
    let issues = lexicon.check();
    // Compiling the analyzer also compiles the user dictionary with lindera
    // and every synonym phrase, which catches what a line check cannot.
    let analyzer = tsunagu_engine::load_analyzer(cli.dictionaries.as_deref())?;
    let mut errors = 0;
    for issue in &issues {
        if issue.error {
            errors += 1;
        }
        println!("{issue}");
    }
    let lex = analyzer.lexicon();
    for problem in tsunagu_engine::check_needs(&lex.needs_tsv) {
        errors += 1;
        println!("error: dictionaries/{problem}");
    }
    for problem in tsunagu_engine::check_query_vocabulary(&lex.query_tsv) {
        errors += 1;
        println!("error: dictionaries/{problem}");
    }
    println!(
        "dictionaries ({}): user words {}, synonym groups {}, category keyword lists {}, need phrases {} lines; {} error(s), {} warning(s)",
        lex.origin,
        lex.user_words.len(),
        lex.synonyms.groups.len(),
        lex.category_keywords.len(),
        lex.needs_tsv
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count(),
        errors,
        issues.iter().filter(|i| !i.error).count()
    );
    match &lex.sudachi {
        Some(sudachi) => {
            let st = &sudachi.stats;
            println!(
                "Sudachi synonyms ({}): {} groups read, {} kept ({} members, {} in use by the analyzer); dropped: {} 用言, {} deleted, {} spellings, {} proper names, {} never-expand; {} malformed lines",
                sudachi.origin,
                st.groups_read,
                st.groups_kept,
                st.members_kept,
                analyzer.sudachi_group_count(),
                st.dropped_not_noun,
                st.dropped_deleted,
                st.dropped_spelling,
                st.dropped_proper_name,
                st.dropped_never_expand,
                st.malformed_lines
            );
        }
        None => println!(
            "Sudachi synonyms: not loaded (set TSUNAGU_SUDACHI_SYNONYMS or place dictionaries/sudachi/synonyms.txt; docs/synonyms.md)"
        ),
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Sample searches the demo shows: wording differs from the records'.
const DEMO_QUERIES: &[&str] = &[
    "買い物 付き添い",
    "ゴミ捨て",
    "話し相手",
    "ｽﾄﾚｯﾁ",
    "オレンジカフェ",
    "スマホ 教室",
];

fn demo(cli: &Cli, seed: &std::path::Path) -> Result<ExitCode> {
    let records = seed.join("records");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&records)
        .with_context(|| format!("seed data not found at {}", records.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| FileFormat::from_path(p).is_some())
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no seed files in {}", records.display());
    }
    if cli.data_dir.exists() {
        std::fs::remove_dir_all(&cli.data_dir)
            .with_context(|| format!("cannot clear {}", cli.data_dir.display()))?;
    }
    let mut dir = Directory::open(&config(cli))?;
    let progress = BarProgress::new();
    let mut reports = Vec::new();
    for f in &files {
        reports.push(dir.import_file(f, &ImportOptions::default(), &progress)?);
    }
    output::print_import(&reports, false)?;
    println!(
        "\n{} にシードデータを読み込みました（{}件）。検索の例 / sample searches:",
        cli.data_dir.display(),
        dir.record_count()?
    );
    for q in DEMO_QUERIES {
        let results = dir.search_understood(
            &SearchQuery {
                text: (*q).to_string(),
                limit: 3,
                ..SearchQuery::default()
            },
            false,
        )?;
        println!("\n$ tsunagu search \"{q}\"");
        output::print_search(q, &results, false)?;
    }
    let failed = reports.iter().any(|r| r.failed());
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A progress bar on stderr; indicatif draws nothing when stderr is not a
/// terminal, so pipes and CI stay quiet.
struct BarProgress {
    bar: ProgressBar,
}

impl BarProgress {
    fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        BarProgress { bar }
    }
}

impl ImportProgress for BarProgress {
    fn begin(&self, source: &str, total_bytes: Option<u64>) {
        self.bar.reset();
        self.bar.set_length(total_bytes.unwrap_or(0));
        let style = ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, 残り {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        self.bar.set_style(style);
        self.bar.set_message(source.to_string());
    }
    fn advance_bytes(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

//! `tsunagu bench`: generates a corpus in the spec's format, imports it into
//! a fresh data directory and measures import time, peak memory and warm
//! search latency. Results go to docs/PERFORMANCE.md by hand, with the
//! command that produced them.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tsunagu_engine::{
    Directory, DirectoryConfig, ImportOptions, Location, NearQuery, NearSort, NoProgress,
    SearchQuery, apply_understanding,
};
use tsunagu_geo::{Locator, PointIndex};
use tsunagu_model::{Category, Feature, Kind, Ward};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Records to generate.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Timed searches (after one warm-up pass over the query set).
    #[arg(long, default_value_t = 5_000)]
    searches: usize,
    /// Keep the generated corpus and data here instead of a temp directory.
    #[arg(long)]
    work_dir: Option<std::path::PathBuf>,
    /// Search the data already in --work-dir (skip generation and import),
    /// e.g. to profile search alone.
    #[arg(long, requires = "work_dir")]
    reuse: bool,
    /// Measure the geography layer alone: nearest/radius over --points
    /// random points and address resolution.
    #[arg(long)]
    geo: bool,
    /// Points for --geo.
    #[arg(long, default_value_t = 1_000_000)]
    points: usize,
    /// Worst-case records: every name and description as long as the record
    /// rules allow (200 and 20,000 characters) and full of the benchmark's
    /// query words, to measure that work per search is bounded whatever
    /// the records hold.
    #[arg(long)]
    longest: bool,
    /// Search the query mix word for word (`--literal`), without query
    /// understanding, to see what understanding costs on the same data.
    #[arg(long)]
    literal: bool,
    /// Run one part of the search benchmark only, e.g. to profile it.
    #[arg(long, value_enum)]
    only: Option<BenchPart>,
    /// Load the service instead: the real server on loopback, public reads
    /// from --connections clients for --seconds while one client edits.
    #[arg(long)]
    serve: bool,
    /// Concurrent HTTP connections for --serve.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// How long --serve loads the server.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Edits per second during --serve.
    #[arg(long, default_value_t = 10)]
    edits: u64,
    /// --serve without the public answer cache (every read searched).
    #[arg(long)]
    no_cache: bool,
    /// Time the exports instead of searches: `tsunagu export` in each
    /// format (HSDS, CSV in UTF-8 and CP932, GeoJSON) run as a child
    /// process on the imported corpus, with its peak memory (VmHWM).
    #[arg(long)]
    exports: bool,
    /// Time the reports instead of searches: the city-wide 地域診断 (JSON,
    /// and HTML with its map), a centre's, and the 通いの場 survey.
    #[arg(long)]
    reports: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum BenchPart {
    /// Text search and understanding alone.
    Search,
    /// Text + 1 km radius.
    Near,
    /// Three-need match requests.
    Match,
}

/// A small deterministic generator (xorshift64*), so every run measures the
/// same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const TOWNS: &[(&str, Ward)] = &[
    ("小仲台", Ward::Inage),
    ("稲毛東", Ward::Inage),
    ("園生町", Ward::Inage),
    ("高洲", Ward::Mihama),
    ("真砂", Ward::Mihama),
    ("幸町", Ward::Mihama),
    ("都賀", Ward::Wakaba),
    ("千城台北", Ward::Wakaba),
    ("桜木", Ward::Wakaba),
    ("おゆみ野", Ward::Midori),
    ("誉田町", Ward::Midori),
    ("あすみが丘", Ward::Midori),
    ("幕張町", Ward::Hanamigawa),
    ("花園", Ward::Hanamigawa),
    ("こてはし台", Ward::Hanamigawa),
    ("弁天", Ward::Chuo),
    ("松ケ丘町", Ward::Chuo),
    ("蘇我", Ward::Chuo),
];
const KAYOI_NAMES: &[&str] = &[
    "いきいき百歳体操",
    "ふれあいサロン",
    "オレンジカフェ",
    "健康麻雀の会",
    "囲碁クラブ",
    "手芸の会",
    "ラジオ体操会",
    "おしゃべりカフェ",
    "男の料理教室",
    "歌声喫茶",
    "花壇ボランティア",
    "子ども食堂",
    "脳トレ教室",
    "ウォーキングの会",
    "書道サークル",
    "スマホ相談会",
];
const SERVICE_NAMES: &[&str] = &[
    "買い物お手伝い隊",
    "配食サービス",
    "見守り訪問",
    "家事お助け隊",
    "ゴミ出し支援",
    "通院付き添い",
    "傾聴ボランティア",
    "草取り隊",
    "ちょこっと困りごと支援",
    "移動販売",
    "お弁当宅配",
    "送迎サービス",
];
const PHRASES: &[&str] = &[
    "地域の皆さんが気軽に集まれる場所です。",
    "椅子に座ってできる体操を中心に、おしゃべりも楽しんでいます。",
    "お一人暮らしの方の見守りを兼ねて、定期的に訪問します。",
    "スーパーへの同行や買物代行を行います。",
    "ごみを集積所まで運ぶのが難しい方のお手伝いをします。",
    "初めての方も見学できます。お気軽にお問い合わせください。",
    "認知症の方やご家族が相談できるカフェです。",
    "管理栄養士が考えたお弁当を自宅までお届けします。",
    "電球交換や家具の移動など、ちょっとした困りごとに対応します。",
    "スマートフォンの使い方を一緒に学びます。",
    "畑で季節の野菜を育てています。",
    "通院の付き添いや外出の支援を行います。",
];
const SCHEDULES: &[&str] = &[
    "毎週火曜日 10:00～11:30",
    "第1・第3木曜日 午後1時半から3時",
    "月2回（第2・第4月曜）",
    "平日 9時～17時",
    "不定期",
    "毎月15日",
];
const FEES: &[&str] = &[
    "無料",
    "参加費100円",
    "1回300円（お茶代込み）",
    "月額1,000円",
    "実費",
];

/// Towns added to the corpus for place queries (幕張本郷 サロン): all in the
/// official gazetteer, like the towns above.
const EXTRA_TOWNS: &[(&str, Ward)] = &[
    ("幕張本郷", Ward::Hanamigawa),
    ("若松町", Ward::Wakaba),
    ("千城台南", Ward::Wakaba),
    ("検見川町", Ward::Hanamigawa),
    ("稲毛海岸", Ward::Mihama),
    ("土気町", Ward::Midori),
];
const EXTRA_KAYOI_NAMES: &[&str] = &["シニアヨガ", "ヨガ教室", "麻雀サロン", "体操サロン"];
/// Schedules with weekdays and clock times, so understood days and times
/// meet the hours fast fields.
const EXTRA_SCHEDULES: &[&str] = &[
    "毎週木曜日 10時～12時",
    "毎週日曜日 13:30～15:30",
    "第2・第4土曜日 午前10時から正午",
    "毎週月・水・金 9:00～10:00",
    "木曜日 午後2時～4時",
    "毎週水曜日 18時～20時",
];
/// Fees with and without a unit of time (「1時間600円」 is priced per use
/// by its least unit).
const EXTRA_FEES: &[&str] = &[
    "1時間600円",
    "30分300円",
    "1回200円",
    "参加費150円（お茶代）",
    "無料（材料費のみ実費）",
    "年会費2,000円",
];
/// What listings say of themselves (read at import into features and
/// who-facts), with one denial that must grant nothing.
const FACT_PHRASES: &[&str] = &[
    "車いすでも参加できます。",
    "駐車場あり。",
    "女性限定の会です。",
    "予約不要です。",
    "送迎あり。",
    "初心者歓迎。",
    "要介護の方もどうぞ。",
    "男性も歓迎します。",
    "駐車場はありません。",
    "認知症の方もご一緒に楽しめます。",
];

/// What a benchmark query asks besides its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryClass {
    Words,
    PlaceWord,
    DayTime,
    Cost,
    FeatureWho,
    Situation,
    ConstraintOnly,
}

impl QueryClass {
    const ALL: [QueryClass; 7] = [
        QueryClass::Words,
        QueryClass::PlaceWord,
        QueryClass::DayTime,
        QueryClass::Cost,
        QueryClass::FeatureWho,
        QueryClass::Situation,
        QueryClass::ConstraintOnly,
    ];

    fn label(self) -> &'static str {
        match self {
            QueryClass::Words => "words",
            QueryClass::PlaceWord => "place + word",
            QueryClass::DayTime => "day/time + word",
            QueryClass::Cost => "cost + word",
            QueryClass::FeatureWho => "feature/who + word",
            QueryClass::Situation => "situation",
            QueryClass::ConstraintOnly => "constraint only",
        }
    }
}

/// One- and two-word queries with synonyms (the mix of issue 2; also the
/// words `--longest` fills records with).
const WORD_QUERIES: &[&str] = &[
    "体操",
    "買い物 付き添い",
    "ゴミ捨て",
    "話し相手",
    "認知症カフェ",
    "お弁当 配達",
    "スマホ",
    "見守り 一人暮らし",
    "囲碁",
    "電球 交換",
    "畑 野菜",
    "通院 送迎",
    "サロン おしゃべり",
    "ストレッチ 椅子",
    "ボランティア 花壇",
    "麻雀",
];

/// What coordinators type (issue 12): places, days and times, cost,
/// features and who, situations, and constraints alone.
const UNDERSTOOD_QUERIES: &[(QueryClass, &str)] = &[
    (QueryClass::PlaceWord, "若葉区 体操"),
    (QueryClass::PlaceWord, "幕張本郷 サロン"),
    (QueryClass::PlaceWord, "稲毛 囲碁"),
    (QueryClass::PlaceWord, "おゆみ野 配食"),
    (QueryClass::DayTime, "木曜の午前 サロン"),
    (QueryClass::DayTime, "平日 午後 体操"),
    (QueryClass::DayTime, "土日 麻雀"),
    (QueryClass::DayTime, "毎週 夜 囲碁"),
    (QueryClass::Cost, "200円まで 体操"),
    (QueryClass::Cost, "無料 集まり"),
    (QueryClass::Cost, "安い 囲碁"),
    (QueryClass::Cost, "500円まで 見守り 緑区"),
    (QueryClass::FeatureWho, "車いす 麻雀"),
    (QueryClass::FeatureWho, "女性だけ ヨガ"),
    (QueryClass::FeatureWho, "送迎 サロン"),
    (QueryClass::FeatureWho, "若葉区 車いすで行ける 麻雀"),
    (QueryClass::Situation, "蛍光灯が替えられない"),
    (QueryClass::Situation, "夜ひとりで不安"),
    (QueryClass::Situation, "買い物に行けない"),
    (QueryClass::Situation, "ゴミを出せない"),
    (QueryClass::ConstraintOnly, "日曜 集まり"),
    (QueryClass::ConstraintOnly, "若葉区"),
    (QueryClass::ConstraintOnly, "無料"),
    (QueryClass::ConstraintOnly, "木曜の午前"),
];

/// The whole mix: the word queries and the coordinator-style ones, in one
/// cycle.
fn query_mix() -> Vec<(QueryClass, &'static str)> {
    WORD_QUERIES
        .iter()
        .map(|q| (QueryClass::Words, *q))
        .chain(UNDERSTOOD_QUERIES.iter().copied())
        .collect()
}

/// `text` repeated up to exactly `chars` characters.
fn fill_to(text: &str, chars: usize) -> String {
    text.chars().cycle().take(chars).collect()
}

fn generate(path: &Path, n: usize, longest: bool) -> Result<u64> {
    let file = std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // Everything issue 12 added to the corpus draws from its own generator,
    // so `rng` makes the draws it made for earlier measurements: records
    // differ from that corpus only where an extra replaces or adds a field.
    let mut extra = Rng(0x6A09_E667_F3BC_C909);
    let kayoi_cats: Vec<Category> = Category::ALL
        .iter()
        .copied()
        .filter(|c| c.home_kind() == Kind::Kayoi)
        .collect();
    let service_cats: Vec<Category> = Category::ALL
        .iter()
        .copied()
        .filter(|c| c.home_kind() == Kind::Service)
        .collect();
    for i in 0..n {
        let (mut town, mut ward) = *rng.pick(TOWNS);
        if extra.below(8) == 0 {
            (town, ward) = *extra.pick(EXTRA_TOWNS);
        }
        let kayoi = rng.below(10) < 6;
        let (kind, mut base, cats) = if kayoi {
            (Kind::Kayoi, *rng.pick(KAYOI_NAMES), &kayoi_cats)
        } else {
            (Kind::Service, *rng.pick(SERVICE_NAMES), &service_cats)
        };
        if kayoi && extra.below(10) == 0 {
            base = *extra.pick(EXTRA_KAYOI_NAMES);
        }
        let mut categories = vec![rng.pick(cats).code()];
        if rng.below(3) == 0 {
            let c = rng.pick(cats).code();
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
        let mut description: String = (0..2 + rng.below(2)).map(|_| *rng.pick(PHRASES)).collect();
        if extra.below(3) == 0 {
            let fact = *extra.pick(FACT_PHRASES);
            description.push_str(fact);
        }
        let mut name = format!("{town}{base}{}", i % 97);
        if longest {
            let words: String = WORD_QUERIES.concat();
            description = fill_to(&format!("{description}{words}"), 20_000);
            name = fill_to(&format!("{name}{words}"), 200);
        }
        let mut record = serde_json::json!({
            "id": format!("bench-{i:06}"),
            "kind": kind.code(),
            "name": name,
            "categories": categories,
            "description": description,
            "organizer": {"name": format!("{town}地域ささえあいの会"), "type": "residents"},
            "address": format!("千葉市{}{town}{}丁目{}-{}", ward.name(), 1 + rng.below(5), 1 + rng.below(30), 1 + rng.below(20)),
            "lat": 35.55 + rng.unit() * 0.15,
            "lon": 140.05 + rng.unit() * 0.25,
            "schedule_text": rng.pick(SCHEDULES),
            "fee_text": rng.pick(FEES),
            "verified_on": format!("202{}-{:02}-{:02}", 3 + rng.below(4), 1 + rng.below(12), 1 + rng.below(28)),
        });
        // Two services in three say where they serve, as in the seed data:
        // the whole city, their ward or their town.
        if !kayoi && extra.below(3) != 0 {
            let area = match extra.below(4) {
                0 => "千葉市".to_string(),
                1 => format!("{}{town}", ward.name()),
                _ => ward.name().to_string(),
            };
            record["service_area"] = serde_json::json!([area]);
        }
        if extra.below(2) == 0 {
            record["schedule_text"] = (*extra.pick(EXTRA_SCHEDULES)).into();
        }
        if extra.below(3) == 0 {
            record["fee_text"] = (*extra.pick(EXTRA_FEES)).into();
        }
        if rng.below(2) == 0 {
            record["fee_yen"] = serde_json::json!([0, 100, 300, 500][rng.below(4)]);
        }
        if rng.below(2) == 0 {
            record["features"] = serde_json::json!([rng.pick(Feature::ALL).code()]);
        }
        if rng.below(20) == 0 {
            record["visibility"] = "internal".into();
            record["notes_internal"] = "内部メモ".into();
        }
        if rng.below(25) == 0 {
            record["status"] = "paused".into();
        }
        serde_json::to_writer(&mut w, &record)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// Peak resident memory of this process so far (Linux), in MiB.
pub(crate) fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn run(args: &BenchArgs, dictionaries: Option<&Path>) -> Result<ExitCode> {
    if args.geo {
        return geo_bench(args.points, args.searches);
    }
    let tmp = tempfile::tempdir()?;
    let work = args
        .work_dir
        .clone()
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&work)?;
    let corpus = work.join("corpus.jsonl");
    let data_dir = work.join("data");
    let config = DirectoryConfig {
        dictionaries: dictionaries.map(Path::to_path_buf),
        ..DirectoryConfig::new(&data_dir)
    };
    let plan = crate::load::LoadPlan {
        connections: args.connections.clamp(1, 1024),
        seconds: args.seconds.clamp(1, 3600),
        edits_per_second: args.edits.clamp(1, 1000),
        cache: !args.no_cache,
    };
    if args.reuse && args.exports {
        return crate::export_cli::bench(&config, &work);
    }
    if args.reuse && args.reports {
        return crate::report_cli::bench(&config);
    }
    if args.reuse {
        let dir = Directory::open(&config)?;
        if args.serve {
            crate::load::run(dir, &config, &plan)?;
            return Ok(ExitCode::SUCCESS);
        }
        let n = dir.record_count()?;
        return search_bench(&dir, n, args);
    }
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)?;
    }
    let started = Instant::now();
    let bytes = generate(&corpus, args.records, args.longest)?;
    println!(
        "generated {} records ({:.1} MB) in {:.2?}",
        args.records,
        bytes as f64 / 1e6,
        started.elapsed()
    );
    let analyzer = tsunagu_engine::load_analyzer(dictionaries)?;
    let rss_before = peak_rss_mib().unwrap_or(0.0);
    let mut dir = Directory::open_with(&config, analyzer)?;
    let started = Instant::now();
    let report = dir.import_file(&corpus, &ImportOptions::default(), &NoProgress)?;
    let import_time = started.elapsed();
    let peak = peak_rss_mib().unwrap_or(0.0);
    println!(
        "import + index: {} accepted, {} rejected in {:.2?} ({:.0} records/s); peak RSS {:.0} MiB (before import {:.0} MiB)",
        report.accepted,
        report.rejected,
        import_time,
        report.accepted as f64 / import_time.as_secs_f64(),
        peak,
        rss_before
    );
    if args.serve {
        crate::load::run(dir, &config, &plan)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.exports {
        drop(dir);
        return crate::export_cli::bench(&config, &work);
    }
    if args.reports {
        drop(dir);
        return crate::report_cli::bench(&config);
    }
    search_bench(&dir, report.accepted, args)
}

/// Latencies of one kind of search, overall and per query class.
struct ClassTimes {
    all: Vec<Duration>,
    by_class: Vec<Vec<Duration>>,
}

impl ClassTimes {
    fn new(capacity: usize) -> ClassTimes {
        ClassTimes {
            all: Vec::with_capacity(capacity),
            by_class: vec![Vec::new(); QueryClass::ALL.len()],
        }
    }

    fn add(&mut self, class: QueryClass, took: Duration) {
        self.all.push(took);
        if let Some(i) = QueryClass::ALL.iter().position(|c| *c == class) {
            self.by_class[i].push(took);
        }
    }

    fn report(&mut self, what: &str) {
        for (class, times) in QueryClass::ALL.iter().zip(&mut self.by_class) {
            if !times.is_empty() {
                report_times(&format!("  {:<20}", class.label()), times);
            }
        }
        report_times(what, &mut self.all);
    }
}

fn search_bench(dir: &Directory, records: u64, args: &BenchArgs) -> Result<ExitCode> {
    let (searches, literal) = (args.searches, args.literal);
    let runs = |part: BenchPart| args.only.is_none_or(|only| only == part);
    let mix = query_mix();
    let queries: Vec<SearchQuery> = mix
        .iter()
        .map(|(_, q)| SearchQuery {
            text: (*q).to_string(),
            limit: 10,
            ..SearchQuery::default()
        })
        .collect();
    println!(
        "query understanding {}",
        if literal { "OFF (--literal)" } else { "ON" }
    );
    if !literal {
        // The first understanding builds the vocabulary with the
        // gazetteer's places and the needs lexicon; every later one reuses them.
        let t = Instant::now();
        dir.understand(UNDERSTOOD_QUERIES[0].1, &[])?;
        println!(
            "first understanding (builds the understander and needs lexicon): {:.2?}",
            t.elapsed()
        );
    }
    if runs(BenchPart::Search) {
        text_bench(dir, records, &mix, &queries, searches, literal)?;
        if !literal {
            understanding_bench(dir, &mix, searches)?;
        }
    }
    if runs(BenchPart::Near) {
        near_bench(dir, &mix, &queries, searches, literal)?;
    }
    if runs(BenchPart::Match) {
        match_bench(dir, searches)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Warm text searches cycling over the mix, as `tsunagu search` runs them.
fn text_bench(
    dir: &Directory,
    records: u64,
    mix: &[(QueryClass, &str)],
    queries: &[SearchQuery],
    searches: usize,
    literal: bool,
) -> Result<()> {
    let mut summaries = Vec::with_capacity(queries.len());
    for q in queries {
        let answer = dir.search_understood(q, literal)?;
        summaries.push(if answer.understanding.understood.is_empty() {
            String::new()
        } else {
            format!(
                "{} + 「{}」",
                answer.understanding.summary_ja(),
                answer.understanding.text
            )
        });
    }
    let mut times = ClassTimes::new(searches);
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    let mut totals = vec![0usize; queries.len()];
    for i in 0..searches {
        let k = i % queries.len();
        let t = Instant::now();
        let answer = dir.search_understood(&queries[k], literal)?;
        let took = t.elapsed();
        times.add(mix[k].0, took);
        per_query[k].push(took);
        totals[k] = answer.results.total;
        std::hint::black_box(answer);
    }
    println!("per query (median, matching records, what was understood):");
    for (((class, text), mut t), (total, summary)) in mix
        .iter()
        .zip(per_query)
        .zip(totals.into_iter().zip(&summaries))
    {
        t.sort();
        println!(
            "  {:<20} {:<28} {:>8.3} ms  {:>6} matches  {}",
            class.label(),
            text,
            percentile(&t, 0.5).as_secs_f64() * 1e3,
            total,
            summary
        );
    }
    times.report(&format!("warm search over {records} records"));
    Ok(())
}

/// Understanding alone (no index work): what it adds to each search.
fn understanding_bench(dir: &Directory, mix: &[(QueryClass, &str)], runs: usize) -> Result<()> {
    let mut times = ClassTimes::new(runs);
    for i in 0..runs {
        let (class, text) = mix[i % mix.len()];
        let t = Instant::now();
        let u = dir.understand(text, &[])?;
        times.add(class, t.elapsed());
        std::hint::black_box(u);
    }
    times.report("understanding alone");
    Ok(())
}

fn report_times(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what}, {} runs: p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        ms(percentile(times, 0.50)),
        ms(percentile(times, 0.95)),
        ms(percentile(times, 0.99)),
        ms(times.last().copied().unwrap_or_default()),
    );
}

/// Combined text + 1 km radius search at random places in the city. With
/// understanding on, each query is understood first (timed) and searched
/// as understood.
fn near_bench(
    dir: &Directory,
    mix: &[(QueryClass, &str)],
    queries: &[SearchQuery],
    searches: usize,
    literal: bool,
) -> Result<()> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut times = ClassTimes::new(searches);
    for i in 0..searches.min(2_000) + 50 {
        let near = NearQuery {
            location: Location::Point(35.56 + rng.unit() * 0.13, 140.06 + rng.unit() * 0.23),
            within_m: Some(1_000.0),
            sort: NearSort::Relevance,
        };
        let k = i % queries.len();
        let t = Instant::now();
        let r = if literal {
            dir.search_near(&queries[k], &near)?
        } else {
            let u = dir.understand(&queries[k].text, &[])?;
            dir.search_near(&apply_understanding(&queries[k], &u), &near)?
        };
        if i >= 50 {
            times.add(mix[k].0, t.elapsed());
        }
        std::hint::black_box(r);
    }
    times.report("text + 1 km radius search");
    Ok(())
}

/// Three-need match requests at random places (spec/match.md defaults).
fn match_bench(dir: &Directory, runs: usize) -> Result<()> {
    let mut rng = Rng(0x94D0_49BB_1331_11EB);
    let needs = [
        ["shopping", "conversation", "exercise"],
        ["meal_delivery", "watching", "salon"],
        ["garbage", "transport", "dementia_cafe"],
        ["housework", "small_help", "hobby"],
    ];
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs.min(1_000) + 20 {
        let n = &needs[i % needs.len()];
        let body = serde_json::json!({
            "location": {"lat": 35.56 + rng.unit() * 0.13, "lon": 140.06 + rng.unit() * 0.23},
            "needs": n,
            "available": [{"weekdays": ["tue", "thu"], "start": "09:00", "end": "15:00"}],
            "max_fee_yen": 500,
            // Counted as consultations: the unmet-needs write is timed too.
            "record": true
        });
        let req = tsunagu_engine::MatchRequest::from_json(&body.to_string())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let t = Instant::now();
        let answer = dir.match_request(&req, today)?;
        if i >= 20 {
            times.push(t.elapsed());
        }
        std::hint::black_box(answer);
    }
    report_times("match, three needs, 1 km", &mut times);
    Ok(())
}

/// The geography layer alone.
fn geo_bench(points: usize, queries: usize) -> Result<ExitCode> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let started = Instant::now();
    let index = PointIndex::new((0..points).map(|i| {
        (
            i as u32,
            35.50 + rng.unit() * 0.22,
            140.02 + rng.unit() * 0.30,
        )
    }));
    println!(
        "R-tree of {} points built in {:.2?}",
        index.len(),
        started.elapsed()
    );
    let queries = queries.max(1_000);
    let here: Vec<(f64, f64)> = (0..queries)
        .map(|_| (35.52 + rng.unit() * 0.18, 140.04 + rng.unit() * 0.26))
        .collect();
    let mut nearest = Vec::with_capacity(queries);
    let mut radius = Vec::with_capacity(queries);
    let mut found = 0usize;
    for &(lat, lon) in &here {
        let t = Instant::now();
        let n: Vec<_> = index.nearest(lat, lon).take(10).collect();
        nearest.push(t.elapsed());
        let t = Instant::now();
        let r = index.within(lat, lon, 1_000.0);
        radius.push(t.elapsed());
        found += r.len() + n.len();
    }
    std::hint::black_box(found);
    report_times(&format!("nearest k=10 over {points} points"), &mut nearest);
    report_times(&format!("radius 1 km over {points} points"), &mut radius);

    let locator = Locator::seed()?;
    let rows: Vec<_> = locator.gazetteer().rows().to_vec();
    let styles = [
        "千葉市{w}{t}{c}-{b}-{g}",
        "千葉県千葉市{w}{t}{c}丁目{b}番{g}号",
        "{t}{c}-{b}-{g} サンハイツ101",
        "千葉市 {w} {t}{c}丁目{b}番地の{g}",
    ];
    let addresses: Vec<String> = (0..200_000)
        .map(|i| {
            let r = &rows[rng.below(rows.len())];
            let c = r.chome.map(|c| c.to_string()).unwrap_or_default();
            styles[i % styles.len()]
                .replace("{w}", r.ward.name())
                .replace("{t}", &r.oaza)
                .replace("{c}", &c)
                .replace("{b}", &(1 + rng.below(30)).to_string())
                .replace("{g}", &(1 + rng.below(20)).to_string())
        })
        .collect();
    let t = Instant::now();
    let mut located = 0usize;
    for a in &addresses {
        if locator.locate_address(a).point.is_some() {
            located += 1;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "address resolution: {} addresses in {:.2} s = {:.0} addresses/s ({} located)",
        addresses.len(),
        secs,
        addresses.len() as f64 / secs,
        located
    );
    Ok(ExitCode::SUCCESS)
}

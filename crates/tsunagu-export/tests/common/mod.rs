//! Shared by the export tests: the seed records, a seeded generator of
//! random records and placements, the HSDS schema validator.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::{Map, Value, json};
use tsunagu_export::{ExportItem, ExportOptions, Exporter, Format};
use tsunagu_ingest::{CsvEncoding, read_csv, read_jsonl};
use tsunagu_model::{
    Audience, Category, Feature, FeeKnowledge, FeeUnit, Kind, OrgType, Placement, Record,
    ScheduleKnowledge, TimeOfDay, TimeSlot, Ward, Weekday, record_from_json,
};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seed records, as the readers read them.
pub fn seed_records() -> Vec<Record> {
    let dir = root().join("seed-data/records");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        match file.extension().and_then(|e| e.to_str()) {
            Some("csv") => out.extend(
                read_csv(&bytes, CsvEncoding::Detect)
                    .unwrap()
                    .into_iter()
                    .map(|l| l.outcome.unwrap()),
            ),
            Some("jsonl") => {
                out.extend(read_jsonl(&bytes[..], "seed").map(|l| l.unwrap().outcome.unwrap()))
            }
            _ => {}
        }
    }
    assert!(out.len() > 300, "seed data read");
    out
}

/// Exports `items` and returns the bytes.
pub fn export(format: Format, options: ExportOptions, items: &[(Record, Placement)]) -> Vec<u8> {
    try_export(format, options, items).unwrap()
}

pub fn try_export(
    format: Format,
    options: ExportOptions,
    items: &[(Record, Placement)],
) -> Result<Vec<u8>, tsunagu_export::ExportError> {
    let mut exporter = Exporter::new(format, options, Vec::new())?;
    for (r, p) in items {
        exporter.write(&ExportItem::new(r, p))?;
    }
    Ok(exporter.finish()?.0)
}

/// The records an audience may see, projected (what the engine hands an
/// exporter).
pub fn projected(audience: Audience, items: &[(Record, Placement)]) -> Vec<(Record, Placement)> {
    items
        .iter()
        .filter_map(|(r, p)| audience.project(r).map(|r| (r, p.clone())))
        .collect()
}

/// A small deterministic generator (xorshift64*).
pub struct Gen(pub u64);

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What the generated text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Texts {
    /// Anything the record format accepts: line breaks, tabs, blanks at
    /// either end, characters outside the BMP, 〜, ¥.
    Any,
    /// What a CSV round trip keeps (see `tsunagu_export::table`): no
    /// blanks at either end, no `\r`, nothing that ends a multi-line cell
    /// in `,`.
    Csv,
    /// [`Texts::Csv`], and only characters Shift_JIS (JIS X 0208) holds.
    Cp932,
}

const JA: &[&str] = &[
    "体操",
    "サロン",
    "見守り",
    "ごみ出し",
    "買い物",
    "髙橋",
    "山﨑",
    "①",
    "㈱",
    "ｶﾅ",
    "～",
    "です。",
    "千葉",
    "稲毛",
    "（お茶代）",
    "「",
    "」",
    "、",
    "・",
    "ー",
    "ヴ",
];
const ASCII: &[&str] = &[
    "a", "Z", "0", "9", ",", "\"", "'", ";", ":", "/", "\\", "-", "_", "#", "%", "&", "<", ">",
    "=", "?", "{", "}", "[", "]",
];
const WILD: &[&str] = &["𠮷", "😀", "〜", "¥", "−", "鷗", "\u{200b}", "é"];

pub fn text(g: &mut Gen, texts: Texts, max: usize, lines: bool) -> String {
    let n = 1 + g.below(max);
    let mut s = String::new();
    for _ in 0..n {
        let piece = match g.below(20) {
            0..=11 => *g.pick(JA),
            12..=15 => *g.pick(ASCII),
            16 => " ",
            17 if lines => "\n",
            18 if lines && texts == Texts::Any => *g.pick(&["\t", "\r\n", "\r"]),
            19 if texts == Texts::Any => *g.pick(WILD),
            _ => *g.pick(JA),
        };
        s.push_str(piece);
    }
    if texts == Texts::Cp932 {
        // CP932's machine-dependent extensions are not Shift_JIS: the
        // standard characters instead.
        for (ext, jis) in [("髙", "高"), ("﨑", "崎"), ("①", "1"), ("㈱", "(株)")] {
            s = s.replace(ext, jis);
        }
    }
    if texts != Texts::Any {
        s = s.trim().trim_end_matches(',').trim().to_string();
        if s.is_empty() {
            s = "空".into();
        }
    } else if s.trim().is_empty() {
        s.push('空');
    }
    s
}

fn time(g: &mut Gen) -> Value {
    let t = TimeOfDay::from_minutes((g.below(48) * 30) as u16).unwrap();
    Value::from(t.to_string())
}

/// A random valid record (through `record_from_json`, so it is what an
/// import would store). `id` makes it unique; `internal` sets visibility.
pub fn random_record(g: &mut Gen, i: usize, texts: Texts) -> Record {
    let kind = *g.pick(Kind::ALL);
    let mut o = Map::new();
    let id = match g.below(4) {
        0 => format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            g.next() as u32,
            g.below(0xffff),
            g.below(0xfff),
            g.below(0xfff),
            g.next() & 0xffff_ffff_ffff
        ),
        1 => format!("資源-{i}"),
        _ => format!("rec-{i}-{}", g.below(1000)),
    };
    o.insert("id".into(), id.into());
    o.insert("kind".into(), kind.code().into());
    let name = text(g, texts, 12, false).replace(['\n', '\t', '\r'], "");
    o.insert("name".into(), name.into());
    if g.chance(50) {
        o.insert(
            "name_kana".into(),
            (*g.pick(&["サロン", "たいそう", "ミマモリ", "ｶﾅ"])).into(),
        );
    }
    let mut cats = Vec::new();
    for _ in 0..1 + g.below(3) {
        cats.push(Value::from(g.pick(Category::ALL).code()));
    }
    o.insert("categories".into(), cats.into());
    if g.chance(80) {
        o.insert("description".into(), text(g, texts, 60, true).into());
    }
    if g.chance(60) {
        let mut org = json!({"name": text(g, texts, 8, false)});
        if g.chance(70) {
            org["type"] = g.pick(OrgType::ALL).code().into();
        }
        o.insert("organizer".into(), org);
    }
    let has_point = g.chance(50);
    if !has_point || g.chance(70) {
        let address = match g.below(4) {
            0 => "〒263-0043 千葉県千葉市稲毛区小仲台2丁目3-4".to_string(),
            1 => "美浜区高洲1丁目".to_string(),
            2 => "千葉市中央区弁天1丁目".to_string(),
            _ => text(g, texts, 10, false),
        };
        o.insert("address".into(), address.into());
    }
    if has_point {
        // Six decimals, as published points are.
        let lat = 35.5 + g.below(200_000) as f64 / 1_000_000.0;
        let lon = 140.0 + g.below(300_000) as f64 / 1_000_000.0;
        o.insert("lat".into(), json!((lat * 1e6).round() / 1e6));
        o.insert("lon".into(), json!((lon * 1e6).round() / 1e6));
    }
    if g.chance(40) {
        let areas: Vec<Value> = (0..1 + g.below(3))
            .map(|_| {
                Value::from(*g.pick(&[
                    "千葉市",
                    "稲毛区",
                    "稲毛区小仲台",
                    "美浜区",
                    "緑区おゆみ野",
                ]))
            })
            .collect();
        o.insert("service_area".into(), areas.into());
    }
    if g.chance(50) {
        let slots: Vec<Value> = (0..1 + g.below(3))
            .map(|_| {
                let mut days: Vec<&str> = Vec::new();
                for _ in 0..1 + g.below(3) {
                    days.push(g.pick(Weekday::ALL).code());
                }
                let mut slot = json!({"weekdays": days});
                if g.chance(40) {
                    let weeks: Vec<u8> =
                        (0..1 + g.below(2)).map(|_| 1 + g.below(5) as u8).collect();
                    slot["weeks"] = json!(weeks);
                }
                if g.chance(70) {
                    let a = time(g);
                    let b = time(g);
                    let (s, e) = if a.as_str() < b.as_str() {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    if s != e {
                        slot["start"] = s;
                        if g.chance(80) {
                            slot["end"] = e;
                        }
                    }
                }
                slot
            })
            .collect();
        o.insert("schedule".into(), slots.into());
    }
    if g.chance(60) {
        o.insert("schedule_text".into(), text(g, texts, 15, true).into());
    }
    if g.chance(50) {
        o.insert("fee_yen".into(), json!([0, 100, 300, 1500][g.below(4)]));
    }
    if g.chance(50) {
        let fee = format!("参加費{}", text(g, texts, 6, false));
        o.insert("fee_text".into(), fee.into());
    }
    if g.chance(40) {
        o.insert("target".into(), text(g, texts, 10, true).into());
    }
    if g.chance(30) {
        o.insert("capacity".into(), json!(g.below(100)));
    }
    if g.chance(50) {
        let f: Vec<&str> = (0..1 + g.below(3))
            .map(|_| g.pick(Feature::ALL).code())
            .collect();
        o.insert("features".into(), json!(f));
    }
    if g.chance(70) {
        let mut c = Map::new();
        if g.chance(70) {
            c.insert(
                "phone".into(),
                (*g.pick(&["043-245-5111", "043（245）5111 平日のみ", "090-1234-5678"])).into(),
            );
        }
        if g.chance(40) {
            c.insert(
                "email".into(),
                (*g.pick(&["info@example.jp", "山田@example.jp", "info at example"])).into(),
            );
        }
        if g.chance(40) {
            c.insert(
                "url".into(),
                (*g.pick(&[
                    "https://www.city.chiba.jp/",
                    "www.example.jp",
                    "https://例え.jp/サロン",
                    "http://example.jp/a?b=c",
                ]))
                .into(),
            );
        }
        if g.chance(50) {
            c.insert("person".into(), format!("担当者秘{i}").into());
        }
        o.insert("contact".into(), c.into());
    }
    if g.chance(25) {
        o.insert("visibility".into(), "internal".into());
    }
    if g.chance(40) {
        o.insert(
            "notes_internal".into(),
            format!("内部メモ秘{i} {}", text(g, texts, 5, false)).into(),
        );
    }
    o.insert(
        "status".into(),
        (*g.pick(&["active", "active", "paused", "closed"])).into(),
    );
    if g.chance(70) {
        o.insert(
            "verified_on".into(),
            format!(
                "202{}-{:02}-{:02}",
                g.below(7),
                1 + g.below(12),
                1 + g.below(28)
            )
            .into(),
        );
    }
    if g.chance(20) {
        o.insert("備考".into(), text(g, texts, 6, false).into());
    }
    if g.chance(10) {
        o.insert(
            "source_meta".into(),
            json!({"n": 1.5, "tags": ["a", "b"], "ok": true}),
        );
    }
    record_from_json(&o).unwrap_or_else(|e| panic!("generated record is invalid: {e:?}\n{o:?}"))
}

/// A placement as the engine could have derived it.
pub fn random_placement(g: &mut Gen, r: &Record) -> Placement {
    let mut p = Placement {
        ward: g.chance(70).then(|| *g.pick(&Ward::ALL)),
        town: g.chance(60).then(|| "小仲台二丁目".to_string()),
        center_id: g.chance(50).then(|| format!("AC{:02}", 1 + g.below(28))),
        lat: r.lat,
        lon: r.lon,
        inside_city: true,
        ..Placement::default()
    };
    if r.point().is_none() && g.chance(70) {
        // As short as the gazetteer's points (serde_json, without its
        // float_roundtrip feature, may read a 17-digit float 1 ULP off).
        p.lat = Some(((35.6 + g.below(1000) as f64 / 10_000.0) * 1e4).round() / 1e4);
        p.lon = Some(((140.1 + g.below(1000) as f64 / 10_000.0) * 1e4).round() / 1e4);
        p.located_from_address = true;
    }
    p.schedule = match (&r.schedule, g.below(4)) {
        (Some(slots), _) => ScheduleKnowledge::Slots(
            slots
                .iter()
                .map(|s| TimeSlot {
                    weekdays: s.weekdays.clone(),
                    weeks: s.weeks.clone(),
                    start: s.start,
                    end: s.end,
                    ..TimeSlot::default()
                })
                .collect(),
        ),
        (None, 0) => ScheduleKnowledge::Slots(vec![TimeSlot {
            weekdays: vec![Weekday::Fri],
            days: if g.chance(50) { vec![15] } else { vec![] },
            every_other_week: g.chance(30),
            holidays: g.chance(30),
            start: TimeOfDay::parse("13:30"),
            end: TimeOfDay::parse("15:00"),
            ..TimeSlot::default()
        }]),
        (None, 1) => ScheduleKnowledge::Irregular,
        (None, 2) => ScheduleKnowledge::Unparsed,
        _ => ScheduleKnowledge::None,
    };
    if r.fee_yen.is_none() && g.chance(50) {
        p.fee = FeeKnowledge {
            yen: Some([0, 200, 500][g.below(3)]),
            unit: *g.pick(&[FeeUnit::PerVisit, FeeUnit::PerMonth, FeeUnit::PerHour]),
            minutes: None,
        };
    }
    p
}

/// `n` random records with placements.
pub fn random_items(seed: u64, n: usize, texts: Texts) -> Vec<(Record, Placement)> {
    let mut g = Gen::new(seed);
    (0..n)
        .map(|i| {
            let r = random_record(&mut g, i, texts);
            let p = random_placement(&mut g, &r);
            (r, p)
        })
        .collect()
}

/// The official HSDS 3.0 schemas, or `None` (with a note) when the shared
/// directory is not next to the repository.
pub struct Hsds {
    /// `schema/service.json`, its relative `$ref`s resolved from the
    /// schema directory.
    service: Validator,
    /// `schema/compiled/service_with_definitions.json` (self-contained).
    compiled: Validator,
    term: Validator,
    taxonomy: Validator,
}

/// Serves `schema/*.json` for the relative `$ref`s (`"$ref": "phone.json"`),
/// from the local copy only.
struct LocalSchemas {
    dir: PathBuf,
}

impl Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let path = uri.path().as_str();
        let name = path.rsplit('/').next().unwrap_or_default();
        if uri.scheme().as_str() != "file" || !name.ends_with(".json") || name.contains("..") {
            return Err(format!("not a local HSDS schema: {uri}").into());
        }
        let text = std::fs::read_to_string(self.dir.join(name))?;
        Ok(serde_json::from_str(&text)?)
    }
}

pub fn schema_dir() -> Option<PathBuf> {
    let dir = root().join("../shared/ext/hsds/v3.0/schema");
    if dir.join("service.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent; HSDS schema validation SKIPPED",
            dir.display()
        );
        None
    }
}

fn build(dir: &Path, file: &str) -> Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .with_base_uri(format!("file://{}/{file}", dir.display()))
        .with_retriever(LocalSchemas {
            dir: dir.to_path_buf(),
        })
        .build(&schema)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

impl Hsds {
    pub fn load() -> Option<Hsds> {
        let dir = schema_dir()?;
        Some(Hsds {
            service: build(&dir, "service.json"),
            compiled: build(&dir, "compiled/service_with_definitions.json"),
            term: build(&dir, "taxonomy_term.json"),
            taxonomy: build(&dir, "taxonomy.json"),
        })
    }

    /// Every schema error of a service, against both schemas.
    pub fn service_errors(&self, service: &Value) -> Vec<String> {
        let mut out: Vec<String> = self
            .service
            .iter_errors(service)
            .map(|e| format!("service.json {}: {e}", e.instance_path))
            .collect();
        out.extend(
            self.compiled
                .iter_errors(service)
                .map(|e| format!("service_with_definitions.json {}: {e}", e.instance_path)),
        );
        out
    }

    pub fn term_errors(&self, term: &Value) -> Vec<String> {
        self.term.iter_errors(term).map(|e| e.to_string()).collect()
    }

    pub fn taxonomy_errors(&self, taxonomy: &Value) -> Vec<String> {
        self.taxonomy
            .iter_errors(taxonomy)
            .map(|e| e.to_string())
            .collect()
    }
}

pub fn options(audience: Audience) -> ExportOptions {
    ExportOptions {
        audience,
        ..ExportOptions::default()
    }
}

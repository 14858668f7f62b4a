//! Hardening before the network (issue 11), through the real binary: every
//! finding of the hostile probe has a regression test here. Bounded inputs,
//! readers that never write, an index the store heals, readers that say
//! what they could not read, and output that is safe for a terminal.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;
use serde_json::{Value, json};

const BASE: &str = r#"{"id":"base-1","kind":"kayoi","name":"小仲台ふれあいサロン","categories":["salon"],"address":"千葉市稲毛区小仲台2丁目","lat":35.6497,"lon":140.1106,"description":"お茶を飲みながらおしゃべり"}
{"id":"base-2","kind":"service","name":"高洲買い物お手伝い","categories":["shopping"],"address":"千葉市美浜区高洲1丁目","service_area":["美浜区"]}
{"id":"base-3","kind":"kayoi","name":"都賀いきいき百歳体操","categories":["exercise"],"lat":35.629,"lon":140.141,"schedule_text":"毎週火曜 10:00～11:30","fee_text":"無料"}
"#;

/// A temporary directory with `data/` holding the three base records.
fn base() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("base.jsonl");
    std::fs::write(&file, BASE).unwrap();
    let out = tsunagu(&data(dir.path()), &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// (line, id) of each rejection of the first file of a report.
fn rejected_lines(report: &Value) -> Vec<(u64, Option<String>)> {
    rejections(report)
        .into_iter()
        .map(|(line, id, _)| (line, id))
        .collect()
}

fn ids_of(dir: &Path, query: &str, audience: &str) -> Vec<String> {
    let out = tsunagu(
        &data(dir),
        &[
            "search",
            query,
            "--audience",
            audience,
            "--limit",
            "50",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    result_ids(&json(&out))
}

/// A failure that is a clear message, not a crash.
fn assert_clear_error(out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr: {err}\nstdout: {}",
        stdout(out)
    );
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(
        !err.contains('\u{1b}'),
        "ANSI escape in piped stderr: {err:?}"
    );
}

// ---------------------------------------------------------------- critical

#[test]
fn an_unclosed_quote_is_an_error_on_its_line_and_swallows_nothing() {
    let dir = base();
    // Row 3 (line 4) opens a quote it never closes. Row 6 is internal, with
    // a contact person and an internal note that must stay internal.
    let csv = "ID,種別,名称,分類,住所,説明,公開区分,担当者,内部メモ\n\
q-1,通いの場,第一サロン,salon,千葉市稲毛区小仲台2丁目,お茶会です,,,\n\
q-2,通いの場,第二サロン,salon,千葉市稲毛区小仲台2丁目,歌の会です,,,\n\
q-3,通いの場,第三サロン,salon,千葉市稲毛区小仲台2丁目,\"閉じない引用符で始まる説明,,,\n\
q-4,通いの場,第四サロン,salon,千葉市稲毛区小仲台2丁目,手芸の会です,,,\n\
q-5,通いの場,第五サロン,salon,千葉市稲毛区小仲台2丁目,囲碁の会です,,,\n\
q-6,通いの場,第六サロン,salon,千葉市稲毛区小仲台2丁目,内部の会です,internal,秘密太郎,秘密のメモ\n\
q-7,通いの場,第七サロン,salon,千葉市稲毛区小仲台2丁目,将棋の会です,,,\n\
q-8,通いの場,第八サロン,salon,千葉市稲毛区小仲台2丁目,書道の会です,,,\n\
q-9,通いの場,第九サロン,salon,千葉市稲毛区小仲台2丁目,\"引用符の\"\"中\"\"も正しい\",,,\n\
q-10,通いの場,第十サロン,salon,千葉市稲毛区小仲台2丁目,\"二行に\n渡る説明\",,,\n";
    let (code, report) = import(dir.path(), "quote.csv", csv.as_bytes(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["accepted"], json!(9), "{report:#}");
    assert_eq!(report["rejected"], json!(1), "{report:#}");
    let rejected = rejected_lines(&report);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].0, 4, "{report:#}");
    // The rows after the bad one are read on their own.
    let public = ids_of(dir.path(), "サロン", "public");
    for id in ["q-1", "q-2", "q-4", "q-5", "q-7", "q-8", "q-9", "q-10"] {
        assert!(public.contains(&id.to_string()), "{id} missing: {public:?}");
    }
    assert!(
        !public.contains(&"q-6".to_string()),
        "internal row is public"
    );
    assert!(ids_of(dir.path(), "秘密", "public").is_empty());
    // The multi-line cell still reads as one value.
    let shown = tsunagu(&data(dir.path()), &["show", "q-10"]);
    assert_eq!(
        json(&shown)["record"]["description"],
        json!("二行に\n渡る説明")
    );
}

#[test]
fn points_that_are_not_numbers_or_out_of_range_are_refused_everywhere() {
    let dir = base();
    let d = data(dir.path());
    for point in [
        "NaN,NaN",
        "inf,140.1",
        "1e400,140.1",
        "35.6,-inf",
        "91,181",
        "140.1,35.6",
    ] {
        for args in [
            vec!["search", "サロン", "--near", point],
            vec!["nearest", "--near", point],
            vec!["locate", "--point", point],
        ] {
            let out = tsunagu(&d, &args);
            assert_clear_error(&out, 2, "地点");
        }
    }
    let swapped = tsunagu(&d, &["nearest", "--near", "140.1,35.6"]);
    assert!(stderr(&swapped).contains("逆"), "{}", stderr(&swapped));
    let ok = tsunagu(&d, &["nearest", "--near", "35.6497,140.1106", "-k", "2"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn page_sizes_and_depths_are_bounded() {
    let dir = base();
    let d = data(dir.path());
    let cases: &[(&[&str], &str)] = &[
        (&["search", "体操", "--offset", "2000000000"], "offset"),
        (&["search", "体操", "--limit", "0"], "limit"),
        (&["search", "体操", "--limit", "5000"], "limit"),
        (&["nearest", "--near", "35.6497,140.1106", "-k", "0"], "k"),
        (
            &["nearest", "--near", "35.6497,140.1106", "-k", "3000"],
            "k",
        ),
        (
            &[
                "search",
                "体操",
                "--near",
                "35.6497,140.1106",
                "--within",
                "NaN",
            ],
            "within",
        ),
        (
            &[
                "search",
                "体操",
                "--near",
                "35.6497,140.1106",
                "--within=-5",
            ],
            "within",
        ),
        (
            &[
                "search",
                "体操",
                "--near",
                "35.6497,140.1106",
                "--within",
                "1e12",
            ],
            "within",
        ),
    ];
    for (args, needle) in cases {
        let out = tsunagu(&d, args);
        assert_clear_error(&out, 2, needle);
    }
    let long_query = "体操".repeat(400);
    let out = tsunagu(&d, &["search", &long_query]);
    assert_clear_error(&out, 2, "query");
    let long_address = "千葉市".repeat(100);
    let out = tsunagu(&d, &["locate", &long_address]);
    assert_clear_error(&out, 2, "address");
    // The largest allowed values work.
    let out = tsunagu(
        &d,
        &["search", "体操", "--offset", "10000", "--limit", "1000"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

// ------------------------------------------------------------------- major

#[test]
fn a_huge_name_is_refused_and_the_longest_description_searches() {
    let dir = base();
    let name = "体操".repeat(500_000);
    let line = format!(
        "{{\"id\":\"huge-name\",\"kind\":\"kayoi\",\"name\":\"{name}\",\"categories\":[\"exercise\"],\"address\":\"千葉市稲毛区小仲台2丁目\"}}\n"
    );
    let (code, report) = import(dir.path(), "huge.jsonl", line.as_bytes(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let r = &report["files"][0]["rejections"][0];
    assert_eq!(r["line"], json!(1));
    // The long value is not echoed back in full.
    assert!(report.to_string().len() < 5_000, "report echoes the value");
    // The longest description allowed, full of the query's terms, searches.
    let desc = "体操と操体".repeat(4_000);
    let line = format!(
        "{{\"id\":\"long-desc\",\"kind\":\"kayoi\",\"name\":\"体操の会\",\"categories\":[\"exercise\"],\"address\":\"千葉市稲毛区小仲台2丁目\",\"description\":\"{desc}\"}}\n"
    );
    let (code, report) = import(dir.path(), "long.jsonl", line.as_bytes(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert!(ids_of(dir.path(), "体操", "public").contains(&"long-desc".to_string()));
}

/// A JSON Lines file of `n` valid records (distinct ids and names).
fn many_records(n: usize, prefix: &str) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "{{\"id\":\"{prefix}-{i}\",\"kind\":\"kayoi\",\"name\":\"{prefix}健康体操クラブ{i}\",\"categories\":[\"exercise\"],\"lat\":35.6{:03},\"lon\":140.1{:03},\"description\":\"ストレッチと軽い体操、おしゃべりの時間もあります。\",\"schedule_text\":\"毎週月曜 10:00～11:30\",\"fee_text\":\"1回100円\"}}\n",
            i % 1000,
            (i * 7) % 1000
        ));
    }
    s
}

fn spawn(data: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tsunagu"))
        .current_dir(root())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Whether a writer holds the data directory's lock right now.
fn writer_holds_lock(data: &Path) -> bool {
    let Ok(f) = std::fs::File::open(data.join("writer.lock")) else {
        return false;
    };
    match f.try_lock_shared() {
        Ok(()) => {
            f.unlock().unwrap();
            false
        }
        Err(_) => true,
    }
}

#[test]
fn readers_work_while_an_import_runs_and_a_second_writer_is_told_why() {
    let dir = base();
    let d = data(dir.path());
    let big = write(
        dir.path(),
        "big.jsonl",
        many_records(30_000, "big").as_bytes(),
    );
    let mut importer = spawn(&d, &["import", big.to_str().unwrap()]);
    let t0 = std::time::Instant::now();
    while !writer_holds_lock(&d) {
        assert!(
            t0.elapsed().as_secs() < 60,
            "the import never took the lock"
        );
        assert!(importer.try_wait().unwrap().is_none(), "import ended early");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Many readers in several processes at once, while the import writes.
    let mut readers = Vec::new();
    for round in 0..3 {
        for args in [
            vec!["search", "サロン", "--format", "json"],
            vec![
                "search",
                "体操",
                "--near",
                "35.6497,140.1106",
                "--format",
                "json",
            ],
            vec!["show", "base-1"],
            vec!["nearest", "--near", "35.6497,140.1106", "--format", "json"],
            vec!["locate", "千葉市稲毛区小仲台2丁目"],
        ] {
            readers.push((round, args.join(" "), spawn(&d, &args)));
        }
    }
    let mut request = spawn(&d, &["match", "--request", "-", "--format", "json"]);
    drop(request.stdin.take());
    // A second writer does not wait long and says why.
    let second = tsunagu(
        &d,
        &[
            "--lock-wait",
            "0",
            "import",
            dir.path().join("base.jsonl").to_str().unwrap(),
        ],
    );
    let second_running = importer.try_wait().unwrap().is_none();
    for (round, args, child) in readers {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "round {round}: `{args}` failed during an import:\n{}",
            stderr(&out)
        );
    }
    let _ = request.wait_with_output().unwrap();
    if second_running {
        assert_clear_error(&second, 2, "別の取り込みが実行中です");
    }
    let done = importer.wait_with_output().unwrap();
    assert!(done.status.success(), "{}", stderr(&done));
    // After the import every record is found.
    let out = tsunagu(
        &d,
        &["search", "big健康体操クラブ29999", "--format", "json"],
    );
    assert!(result_ids(&json(&out)).contains(&"big-29999".to_string()));
}

/// Names, sizes and modification times of the data directory's files,
/// leaving out the lock files that tantivy and SQLite take (they hold no
/// data and are never truncated).
fn snapshot(data: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![data.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let name = p.strip_prefix(data).unwrap().display().to_string();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if name.ends_with(".lock") || name.ends_with("-shm") || name.ends_with("-wal") {
                continue;
            }
            let m = e.metadata().unwrap();
            out.push((name, m.len(), m.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn readers_never_write_and_concurrent_readers_all_succeed() {
    let dir = base();
    let d = data(dir.path());
    let before = snapshot(&d);
    let mut children = Vec::new();
    for i in 0..40 {
        let args: Vec<&str> = match i % 4 {
            0 => vec!["search", "サロン"],
            1 => vec!["show", "base-2"],
            2 => vec!["nearest", "--near", "35.6497,140.1106"],
            _ => vec!["search", "体操", "--near", "千葉市稲毛区小仲台2丁目"],
        };
        children.push(spawn(&d, &args));
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let request = write(
        dir.path(),
        "req.json",
        br#"{"location":{"lat":35.6497,"lon":140.1106},"needs":["farming"]}"#,
    );
    let out = tsunagu(&d, &["match", "--request", request.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        snapshot(&d),
        before,
        "a read command changed the data directory"
    );
}

#[test]
fn a_read_command_on_a_missing_directory_says_so_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo");
    for args in [
        vec!["search", "サロン"],
        vec!["show", "x"],
        vec!["nearest", "--near", "35.6,140.1"],
        vec!["reindex"],
    ] {
        let out = tsunagu(&missing, &args);
        assert_clear_error(&out, 2, "データディレクトリ");
        assert!(!missing.exists(), "{args:?} created the directory");
    }
    let out = tsunagu(&missing, &["match", "--request", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists());
}

fn index_files(data: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(data.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
        .collect()
}

#[test]
fn the_store_heals_a_corrupt_index() {
    let dir = base();
    let d = data(dir.path());
    let expect = ids_of(dir.path(), "サロン", "public");
    assert!(expect.contains(&"base-1".to_string()));

    // Garbage meta.json: readers still answer (from the store), reindex
    // rebuilds, and afterwards the index on disk serves again.
    std::fs::write(d.join("index/meta.json"), b"{ not json").unwrap();
    assert_eq!(ids_of(dir.path(), "サロン", "public"), expect);
    let out = tsunagu(&d, &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("3"), "{}", stdout(&out));
    assert_eq!(ids_of(dir.path(), "サロン", "public"), expect);

    // A damaged segment file: every byte of the largest one flipped.
    let mut files = index_files(&d);
    files.sort_by_key(|p| std::fs::metadata(p).unwrap().len());
    let victim = files
        .iter()
        .rev()
        .find(|p| !p.ends_with("meta.json"))
        .unwrap();
    let bytes: Vec<u8> = std::fs::read(victim).unwrap().iter().map(|b| !b).collect();
    std::fs::write(victim, bytes).unwrap();
    let out = tsunagu(&d, &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ids_of(dir.path(), "サロン", "public"), expect);

    // Missing files: an import (a writer) rebuilds on open and says why.
    for f in index_files(&d) {
        if !f.ends_with("meta.json") {
            std::fs::remove_file(f).unwrap();
        }
    }
    let extra = write(
        dir.path(),
        "extra.jsonl",
        r#"{"id":"extra-1","kind":"kayoi","name":"新しいサロン","categories":["salon"],"lat":35.65,"lon":140.11}"#.as_bytes(),
    );
    let out = tsunagu(&d, &["import", extra.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("rebuilding"), "{}", stderr(&out));
    let mut want = expect.clone();
    want.push("extra-1".into());
    let mut got = ids_of(dir.path(), "サロン", "public");
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn a_utf8_csv_with_a_bad_byte_stays_utf8_and_rejects_only_that_line() {
    let dir = base();
    let mut bytes = "ID,種別,名称,分類,住所\n\
u-1,通いの場,小仲台の茶話会,salon,千葉市稲毛区小仲台2丁目\n"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice("u-2,通いの場,壊れた".as_bytes());
    bytes.push(0xFF);
    bytes.extend_from_slice(
        "名前,salon,千葉市稲毛区小仲台2丁目\nu-3,通いの場,轟町の茶話会,salon,千葉市稲毛区轟町1丁目\n"
            .as_bytes(),
    );
    for extra in [&[][..], &["--encoding", "utf-8"][..]] {
        let (code, report) = import(dir.path(), "bad-byte.csv", &bytes, extra);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(report["accepted"], json!(2), "{report:#}");
        assert_eq!(
            rejected_lines(&report),
            vec![(3, Some("u-2".to_string()))],
            "{report:#}"
        );
    }
    let found = ids_of(dir.path(), "茶話会", "public");
    assert!(found.contains(&"u-1".to_string()) && found.contains(&"u-3".to_string()));
    let shown = tsunagu(&data(dir.path()), &["show", "u-2"]);
    assert_eq!(shown.status.code(), Some(1), "the bad line was stored");

    // CP932 with a byte pair CP932 does not define: an error on its line.
    let (good, _, _) = encoding_rs::SHIFT_JIS
        .encode("ID,種別,名称,分類,住所\ns-1,通いの場,都賀の体操,exercise,千葉市若葉区都賀1丁目\n");
    let mut sjis = good.into_owned();
    sjis.extend_from_slice(b"s-2,kayoi,");
    sjis.extend_from_slice(&[0x85, 0x40]); // unassigned in CP932
    sjis.extend_from_slice(b",exercise,x\n");
    let (code, report) = import(dir.path(), "sjis.csv", &sjis, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["accepted"], json!(1), "{report:#}");
    assert_eq!(rejected_lines(&report)[0].0, 3, "{report:#}");
}

#[test]
fn unreadable_schedules_and_fees_are_kept_as_text_and_said_to_need_checking() {
    let dir = base();
    let lines = r#"{"id":"p-1","kind":"kayoi","name":"逆さ時間の会","categories":["farming"],"lat":35.6497,"lon":140.1106,"schedule_text":"毎週火曜 12:00～10:00","fee_text":"-300円"}
{"id":"p-2","kind":"kayoi","name":"謎の時間の会","categories":["farming"],"lat":35.6498,"lon":140.1107,"schedule_text":"第99木曜日 午後99時半から3時","fee_text":"1回300円"}
"#;
    let (code, report) = import(dir.path(), "parse.jsonl", lines.as_bytes(), &[]);
    assert_eq!(code, 0, "{report:#}");
    let unparsed: Vec<&str> = report["files"][0]["unparsed_schedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(unparsed, vec!["p-1", "p-2"], "{report:#}");
    let request = write(
        dir.path(),
        "req.json",
        br#"{"location":{"lat":35.6497,"lon":140.1106},"needs":["farming"],"limit_per_need":10}"#,
    );
    let out = tsunagu(
        &data(dir.path()),
        &[
            "match",
            "--request",
            request.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let text = v.to_string();
    assert!(!text.contains("22:00"), "invented an end time: {text}");
    assert!(!text.contains("17:00"), "invented a time: {text}");
    let matches = v["needs"][0]["matches"].as_array().unwrap();
    let p1 = matches.iter().find(|m| m["id"] == json!("p-1")).unwrap();
    let reasons = p1["reasons"].to_string();
    assert!(reasons.contains("日時要確認"), "{reasons}");
    assert!(reasons.contains("費用要確認"), "{reasons}");
    assert!(!reasons.contains("300円"), "invented a fee: {reasons}");
}

#[test]
fn an_endless_line_is_bounded_and_rejected() {
    let dir = base();
    let out = tsunagu(
        &data(dir.path()),
        &[
            "import",
            "--format",
            "json",
            "--input-format",
            "jsonl",
            "/dev/zero",
        ],
    );
    // Refused as too long / too large, never by running out of memory.
    assert!(
        matches!(out.status.code(), Some(1) | Some(2)),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));
    // A line over the maximum is rejected; the next line still imports.
    let long = "あ".repeat(2 * 1024 * 1024);
    let content = format!(
        "{{\"id\":\"too-long\",\"kind\":\"kayoi\",\"name\":\"長い行\",\"categories\":[\"salon\"],\"address\":\"千葉市\",\"description\":\"{long}\"}}\n{}\n",
        r#"{"id":"after-long","kind":"kayoi","name":"後ろの行のサロン","categories":["salon"],"lat":35.65,"lon":140.11}"#
    );
    let (code, report) = import(dir.path(), "long.jsonl", content.as_bytes(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(rejected_lines(&report), vec![(1, None)], "{report:#}");
    assert_eq!(report["accepted"], json!(1));
}

#[test]
fn an_unknown_file_format_imports_nothing_and_names_the_option() {
    let dir = base();
    let good = write(
        dir.path(),
        "good.csv",
        "ID,種別,名称,分類,住所\nn-1,通いの場,新しい茶話会,salon,千葉市稲毛区小仲台2丁目\n"
            .as_bytes(),
    );
    let noext = write(dir.path(), "noext", b"whatever");
    let out = tsunagu(
        &data(dir.path()),
        &["import", good.to_str().unwrap(), noext.to_str().unwrap()],
    );
    assert_clear_error(&out, 2, "--input-format");
    assert!(!stderr(&out).contains("--format "), "{}", stderr(&out));
    let shown = tsunagu(&data(dir.path()), &["show", "n-1"]);
    assert_eq!(shown.status.code(), Some(1), "good.csv was imported anyway");
}

// ------------------------------------------------------------------- minor

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let dir = base();
    let evil_id = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J";
    let line = json!({"id": evil_id, "kind": "kayoi", "name": "悪い\u{1b}[31m名前", "categories": ["salon"], "address": "千葉市"});
    let file = write(dir.path(), "evil.jsonl", format!("{line}\n").as_bytes());
    let out = tsunagu(&data(dir.path()), &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let printed = stdout(&out);
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\u{7}'),
        "{printed:?}"
    );
    assert!(printed.contains("\\u{1b}"), "{printed}");
    let out = tsunagu(&data(dir.path()), &["show", evil_id]);
    assert!(!stderr(&out).contains('\u{1b}'), "{:?}", stderr(&out));
}

#[test]
fn duplicate_headers_duplicate_keys_and_ragged_rows_are_errors() {
    let dir = base();
    let (code, report) = import(
        dir.path(),
        "dup-header.csv",
        "ID,名称,分類,名称,住所\nh-1,サロン,salon,別名,千葉市\n".as_bytes(),
        &[],
    );
    assert_eq!(code, 1, "{report:#}");
    assert!(report["files"][0]["file_error"].is_object(), "{report:#}");
    assert_eq!(report["accepted"], json!(0));

    let (code, report) = import(
        dir.path(),
        "ragged.csv",
        "ID,種別,名称,分類,住所\nr-1,通いの場,一つ多い,salon,千葉市稲毛区小仲台2丁目,余分\nr-2,通いの場,ちょうど,salon,千葉市稲毛区小仲台2丁目\nr-3,通いの場,足りない\n".as_bytes(),
        &[],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["accepted"], json!(1), "{report:#}");
    let lines: Vec<u64> = rejected_lines(&report).iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![2, 4], "{report:#}");

    let (code, report) = import(
        dir.path(),
        "dup-key.jsonl",
        r#"{"id":"k-1","kind":"kayoi","name":"公開の名前","name":"別の名前","categories":["salon"],"address":"千葉市"}"#.as_bytes(),
        &[],
    );
    assert_eq!(code, 1, "{report:#}");
    let lines: Vec<u64> = rejected_lines(&report).iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![1], "{report:#}");
    assert!(report.to_string().contains("name"), "{report:#}");
}

#[test]
fn a_huge_bad_id_is_not_echoed_in_full() {
    let dir = base();
    let id = "x".repeat(100_000);
    let line = format!(
        "{{\"id\":\"{id}\",\"kind\":\"nope\",\"name\":\"n\",\"categories\":[\"salon\"],\"address\":\"千葉市\"}}\n"
    );
    let file = write(dir.path(), "long-id.jsonl", line.as_bytes());
    let out = tsunagu(&data(dir.path()), &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).len() < 5_000,
        "{} bytes printed",
        stdout(&out).len()
    );
}

fn match_json(dir: &Path, request: &str, extra: &[&str]) -> Output {
    let file = write(dir, "request.json", request.as_bytes());
    let mut args = vec![
        "match",
        "--request",
        file.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend(extra);
    tsunagu(&data(dir), &args)
}

#[test]
fn match_requests_are_validated_like_records_and_needs_are_merged() {
    let dir = base();
    // Slots an import would reject.
    for (slot, field) in [
        (
            r#"{"weekdays":["tue"],"start":"12:00","end":"10:00"}"#,
            "available[0].end",
        ),
        (
            r#"{"weekdays":[],"start":"10:00","end":"12:00"}"#,
            "available[0].weekdays",
        ),
        (r#"{"weekdays":["xyz"]}"#, "available[0].weekdays[0]"),
        (
            r#"{"weekdays":["tue"],"start":"25:00"}"#,
            "available[0].start",
        ),
        (r#"{"weekdays":["tue"],"weeks":[2]}"#, "weeks"),
    ] {
        let req = format!(
            r#"{{"location":{{"lat":35.6497,"lon":140.1106}},"needs":["salon"],"available":[{slot}]}}"#
        );
        let out = match_json(dir.path(), &req, &[]);
        assert_clear_error(&out, 2, field);
        // The English line is English.
        let en = stderr(&out)
            .lines()
            .find(|l| l.starts_with("error:"))
            .unwrap_or_default()
            .to_string();
        assert!(
            en.chars().all(|c| c.is_ascii() || c == '「' || c == '」'),
            "English line has Japanese: {en}"
        );
    }
    for (req, needle) in [
        (
            r#"{"location":{"lat":35.6,"lon":140.1},"needs":["salon"],"max_distance_m":1e12}"#,
            "max_distance_m",
        ),
        (
            r#"{"location":{"lat":1e400,"lon":140.1},"needs":["salon"]}"#,
            "JSON",
        ),
        (
            r#"{"location":{"lat":"NaN","lon":140.1},"needs":["salon"]}"#,
            "JSON",
        ),
        (
            r#"{"location":{"lat":140.1,"lon":35.6},"needs":["salon"]}"#,
            "location",
        ),
    ] {
        let out = match_json(dir.path(), req, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
    }
    // 10,000 copies of one need: one block in the answer, one row in the log.
    let needs = vec!["\"garden\""; 10_000].join(",");
    let req = format!(r#"{{"location":{{"lat":35.6497,"lon":140.1106}},"needs":[{needs}]}}"#);
    let out = match_json(dir.path(), &req, &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a 10,000-entry list is over the bound"
    );
    let needs = vec!["\"garden\""; 50].join(",");
    let req = format!(r#"{{"location":{{"lat":35.6497,"lon":140.1106}},"needs":[{needs}]}}"#);
    let out = match_json(dir.path(), &req, &["--record"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["needs"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["unmet_needs"], json!(["garden"]));
    let store = tsunagu_store::Store::open(&data(dir.path()).join("tsunagu.sqlite3")).unwrap();
    assert_eq!(store.unmet_log().unwrap().len(), 1);
    // Without --record (or "record": true) a try is not counted.
    let out = match_json(dir.path(), &req, &[]);
    assert!(out.status.success());
    assert_eq!(store.unmet_log().unwrap().len(), 1);
}

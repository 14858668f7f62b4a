//! A writer killed between writing a commit's files and its `meta.json`
//! leaves files no commit names (a segment's `.del` of the next opstamp).
//! The next writer catches the index up with the store and commits: it
//! must not find its own delete file taken, or the server cannot start
//! again after kill -9 (found by `tests/server_crash.rs` in CI).

#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use tsunagu_engine::{
    Actor, Audience, Directory, DirectoryConfig, EditRequest, EditScope, RecordEdit, STORE_FILE,
    SearchQuery,
};
use tsunagu_ingest::read_jsonl;
use tsunagu_store::{RecordWrite, Store};

#[test]
fn files_a_killed_writer_left_do_not_stop_the_next_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let config = DirectoryConfig::new(tmp.path());
    {
        let mut dir = Directory::open(&config).unwrap();
        // Records in one segment, so replacing one writes a delete file.
        let lines: String = (1..=30)
            .map(|i| {
                format!(
                    "{{\"id\":\"a{i}\",\"kind\":\"kayoi\",\"name\":\"体操{i}\",\"categories\":[\"exercise\"],\"lat\":35.6,\"lon\":140.1}}\n"
                )
            })
            .collect();
        let report = dir
            .import_lines(
                "a.jsonl",
                read_jsonl(Cursor::new(lines.as_bytes()), "a.jsonl"),
            )
            .unwrap();
        assert_eq!(report.accepted, 30);
        // Replaced records until a commit leaves a delete file to copy
        // below (tantivy may merge a segment's deletes away instead).
        let index_dir = tmp.path().join("index");
        for i in 2..=30 {
            let line = format!(
                "{{\"id\":\"a{i}\",\"kind\":\"kayoi\",\"name\":\"夜の体操{i}\",\"categories\":[\"exercise\"],\"lat\":35.6,\"lon\":140.1}}"
            );
            dir.import_lines(
                "b.jsonl",
                read_jsonl(Cursor::new(line.as_bytes()), "b.jsonl"),
            )
            .unwrap();
            let has_delete = std::fs::read_dir(&index_dir)
                .unwrap()
                .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "del"));
            if has_delete {
                break;
            }
        }
    }
    // The killed server had stored an edit but not yet indexed it...
    {
        let mut store = Store::open(&tmp.path().join(STORE_FILE)).unwrap();
        let mut stored = store.get("a1").unwrap().unwrap();
        stored.record.name = "朝の体操（場所変更）".into();
        store
            .write_batch(&[RecordWrite {
                record: stored.record,
                placement: stored.placement,
            }])
            .unwrap();
    }
    // ...and had written the delete files of its commit, registered as
    // tantivy registers what it writes, before it died.
    let index_dir = tmp.path().join("index");
    // A complete delete file (valid footer), as a commit writes them.
    let real_del = std::fs::read_dir(&index_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "del"))
        .expect("a delete file");
    let del_bytes = std::fs::read(&real_del).unwrap();
    let mut segments: Vec<String> = std::fs::read_dir(&index_dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            let (stem, _) = name.split_once('.')?;
            (stem.len() == 32 && stem.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| stem.to_string())
        })
        .collect();
    segments.sort();
    segments.dedup();
    assert!(!segments.is_empty());
    let managed_path = index_dir.join(".managed.json");
    let mut managed: Vec<String> =
        serde_json::from_slice(&std::fs::read(&managed_path).unwrap()).unwrap();
    for segment in &segments {
        for opstamp in 0..500 {
            let name = format!("{segment}.{opstamp}.del");
            if !index_dir.join(&name).exists() {
                std::fs::write(index_dir.join(&name), &del_bytes).unwrap();
                managed.push(name);
            }
        }
    }
    std::fs::write(&managed_path, serde_json::to_vec(&managed).unwrap()).unwrap();

    // The next writer opens (catching the index up with the store is a
    // commit), removes them first, and commits edits after them.
    let mut dir = Directory::open(&config).unwrap();
    let mut fields = serde_json::Map::new();
    fields.insert("name".into(), serde_json::Value::from("ふくろう将棋の会"));
    let outcome = dir
        .apply_edits(&[EditRequest {
            edit: RecordEdit::Patch {
                id: "a5".into(),
                fields,
                expected_seq: None,
            },
            actor: Actor::new("test", "test"),
            scope: EditScope::Everything,
        }])
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(outcome.seq > 0);
    let found = dir
        .search(&SearchQuery {
            text: "将棋".into(),
            audience: Audience::Coordinator,
            limit: 5,
            ..SearchQuery::default()
        })
        .unwrap();
    let ids: Vec<&str> = found.results.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a5"]);
    let deletes = std::fs::read_dir(&index_dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "del")
        })
        .count();
    assert!(
        deletes < segments.len() + 2,
        "the planted delete files are gone ({deletes} left)"
    );
}

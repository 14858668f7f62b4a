//! `tsunagu serve` as a real process: it starts on a data directory, the
//! command line keeps working beside it (searches read; writers are told
//! the server holds the directory), and SIGTERM stops it cleanly.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::time::{Duration, Instant};

use common::server::Server;
use common::{json, seed_files, stderr, tsunagu};

#[test]
fn the_command_line_works_beside_a_running_server() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start(&data, &["--seed", "seed-data"]);
    let (status, found) = server.get("/api/v1/resources/search?q=%E4%BD%93%E6%93%8D");
    assert_eq!(status, 200, "{found}");
    let total = found["total"].as_u64().unwrap();
    assert!(total > 0);

    // Readers work while the server holds the directory.
    let out = tsunagu(&data, &["search", "体操", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["total"].as_u64().unwrap(), total);

    // A writer is told, in Japanese, that the server has the directory.
    let seed = seed_files();
    let file = seed[0].to_str().unwrap();
    let started = Instant::now();
    let out = tsunagu(&data, &["--lock-wait", "1", "import", file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("サーバー"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(20));

    // The server still answers, with the same data.
    let (status, again) = server.get("/api/v1/resources/search?q=%E4%BD%93%E6%93%8D");
    assert_eq!((status, again["total"].as_u64()), (200, Some(total)));

    let status = server.terminate();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    // Once it has stopped, the command line may write again.
    let out = tsunagu(&data, &["--lock-wait", "1", "import", file]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn backup_while_serving_and_restore() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start(&data, &["--seed", "seed-data"]);
    let (_, before) = server.get("/api/v1/resources/search?q=%E4%BD%93%E6%93%8D");
    let backup = tmp.path().join("backup");
    let out = tsunagu(&data, &["backup", backup.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "backup beside a running server: {}",
        stderr(&out)
    );
    // Not over an existing backup.
    let out = tsunagu(&data, &["backup", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // Restoring needs the writer: refused while the server runs.
    let out = tsunagu(
        &data,
        &["--lock-wait", "1", "restore", backup.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(server.terminate().success());

    // Into a fresh directory: the same records, searchable.
    let other = tmp.path().join("other");
    let out = tsunagu(&other, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = tsunagu(&other, &["search", "体操", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["total"], before["total"]);
    // Accounts came along: the admin the server created exists there too.
    let out = tsunagu(&other, &["user", "list", "--format", "json"]);
    assert!(
        common::stdout(&out).contains("admin"),
        "{}",
        common::stdout(&out)
    );
    // A directory that is not a backup is refused and changes nothing.
    let out = tsunagu(
        &other,
        &["restore", tmp.path().join("nothing").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = tsunagu(&other, &["search", "体操", "--format", "json"]);
    assert_eq!(json(&out)["total"], before["total"]);
}

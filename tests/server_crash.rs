//! No acknowledged write is lost to kill -9: a child `tsunagu serve` takes
//! a stream of edits and uploads, is killed with SIGKILL at several
//! moments, and after each restart every change it acknowledged is in the
//! store and in search, and the index agrees with the store (ready).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::Server;
use common::{seed_files, stderr, tsunagu};
use serde_json::json;

fn admin_token(data: &std::path::Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tsunagu"))
        .current_dir(common::root())
        .arg("--data-dir")
        .arg(data)
        .args([
            "user",
            "add",
            "crash-admin",
            "--role",
            "admin",
            "--name",
            "試験 管理者",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct-horse-battery-staple\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = tsunagu(
        data,
        &["token", "create", "crash-admin", "--label", "crash test"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Every write sent, in order: record id, the phone number it set, and
/// whether the server acknowledged it. A write the server committed but
/// could not acknowledge before it died may or may not be there; an
/// acknowledged one must be, unless a later write to the same record
/// replaced it.
type Sent = Vec<(String, String, bool)>;

/// Sends edits and uploads until the connection fails (the server was
/// killed) or `until` passes; returns what was acknowledged.
fn stream_of_writes(
    server: &common::server::ServerClient,
    token: &str,
    round: usize,
    until: Instant,
) -> Sent {
    let ids: Vec<String> = [
        "chuo-k-001",
        "chuo-k-003",
        "inage-k-001",
        "mihama-k-001",
        "hanamigawa-k-001",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut sent = Vec::new();
    let mut n = 0usize;
    while Instant::now() < until {
        n += 1;
        let phone = format!("043-{round}{:02}-{:04}", n / 10_000 % 100, n % 10_000);
        let result = if n.is_multiple_of(5) {
            // An upload of one new record.
            let id = format!("crash-{round}-{n}");
            let line = json!({
                "id": id, "kind": "kayoi", "name": format!("試験のサロン{round}-{n}"),
                "categories": ["salon"], "address": "千葉市稲毛区小仲台2丁目",
                "contact": {"phone": phone},
            });
            server
                .send(
                    "POST",
                    &format!("/api/v1/imports?format=jsonl&name=crash-{n}.jsonl"),
                    Some(token),
                    Some(("application/x-ndjson", format!("{line}\n").into_bytes())),
                )
                .map(|a| (a.status == 200 && a.body["inserted"] == json!(1), id))
        } else {
            let id = ids[n % ids.len()].clone();
            let body = json!({"contact": {"phone": phone}});
            server
                .send(
                    "PATCH",
                    &format!("/api/v1/records/{id}"),
                    Some(token),
                    Some(("application/json", body.to_string().into_bytes())),
                )
                .map(|a| (a.status == 200, id))
        };
        match result {
            Ok((true, id)) => sent.push((id, phone, true)),
            Ok((false, id)) => panic!("write to {id} refused while the server was up"),
            Err(_) => {
                // Died mid-request: this write may or may not have landed.
                let id = if n.is_multiple_of(5) {
                    format!("crash-{round}-{n}")
                } else {
                    ids[n % ids.len()].clone()
                };
                sent.push((id, phone, false));
                break;
            }
        }
    }
    sent
}

#[test]
fn kill_9_loses_no_acknowledged_write() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let files: Vec<String> = seed_files()
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let out = tsunagu(&data, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let token = admin_token(&data);

    for (round, kill_after_ms) in [(1usize, 150u64), (2, 700), (3, 1500)] {
        let server = Server::start(&data, &[]);
        let writer = {
            let base = server.base.clone();
            let token = token.clone();
            std::thread::spawn(move || {
                let client = Server::client_for(&base);
                stream_of_writes(
                    &client,
                    &token,
                    round,
                    Instant::now() + Duration::from_secs(20),
                )
            })
        };
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        server.kill9();
        let sent = writer.join().unwrap();
        let acknowledged = sent.iter().filter(|(_, _, ack)| *ack).count();
        eprintln!(
            "round {round}: killed after {kill_after_ms} ms, {acknowledged} of {} writes acknowledged",
            sent.len()
        );
        assert!(
            acknowledged > 0 || round == 1,
            "round {round}: some writes were acknowledged before the kill"
        );

        // Restarted: everything acknowledged is stored and searchable.
        let server = Server::start(&data, &[]);
        let ready = server.send("GET", "/readyz", None, None).unwrap();
        assert_eq!(ready.status, 200, "round {round}: {}", ready.body);
        let mut ids: Vec<&String> = sent.iter().map(|(id, _, _)| id).collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            let writes: Vec<(&str, bool)> = sent
                .iter()
                .filter(|(i, _, _)| i == id)
                .map(|(_, phone, ack)| (phone.as_str(), *ack))
                .collect();
            let last_ack = writes.iter().rposition(|(_, ack)| *ack);
            let stored = server
                .send("GET", &format!("/api/v1/records/{id}"), Some(&token), None)
                .unwrap();
            let phone = stored.body["record"]["contact"]["phone"].as_str();
            let Some(last_ack) = last_ack else {
                // Never acknowledged: absent, or any of the writes.
                continue;
            };
            assert_eq!(stored.status, 200, "round {round}: {id} stored");
            let at = writes.iter().position(|(p, _)| Some(*p) == phone);
            assert!(
                at.is_some_and(|at| at >= last_ack),
                "round {round}: {id} has its last acknowledged phone {} or a later one, not {phone:?}",
                writes[last_ack].0
            );
            // The index agrees with the store: the stored phone finds it.
            let phone = phone.unwrap_or_default();
            let found = server
                .send(
                    "GET",
                    &format!("/api/v1/resources/search?q={phone}&audience=coordinator"),
                    Some(&token),
                    None,
                )
                .unwrap();
            let ids: Vec<&str> = found.body["results"]
                .as_array()
                .map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect())
                .unwrap_or_default();
            assert!(
                ids.contains(&id.as_str()),
                "round {round}: search for {phone} finds {id}: {}",
                found.body
            );
        }
        server.kill9();
    }
}

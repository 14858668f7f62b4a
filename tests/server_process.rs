//! `tsunagu serve` as a real process: it starts on a data directory, the
//! command line keeps working beside it (searches read; writers are told
//! the server holds the directory), and SIGTERM stops it cleanly.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{json, seed_files, stderr, tsunagu};

/// A child `tsunagu serve` on a free port; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(data: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tsunagu"))
            .current_dir(common::root())
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("TSUNAGU_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("http://") {
                    let url = line[at..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_string();
                    let _ = tx.send(url.trim_end_matches('/').to_string());
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the server prints its URL");
        Server { child, base }
    }

    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent.get(&format!("{}{path}", self.base)).call().unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// SIGTERM, then the exit status (within 30 s).
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

//! The pages in a real browser: `tests/browser/run.mjs` drives Debian's
//! Chromium (playwright-core) against a `tsunagu serve` on the seed data,
//! with an axe-core scan of every page, print to PDF, keyboard-only walks
//! and screenshots kept in `tests/browser/artifacts/`; then Lighthouse
//! (pinned 12.2.3, mobile profile) scores the public pages.
//!
//! scripts/test installs Chromium, Node.js and the pinned npm packages and
//! sets TSUNAGU_BROWSER=required, so in the test suite this never skips;
//! a bare `cargo test` on a machine without them says so and passes.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::Path;
use std::process::Command;

use common::server::Server;

fn browser_tools_ready(dir: &Path) -> Result<(), String> {
    if !dir.join("node_modules/playwright-core").is_dir() {
        return Err("tests/browser/node_modules is missing (run scripts/browser-setup.sh)".into());
    }
    let chromium = std::env::var("TSUNAGU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("no Chromium at {chromium}"));
    }
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err("node is not installed".into()),
    }
}

#[test]
fn pages_work_in_chromium() {
    let dir = common::root().join("tests/browser");
    if let Err(why) = browser_tools_ready(&dir) {
        if std::env::var("TSUNAGU_BROWSER").as_deref() == Ok("required") {
            panic!("browser tests required but {why}");
        }
        eprintln!("skipping the browser tests: {why}");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // A coordinator of あんしんケアセンター AC15 (小仲台; its password is printed).
    let out = common::tsunagu(
        &data,
        &[
            "user",
            "add",
            "hanako",
            "--role",
            "coordinator",
            "--name",
            "千葉 花子",
            "--title",
            "生活支援コーディネーター",
            "--org",
            "社会福祉法人つなぐ会",
            "--centre",
            "AC15",
            "--appointed-on",
            "2025-03-15",
            "--reason",
            "前任者の退職による",
            "--from",
            "2025-04-01",
            "--until",
            "2099-03-31",
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let password = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // The city's administrator.
    let out = common::tsunagu(
        &data,
        &[
            "user",
            "add",
            "kanri",
            "--role",
            "admin",
            "--name",
            "市 太郎",
            "--from",
            "2025-04-01",
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let admin_password = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let server = Server::start(&data, &["--seed", "seed-data"]);
    let artifacts = dir.join("artifacts");
    let _ = std::fs::remove_dir_all(&artifacts);
    let out = Command::new("node")
        .current_dir(&dir)
        .arg("run.mjs")
        .arg(&server.base)
        .arg(&artifacts)
        .env("TSUNAGU_TEST_LOGIN", "hanako")
        .env("TSUNAGU_TEST_PASSWORD", &password)
        .env("TSUNAGU_TEST_ADMIN_LOGIN", "kanri")
        .env("TSUNAGU_TEST_ADMIN_PASSWORD", &admin_password)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser checks failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}\n{stderr}");

    // Lighthouse 12.2.3, mobile profile, against the same Chromium.
    let out = Command::new("node")
        .current_dir(&dir)
        .arg("lighthouse.mjs")
        .arg(&server.base)
        .arg(&artifacts)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "Lighthouse below accessibility 100 or performance 95:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches("ok    lighthouse").count(), 3, "{stdout}");
}

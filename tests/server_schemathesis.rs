//! Schemathesis (PyPI) against a real `tsunagu serve`: generated requests
//! to every operation of the OpenAPI document find no 5xx, no status the
//! document does not list, and no answer outside its schema. Bounded in
//! time. `./scripts/test` installs schemathesis into a virtual environment
//! and says where (`TSUNAGU_SCHEMATHESIS`).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::process::Command;

use common::server::Server;

fn schemathesis() -> String {
    if let Ok(path) = std::env::var("TSUNAGU_SCHEMATHESIS") {
        return path;
    }
    let found = Command::new("schemathesis")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "schemathesis is not installed: ./scripts/test installs it (or set TSUNAGU_SCHEMATHESIS)"
    );
    "schemathesis".into()
}

#[test]
fn generated_requests_find_no_server_error_and_nothing_outside_the_document() {
    let st = schemathesis();
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&tmp.path().join("data"), &["--seed", "seed-data"]);
    let out = Command::new(&st)
        .current_dir(tmp.path())
        .args([
            "run",
            &format!("{}/api/v1/openapi.json", server.base),
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "20",
            "--max-time",
            "45",
            "--request-timeout",
            "10",
            "--seed",
            "20261202",
            "--no-color",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("passed"), "{text}");
}

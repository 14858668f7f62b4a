//! `tsunagu user …` and `tsunagu token …` through the real binary: accounts
//! added, listed and ended, logins refused through the library, tokens
//! created and revoked, everything audited without secrets, and the
//! commands working beside a writer that holds the data directory.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use chrono::NaiveDate;
use common::*;
use tsunagu_accounts::{AccountError, LoginRefusal, authenticate, token_account};
use tsunagu_store::Store;

/// Runs the binary with `input` on standard input.
fn tsunagu_stdin(data: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tsunagu"))
        .current_dir(root())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed:\n{}\n{}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn store(data: &Path) -> Store {
    Store::open_read_only(&data.join("tsunagu.sqlite3")).unwrap()
}

const COORDINATOR: &[&str] = &[
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
    "AC05",
    "--appointed-on",
    "2025-03-15",
    "--reason",
    "前任者の退職による",
    "--from",
    "2025-04-01",
    "--until",
    "2026-03-31",
];

#[test]
fn accounts_and_tokens_through_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    // No import first: the first account can be made on an empty directory.
    let data = tmp.path().join("data");

    let password = ok(&tsunagu(&data, COORDINATOR)).trim().to_string();
    assert_eq!(password.chars().count(), 16, "{password:?}");
    let admin_password = "sakura-no-hana-ga-saku";
    ok(&tsunagu_stdin(
        &data,
        &[
            "user",
            "add",
            "admin",
            "--role",
            "管理者",
            "--name",
            "市 太郎",
            "--from",
            "2025-04-01",
            "--password-stdin",
        ],
        &format!("{admin_password}\n"),
    ));

    // Refusals name the field, in Japanese, and change nothing.
    let no_centre: Vec<&str> = COORDINATOR
        .iter()
        .map(|a| if *a == "hanako" { "jiro" } else { a })
        .filter(|a| *a != "--centre" && *a != "AC05")
        .collect();
    let out = tsunagu(&data, &no_centre);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("センター（center_id）"),
        "{}",
        stderr(&out)
    );
    let out = tsunagu(&data, COORDINATOR);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("既に使われています"),
        "{}",
        stderr(&out)
    );
    let out = tsunagu_stdin(
        &data,
        &[
            "user",
            "add",
            "taro",
            "--role",
            "viewer",
            "--name",
            "閲覧",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("パスワード（password）"),
        "{}",
        stderr(&out)
    );

    let listed = ok(&tsunagu(&data, &["user", "list", "--format", "json"]));
    let accounts: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let logins: Vec<&str> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["login"].as_str().unwrap())
        .collect();
    assert_eq!(logins, ["admin", "hanako"]);
    assert_eq!(accounts[1]["center_id"], "AC05");
    assert!(
        !listed.contains("argon2") && !listed.contains("password"),
        "{listed}"
    );
    let table = ok(&tsunagu(&data, &["user", "list"]));
    assert!(table.contains("千葉市あんしんケアセンター浜野"), "{table}");

    // Logging in, through the library, with what the binary printed.
    {
        let store = store(&data);
        let hanako = authenticate(&store, "hanako", &password, day("2025-05-01")).unwrap();
        assert_eq!(hanako.center_id.as_deref(), Some("AC05"));
        assert!(authenticate(&store, "admin", admin_password, day("2025-05-01")).is_ok());
        assert!(matches!(
            authenticate(&store, "hanako", &password, day("2026-04-01")),
            Err(AccountError::Refused(LoginRefusal::Expired { .. }))
        ));
    }

    // 解任.
    ok(&tsunagu(
        &data,
        &[
            "user",
            "end",
            "hanako",
            "--on",
            "2025-10-01",
            "--reason",
            "異動のため",
        ],
    ));
    {
        let store = store(&data);
        assert!(authenticate(&store, "hanako", &password, day("2025-09-30")).is_ok());
        assert!(matches!(
            authenticate(&store, "hanako", &password, day("2025-10-01")),
            Err(AccountError::Refused(LoginRefusal::Ended { .. }))
        ));
    }
    let out = tsunagu(
        &data,
        &[
            "user",
            "end",
            "hanako",
            "--on",
            "2025-11-01",
            "--reason",
            "再度",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("解任されています"),
        "{}",
        stderr(&out)
    );
    let out = tsunagu(
        &data,
        &[
            "user",
            "end",
            "nobody",
            "--on",
            "2025-02-30",
            "--reason",
            "x",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("解任日（ended_on）"),
        "{}",
        stderr(&out)
    );
    let table = ok(&tsunagu(&data, &["user", "list"]));
    assert!(table.contains("解任（2025-10-01）"), "{table}");

    // A new password replaces the old one.
    let new_admin_password = "tsuki-ga-kirei-desu-ne";
    ok(&tsunagu_stdin(
        &data,
        &["user", "password", "admin", "--password-stdin"],
        new_admin_password,
    ));
    {
        let store = store(&data);
        assert!(authenticate(&store, "admin", admin_password, day("2025-05-01")).is_err());
        assert!(authenticate(&store, "admin", new_admin_password, day("2025-05-01")).is_ok());
    }

    // Tokens: printed once, work until revoked.
    let token = ok(&tsunagu(
        &data,
        &["token", "create", "admin", "--label", "集計"],
    ))
    .trim()
    .to_string();
    assert!(token.starts_with("tsg_"), "{token}");
    let out = tsunagu(&data, &["token", "create", "hanako"]);
    assert!(!out.status.success(), "a token for an ended account");
    assert!(
        token_account(&store(&data), &token, day("2025-05-01"))
            .unwrap()
            .is_some()
    );
    let listed = ok(&tsunagu(
        &data,
        &["token", "list", "admin", "--format", "json"],
    ));
    let tokens: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(tokens[0]["label"], "集計");
    assert!(tokens[0]["revoked_at"].is_null());
    assert!(!listed.contains(&token[4..]), "{listed}");
    let id = tokens[0]["id"].to_string();
    ok(&tsunagu(&data, &["token", "revoke", &id]));
    assert!(
        token_account(&store(&data), &token, day("2025-05-01"))
            .unwrap()
            .is_none()
    );
    let listed = ok(&tsunagu(&data, &["token", "list", "--format", "json"]));
    let tokens: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert!(tokens[0]["revoked_at"].is_string());
    let out = tsunagu(&data, &["token", "revoke", "999"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("トークン 999 はありません"),
        "{}",
        stderr(&out)
    );

    // Everything above is in the audit log, as the system through the CLI,
    // with no password, hash or token in it.
    let store = store(&data);
    let log = store.audit_log(0, 1000).unwrap();
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.target_id.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("account.add", "hanako"),
            ("account.add", "admin"),
            ("account.end", "hanako"),
            ("account.password", "admin"),
            ("token.create", "admin"),
            ("token.revoke", "admin"),
        ]
    );
    assert!(log.iter().all(|e| e.actor == "system" && e.via == "cli"));
    let text = serde_json::to_string(&log).unwrap();
    for secret in [
        password.as_str(),
        admin_password,
        new_admin_password,
        &token,
        &token[4..],
        "argon2",
    ] {
        assert!(!text.contains(secret), "{secret} in the audit log: {text}");
    }
}

#[test]
fn account_commands_work_while_a_writer_holds_the_directory() {
    let data = seeded();
    let config = tsunagu_engine::DirectoryConfig::new(data.path());
    let writer = tsunagu_engine::Directory::open(&config).unwrap();
    assert!(writer.is_writer());
    // The writer lock is really held: a second writer gives up.
    let out = tsunagu(data.path(), &["--lock-wait", "0", "reindex"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("別の取り込み"), "{}", stderr(&out));

    let password = ok(&tsunagu(data.path(), COORDINATOR)).trim().to_string();
    ok(&tsunagu(data.path(), &["token", "create", "hanako"]));
    ok(&tsunagu(data.path(), &["user", "list"]));
    drop(writer);
    let store = store(data.path());
    assert!(authenticate(&store, "hanako", &password, day("2025-05-01")).is_ok());
    // The seed import was audited too: one `create` per record.
    let creates = store
        .audit_log(0, 100_000)
        .unwrap()
        .iter()
        .filter(|e| e.action == "create" && e.target_kind == "record")
        .count() as u64;
    assert_eq!(creates, store.count().unwrap());
}

#[test]
fn account_commands_need_a_data_directory_except_to_add() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("none");
    for args in [
        &["user", "list"][..],
        &["user", "end", "x1x", "--on", "2025-10-01", "--reason", "r"],
        &["token", "create", "x1x"],
        &["token", "list"],
    ] {
        let out = tsunagu(&data, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("データディレクトリ"),
            "{}",
            stderr(&out)
        );
        assert!(!data.exists(), "{args:?} created the data directory");
    }
    // A refused add creates nothing either.
    let out = tsunagu(
        &data,
        &["user", "add", "x1x", "--role", "coordinator", "--name", "x"],
    );
    assert!(!out.status.success());
    assert!(!data.exists());
}

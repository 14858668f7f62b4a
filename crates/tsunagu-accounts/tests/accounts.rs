//! Accounts over a real store: validation table, 委託期間 and 解任 edges,
//! login refusals, sessions, tokens and what the audit log holds.

#![allow(clippy::unwrap_used)] // tests may unwrap

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use tsunagu_accounts::*;
use tsunagu_model::{Placement, record_from_json};
use tsunagu_store::{AuditActor, RecordWrite, Store};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Noon in Japan on `text`.
fn noon(text: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day(text).and_hms_opt(3, 0, 0).unwrap())
}

fn cli() -> AuditActor {
    AuditActor::system("cli")
}

const PASSWORD: &str = "mado-no-soto-ni-sakura";

fn coordinator(login: &str, from: &str, until: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        role: "coordinator".into(),
        name: "千葉 花子".into(),
        title: Some("生活支援コーディネーター".into()),
        organization: Some("社会福祉法人つなぐ会".into()),
        center_id: Some("AC05".into()),
        appointed_on: Some(from.into()),
        appointed_reason: Some("前任者の退職による".into()),
        valid_from: from.into(),
        valid_until: Some(until.into()),
    }
}

fn store_with_coordinator() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    add_account(
        &mut store,
        &coordinator("hanako", "2025-04-01", "2026-03-31"),
        PASSWORD,
        &cli(),
    )
    .unwrap();
    store
}

fn problem_name(p: &FieldProblem) -> &'static str {
    match p {
        FieldProblem::Missing => "Missing",
        FieldProblem::TooShort { .. } => "TooShort",
        FieldProblem::TooLong { .. } => "TooLong",
        FieldProblem::ControlChar { .. } => "ControlChar",
        FieldProblem::BadLogin { .. } => "BadLogin",
        FieldProblem::ReservedLogin { .. } => "ReservedLogin",
        FieldProblem::UnknownRole { .. } => "UnknownRole",
        FieldProblem::UnknownCentre { .. } => "UnknownCentre",
        FieldProblem::CentreOnlyForCoordinator => "CentreOnlyForCoordinator",
        FieldProblem::BadDate { .. } => "BadDate",
        FieldProblem::NoSuchDate { .. } => "NoSuchDate",
        FieldProblem::DateOutOfRange { .. } => "DateOutOfRange",
        FieldProblem::UntilBeforeFrom { .. } => "UntilBeforeFrom",
    }
}

/// A cell of the table: `-` absent, `{c*N}` repeated, `\n` a newline.
fn cell(text: &str) -> Option<String> {
    if text == "-" {
        return None;
    }
    if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}'))
        && let Some((c, n)) = inner.split_once('*')
    {
        return Some(c.repeat(n.parse().unwrap()));
    }
    Some(text.replace("\\n", "\n"))
}

#[test]
fn validation_table() {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/validation_cases.tsv");
    let table = std::fs::read_to_string(path).unwrap();
    let mut cases = 0;
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 12, "{line}");
        let new = NewAccount {
            login: cell(cols[1]).unwrap_or_default(),
            role: cell(cols[2]).unwrap_or_default(),
            name: cell(cols[3]).unwrap_or_default(),
            title: cell(cols[4]),
            organization: cell(cols[5]),
            center_id: cell(cols[6]),
            appointed_on: cell(cols[7]),
            appointed_reason: cell(cols[8]),
            valid_from: cell(cols[9]).unwrap_or_default(),
            valid_until: cell(cols[10]),
        };
        let expected = cols[11];
        match new.validate() {
            Ok(account) => {
                assert_eq!(expected, "ok", "{}: accepted", cols[0]);
                assert_eq!(account.login, new.login);
                if account.role == Role::Coordinator {
                    assert!(centre(account.center_id.as_deref().unwrap()).is_some());
                } else {
                    assert_eq!(account.center_id, None);
                }
            }
            Err(errors) => {
                let mut found: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}:{}", e.field, problem_name(&e.problem)))
                    .collect();
                let mut wanted: Vec<String> = expected.split(',').map(str::to_string).collect();
                found.sort();
                wanted.sort();
                assert_eq!(found, wanted, "{}", cols[0]);
                for e in &errors {
                    // Both messages name the field.
                    assert!(e.message_ja().contains(e.field), "{}", e.message_ja());
                    assert!(e.to_string().starts_with(e.field), "{e}");
                    assert!(!e.message_ja().contains('\n'), "{}", e.message_ja());
                }
            }
        }
        cases += 1;
    }
    assert!(cases >= 30, "only {cases} cases read");
}

#[test]
fn the_term_includes_its_first_and_last_day() {
    let store = store_with_coordinator();
    let account = get_account(&store, "hanako").unwrap().unwrap();
    // (day, expected)
    let cases = [
        ("2025-03-31", Err("not_yet_valid")),
        ("2025-04-01", Ok(())),
        ("2025-10-15", Ok(())),
        ("2026-03-31", Ok(())),
        ("2026-04-01", Err("expired")),
    ];
    for (today, expected) in cases {
        let got = may_log_in(&account, day(today)).map_err(|r| r.code());
        assert_eq!(got, expected, "{today}");
        let auth = authenticate(&store, "hanako", PASSWORD, day(today));
        assert_eq!(auth.is_ok(), expected.is_ok(), "{today}");
    }
    // An admin without an end of term.
    let admin = NewAccount {
        login: "admin".into(),
        role: "admin".into(),
        name: "市 太郎".into(),
        valid_from: "2025-04-01".into(),
        ..NewAccount::default()
    }
    .validate()
    .unwrap();
    assert!(may_log_in(&admin, day("2199-12-31")).is_ok());
    assert!(may_log_in(&admin, day("2025-03-31")).is_err());
}

#[test]
fn an_ended_account_cannot_log_in_from_its_end_day_and_keeps_its_history() {
    let mut store = store_with_coordinator();
    // A change the coordinator made while appointed.
    let record = record_from_json(
        serde_json::json!({"id": "r1", "kind": "kayoi", "name": "サロン",
            "categories": ["salon"], "address": "千葉市中央区浜野町"})
        .as_object()
        .unwrap(),
    )
    .unwrap();
    store
        .write_batch_audited(
            &[RecordWrite {
                record,
                placement: Placement::default(),
            }],
            &AuditActor::new("hanako", "api"),
            None,
        )
        .unwrap();

    let ended = end_account(
        &mut store,
        "hanako",
        day("2025-10-01"),
        "異動のため",
        &AuditActor::new("admin", "cli"),
    )
    .unwrap();
    assert_eq!(ended.ended_on, Some(day("2025-10-01")));
    assert!(may_log_in(&ended, day("2025-09-30")).is_ok());
    assert_eq!(
        may_log_in(&ended, day("2025-10-01")),
        Err(LoginRefusal::Ended {
            on: day("2025-10-01")
        })
    );
    assert!(matches!(
        authenticate(&store, "hanako", PASSWORD, day("2025-10-02")),
        Err(AccountError::Refused(LoginRefusal::Ended { .. }))
    ));
    assert!(matches!(
        end_account(&mut store, "hanako", day("2025-11-01"), "再度", &cli()),
        Err(AccountError::AlreadyEnded { .. })
    ));
    assert!(matches!(
        end_account(&mut store, "nobody", day("2025-11-01"), "x", &cli()),
        Err(AccountError::NotFound { .. })
    ));
    assert!(matches!(
        end_account(&mut store, "hanako", day("2025-11-01"), "  ", &cli()),
        Err(AccountError::Invalid(e)) if e[0].field == "ended_reason"
    ));
    // Still listed, still the author of its change.
    assert_eq!(list_accounts(&store).unwrap().len(), 1);
    assert_eq!(store.record_history("r1").unwrap()[0].actor, "hanako");
    let history = store.account_history("hanako").unwrap();
    let end = history.iter().find(|e| e.action == "account.end").unwrap();
    assert_eq!(end.actor, "admin");
    let fields: Vec<&str> = end.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["ended_on", "ended_reason"]);
    assert_eq!(end.changes[0].before, None);
    assert_eq!(end.changes[0].after, Some("2025-10-01".into()));
}

#[test]
fn refusals_say_the_same_to_people() {
    let mut store = store_with_coordinator();
    end_account(&mut store, "hanako", day("2025-06-01"), "異動", &cli()).unwrap();
    add_account(
        &mut store,
        &coordinator("taro", "2025-04-01", "2026-03-31"),
        PASSWORD,
        &cli(),
    )
    .unwrap();
    let today = day("2025-07-01");
    let refusals = [
        authenticate(&store, "nobody", PASSWORD, today),
        authenticate(&store, "NOT A LOGIN", PASSWORD, today),
        authenticate(&store, "taro", "wrong password here", today),
        authenticate(&store, "hanako", PASSWORD, today),
        authenticate(&store, "taro", PASSWORD, day("2026-04-01")),
        authenticate(&store, "taro", PASSWORD, day("2025-03-31")),
    ];
    let codes: Vec<&str> = refusals
        .iter()
        .map(|r| match r {
            Err(AccountError::Refused(refusal)) => refusal.code(),
            other => panic!("not a refusal: {other:?}"),
        })
        .collect();
    assert_eq!(
        codes,
        [
            "unknown_login",
            "unknown_login",
            "wrong_password",
            "ended",
            "expired",
            "not_yet_valid"
        ]
    );
    let messages: std::collections::BTreeSet<String> = refusals
        .iter()
        .map(|r| r.as_ref().unwrap_err().message_ja())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let taro = authenticate(&store, "taro", PASSWORD, today).unwrap();
    assert_eq!(taro.center_id.as_deref(), Some("AC05"));
}

#[test]
fn adding_reports_every_problem_and_refuses_duplicates() {
    let mut store = store_with_coordinator();
    assert!(matches!(
        add_account(
            &mut store,
            &coordinator("hanako", "2025-04-01", "2026-03-31"),
            PASSWORD,
            &cli()
        ),
        Err(AccountError::Exists { .. })
    ));
    let mut bad = coordinator("jiro", "2025-04-01", "2026-03-31");
    bad.center_id = None;
    let Err(AccountError::Invalid(errors)) = add_account(&mut store, &bad, "short", &cli()) else {
        panic!("accepted");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["center_id", "password"]);
    assert!(get_account(&store, "jiro").unwrap().is_none());
    // The password is in the log only as a marker.
    let add = &store.account_history("hanako").unwrap()[0];
    assert_eq!(add.action, "account.add");
    let password = add.changes.iter().find(|c| c.field == "password").unwrap();
    assert_eq!(password.after, Some(CHANGED_MARKER.into()));
    let centre = add.changes.iter().find(|c| c.field == "center_id").unwrap();
    assert_eq!(centre.after, Some("AC05".into()));
    assert!(has_admin(&store, day("2025-05-01")).is_ok_and(|has| !has));
}

#[test]
fn a_new_password_replaces_the_old_and_closes_sessions() {
    let mut store = store_with_coordinator();
    let now = noon("2025-05-01");
    let (raw, _) = create_session(&store, "hanako", Duration::hours(8), now).unwrap();
    assert!(session_account(&store, &raw, now).unwrap().is_some());
    let new_password = generate_password().unwrap();
    set_password(
        &mut store,
        "hanako",
        &new_password,
        &AuditActor::new("hanako", "console"),
    )
    .unwrap();
    assert!(authenticate(&store, "hanako", PASSWORD, day("2025-05-01")).is_err());
    assert!(authenticate(&store, "hanako", &new_password, day("2025-05-01")).is_ok());
    assert!(session_account(&store, &raw, now).unwrap().is_none());
    assert!(matches!(
        set_password(&mut store, "hanako", "too short", &cli()),
        Err(AccountError::Invalid(_))
    ));
    let log = serde_json::to_string(&store.audit_log(0, 1000).unwrap()).unwrap();
    assert!(log.contains("account.password"), "{log}");
    assert!(
        !log.contains("argon2"),
        "a hash reached the audit log: {log}"
    );
    assert!(!log.contains(&new_password));
    assert!(!log.contains(PASSWORD));
}

#[test]
fn sessions_expire_and_follow_the_account() {
    let mut store = store_with_coordinator();
    let now = noon("2025-05-01");
    let (raw, csrf) = create_session(&store, "hanako", Duration::hours(8), now).unwrap();
    assert_eq!(raw.len(), 43);
    assert_ne!(raw, csrf);
    let (account, got_csrf) = session_account(&store, &raw, now + Duration::hours(1))
        .unwrap()
        .unwrap();
    assert_eq!(account.login, "hanako");
    assert!(secrets_equal(&got_csrf, &csrf));
    // Stored as its hash only.
    assert!(store.session(&raw).unwrap().is_none());
    assert!(store.session(&sha256_hex(&raw)).unwrap().is_some());
    // last_seen_at is written again only after the touch interval.
    let seen = |store: &Store| {
        store
            .session(&sha256_hex(&raw))
            .unwrap()
            .unwrap()
            .last_seen_at
    };
    let first_seen = seen(&store);
    session_account(
        &store,
        &raw,
        now + Duration::hours(1) + Duration::seconds(30),
    )
    .unwrap();
    assert_eq!(seen(&store), first_seen);
    session_account(&store, &raw, now + Duration::hours(2)).unwrap();
    assert_ne!(seen(&store), first_seen);
    // At its expiry the session is gone, and forgotten.
    let expiry = now + Duration::hours(8);
    assert!(
        session_account(&store, &raw, expiry - Duration::seconds(1))
            .unwrap()
            .is_some()
    );
    assert!(session_account(&store, &raw, expiry).unwrap().is_none());
    assert!(store.session(&sha256_hex(&raw)).unwrap().is_none());
    // The periodic clean-up forgets expired sessions only.
    let (short, _) = create_session(&store, "hanako", Duration::hours(1), now).unwrap();
    let (long, _) = create_session(&store, "hanako", Duration::hours(3), now).unwrap();
    assert_eq!(
        purge_expired_sessions(&store, now + Duration::hours(2)).unwrap(),
        1
    );
    assert!(store.session(&sha256_hex(&short)).unwrap().is_none());
    assert!(store.session(&sha256_hex(&long)).unwrap().is_some());

    // A live session dies with the account's 解任 and with its term.
    let (raw, _) = create_session(&store, "hanako", Duration::days(400), now).unwrap();
    end_account(&mut store, "hanako", day("2025-06-01"), "異動", &cli()).unwrap();
    assert!(
        session_account(&store, &raw, noon("2025-05-31"))
            .unwrap()
            .is_some()
    );
    assert!(
        session_account(&store, &raw, noon("2025-06-01"))
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        create_session(&store, "hanako", Duration::hours(1), noon("2025-06-02")),
        Err(AccountError::Refused(LoginRefusal::Ended { .. }))
    ));
    add_account(
        &mut store,
        &coordinator("taro", "2025-04-01", "2025-05-31"),
        PASSWORD,
        &cli(),
    )
    .unwrap();
    let (raw, _) = create_session(&store, "taro", Duration::days(30), noon("2025-05-30")).unwrap();
    assert!(
        session_account(&store, &raw, noon("2025-05-31"))
            .unwrap()
            .is_some()
    );
    assert!(
        session_account(&store, &raw, noon("2025-06-01"))
            .unwrap()
            .is_none()
    );
    // The term is read in Japan's calendar: 2025-05-31T15:00Z is June 1st there.
    let june_first_jst = Utc.with_ymd_and_hms(2025, 5, 31, 15, 0, 0).unwrap();
    assert_eq!(japan_date(june_first_jst), day("2025-06-01"));
    assert!(
        session_account(&store, &raw, june_first_jst)
            .unwrap()
            .is_none()
    );

    // Logout; malformed ids are no session and cost no lookup.
    let (raw, _) = create_session(&store, "taro", Duration::hours(1), noon("2025-05-01")).unwrap();
    assert!(delete_session(&store, &raw).unwrap());
    assert!(!delete_session(&store, &raw).unwrap());
    assert!(
        session_account(&store, &raw, noon("2025-05-01"))
            .unwrap()
            .is_none()
    );
    for junk in ["", "x", &"a".repeat(10_000), "../../etc/passwd"] {
        assert!(session_account(&store, junk, now).unwrap().is_none());
    }
    assert!(matches!(
        create_session(&store, "nobody", Duration::hours(1), now),
        Err(AccountError::NotFound { .. })
    ));
}

#[test]
fn tokens_speak_for_their_account_until_revoked() {
    let mut store = store_with_coordinator();
    let today = day("2025-05-01");
    let (id, raw) = create_token(&mut store, "hanako", "集計スクリプト", &cli()).unwrap();
    assert!(raw.starts_with(TOKEN_PREFIX));
    assert_eq!(raw.len(), TOKEN_PREFIX.len() + 43);
    let (id2, raw2) = create_token(&mut store, "hanako", "", &cli()).unwrap();
    assert_ne!((id, &raw), (id2, &raw2));
    assert_eq!(
        token_account(&store, &raw, today).unwrap().map(|a| a.login),
        Some("hanako".to_string())
    );
    // Shape checks before any lookup.
    for junk in [
        "",
        "tsg_",
        "Bearer x",
        &raw[TOKEN_PREFIX.len()..],
        &format!("{raw}x"),
    ] {
        assert!(
            token_account(&store, junk, today).unwrap().is_none(),
            "{junk}"
        );
    }
    let revoked = revoke_token(&mut store, id, &cli()).unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(token_account(&store, &raw, today).unwrap().is_none());
    assert!(token_account(&store, &raw2, today).unwrap().is_some());
    // Revoking twice changes nothing; unknown ids are an error.
    assert_eq!(revoke_token(&mut store, id, &cli()).unwrap(), revoked);
    assert!(matches!(
        revoke_token(&mut store, 999, &cli()),
        Err(AccountError::NoToken { id: 999 })
    ));
    let listed = list_tokens(&store, Some("hanako")).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].label, "集計スクリプト");
    assert!(listed[0].revoked_at.is_some() && listed[1].revoked_at.is_none());
    // Outside the term, or after 解任, a token opens nothing.
    assert!(
        token_account(&store, &raw2, day("2026-04-01"))
            .unwrap()
            .is_none()
    );
    end_account(&mut store, "hanako", day("2025-06-01"), "異動", &cli()).unwrap();
    assert!(
        token_account(&store, &raw2, day("2025-06-01"))
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        create_token(&mut store, "hanako", "", &cli()),
        Err(AccountError::AlreadyEnded { .. })
    ));
    assert!(matches!(
        create_token(&mut store, "nobody", "", &cli()),
        Err(AccountError::NotFound { .. })
    ));
    assert!(matches!(
        create_token(&mut store, "hanako", "a\u{1b}[2J", &cli()),
        Err(AccountError::Invalid(_))
    ));
    let actions: Vec<String> = store
        .account_history("hanako")
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "account.add",
            "token.create",
            "token.create",
            "token.revoke",
            "account.end"
        ]
    );
    let log = serde_json::to_string(&store.audit_log(0, 100).unwrap()).unwrap();
    assert!(!log.contains(&sha256_hex(&raw)) && !log.contains(&raw));
}

#[test]
fn the_first_admin_is_found() {
    let mut store = Store::open_in_memory().unwrap();
    let today = day("2025-05-01");
    assert!(!has_admin(&store, today).unwrap());
    let password = generate_password().unwrap();
    add_account(
        &mut store,
        &NewAccount {
            login: "admin".into(),
            role: "管理者".into(),
            name: "地域包括ケア推進課".into(),
            valid_from: "2025-04-01".into(),
            ..NewAccount::default()
        },
        &password,
        &AuditActor::system("serve"),
    )
    .unwrap();
    assert!(has_admin(&store, today).unwrap());
    let admin = authenticate(&store, "admin", &password, today).unwrap();
    assert!(can_manage_accounts(&admin));
    assert!(can_edit_record(&admin, &[]));
    end_account(&mut store, "admin", day("2025-06-01"), "交代", &cli()).unwrap();
    assert!(has_admin(&store, today).unwrap());
    assert!(!has_admin(&store, day("2025-06-01")).unwrap());
}

#[test]
fn accounts_serialize_without_secrets() {
    let store = store_with_coordinator();
    let account = get_account(&store, "hanako").unwrap().unwrap();
    let json = serde_json::to_value(&account).unwrap();
    assert_eq!(json["role"], "coordinator");
    assert_eq!(json["valid_until"], "2026-03-31");
    let text = format!("{json} {account:?}");
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );
}

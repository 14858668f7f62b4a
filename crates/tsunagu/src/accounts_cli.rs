//! `tsunagu user …` and `tsunagu token …`: accounts and API tokens from the
//! command line. Each command opens the store through a short connection
//! of its own and never the data directory's writer lock, so it works
//! while an import or the server runs. Changes are audited as the system
//! acting through the command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use tsunagu_accounts::{
    Account, AccountError, AccountFieldError, MAX_PASSWORD_CHARS, NewAccount, Role, TokenInfo,
};
use tsunagu_model::escape_controls;
use tsunagu_store::{AuditActor, Store};

use crate::OutputFormat;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add an account. Without --password-stdin a password is generated
    /// and printed once on standard output.
    Add {
        /// Login: 3–64 of a-z 0-9 . _ -
        login: String,
        /// admin (管理者), coordinator (生活支援コーディネーター) or viewer (閲覧者).
        #[arg(long)]
        role: String,
        /// 氏名.
        #[arg(long)]
        name: String,
        /// 職名 (required for coordinators).
        #[arg(long)]
        title: Option<String>,
        /// 受託団体 (required for coordinators).
        #[arg(long = "org")]
        organization: Option<String>,
        /// あんしんケアセンター AC01…AC28 (coordinators only, required).
        #[arg(long = "centre", alias = "center")]
        centre: Option<String>,
        /// 選任年月日 YYYY-MM-DD (required for coordinators).
        #[arg(long)]
        appointed_on: Option<String>,
        /// 選任事由 (required for coordinators).
        #[arg(long)]
        reason: Option<String>,
        /// First day of the 委託期間, YYYY-MM-DD (default: today in Japan).
        #[arg(long)]
        from: Option<String>,
        /// Last day of the 委託期間, YYYY-MM-DD (required for coordinators).
        #[arg(long)]
        until: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts (ended ones included; never a password hash).
    List {
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// 解任: from --on the account cannot log in; its past changes stay
    /// attributed to it.
    End {
        login: String,
        /// The day of 解任, YYYY-MM-DD.
        #[arg(long)]
        on: String,
        /// 解任事由.
        #[arg(long)]
        reason: String,
    },
    /// Set a new password (generated and printed once without
    /// --password-stdin). Ends the account's browser sessions.
    Password {
        login: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Make an API token for scripts; it is printed once on standard
    /// output and only its hash is kept.
    Create {
        login: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List tokens (of one account, or all), revoked ones included.
    List {
        login: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Revoke a token by its id.
    Revoke { id: u64 },
}

fn actor() -> AuditActor {
    AuditActor::system("cli")
}

fn today() -> chrono::NaiveDate {
    tsunagu_accounts::japan_date(chrono::Utc::now())
}

/// An account error as the binary reports it: Japanese first, then the
/// precise English.
fn fail(e: AccountError) -> anyhow::Error {
    anyhow!("{}\nerror: {e}", e.message_ja())
}

fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join(tsunagu_engine::STORE_FILE)
}

/// The existing store of the data directory.
fn open_existing(data_dir: &Path) -> Result<Store> {
    let path = store_path(data_dir);
    if !path.is_file() {
        return Err(tsunagu_engine::EngineError::NoDataDir {
            path: data_dir.to_path_buf(),
        }
        .into());
    }
    Store::open_existing(&path).map_err(|e| fail(e.into()))
}

/// The store, created with its directory when missing: the first account
/// can be added before anything is imported.
fn open_or_create(data_dir: &Path) -> Result<Store> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        anyhow!(
            "データディレクトリ {} を作成できません: {e}",
            data_dir.display()
        )
    })?;
    Store::open(&store_path(data_dir)).map_err(|e| fail(e.into()))
}

/// The first line of standard input, read no further than a password can
/// be long.
fn password_from_stdin() -> Result<String> {
    let limit = (MAX_PASSWORD_CHARS * 4 + 2) as u64;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin().lock(), limit + 1),
        &mut bytes,
    )?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow!("標準入力のパスワードが UTF-8 ではありません"))?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        bail!("標準入力からパスワードを読めませんでした（1行目が空です）");
    }
    Ok(line.to_string())
}

/// The password to set: from standard input, or generated (and then
/// printed by the caller).
fn new_password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        Ok((password_from_stdin()?, false))
    } else {
        Ok((tsunagu_accounts::generate_password().map_err(fail)?, true))
    }
}

fn print_generated(password: &str) -> Result<()> {
    eprintln!(
        "パスワード（この一度だけ表示します。本人に安全な方法で伝えてください） / password, shown once:"
    );
    let mut out = std::io::stdout().lock();
    writeln!(out, "{password}")?;
    Ok(())
}

pub fn user(data_dir: &Path, command: &UserCommand) -> Result<ExitCode> {
    match command {
        UserCommand::Add {
            login,
            role,
            name,
            title,
            organization,
            centre,
            appointed_on,
            reason,
            from,
            until,
            password_stdin,
        } => {
            let new = NewAccount {
                login: login.clone(),
                role: role.clone(),
                name: name.clone(),
                title: title.clone(),
                organization: organization.clone(),
                center_id: centre.clone(),
                appointed_on: appointed_on.clone(),
                appointed_reason: reason.clone(),
                valid_from: from
                    .clone()
                    .unwrap_or_else(|| today().format("%Y-%m-%d").to_string()),
                valid_until: until.clone(),
            };
            // Checked before a password is read or a directory created: a
            // mistyped command changes nothing.
            new.validate()
                .map_err(|errors| fail(AccountError::Invalid(errors)))?;
            let (password, generated) = new_password(*password_stdin)?;
            let mut store = open_or_create(data_dir)?;
            let account = tsunagu_accounts::add_account(&mut store, &new, &password, &actor())
                .map_err(fail)?;
            eprintln!(
                "利用者「{}」（{}）を登録しました / account added",
                account.login,
                describe_role(&account)
            );
            if generated {
                print_generated(&password)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List { format } => {
            let store = open_existing(data_dir)?;
            let accounts = tsunagu_accounts::list_accounts(&store).map_err(fail)?;
            print_accounts(&accounts, *format == OutputFormat::Json)?;
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::End { login, on, reason } => {
            let on = tsunagu_accounts::parse_date(on.trim()).map_err(|p| {
                fail(AccountError::Invalid(vec![AccountFieldError::new(
                    "ended_on", p,
                )]))
            })?;
            let mut store = open_existing(data_dir)?;
            let account = tsunagu_accounts::end_account(&mut store, login, on, reason, &actor())
                .map_err(fail)?;
            eprintln!(
                "利用者「{}」を {on} 付けで解任しました（この日からログインできません） / account ended",
                account.login
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Password {
            login,
            password_stdin,
        } => {
            let mut store = open_existing(data_dir)?;
            // Known before a password is read or generated.
            if tsunagu_accounts::get_account(&store, login)
                .map_err(fail)?
                .is_none()
            {
                return Err(fail(AccountError::NotFound {
                    login: login.clone(),
                }));
            }
            let (password, generated) = new_password(*password_stdin)?;
            tsunagu_accounts::set_password(&mut store, login, &password, &actor()).map_err(fail)?;
            eprintln!(
                "利用者「{login}」のパスワードを変更しました（ログイン中の画面は閉じられます） / password changed"
            );
            if generated {
                print_generated(&password)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn token(data_dir: &Path, command: &TokenCommand) -> Result<ExitCode> {
    match command {
        TokenCommand::Create { login, label } => {
            let mut store = open_existing(data_dir)?;
            let (id, raw) =
                tsunagu_accounts::create_token(&mut store, login, label, &actor()).map_err(fail)?;
            eprintln!(
                "利用者「{login}」のトークン {id} を作りました。この一度だけ表示します / token {id} created, shown once:"
            );
            let mut out = std::io::stdout().lock();
            writeln!(out, "{raw}")?;
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { login, format } => {
            let store = open_existing(data_dir)?;
            let tokens = tsunagu_accounts::list_tokens(&store, login.as_deref()).map_err(fail)?;
            print_tokens(&tokens, *format == OutputFormat::Json)?;
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id } => {
            let mut store = open_existing(data_dir)?;
            let before = store.token(*id).map_err(|e| fail(e.into()))?;
            let token = tsunagu_accounts::revoke_token(&mut store, *id, &actor()).map_err(fail)?;
            if before.is_some_and(|t| t.revoked_at.is_some()) {
                eprintln!("トークン {id} は既に無効です / token {id} was already revoked");
            } else {
                eprintln!(
                    "トークン {id}（{}）を無効にしました / token revoked",
                    token.login
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn describe_role(account: &Account) -> String {
    match (&account.role, &account.center_id) {
        (Role::Coordinator, Some(id)) => {
            let name = tsunagu_accounts::centre(id)
                .map(|c| c.name.as_str())
                .unwrap_or("");
            format!("{}、{id} {name}", account.role.label_ja())
        }
        (role, _) => role.label_ja().to_string(),
    }
}

/// 有効, or why the account cannot log in today.
fn status_ja(account: &Account) -> (&'static str, String) {
    match tsunagu_accounts::may_log_in(account, today()) {
        Ok(()) => ("active", "有効".into()),
        Err(refusal) => {
            let ja = match refusal {
                tsunagu_accounts::LoginRefusal::Ended { on } => format!("解任（{on}）"),
                tsunagu_accounts::LoginRefusal::NotYetValid { from } => {
                    format!("委託期間前（{from}から）")
                }
                tsunagu_accounts::LoginRefusal::Expired { until } => {
                    format!("委託期間終了（{until}まで）")
                }
                other => other.code().to_string(),
            };
            (refusal.code(), ja)
        }
    }
}

fn print_accounts(accounts: &[Account], json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let listed: Vec<serde_json::Value> = accounts
            .iter()
            .map(|a| {
                let mut v = serde_json::to_value(a)?;
                if let Some(map) = v.as_object_mut() {
                    map.insert("status".into(), status_ja(a).0.into());
                }
                Ok(v)
            })
            .collect::<Result<_, serde_json::Error>>()?;
        writeln!(out, "{}", serde_json::to_string_pretty(&listed)?)?;
        return Ok(());
    }
    if accounts.is_empty() {
        writeln!(out, "利用者はいません / no accounts")?;
        return Ok(());
    }
    let opt = |v: &Option<String>| escape_controls(v.as_deref().unwrap_or("-"));
    for a in accounts {
        writeln!(
            out,
            "{}\t{}\t{}",
            escape_controls(&a.login),
            describe_role(a),
            status_ja(a).1
        )?;
        writeln!(
            out,
            "  氏名: {}（職名: {}、受託団体: {}）",
            escape_controls(&a.name),
            opt(&a.title),
            opt(&a.organization)
        )?;
        if let Some(on) = a.appointed_on {
            writeln!(out, "  選任: {on}（{}）", opt(&a.appointed_reason))?;
        }
        writeln!(
            out,
            "  委託期間: {}〜{}",
            a.valid_from,
            a.valid_until.map(|d| d.to_string()).unwrap_or_default()
        )?;
        if let Some(on) = a.ended_on {
            writeln!(out, "  解任: {on}（{}）", opt(&a.ended_reason))?;
        }
    }
    Ok(())
}

fn print_tokens(tokens: &[TokenInfo], json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(tokens)?)?;
        return Ok(());
    }
    if tokens.is_empty() {
        writeln!(out, "トークンはありません / no tokens")?;
        return Ok(());
    }
    writeln!(out, "ID\tログイン名\tラベル\t作成\t状態")?;
    for t in tokens {
        let state = match &t.revoked_at {
            Some(at) => format!("無効（{at}）"),
            None => "有効".into(),
        };
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{state}",
            t.id,
            escape_controls(&t.login),
            escape_controls(if t.label.is_empty() { "-" } else { &t.label }),
            t.created_at
        )?;
    }
    Ok(())
}

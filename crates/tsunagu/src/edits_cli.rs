//! `tsunagu confirm ID...`: 「情報を確認しました」 from the command line,
//! through the same edits (and audit log) as the service.

use std::process::ExitCode;

use anyhow::{Context, Result};
use tsunagu_engine::{Actor, Directory, DirectoryConfig, EditRequest, EditScope, RecordEdit};

#[derive(clap::Args, Debug)]
pub struct ConfirmArgs {
    /// Records checked.
    #[arg(required = true)]
    ids: Vec<String>,
    /// The day they were checked (default: today in Japan).
    #[arg(long)]
    on: Option<String>,
}

pub fn confirm(args: &ConfirmArgs, config: DirectoryConfig) -> Result<ExitCode> {
    let today = tsunagu_server::today_jst();
    let on = match &args.on {
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .with_context(|| format!("--on は YYYY-MM-DD です: {d}"))?,
        None => today,
    };
    if on > today {
        anyhow::bail!("確認日に未来の日付（{on}）は使えません");
    }
    if !config.data_dir.join(tsunagu_engine::STORE_FILE).is_file() {
        return Err(tsunagu_engine::EngineError::NoDataDir {
            path: config.data_dir.clone(),
        }
        .into());
    }
    let mut dir = Directory::open(&config)?;
    let edits: Vec<EditRequest> = args
        .ids
        .iter()
        .map(|id| EditRequest {
            edit: RecordEdit::Confirm { id: id.clone(), on },
            actor: Actor {
                login: "system".into(),
                via: "cli".into(),
            },
            scope: EditScope::Everything,
        })
        .collect();
    let mut failed = false;
    for (id, outcome) in args.ids.iter().zip(dir.apply_edits(&edits)?) {
        let id = tsunagu_model::cut_for_message(id);
        match outcome {
            Ok(_) => println!("{id}: {on} に確認済みにしました / confirmed"),
            Err(e) => {
                failed = true;
                eprintln!("{id}: {} / {e}", e.message_ja());
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// A new (or empty) directory for the copy.
    dest: std::path::PathBuf,
}

/// `tsunagu backup DEST`: a consistent copy, also while a server runs.
pub fn backup(args: &BackupArgs, config: &DirectoryConfig) -> Result<ExitCode> {
    let s = tsunagu_engine::backup::backup(&config.data_dir, &args.dest)?;
    println!(
        "{} にバックアップしました: 資源 {}件（変更番号 {}）、{} / backed up",
        s.dir.display(),
        s.records,
        s.store_seq,
        s.files.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// A directory made by `tsunagu backup`.
    src: std::path::PathBuf,
}

/// `tsunagu restore SRC`: replaces the data directory's store with the
/// backup's (the server must be stopped), then rebuilds the index.
pub fn restore(args: &RestoreArgs, config: &DirectoryConfig) -> Result<ExitCode> {
    let s = tsunagu_engine::backup::restore(&config.data_dir, &args.src, config.writer_wait)?;
    // Opening as the writer rebuilds the removed index from the store.
    let dir = Directory::open(config)?;
    println!(
        "{} を復元しました: 資源 {}件（変更番号 {}）、検索用の索引を作り直しました / restored",
        s.dir.display(),
        dir.record_count()?,
        s.store_seq,
    );
    Ok(ExitCode::SUCCESS)
}

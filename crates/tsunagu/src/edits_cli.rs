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

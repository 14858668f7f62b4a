//! Set-up shared by the router tests of `tsunagu-server`: a data directory
//! (with the seed records), accounts, and the app over it.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use tsunagu_engine::{Directory, DirectoryConfig, ImportOptions, NoProgress};
use tsunagu_server::{App, ServerConfig};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../..")
}

/// A data directory using the repository's dictionaries.
pub fn config(data: &Path) -> DirectoryConfig {
    DirectoryConfig {
        dictionaries: Some(root().join("dictionaries")),
        ..DirectoryConfig::new(data)
    }
}

/// The directory at `data`, opened as its writer, with the seed records.
pub fn seeded(data: &Path) -> (DirectoryConfig, Directory) {
    let config = config(data);
    let mut dir = Directory::open(&config).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("seed-data/records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        dir.import_file(&f, &ImportOptions::default(), &NoProgress)
            .unwrap();
    }
    (config, dir)
}

/// An account added straight to the store (as `tsunagu user add` does).
pub fn add_account(data: &Path, login: &str, role: &str, name: &str, password: &str) {
    let mut store = tsunagu_store::Store::open(&data.join(tsunagu_engine::STORE_FILE)).unwrap();
    tsunagu_accounts::add_account(
        &mut store,
        &tsunagu_accounts::NewAccount {
            login: login.into(),
            role: role.into(),
            name: name.into(),
            valid_from: "2020-04-01".into(),
            ..Default::default()
        },
        password,
        &tsunagu_store::AuditActor::system("test"),
    )
    .unwrap();
}

/// The app over a directory, with two readers; `adjust` changes the
/// server's configuration first.
pub fn app(config: DirectoryConfig, dir: Directory, adjust: impl FnOnce(&mut ServerConfig)) -> App {
    let mut server = ServerConfig::new(config);
    server.readers = 2;
    adjust(&mut server);
    App::with_directory(server, dir).unwrap()
}

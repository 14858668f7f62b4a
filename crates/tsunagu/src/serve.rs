//! `tsunagu serve`: the service over a data directory. Seeds an empty
//! directory when asked, then serves until Ctrl-C or SIGTERM.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use tsunagu_engine::{Directory, DirectoryConfig, FileFormat, ImportOptions, NoProgress};
use tsunagu_server::{App, ServerConfig};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "TSUNAGU_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Reader handles (searches answered at once); default: twice the cores.
    #[arg(long)]
    readers: Option<usize>,
    /// Seed-data directory imported when the data directory holds no
    /// records yet (its `records/` files).
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Seconds before a request is cut off.
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// Mark session cookies Secure: set when the service is reached over
    /// HTTPS (directly or through a TLS proxy).
    #[arg(long, env = "TSUNAGU_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Milliseconds an anonymous public answer may be served again (0: no
    /// public cache).
    #[arg(long, default_value_t = 500)]
    public_cache_ms: u64,
    /// Map tiles for the pages: a `{z}/{x}/{y}` URL template, or `none`
    /// (points on a plain background). Default: 地理院タイル (標準地図).
    #[arg(long, env = "TSUNAGU_MAP_TILES")]
    map_tiles: Option<String>,
    /// Attribution shown on maps with --map-tiles (HTML allowed: a link to
    /// the provider's terms).
    #[arg(long, env = "TSUNAGU_MAP_ATTRIBUTION", default_value = "")]
    map_attribution: String,
    /// The address readers reach the service at (e.g.
    /// https://tsunagu.example.jp), for QR codes on printed pages; default:
    /// the Host of each request.
    #[arg(long, env = "TSUNAGU_PUBLIC_URL")]
    public_url: Option<String>,
}

pub fn run(args: &ServeArgs, directory: DirectoryConfig) -> Result<ExitCode> {
    let addr: std::net::SocketAddr = args.addr.parse().with_context(|| {
        format!(
            "--addr は「127.0.0.1:8080」の形で指定してください（{}）",
            args.addr
        )
    })?;
    let mut dir = Directory::open(&directory)?;
    dir.say_lock_holder("serve");
    if let Some(seed) = &args.seed
        && dir.record_count()? == 0
    {
        seed_directory(&mut dir, seed)?;
    }
    ensure_admin(dir.data_dir())?;
    let mut config = ServerConfig::new(directory);
    if let Some(n) = args.readers {
        config.readers = n.clamp(1, 64);
    }
    config.request_timeout = std::time::Duration::from_secs(args.request_timeout.max(1));
    config.secure_cookies = args.secure_cookies;
    // At most a second: edits must reach public answers within one.
    config.public_cache_ttl = std::time::Duration::from_millis(args.public_cache_ms.min(1_000));
    config.map_tiles = match args.map_tiles.as_deref() {
        None => tsunagu_web::MapTiles::gsi(),
        Some("none") | Some("") => tsunagu_web::MapTiles::none(),
        Some(url) => {
            anyhow::ensure!(
                (url.starts_with("https://") || url.starts_with("http://"))
                    && ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p)),
                "--map-tiles は {{z}}/{{x}}/{{y}} を含む http(s) の URL か none で指定してください（{url}）"
            );
            tsunagu_web::MapTiles {
                url: url.to_string(),
                attribution: args.map_attribution.clone(),
            }
        }
    };
    if let Some(url) = &args.public_url {
        anyhow::ensure!(
            url.starts_with("https://") || url.starts_with("http://"),
            "--public-url は http:// か https:// で始まる URL で指定してください（{url}）"
        );
        config.public_url = Some(url.trim_end_matches('/').to_string());
    }
    let app = App::with_directory(config, dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
            format!("{addr} で待ち受けできません（ほかのプログラムが使用中かもしれません）")
        })?;
        let local = listener.local_addr()?;
        println!("tsunagu を起動しました: http://{local}/  (Ctrl-C で終了)");
        app.serve(listener, tsunagu_server::shutdown_signal())
            .await?;
        println!("tsunagu を終了しました");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// A directory without an administrator gets one, `admin`, whose password
/// is `TSUNAGU_ADMIN_PASSWORD` or generated and printed once.
fn ensure_admin(data_dir: &Path) -> Result<()> {
    let path = data_dir.join(tsunagu_engine::STORE_FILE);
    let mut store = tsunagu_store::Store::open_existing(&path)?;
    let today = tsunagu_server::today_jst();
    if tsunagu_accounts::has_admin(&store, today).map_err(|e| anyhow::anyhow!(e.message_ja()))? {
        return Ok(());
    }
    let (password, generated) = match std::env::var("TSUNAGU_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (
            tsunagu_accounts::generate_password().map_err(|e| anyhow::anyhow!(e.message_ja()))?,
            true,
        ),
    };
    let mut login = "admin".to_string();
    // An ended or expired `admin` keeps its name; the new one takes another.
    let mut n = 1;
    while tsunagu_accounts::get_account(&store, &login)
        .map_err(|e| anyhow::anyhow!(e.message_ja()))?
        .is_some()
    {
        n += 1;
        login = format!("admin{n}");
    }
    let new = tsunagu_accounts::NewAccount {
        login: login.clone(),
        role: "admin".into(),
        name: "管理者".into(),
        valid_from: today.format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    tsunagu_accounts::add_account(
        &mut store,
        &new,
        &password,
        &tsunagu_store::AuditActor::system("serve"),
    )
    .map_err(|e| anyhow::anyhow!("{}", e.message_ja()))?;
    if generated {
        println!(
            "管理者アカウントを作りました: ログイン名 {login} / パスワード {password}\n（この一度だけ表示します。ログイン後に tsunagu user password {login} で変更できます）"
        );
    } else {
        println!(
            "管理者アカウントを作りました: ログイン名 {login}（パスワードは TSUNAGU_ADMIN_PASSWORD）"
        );
    }
    Ok(())
}

/// Imports the seed records into an empty directory.
fn seed_directory(dir: &mut Directory, seed: &Path) -> Result<()> {
    let records = seed.join("records");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&records)
        .with_context(|| format!("シードデータがありません: {}", records.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| FileFormat::from_path(p).is_some())
        .collect();
    files.sort();
    let mut total = 0;
    for f in &files {
        let report = dir.import_file(f, &ImportOptions::default(), &NoProgress)?;
        total += report.accepted;
    }
    println!("空のデータディレクトリにシードデータ {total}件を読み込みました");
    Ok(())
}

//! `tsunagu bench --serve`: the service under load, over loopback.
//!
//! Starts the real server (`tsunagu_server::App`) on 127.0.0.1 over the
//! benchmark's data directory, then drives it with `--connections` HTTP
//! clients (hyper) for `--seconds`, each sending a mix of public reads
//! (text search, text + near, nearest) as fast as answers come, while one
//! more client edits a record `--edits` times a second with a bearer token
//! and measures when each edit is found by a public search for its new
//! telephone number. Prints requests per second, latency percentiles, how
//! many answers came from the public cache, edit latency, time from an
//! acknowledged edit to its appearance in search, and the process's peak
//! memory (server and load generator together; the generator's share is a
//! few MiB).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tsunagu_engine::{Directory, DirectoryConfig};
use tsunagu_server::{App, ServerConfig};

/// How the load runs.
pub struct LoadPlan {
    pub connections: usize,
    pub seconds: u64,
    pub edits_per_second: u64,
    pub cache: bool,
}

const WORDS: &[&str] = &[
    "体操",
    "サロン",
    "囲碁",
    "麻雀",
    "配食",
    "見守り",
    "買い物 付き添い",
    "ゴミ捨て",
    "認知症カフェ",
    "話し相手",
    "若葉区 体操",
    "木曜の午前 サロン",
    "無料 集まり",
    "200円まで 体操",
    "車いす 麻雀",
    "蛍光灯が替えられない",
];
const PLACES: &[&str] = &[
    "千葉市稲毛区小仲台2丁目",
    "千葉市中央区富士見2丁目",
    "千葉市美浜区真砂4丁目",
    "千葉市若葉区都賀3丁目",
    "35.6072,140.1063",
    "35.6513,140.0437",
    "35.5661,140.1814",
    "35.6380,140.2010",
];
const CATEGORIES: &[&str] = &["exercise", "salon", "shopping", "meal_delivery"];

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The i-th public request of the mix: half text searches, a quarter text
/// and near (1 km), a quarter nearest; 16 words and 8 places give 56
/// distinct requests, so the cache sees what a public lookup would.
fn public_request(i: usize) -> String {
    let w = WORDS[i % WORDS.len()];
    let p = PLACES[(i / WORDS.len()) % PLACES.len()];
    match i % 4 {
        0 | 1 => format!("/api/v1/resources/search?q={}", enc(w)),
        2 => format!(
            "/api/v1/resources/search?q={}&near={}&within=1000",
            enc(w),
            enc(p)
        ),
        _ => format!(
            "/api/v1/resources/nearest?near={}&category={}&k=10",
            enc(p),
            CATEGORIES[i % CATEGORIES.len()]
        ),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A bearer token for an admin made for the benchmark.
fn bench_token(data_dir: &Path) -> Result<String> {
    let path = data_dir.join(tsunagu_engine::STORE_FILE);
    let mut store = tsunagu_store::Store::open_existing(&path)?;
    let actor = tsunagu_store::AuditActor::system("bench");
    if tsunagu_accounts::get_account(&store, "bench-admin")
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_none()
    {
        let new = tsunagu_accounts::NewAccount {
            login: "bench-admin".into(),
            role: "admin".into(),
            name: "負荷試験".into(),
            valid_from: "2020-04-01".into(),
            ..Default::default()
        };
        let password = tsunagu_accounts::generate_password().map_err(|e| anyhow::anyhow!("{e}"))?;
        tsunagu_accounts::add_account(&mut store, &new, &password, &actor)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let (_, raw) = tsunagu_accounts::create_token(&mut store, "bench-admin", "bench", &actor)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(raw)
}

pub fn run(dir: Directory, config: &DirectoryConfig, plan: &LoadPlan) -> Result<()> {
    let token = bench_token(&config.data_dir)?;
    let target = first_public_id(&dir)?;
    let mut server = ServerConfig::new(config.clone());
    if !plan.cache {
        server.public_cache_ttl = Duration::ZERO;
    }
    let app = App::with_directory(server, dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(drive(app, plan, token, target))
}

/// Some public record to edit (its phone number changes each time).
fn first_public_id(dir: &Directory) -> Result<String> {
    let found = dir.search_understood(
        &tsunagu_engine::SearchQuery {
            text: "体操".into(),
            limit: 1,
            ..Default::default()
        },
        true,
    )?;
    match found.results.results.first() {
        Some(r) => Ok(r.id.clone()),
        None => bail!("the benchmark data has no public record to edit"),
    }
}

struct Counts {
    requests: AtomicU64,
    errors: AtomicU64,
    cached: AtomicU64,
    shared: AtomicU64,
}

async fn drive(app: App, plan: &LoadPlan, token: String, target: String) -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(listener, async move {
        let _ = stop_rx.await;
    }));
    let base = format!("http://{addr}");
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(plan.connections + 8)
        .build_http();

    // Warm-up: every distinct request once (fills readers' caches).
    for i in 0..(WORDS.len() * PLACES.len()) {
        let _ = get(&client, &format!("{base}{}", public_request(i))).await;
    }
    let counts = Arc::new(Counts {
        requests: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        cached: AtomicU64::new(0),
        shared: AtomicU64::new(0),
    });
    let running = Arc::new(AtomicBool::new(true));
    let started = Instant::now();
    let mut readers = Vec::new();
    for c in 0..plan.connections {
        let client = client.clone();
        let base = base.clone();
        let counts = counts.clone();
        let running = running.clone();
        readers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut i = c * 7919;
            while running.load(Ordering::Relaxed) {
                i += 1;
                let t = Instant::now();
                match get(&client, &format!("{base}{}", public_request(i))).await {
                    Ok((200, how)) => {
                        times.push(t.elapsed());
                        counts.requests.fetch_add(1, Ordering::Relaxed);
                        match how {
                            Some(Served::Cache) => {
                                counts.cached.fetch_add(1, Ordering::Relaxed);
                            }
                            Some(Served::Shared) => {
                                counts.shared.fetch_add(1, Ordering::Relaxed);
                            }
                            None => {}
                        }
                    }
                    _ => {
                        counts.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            times
        }));
    }
    let editor = {
        let client = client.clone();
        let base = base.clone();
        let running = running.clone();
        let every = Duration::from_millis(1000 / plan.edits_per_second.max(1));
        tokio::spawn(async move {
            let mut acks = Vec::new();
            let mut visible = Vec::new();
            let mut n = 0u32;
            let mut tick = tokio::time::interval(every);
            while running.load(Ordering::Relaxed) {
                tick.tick().await;
                n += 1;
                let phone = format!("043-8{:02}-{:04}", n / 10_000 % 100, n % 10_000);
                let body = format!("{{\"contact\": {{\"phone\": \"{phone}\"}}}}");
                let t = Instant::now();
                let ok = patch(
                    &client,
                    &format!("{base}/api/v1/records/{target}"),
                    &token,
                    body,
                )
                .await
                .is_ok_and(|s| s == 200);
                if !ok {
                    continue;
                }
                acks.push(t.elapsed());
                let acked = Instant::now();
                let search = format!("{base}/api/v1/resources/search?q={}", enc(&phone));
                loop {
                    if let Ok((200, body)) = get_body(&client, &search).await
                        && body.contains(&target)
                    {
                        visible.push(acked.elapsed());
                        break;
                    }
                    if acked.elapsed() > Duration::from_secs(5) {
                        visible.push(acked.elapsed());
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            (acks, visible)
        })
    };
    tokio::time::sleep(Duration::from_secs(plan.seconds)).await;
    running.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let mut times: Vec<Duration> = Vec::new();
    for r in readers {
        times.extend(r.await?);
    }
    let (mut acks, mut visible) = editor.await?;
    let _ = stop_tx.send(());
    server.await??;
    times.sort();
    acks.sort();
    visible.sort();
    let requests = counts.requests.load(Ordering::Relaxed);
    let cached = counts.cached.load(Ordering::Relaxed);
    let shared = counts.shared.load(Ordering::Relaxed);
    println!(
        "public reads: {} connections for {:.1} s: {requests} answers ({:.0}/s), {} errors; from the cache {:.1} %, shared with an identical request in flight {:.1} %, searched {:.1} %",
        plan.connections,
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64(),
        counts.errors.load(Ordering::Relaxed),
        100.0 * cached as f64 / requests.max(1) as f64,
        100.0 * shared as f64 / requests.max(1) as f64,
        100.0 * requests.saturating_sub(cached + shared) as f64 / requests.max(1) as f64,
    );
    println!(
        "  latency p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 0.99)),
        ms(percentile(&times, 1.0)),
    );
    println!(
        "edits: {} acknowledged (asked {}/s); acknowledgement p50 {:.1} ms, p99 {:.1} ms; acknowledged → found by public search p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        acks.len(),
        plan.edits_per_second,
        ms(percentile(&acks, 0.50)),
        ms(percentile(&acks, 0.99)),
        ms(percentile(&visible, 0.50)),
        ms(percentile(&visible, 0.99)),
        ms(percentile(&visible, 1.0)),
    );
    if let Some(peak) = crate::bench::peak_rss_mib() {
        println!("peak memory of the process (server + load generator): {peak:.0} MiB");
    }
    Ok(())
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// How the server said an answer was made (`x-cache`).
enum Served {
    Cache,
    Shared,
}

async fn get(client: &HttpClient, url: &str) -> Result<(u16, Option<Served>)> {
    let req = hyper::Request::get(url).body(Full::new(Bytes::new()))?;
    let response = client.request(req).await?;
    let status = response.status().as_u16();
    let how = match response.headers().get("x-cache").map(|v| v.as_bytes()) {
        Some(b"hit") => Some(Served::Cache),
        Some(b"shared") => Some(Served::Shared),
        _ => None,
    };
    response.into_body().collect().await?;
    Ok((status, how))
}

async fn get_body(client: &HttpClient, url: &str) -> Result<(u16, String)> {
    let req = hyper::Request::get(url).body(Full::new(Bytes::new()))?;
    let response = client.request(req).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

async fn patch(client: &HttpClient, url: &str, token: &str, body: String) -> Result<u16> {
    let req = hyper::Request::patch(url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let response = client.request(req).await?;
    let status = response.status().as_u16();
    response.into_body().collect().await?;
    Ok(status)
}

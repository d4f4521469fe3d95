//! `cargo xtask demo`: builds everything, seeds the demo shop into a local D1 that persists
//! between runs (`target/demo-d1`), starts the edge under workerd and the demo shop's pages,
//! and serves until Ctrl-C (or SIGTERM, SIGHUP), which stops both; so does any of those
//! signals while it starts, and any error (see `process::Service`).
//!
//! Its ports are the ones asked for (8787 and 8080 by default): when one is taken, often by an
//! earlier demo still running, it says by which process and stops before starting anything,
//! rather than serving elsewhere while the old one answers on the usual ports.

use crate::process::{Service, any_free_port, ensure_port_free, exit_code_on_signal};
use crate::tools::ensure_build_tools;
use crate::{build, edge, root, sizes, step};
use anyhow::{Context, Result, bail};
use std::process::Command;
use std::time::Duration;

pub const DEMO_SHOP: &str = "demo";

pub fn run(args: &[String]) -> Result<()> {
    let mut edge_port = 8787;
    let mut site_port = 8080;
    let mut mail_port = 8025;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it.next().and_then(|v| v.parse::<u16>().ok());
        match (arg.as_str(), value) {
            ("--edge-port", Some(p)) => edge_port = p,
            ("--site-port", Some(p)) => site_port = p,
            ("--mail-port", Some(p)) => mail_port = p,
            _ => bail!("usage: cargo xtask demo [--edge-port N] [--site-port N] [--mail-port N]"),
        }
    }

    if edge_port == site_port || mail_port == edge_port || mail_port == site_port {
        bail!("the edge, the demo site and the demo inbox need three different ports");
    }
    // Before the build, which can take minutes; and again before the edge starts.
    let ports_free = || -> Result<()> {
        ensure_port_free(edge_port, "the edge", "--edge-port")?;
        ensure_port_free(site_port, "the demo site", "--site-port")?;
        ensure_port_free(mail_port, "the demo inbox", "--mail-port")
    };
    ports_free()?;

    ensure_build_tools()?;
    let built = build::all()?;
    sizes::report(&built)?;

    let root = root();
    let persist = root.join("target/demo-d1");

    step("Applying the D1 migrations to the demo database (target/demo-d1)");
    edge::migrate(None, &persist, false)?;
    step("Seeding the demo shop");
    edge::execute_file(None, &persist, &root.join("demo-site/seed.sql"))?;
    let origins = [
        format!("http://127.0.0.1:{site_port}"),
        format!("http://localhost:{site_port}"),
    ];
    let sql: String = origins
        .iter()
        .map(|o| format!("INSERT OR IGNORE INTO shop_origins (shop_id, origin) VALUES ('{DEMO_SHOP}', '{o}');"))
        .collect();
    edge::execute_sql(None, &persist, &sql, false)?;

    ports_free()?;
    // wrangler's debugger port has no fixed number here: any free one.
    let inspector_port = any_free_port(&[edge_port, site_port, mail_port])?;
    step(&format!(
        "Starting the demo inbox (a stand-in for the email providers) on http://127.0.0.1:{mail_port}"
    ));
    let mut inbox = Service::start(
        "the demo inbox",
        Command::new("node")
            .arg(root.join("demo-site/inbox.mjs"))
            .args(["--port", &mail_port.to_string()]),
    )?;
    inbox.wait_ready(mail_port, "/messages.json", Duration::from_secs(20))?;
    step(&format!(
        "Starting the edge under workerd on http://127.0.0.1:{edge_port}"
    ));
    // The demo's own sealing key, and its providers at the inbox; `--test-scheduled` lets this
    // loop fire the Cron Trigger (`/__scheduled`), which `wrangler dev` does not by itself.
    let demo = [
        "--var".to_owned(),
        format!("OUTREACH_KEY:{DEMO_OUTREACH_KEY}"),
        "--var".to_owned(),
        format!("EMAIL_API_BASE:http://127.0.0.1:{mail_port}"),
        "--test-scheduled".to_owned(),
    ];
    let mut edge = edge::start(None, &persist, edge_port, inspector_port, &demo)?;
    step(&format!(
        "Serving the demo shop on http://127.0.0.1:{site_port}"
    ));
    let mut site = Service::start(
        "the demo site",
        Command::new("node")
            .arg(root.join("demo-site/serve.mjs"))
            .args(["--port", &site_port.to_string()])
            .args(["--edge", &format!("http://127.0.0.1:{edge_port}")]),
    )?;
    site.wait_ready(site_port, "/", Duration::from_secs(20))?;
    step("Seeding the demo orders through the merchant API");
    crate::process::run(
        Command::new("node")
            .arg(root.join("demo-site/seed-orders.mjs"))
            .args(["--edge", &format!("http://127.0.0.1:{edge_port}")])
            .args(["--site", &format!("http://127.0.0.1:{site_port}")]),
    )
    .context("seeding the demo orders failed")?;
    step("Seeding photo reviews through the shoppers' API (one photo left for you to approve)");
    crate::process::run(
        Command::new("node")
            .arg(root.join("demo-site/seed-photos.mjs"))
            .args(["--edge", &format!("http://127.0.0.1:{edge_port}")])
            .args(["--site", &format!("http://127.0.0.1:{site_port}")]),
    )
    .context("seeding the demo photo reviews failed")?;
    step("Importing a year of past orders (the back-fill), so the Overview has history");
    crate::process::run(
        Command::new("node")
            .arg(root.join("demo-site/seed-history.mjs"))
            .args(["--edge", &format!("http://127.0.0.1:{edge_port}")]),
    )
    .context("importing the demo history failed")?;
    step("Seeding the demo catalog and shopping history through the public events endpoint");
    crate::process::run(
        Command::new("node")
            .arg(root.join("demo-site/seed-recommendations.mjs"))
            .args(["--edge", &format!("http://127.0.0.1:{edge_port}")])
            .args(["--site", &format!("http://127.0.0.1:{site_port}")]),
    )
    .context("seeding the demo catalog and events failed")?;
    step("Sending what is due (the review requests of the delivered orders) to the demo inbox");
    fire_cron(edge_port);
    step("Looking for parcels stuck without news (order 1007 opens a case)");
    fire_hourly_cron(edge_port);

    println!();
    println!("  memnun demo shop:  http://127.0.0.1:{site_port}/");
    println!("  dashboard:         http://127.0.0.1:{edge_port}/admin (for the merchant)");
    println!(
        "  demo API key:      mk_demo_local_only (sign in to the dashboard with it; the merchant API, docs/API.md)"
    );
    println!("  edge (API):        http://127.0.0.1:{edge_port}/v1/");
    println!(
        "  demo inbox:        http://127.0.0.1:{mail_port}/ (what the demo shop sent: review requests)"
    );
    println!(
        "  demo orders:       1001–1007 (ayse@, mehmet@, zeynep@, hannah@, tom@, elif@, burak@example.com)"
    );
    println!("  cases:             http://127.0.0.1:{edge_port}/admin#cases");
    println!("  survey report:     curl -H 'Authorization: Bearer mk_demo_local_only' \\");
    println!("                       http://127.0.0.1:{edge_port}/v1/admin/reports/satisfaction");
    println!();
    println!("  Press Ctrl-C to stop.");

    // From now on Ctrl-C is how the demo ends: the signal handler (installed before the edge
    // started) stops the edge and the site and exits successfully.
    exit_code_on_signal(0);
    let mut last_cron = std::time::Instant::now();
    let mut last_hourly = std::time::Instant::now();
    loop {
        if edge.has_exited() {
            bail!("the edge stopped unexpectedly");
        }
        if site.has_exited() {
            bail!("the demo site stopped unexpectedly");
        }
        if inbox.has_exited() {
            bail!("the demo inbox stopped unexpectedly");
        }
        // Every minute, as the Cron Trigger does when deployed.
        if last_cron.elapsed() >= Duration::from_secs(60) {
            fire_cron(edge_port);
            last_cron = std::time::Instant::now();
        }
        if last_hourly.elapsed() >= Duration::from_secs(3600) {
            fire_hourly_cron(edge_port);
            last_hourly = std::time::Instant::now();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The demo's key for sealing shoppers' addresses: in this repository, so for this machine only.
const DEMO_OUTREACH_KEY: &str = "bWVtbnVuLWRlbW8tbG9jYWwtb25seS1vdXRyZWFjaCE=";

/// Runs the scheduled handler once (webhook deliveries, messages due, the purge).
fn fire_cron(edge_port: u16) {
    if crate::process::http_status(edge_port, "/__scheduled?cron=*+*+*+*+*") != Some(200) {
        eprintln!("  (the scheduled handler did not answer; messages wait for the next minute)");
    }
}

/// Runs the hourly trigger once (parcels stuck without news open cases).
fn fire_hourly_cron(edge_port: u16) {
    if crate::process::http_status(edge_port, "/__scheduled?cron=0+*+*+*+*") != Some(200) {
        eprintln!("  (the hourly scheduled handler did not answer)");
    }
}

#[cfg(test)]
mod tests {
    use memnun_protocol::digest::api_key_hash;

    #[test]
    fn demo_seed_stores_the_documented_api_key_hashed() {
        let seed = std::fs::read_to_string(crate::root().join("demo-site/seed.sql")).unwrap();
        assert!(seed.contains(&api_key_hash("mk_demo_local_only")));
        assert!(!seed.contains("'mk_demo_local_only'"));
    }
}

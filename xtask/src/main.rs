//! `cargo xtask`: memnun's chores, in Rust so that they read like the rest of the code.
//!
//! - `cargo xtask demo`: install what is missing, build, seed a demo shop, serve it.
//! - `cargo xtask test`: install what is missing, build, run every test.
//! - `cargo xtask build`: build the widgets and the worker (release) and print their sizes.
//! - `cargo xtask bench [--smoke]`: weight, worker size and edge speed against real peers.
//! - `cargo xtask shop create --origin URL…`: create a shop, print its id, API key and secret.
//! - `cargo xtask shop move SHOP --to BINDING`: move a shop to another data database.
//! - `cargo xtask connect shopify|woocommerce --shop ID`: connect a shop's platform.
//! - `cargo xtask deploy [--dry-run]`: build, migrate and deploy production (never test/bench).

mod bench;
mod build;
mod connect;
mod demo;
mod deploy;
mod edge;
mod ports;
mod process;
mod shop;
mod shop_move;
mod sizes;
mod test;
mod tidy;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo [--edge-port N] [--site-port N]
                    build everything and serve the demo shop against the local edge
  test              run every test (native, HTTP against workerd, browser in Chromium)
  build             build the widgets and the worker in release mode; print sizes
  bench [--smoke]   weight against peers, worker size, edge speed against a JS baseline;
                    writes BENCHMARKS.md (--smoke: tiny counts, checks only)
  shop create --origin URL [--origin URL…] [--name NAME] [--id ID] [--remote]
                    create a shop (in the data database with the fewest shops); print its
                    id, an API key and the token secret
  shop move SHOP --to BINDING [--rollback] [--remote | --env ENV --persist-to DIR]
                    move a shop to another data database: pause its writes, copy, verify,
                    switch, delete the old copy (run again to resume a move cut short)
  connect shopify|woocommerce --shop ID [--secret S] [--currency TRY] [--locale tr]
          [--edge URL] [--remote]
                    connect a shop's platform: store the secret its webhooks are signed
                    with; print the webhook URL and the topics to add
  deploy [--dry-run]
                    build, apply the D1 migrations remotely and deploy production to
                    Cloudflare (refuses the test and bench environments)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or(&[]);
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run(rest),
        Some("test") => test::run(rest),
        Some("build") => tools::ensure_build_tools()
            .and_then(|()| build::all())
            .and_then(|built| sizes::report(&built).map(|_| ())),
        Some("shop") => shop::run(rest),
        Some("connect") => connect::run(rest),
        Some("bench") => bench::run(rest),
        Some("deploy") => deploy::run_deploy(rest),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Prints one step of progress, so a long first run never looks stuck.
pub fn step(message: &str) {
    println!("==> {message}");
}

//! The edge under workerd, through wrangler: local D1 migrations, SQL for seeding, and the
//! worker itself, started from the prebuilt bundle on 127.0.0.1 with explicit ports.

use crate::process::{Service, output, run};
use crate::root;
use crate::tools::node_bin;
use anyhow::Result;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// wrangler, set up to work offline and quietly.
pub fn wrangler() -> Command {
    let mut cmd = Command::new(node_bin("wrangler"));
    cmd.current_dir(root().join("edge"))
        .env("WRANGLER_SEND_METRICS", "false")
        // Else the first request waits ~7 s on an unreachable fetch of Request.cf data.
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WRANGLER_HIDE_BANNER", "true")
        .env("CI", "true");
    cmd
}

fn with_target(cmd: &mut Command, env: Option<&str>, persist: &Path, remote: bool) {
    if let Some(env) = env {
        cmd.args(["--env", env]);
    }
    if remote {
        cmd.arg("--remote");
    } else {
        cmd.arg("--local").arg("--persist-to").arg(persist);
    }
}

pub fn migrate(env: Option<&str>, persist: &Path, remote: bool) -> Result<()> {
    let mut cmd = wrangler();
    cmd.args(["d1", "migrations", "apply", "DB"]);
    with_target(&mut cmd, env, persist, remote);
    run(&mut cmd)
}

pub fn execute_file(env: Option<&str>, persist: &Path, file: &Path) -> Result<()> {
    let mut cmd = wrangler();
    cmd.args(["d1", "execute", "DB", "--file"]).arg(file);
    with_target(&mut cmd, env, persist, false);
    // Its JSON report of every statement is noise; it is shown if the command fails.
    output(&mut cmd).map(drop)
}

pub fn execute_sql(env: Option<&str>, persist: &Path, sql: &str, remote: bool) -> Result<()> {
    let mut cmd = wrangler();
    cmd.args(["d1", "execute", "DB", "--command", sql]);
    with_target(&mut cmd, env, persist, remote);
    output(&mut cmd).map(drop)
}

pub fn start(
    env: Option<&str>,
    persist: &Path,
    port: u16,
    inspector_port: u16,
    extra: &[String],
) -> Result<Service> {
    let mut cmd = wrangler();
    cmd.args(["dev", "--local", "--ip", "127.0.0.1", "--log-level", "warn"])
        .args([
            "--port",
            &port.to_string(),
            "--inspector-port",
            &inspector_port.to_string(),
        ])
        .arg("--persist-to")
        .arg(persist);
    match env {
        Some(env) => {
            cmd.args(["--env", env]);
        }
        // The production config holds no salt (it is a secret there); the demo brings its own,
        // as `wrangler secret put` would.
        None => {
            cmd.args(["--var", "CLIENT_HASH_SALT:memnun-demo-local-only"]);
        }
    }
    cmd.args(extra);
    let mut service = Service::start("the edge (wrangler dev)", &mut cmd)?;
    service.wait_ready(port, "/v1/health", Duration::from_secs(60))?;
    Ok(service)
}

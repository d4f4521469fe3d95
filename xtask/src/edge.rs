//! The edge under workerd, through wrangler: local D1 migrations, SQL for seeding, and the
//! worker itself, started from the prebuilt bundle on 127.0.0.1 with explicit ports.

use crate::process::{Service, output, run};
use crate::root;
use crate::tools::node_bin;
use anyhow::{Context, Result, bail};
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

/// The control database's binding (edge/src/platform/databases.rs).
pub const CONTROL: &str = "DB";

/// The table of `env` in wrangler.toml (production's without one).
fn config_of(env: Option<&str>) -> Result<toml::Table> {
    let text = std::fs::read_to_string(root().join("edge/wrangler.toml"))?;
    let mut config: toml::Table = text.parse().context("edge/wrangler.toml")?;
    Ok(match env {
        None | Some("") => config,
        Some(env) => match config
            .remove("env")
            .and_then(|mut envs| envs.as_table_mut()?.remove(env))
        {
            Some(toml::Value::Table(table)) => table,
            _ => bail!("edge/wrangler.toml has no environment {env:?}"),
        },
    })
}

/// The D1 bindings `env` declares, the control database first.
pub fn d1_bindings(env: Option<&str>) -> Result<Vec<String>> {
    let config = config_of(env)?;
    let mut bindings: Vec<String> = config
        .get("d1_databases")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|db| db.get("binding")?.as_str().map(str::to_owned))
        .collect();
    bindings.sort_by_key(|b| (b != CONTROL, b.clone()));
    Ok(bindings)
}

/// The data databases `env` lists (`DATA_DATABASES`), the one for shops the directory does not
/// name first.
pub fn data_databases(env: Option<&str>) -> Result<Vec<String>> {
    let config = config_of(env)?;
    let listed = config
        .get("vars")
        .and_then(|vars| vars.get("DATA_DATABASES"))
        .and_then(toml::Value::as_str)
        .unwrap_or("");
    let names: Vec<String> = listed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(if names.is_empty() {
        vec![CONTROL.to_owned()]
    } else {
        names
    })
}

/// Applies the migrations to every database of `env`: they all have the one schema.
pub fn migrate(env: Option<&str>, persist: &Path, remote: bool) -> Result<()> {
    for binding in d1_bindings(env)? {
        let mut cmd = wrangler();
        cmd.args(["d1", "migrations", "apply", &binding]);
        with_target(&mut cmd, env, persist, remote);
        run(&mut cmd)?;
    }
    Ok(())
}

pub fn execute_file(env: Option<&str>, persist: &Path, file: &Path) -> Result<()> {
    let mut cmd = wrangler();
    cmd.args(["d1", "execute", CONTROL, "--file"]).arg(file);
    with_target(&mut cmd, env, persist, false);
    // Its JSON report of every statement is noise; it is shown if the command fails.
    output(&mut cmd).map(drop)
}

pub fn execute_sql(env: Option<&str>, persist: &Path, sql: &str, remote: bool) -> Result<()> {
    execute_sql_in(CONTROL, env, persist, sql, remote).map(drop)
}

/// Runs the statements in `file` in the database `binding`.
pub fn execute_file_in(
    binding: &str,
    env: Option<&str>,
    persist: &Path,
    file: &Path,
    remote: bool,
) -> Result<()> {
    busy_tolerant(|| {
        let mut cmd = wrangler();
        cmd.args(["d1", "execute", binding, "--yes", "--file"])
            .arg(file);
        with_target(&mut cmd, env, persist, remote);
        output(&mut cmd)
    })
    .map(drop)
}

/// Runs a D1 command again while it fails on `SQLITE_BUSY`: a local database the running worker
/// (the tests', the demo's) writes to at the same moment.
fn busy_tolerant(mut command: impl FnMut() -> Result<String>) -> Result<String> {
    let mut tries = 0;
    loop {
        tries += 1;
        match command() {
            Err(e) if tries < 20 && format!("{e:#}").contains("SQLITE_BUSY") => {
                std::thread::sleep(Duration::from_millis(100 * tries));
            }
            done => return done,
        }
    }
}

/// A `[vars]` value of `env` in wrangler.toml.
pub fn var(env: Option<&str>, name: &str) -> Result<Option<String>> {
    Ok(config_of(env)?
        .get("vars")
        .and_then(|vars| vars.get(name))
        .and_then(toml::Value::as_str)
        .map(str::to_owned))
}

/// Runs `sql` in the database `binding`; wrangler's JSON report of its results.
pub fn execute_sql_in(
    binding: &str,
    env: Option<&str>,
    persist: &Path,
    sql: &str,
    remote: bool,
) -> Result<serde_json::Value> {
    let out = busy_tolerant(|| {
        let mut cmd = wrangler();
        cmd.args(["d1", "execute", binding, "--json", "--command", sql]);
        with_target(&mut cmd, env, persist, remote);
        output(&mut cmd)
    })?;
    serde_json::from_str(&out).with_context(|| format!("wrangler's report: {out}"))
}

/// The rows of each read in `statements`, run in `binding` by one wrangler command.
pub fn query_many(
    binding: &str,
    env: Option<&str>,
    persist: &Path,
    statements: &[String],
    remote: bool,
) -> Result<Vec<Vec<serde_json::Map<String, serde_json::Value>>>> {
    let report = execute_sql_in(binding, env, persist, &statements.join(";\n"), remote)?;
    let results = report
        .as_array()
        .with_context(|| format!("wrangler's report is not a list: {report}"))?;
    if results.len() != statements.len() {
        bail!(
            "wrangler answered {} results for {} statements",
            results.len(),
            statements.len()
        );
    }
    results
        .iter()
        .map(|result| {
            let rows = result
                .get("results")
                .and_then(serde_json::Value::as_array)
                .with_context(|| format!("no results in wrangler's report: {result}"))?;
            Ok(rows.iter().filter_map(|r| r.as_object().cloned()).collect())
        })
        .collect()
}

/// The rows of the read `sql` in `binding`.
pub fn query_in(
    binding: &str,
    env: Option<&str>,
    persist: &Path,
    sql: &str,
    remote: bool,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let report = execute_sql_in(binding, env, persist, sql, remote)?;
    let rows = report
        .get(0)
        .and_then(|r| r.get("results"))
        .and_then(serde_json::Value::as_array)
        .with_context(|| format!("no results in wrangler's report: {report}"))?;
    Ok(rows.iter().filter_map(|r| r.as_object().cloned()).collect())
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

//! `cargo xtask deploy [--dry-run]`: the one documented way to put the edge on Cloudflare. It
//! builds, applies the D1 migrations to the remote database, and deploys production's config.
//!
//! It refuses `--env test` and `--env bench`: those environments of `edge/wrangler.toml` turn on
//! the tests' switches (a clock moved by a request header, D1 statement counts in answers,
//! webhooks to 127.0.0.1), carry a salt everyone can read in this repository and limits meant for
//! load tests. Deployed, they would let anyone move the edge's clock or reverse client hashes.
//! `--dry-run` builds the bundle as `wrangler deploy --dry-run` would upload it, offline.

use crate::edge::wrangler;
use crate::process::run;
use crate::{root, step};
use anyhow::{Result, bail};

/// The environments that exist for this machine only.
const LOCAL_ONLY: [&str; 2] = ["test", "bench"];
/// The `database_id` committed in `wrangler.toml`, to be replaced before a real deploy.
const PLACEHOLDER_DATABASE: &str = "00000000-0000-0000-0000-000000000000";

pub fn run_deploy(args: &[String]) -> Result<()> {
    let mut dry_run = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "--env" | "-e" => {
                let env = it.next().map(String::as_str).unwrap_or("");
                refuse_local_only(env)?;
            }
            other => match other.strip_prefix("--env=") {
                Some(env) => refuse_local_only(env)?,
                None => bail!("unknown argument {other:?}; usage: cargo xtask deploy [--dry-run]"),
            },
        }
    }
    if !dry_run {
        check_database(&std::fs::read_to_string(root().join("edge/wrangler.toml"))?)?;
    }
    let declared = crate::edge::d1_bindings(None)?;
    for data in crate::edge::data_databases(None)? {
        if !declared.contains(&data) {
            bail!(
                "DATA_DATABASES names {data}, which edge/wrangler.toml does not declare in \
                 [[d1_databases]] (README, \"Past one database\")"
            );
        }
    }
    crate::tools::ensure_build_tools()?;
    crate::build::all()?;
    if dry_run {
        step("Building the production bundle as wrangler deploy would upload it (--dry-run)");
        let out = root().join("target/deploy-dry-run");
        run(wrangler()
            .args(["deploy", "--dry-run", "--env", "", "--outdir"])
            .arg(&out))?;
        return Ok(());
    }
    for binding in crate::edge::d1_bindings(None)? {
        step(&format!(
            "Applying the D1 migrations to the remote database {binding}"
        ));
        run(wrangler().args([
            "d1",
            "migrations",
            "apply",
            &binding,
            "--remote",
            "--env",
            "",
        ]))?;
    }
    step("Deploying the edge (production's config)");
    run(wrangler().args(["deploy", "--env", ""]))?;
    println!(
        "Deployed. If you have not yet, set the salt: `cd edge && npx wrangler secret put \
         CLIENT_HASH_SALT` (until then the edge answers writes 503)."
    );
    Ok(())
}

/// Refuses production's config while it names the placeholder database.
fn check_database(config: &str) -> Result<()> {
    let production = config.split("[env.").next().unwrap_or_default();
    if production.contains(PLACEHOLDER_DATABASE) {
        bail!(
            "edge/wrangler.toml still names the placeholder D1 database: run \
             `npx wrangler d1 create memnun` in edge/ and put the database_id it prints into \
             [[d1_databases]] (README, \"Deploying the edge to Cloudflare\")"
        );
    }
    Ok(())
}

fn refuse_local_only(env: &str) -> Result<()> {
    if LOCAL_ONLY.contains(&env) {
        bail!(
            "refusing to deploy --env {env}: it is for this machine only (it lets a request move \
             the clock, counts D1 statements in answers, sends webhooks to 127.0.0.1, holds a \
             salt that is in the repository and limits meant for load tests). Deploy production: \
             `cargo xtask deploy`"
        );
    }
    if !env.is_empty() {
        bail!("there is no environment {env:?} to deploy; `cargo xtask deploy` deploys production");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tests_and_bench_environments_are_refused_before_anything_runs() {
        for env in ["test", "bench"] {
            for args in [
                vec!["--env".to_owned(), env.to_owned()],
                vec![format!("--env={env}")],
                vec!["--dry-run".to_owned(), "-e".to_owned(), env.to_owned()],
            ] {
                let refused = run_deploy(&args).unwrap_err().to_string();
                assert!(refused.contains("for this machine only"), "{refused}");
            }
        }
        let unknown = run_deploy(&["--env".to_owned(), "staging".to_owned()]).unwrap_err();
        assert!(unknown.to_string().contains("no environment"));
    }

    #[test]
    fn a_real_deploy_needs_a_real_database_id() {
        // Checked on the text, never through `run_deploy`: with a real id that would deploy.
        let committed = std::fs::read_to_string(root().join("edge/wrangler.toml")).unwrap();
        let placeholder = committed
            .split("[env.")
            .next()
            .unwrap()
            .contains(PLACEHOLDER_DATABASE);
        if placeholder {
            let refused = check_database(&committed).unwrap_err().to_string();
            assert!(refused.contains("placeholder D1 database"), "{refused}");
        }
        let real = committed.replacen(
            PLACEHOLDER_DATABASE,
            "4b1d5c2e-0000-4000-8000-000000000001",
            1,
        );
        assert!(check_database(&real).is_ok());
    }
}

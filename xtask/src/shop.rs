//! `cargo xtask shop create`: a new shop with its allowed origins, a merchant API key (stored
//! only as its hash) and the secret that signs its links. Prints the key and secret once.
//! Locally it writes to the demo's D1 (`target/demo-d1`); with `--remote`, to the deployed D1.

use crate::edge;
use crate::{root, step};
use anyhow::{Result, bail};
use memnun_protocol::Id;
use memnun_protocol::digest::{api_key_hash, hex};
use memnun_protocol::shop::is_valid_origin;

pub fn run(args: &[String]) -> Result<()> {
    if args.first().map(String::as_str) == Some("move") {
        return crate::shop_move::run(&args[1..]);
    }
    if args.first().map(String::as_str) != Some("create") {
        bail!(
            "usage: cargo xtask shop create --origin URL [--origin URL…] [--name NAME] [--id ID] [--remote]"
        );
    }
    let mut origins = Vec::new();
    let mut name = None;
    let mut id = None;
    let mut remote = false;
    let mut it = args[1..].iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--origin" => origins.push(it.next().cloned().unwrap_or_default()),
            "--name" => name = it.next().cloned(),
            "--id" => id = it.next().cloned(),
            "--remote" => remote = true,
            other => bail!("unknown argument {other:?}"),
        }
    }
    if origins.is_empty() {
        bail!("give at least one --origin, e.g. --origin https://shop.example");
    }
    for origin in &origins {
        if !is_valid_origin(origin) {
            bail!(
                "{origin:?} is not an origin like https://shop.example (scheme, lowercase host, optional port, no path)"
            );
        }
    }
    let id = match id {
        Some(raw) => Id::parse(&raw)
            .map_err(|e| anyhow::anyhow!("shop id {e}"))?
            .to_string(),
        None => format!("shop-{}", random_hex(6)?),
    };
    let name = name.unwrap_or_else(|| id.clone());
    let api_key = format!("mk_{}", random_hex(24)?);
    let token_secret = random_hex(32)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();

    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut sql = format!(
        "INSERT INTO shops (id, name, created_at) VALUES ({}, {}, {now});\
         INSERT INTO shop_secrets (shop_id, kid, secret, created_at) VALUES ({}, 's1', {}, {now});\
         INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES ({}, {}, 'default', {now});",
        quote(&id),
        quote(&name),
        quote(&id),
        quote(&token_secret),
        quote(&api_key_hash(&api_key)),
        quote(&id),
    );
    for origin in &origins {
        sql.push_str(&format!(
            "INSERT INTO shop_origins (shop_id, origin) VALUES ({}, {});",
            quote(&id),
            quote(origin)
        ));
    }
    let persist = root().join("target/demo-d1");
    step(if remote {
        "Applying migrations to the deployed D1"
    } else {
        "Applying migrations to the local D1 (target/demo-d1)"
    });
    edge::migrate(None, &persist, remote)?;
    let database = place(&persist, remote, &id)?;
    step(&format!("Creating the shop in {database}"));
    edge::execute_sql_in(&database, None, &persist, &sql, remote)?;
    if edge::data_databases(None)?.len() > 1 {
        // After the shop's rows: a directory row for a shop that failed to be made sends
        // nothing anywhere, as no page or key names it.
        edge::execute_sql(
            None,
            &persist,
            &format!(
                "INSERT INTO shop_directory (shop_id, database, placed_at) VALUES ({}, {}, {now});\
                 INSERT INTO key_directory (key_hash, shop_id) VALUES ({}, {});",
                quote(&id),
                quote(&database),
                quote(&api_key_hash(&api_key)),
                quote(&id),
            ),
            remote,
        )?;
    }
    println!();
    println!("shop id:       {id}");
    println!("database:      {database}");
    println!("API key:       {api_key}");
    println!("token secret:  {token_secret}  (kid s1)");
    println!("origins:       {}", origins.join(", "));
    println!();
    println!(
        "Keep the API key and the token secret: they are not shown again (the key is stored hashed)."
    );
    Ok(())
}

/// The data database a new shop goes to: the one with the fewest shops (the first of those).
/// An id taken in any of them is refused: the directory would split the shop in two.
fn place(persist: &std::path::Path, remote: bool, id: &str) -> Result<String> {
    let data = edge::data_databases(None)?;
    if data.len() == 1 {
        return Ok(data[0].clone());
    }
    let mut fewest: Option<(i64, String)> = None;
    for database in data {
        let rows = edge::query_in(
            &database,
            None,
            persist,
            &format!(
                "SELECT count(*) AS n, count(*) FILTER (WHERE id = '{}') AS taken FROM shops",
                id.replace('\'', "''")
            ),
            remote,
        )?;
        let number = |column: &str| {
            rows.first()
                .and_then(|r| r.get(column))
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0)
        };
        if number("taken") > 0 {
            bail!("the shop {id} exists already, in {database}");
        }
        let n = number("n");
        println!("  {database}: {n} shops");
        if fewest.as_ref().is_none_or(|(least, _)| n < *least) {
            fewest = Some((n, database));
        }
    }
    fewest
        .map(|(_, database)| database)
        .ok_or_else(|| anyhow::anyhow!("no data database"))
}

pub fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex(&buf))
}

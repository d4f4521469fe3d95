//! `cargo xtask shop move SHOP --to BINDING`: moves one shop to another data database
//! (edge/src/platform/databases.rs), through wrangler's D1 commands, as an operator would run it
//! against the deployed databases (`--remote`) or the tests' local ones (`--env test
//! --persist-to DIR`).
//!
//! The steps, each written to the shop's directory row first so that a move cut short is resumed
//! by running the command again, or undone with `--rollback` before it switched:
//! 1. pause: the shop's writes are answered 503 with `Retry-After` (the widgets' outbox and the
//!    platforms' webhooks send them again), then wait until every isolate's directory cache has
//!    seen it (`DIRECTORY_CACHE_SECONDS`, and a margin for requests under way);
//! 2. copy: clear what an earlier try left in the target, read every row of the shop (every table
//!    with a `shop_id`, and its `shops` row), write them into the target in one file, parents
//!    before children; read both sides again and compare counts and SHA-256 checksums table by
//!    table (a row the scheduled jobs changed meanwhile makes it copy again);
//! 3. switch: the directory names the target, writes resume there, and the old database is
//!    noted as holding a leftover copy;
//! 4. delete the leftover copy, children before parents.

use crate::edge::{self, CONTROL};
use crate::{root, step};
use anyhow::{Context, Result, bail};
use memnun_protocol::Id;
use memnun_protocol::digest::sha256_hex;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

type Row = Map<String, Value>;

/// Where the chore works: wrangler's environment, its local files, or the deployed databases.
struct Target {
    env: Option<String>,
    persist: PathBuf,
    remote: bool,
}

impl Target {
    fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    fn rows(&self, binding: &str, sql: &str) -> Result<Vec<Row>> {
        edge::query_in(binding, self.env(), &self.persist, sql, self.remote)
    }

    fn rows_many(&self, binding: &str, statements: &[String]) -> Result<Vec<Vec<Row>>> {
        edge::query_many(binding, self.env(), &self.persist, statements, self.remote)
    }

    fn run(&self, binding: &str, sql: &str) -> Result<()> {
        edge::execute_sql_in(binding, self.env(), &self.persist, sql, self.remote).map(drop)
    }
}

const USAGE: &str = "usage: cargo xtask shop move SHOP --to BINDING [--rollback] \
                     [--remote | --env ENV --persist-to DIR]";

pub fn run(args: &[String]) -> Result<()> {
    let mut shop = None;
    let mut to = None;
    let mut rollback = false;
    let mut env = None;
    let mut persist = None;
    let mut remote = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--to" => to = it.next().cloned(),
            "--rollback" => rollback = true,
            "--remote" => remote = true,
            "--env" => env = it.next().cloned(),
            "--persist-to" => persist = it.next().map(PathBuf::from),
            other if shop.is_none() && !other.starts_with('-') => shop = Some(other.to_owned()),
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    let shop = Id::parse(shop.as_deref().context(USAGE)?)
        .map_err(|e| anyhow::anyhow!("shop id {e}"))?
        .to_string();
    if remote && (env.is_some() || persist.is_some()) {
        bail!(
            "--remote moves between the deployed databases; --env and --persist-to are for local ones"
        );
    }
    let target = Target {
        env,
        persist: persist.unwrap_or_else(|| root().join("target/demo-d1")),
        remote,
    };
    let data = edge::data_databases(target.env())?;
    let place = directory_row(&target, &shop)?;
    if let (true, Some(left_in)) = (rollback, &place.left_in) {
        bail!(
            "the move of {shop} switched to {} already (its writes go there); finish it by \
             running the command without --rollback (it deletes the old copy in {left_in}), then \
             move it back with --to {left_in} if you must",
            place.database
        );
    }
    if let Some(left_in) = place.left_in.clone() {
        step(&format!(
            "Resuming: the move of {shop} to {} switched; deleting the old copy in {left_in}",
            place.database
        ));
        return delete_leftover(&target, &shop, &left_in);
    }
    if rollback {
        let Some(moving_to) = place.moving_to else {
            bail!("{shop} is not being moved: nothing to roll back");
        };
        step(&format!(
            "Rolling back the move of {shop} to {moving_to}: clearing the copy, resuming writes in {}",
            place.database
        ));
        delete_rows(&target, &moving_to, &shop)?;
        target.run(
            CONTROL,
            &format!(
                "UPDATE shop_directory SET writes_paused_at = NULL, moving_to = NULL \
                 WHERE shop_id = {}",
                quote(&shop)
            ),
        )?;
        return Ok(());
    }
    let to = match (to, &place.moving_to) {
        (Some(to), Some(moving_to)) if &to != moving_to => bail!(
            "a move of {shop} to {moving_to} is under way: run again with --to {moving_to} to \
             finish it, or --rollback"
        ),
        (Some(to), _) => to,
        (None, Some(moving_to)) => moving_to.clone(),
        (None, None) => bail!("{USAGE}"),
    };
    if !data.contains(&to) {
        bail!(
            "{to} is not a data database (DATA_DATABASES: {})",
            data.join(" ")
        );
    }
    let from = place.database.clone();
    if from == to {
        bail!("{shop} is already in {to}");
    }
    if !place.found_shop {
        bail!("{shop} is not a shop in {from}");
    }

    step(&format!("Pausing the writes of {shop} ({from} → {to})"));
    let now = now_ms()?;
    target.run(
        CONTROL,
        &format!(
            "INSERT INTO shop_directory (shop_id, database, writes_paused_at, moving_to, placed_at) \
             VALUES ({shop}, {from}, {now}, {to}, {now}) \
             ON CONFLICT (shop_id) DO UPDATE SET writes_paused_at = {now}, moving_to = {to}",
            shop = quote(&shop),
            from = quote(&from),
            to = quote(&to),
        ),
    )?;
    let wait = cache_seconds(target.env())? + SETTLE_SECONDS;
    println!("  waiting {wait} s: every isolate's cache of the directory sees the pause");
    std::thread::sleep(Duration::from_secs(wait));

    let tables = tables_in_order(&target, &from)?;
    let counters = counter_columns(&target, &from, &tables)?;
    let mut tries = 0;
    let counts = loop {
        tries += 1;
        step(&format!("Copying {shop} into {to} (try {tries})"));
        delete_rows_of(&target, &to, &shop, &tables)?;
        let source = read_shop(&target, &from, &shop, &tables, &counters)?;
        write_rows(&target, &to, &source, &tables)?;
        let copy = read_shop(&target, &to, &shop, &tables, &counters)?;
        let again = read_shop(&target, &from, &shop, &tables, &counters)?;
        let (copied, changed) = (sums(&copy), sums(&again));
        if sums(&source) == copied && copied == changed {
            break copied;
        }
        if tries == 3 {
            bail!(
                "the copy of {shop} in {to} does not match {from} after 3 tries; its writes stay \
                 paused: run again to retry, or --rollback"
            );
        }
        println!("  the shop's rows changed while copying (a scheduled job): copying again");
    };
    for (table, (count, sum)) in &counts {
        if *count > 0 {
            println!("  {table}: {count} rows, sha256 {}", &sum[..16]);
        }
    }

    // Keys find their shop through the directory wherever it lives.
    let keys = target.rows(
        &to,
        &format!(
            "SELECT key_hash FROM api_keys WHERE shop_id = {}",
            quote(&shop)
        ),
    )?;
    let mut switch = String::new();
    for key in &keys {
        if let Some(hash) = key.get("key_hash").and_then(Value::as_str) {
            switch.push_str(&format!(
                "INSERT INTO key_directory (key_hash, shop_id) VALUES ({}, {}) \
                 ON CONFLICT (key_hash) DO UPDATE SET shop_id = excluded.shop_id;",
                quote(hash),
                quote(&shop)
            ));
        }
    }
    step(&format!(
        "Switching {shop} to {to}; its writes resume there"
    ));
    switch.push_str(&format!(
        "UPDATE shop_directory SET database = {to}, writes_paused_at = NULL, moving_to = NULL, \
         left_in = {from} WHERE shop_id = {shop};",
        shop = quote(&shop),
        from = quote(&from),
        to = quote(&to),
    ));
    target.run(CONTROL, &switch)?;
    // An isolate that read "paused, in the old database" just before the switch reads there
    // until its cache runs out: the old copy stays until then.
    let wait = cache_seconds(target.env())? + SETTLE_SECONDS;
    println!("  waiting {wait} s: every isolate's cache of the directory sees the switch");
    std::thread::sleep(Duration::from_secs(wait));
    delete_leftover(&target, &shop, &from)
}

/// What the chore waits past the directory's cache time: for requests that read the directory
/// just before it changed and are still under way (an import is the longest).
const SETTLE_SECONDS: u64 = 10;

/// Per table, the column that is an `INTEGER PRIMARY KEY` (a rowid every shop of a database
/// shares, as `moderation_log.id`): left out of the copy, so the target numbers its rows itself,
/// and out of the comparison.
fn counter_columns(
    target: &Target,
    binding: &str,
    tables: &[String],
) -> Result<BTreeMap<String, String>> {
    let pragmas: Vec<String> = tables
        .iter()
        .map(|t| format!("PRAGMA table_info({t})"))
        .collect();
    let answers = target.rows_many(binding, &pragmas)?;
    let mut counters = BTreeMap::new();
    for (table, columns) in tables.iter().zip(answers) {
        let keys: Vec<&Row> = columns
            .iter()
            .filter(|c| c.get("pk").and_then(Value::as_i64).unwrap_or(0) > 0)
            .collect();
        if let [key] = keys.as_slice()
            && key
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("INTEGER"))
            && let Some(name) = key.get("name").and_then(Value::as_str)
        {
            counters.insert(table.clone(), name.to_owned());
        }
    }
    Ok(counters)
}

/// A shop's place as the directory (or, without its row, the first data database) says.
struct DirectoryRow {
    database: String,
    moving_to: Option<String>,
    left_in: Option<String>,
    found_shop: bool,
}

fn directory_row(target: &Target, shop: &str) -> Result<DirectoryRow> {
    let rows = target.rows(
        CONTROL,
        &format!(
            "SELECT database, moving_to, left_in FROM shop_directory WHERE shop_id = {}",
            quote(shop)
        ),
    )?;
    let text = |row: &Row, column: &str| row.get(column).and_then(Value::as_str).map(str::to_owned);
    let (database, moving_to, left_in) = match rows.first() {
        Some(row) => (
            text(row, "database").context("a directory row without a database")?,
            text(row, "moving_to"),
            text(row, "left_in"),
        ),
        None => (edge::data_databases(target.env())?[0].clone(), None, None),
    };
    let found_shop = !target
        .rows(
            &database,
            &format!("SELECT id FROM shops WHERE id = {}", quote(shop)),
        )?
        .is_empty();
    Ok(DirectoryRow {
        database,
        moving_to,
        left_in,
        found_shop,
    })
}

/// The tables that hold a shop's rows (`shops` by `id`, the rest by `shop_id`), parents before
/// children (a foreign key's table first), the directory's own tables left out.
fn tables_in_order(target: &Target, binding: &str) -> Result<Vec<String>> {
    // D1 refuses the pragma functions (`pragma_table_info`) but answers the PRAGMA statements.
    let names: Vec<String> = target
        .rows(
            binding,
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' \
             AND name NOT IN ('shops', 'shop_directory', 'key_directory') ORDER BY name",
        )?
        .iter()
        .filter_map(|r| r.get("name")?.as_str().map(str::to_owned))
        .collect();
    let pragmas: Vec<String> = names
        .iter()
        .flat_map(|t| {
            [
                format!("PRAGMA table_info({t})"),
                format!("PRAGMA foreign_key_list({t})"),
            ]
        })
        .collect();
    let answers = target.rows_many(binding, &pragmas)?;
    let column = |row: &Row, name: &str| row.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut tables = BTreeSet::new();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (table, answer) in names.iter().zip(answers.chunks(2)) {
        if answer[0]
            .iter()
            .any(|c| column(c, "name").as_deref() == Some("shop_id"))
        {
            tables.insert(table.clone());
        }
        for key in &answer[1] {
            if let Some(parent) = column(key, "table") {
                parents.entry(table.clone()).or_default().insert(parent);
            }
        }
    }
    // A parent that holds no shop's rows is nobody's to wait for.
    for ps in parents.values_mut() {
        ps.retain(|p| tables.contains(p));
    }
    let mut ordered = vec!["shops".to_owned()];
    let mut left: Vec<String> = tables.into_iter().collect();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|table| {
            let ready = parents
                .get(table)
                .is_none_or(|ps| ps.iter().all(|p| p == table || ordered.contains(p)));
            if ready {
                ordered.push(table.clone());
            }
            !ready
        });
        if left.len() == before {
            bail!("the foreign keys of {left:?} form a cycle");
        }
    }
    Ok(ordered)
}

fn owner_column(table: &str) -> &'static str {
    if table == "shops" { "id" } else { "shop_id" }
}

/// Every row of `shop`, table by table, in a stable order (by every column).
fn read_shop(
    target: &Target,
    binding: &str,
    shop: &str,
    tables: &[String],
    counters: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Vec<Row>>> {
    let reads: Vec<String> = tables
        .iter()
        .map(|table| {
            format!(
                "SELECT * FROM {table} WHERE {} = {}",
                owner_column(table),
                quote(shop)
            )
        })
        .collect();
    let results = target.rows_many(binding, &reads)?;
    Ok(tables
        .iter()
        .cloned()
        .zip(results)
        .map(|(table, mut rows)| {
            if let Some(counter) = counters.get(&table) {
                for row in &mut rows {
                    row.remove(counter);
                }
            }
            (table, rows)
        })
        .collect())
}

/// Per table: the row count and a SHA-256 over its rows, each as JSON with sorted columns, in
/// sorted order (so the rows' order in either database does not matter).
fn sums(rows: &BTreeMap<String, Vec<Row>>) -> BTreeMap<String, (usize, String)> {
    rows.iter()
        .map(|(table, rows)| {
            let mut lines: Vec<String> = rows
                .iter()
                .map(|row| {
                    let sorted: BTreeMap<&String, &Value> = row.iter().collect();
                    serde_json::to_string(&sorted).unwrap_or_default()
                })
                .collect();
            lines.sort();
            let joined = lines.join("\n");
            (
                table.clone(),
                (rows.len(), sha256_hex(&[joined.as_bytes()])),
            )
        })
        .collect()
}

/// Writes the rows into `binding` in one file, parents first.
fn write_rows(
    target: &Target,
    binding: &str,
    rows: &BTreeMap<String, Vec<Row>>,
    tables: &[String],
) -> Result<()> {
    let mut sql = String::new();
    for table in tables {
        for row in rows.get(table).into_iter().flatten() {
            let columns: Vec<&str> = row.keys().map(String::as_str).collect();
            let values: Vec<String> = row.values().map(literal).collect::<Result<_>>()?;
            sql.push_str(&format!(
                "INSERT INTO {table} ({}) VALUES ({});\n",
                columns.join(", "),
                values.join(", ")
            ));
        }
    }
    if sql.is_empty() {
        return Ok(());
    }
    let file = std::env::temp_dir().join(format!("memnun-move-{}.sql", std::process::id()));
    std::fs::write(&file, &sql)?;
    let written =
        edge::execute_file_in(binding, target.env(), &target.persist, &file, target.remote);
    let _ = std::fs::remove_file(&file);
    written
}

fn literal(value: &Value) -> Result<String> {
    Ok(match value {
        Value::Null => "NULL".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        other => bail!("a value D1 does not store: {other}"),
    })
}

fn delete_rows(target: &Target, binding: &str, shop: &str) -> Result<()> {
    let tables = tables_in_order(target, binding)?;
    delete_rows_of(target, binding, shop, &tables)
}

/// Deletes the shop's rows in `binding`, children before parents.
fn delete_rows_of(target: &Target, binding: &str, shop: &str, tables: &[String]) -> Result<()> {
    let sql: String = tables
        .iter()
        .rev()
        .map(|table| {
            format!(
                "DELETE FROM {table} WHERE {} = {};",
                owner_column(table),
                quote(shop)
            )
        })
        .collect();
    target.run(binding, &sql)
}

fn delete_leftover(target: &Target, shop: &str, left_in: &str) -> Result<()> {
    step(&format!("Deleting the old copy of {shop} in {left_in}"));
    delete_rows(target, left_in, shop)?;
    target.run(
        CONTROL,
        &format!(
            "UPDATE shop_directory SET left_in = NULL WHERE shop_id = {}",
            quote(shop)
        ),
    )?;
    println!("{shop} is in its new database; the old copy is gone.");
    Ok(())
}

/// How long an isolate trusts the directory, as the environment sets it.
fn cache_seconds(env: Option<&str>) -> Result<u64> {
    Ok(edge::var(env, "DIRECTORY_CACHE_SECONDS")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(30))
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn now_ms() -> Result<u128> {
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis())
}

// The production bundle as `wrangler deploy` would upload it, built with `--dry-run` (offline,
// nothing sent): it must build, fit Cloudflare's Workers size limit, and declare the D1 database
// with its migrations, every rate limiter the code asks for, and the assets. A merchant's first
// `wrangler deploy` (README, "Deploying") is then not the first time it is tried.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./support/harness.mjs";

const run = promisify(execFile);
const EDGE = path.join(ROOT, "edge");
/** Workers Free: 3 MiB compressed (gzip) per worker; the paid plan allows 10 MiB. */
const FREE_LIMIT = 3 * 1024 * 1024;

/** Every `env.NAME` binding the worker's Rust code reads. */
async function bindingsUsed() {
  const names = new Set();
  const files = (await fs.readdir(path.join(EDGE, "src"), { recursive: true })).filter((f) => f.endsWith(".rs"));
  for (const file of files) {
    const text = await fs.readFile(path.join(EDGE, "src", file), "utf8");
    for (const m of text.matchAll(/rate_limit\(\s*(?:&?\w+,\s*)"([A-Z_]+)"/g)) names.add(m[1]);
    for (const m of text.matchAll(/env\.(?:d1|assets|var)\("([A-Z_]+)"\)/g)) names.add(m[1]);
  }
  return names;
}

describe("production bundle (wrangler deploy --dry-run)", () => {
  test("builds offline, fits the Workers size limit, and declares its database, limits and assets", async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), "memnun-deploy-"));
    try {
      const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--env", "", "--outdir", out], {
        cwd: EDGE,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
      });
      const said = stdout + stderr;
      assert.match(said, /--dry-run: exiting now/, said);

      // What would be uploaded: the JS shim and the wasm, measured compressed as Cloudflare does.
      const files = await fs.readdir(out);
      const wasm = files.find((f) => f.endsWith(".wasm"));
      assert.ok(wasm && files.includes("index.js"), files.join(", "));
      let gzip = 0;
      for (const f of ["index.js", wasm]) gzip += gzipSync(await fs.readFile(path.join(out, f)), { level: 9 }).length;
      assert.ok(gzip < FREE_LIMIT, `the worker is ${gzip} B gzip, over the Free plan's ${FREE_LIMIT} B`);
      const reported = said.match(/Total Upload: [\d.]+ KiB \/ gzip: ([\d.]+) KiB/);
      assert.ok(reported, said);
      assert.ok(Number(reported[1]) * 1024 < FREE_LIMIT);

      // Every binding the code uses is declared for production.
      const lines = said.split("\n");
      const declared = (name) => lines.some((l) => l.trim().startsWith(`env.${name} `) || l.trim() === `env.${name}`);
      assert.ok(lines.some((l) => /env\.DB \(memnun\)\s+D1 Database/.test(l)), said);
      assert.ok(declared("ASSETS"), said);
      for (const name of await bindingsUsed()) assert.ok(declared(name), `${name} is used by the code but not declared: ${said}`);
      // Production never lets a request move the clock or count statements.
      assert.ok(lines.some((l) => /env\.CLOCK_SHIFT_ALLOWED \("false"\)/.test(l)), said);
      assert.ok(lines.some((l) => /env\.COUNT_D1_STATEMENTS \("false"\)/.test(l)), said);
      assert.ok(lines.some((l) => /env\.WEBHOOK_LOOPBACK_ALLOWED \("false"\)/.test(l)), said);
      // Nor makes its event queue's consumer fail on purpose.
      assert.ok(lines.some((l) => /env\.QUEUE_TEST_FAILURES \(""\)/.test(l)), said);
      // Its public reads are kept in Cloudflare's cache (the tests keep it off).
      assert.ok(lines.some((l) => /env\.PUBLIC_READ_CACHE \("true"\)/.test(l)), said);
      // The salt of every hash that stands for a person is a secret (`wrangler secret put`),
      // never a value committed for production: a known salt makes client hashes reversible.
      assert.ok(!lines.some((l) => /CLIENT_HASH_SALT/.test(l)), `production declares a salt: ${said}`);
      // The dashboard's page and the loader go up with the assets.
      const assets = await fs.readdir(path.join(EDGE, "public"), { recursive: true });
      for (const f of ["admin.html", path.join("v1", "memnun.js")]) assert.ok(assets.includes(f), `${f} is missing from the assets`);
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });

  test("README's configuration for several databases and an event queue deploys, each binding declared", async () => {
    const readme = await fs.readFile(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Past one database"), readme.indexOf("### Running it"));
    const blocks = [...section.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.equal(blocks.length, 2, "the databases' block and the queue's");
    // Production's part of wrangler.toml with README's additions: its tables appended, its
    // [vars] values set in production's [vars] (TOML has one table of a name).
    let config = (await fs.readFile(path.join(EDGE, "wrangler.toml"), "utf8")).split("\n[env.")[0];
    for (const block of blocks) {
      const [tables, vars = ""] = block.split(/^\[vars\]$/m);
      config += "\n" + tables.replace("<the id wrangler printed>", "4b1d5c2e-0000-4000-8000-000000000002");
      for (const [, name, value] of vars.matchAll(/^(\w+) = (".*")$/gm)) {
        assert.match(config, new RegExp(`^${name} = `, "m"), `${name} is a production var`);
        config = config.replace(new RegExp(`^${name} = .*$`, "m"), `${name} = ${value}`);
      }
    }
    const file = path.join(EDGE, `.wrangler-several-${process.pid}.toml`);
    const out = await fs.mkdtemp(path.join(os.tmpdir(), "memnun-deploy-several-"));
    await fs.writeFile(file, config);
    try {
      const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--config", file, "--outdir", out], {
        cwd: EDGE,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
      });
      const said = stdout + stderr;
      assert.match(said, /--dry-run: exiting now/, said);
      assert.match(said, /env\.DB \(memnun\)\s+D1 Database/, said);
      assert.match(said, /env\.DB_2 \(memnun-2\)\s+D1 Database/, said);
      assert.match(said, /env\.EVENTS \(memnun-events\)\s+Queue/, said);
      assert.match(said, /env\.DATA_DATABASES \("DB DB_2"\)/, said);
      assert.match(said, /env\.EVENTS_QUEUE \("EVENTS"\)/, said);
      // The consumer serves exactly the queues README names.
      const ingest = await fs.readFile(path.join(EDGE, "src/handlers/recommend/ingest.rs"), "utf8");
      for (const queue of ["memnun-events", "memnun-events-dead-letters"]) {
        assert.ok(ingest.includes(`"${queue}"`), `the consumer knows ${queue}`);
        assert.match(config, new RegExp(`\\[\\[queues\\.consumers\\]\\]\\nqueue = "${queue}"`), `README consumes ${queue}`);
      }
    } finally {
      await fs.rm(file, { force: true });
      await fs.rm(out, { recursive: true, force: true });
    }
  });

  test("the D1 migrations are declared and numbered without gaps, each applied by the tests' own databases", async () => {
    const toml = await fs.readFile(path.join(EDGE, "wrangler.toml"), "utf8");
    assert.match(toml, /migrations_dir = "migrations"/);
    const migrations = (await fs.readdir(path.join(EDGE, "migrations"))).filter((f) => f.endsWith(".sql")).sort();
    migrations.forEach((f, i) => assert.match(f, new RegExp(`^${String(i + 1).padStart(4, "0")}_[a-z0-9_]+\\.sql$`), `migration ${i + 1}: ${f}`));
    const { stdout } = await run(path.join(ROOT, "node_modules/.bin/wrangler"), ["d1", "migrations", "list", "DB", "--local", "--env", "", "--persist-to", await fs.mkdtemp(path.join(os.tmpdir(), "memnun-mig-"))], {
      cwd: EDGE,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
    });
    for (const f of migrations) assert.ok(stdout.includes(f), `wrangler does not list ${f} to apply: ${stdout}`);
  });

  // During a deploy the old worker runs against the new schema, and cached widgets talk to the new
  // worker for a while: a migration may only add (README, "Schema changes while old widgets are
  // cached"). 0001–0003 predate the first deployment. A table rebuilt in place, SQLite's only way
  // to change a constraint (`X_new` created, filled from `X`, `X` dropped, `X_new` renamed `X`),
  // is an addition when it keeps every column `X` had: the old worker's statements still fit it.
  test("migrations after the first release only add: no table or column dropped or renamed", async () => {
    const migrations = (await fs.readdir(path.join(EDGE, "migrations"))).filter((f) => f.endsWith(".sql")).sort();
    const columns = new Map();
    const learn = (sql) => {
      for (const [, table, body] of sql.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\n\) STRICT;/g)) {
        columns.set(table, new Set([...body.matchAll(/^\s+(\w+)\s+(?:TEXT|INTEGER|REAL|BLOB)\b/gm)].map((c) => c[1])));
      }
      for (const [, table, column] of sql.matchAll(/ALTER TABLE (\w+) ADD COLUMN (\w+)/gi)) columns.get(table)?.add(column);
    };
    const rebuild = /INSERT INTO (\w+)_new \(([^)]*)\)\s*SELECT [^;]*?\s+FROM (\w+);\s*DROP TABLE (\w+);\s*ALTER TABLE (\w+)_new RENAME TO (\w+);/g;
    for (const f of migrations) {
      let sql = (await fs.readFile(path.join(EDGE, "migrations", f), "utf8")).replace(/--.*$/gm, "");
      learn(sql);
      for (const [whole, table, kept, from, dropped, renamed, to] of sql.matchAll(rebuild)) {
        assert.deepEqual([from, dropped, renamed, to], [table, table, table, table], `${f}: a rebuild of ${table} keeps its name`);
        const copied = new Set(kept.split(",").map((c) => c.trim()));
        for (const column of columns.get(table) ?? []) assert.ok(copied.has(column), `${f}: ${table}.${column} is kept`);
        assert.ok(columns.get(table)?.size, `${f}: ${table} was a table`);
        for (const column of columns.get(table)) assert.ok(columns.get(`${table}_new`)?.has(column), `${f}: ${table}_new has ${column}`);
        columns.set(table, columns.get(`${table}_new`));
        sql = sql.replace(whole, "");
      }
      if (Number(f.slice(0, 4)) > 3) {
        assert.doesNotMatch(sql, /\bDROP\s+(TABLE|COLUMN)\b|\bRENAME\b|ALTER\s+TABLE\s+\w+\s+DROP\b/i, f);
      }
    }
  });
});

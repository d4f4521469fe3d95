// Starts what the end-to-end tests run against: the real worker under workerd (through
// miniflare's API, test environment of wrangler.toml, from the prebuilt bundle) with a fresh
// local D1 in a temporary directory, migrated by wrangler; and the demo site with its strict
// CSP. Each server binds 127.0.0.1 on a free port and is stopped by the test that started it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createHash, createHmac, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import { Log, LogLevel, Miniflare } from "miniflare";
import wranglerApi from "wrangler";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { startSite } from "../../demo-site/serve.mjs";
import { chromium } from "playwright-core";

const run = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const EDGE_DIR = path.join(ROOT, "edge");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");
const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  CI: "true",
};

export const TEST_SHOP = "test-shop";
/** The hourly Cron Trigger's schedule (`wrangler.toml`). */
export const HOURLY = "0 * * * *";
export const TEST_API_KEY = "mk_test_key_for_tests_only";
export const TEST_TOKEN_SECRET = "test-token-secret";

/** The edge's API key hash: SHA-256 over length-prefixed parts (protocol/src/digest.rs). */
export function apiKeyHash(key) {
  const hash = createHash("sha256");
  for (const part of [Buffer.from("memnun-api-key"), Buffer.from(key)]) {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(part.length));
    hash.update(len).update(part);
  }
  return hash.digest("hex");
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function wrangler(args, persist, env = "test") {
  const { stdout } = await run(WRANGLER, [...args, "--local", "--env", env, "--persist-to", persist], {
    cwd: EDGE_DIR,
    env: WRANGLER_ENV,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export const sqlQuote = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** The D1 bindings of a wrangler.toml environment: the control database `DB` first. */
export function databasesOf(env = "test") {
  const { workerOptions } = wranglerApi.unstable_getMiniflareWorkerOptions(path.join(EDGE_DIR, "wrangler.toml"), env);
  return Object.keys(workerOptions.d1Databases ?? {}).sort();
}

export class Edge {
  /** Fresh databases with the migrations applied and a test shop allowing `origins`; the other
   * shop lives in `otherShopDatabase` (the directory says so when it is not `DB`). */
  static async start({ origins = [], demoSeed = false, env = "test", script, captureLog = false, vars = {}, otherShopDatabase = "DB" } = {}) {
    const persist = await fs.mkdtemp(path.join(os.tmpdir(), "memnun-d1-"));
    // Migrations go through wrangler, exactly as in the demo and in production: every database
    // has the one schema.
    for (const binding of databasesOf(env)) await wrangler(["d1", "migrations", "apply", binding], persist, env);
    const edge = new Edge(persist, env, script);
    edge.captureLog = captureLog;
    edge.vars = vars;
    await edge.start();
    let sql = [
      `INSERT INTO shops (id, name, created_at) VALUES ('${TEST_SHOP}', 'Test', 0);`,
      `INSERT INTO shop_secrets (shop_id, kid, secret, created_at) VALUES ('${TEST_SHOP}', 's1', ${sqlQuote(TEST_TOKEN_SECRET)}, 0);`,
      `INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES ('${apiKeyHash(TEST_API_KEY)}', '${TEST_SHOP}', 'tests', 0);`,
      ...origins.map((o) => `INSERT INTO shop_origins (shop_id, origin) VALUES ('${TEST_SHOP}', ${sqlQuote(o)});`),
    ].join("\n");
    if (demoSeed) sql += "\n" + (await fs.readFile(path.join(ROOT, "demo-site/seed.sql"), "utf8"));
    await edge.execute(sql);
    await edge.addShop("other-shop", { name: "Other", secret: "other-secret", database: otherShopDatabase });
    return edge;
  }

  /** A shop in `database`, with its signing secret (kid s1), and its directory row when that is
   * not the database of shops the directory does not name. */
  async addShop(shop, { name = shop, secret = "secret", database = "DB" } = {}) {
    await this.execute(
      `INSERT INTO shops (id, name, created_at) VALUES (${sqlQuote(shop)}, ${sqlQuote(name)}, 0);
       INSERT INTO shop_secrets (shop_id, kid, secret, created_at) VALUES (${sqlQuote(shop)}, 's1', ${sqlQuote(secret)}, 0);`,
      database,
    );
    if (database !== "DB") {
      await this.query("INSERT INTO shop_directory (shop_id, database, placed_at) VALUES (?1, ?2, 0)", shop, database);
    }
  }

  /** A merchant key of `shop` (in `database`, and in the key directory when that is not `DB`). */
  async addKey(shop, key, name, { database = "DB", scope = "full" } = {}) {
    await this.queryOn(database, "INSERT INTO api_keys (key_hash, shop_id, name, scope, created_at) VALUES (?1, ?2, ?3, ?4, 0)", apiKeyHash(key), shop, name, scope);
    if (database !== "DB") await this.query("INSERT INTO key_directory (key_hash, shop_id) VALUES (?1, ?2)", apiKeyHash(key), shop);
  }

  /** `script` replaces the built worker (the bench's JavaScript baseline runs this way);
   * MEMNUN_EDGE_SCRIPT does so for every test, e.g. to show a new test fails on an older build. */
  constructor(persist, env = "test", script = process.env.MEMNUN_EDGE_SCRIPT || path.join(EDGE_DIR, "build/index.js")) {
    this.persist = persist;
    this.env = env;
    this.script = script;
    this.port = 0;
    this.mf = null;
    this.captureLog = false;
    this.vars = {};
    this.log = "";
  }

  /** Runs the prebuilt worker under workerd through miniflare's API (no dev-server proxy, no
   * file watcher), configured from wrangler.toml's test environment. */
  async start() {
    const { workerOptions } = wranglerApi.unstable_getMiniflareWorkerOptions(path.join(EDGE_DIR, "wrangler.toml"), this.env);
    this.mf = new Miniflare({
      ...workerOptions,
      // Secrets a deployment sets with `wrangler secret put` (production's config holds none).
      bindings: { ...workerOptions.bindings, ...this.vars },
      scriptPath: this.script,
      modules: true,
      d1Persist: path.join(this.persist, "v3", "d1"),
      r2Persist: path.join(this.persist, "v3", "r2"),
      host: "127.0.0.1",
      port: this.port,
      cf: false,
      // MEMNUN_EDGE_INSPECTOR=<port> opens workerd's DevTools protocol there (bench/edge-profile.mjs).
      ...(process.env.MEMNUN_EDGE_INSPECTOR ? { inspectorPort: Number(process.env.MEMNUN_EDGE_INSPECTOR) } : {}),
      // MEMNUN_EDGE_LOG=1 shows the worker's console and workerd's own output, for debugging.
      ...(process.env.MEMNUN_EDGE_LOG ? { log: new Log(LogLevel.DEBUG), handleRuntimeStdio: (out, err) => { out.pipe(process.stderr); err.pipe(process.stderr); } } : {}),
      // `edge.log` collects every line the worker writes, for tests that read the logs.
      ...(this.captureLog ? { handleRuntimeStdio: (out, err) => { for (const s of [out, err]) s.on("data", (d) => { this.log += d.toString(); }); } } : {}),
    });
    const url = await this.mf.ready;
    this.port = Number(url.port);
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** Runs the scheduled handler as if the Cron Trigger `cron` fired at `timeMs`: the every-minute
   * one unless told (`HOURLY` is the other). */
  async scheduled(timeMs = Date.now(), cron = "* * * * *") {
    const worker = await this.mf.getWorker();
    const result = await worker.scheduled({ scheduledTime: new Date(Math.round(timeMs)), cron });
    if (result.outcome !== "ok") throw new Error(`scheduled handler: ${JSON.stringify(result)}`);
  }

  async stop() {
    const mf = this.mf;
    this.mf = null;
    await mf?.dispose();
  }

  /** One of the edge's D1 databases: the control database `DB` unless told. */
  async db(binding = "DB") {
    return this.mf.getD1Database(binding);
  }

  /** Rows of a SQL query against the edge's control database (also the data database of the
   * shops the directory does not name). */
  async query(sql, ...params) {
    return this.queryOn("DB", sql, ...params);
  }

  /** Rows of a SQL query against the D1 database `binding`. */
  async queryOn(binding, sql, ...params) {
    const db = await this.db(binding);
    return (await db.prepare(sql).bind(...params).all()).results;
  }

  /** Runs a script of SQL statements in one batch, in `binding`. */
  async execute(sql, binding = "DB") {
    const db = await this.db(binding);
    const statements = wranglerApi.unstable_splitSqlQuery(sql).filter((s) => s.trim());
    await db.batch(statements.map((s) => db.prepare(s)));
  }

  async allowOrigin(shop, origin) {
    await this.query("INSERT OR IGNORE INTO shop_origins (shop_id, origin) VALUES (?1, ?2)", shop, origin);
  }

  async cleanup() {
    await this.stop();
    await fs.rm(this.persist, { recursive: true, force: true });
  }
}

/** The demo shop's catalog (`demo-site/catalog.json`), its pages and pictures on the demo site at
 * `siteUrl`, as `cargo xtask demo` seeds it: the items of a `PUT /v1/admin/catalog`. */
export async function demoCatalog(siteUrl) {
  const items = JSON.parse(await fs.readFile(path.join(ROOT, "demo-site/catalog.json"), "utf8"));
  return items.map((item) => ({ ...item, url: `${siteUrl}/products/${item.id}.html`, image_url: `${siteUrl}/img/${item.id}.svg` }));
}

/** The demo site's pages (and the test pages) against `edgeUrl`, with their CSP; `headScript`
 * as `startSite` takes it. */
export async function startDemoSite(edgeUrl, extraRoots = [], { headScript } = {}) {
  const server = await startSite({
    port: 0,
    edge: edgeUrl,
    roots: [path.join(ROOT, "demo-site"), path.join(ROOT, "tests/pages"), ...extraRoots],
    headScript,
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, stop: () => new Promise((r) => server.close(r)) };
}

let clientCounter = 0;
/** A new simulated client address, so tests are not answered by the rate limiter. */
// Cloudflare's rate limiter, as miniflare emulates it, counts in fixed windows of its period
// (60 s here), and every count resets when a window ends: a test that counts requests up to a
// limit waits, when a window is about to end, for the next one, so its count is not cut in two.
export async function inOneRateWindow(needMs = 10_000, periodMs = 60_000) {
  const left = periodMs - (Date.now() % periodMs);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 250));
}

export function newClient() {
  clientCounter += 1;
  const n = clientCounter + process.pid * 1000;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

let reviewCounter = 0;

/** A valid review; each call's body differs, since the same body twice for one product within a
 * day is held as a duplicate. `fill_ms` is what the widget sends: a person took 8 s. */
export function review(overrides = {}) {
  reviewCounter += 1;
  return {
    product: "sku-1",
    rating: 4,
    title: "Güzel ürün",
    body: `Kumaşı yumuşak, dikişleri sağlam. (${process.pid}-${reviewCounter})`,
    author: "Ayşe",
    email: "ayse@example.com",
    locale: "tr",
    fill_ms: 8000,
    ...overrides,
  };
}

/** POSTs a review as a page on `origin` would. */
export async function postReview(edge, body, { origin, key = randomUUID(), client = newClient(), shop = TEST_SHOP, headers = {} } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/${shop}/reviews`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": key,
      "CF-Connecting-IP": client,
      ...(origin ? { Origin: origin } : {}),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text };
}

export async function getReviews(edge, product, query = "", shop = TEST_SHOP) {
  const res = await fetch(`${edge.url}/v1/shops/${shop}/products/${product}/reviews${query}`);
  return { status: res.status, headers: res.headers, json: await res.json().catch(() => null) };
}

export const CHROMIUM = process.env.MEMNUN_CHROMIUM || "/usr/bin/chromium";
/** Headless Chromium with no background traffic (the network here is closed). */
export const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** An init script (DevTools injection, so the page's CSP does not apply) that records long tasks
 * and the cumulative layout shift in `window.__perf`. */
export function observePerformance() {
  window.__perf = { longTasks: [], shifts: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__perf.longTasks.push(e.duration);
  }).observe({ type: "longtask", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__perf.shifts += e.value;
  }).observe({ type: "layout-shift", buffered: true });
}

/** The demo shop against a fresh edge, and a browser to visit it; `stop()` ends all three. */
export async function startShopInBrowser({ extraRoots = [], vars = {} } = {}) {
  const edge = await Edge.start({ demoSeed: true, vars });
  const site = await startDemoSite(edge.url, extraRoots);
  await edge.allowOrigin("demo", site.url);
  const browser = await launchChromium();
  return {
    edge,
    site,
    browser,
    async stop() {
      await browser.close();
      await site.stop();
      await edge.cleanup();
    },
  };
}

async function answer(res) {
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text };
}

/** Calls the merchant API (`/v1/admin/{path}`) with `key` (null: no Authorization header). */
/**
 * The review form's code is a part fetched when the shopper asks for it: presses "Write a review"
 * (in either language) in the reviews widget `reviews` (a locator) and waits for the form.
 */
export async function openReviewForm(reviews) {
  await reviews.locator("button.write-open").click();
  await reviews.locator("form[aria-labelledby=memnun-form-heading]").waitFor();
}

export async function adminCall(edge, method, path, { key = TEST_API_KEY, body, headers = {} } = {}) {
  const res = await fetch(`${edge.url}/v1/admin/${path}`, {
    method,
    headers: {
      ...(key === null ? {} : { Authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return answer(res);
}

/** Imports a reviews CSV as the merchant; the answer is the import's report (200 expected). */
export async function importReviews(edge, csv) {
  const res = await adminCall(edge, "POST", "reviews/import", { body: csv, headers: { "Content-Type": "text/csv" } });
  if (res.status !== 200) throw new Error(`import: ${res.status} ${res.text}`);
  return res.json;
}

/** A shopper's vote or report (`kind`: "votes" or "reports") on a review, from `origin`. */
export async function postFeedback(edge, reviewId, kind, body, { origin, key = randomUUID(), client = newClient(), shop = TEST_SHOP } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/${shop}/reviews/${reviewId}/${kind}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": key,
      "CF-Connecting-IP": client,
      ...(origin ? { Origin: origin } : {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return answer(res);
}

/** A signed link's token, made the way docs/API.md tells merchants' servers to make one. */
export function signToken(claims, secret) {
  const signed = `v1.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  const mac = createHmac("sha256", secret).update(signed).digest("base64url");
  return `${signed}.${mac}`;
}

/** A real PNG of `width` × `height` RGB pixels in bands of colour; with `text`, a text chunk
 * beside them, as cameras and editors write (where a photo was taken). */
export function png(width, height, { text } = {}) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((3 * width + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const band = Math.floor((y / height) * 4);
    for (let x = 0; x < width; x += 1) rows.set([60 * band, 200 - 40 * band, (x * 255) / width], y * (3 * width + 1) + 1 + 3 * x);
  }
  const extra = text === undefined ? [] : [chunk("tEXt", Buffer.from(text))];
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr), ...extra, chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A phone in `browser`: a small touch screen, Turkish; its page collects errors in `page.errors`. */
export async function phone(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "tr-TR" });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  return { context, page };
}

/** What axe-core finds wrong (WCAG 2.2 AA and best practice) in the element `selector` names,
 * shadow roots included; evaluated through DevTools, so the page's CSP does not apply. */
export async function axeViolations(page, selector = '[data-memnun="reviews"]') {
  await page.evaluate(await fs.readFile(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8"));
  return page.evaluate(async (selector) => {
    const result = await window.axe.run(document.querySelector(selector), {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  }, selector);
}

/** `check()`'s first truthy answer, asked again every 200 ms: waiting for a condition, not for a
 * duration. */
export async function until(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

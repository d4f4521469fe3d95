// Operations against the real worker: the health check (worker and D1), the headers every
// answer carries (request id, nosniff, CORP, caching by privacy), log lines that name their
// request and nothing secret, the lockout that stops API-key guessing, and the retention purge
// run by the scheduled handler.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Edge, ROOT, TEST_API_KEY, TEST_TOKEN_SECRET, adminCall, newClient, postReview, review } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

let edge;
before(async () => {
  edge = await Edge.start({ origins: [ORIGIN], captureLog: true });
});
after(async () => {
  await edge?.cleanup();
});

const migrationFiles = async () => (await fs.readdir(path.join(ROOT, "edge/migrations"))).filter((f) => f.endsWith(".sql"));

describe("health", () => {
  test("GET /v1/health says the worker and D1 answer, with the schema's migration count", async () => {
    const res = await fetch(`${edge.url}/v1/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, database: "ok", migrations: (await migrationFiles()).length });
    assert.equal(res.headers.get("cache-control"), "no-store", "a monitor must never see a cached green");
    assert.equal((await fetch(`${edge.url}/v1/health`, { method: "HEAD" })).status, 200);
    const post = await fetch(`${edge.url}/v1/health`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
  });

  test("a database that does not answer is a 503, logged with the answer's request id", async () => {
    // A worker whose D1 has no schema: the health query fails as it would on a broken binding.
    const persist = await fs.mkdtemp(path.join(os.tmpdir(), "memnun-d1-"));
    const broken = new Edge(persist);
    broken.captureLog = true;
    await broken.start();
    try {
      const res = await fetch(`${broken.url}/v1/health`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { ok: false, database: "unavailable" });
      const id = res.headers.get("x-request-id");
      assert.match(id, /^[0-9a-f]{16}$/);
      assert.equal(res.headers.get("memnun-log-detail"), null, "the detail stays in the log");
      const line = await logLine(broken, id);
      assert.equal(line.level, "error");
      assert.match(line.message, /health: the database did not answer/);
    } finally {
      await broken.cleanup();
    }
  });
});

/** The JSON log line naming request `id` (workerd writes asynchronously: wait a little). */
async function logLine(target, id) {
  for (let i = 0; i < 50; i++) {
    const line = target.log
      .split("\n")
      .map((l) => l.slice(l.indexOf("{")))
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return null;
        }
      })
      .find((l) => l?.request_id === id);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no log line for request ${id} in:\n${target.log}`);
}

describe("headers on every answer", () => {
  const publicCors = "cross-origin";
  const cases = [
    { name: "health", path: "/v1/health", status: 200, corp: "same-origin", cache: /no-store/ },
    { name: "loader", path: "/v1/memnun.js", status: 200, corp: publicCors, cache: /^public/ },
    { name: "public reviews", path: "/v1/shops/test-shop/products/p-1/reviews", status: 200, corp: publicCors, cache: /./ },
    { name: "public read error", path: "/v1/shops/test-shop/products/p-1/nothing", status: 404, corp: publicCors, cache: /no-store/ },
    { name: "review write", method: "POST", path: "/v1/shops/test-shop/reviews", write: true, status: 201, corp: publicCors, cache: /no-store/ },
    { name: "malformed write", method: "POST", path: "/v1/shops/test-shop/reviews", body: "{", status: 400, corp: publicCors, cache: /no-store/ },
    { name: "preflight", method: "OPTIONS", path: "/v1/shops/test-shop/reviews", status: 204, corp: publicCors, cache: /no-store/ },
    { name: "admin list", path: "/v1/admin/reviews", key: true, status: 200, corp: "same-origin", cache: /no-store/ },
    { name: "admin CSV", path: "/v1/admin/reviews.csv", key: true, status: 200, corp: "same-origin", cache: /no-store/ },
    { name: "admin without key", path: "/v1/admin/reviews", status: 401, corp: "same-origin", cache: /no-store/ },
    { name: "dashboard", path: "/admin", status: 200, corp: "same-origin", cache: /no-cache/ },
    { name: "dashboard slash", path: "/admin/", status: 308, corp: "same-origin", cache: /no-store/ },
    { name: "unknown route", path: "/v2/anything", status: 404, corp: "same-origin", cache: /no-store/ },
    { name: "wrong method", method: "DELETE", path: "/v1/health", status: 405, corp: "same-origin", cache: /no-store/ },
  ];
  const seen = new Set();
  for (const c of cases) {
    test(`${c.name}: ${c.method ?? "GET"} ${c.path} → ${c.status}, request id, nosniff, CORP ${c.corp}`, async () => {
      const headers = { "CF-Connecting-IP": newClient() };
      if (c.key) headers.Authorization = `Bearer ${TEST_API_KEY}`;
      let body;
      if (c.method === "POST") {
        headers["Content-Type"] = "application/json";
        headers["Idempotency-Key"] = crypto.randomUUID();
        headers.Origin = ORIGIN;
        body = c.body ?? JSON.stringify(review({ product: "p-1" }));
      }
      if (c.method === "OPTIONS") Object.assign(headers, { Origin: ORIGIN, "Access-Control-Request-Method": "POST" });
      const res = await fetch(`${edge.url}${c.path}`, { method: c.method ?? "GET", headers, body, redirect: "manual" });
      await res.arrayBuffer();
      assert.equal(res.status, c.status);
      const id = res.headers.get("x-request-id");
      assert.match(id ?? "", /^[0-9a-f]{16}$/);
      assert.ok(!seen.has(id), "each answer has its own id");
      seen.add(id);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("cross-origin-resource-policy"), c.corp);
      assert.match(res.headers.get("cache-control") ?? "", c.cache);
      assert.equal(res.headers.get("memnun-log-detail"), null);
      if (c.corp === "same-origin") {
        assert.equal(res.headers.get("access-control-allow-origin"), null, "private answers are not readable cross-origin");
        assert.doesNotMatch(res.headers.get("cache-control") ?? "", /public/);
      }
      if (c.status === 308) assert.equal(res.headers.get("location"), "/admin");
    });
  }
});

describe("logs", () => {
  test("an internal error is logged with its request id and detail; the answer says only 'internal error'", async () => {
    await edge.execute("ALTER TABLE survey_settings RENAME TO survey_settings_moved;");
    try {
      const r = await adminCall(edge, "GET", "survey");
      assert.equal(r.status, 500);
      assert.deepEqual(r.json.error, { code: "internal", message: "internal error" });
      assert.doesNotMatch(r.text, /survey_settings|SQL|D1/i);
      const line = await logLine(edge, r.headers.get("x-request-id"));
      assert.match(line.message, /internal error: .*survey_settings/);
    } finally {
      await edge.execute("ALTER TABLE survey_settings_moved RENAME TO survey_settings;");
    }
  });

  test("no log line carries an email, a key, a secret or a client address", async () => {
    const email = "gizli.alici@example.com";
    const address = "203.0.113.77";
    await postReview(edge, review({ product: "p-log", email }), { origin: ORIGIN, client: address });
    await adminCall(edge, "PUT", "orders/log-1", {
      body: { number: "8801", email, placed_at: "2026-11-20T10:00:00Z", items: [{ product: "p-log", quantity: 1 }], shipments: [] },
    });
    await fetch(`${edge.url}/v1/shops/test-shop/orders/lookup`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": address },
      body: JSON.stringify({ number: "8801", email: "wrong." + email }),
    });
    const webhook = await adminCall(edge, "PUT", "webhook", { body: { url: "http://127.0.0.1:9/hook" } });
    await adminCall(edge, "GET", "reviews", { key: "mk_wrong_key_logged_nowhere", headers: { "CF-Connecting-IP": address } });
    await edge.scheduled(Date.now());
    // Something was logged (the internal error above), so the capture works.
    assert.match(edge.log, /request_id/);
    for (const secret of [email, address, TEST_API_KEY, "mk_wrong_key_logged_nowhere", TEST_TOKEN_SECRET, webhook.json?.secret].filter(Boolean)) {
      assert.ok(!edge.log.toLowerCase().includes(secret.toLowerCase()), `the log must not contain ${secret}`);
    }
  });
});

describe("API-key guessing", () => {
  test("20 wrong keys from one address lock it out for 15 minutes, right key included; other addresses are unaffected", async () => {
    const guesser = newClient();
    for (let i = 0; i < 20; i++) {
      const r = await adminCall(edge, "GET", "shop", { key: `mk_guess_${i}`, headers: { "CF-Connecting-IP": guesser } });
      assert.equal(r.status, 401, `guess ${i}`);
    }
    const locked = await adminCall(edge, "GET", "shop", { key: "mk_guess_20", headers: { "CF-Connecting-IP": guesser } });
    assert.equal(locked.status, 429);
    assert.equal(locked.json.error.code, "rate_limited");
    const retry = Number(locked.headers.get("retry-after"));
    assert.ok(retry > 800 && retry <= 900, `Retry-After ${retry}`);
    // Refused before the key is looked at: a right guess after the limit teaches nothing.
    const right = await adminCall(edge, "GET", "shop", { headers: { "CF-Connecting-IP": guesser } });
    assert.equal(right.status, 429);
    assert.equal((await adminCall(edge, "GET", "shop", { headers: { "CF-Connecting-IP": newClient() } })).status, 200);
    const later = await adminCall(edge, "GET", "shop", {
      headers: { "CF-Connecting-IP": guesser, "X-Memnun-Clock-Shift-Ms": String(15 * MINUTE + 1000) },
    });
    assert.equal(later.status, 200, "the window passes");
  });

  test("a merchant's right key does not reset its address's count", async () => {
    const mixed = newClient();
    for (let i = 0; i < 20; i++) {
      assert.equal((await adminCall(edge, "GET", "shop", { key: `mk_try_${i}`, headers: { "CF-Connecting-IP": mixed } })).status, 401);
      if (i % 5 === 0) assert.equal((await adminCall(edge, "GET", "shop", { headers: { "CF-Connecting-IP": mixed } })).status, 200);
    }
    assert.equal((await adminCall(edge, "GET", "shop", { key: "mk_try_x", headers: { "CF-Connecting-IP": mixed } })).status, 429);
  });
});

describe("retention purge (scheduled handler)", () => {
  test("old events, views, idempotency records, key failures and finished deliveries go; recent ones and reviews stay", async () => {
    const now = Date.now();
    const put = await adminCall(edge, "PUT", "shop", { body: { event_retention_days: 30 } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.event_retention_days, 30);
    assert.equal((await adminCall(edge, "PUT", "shop", { body: { event_retention_days: 10 } })).status, 422);
    const other = (await adminCall(edge, "GET", "shop", { key: TEST_API_KEY })).json;
    assert.equal(other.event_retention_days, 30);
    const sql = [];
    for (const [shop, age, id] of [
      ["test-shop", 31 * DAY, "old"],
      ["test-shop", 29 * DAY, "recent"],
      // other-shop keeps the default, 395 days: 31 days is young there.
      ["other-shop", 31 * DAY, "other-31d"],
      ["other-shop", 396 * DAY, "other-old"],
    ]) {
      sql.push(`INSERT INTO shopper_events (shop_id, id, browser_key, kind, product_id, time) VALUES ('${shop}', 'ev-${id}', 'b-${id}', 'view', 'p-1', ${now - age});`);
      sql.push(`INSERT INTO browser_views (shop_id, browser_key, product_id, first_at) VALUES ('${shop}', 'b-${id}', 'p-1', ${now - age});`);
    }
    sql.push(`INSERT INTO idempotency_keys (shop_id, endpoint, idempotency_key, request_hash, status, response_body, created_at) VALUES ('test-shop', 'reviews', 'k-old', 'h', 201, '{}', ${now - 49 * 3600 * 1000}), ('test-shop', 'reviews', 'k-new', 'h', 201, '{}', ${now - 3600 * 1000});`);
    sql.push(`INSERT INTO admin_auth_failures (client_hash, window_start, failures) VALUES ('c-old', ${now - 16 * MINUTE}, 20), ('c-new', ${now - MINUTE}, 3);`);
    sql.push(`INSERT INTO webhook_outbox (id, shop_id, event_type, event_key, payload, next_attempt_at, delivered_at, failed_at, created_at) VALUES
      ('w-old', 'test-shop', 'order.delivered', 'k1', '{}', 0, ${now - 31 * DAY}, NULL, ${now - 31 * DAY}),
      ('w-failed', 'test-shop', 'order.delivered', 'k2', '{}', 0, NULL, ${now - 31 * DAY}, ${now - 31 * DAY}),
      ('w-pending', 'test-shop', 'order.delivered', 'k3', '{}', ${now + DAY}, NULL, NULL, ${now - 31 * DAY}),
      ('w-recent', 'test-shop', 'order.delivered', 'k4', '{}', 0, ${now - DAY}, NULL, ${now - DAY});`);
    await edge.execute(sql.join("\n"));
    const reviewsBefore = (await edge.query("SELECT count(*) AS n FROM reviews"))[0].n;

    await edge.scheduled(now);

    const ids = async (q) => (await edge.query(q)).map((r) => Object.values(r)[0]).sort();
    assert.deepEqual(await ids("SELECT id FROM shopper_events WHERE id LIKE 'ev-%'"), ["ev-other-31d", "ev-recent"]);
    assert.deepEqual(await ids("SELECT browser_key FROM browser_views WHERE browser_key LIKE 'b-%'"), ["b-other-31d", "b-recent"]);
    assert.deepEqual(await ids("SELECT idempotency_key FROM idempotency_keys WHERE idempotency_key LIKE 'k-%'"), ["k-new"]);
    assert.deepEqual(await ids("SELECT client_hash FROM admin_auth_failures WHERE client_hash LIKE 'c-%'"), ["c-new"]);
    assert.deepEqual(await ids("SELECT id FROM webhook_outbox WHERE id LIKE 'w-%'"), ["w-pending", "w-recent"], "an undelivered event is never purged");
    assert.equal((await edge.query("SELECT count(*) AS n FROM reviews"))[0].n, reviewsBefore, "reviews are the merchant's, not purged");
  });

  test("a backlog drains in bounded slices, one per run", async () => {
    const now = Date.now();
    const rows = Array.from({ length: 700 }, (_, i) => `('test-shop', 'backlog', 'b-${i}', 'h', 201, '{}', ${now - 3 * DAY})`);
    await edge.execute(`INSERT INTO idempotency_keys (shop_id, endpoint, idempotency_key, request_hash, status, response_body, created_at) VALUES ${rows.join(",")};`);
    const left = async () => (await edge.query("SELECT count(*) AS n FROM idempotency_keys WHERE endpoint = 'backlog'"))[0].n;
    await edge.scheduled(now);
    assert.equal(await left(), 200, "500 per run");
    await edge.scheduled(now + MINUTE);
    assert.equal(await left(), 0);
  });
});

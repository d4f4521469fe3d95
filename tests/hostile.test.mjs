// The hostile corpus (`tests/hostile/requests.json`, data, not code) against every public and
// merchant endpoint of the real worker: wrong types, missing and extra fields, huge and NaN
// numbers, 1 MB and deeply nested bodies, invalid UTF-8, control and bidirectional characters,
// SQL, HTML and CSV-formula payloads, traversal in ids, smuggled origins and header values, wrong
// methods and content types, missing and forged keys and tokens. Each must be a 4xx JSON error
// with a message (never a 5xx), nothing may be stored, and normal requests still work after.
//
// An entry: {name, method, path ({shop}, {review}, {order} filled in), status (expected) and
// allow_status (other acceptable 4xx), auth ("key" | "none" | "forged"), origin ("allowed" |
// "foreign"), idem (send an Idempotency-Key), headers, type, and one body: json (an object),
// body (text), base64 (bytes) or repeat ({prefix, char, count, suffix}).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { Edge, ROOT, TEST_API_KEY, adminCall, newClient, postReview, review } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const corpus = JSON.parse(await fs.readFile(path.join(ROOT, "tests/hostile/requests.json"), "utf8"));

let edge, reviewId, snapshot;
// Tables whose changes refused requests cause by design: the failed-key count is the lockout
// itself, and a key's last use is written when it authenticates.
const VOLATILE = new Set(["admin_auth_failures", "api_keys", "d1_migrations", "_cf_KV", "sqlite_sequence"]);

async function contents() {
  const tables = (await edge.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'"))
    .map((r) => r.name)
    .filter((t) => !VOLATILE.has(t));
  const all = {};
  for (const t of tables) all[t] = JSON.stringify(await edge.query(`SELECT * FROM ${t} ORDER BY rowid`));
  return all;
}

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
  const written = await postReview(edge, review({ product: "fincan" }), { origin: ORIGIN });
  assert.equal(written.status, 201, written.text);
  reviewId = written.json.review.id;
  const order = await adminCall(edge, "PUT", "orders/H-1", {
    body: { number: "H-1", email: "h@example.com", placed_at: "2026-11-01T10:00:00Z", items: [{ product: "fincan", quantity: 1 }], shipments: [{ id: "s1", carrier: "Aras" }] },
  });
  assert.equal(order.status, 200, order.text);
  snapshot = await contents();
});
after(async () => {
  await edge?.cleanup();
});

function bodyOf(entry) {
  if (entry.json !== undefined) return JSON.stringify(entry.json);
  if (entry.body !== undefined) return entry.body;
  if (entry.base64 !== undefined) return Buffer.from(entry.base64, "base64");
  if (entry.repeat) return entry.repeat.prefix + entry.repeat.char.repeat(entry.repeat.count) + entry.repeat.suffix;
  return undefined;
}

async function send(entry) {
  const url = edge.url + entry.path.replaceAll("{shop}", "test-shop").replaceAll("{review}", reviewId).replaceAll("{order}", "H-1");
  const body = bodyOf(entry);
  // Every request from its own address: the per-client limits and the key lockout must not
  // answer in place of the code under test.
  const headers = { "CF-Connecting-IP": newClient() };
  if (body !== undefined) headers["Content-Type"] = entry.type ?? "application/json";
  if (entry.auth === "key") headers.Authorization = `Bearer ${TEST_API_KEY}`;
  if (entry.auth === "forged") headers.Authorization = `Bearer mk_${"0".repeat(48)}`;
  if (entry.origin === "allowed") headers.Origin = ORIGIN;
  if (entry.origin === "foreign") headers.Origin = "https://evil.example";
  if (entry.idem) headers["Idempotency-Key"] = randomUUID();
  Object.assign(headers, entry.headers ?? {});
  const res = await fetch(url, { method: entry.method, headers, body });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

describe("hostile corpus", () => {
  const refused = [];
  test(`the corpus has at least 60 requests (${corpus.length}) reaching every kind of endpoint`, () => {
    assert.ok(corpus.length >= 60);
    for (const prefix of ["/v1/shops/{shop}/reviews", "/v1/shops/{shop}/orders", "/v1/shops/{shop}/events", "/v1/shops/{shop}/survey", "/v1/shops/{shop}/products", "/v1/admin/reviews", "/v1/admin/orders", "/v1/admin/shop", "/v1/admin/keys", "/v1/admin/webhook", "/v1/admin/shoppers", "/v1/admin/reports", "/v1/assets"]) {
      assert.ok(corpus.some((e) => e.path.startsWith(prefix)), prefix);
    }
  });

  for (const entry of corpus) {
    test(`${entry.method} ${entry.path}: ${entry.name} → ${entry.status}`, async () => {
      const r = await send(entry);
      assert.ok(r.status < 500, `a ${r.status}: ${r.text.slice(0, 300)}`);
      const allowed = [entry.status, ...(entry.allow_status ?? [])];
      assert.ok(allowed.includes(r.status), `expected ${allowed.join(" or ")}, got ${r.status}: ${r.text.slice(0, 300)}`);
      assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(typeof r.json?.error?.code, "string", r.text.slice(0, 200));
      assert.ok(r.json.error.message.length > 5, "a message a developer can act on");
      assert.doesNotMatch(r.text, /D1_|SQLITE|panicked|RuntimeError|unreachable/i, "no internals in the answer");
      assert.ok(r.headers.get("x-request-id"));
      refused.push(entry.name);
    });
  }

  test("nothing was stored or changed by any of them", async () => {
    const now = await contents();
    for (const [table, rows] of Object.entries(snapshot)) assert.equal(now[table], rows, `table ${table} changed`);
  });

  test("extra fields on a valid review are ignored: they claim no status, trust, count, shop or id", async () => {
    const forged = review({ product: "fincan", status: "published", verified: true, helpful: 99, helpful_count: 99, shop_id: "other-shop", id: "r-forged", order_id: "H-1", source: "import" });
    const r = await postReview(edge, forged, { origin: ORIGIN, client: newClient() });
    assert.equal(r.status, 201, r.text);
    const [row] = await edge.query("SELECT id, shop_id, verified, helpful_count, order_id, source FROM reviews WHERE id = ?1", r.json.review.id);
    assert.deepEqual(row, { id: r.json.review.id, shop_id: "test-shop", verified: 0, helpful_count: 0, order_id: null, source: "widget" });
    assert.notEqual(row.id, "r-forged");
  });

  test("normal requests still work after the corpus", async () => {
    const written = await postReview(edge, review({ product: "fincan" }), { origin: ORIGIN });
    assert.equal(written.status, 201, written.text);
    assert.equal((await adminCall(edge, "GET", "reviews")).status, 200);
    const lookup = await fetch(`${edge.url}/v1/shops/test-shop/orders/lookup`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": newClient() },
      body: JSON.stringify({ number: "H-1", email: "h@example.com" }),
    });
    assert.equal(lookup.status, 200, await lookup.text());
    console.log(`hostile corpus: ${corpus.length} requests tried, ${refused.length} refused correctly`);
    assert.equal(refused.length, corpus.length);
  });
});

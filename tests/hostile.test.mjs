// The hostile corpus (`tests/hostile/requests.json`: data, not code) against every public and
// merchant endpoint of the real worker: wrong types, missing and extra fields, huge, negative and
// NaN numbers, 1 MB bodies (with and without Content-Length), deeply nested JSON, invalid UTF-8,
// NUL, control and bidirectional characters, zero-width joiners, SQL, HTML, script and CSV
// formula payloads, traversal in ids, header injection and smuggled origins, wrong methods and
// content types, missing, forged and other shops' keys and tokens. Each must be the 4xx JSON
// error docs/API.md gives for it, with a message, never a 5xx; none may change a stored row
// (checked after every request, so a change is pinned on the request that made it); and normal
// requests still work after all of them.
//
// An entry (one per line in the file):
//   name, method, path      the path may hold {shop}, {review}, {pending_review},
//                           {order}, {order2}, {order3}
//   auth                    "key" | "read-key" (the shop's, scope read) | "forged" |
//                           "other-shop-key" | absent (no Authorization)
//   origin                  "allowed" | "foreign" | absent (no Origin)
//   idempotency             true (a fresh UUID) | a literal key (placeholders allowed) | absent
//   headers                 more headers; a value may be {"repeat": …} like a body
//   type                    Content-Type (default application/json when there is a body)
//   body                    {"json": …} | {"text": "…"} | {"base64": "…"} (bytes, e.g. invalid
//                           UTF-8) | {"repeat": {"prefix", "unit", "count", "suffix"}} (large) |
//                           {"parts": ["text", {"unit", "count"}, …]} (e.g. closed nesting)
//   chunked                 send the body as a stream, without Content-Length
//   expect                  {"status", "code", "fields"?: [names on a 422], "problems"?: {field:
//                           pattern its problem must match}, "allow"?: what a 405's Allow says}
//   unchanged               the tables the request aims at (every table is checked regardless)
// Placeholders in bodies and headers: the ids above, {seed_idempotency_key}, and the signed
// tokens made by `makeTokens()` below.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import {
  Edge, ROOT, TEST_API_KEY, TEST_SHOP, TEST_TOKEN_SECRET, adminCall, apiKeyHash, newClient, postReview, review, signToken,
} from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const FOREIGN = "https://evil.example";
const OTHER_SHOP_KEY = "mk_other_shop_key_for_hostile_tests";
const READ_KEY = "mk_read_only_key_for_hostile_tests";
const SEED_IDEMPOTENCY_KEY = "6f1d2c3b-4a59-4e68-8b7a-0c1d2e3f4a5b";
const corpus = JSON.parse(await fs.readFile(path.join(ROOT, "tests/hostile/requests.json"), "utf8"));

// docs/API.md, "Errors": each code and its status.
const STATUS_OF = {
  malformed_json: 400, invalid_parameter: 400, unauthorized: 401, origin_not_allowed: 403, forbidden: 403, not_found: 404,
  method_not_allowed: 405, idempotency_conflict: 409, conflict: 409, payload_too_large: 413,
  unsupported_media_type: 415, validation_failed: 422, rate_limited: 429,
};

// Every route of the route table (protocol/src/api.rs): the corpus must hit each.
const ROUTES = [
  "/v1/health", "/v1/memnun.js", "/v1/assets/{file}", "/v1/modules/{file}", "/admin",
  "/v1/shops/{shop}/reviews", "/v1/shops/{shop}/reviews/{review}/votes", "/v1/shops/{shop}/reviews/{review}/reports",
  "/v1/shops/{shop}/orders/lookup", "/v1/shops/{shop}/orders/track", "/v1/shops/{shop}/events",
  "/v1/shops/{shop}/survey/open", "/v1/shops/{shop}/survey/answers", "/v1/shops/{shop}/catalog",
  "/v1/shops/{shop}/products/{product}/reviews", "/v1/shops/{shop}/products/{product}/reviews.jsonld",
  "/v1/shops/{shop}/products/{product}/reviews.html", "/v1/shops/{shop}/products/{product}/recommendations",
  "/v1/shops/{shop}/photos", "/v1/shops/{shop}/photos/{photo}", "/v1/shops/{shop}/photos/{photo}/thumbnail",
  "/v1/shops/{shop}/questions", "/v1/shops/{shop}/questions/{question}/votes",
  "/v1/shops/{shop}/products/{product}/questions",
  ...[
    "reviews", "reviews.csv", "reviews/import", "reviews/{review}", "reviews/{review}/approve", "reviews/{review}/reject",
    "reviews/{review}/reply", "moderation", "moderation-log", "tokens", "secrets", "secrets/{kid}", "orders",
    "shipments/attention", "orders/import", "orders/{order}", "orders/{order}/events", "orders/{order}/links", "webhook",
    "webhook/deliveries", "catalog", "survey", "survey/responses", "survey/responses.csv", "reports/satisfaction",
    "reports/recommendations", "shop", "shoppers/export", "shoppers/delete", "keys", "keys/{name}",
    "connectors", "connectors/{platform}",
    "photos/{photo}", "photos/{photo}/thumbnail", "photos/{photo}/approve", "photos/{photo}/reject",
    "questions", "questions/{question}/answer", "questions/{question}/reject",
  ].map((r) => `/v1/admin/${r}`),
  "/v1/connectors/shopify/{shop}",
  "/v1/connectors/woocommerce/{shop}",
];
const routeOf = (p) => {
  const bare = p.split("?")[0];
  // A literal route wins over a template (`reviews/import` is not `reviews/{review}`).
  return ROUTES.find((r) => r === bare) ?? ROUTES.find((r) => new RegExp(`^${r.replace(/[.]/g, "\\.").replace(/\{[a-z]+\}/g, "[^/]+")}$`).test(bare));
};

// Changes a refused request makes by design: the failed-key count is the lockout itself, a
// failed order lookup spends its budgets (per email, per shop), and a key's last use is written
// when it authenticates (at most once a minute).
const VOLATILE_TABLES = new Set(["admin_auth_failures", "lookup_failures", "d1_migrations", "sqlite_sequence"]);
// `signature_refused_at` is written by a refused webhook on purpose: the merchant's sign that the
// platform signs with another secret (one time per connector, so nothing grows).
const VOLATILE_COLUMNS = { api_keys: new Set(["last_used_at"]), connectors: new Set(["signature_refused_at"]) };

let edge, db, ids, tokens, tables, fingerprintSql;
// The rows before the corpus, and the fingerprint after the latest request.
let snapshot, state;

function signed(claims, secret = TEST_TOKEN_SECRET) {
  return signToken({ shop: TEST_SHOP, exp: Math.floor(Date.now() / 1000) + 86400, kid: "s1", ...claims }, secret);
}

function makeTokens() {
  return {
    survey_token: signed({ purpose: "survey", order: "H-1" }),
    survey_token_unknown_order: signed({ purpose: "survey", order: "H-404" }),
    track_token: signed({ purpose: "track", order: "H-1" }),
    track_token_expired: signed({ purpose: "track", order: "H-1", exp: 1_000_000_000 }),
    track_token_forever: signed({ purpose: "track", order: "H-1", exp: Math.floor(Date.now() / 1000) + 100 * 365 * 86400 }),
    track_token_other_shop: signed({ purpose: "track", order: "H-1", shop: "other-shop" }, "other-secret"),
    track_token_traversal: signed({ purpose: "track", order: "../../H-1" }),
    review_token_other_product: signed({ purpose: "review", order: "H-1", product: "tabak" }),
    review_token_unknown_kid: signed({ purpose: "review", order: "H-1", product: "fincan", kid: "s9" }),
    review_token_other_shop: signed({ purpose: "review", order: "H-1", product: "fincan", shop: "other-shop" }, "other-secret"),
  };
}

const fill = (text) =>
  text.replace(/\{([a-z0-9_]+)\}/g, (whole, name) => ids[name] ?? tokens[name] ?? whole);

function expand(value) {
  if (typeof value === "string") return fill(value);
  const r = value.repeat;
  return fill(r.prefix ?? "") + r.unit.repeat(r.count) + fill(r.suffix ?? "");
}

function bodyOf(entry) {
  const b = entry.body;
  if (!b) return undefined;
  if (b.json !== undefined) return fill(JSON.stringify(b.json));
  if (b.text !== undefined) return fill(b.text);
  if (b.base64 !== undefined) return Buffer.from(b.base64, "base64");
  if (b.repeat) return expand(b);
  if (b.parts) return b.parts.map((p) => (typeof p === "string" ? fill(p) : p.unit.repeat(p.count))).join("");
  throw new Error(`${entry.name}: unknown body encoding`);
}

/** Every table's rows (but the volatile columns) as one text per table, in one query. */
async function fingerprint() {
  const { results } = await db.prepare(fingerprintSql).all();
  return results[0];
}

async function contents() {
  const all = {};
  for (const { name, columns } of tables) {
    all[name] = await edge.query(`SELECT ${columns.join(", ")} FROM ${name} ORDER BY rowid`);
  }
  return all;
}

async function send(entry) {
  const body = bodyOf(entry);
  // Each request from its own address: the per-client limits and the failed-key lockout (20 a
  // quarter hour per address) must not answer in place of the code under test.
  const headers = { "CF-Connecting-IP": newClient() };
  if (body !== undefined) headers["Content-Type"] = entry.type ?? "application/json";
  else if (entry.type) headers["Content-Type"] = entry.type;
  if (entry.auth === "key") headers.Authorization = `Bearer ${TEST_API_KEY}`;
  if (entry.auth === "forged") headers.Authorization = `Bearer mk_${randomBytes(24).toString("hex")}`;
  if (entry.auth === "other-shop-key") headers.Authorization = `Bearer ${OTHER_SHOP_KEY}`;
  if (entry.auth === "read-key") headers.Authorization = `Bearer ${READ_KEY}`;
  if (entry.origin === "allowed") headers.Origin = ORIGIN;
  if (entry.origin === "foreign") headers.Origin = FOREIGN;
  if (entry.idempotency === true) headers["Idempotency-Key"] = randomUUID();
  else if (typeof entry.idempotency === "string") headers["Idempotency-Key"] = fill(entry.idempotency);
  for (const [name, value] of Object.entries(entry.headers ?? {})) headers[name] = expand(value);
  const init = { method: entry.method, headers, body };
  if (entry.chunked && body !== undefined) {
    const bytes = Buffer.from(body);
    init.body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024));
        controller.close();
      },
    });
    init.duplex = "half";
  }
  const res = await fetch(edge.url + fill(entry.path), init);
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

/** What the worker logged about one request (internal errors' details), for failure messages. */
const logOf = (requestId) =>
  requestId ? edge.log.split("\n").filter((l) => l.includes(requestId)).join("\n").slice(0, 600) : "";

function check(entry, r) {
  const said = `${r.status} ${r.text.slice(0, 300)}${r.status >= 500 ? `\nworker log: ${logOf(r.headers.get("x-request-id"))}` : ""}`;
  assert.ok(r.status < 500, `a server error: ${said}`);
  assert.equal(r.status, entry.expect.status, `expected ${entry.expect.status} ${entry.expect.code}, got ${said}`);
  assert.equal(STATUS_OF[entry.expect.code], r.status, "the corpus's code and status agree with docs/API.md");
  assert.ok(r.headers.get("x-request-id"), "X-Request-Id on every answer");
  assert.equal(r.headers.get("x-content-type-options"), "nosniff");
  assert.match(r.headers.get("cache-control") ?? "", /no-store/, "an error is never cached");
  assert.match(r.headers.get("content-type") ?? "", /^application\/json/, said);
  const acao = r.headers.get("access-control-allow-origin");
  assert.notEqual(acao, FOREIGN, "a foreign origin is never let read an answer");
  if (entry.path.startsWith("/v1/admin/")) assert.equal(acao, null, "merchant answers are not readable cross-origin");
  if (/^\/v1\/shops\/[^/]+\/(products|catalog)/.test(entry.path)) assert.equal(acao, "*", "public reads' errors stay readable");
  if (r.status === 403) assert.equal(acao, null, "a refused origin cannot read why");
  // A write whose origin the shop allows can read its errors (docs/API.md, "Origins and CORS").
  const knownShopWrite = entry.path.startsWith("/v1/shops/{shop}/") && !/\/(products|catalog)/.test(entry.path) && entry.method === "POST";
  // The method and the route are checked before the origin: those refusals name no origin.
  if (knownShopWrite && entry.origin === "allowed" && ![403, 404, 405].includes(r.status)) {
    assert.equal(acao, ORIGIN, "the allowed origin can read the error");
    assert.match(r.headers.get("vary") ?? "", /Origin/);
  }
  if (r.status === 405) assert.equal(r.headers.get("allow"), entry.expect.allow, "Allow names the route's methods");
  if (entry.method === "HEAD") {
    assert.equal(r.text, "", "HEAD answers have no body");
    return;
  }
  assert.ok(r.json && typeof r.json.error === "object", `a JSON error body: ${said}`);
  assert.equal(r.json.error.code, entry.expect.code, said);
  const message = r.json.error.message;
  assert.equal(typeof message, "string");
  assert.ok(message.trim().length >= 10 && message !== r.json.error.code && message !== "internal error", `a message a developer can act on: ${message}`);
  if (r.status === 422) {
    const fields = r.json.error.fields ?? {};
    assert.ok(Object.keys(fields).length > 0, `a 422 names its fields: ${said}`);
    for (const f of entry.expect.fields ?? []) assert.ok(f in fields, `field ${f} named: ${said}`);
    for (const [f, pattern] of Object.entries(entry.expect.problems ?? {})) assert.match(fields[f] ?? "", new RegExp(pattern, "i"), `what ${f} must be: ${said}`);
    for (const problem of Object.values(fields)) assert.ok(typeof problem === "string" && problem.length > 3, `a problem for each field: ${said}`);
  }
  assert.doesNotMatch(r.text, /D1_|SQLITE|panicked|RuntimeError|unreachable|wasm-function|at line \d+ column \d+ in/i, "no internals in the answer");
}

before(async () => {
  // The worker's log names an internal error's cause; MEMNUN_EDGE_LOG=1 shows it instead.
  edge = await Edge.start({ origins: [ORIGIN], captureLog: !process.env.MEMNUN_EDGE_LOG });
  await edge.query(
    "INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, 'other-shop', 'other', 0)",
    apiKeyHash(OTHER_SHOP_KEY),
  );
  await edge.query(
    "INSERT INTO api_keys (key_hash, shop_id, name, scope, created_at) VALUES (?1, ?2, 'reader', 'read', 0)",
    apiKeyHash(READ_KEY),
    TEST_SHOP,
  );
  // Shopify connected, so its webhooks reach the signature check.
  assert.equal((await adminCall(edge, "PUT", "connectors/shopify", { body: { secret: "hostile-shopify-secret-0123456789" } })).status, 200);
  // A little normal data through the API, so the corpus has real ids to aim at.
  const published = await postReview(edge, review({ product: "fincan" }), { origin: ORIGIN, key: SEED_IDEMPOTENCY_KEY });
  assert.equal(published.status, 201, published.text);
  assert.equal((await adminCall(edge, "PUT", "moderation", { body: { mode: "hold_all" } })).status, 200);
  const held = await postReview(edge, review({ product: "fincan", rating: 2 }), { origin: ORIGIN });
  assert.equal(held.json?.status, "pending", held.text);
  assert.equal((await adminCall(edge, "PUT", "moderation", { body: { mode: "publish" } })).status, 200);
  for (const [id, email] of [["H-1", "h@example.com"], ["H-2", "h2@example.com"], ["H-3", "h3@example.com"]]) {
    const order = await adminCall(edge, "PUT", `orders/${id}`, {
      body: { number: id, email, placed_at: "2026-11-01T10:00:00Z", items: [{ product: "fincan", quantity: 1 }], shipments: [{ id: "s1", carrier: "Aras" }] },
    });
    assert.equal(order.status, 200, order.text);
  }
  const catalog = await adminCall(edge, "PUT", "catalog", {
    body: { items: ["fincan", "tabak"].map((id) => ({ id, name: { tr: id }, price_minor: 45000, currency: "TRY", url: `${ORIGIN}/urun/${id}`, category: "mutfak" })) },
  });
  assert.equal(catalog.json?.stored, 2, catalog.text);
  // One binding for the whole run: asking miniflare for it costs a round trip per query.
  db = await edge.db();
  ids = { shop: TEST_SHOP, review: published.json.review.id, pending_review: held.json.review.id, order: "H-1", order2: "H-2", order3: "H-3", seed_idempotency_key: SEED_IDEMPOTENCY_KEY };
  tokens = makeTokens();

  const names = (await edge.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
    .map((r) => r.name)
    .filter((t) => !t.startsWith("sqlite_") && !t.startsWith("_cf_") && !VOLATILE_TABLES.has(t));
  tables = [];
  for (const name of names) {
    const columns = (await edge.query("SELECT name FROM pragma_table_info(?1)", name))
      .map((c) => c.name)
      .filter((c) => !VOLATILE_COLUMNS[name]?.has(c));
    tables.push({ name, columns });
  }
  // The columns joined as a balanced tree of `||`: SQLite refuses an expression deeper than 100,
  // which a chain over a wide table (reviews) would be.
  const joined = (parts) => {
    if (parts.length === 1) return parts[0];
    const half = Math.ceil(parts.length / 2);
    return `(${joined(parts.slice(0, half))} || ',' || ${joined(parts.slice(half))})`;
  };
  fingerprintSql = "SELECT " + tables
    .map(({ name, columns }) => `(SELECT count(*) || '#' || ifnull(group_concat(${joined(columns.map((c) => `quote(${c})`))}, '|'), '') FROM (SELECT * FROM ${name} ORDER BY rowid)) AS "${name}"`)
    .join(", ");
  snapshot = await contents();
  state = await fingerprint();
});
after(async () => {
  await edge?.cleanup();
});

describe("hostile corpus", () => {
  const refused = [];

  test(`the corpus: ${corpus.length} requests, each well formed, every route of the router hit`, () => {
    assert.ok(corpus.length >= 60);
    const names = new Set();
    const addresses = new Set();
    for (const entry of corpus) {
      assert.ok(!names.has(entry.name), `one entry per name: ${entry.name}`);
      names.add(entry.name);
      assert.ok(entry.expect.status >= 400 && entry.expect.status < 500, entry.name);
      assert.equal(STATUS_OF[entry.expect.code], entry.expect.status, `${entry.name}: code and status as docs/API.md pairs them`);
      if (entry.expect.status === 405) assert.ok(entry.expect.allow, `${entry.name}: a 405 says what Allow must be`);
      assert.ok([undefined, "key", "read-key", "forged", "other-shop-key"].includes(entry.auth), entry.name);
      assert.ok([undefined, "allowed", "foreign"].includes(entry.origin), entry.name);
      assert.ok(Array.isArray(entry.unchanged), `${entry.name}: says what must not change`);
      // An unknown merchant path is a 401 without a key: the key is checked before the route.
      const routed = routeOf(entry.path.replace(/\{[a-z0-9_]+\}/g, "x")) || entry.expect.status === 404 || entry.path.startsWith("/v1/admin/");
      assert.ok(routed, `${entry.name}: a route of the route table, or a 404`);
      const address = entry.headers?.["CF-Connecting-IP"];
      if (address) {
        assert.ok(!addresses.has(address), `${entry.name}: its own client address`);
        addresses.add(address);
      }
    }
    const hit = new Set(corpus.map((e) => routeOf(e.path)).filter(Boolean));
    assert.deepEqual(ROUTES.filter((r) => !hit.has(r)), [], "routes the corpus never hits");
  });

  test("every table the corpus names exists", () => {
    const known = new Set(tables.map((t) => t.name));
    for (const entry of corpus) for (const t of entry.unchanged) assert.ok(known.has(t), `${entry.name}: unknown table ${t}`);
  });

  for (const entry of corpus) {
    test(`${entry.method} ${entry.path.slice(0, 90)}: ${entry.name} → ${entry.expect.status}`, async () => {
      const r = await send(entry);
      const now = await fingerprint();
      const changed = Object.keys(now).filter((t) => now[t] !== state[t]);
      state = now;
      try {
        check(entry, r);
      } catch (e) {
        if (changed.length) e.message += `\nand it changed the tables ${changed.join(", ")}`;
        throw e;
      }
      assert.deepEqual(changed.filter((t) => entry.unchanged.includes(t)), [], "a table the request aims at changed");
      assert.deepEqual(changed, [], "a table changed");
      refused.push(entry.name);
    });
  }

  test("after the whole corpus, every table holds what it held before", async () => {
    const now = await contents();
    const changed = Object.keys(snapshot).filter((t) => JSON.stringify(now[t]) !== JSON.stringify(snapshot[t]));
    assert.deepEqual(changed, [], "tables whose rows changed");
  });

  test("extra fields on a valid review are ignored: they claim no status, trust, count, shop or id", async () => {
    const forged = review({ product: "fincan", status: "pending", verified: true, helpful: 99, helpful_count: 99, shop_id: "other-shop", id: "r-forged", order_id: "H-1", source: "import" });
    const r = await postReview(edge, forged, { origin: ORIGIN });
    assert.equal(r.status, 201, r.text);
    const [row] = await edge.query("SELECT id, shop_id, status, verified, helpful_count, order_id, source FROM reviews WHERE id = ?1", r.json.review.id);
    assert.deepEqual(row, { id: r.json.review.id, shop_id: TEST_SHOP, status: "published", verified: 0, helpful_count: 0, order_id: null, source: "widget" });
  });

  // Not in the corpus (an answer that is no error), and `fetch` cannot forge Host: a raw request.
  test("a forged Host header does not choose where /admin/ redirects", async () => {
    const res = await new Promise((resolve, reject) => {
      http.get({ host: "127.0.0.1", port: edge.port, path: "/admin/", headers: { Host: "evil.example" } }, resolve).on("error", reject);
    });
    res.resume();
    assert.equal(res.statusCode, 308);
    assert.doesNotMatch(res.headers.location ?? "", /evil\.example/, "a redirect to the host the request named, not to this one");
  });

  test("normal requests still work after the corpus", async () => {
    const written = await postReview(edge, review({ product: "fincan" }), { origin: ORIGIN });
    assert.equal(written.status, 201, written.text);
    const list = await adminCall(edge, "GET", "reviews", { headers: { "CF-Connecting-IP": newClient() } });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.json.reviews.some((r) => r.id === written.json.review.id));
    const lookup = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/orders/lookup`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": newClient() },
      body: JSON.stringify({ number: "H-1", email: "h@example.com" }),
    });
    assert.equal(lookup.status, 200, await lookup.text());
    const health = await fetch(`${edge.url}/v1/health`);
    assert.equal(health.status, 200, await health.text());
  });

  after(() => {
    console.log(`hostile corpus: ${corpus.length} requests tried, ${refused.length} refused correctly`);
  });
});

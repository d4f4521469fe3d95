// Shops are walled off from each other, on every endpoint. Shop B is seeded through the real API
// with data of every kind, each carrying a marker; then shop A, with its own key, its own signed
// links and its own page origin, aims every merchant route and every public route at B's ids,
// tokens and shop. No answer carries a B marker, each refusal is the documented one, and every
// row of B is byte for byte what it was; B's own key still reads it all. All of it twice: B in
// A's database, and B in another data database (the shop directory's, `DB_2`).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, TEST_API_KEY, TEST_TOKEN_SECRET, adminCall, newClient, postFeedback, postReview, review, signToken } from "./support/harness.mjs";

const A_ORIGIN = "https://a.example";
const B_ORIGIN = "https://b.example";
const B_KEY = "mk_isolation_b_key";
const B_SECRET = "other-secret";
const B_EMAIL = "b-shopper@example.com";
const B_BROWSER = randomUUID();
const MARK = "BMARK";

let edge;
/** The data database B lives in, in the suite that runs. */
let bDatabase;
let b = {};
const asA = (method, path, body, options = {}) => adminCall(edge, method, path, { body, ...options });
const asB = (method, path, body, options = {}) => adminCall(edge, method, path, { body, key: B_KEY, ...options });

async function shopWrite(shop, path, body, { origin, type = "application/json" } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/${shop}/${path}`, {
    method: "POST",
    headers: { "Content-Type": type, "CF-Connecting-IP": newClient(), "Idempotency-Key": randomUUID(), ...(origin ? { Origin: origin } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text || "null") };
}

/** Every row of shop B, table by table. */
async function rowsOfB() {
  const inB = (sql) => edge.queryOn(bDatabase, sql);
  const tables = (await inB("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%shop_id%'")).map((t) => t.name);
  const all = {};
  for (const t of tables) all[t] = JSON.stringify(await inB(`SELECT * FROM ${t} WHERE shop_id = 'other-shop' ORDER BY rowid`));
  // Keys: their last use changes when B signs in; the rest must not.
  all.api_keys = JSON.stringify(await inB("SELECT key_hash, name, created_at, revoked_at FROM api_keys WHERE shop_id = 'other-shop' ORDER BY name"));
  // Where the directory (in the control database) puts B and its keys.
  for (const t of ["shop_directory", "key_directory"]) all[`control.${t}`] = JSON.stringify(await edge.query(`SELECT * FROM ${t} WHERE shop_id = 'other-shop' ORDER BY rowid`));
  return all;
}

for (const database of ["DB", "DB_2"]) describe(`shop B in ${database}`, () => {
before(async () => {
  bDatabase = database;
  b = {};
  edge = await Edge.start({ origins: [A_ORIGIN], otherShopDatabase: database });
  await edge.addKey("other-shop", B_KEY, "b-main", { database });
  await edge.queryOn(database, "INSERT INTO shop_origins (shop_id, origin) VALUES ('other-shop', ?1)", B_ORIGIN);
  const ok = (r, status = 200) => assert.equal(r.status, status, r.text);
  // B's reviews: one published with a reply, one held.
  let r = await postReview(edge, review({ product: "b-fincan", title: `${MARK} başlık`, body: `${MARK} yorum metni`, email: B_EMAIL }), { origin: B_ORIGIN, shop: "other-shop" });
  ok(r, 201);
  b.review = r.json.review.id;
  ok(await asB("PUT", `reviews/${b.review}/reply`, { body: `${MARK} yanıt` }));
  ok(await asB("PUT", "moderation", { mode: "hold_all" }));
  r = await postReview(edge, review({ product: "b-fincan", title: `${MARK} bekleyen`, body: `${MARK} bekleyen yorum` }), { origin: B_ORIGIN, shop: "other-shop" });
  ok(r, 201);
  b.pending = r.json.review.id;
  assert.ok((await postFeedback(edge, b.review, "votes", { voter: B_BROWSER }, { origin: B_ORIGIN, shop: "other-shop" })).status < 300);
  // B's order, delivered, with its links, a survey answer, a webhook, a catalog, events, a key, a secret.
  ok(await asB("PUT", "orders/B-1", { number: "B-1001", email: B_EMAIL, placed_at: "2026-11-01T10:00:00Z", items: [{ product: "b-fincan", quantity: 1 }], shipments: [{ id: "s1", carrier: `${MARK} Kargo` }] }));
  ok(await asB("POST", "orders/B-1/events", { events: [{ shipment: "s1", status: "delivered", time: Date.now() - 60000, location: `${MARK} Depo` }] }));
  r = await asB("POST", "orders/B-1/links");
  ok(r, 201);
  b.links = r.json;
  ok(await shopWrite("other-shop", "survey/open", { token: b.links.survey.token, locale: "tr" }, { origin: B_ORIGIN }));
  ok(await shopWrite("other-shop", "survey/answers", { token: b.links.survey.token, seq: 1, locale: "tr", answers: { nps: 3, comment: `${MARK} yorum` } }, { origin: B_ORIGIN }));
  ok(await asB("PUT", "webhook", { url: "http://127.0.0.1:9/b-hook" }));
  r = await asB("PUT", "catalog", { mode: "upsert", items: [{ id: "b-fincan", name: { tr: `${MARK} fincan` }, url: "https://b.example/p/b-fincan", category: "mutfak", price_minor: 12000, currency: "TRY" }] });
  ok(r);
  assert.equal(r.json.stored, 1, r.text);
  assert.ok((await shopWrite("other-shop", "events", { browser: B_BROWSER, events: [{ id: randomUUID(), type: "product_view", product: "b-fincan" }] }, { origin: B_ORIGIN, type: "text/plain;charset=UTF-8" })).status < 300);
  ok(await asB("POST", "keys", { name: "b-second" }), 201);
  r = await asB("POST", "secrets");
  ok(r, 201);
  b.kid = r.json.kid;
});
after(async () => {
  await edge?.cleanup();
});

describe("shop A cannot reach shop B", () => {
  let before;
  let tried = 0;
  test("snapshot of B", async () => {
    before = await rowsOfB();
    assert.ok(JSON.parse(before.reviews).length === 2 && JSON.parse(before.orders).length === 1 && JSON.parse(before.survey_responses).length === 1);
  });

  test("B's data, sent through the API, is in B's database and nowhere else", async () => {
    const elsewhere = bDatabase === "DB" ? "DB_2" : "DB";
    for (const t of ["reviews", "orders", "survey_responses", "api_keys", "webhooks", "catalog_items", "shopper_events", "shop_secrets"]) {
      const count = async (db) => (await edge.queryOn(db, `SELECT count(*) AS n FROM ${t} WHERE shop_id = 'other-shop'`))[0].n;
      assert.ok((await count(bDatabase)) > 0, `${t} of B in ${bDatabase}`);
      assert.equal(await count(elsewhere), 0, `${t} of B in ${elsewhere}`);
    }
    // The key B made through the API is in the directory (and the one the test gave it there
    // when B is not in the first database).
    const directory = await edge.query("SELECT count(*) AS n FROM key_directory WHERE shop_id = 'other-shop'");
    assert.equal(directory[0].n, bDatabase === "DB" ? 1 : 2);
  });

  test("with A's key, every merchant route aimed at B's ids answers the documented refusal and shows nothing of B", async () => {
    const cases = [
      ["GET", `reviews/${b.review}`, undefined, 404],
      ["POST", `reviews/${b.pending}/approve`, undefined, 404],
      ["POST", `reviews/${b.pending}/reject`, { reason: "A tries" }, 404],
      ["PUT", `reviews/${b.review}/reply`, { body: "A writes here" }, 404],
      ["DELETE", `reviews/${b.review}/reply`, undefined, 404],
      ["GET", `moderation-log?review=${b.review}`, undefined, 200],
      ["GET", "orders/B-1", undefined, 404],
      ["POST", "orders/B-1/events", { events: [{ shipment: "s1", status: "exception", time: Date.now() }] }, 404],
      ["POST", "orders/B-1/links", undefined, 404],
      ["DELETE", "keys/b-second", undefined, 404],
      ["DELETE", `secrets/${b.kid}`, undefined, 404],
      // A link for "B-1" is A's own: it names A's shop and opens only an order of A's.
      ["POST", "tokens", { purpose: "track", order: "B-1" }, 201],
      ["POST", "shoppers/export", { email: B_EMAIL }, 200],
      ["POST", "shoppers/export", { browser: B_BROWSER }, 200],
      ["POST", "shoppers/delete", { email: B_EMAIL }, 200],
      ["POST", "shoppers/delete", { browser: B_BROWSER }, 200],
      // Lists, exports and reports: A's own, which must not carry B.
      ["GET", "reviews", undefined, 200],
      ["GET", "reviews?status=pending", undefined, 200],
      ["GET", `reviews?q=${MARK}`, undefined, 200],
      ["GET", "reviews.csv", undefined, 200],
      ["GET", "moderation", undefined, 200],
      ["GET", "moderation-log", undefined, 200],
      ["GET", "orders", undefined, 200],
      ["GET", "orders?q=B-1001", undefined, 200],
      ["GET", "shipments/attention?days=1", undefined, 200],
      ["GET", "webhook", undefined, 404],
      ["GET", "webhook/deliveries", undefined, 200],
      ["GET", "catalog", undefined, 200],
      ["GET", "survey", undefined, 200],
      ["GET", "survey/responses", undefined, 200],
      ["GET", "survey/responses.csv", undefined, 200],
      ["GET", "reports/satisfaction", undefined, 200],
      ["GET", "reports/recommendations", undefined, 200],
      ["GET", "shop", undefined, 200],
      ["GET", "keys", undefined, 200],
      ["GET", "secrets", undefined, 200],
    ];
    for (const [method, path, body, status] of cases) {
      tried += 1;
      const r = await asA(method, path, body);
      assert.equal(r.status, status, `${method} ${path}: ${r.text.slice(0, 200)}`);
      // An export names the shopper it was asked about; nothing else of B may appear.
      const echoed = path.startsWith("shoppers/") ? [] : [B_EMAIL];
      for (const secret of [MARK, b.review, b.pending, "B-1001", "b-second", "b-main", b.kid, ...echoed]) {
        assert.ok(!r.text.includes(secret), `${method} ${path} shows ${secret}: ${r.text.slice(0, 300)}`);
      }
      if (path.startsWith("shoppers/export")) {
        for (const [kind, list] of Object.entries(r.json)) if (Array.isArray(list)) assert.deepEqual(list, [], kind);
      }
      if (path.startsWith("shoppers/delete")) assert.ok(Object.values(r.json).every((n) => n === 0), r.text);
      if (path === "tokens") {
        const claims = JSON.parse(Buffer.from(r.json.token.split(".")[1], "base64url"));
        assert.equal(claims.shop, "test-shop");
        const tracked = await shopWrite("other-shop", "orders/track", { token: r.json.token }, { origin: B_ORIGIN });
        assert.equal(tracked.status, 404, "it does not open B's order of that id");
      }
    }
    // A's PUT of an order with B's id makes A's own order; B's stays B's.
    tried += 1;
    assert.equal((await asA("PUT", "orders/B-1", { number: "A-1", placed_at: "2026-11-01T10:00:00Z", items: [{ product: "a", quantity: 1 }] })).status, 200);
    assert.equal((await asB("GET", "orders/B-1")).json.number, "B-1001");
  });

  test("A's page origin, A's signed links and links naming B do not open B's public writes and reads", async () => {
    const aToken = (claims) => signToken({ shop: "other-shop", order: "B-1", exp: Math.floor(Date.now() / 1000) + 3600, kid: "s1", ...claims }, TEST_TOKEN_SECRET);
    const cases = [
      // A's origin writing to B.
      ["other-shop", "reviews", review({ product: "b-fincan" }), A_ORIGIN, 403],
      ["other-shop", `reviews/${b.review}/votes`, { voter: randomUUID() }, A_ORIGIN, 403],
      ["other-shop", `reviews/${b.review}/reports`, { reporter: randomUUID(), reason: "spam", note: "" }, A_ORIGIN, 403],
      ["other-shop", "orders/lookup", { number: "B-1001", email: B_EMAIL }, A_ORIGIN, 403],
      ["other-shop", "orders/track", { token: b.links.tracker.token }, A_ORIGIN, 403],
      ["other-shop", "survey/open", { token: b.links.survey.token }, A_ORIGIN, 403],
      ["other-shop", "events", { browser: randomUUID(), events: [] }, A_ORIGIN, 403],
      // B's links used on A's shop, from A's page.
      ["test-shop", "orders/track", { token: b.links.tracker.token }, A_ORIGIN, 404],
      ["test-shop", "survey/open", { token: b.links.survey.token, locale: "tr" }, A_ORIGIN, 422],
      ["test-shop", "survey/answers", { token: b.links.survey.token, seq: 2, answers: { nps: 10 } }, A_ORIGIN, 422],
      ["test-shop", "reviews", review({ product: b.links.reviews[0].product, token: b.links.reviews[0].token }), A_ORIGIN, 422],
      // Links signed with A's secret that name B's shop, sent to B from B's own page.
      ["other-shop", "orders/track", { token: aToken({ purpose: "track" }) }, B_ORIGIN, 404],
      ["other-shop", "survey/open", { token: aToken({ purpose: "survey" }), locale: "tr" }, B_ORIGIN, 422],
      // A's votes on B's review ids, through A's shop.
      ["test-shop", `reviews/${b.review}/votes`, { voter: randomUUID() }, A_ORIGIN, 404],
      ["test-shop", `reviews/${b.review}/reports`, { reporter: randomUUID(), reason: "spam", note: "" }, A_ORIGIN, 404],
      ["test-shop", "orders/lookup", { number: "B-1001", email: B_EMAIL }, A_ORIGIN, 404],
    ];
    for (const [shop, path, body, origin, status] of cases) {
      tried += 1;
      const r = await shopWrite(shop, path, body, { origin, type: path === "events" ? "text/plain;charset=UTF-8" : "application/json" });
      assert.equal(r.status, status, `${shop}/${path} from ${origin}: ${r.text.slice(0, 200)}`);
      assert.ok(!r.text.includes(MARK) && !r.text.includes("B-1001"), `${shop}/${path} shows B: ${r.text.slice(0, 300)}`);
    }
    // Public reads of A's shop never list B's products or reviews.
    for (const path of ["products/b-fincan/reviews", "products/b-fincan/reviews.jsonld", "products/b-fincan/recommendations", "catalog?ids=b-fincan"]) {
      tried += 1;
      const r = await fetch(`${edge.url}/v1/shops/test-shop/${path}`);
      const text = await r.text();
      assert.ok(r.status < 500 && !text.includes(MARK), `${path}: ${text.slice(0, 200)}`);
    }
  });

  test("afterwards every row of B is as it was, and B's key still reads it", async () => {
    const now = await rowsOfB();
    for (const [table, rows] of Object.entries(before)) assert.equal(now[table], rows, `B's ${table} changed`);
    assert.equal((await asB("GET", `reviews/${b.review}`)).status, 200);
    assert.match((await asB("GET", "reviews.csv")).text, new RegExp(MARK));
    assert.equal((await asB("GET", "orders/B-1")).status, 200);
    console.log(`isolation: ${tried} requests from shop A aimed at shop B, none reached it`);
  });
});
});

// A shopper's access and erasure requests through the merchant API, against the real worker:
// export and delete by email (reviews, orders with their shipments, survey answers, reviews
// written through the orders' links) and by browser id (events, views, votes, reports), with the
// maintained counts (rating summaries, helpful and report counts) equal to a recount afterwards,
// other shoppers and other shops untouched, and hostile requests refused with nothing changed.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, adminCall, apiKeyHash, newClient, postFeedback, postReview, review } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const OTHER_KEY = "mk_other_shoppers_key";
const AYSE = "Ayse.Kaya@Example.com";
const AYSE_BROWSER = randomUUID();
const CAN = "can@example.com";

let edge;
before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
  await edge.query("INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, 'other-shop', 'other', 0)", apiKeyHash(OTHER_KEY));
  await edge.allowOrigin("other-shop", ORIGIN);
  // Events are queued only for a shop with a webhook (nobody listens on port 9): an erasure
  // takes them too.
  const hook = await admin("PUT", "webhook", { url: "http://127.0.0.1:9/hooks" });
  assert.equal(hook.status, 200, hook.text);
  await seed();
});
after(async () => {
  await edge?.cleanup();
});

const admin = (method, path, body, options = {}) => adminCall(edge, method, path, { body, ...options });
const exportOf = (who, options) => admin("POST", "shoppers/export", who, options);
const deleteOf = (who, options) => admin("POST", "shoppers/delete", who, options);

async function publicWrite(path, body, { shop = "test-shop", type = "application/json" } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/${shop}/${path}`, {
    method: "POST",
    headers: { "Content-Type": type, Origin: ORIGIN, "CF-Connecting-IP": newClient(), "Idempotency-Key": randomUUID() },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text || "null"), text };
}

async function writeReview(body, shop = "test-shop") {
  const r = await postReview(edge, review(body), { origin: ORIGIN, shop });
  assert.equal(r.status, 201, r.text);
  return r.json.review.id;
}

/** Every product's summary equals a recount of its published reviews; every review's helpful
 * and report counts equal its rows. */
async function assertCountsTrue() {
  const summaries = await edge.query(
    `SELECT p.shop_id, p.product_id, p.stars_1, p.stars_2, p.stars_3, p.stars_4, p.stars_5,
       (SELECT COUNT(*) FILTER (WHERE rating = 1) || ',' || COUNT(*) FILTER (WHERE rating = 2) || ',' ||
               COUNT(*) FILTER (WHERE rating = 3) || ',' || COUNT(*) FILTER (WHERE rating = 4) || ',' ||
               COUNT(*) FILTER (WHERE rating = 5)
        FROM reviews r WHERE r.shop_id = p.shop_id AND r.product_id = p.product_id AND r.status = 'published') AS recount
     FROM product_ratings p`,
  );
  assert.ok(summaries.length > 0);
  for (const s of summaries) {
    assert.equal([s.stars_1, s.stars_2, s.stars_3, s.stars_4, s.stars_5].join(","), s.recount, `${s.shop_id}/${s.product_id}`);
  }
  const wrong = await edge.query(
    // The counts are distinct clients (votes and reports from one address count once), and an
    // approval's cleared reports no longer count.
    `SELECT id FROM reviews r WHERE helpful_count != (SELECT COUNT(DISTINCT v.client_hash) FROM review_votes v WHERE v.review_id = r.id)
       OR report_count != (SELECT COUNT(DISTINCT p.client_hash) FROM review_reports p WHERE p.review_id = r.id AND p.cleared_at IS NULL)`,
  );
  assert.deepEqual(wrong, []);
}

let ayseReviews, canReview, otherShopReview, ayseOrder;
async function seed() {
  // Ayşe: two reviews with her email, one order with a shipment, delivered, a survey answer and
  // a review written through the order's review link (no email on it).
  ayseReviews = [
    await writeReview({ product: "fincan", rating: 5, email: AYSE, author: "Ayşe K." }),
    await writeReview({ product: "gomlek", rating: 1, email: AYSE.toLowerCase(), author: "Ayşe K." }),
  ];
  canReview = await writeReview({ product: "fincan", rating: 3, email: CAN, author: "Can" });
  otherShopReview = await writeReview({ product: "fincan", rating: 2, email: AYSE, author: "Ayşe (other shop)" }, "other-shop");
  ayseOrder = "A-1";
  let r = await admin("PUT", `orders/${ayseOrder}`, {
    number: "7001", email: ` ${AYSE.toUpperCase()} `, placed_at: "2026-11-01T10:00:00Z",
    items: [{ product: "fincan", quantity: 1 }, { product: "tabak", quantity: 2 }],
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK-AYSE-1" }],
  });
  assert.equal(r.status, 200, r.text);
  r = await admin("POST", `orders/${ayseOrder}/events`, { events: [{ shipment: "s1", status: "delivered", time: Date.now() - 60000, location: "Kadıköy" }] });
  assert.equal(r.status, 200, r.text);
  const links = await admin("POST", `orders/${ayseOrder}/links`);
  assert.equal(links.status, 201, links.text);
  assert.equal((await publicWrite("survey/open", { token: links.json.survey.token, locale: "tr" })).status, 200);
  const answered = await publicWrite("survey/answers", { token: links.json.survey.token, seq: 1, locale: "tr", answers: { nps: 9, comment: "Kargo hızlıydı, Ayşe" } });
  assert.equal(answered.status, 200, answered.text);
  const reviewLink = links.json.reviews.find((l) => l.product === "tabak").token;
  {
    const viaLink = await postReview(edge, review({ product: "tabak", rating: 4, email: undefined, token: reviewLink }), { origin: ORIGIN });
    assert.equal(viaLink.status, 201, viaLink.text);
    ayseReviews.push(viaLink.json.review.id);
  }
  // Can's order, untouched by Ayşe's deletion.
  r = await admin("PUT", "orders/C-1", { number: "7002", email: CAN, placed_at: "2026-11-02T10:00:00Z", items: [{ product: "fincan", quantity: 1 }], shipments: [] });
  assert.equal(r.status, 200, r.text);
  // Ayşe's browser: views, a helpful vote and a report on Can's review.
  const events = await publicWrite("events", {
    browser: AYSE_BROWSER,
    events: ["fincan", "gomlek", "tabak"].map((product) => ({ id: randomUUID(), type: "product_view", product })),
  }, { type: "text/plain;charset=UTF-8" });
  assert.ok(events.status < 300, events.text);
  assert.equal((await postFeedback(edge, canReview, "votes", { voter: AYSE_BROWSER }, { origin: ORIGIN })).status < 300, true);
  const report = await postFeedback(edge, canReview, "reports", { reporter: AYSE_BROWSER, reason: "off_topic", note: "" }, { origin: ORIGIN });
  assert.ok(report.status < 300, report.text);
  // Someone else's vote on the same review stays.
  await postFeedback(edge, canReview, "votes", { voter: randomUUID() }, { origin: ORIGIN });
  await assertCountsTrue();
}

describe("export", () => {
  test("by email: her reviews (with the email she gave), orders, items, shipments, tracking and survey answers; nothing of others", async () => {
    const r = await exportOf({ email: AYSE });
    assert.equal(r.status, 200, r.text);
    const x = r.json;
    assert.deepEqual(x.shopper, { email: AYSE.toLowerCase() });
    assert.ok(Date.parse(x.exported_at) > 0);
    assert.deepEqual(x.reviews.map((v) => v.id).sort(), [...ayseReviews].sort());
    assert.ok(x.reviews.some((v) => v.email?.toLowerCase() === AYSE.toLowerCase()));
    assert.deepEqual(x.orders.map((o) => o.number), ["7001"]);
    assert.deepEqual(x.order_items.map((i) => i.product).sort(), ["fincan", "tabak"]);
    assert.equal(x.shipments[0].tracking_number, "YK-AYSE-1");
    assert.equal(x.shipment_events[0].location, "Kadıköy");
    assert.equal(x.survey_responses.length, 1);
    assert.equal(x.survey_responses[0].nps, 9);
    assert.deepEqual([x.events, x.product_views, x.votes, x.reports], [[], [], [], []], "a browser id is not an email");
    // Her other orders' number as a value: random ids may hold its digits.
    assert.doesNotMatch(r.text, /Can|"7002"|other shop|shopper_key|client_hash|email_hash/);
    assert.equal(r.headers.get("cache-control"), "no-store");
  });

  test("by browser id: events, first views, votes and reports", async () => {
    const r = await exportOf({ browser: AYSE_BROWSER.toUpperCase() });
    assert.equal(r.status, 200, r.text);
    const x = r.json;
    assert.deepEqual(x.shopper, { browser: AYSE_BROWSER });
    assert.equal(x.events.length, 3);
    assert.deepEqual(x.product_views.map((v) => v.product).sort(), ["fincan", "gomlek", "tabak"]);
    assert.deepEqual(x.votes.map((v) => v.review), [canReview]);
    assert.deepEqual(x.reports.map((v) => v.review), [canReview]);
    assert.deepEqual([x.reviews, x.orders, x.survey_responses], [[], [], []]);
  });

  test("another shop's key sees only its own shop's rows for the same email", async () => {
    const r = await exportOf({ email: AYSE }, { key: OTHER_KEY });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.reviews.map((v) => v.id), [otherShopReview]);
    assert.deepEqual(r.json.orders, []);
  });
});

describe("hostile requests", () => {
  const cases = [
    ["neither", {}, 422, "email"],
    ["both", { email: AYSE, browser: AYSE_BROWSER }, 422, "browser"],
    ["not an email", { email: "ayse' OR 1=1 --" }, 422, "email"],
    ["email with a NUL", { email: "ayse\u0000@example.com" }, 422, "email"],
    ["browser path traversal", { browser: "../../reviews" }, 422, "browser"],
    ["wrong type", { email: ["a@b.co"] }, 400, null],
    ["huge", { email: "a".repeat(5000) + "@example.com" }, 413, null],
  ];
  for (const [name, body, status, field] of cases) {
    test(`${name}: ${status}, nothing deleted`, async () => {
      const before = await edge.query("SELECT COUNT(*) AS n FROM reviews");
      for (const call of [exportOf, deleteOf]) {
        const r = await call(body);
        assert.equal(r.status, status, r.text);
        assert.ok(r.json.error.message);
        if (field) assert.ok(r.json.error.fields[field], r.text);
      }
      assert.deepEqual(await edge.query("SELECT COUNT(*) AS n FROM reviews"), before);
    });
  }
  test("GET, no key, a forged key, a text body: refused", async () => {
    assert.equal((await admin("GET", "shoppers/export")).status, 405);
    assert.equal((await admin("DELETE", "shoppers/delete")).status, 405);
    assert.equal((await deleteOf({ email: AYSE }, { key: null })).status, 401);
    assert.equal((await deleteOf({ email: AYSE }, { key: "mk_forged", headers: { "CF-Connecting-IP": newClient() } })).status, 401);
    const text = await admin("POST", "shoppers/delete", undefined, { headers: { "Content-Type": "text/plain" } });
    assert.equal(text.status, 415);
    assert.equal((await exportOf({ email: AYSE })).json.reviews.length, ayseReviews.length, "still there");
  });
});

describe("deletion", () => {
  test("by email: every row goes, the summaries are recounted, Can and the other shop keep theirs", async () => {
    const casesOfAyse = () => edge.query(
      "SELECT id FROM cases WHERE order_id = ?1 OR review_id IN (SELECT value FROM json_each(?2))", ayseOrder, JSON.stringify(ayseReviews));
    const ayseCases = (await casesOfAyse()).map((c) => c.id);
    assert.ok(ayseCases.length > 0, "her low reviews opened cases");
    const exported = (await exportOf({ email: AYSE })).json;
    assert.deepEqual(exported.cases.map((c) => c.id).sort(), [...ayseCases].sort(), "her export lists her cases");
    assert.ok(exported.case_history.some((h) => h.action === "opened"));
    assert.equal((await edge.query("SELECT * FROM webhook_outbox WHERE event_key IN (SELECT 'case.opened:' || value FROM json_each(?1))",
      JSON.stringify(ayseCases))).length, ayseCases.length);
    const r = await deleteOf({ email: ` ${AYSE} ` });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await casesOfAyse(), [], "her cases go too");
    assert.deepEqual(await edge.query("SELECT * FROM case_history WHERE case_id IN (SELECT value FROM json_each(?1))", JSON.stringify(ayseCases)), []);
    assert.deepEqual(await edge.query("SELECT * FROM webhook_outbox WHERE event_key IN (SELECT 'case.opened:' || value FROM json_each(?1))",
      JSON.stringify(ayseCases)), [], "and their events");
    assert.deepEqual(r.json, { reviews: ayseReviews.length, orders: 1, survey_responses: 1, events: 0, product_views: 0, votes: 0, reports: 0, questions: 0 });
    const x = (await exportOf({ email: AYSE })).json;
    for (const kind of ["reviews", "orders", "order_items", "shipments", "shipment_events", "survey_responses", "cases", "case_history"]) assert.deepEqual(x[kind], [], kind);
    for (const table of ["order_items", "shipments", "shipment_events"]) {
      assert.deepEqual(await edge.query(`SELECT * FROM ${table} WHERE order_id = ?1`, ayseOrder), [], table);
    }
    assert.deepEqual(await edge.query("SELECT * FROM webhook_outbox WHERE event_key LIKE ?1", `%${ayseOrder}%`), []);
    assert.deepEqual(await edge.query("SELECT * FROM moderation_log WHERE review_id IN (SELECT value FROM json_each(?1))", JSON.stringify(ayseReviews)), []);
    // The public page shows the recount: only Can's 3 stars on the cup; nothing on the shirt.
    const cup = await (await fetch(`${edge.url}/v1/shops/test-shop/products/fincan/reviews`)).json();
    assert.equal(cup.summary.count, 1);
    assert.equal(cup.summary.average, 3);
    const shirt = await (await fetch(`${edge.url}/v1/shops/test-shop/products/gomlek/reviews`)).json();
    assert.equal(shirt.summary.count, 0);
    assert.equal((await admin("GET", `orders/${ayseOrder}`)).status, 404);
    assert.equal((await admin("GET", "orders/C-1")).status, 200);
    assert.equal((await admin("GET", `reviews/${canReview}`)).status, 200);
    assert.equal((await exportOf({ email: AYSE }, { key: OTHER_KEY })).json.reviews.length, 1, "the other shop is not touched");
    await assertCountsTrue();
  });

  test("by browser id: events, views, votes and reports go; Can's review counts only the vote left", async () => {
    const reportCase = async () => edge.query("SELECT c.id FROM cases c JOIN case_history h ON h.case_id = c.id WHERE c.cause = 'report' AND h.detail LIKE ?1",
      `%${canReview}%`);
    const [opened] = await reportCase();
    assert.ok(opened, "her report opened a case on Can's review");
    const r = await deleteOf({ browser: AYSE_BROWSER });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await reportCase(), [], "her report's case goes with her report");
    assert.deepEqual(await edge.query("SELECT * FROM webhook_outbox WHERE event_key = ?1", `case.opened:${opened.id}`), [], "and its event, which held her note");
    assert.deepEqual(r.json, { reviews: 0, orders: 0, survey_responses: 0, events: 3, product_views: 3, votes: 1, reports: 1, questions: 0 });
    const can = (await admin("GET", `reviews/${canReview}`)).json;
    assert.equal(can.helpful, 1);
    assert.equal(can.reports, 0);
    await assertCountsTrue();
  });

  test("deleting again finds nothing and answers zeros", async () => {
    for (const who of [{ email: AYSE }, { browser: AYSE_BROWSER }]) {
      const r = await deleteOf(who);
      assert.equal(r.status, 200);
      assert.ok(Object.values(r.json).every((n) => n === 0), r.text);
    }
  });
});

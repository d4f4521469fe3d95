// The merchant's lists over HTTP against the real worker, as the dashboard reads them: orders
// (newest first, cursor paging, prefix search, the tracker's status), shipments that need
// attention (exceptions and stale ones, `days`, the edge's clock), the survey responses behind
// the satisfaction report (the same counts as the report), and the review search; hostile
// input, missing keys and another shop's key for each.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, adminCall, apiKeyHash, newClient, postReview, review } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const OTHER_KEY = "mk_other_lists_key";
const SHIFT = "X-Memnun-Clock-Shift-Ms";
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const REASONS = ["delivery_time", "packaging", "product_quality", "description", "price", "customer_service", "other"];
const GROUPS = ["detractor", "passive", "promoter"];
let edge;
const now = Date.now();

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
  await edge.query("INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, 'other-shop', 'other', 0)", apiKeyHash(OTHER_KEY));
  await seedOrders();
  await seedAttention();
  await seedSurveys();
  await seedReviews();
});
after(async () => {
  await edge?.cleanup();
});

const admin = (method, path, body, options = {}) => adminCall(edge, method, path, { body, ...options });
const get = (path, options = {}) => admin("GET", path, undefined, options);
const statements = (r) => Number(r.headers.get("x-memnun-d1-statements"));

async function putOrder(id, { number, placed_at, shipments = [{ id: "s1", carrier: "Yurtiçi Kargo" }], email, headers = {} }) {
  const r = await admin("PUT", `orders/${id}`, {
    number,
    email: email ?? `${id.toLowerCase()}@example.com`,
    placed_at,
    items: [{ product: "kahve-fincani-01", quantity: 1 }],
    shipments,
  }, { headers });
  assert.equal(r.status, 200, `${id}: ${r.text}`);
}

async function addEvents(id, events, headers = {}) {
  const r = await admin("POST", `orders/${id}/events`, { events }, { headers });
  assert.equal(r.status, 200, `${id}: ${r.text}`);
}

/** Every page of a list, following `next_cursor`; `field` names the page's array. */
async function allPages(path, field, limit) {
  const seen = [];
  let cursor = null;
  for (let pages = 0; pages < 200; pages++) {
    const sep = path.includes("?") ? "&" : "?";
    const r = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json[field].length <= limit);
    seen.push(...r.json[field]);
    cursor = r.json.next_cursor;
    if (!cursor) return seen;
    assert.equal(r.json[field].length, limit, "only the last page is short");
  }
  throw new Error("the cursor never ended");
}

function assertBadParameter(r, what) {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.status, 400, `${what}: ${r.text}`);
  assert.equal(r.json.error.code, "invalid_parameter", what);
  assert.ok(r.json.error.message.length > 10, `${what}: a message that says what is wrong`);
}

// ---------------------------------------------------------------------------------------------
// Seeds

const iso = (ms) => new Date(ms).toISOString();

async function seedOrders() {
  const base = Date.parse("2026-10-01T10:00:00Z");
  // L-1: two shipments, one delivered and one on the road: the order is as far as the slower.
  await putOrder("L-1", { number: "7001", placed_at: iso(base), shipments: [{ id: "s1", carrier: "PTT" }, { id: "s2", carrier: "Aras" }] });
  await addEvents("L-1", [
    { shipment: "s1", status: "shipped", time: base + 1 * DAY },
    { shipment: "s1", status: "delivered", time: base + 3 * DAY },
    { shipment: "s2", status: "in_transit", time: base + 2 * DAY },
  ]);
  // L-2: two events at the same time: the tracker reads the one further along.
  await putOrder("L-2", { number: "7002", placed_at: iso(base + DAY) });
  await addEvents("L-2", [
    { shipment: "s1", status: "in_transit", time: base + 2 * DAY },
    { shipment: "s1", status: "shipped", time: base + 2 * DAY },
  ]);
  // L-3: no shipments at all.
  await putOrder("L-3", { number: "7003", placed_at: iso(base + 2 * DAY), shipments: [] });
  // L-4: an exception after shipping, arriving before the earlier event.
  await putOrder("L-4", { number: "7004", placed_at: iso(base + 3 * DAY) });
  await addEvents("L-4", [{ shipment: "s1", status: "exception", time: base + 5 * DAY, note: "Adres bulunamadı" }]);
  await addEvents("L-4", [{ shipment: "s1", status: "shipped", time: base + 4 * DAY }]);
  // L-5 and L-6 placed at the same time: the id decides, and a cursor between them holds.
  await putOrder("L-5", { number: "7005", placed_at: iso(base + 4 * DAY) });
  await putOrder("L-6", { number: "7006", placed_at: iso(base + 4 * DAY) });
  // Numbers with LIKE's wildcards in them, and their look-alikes.
  await putOrder("W-1", { number: "%20 indirim", placed_at: iso(base + 5 * DAY), shipments: [] });
  await putOrder("W-2", { number: "_9", placed_at: iso(base + 5 * DAY + 1), shipments: [] });
  await putOrder("W-3", { number: "5_X", placed_at: iso(base + 5 * DAY + 2), shipments: [] });
  await putOrder("W-4", { number: "50X", placed_at: iso(base + 5 * DAY + 3), shipments: [] });
  await putOrder("W-5", { number: "5\\Y", placed_at: iso(base + 5 * DAY + 4), shipments: [] });
  // An id with dots, which the cursor's own separator must survive.
  await putOrder("ord.2026.x", { number: "9001", placed_at: iso(base + 4 * DAY), shipments: [] });
}

async function seedAttention() {
  // An exception an hour ago.
  await putOrder("A-exc", { number: "8001", placed_at: iso(now - 3 * DAY) });
  await addEvents("A-exc", [
    { shipment: "s1", status: "shipped", time: now - 2 * DAY },
    { shipment: "s1", status: "exception", time: now - HOUR },
  ]);
  // Shipped ten days ago and nothing since.
  await putOrder("A-stale", { number: "8002", placed_at: iso(now - 12 * DAY), shipments: [{ id: "s1", carrier: "MNG", tracking_number: "MNG42" }] });
  await addEvents("A-stale", [{ shipment: "s1", status: "shipped", time: now - 10 * DAY }]);
  // Shipped an hour ago.
  await putOrder("A-fresh", { number: "8003", placed_at: iso(now - DAY) });
  await addEvents("A-fresh", [{ shipment: "s1", status: "shipped", time: now - HOUR }]);
  // Delivered a month ago: done, however old.
  await putOrder("A-done", { number: "8004", placed_at: iso(now - 40 * DAY) });
  await addEvents("A-done", [{ shipment: "s1", status: "delivered", time: now - 30 * DAY }]);
  // Placed twenty days ago, never an event: its activity is when it was placed.
  await putOrder("A-silent", { number: "8005", placed_at: iso(now - 20 * DAY) });
  // Two shipments of one order: one stale, one cancelled.
  await putOrder("A-two", { number: "8006", placed_at: iso(now - 15 * DAY), shipments: [{ id: "s1", carrier: "PTT" }, { id: "s2", carrier: "PTT" }] });
  await addEvents("A-two", [
    { shipment: "s1", status: "in_transit", time: now - 8 * DAY },
    { shipment: "s2", status: "cancelled", time: now - 14 * DAY },
  ]);
}

// Survey answers through the shopper's own endpoints, as in tests/survey.test.mjs.
async function shopperCall(path, body) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/survey/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": newClient(), Origin: ORIGIN, "Idempotency-Key": randomUUID() },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

let surveyOrders = 0;
/** A delivered order (`deliveredDaysAgo` moves the edge's clock for its delivery) and its
 * answers: `answers` null opens it only, `"dismissed"` declines it. */
async function answeredOrder(answers, { complete = false, deliveredDaysAgo = 0 } = {}) {
  surveyOrders += 1;
  const id = `S-${surveyOrders}`;
  const shift = deliveredDaysAgo ? { [SHIFT]: String(-deliveredDaysAgo * DAY) } : {};
  await putOrder(id, { number: String(6000 + surveyOrders), placed_at: iso(now - (deliveredDaysAgo + 3) * DAY), headers: shift });
  await addEvents(id, [{ shipment: "s1", status: "delivered", time: now - deliveredDaysAgo * DAY }], shift);
  const links = await admin("POST", `orders/${id}/links`);
  assert.equal(links.status, 201, links.text);
  const token = links.json.survey.token;
  if (answers === null) {
    await shopperCall("open", { token, locale: "tr" });
  } else if (answers === "dismissed") {
    await shopperCall("answers", { token, seq: 1, answers: {}, dismissed: true, locale: "tr" });
  } else {
    const saved = await shopperCall("answers", { token, seq: 1, answers, complete, locale: "tr" });
    assert.equal(saved.state, complete ? "completed" : "open");
  }
  return id;
}

async function seedSurveys() {
  const settings = await admin("PUT", "survey", { topics: { "renk-x": ["renk"] } });
  assert.equal(settings.status, 200, settings.text);
  await answeredOrder({ nps: 2, reasons: ["delivery_time", "packaging"], follow_up: "Kargo çok geç geldi" }, { complete: true });
  await answeredOrder({ nps: 5, reasons: ["delivery_time"], comment: "Renk farklıydı" });
  await answeredOrder({ nps: 7, reasons: ["price", "delivery_time"], follow_up: "Biraz pahalı" });
  await answeredOrder({ nps: 8, csat: 4 });
  await answeredOrder({ nps: 9, reasons: ["packaging", "delivery_time"], comment: "Paketleme çok özenliydi" }, { complete: true });
  await answeredOrder({ nps: 10, reasons: ["product_quality"], csat: 5, ces: 7 }, { complete: true });
  // No NPS answer: in the topics, in no group.
  await answeredOrder({ csat: 2, comment: "Kargo geç, renk soluk" });
  await answeredOrder({ nps: 0, reasons: ["customer_service", "other"], follow_up: "Müşteri hizmetleri dönmedi" });
  // Opened but never answered, and declined: not responses.
  await answeredOrder(null);
  await answeredOrder("dismissed");
  // Delivered long ago: outside the default period.
  await answeredOrder({ nps: 1, reasons: ["delivery_time"], comment: "Kargo geç" }, { deliveredDaysAgo: 100 });
}

const reviews = {};
async function seedReviews() {
  const post = async (name, overrides) => {
    const r = await postReview(edge, review(overrides), { origin: ORIGIN });
    assert.equal(r.status, 201, r.text);
    reviews[name] = r.json.review.id;
  };
  await post("mug", { product: "mug-1", title: "Güzel", body: "Kahverengi fincan tam istediğim gibi", author: "Zeynep" });
  await post("shirt", { product: "shirt-2", title: "Harika", body: "Çok güzel bir KUMAŞ, ŞAHANE", author: "Mehmet" });
  await post("percent", { product: "shirt-2", title: "Pamuk", body: "Yüzde 100% pamuk yazıyor", author: "Ali" });
  await post("plain", { product: "plate-3", title: "Tabak", body: "Sağlam tabak, fincanla uyumlu değil", author: "Elif" });
  const rejected = await admin("POST", `reviews/${reviews.shirt}/reject`, { reason: "Test" });
  assert.equal(rejected.status, 200, rejected.text);
}

// ---------------------------------------------------------------------------------------------

describe("GET /v1/admin/orders", () => {
  test("newest placed first; paging with the cursor lists every order exactly once", async () => {
    const expected = (await edge.query("SELECT id FROM orders WHERE shop_id = 'test-shop' ORDER BY placed_at DESC, id DESC")).map((r) => r.id);
    assert.ok(expected.length > 20);
    const first = await get("orders");
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get("cache-control"), "no-store");
    assert.equal(first.json.orders.length, 20, "20 by default");
    assert.ok(statements(first) <= 3, `${statements(first)} D1 statements`);
    assert.deepEqual(first.json.orders.map((o) => o.id), expected.slice(0, 20));
    for (const limit of [1, 3, 100]) {
      const all = await allPages("orders", "orders", limit);
      assert.deepEqual(all.map((o) => o.id), expected, `limit ${limit}`);
    }
    const placed = (await allPages("orders", "orders", 100)).map((o) => o.placed_at);
    assert.deepEqual(placed, [...placed].sort((a, b) => b - a));
  });

  test("each order's status, shipments and last event are what the order API and the tracker say", async () => {
    const all = await allPages("orders", "orders", 7);
    for (const summary of all) {
      const view = await get(`orders/${summary.id}`);
      assert.equal(view.status, 200, view.text);
      assert.equal(summary.status, view.json.status, summary.id);
      assert.equal(summary.number, view.json.number, summary.id);
      assert.equal(summary.placed_at, view.json.placed_at, summary.id);
      assert.equal(summary.shipments, view.json.shipments.length, summary.id);
      const times = view.json.shipments.flatMap((s) => s.events.map((e) => e.time));
      assert.equal(summary.last_event_at, times.length ? Math.max(...times) : null, summary.id);
      assert.equal(typeof summary.updated_at, "number");
    }
    const byId = Object.fromEntries(all.map((o) => [o.id, o]));
    assert.equal(byId["L-1"].status, "in_transit", "the slower shipment");
    assert.equal(byId["L-2"].status, "in_transit", "of two events at one time, the one further along");
    assert.deepEqual([byId["L-3"].status, byId["L-3"].shipments, byId["L-3"].last_event_at], ["ordered", 0, null]);
    assert.equal(byId["L-4"].status, "exception");
    assert.equal(byId["A-done"].status, "delivered");
    assert.ok(byId["A-done"].delivered_at > 0);
    assert.equal(byId["A-fresh"].delivered_at, null);
  });

  test("q finds orders whose number or id starts with it, ASCII letters in any case", async () => {
    const ids = async (q, extra = "") => {
      const r = await get(`orders?q=${encodeURIComponent(q)}&limit=100${extra}`);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
      assert.ok(statements(r) <= 3);
      return r.json.orders.map((o) => o.id).sort();
    };
    assert.deepEqual(await ids("700"), ["L-1", "L-2", "L-3", "L-4", "L-5", "L-6"], "by number prefix");
    assert.deepEqual(await ids("7004"), ["L-4"]);
    assert.deepEqual(await ids("004"), [], "a prefix, not anywhere");
    assert.deepEqual(await ids("L-"), ["L-1", "L-2", "L-3", "L-4", "L-5", "L-6"], "by id prefix");
    assert.deepEqual(await ids("l-"), ["L-1", "L-2", "L-3", "L-4", "L-5", "L-6"], "any case");
    assert.deepEqual(await ids("a-ST"), ["A-stale"]);
    assert.deepEqual(await ids("ord.2026"), ["ord.2026.x"]);
    // LIKE's wildcards and a backslash match only themselves.
    assert.deepEqual(await ids("%"), ["W-1"]);
    assert.deepEqual(await ids("_"), ["W-2"]);
    assert.deepEqual(await ids("5_"), ["W-3"], "not 50X");
    assert.deepEqual(await ids("5\\"), ["W-5"]);
    assert.deepEqual(await ids("%20 ind"), ["W-1"]);
    assert.deepEqual(await ids("' OR 1=1 --"), []);
    assert.deepEqual(await ids("7%' OR '1'='1"), []);
    // Paging within a search.
    const paged = await allPages("orders?q=L-", "orders", 4);
    assert.deepEqual(paged.map((o) => o.id), ["L-6", "L-5", "L-4", "L-3", "L-2", "L-1"]);
  });

  test("hostile parameters are 400s that say what is wrong", async () => {
    const bad = [
      "limit=0", "limit=abc", "limit=101", "limit=-1", "limit=1.5",
      "cursor=abc", "cursor=123", "cursor=x.L-1", "cursor=05.L-1", "cursor=1.L-1~s1", "cursor=1.a%20b",
      `cursor=${encodeURIComponent("1.' OR 1=1 --")}`,
      `q=${"x".repeat(101)}`, "q=", "q=%0A",
    ];
    for (const query of bad) assertBadParameter(await get(`orders?${query}`), query);
    for (const long of ["x".repeat(100), "İ".repeat(100), "%".repeat(100)]) {
      const r = await get(`orders?q=${encodeURIComponent(long)}`);
      assert.equal(r.status, 200, `100 characters are fine: ${r.text}`);
      assert.deepEqual(r.json.orders, []);
    }
    assert.match((await get("orders?limit=0")).json.error.message, /limit must be a whole number from 1 to 100/);
    assert.match((await get("orders?cursor=abc")).json.error.message, /cursor/);
    assert.match((await get("orders?q=")).json.error.message, /q must be 1 to 100 characters/);
    const post = await admin("POST", "orders", {});
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET");
  });
});

describe("GET /v1/admin/shipments/attention", () => {
  const listed = async (query = "", options) => {
    const r = await get(`shipments/attention?limit=100${query}`, options);
    assert.equal(r.status, 200, r.text);
    return r;
  };
  const key = (s) => `${s.order}/${s.shipment}`;

  test("an exception and a stale shipment, not a fresh one nor an old delivered one, oldest first", async () => {
    const r = await listed();
    assert.ok(statements(r) <= 3, `${statements(r)} D1 statements`);
    assert.equal(r.json.days, 5, "the default");
    const byKey = Object.fromEntries(r.json.shipments.map((s) => [key(s), s]));
    assert.deepEqual(byKey["A-exc/s1"], {
      order: "A-exc", number: "8001", shipment: "s1", carrier: "Yurtiçi Kargo", tracking_number: null,
      status: "exception", last_activity_at: now - HOUR, reason: "exception",
    });
    assert.deepEqual(byKey["A-stale/s1"], {
      order: "A-stale", number: "8002", shipment: "s1", carrier: "MNG", tracking_number: "MNG42",
      status: "shipped", last_activity_at: now - 10 * DAY, reason: "stale",
    });
    assert.deepEqual(
      [byKey["A-silent/s1"].status, byKey["A-silent/s1"].last_activity_at, byKey["A-silent/s1"].reason],
      ["ordered", now - 20 * DAY, "stale"],
      "without events, its activity is when the order was placed",
    );
    assert.equal(byKey["A-two/s1"].reason, "stale");
    for (const absent of ["A-fresh/s1", "A-done/s1", "A-two/s2", "L-1/s1"]) assert.ok(!byKey[absent], `${absent} is not listed`);
    assert.equal(byKey["L-4/s1"].reason, "exception", "an old exception is an exception");
    assert.equal(byKey["L-1/s2"].reason, "stale");
    const times = r.json.shipments.map((s) => s.last_activity_at);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), "oldest activity first");
    assert.equal(r.json.next_cursor, null);
    // Every listed shipment really is an exception or stale, by the order API's own view.
    for (const s of r.json.shipments) {
      const view = (await get(`orders/${s.order}`)).json.shipments.find((v) => v.id === s.shipment);
      assert.equal(view.status, s.status, key(s));
      if (s.reason === "stale") assert.ok(s.last_activity_at < now - 5 * DAY, key(s));
    }
  });

  test("days moves the line, and the edge's clock is its now", async () => {
    const keys = async (query, options) => (await listed(query, options)).json.shipments.map(key);
    const fifteen = await listed("&days=15");
    assert.equal(fifteen.json.days, 15);
    const k15 = fifteen.json.shipments.map(key);
    assert.ok(k15.includes("A-silent/s1"), "20 days");
    assert.ok(!k15.includes("A-stale/s1"), "10 days is within 15");
    assert.ok(k15.includes("A-exc/s1"), "an exception whatever days says");
    assert.ok((await keys("&days=1")).includes("A-fresh/s1") === false, "an hour is within a day");
    const later = await keys("&days=1", { headers: { [SHIFT]: String(2 * DAY) } });
    assert.ok(later.includes("A-fresh/s1"), "two days later, the fresh one is stale");
    assert.ok(!later.includes("A-done/s1"));
  });

  test("paging with the cursor lists every shipment exactly once", async () => {
    const whole = (await listed("&days=1")).json.shipments.map(key);
    assert.ok(whole.length >= 6);
    for (const limit of [1, 2, 5]) {
      const paged = (await allPages("shipments/attention?days=1", "shipments", limit)).map(key);
      assert.deepEqual(paged, whole, `limit ${limit}`);
    }
  });

  test("hostile parameters are 400s that say what is wrong", async () => {
    for (const query of ["days=0", "days=91", "days=abc", "days=-1", "days=2.5", "days=", "limit=0", "limit=abc", "limit=101",
      "cursor=abc", "cursor=1.A-exc", "cursor=x.A-exc~s1", "cursor=1.A-exc~s1~s2", `cursor=${encodeURIComponent("1.A~' OR 1=1 --")}`]) {
      assertBadParameter(await get(`shipments/attention?${query}`), query);
    }
    assert.match((await get("shipments/attention?days=91")).json.error.message, /days must be a whole number from 1 to 90/);
    assert.equal((await get("shipments/attention?days=90")).status, 200);
    const del = await admin("DELETE", "shipments/attention");
    assert.equal(del.status, 405);
    assert.equal(del.headers.get("allow"), "GET");
  });
});

describe("GET /v1/admin/survey/responses", () => {
  const responses = (query) => allPages(`survey/responses?${query}`, "responses", 100);

  /** The report's counts and the list's, for one period's query. */
  async function assertListMatchesReport(period) {
    const report = await get(`reports/satisfaction?${period}`);
    assert.equal(report.status, 200, report.text);
    const totals = report.json.totals;
    const all = await responses(period);
    assert.equal(all.length, totals.responses, `${period}: every response`);
    for (const group of GROUPS) {
      const inGroup = await responses(`${period}&group=${group}`);
      assert.equal(inGroup.length, totals.nps[`${group}s`], `${period}: ${group}s`);
      assert.ok(inGroup.every((r) => r.group === group));
      for (const reason of REASONS) {
        const named = await responses(`${period}&group=${group}&reason=${reason}`);
        assert.equal(named.length, totals.reasons[group][reason] ?? 0, `${period}: ${group} ${reason}`);
        assert.ok(named.every((r) => r.group === group && r.reasons.includes(reason)));
      }
    }
    for (const reason of REASONS) {
      const counted = GROUPS.reduce((n, g) => n + (totals.reasons[g][reason] ?? 0), 0);
      assert.equal((await responses(`${period}&reason=${reason}`)).length, counted, `${period}: ${reason} in any group`);
    }
    for (const topic of [...Object.keys(totals.topics), "size", "never-used"]) {
      const tagged = await responses(`${period}&topic=${topic}`);
      assert.equal(tagged.length, totals.topics[topic] ?? 0, `${period}: topic ${topic}`);
      assert.ok(tagged.every((r) => r.topics.includes(topic)));
    }
    return { totals, all };
  }

  test("for the default period and a chosen one, the list counts what the report counts", async () => {
    const { totals, all } = await assertListMatchesReport("");
    assert.equal(totals.responses, 8, "the opened, the declined and the old one are not in it");
    assert.equal(totals.reasons.detractor.delivery_time, 2);
    assert.equal(totals.reasons.passive.delivery_time, 1);
    assert.equal(totals.reasons.promoter.delivery_time, 1, "a reason counts for its response's group only");
    assert.ok(totals.topics["renk-x"] >= 2, "the shop's own topic");
    assert.ok(all.some((r) => r.nps === null && r.group === null), "a response without NPS is listed");
    const from = new Date(now - 120 * DAY).toISOString().slice(0, 10);
    const to = new Date(now + DAY).toISOString().slice(0, 10);
    const chosen = await assertListMatchesReport(`from=${from}&to=${to}`);
    assert.equal(chosen.totals.responses, 9, "with the one delivered 100 days ago");
    assert.equal(chosen.totals.reasons.detractor.delivery_time, 3);
    const times = `from=${encodeURIComponent(new Date(now - 120 * DAY).toISOString())}&to=${encodeURIComponent(new Date(now - 50 * DAY).toISOString())}`;
    const old = await assertListMatchesReport(times);
    assert.equal(old.all.length, 1);
  });

  test("a response holds its answers, its order and its times; newest delivery first", async () => {
    const all = await responses("");
    const delivered = all.map((r) => r.delivered_at);
    assert.deepEqual(delivered, [...delivered].sort((a, b) => b - a));
    const first = all.find((r) => r.follow_up === "Kargo çok geç geldi");
    assert.deepEqual(
      { ...first, delivered_at: typeof first.delivered_at, answered_at: typeof first.answered_at },
      {
        order: "S-1", number: "6001", nps: 2, group: "detractor", reasons: ["delivery_time", "packaging"],
        follow_up: "Kargo çok geç geldi", csat: null, ces: null, comment: null, topics: ["delivery"], locale: "tr",
        delivered_at: "number", answered_at: "number", completed: true,
      },
    );
    assert.ok(first.answered_at >= first.delivered_at);
    const [row] = await edge.query("SELECT o.delivered_at FROM orders o WHERE o.id = 'S-1'");
    assert.equal(first.delivered_at, row.delivered_at);
  });

  test("paging with the cursor lists every response exactly once", async () => {
    const period = `from=${new Date(now - 120 * DAY).toISOString().slice(0, 10)}`;
    const whole = (await responses(period)).map((r) => r.order);
    for (const limit of [1, 2, 4]) {
      const paged = (await allPages(`survey/responses?${period}`, "responses", limit)).map((r) => r.order);
      assert.deepEqual(paged, whole, `limit ${limit}`);
    }
    const first = await get("survey/responses?limit=2");
    assert.ok(statements(first) <= 3, `${statements(first)} D1 statements`);
    assert.equal(first.json.responses.length, 2);
  });

  test("hostile parameters are 400s that say what is wrong; an unknown topic is simply none", async () => {
    const bad = [
      "group=detractors", "group=", "group=DETRACTOR", "reason=slow", "reason=", "topic=", "topic=Beden", "topic=a%20b",
      `topic=${"x".repeat(33)}`, `topic=${encodeURIComponent("' OR 1=1 --")}`, "topic=%C3%BCr%C3%BCn",
      "limit=0", "limit=abc", "limit=101", "cursor=abc", "cursor=1.S-1~s1", "cursor=x.S-1",
      "from=yesterday", "from=2026-11-23&to=2026-11-01", "from=2020-01-01&to=2026-01-01",
    ];
    for (const query of bad) assertBadParameter(await get(`survey/responses?${query}`), query);
    assert.match((await get("survey/responses?group=x")).json.error.message, /group must be detractor, passive or promoter/);
    assert.match((await get("survey/responses?reason=x")).json.error.message, /reason must be one of delivery_time, /);
    assert.match((await get("survey/responses?topic=X")).json.error.message, /topic must be 1 to 32 characters/);
    const unknown = await get("survey/responses?topic=or-1-1");
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.json, { responses: [], next_cursor: null });
    assert.equal((await get(`survey/responses?topic=${"x".repeat(32)}`)).status, 200);
    const post = await admin("POST", "survey/responses", {});
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET");
  });
});

describe("GET /v1/admin/reviews?q=", () => {
  const found = async (query) => {
    const r = await get(`reviews?limit=100&${query}`);
    assert.equal(r.status, 200, `${query}: ${r.text}`);
    return r.json.reviews.map((x) => x.id).sort();
  };
  const ids = (...names) => names.map((n) => reviews[n]).sort();

  test("finds a word in the body, the title, the author or the product, ASCII letters in any case", async () => {
    assert.deepEqual(await found("q=fincan"), ids("mug", "plain"), "inside words too");
    assert.deepEqual(await found("q=FINCAN"), ids("mug", "plain"));
    assert.deepEqual(await found("q=zeynep"), ids("mug"), "the author");
    assert.deepEqual(await found("q=Harika"), ids("shirt"), "the title");
    assert.deepEqual(await found("q=shirt-2"), ids("shirt", "percent"), "the product");
    assert.deepEqual(await found("q=" + encodeURIComponent("ŞAHANE")), ids("shirt"));
    assert.deepEqual(await found("q=" + encodeURIComponent("şahane")), [], "non-ASCII letters match exactly");
    assert.deepEqual(await found("q=" + encodeURIComponent("Kahverengi fincan")), ids("mug"));
  });

  test("combines with status, product and the cursor", async () => {
    assert.deepEqual(await found("q=kuma&status=published"), []);
    assert.deepEqual(await found("q=kuma&status=rejected"), ids("shirt"));
    assert.deepEqual(await found("q=fincan&product=plate-3"), ids("plain"));
    const first = await get("reviews?q=fincan&limit=1");
    assert.equal(first.json.reviews.length, 1);
    assert.ok(first.json.next_cursor);
    const second = await get(`reviews?q=fincan&limit=1&cursor=${encodeURIComponent(first.json.next_cursor)}`);
    assert.equal(second.json.reviews.length, 1);
    assert.deepEqual([first.json.reviews[0].id, second.json.reviews[0].id].sort(), ids("mug", "plain"));
    assert.equal(second.json.next_cursor, null);
  });

  test("% and _ match only themselves, SQL is only text, and bad q is a 400", async () => {
    assert.deepEqual(await found("q=%25"), ids("percent"));
    assert.deepEqual(await found("q=_"), []);
    assert.deepEqual(await found("q=" + encodeURIComponent("' OR 1=1 --")), []);
    assert.deepEqual(await found("q=" + encodeURIComponent("%' OR '1'='1")), []);
    for (const query of [`q=${"a".repeat(101)}`, "q=", "q=%09x"]) assertBadParameter(await get(`reviews?${query}`), query);
    // 100 characters, whatever their bytes: D1 refuses LIKE patterns over 50 bytes, so q is not one.
    for (const long of ["a".repeat(100), "ş".repeat(100), "%".repeat(100), "_\\".repeat(50)]) {
      const r = await get(`reviews?q=${encodeURIComponent(long)}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.reviews, []);
    }
  });
});

describe("keys and shops", () => {
  const paths = ["orders", "orders?q=L", "shipments/attention", "survey/responses", "reviews?q=fincan"];

  test("without a valid key every list is a 401", async () => {
    for (const path of paths) {
      for (const key of [null, "mk_wrong"]) {
        const r = await get(path, { key });
        assert.equal(r.status, 401, `${path}: ${r.text}`);
        assert.equal(r.json.error.code, "unauthorized");
      }
    }
  });

  test("another shop's key sees none of this shop's data", async () => {
    const other = (path) => get(path, { key: OTHER_KEY });
    assert.deepEqual((await other("orders")).json, { orders: [], next_cursor: null });
    assert.deepEqual((await other("orders?q=L-")).json, { orders: [], next_cursor: null });
    assert.deepEqual((await other("shipments/attention?days=1")).json, { days: 1, shipments: [], next_cursor: null });
    assert.deepEqual((await other("survey/responses?from=2026-01-01")).json, { responses: [], next_cursor: null });
    assert.deepEqual((await other("reviews?q=fincan")).json, { reviews: [], next_cursor: null });
    // A cursor from this shop's list gives nothing of it either.
    const page = await get("orders?limit=1");
    const next = await other(`orders?limit=100&cursor=${encodeURIComponent(page.json.next_cursor)}`);
    assert.equal(next.status, 200);
    assert.deepEqual(next.json.orders, []);
  });
});

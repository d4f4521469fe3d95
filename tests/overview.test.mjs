// The overview against the real worker and a hand-worked shop: orders, revenue net of refunds
// and cancellations, average basket, repeat rates with their eligibility, second-order time,
// cohorts' lifetime value, conversion and cart abandonment from events, and satisfaction against
// outcome (repeat rate by NPS group; lead time, CSAT and stars per carrier). Every figure below is
// worked out by hand in the comments; the story happens in June 2026 on the test clock.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, adminCall, newClient, postReview, review } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const SHIFT = "X-Memnun-Clock-Shift-Ms";
const at = (iso) => Date.parse(iso);
/** Headers that make the edge's clock read `ms` (the shift is taken against its clock now). */
const clock = (ms) => ({ [SHIFT]: String(ms - Date.now()) });
/** When the story's writes happen, after its last delivery and before its late orders. */
const STORY = at("2026-06-21T00:00:00Z");
/** When the report is asked: 2026-08-31, so first orders of June 1 are past 90 days, and later
 * ones are not (`now − 90 days` is June 2, 00:00). */
const NOW = at("2026-08-31T00:00:00Z");
let edge;

const admin = (method, path, body, { shiftTo = STORY, ...options } = {}) =>
  adminCall(edge, method, path, { body, headers: clock(shiftTo), ...options });

async function shopper(path, body, when = STORY) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "CF-Connecting-IP": newClient(),
      Origin: ORIGIN,
      "Idempotency-Key": randomUUID(),
      ...clock(when),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : null };
}

/** An order as the merchant sends it: `lines` as [product, quantity, price_minor, currency]. */
async function order(id, { email, placed, lines, refunded, cancelled, carrier, delivered, shiftTo = STORY }) {
  const r = await admin("PUT", `orders/${id}`, {
    number: id,
    ...(email ? { email } : {}),
    placed_at: placed,
    ...(cancelled ? { cancelled_at: cancelled } : {}),
    ...(refunded ? { refunded_minor: refunded } : {}),
    items: lines.map(([product, quantity, price_minor, currency]) => ({ product, quantity, price_minor, currency })),
    shipments: carrier ? [{ id: "s1", carrier, tracking_number: `T-${id}` }] : [],
  }, { shiftTo });
  assert.equal(r.status, 200, r.text);
  if (delivered) {
    const e = await admin("POST", `orders/${id}/events`, { events: [{ shipment: "s1", status: "delivered", time: delivered }] });
    assert.equal(e.status, 200, e.text);
  }
}

async function linksOf(id) {
  const r = await admin("POST", `orders/${id}/links`);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function answer(id, answers) {
  const links = await linksOf(id);
  assert.equal((await shopper("survey/open", { token: links.survey.token, locale: "tr" })).status, 200);
  const r = await shopper("survey/answers", { token: links.survey.token, seq: 1, answers, locale: "tr" });
  assert.equal(r.status, 200, r.text);
}

async function reviewOf(id, product, rating) {
  const links = await linksOf(id);
  const token = links.reviews.find((l) => l.product === product).token;
  const r = await postReview(edge, review({ product, rating, token }), { origin: ORIGIN, headers: clock(STORY) });
  assert.equal(r.status, 201, r.text);
}

/** Events of one browser at `when` (the edge stamps them with its clock). */
async function events(browser, when, list) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/events`, {
    method: "POST",
    headers: { "Content-Type": "text/plain;charset=UTF-8", "CF-Connecting-IP": newClient(), Origin: ORIGIN, ...clock(when) },
    body: JSON.stringify({ browser, events: list.map((e) => ({ id: randomUUID(), ...e })) }),
  });
  assert.equal(res.status, 202, await res.text());
}
const view = (product) => ({ type: "product_view", product });
const cart = (product) => ({ type: "add_to_cart", product });
const purchase = (...products) => ({ type: "purchase", products });

async function overview(query, now = NOW) {
  const r = await admin("GET", `reports/overview?${query}`, undefined, { shiftTo: now });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
  // The catalog: per-product conversion counts only the shop's own products ("kase-sahte" is not).
  const catalog = await admin("PUT", "catalog", {
    items: ["fincan", "tabak", "kase", "lamba"].map((id) => ({
      id, name: { tr: id, en: id }, price_minor: 10000, currency: "TRY", url: `https://shop.example/p/${id}`, in_stock: true,
    })),
  });
  assert.equal(catalog.status, 200, catalog.text);
  const TRY = "TRY";
  // a: first order June 1 (200.00), again June 20 (19 days) and July 25.
  await order("A1", { email: "a@example.com", placed: "2026-06-01T10:00:00Z", lines: [["fincan", 2, 10000, TRY]],
    carrier: "Yurtiçi Kargo", delivered: at("2026-06-03T10:00:00Z") });
  await order("A2", { email: "a@example.com", placed: "2026-06-20T10:00:00Z", lines: [["tabak", 1, 5000, TRY]] });
  await order("A3", { email: "A@Example.com", placed: "2026-07-25T10:00:00Z", lines: [["kase", 1, 3000, TRY]], shiftTo: NOW });
  // b: one order of 300.00, 50.00 of it refunded.
  await order("B1", { email: "b@example.com", placed: "2026-06-01T12:00:00Z", lines: [["tabak", 1, 30000, TRY]], refunded: 5000,
    carrier: "Yurtiçi Kargo", delivered: at("2026-06-04T12:00:00Z") });
  // c: June 1 (150.00); a cancelled order June 5 counts nowhere; again August 10 (70 days).
  await order("C1", { email: "c@example.com", placed: "2026-06-01T09:00:00Z", lines: [["kase", 1, 15000, TRY]],
    carrier: "Aras Kargo", delivered: at("2026-06-03T21:00:00Z") });
  await order("C2", { email: "c@example.com", placed: "2026-06-05T09:00:00Z", cancelled: "2026-06-06T09:00:00Z", lines: [["vazo", 1, 99900, TRY]] });
  await order("C3", { email: "c@example.com", placed: "2026-08-10T09:00:00Z", lines: [["fincan", 1, 4000, TRY]], shiftTo: NOW });
  // d: first order May 20 (the period before), again June 8 (19 days).
  await order("D1", { email: "d@example.com", placed: "2026-05-20T10:00:00Z", lines: [["fincan", 1, 8000, TRY]] });
  await order("D2", { email: "d@example.com", placed: "2026-06-08T10:00:00Z", lines: [["tabak", 1, 12000, TRY]],
    carrier: "Aras Kargo", delivered: at("2026-06-10T10:00:00Z") });
  // e: priced in euros only; a buyer, but no money in liras.
  await order("E1", { email: "e@example.com", placed: "2026-06-10T10:00:00Z", lines: [["fincan", 1, 5000, "EUR"]] });
  // No email: an order and its money, never a buyer.
  await order("N1", { placed: "2026-06-09T10:00:00Z", lines: [["kase", 1, 6000, TRY]] });
  // f: June 14 (100.00), again June 20 (6 days: 70.00).
  await order("F1", { email: "f@example.com", placed: "2026-06-14T08:00:00Z", lines: [["fincan", 1, 10000, TRY]] });
  await order("F2", { email: "f@example.com", placed: "2026-06-20T08:00:00Z", lines: [["kase", 1, 7000, TRY]] });

  // What shoppers said about the delivered orders.
  await answer("A1", { nps: 10, csat: 5 });
  await answer("B1", { nps: 3, csat: 2 });
  await answer("C1", { nps: 8, csat: 4 });
  await answer("D2", { nps: 9 });
  await reviewOf("A1", "fincan", 5);
  await reviewOf("B1", "tabak", 2);
  await reviewOf("C1", "kase", 3);

  // Browsers. v1: views and buys the cup within hours; on June 9 views a plate and buys nothing.
  const [v1, v2, v3, v4, v5, v6] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  await events(v1, at("2026-06-02T10:00:00Z"), [view("fincan")]);
  await events(v1, at("2026-06-02T11:00:00Z"), [cart("fincan")]);
  await events(v1, at("2026-06-02T15:00:00Z"), [purchase("fincan")]);
  await events(v1, at("2026-06-09T10:00:00Z"), [view("tabak")]);
  // v2: views two products, adds one to the cart, never buys.
  await events(v2, at("2026-06-03T10:00:00Z"), [view("fincan"), view("tabak")]);
  await events(v2, at("2026-06-03T10:40:00Z"), [cart("tabak")]);
  // v3: buys 47 hours after the add to cart (within 3 days) but 48 hours after the view (not
  // within 24).
  await events(v3, at("2026-06-04T10:00:00Z"), [view("tabak")]);
  await events(v3, at("2026-06-04T11:00:00Z"), [cart("tabak")]);
  await events(v3, at("2026-06-06T10:00:00Z"), [purchase("tabak")]);
  // v4: views a bowl and buys a cup: the visit converts, the bowl does not. A page's view of a
  // product the shop does not sell counts as the visit's, never as a product.
  await events(v4, at("2026-06-05T10:00:00Z"), [view("kase"), view("kase-sahte")]);
  await events(v4, at("2026-06-05T20:00:00Z"), [purchase("fincan")]);
  // v6: views only what the shop does not sell: a visit, never a product row.
  await events(v6, at("2026-06-06T10:00:00Z"), [view("kase-sahte")]);
  // v5: the period before, a view and nothing else.
  await events(v5, at("2026-05-25T10:00:00Z"), [view("fincan")]);
});
after(async () => {
  await edge?.cleanup();
});

describe("the overview by week", () => {
  let report;
  before(async () => {
    report = await overview("from=2026-06-01&to=2026-06-14");
  });

  test("orders, revenue net of refunds, average basket, first-time buyers", () => {
    assert.equal(report.from, "2026-06-01T00:00:00.000Z");
    assert.equal(report.to, "2026-06-15T00:00:00.000Z");
    assert.equal(report.before_from, "2026-05-18T00:00:00.000Z");
    assert.equal(report.currency, "TRY");
    assert.deepEqual(report.currencies, ["TRY", "EUR"]);
    // A1 B1 C1 D2 E1 N1 F1 (C2 was cancelled); priced in liras: all but E1.
    // 200 + 300 + 150 + 120 + 60 + 100 = 930.00, less 50.00 refunded = 880.00; ÷ 6 = 146.666… → 146.67.
    assert.deepEqual(report.sales, {
      orders: 7, priced_orders: 6, revenue_minor: 88000, refunded_minor: 5000,
      average_basket_minor: 14667, first_time_buyers: 5,
    });
    // D1: 80.00, and d's first order.
    assert.deepEqual(report.sales_before, {
      orders: 1, priced_orders: 1, revenue_minor: 8000, refunded_minor: 0,
      average_basket_minor: 8000, first_time_buyers: 1,
    });
  });

  test("the trend per ISO week", () => {
    assert.deepEqual(report.periods.map((p) => [p.start, p.end]), [
      ["2026-06-01T00:00:00.000Z", "2026-06-08T00:00:00.000Z"],
      ["2026-06-08T00:00:00.000Z", "2026-06-15T00:00:00.000Z"],
    ]);
    // Week 1: A1 B1 C1 = 200 + 250 + 150 = 600.00 over 3. Week 2: D2 N1 F1 (E1 in euros) =
    // 280.00 over 3 = 93.33; first-time: e, f.
    const [one, two] = report.periods.map((p) => p.sales);
    assert.deepEqual([one.orders, one.revenue_minor, one.average_basket_minor, one.first_time_buyers], [3, 60000, 20000, 3]);
    assert.deepEqual([two.orders, two.priced_orders, two.revenue_minor, two.average_basket_minor, two.first_time_buyers], [4, 3, 28000, 9333, 2]);
    assert.deepEqual(report.periods.map((p) => [p.conversion.visits, p.conversion.converted]), [[5, 2], [1, 0]]);
  });

  test("repeat rates count only buyers past the window; second-order time is a median", () => {
    // First-time buyers: a, b, c (June 1), e (June 10), f (June 14). Again within 30 days: a (19),
    // f (6); within 60: the same (c came back after 70); within 90: only a, b, c are 90 days old,
    // and a and c came back.
    assert.deepEqual(report.repeat, {
      first_time_buyers: 5,
      windows: [
        { days: 30, eligible: 5, repeated: 2, rate_tenths: 400 },
        { days: 60, eligible: 5, repeated: 2, rate_tenths: 400 },
        { days: 90, eligible: 3, repeated: 2, rate_tenths: 667 },
      ],
      // 6, 19, 70 days.
      second_orders: 3,
      second_order_median_days: 19,
    });
    assert.deepEqual(report.repeat_before.windows.map((w) => [w.eligible, w.repeated]), [[1, 1], [1, 1], [1, 1]]);
    assert.equal(report.repeat_before.second_order_median_days, 19);
  });

  test("conversion and cart abandonment count visits of consenting browsers", () => {
    // Visits with a view: v1 June 2 (bought), v2 June 3, v3 June 4 (bought after 48 h: no),
    // v4 June 5 (bought), v6 June 6, v1 June 9. Carts: v1 (bought), v2 (abandoned), v3 (bought
    // in 47 h).
    assert.deepEqual(report.conversion, {
      visits: 6, converted: 2, conversion_tenths: 333, carts: 3, abandoned: 1, abandonment_tenths: 333,
    });
    assert.deepEqual(report.conversion_before, {
      visits: 1, converted: 0, conversion_tenths: 0, carts: 0, abandoned: 0, abandonment_tenths: null,
    });
    // tabak: v2, v3, v1 (June 9), none bought it within a day; fincan: v1 bought it, v2 did not;
    // kase: v4 bought a cup, not the bowl; kase-sahte is not the shop's.
    assert.deepEqual(report.products, [
      { product: "tabak", visits: 3, converted: 0, conversion_tenths: 0 },
      { product: "fincan", visits: 2, converted: 1, conversion_tenths: 500 },
      { product: "kase", visits: 1, converted: 0, conversion_tenths: 0 },
    ]);
  });

  test("satisfaction against outcome: repeat by NPS group, lead time, CSAT and stars by carrier", () => {
    // Promoters: A1 (a ordered again), D2 (d did not); passive: C1 (c did); detractor: B1.
    assert.deepEqual(report.nps_groups, [
      { group: "promoter", answered: 2, repeated: 1, rate_tenths: 500 },
      { group: "passive", answered: 1, repeated: 1, rate_tenths: 1000 },
      { group: "detractor", answered: 1, repeated: 0, rate_tenths: 0 },
    ]);
    const carriers = Object.fromEntries(report.carriers.map((c) => [c.carrier, c]));
    assert.deepEqual(Object.keys(carriers).sort(), ["Aras Kargo", "Yurtiçi Kargo"]);
    // Yurtiçi: A1 48 h, B1 72 h → 60; CSAT 5 and 2; stars 5 and 2.
    assert.deepEqual(carriers["Yurtiçi Kargo"], {
      carrier: "Yurtiçi Kargo", delivered: 2, lead_time_median_hours: 60,
      csat: { responses: 2, satisfied: 1, percent_tenths: 500 }, reviews: 2, rating_mean_hundredths: 350,
    });
    // Aras: C1 60 h, D2 48 h → 54; CSAT 4 (D2 gave none); stars 3.
    assert.deepEqual(carriers["Aras Kargo"], {
      carrier: "Aras Kargo", delivered: 2, lead_time_median_hours: 54,
      csat: { responses: 1, satisfied: 1, percent_tenths: 1000 }, reviews: 1, rating_mean_hundredths: 300,
    });
  });
});

describe("the daily roll-up of visits", () => {
  test("rolled up by the scheduled job, the figures are the same as counted from the events", async () => {
    const query = "from=2026-06-01&to=2026-06-14";
    const live = await overview(query);
    const lastFinal = Math.floor((NOW - 3 * DAY) / DAY) - 1;
    const through = async () => (await edge.query("SELECT through_day FROM visit_rollups WHERE shop_id = 'test-shop'"))[0]?.through_day;
    // A week per run: the story's ten weeks of events take a dozen runs, then nothing is left.
    for (let run = 0; run < 30 && (await through()) !== lastFinal; run++) await edge.scheduled(NOW);
    assert.equal(await through(), lastFinal, "rolled up to the last day whose windows are over");
    const days = await edge.query("SELECT day, visits, converted, carts, carts_bought FROM visit_days WHERE shop_id = 'test-shop' ORDER BY day");
    assert.deepEqual(days.map((d) => [new Date(d.day * DAY).toISOString().slice(0, 10), d.visits, d.converted, d.carts, d.carts_bought]), [
      ["2026-05-25", 1, 0, 0, 0],
      ["2026-06-02", 1, 1, 1, 1],
      ["2026-06-03", 1, 0, 1, 0],
      ["2026-06-04", 1, 0, 1, 1],
      ["2026-06-05", 1, 1, 0, 0],
      ["2026-06-06", 1, 0, 0, 0],
      ["2026-06-09", 1, 0, 0, 0],
    ]);
    const rolled = await overview(query);
    assert.deepEqual(rolled, live);
    // The catalog is read when the overview is: a product added later shows its rolled-up days,
    // one taken out no longer shows.
    const catalog = (ids) => admin("PUT", "catalog", { mode: "replace", items: ids.map((id) => ({
      id, name: { tr: id, en: id }, price_minor: 10000, currency: "TRY", url: `https://shop.example/p/${id}`, in_stock: true,
    })) });
    assert.equal((await catalog(["fincan", "tabak", "kase-sahte", "lamba"])).status, 200);
    assert.deepEqual((await overview(query)).products, [
      { product: "tabak", visits: 3, converted: 0, conversion_tenths: 0 },
      { product: "fincan", visits: 2, converted: 1, conversion_tenths: 500 },
      { product: "kase-sahte", visits: 2, converted: 0, conversion_tenths: 0 },
    ]);
    assert.equal((await catalog(["fincan", "tabak", "kase", "lamba"])).status, 200);
    // Rolled up again (as when two runs overlap), a day is counted anew: nothing twice.
    await edge.query("UPDATE visit_rollups SET through_day = through_day - 20 WHERE shop_id = 'test-shop'");
    await edge.scheduled(NOW);
    assert.deepEqual(await overview(query), live);
    // The events may go (the retention purge): the rolled-up days stay.
    await edge.query("DELETE FROM shopper_events WHERE shop_id = 'test-shop' AND time < ?1", at("2026-06-15T00:00:00Z"));
    assert.deepEqual(await overview(query), live);
  });
});

describe("the overview by month", () => {
  test("monthly periods and the cohort table of lifetime value", async () => {
    const report = await overview("from=2026-05-01&to=2026-07-31&interval=month");
    assert.deepEqual(report.periods.map((p) => [p.start.slice(0, 10), p.sales.orders]), [
      ["2026-05-01", 1],
      // A1 B1 C1 D2 E1 N1 F1, A2 and F2 on June 20.
      ["2026-06-01", 9],
      ["2026-07-01", 1],
    ]);
    const table = report.cohorts.map((c) => [c.month, c.buyers, c.months.map((m) => [m.offset, m.active_buyers, m.revenue_per_buyer_minor])]);
    assert.deepEqual(table, [
      // d: 80.00 in May, 120.00 in June.
      ["2026-05", 1, [[0, 1, 8000], [1, 1, 20000], [2, 0, 20000]]],
      // a, b, c, e, f: 200 + 250 + 150 + 100 + 50 + 70 = 820.00 in June (e's euros not summed)
      // → 164.00 each; a's 30.00 in July → 170.00. c's August order is after the period.
      ["2026-06", 5, [[0, 5, 16400], [1, 1, 17000]]],
      ["2026-07", 0, [[0, 0, 0]]],
    ]);
  });
});

describe("the overview's rules", () => {
  test("another currency is summed alone; a bad one, or a bad period, is a 400", async () => {
    const euros = await overview("from=2026-06-01&to=2026-06-14&currency=EUR");
    assert.equal(euros.currency, "EUR");
    assert.deepEqual([euros.sales.orders, euros.sales.priced_orders, euros.sales.revenue_minor, euros.sales.average_basket_minor], [7, 1, 5000, 5000]);
    for (const query of ["currency=try", "currency=TL", "from=2026-06-14&to=2026-06-01", "interval=year", "from=yesterday"]) {
      const r = await admin("GET", `reports/overview?${query}`);
      assert.equal(r.status, 400, `${query}: ${r.text}`);
      assert.equal(r.json.error.code, "invalid_parameter", query);
    }
  });

  test("a refund or a price must be money: negative or too large is refused and nothing is stored", async () => {
    for (const refunded_minor of [-1, 100_000_000_001, "12"]) {
      const r = await admin("PUT", "orders/R1", { number: "R1", placed_at: "2026-06-02T10:00:00Z", refunded_minor, items: [{ product: "fincan", price_minor: 100, currency: "TRY" }] });
      assert.ok([400, 422].includes(r.status), r.text);
    }
    // Prices are bounded as the catalog's are, so a year of sums cannot overflow.
    const huge = await admin("PUT", "orders/R1", { number: "R1", placed_at: "2026-06-02T10:00:00Z", items: [{ product: "fincan", quantity: 2, price_minor: 5_000_000_000_000_000_000 / 1000, currency: "TRY" }] });
    assert.equal(huge.status, 422, huge.text);
    assert.ok(huge.json.error.fields.items, huge.text);
    assert.equal((await admin("GET", "orders/R1")).status, 404);
  });

  test("a refund imported with the history comes off revenue too", async () => {
    const line = { id: "I-1", number: "I-1", email: "i@example.com", placed_at: "2026-03-10T10:00:00Z", refunded_minor: 2500,
      items: [{ product: "fincan", quantity: 1, price_minor: 10000, currency: "TRY" }] };
    const r = await adminCall(edge, "POST", "orders/import", { body: JSON.stringify(line), headers: { "Content-Type": "application/x-ndjson" } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.imported, 1, r.text);
    const march = await overview("from=2026-03-09&to=2026-03-15");
    assert.deepEqual([march.sales.orders, march.sales.revenue_minor, march.sales.refunded_minor], [1, 7500, 2500]);
  });

  test("a view counts once its day is over; a read key may read the overview", async () => {
    const now = at("2026-09-10T12:00:00Z");
    await events(randomUUID(), now - 2 * HOUR, [view("lamba")]);
    const query = "from=2026-09-10&to=2026-09-10";
    const young = await overview(query, now);
    assert.equal(young.conversion.visits, 0, "a view of two hours ago may still turn into a purchase");
    const later = await overview(query, now + DAY);
    assert.deepEqual([later.conversion.visits, later.conversion.converted], [1, 0]);
    assert.deepEqual(later.products, [{ product: "lamba", visits: 1, converted: 0, conversion_tenths: 0 }]);
    const key = await admin("POST", "keys", { name: "overview-reader", scope: "read" });
    assert.equal(key.status, 201, key.text);
    const read = await adminCall(edge, "GET", `reports/overview?${query}`, { key: key.json.key });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.headers.get("cache-control"), "no-store");
  });
});

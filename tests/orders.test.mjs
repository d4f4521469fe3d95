// Orders over HTTP against the real worker: the merchant's order and event API, the links for
// messages, the shopper's lookup and token view (never the email), enumeration limits, and
// webhooks delivered through the outbox by the scheduled handler to a receiver on 127.0.0.1.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createHmac } from "node:crypto";
import { Edge, TEST_TOKEN_SECRET, adminCall, apiKeyHash, newClient, postReview, review, signToken, inOneRateWindow } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const OTHER_KEY = "mk_other_orders_key";
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
  await edge.query("INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, 'other-shop', 'other', 0)", apiKeyHash(OTHER_KEY));
});
after(async () => {
  await edge?.cleanup();
});

const admin = (method, path, body, options = {}) => adminCall(edge, method, path, { body, ...options });

async function shopper(path, body, { client = newClient(), origin = ORIGIN } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/orders/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": client, ...(origin ? { Origin: origin } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: JSON.parse(text || "null") };
}

function order(overrides = {}) {
  return {
    number: "1001",
    email: "Ayse@Example.com",
    placed_at: "2026-11-20T10:00:00Z",
    items: [
      { product: "kahve-fincani-01", quantity: 2, price_minor: 45000, currency: "TRY" },
      { product: "linen-shirt-02", quantity: 1, price_minor: 99000, currency: "TRY" },
    ],
    shipments: [
      { id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK123", tracking_url: "https://kargo.example/YK123",
        estimated_delivery: { date: new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10), source: "carrier" } },
    ],
    ...overrides,
  };
}

async function putOrder(id, body = order()) {
  const r = await admin("PUT", `orders/${id}`, body);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function addEvents(id, events, options) {
  const r = await admin("POST", `orders/${id}/events`, { events }, options);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

describe("the merchant's orders", () => {
  test("an order is stored and shown without the email or prices", async () => {
    const view = await putOrder("A-1");
    assert.equal(view.number, "1001");
    assert.equal(view.status, "ordered");
    assert.deepEqual(view.items, [{ product: "kahve-fincani-01", quantity: 2 }, { product: "linen-shirt-02", quantity: 1 }]);
    assert.equal(view.shipments[0].carrier, "Yurtiçi Kargo");
    assert.equal(view.shipments[0].estimated_delivery.source, "carrier");
    assert.ok(!JSON.stringify(view).toLowerCase().includes("ayse@example.com"));
    assert.ok(!JSON.stringify(view).includes("45000"));
    const [row] = await edge.query("SELECT email_hash FROM orders WHERE id = 'A-1'");
    assert.match(row.email_hash, /^[0-9a-f]{64}$/, "the email is kept only as a hash");
    assert.deepEqual((await admin("GET", "orders/A-1")).json, view);
  });

  test("an update replaces items and shipments; a shipment's events stay with its id", async () => {
    await putOrder("A-2");
    await addEvents("A-2", [{ shipment: "s1", status: "shipped", time: Date.now() - HOUR }]);
    const updated = await putOrder("A-2", order({
      items: [{ product: "kahve-fincani-01", quantity: 1 }],
      shipments: [
        { id: "s1", carrier: "Aras Kargo" },
        { id: "s2", carrier: "PTT" },
      ],
    }));
    assert.equal(updated.items.length, 1);
    assert.deepEqual(updated.shipments.map((s) => [s.id, s.carrier, s.events.length]), [["s1", "Aras Kargo", 1], ["s2", "PTT", 0]]);
    const dropped = await putOrder("A-2", order({ shipments: [{ id: "s2", carrier: "PTT" }] }));
    assert.deepEqual(dropped.shipments.map((s) => s.id), ["s2"]);
    const [{ n }] = await edge.query("SELECT COUNT(*) AS n FROM shipment_events WHERE order_id = 'A-2'");
    assert.equal(n, 0, "a removed shipment's events go with it");
  });

  test("bad orders are refused field by field and store nothing", async () => {
    const r = await admin("PUT", "orders/A-bad", {
      email: "not-an-email",
      items: [{ product: "../etc" }],
      shipments: [{ id: "s1", carrier: "", tracking_url: "javascript:alert(1)" }],
    });
    assert.equal(r.status, 422, r.text);
    for (const field of ["number", "email", "items", "shipments"]) assert.ok(r.json.error.fields[field], field);
    assert.equal((await admin("PUT", "orders/..%2Fx", order())).status, 400);
    assert.equal((await admin("PUT", "orders/A-bad", "[]")).status, 400);
    assert.equal((await admin("PUT", "orders/A-bad", order({ items: Array(101).fill({ product: "p" }) }))).status, 422);
    assert.equal((await admin("GET", "orders/A-bad")).status, 404);
    assert.equal((await admin("DELETE", "orders/A-bad")).status, 405);
  });

  test("a known carrier's page is linked, and a distinctive number names its carrier", async () => {
    const shipments = [
      { id: "s1", carrier: "yurtici kargo", tracking_number: "123456789012" },
      { id: "s2", tracking_number: "1Z5R89390357567127" },
      { id: "s3", tracking_number: "RB123456785TR" },
      { id: "s4", carrier: "Aras Kargo", tracking_number: "7", tracking_url: "https://shop.example/kargo/7" },
    ];
    const view = await putOrder("A-carriers", order({ number: "1002", shipments }));
    assert.deepEqual(view.shipments.map((s) => [s.id, s.carrier, s.tracking_url]), [
      ["s1", "yurtici kargo", "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=123456789012"],
      ["s2", "UPS", "https://www.ups.com/track?tracknum=1Z5R89390357567127"],
      ["s3", "PTT Kargo", "https://gonderitakip.ptt.gov.tr/Track/Verify?q=RB123456785TR"],
      ["s4", "Aras Kargo", "https://shop.example/kargo/7"],
    ]);
    // Plain digits could be any domestic carrier's: no guess, so the carrier is still asked for.
    const guess = await admin("PUT", "orders/A-guess", order({ shipments: [{ id: "s1", tracking_number: "123456789012" }] }));
    assert.equal(guess.status, 422, guess.text);
    assert.ok(guess.json.error.fields.shipments, guess.text);
    assert.equal((await admin("GET", "orders/A-guess")).status, 404);
  });

  test("without a valid key nothing is read or written; another shop's key sees none of it", async () => {
    for (const key of [null, "mk_wrong"]) {
      assert.equal((await admin("PUT", "orders/A-x", order(), { key })).status, 401);
      assert.equal((await admin("GET", "orders/A-1", undefined, { key })).status, 401);
      assert.equal((await admin("POST", "orders/A-1/events", { events: [] }, { key })).status, 401);
      assert.equal((await admin("POST", "orders/A-1/links", undefined, { key })).status, 401);
    }
    assert.equal((await admin("GET", "orders/A-1", undefined, { key: OTHER_KEY })).status, 404);
    const events = await admin("POST", "orders/A-1/events", { events: [{ shipment: "s1", status: "delivered", time: Date.now() }] }, { key: OTHER_KEY });
    assert.equal(events.status, 404);
    assert.equal((await admin("POST", "orders/A-1/links", undefined, { key: OTHER_KEY })).status, 404);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM orders WHERE id = 'A-x'"))[0].n, 0);
  });
});

describe("tracking events", () => {
  test("events arriving out of order and twice make one timeline ordered by time", async () => {
    await putOrder("E-1");
    const t = Date.now() - 10 * HOUR;
    const first = await addEvents("E-1", [
      { shipment: "s1", status: "in_transit", time: t + 3 * HOUR, location: "Ankara Aktarma" },
      { shipment: "s1", status: "ordered", time: t },
    ]);
    assert.deepEqual([first.added, first.duplicates], [2, 0]);
    const second = await addEvents("E-1", [
      { shipment: "s1", status: "shipped", time: new Date(t + HOUR).toISOString(), location: "İstanbul" },
      { shipment: "s1", status: "in_transit", time: t + 3 * HOUR, location: "Ankara Aktarma" },
    ]);
    assert.deepEqual([second.added, second.duplicates], [1, 1]);
    const s = second.order.shipments[0];
    assert.deepEqual(s.events.map((e) => e.status), ["ordered", "shipped", "in_transit"]);
    assert.equal(s.status, "in_transit");
    assert.equal(second.order.status, "in_transit");
    assert.equal(s.events[1].location, "İstanbul");
  });

  test("bad events are refused and store nothing", async () => {
    await putOrder("E-2");
    const r = await admin("POST", "orders/E-2/events", { events: [{ shipment: "s1", status: "lost", time: "soon" }] });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields["events.status"]);
    assert.ok(r.json.error.fields["events.time"]);
    const unknown = await admin("POST", "orders/E-2/events", { events: [{ shipment: "s9", status: "shipped", time: Date.now() }] });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /s9/);
    const many = Array.from({ length: 51 }, (_, i) => ({ shipment: "s1", status: "in_transit", time: Date.now() - i }));
    assert.equal((await admin("POST", "orders/E-2/events", { events: many })).status, 422);
    assert.equal((await admin("POST", "orders/E-none/events", { events: [{ shipment: "s1", status: "shipped", time: Date.now() }] })).status, 404);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM shipment_events WHERE order_id = 'E-2'"))[0].n, 0);
  });

  test("the estimated delivery shows until delivered or overdue", async () => {
    const today = new Date().toISOString().slice(0, 10);
    await putOrder("E-3", order({ shipments: [{ id: "s1", carrier: "MNG", estimated_delivery: { date: today } }] }));
    assert.equal((await admin("GET", "orders/E-3")).json.shipments[0].estimated_delivery.source, "shop");
    const overdue = await admin("GET", "orders/E-3", undefined, { headers: { "X-Memnun-Clock-Shift-Ms": String(2 * DAY) } });
    assert.equal(overdue.json.shipments[0].estimated_delivery, null);
    const delivered = await addEvents("E-3", [{ shipment: "s1", status: "delivered", time: Date.now() }]);
    assert.equal(delivered.order.shipments[0].estimated_delivery, null);
  });

  test("an order with several shipments is as far as its slowest one", async () => {
    await putOrder("E-4", order({ shipments: [{ id: "a", carrier: "MNG" }, { id: "b", carrier: "PTT" }] }));
    const r = await addEvents("E-4", [
      { shipment: "a", status: "delivered", time: Date.now() - HOUR },
      { shipment: "b", status: "shipped", time: Date.now() - HOUR },
    ]);
    assert.equal(r.order.status, "shipped");
    assert.deepEqual(r.order.shipments.map((s) => s.status), ["delivered", "shipped"]);
  });
});

describe("links and the shopper's view", () => {
  test("links carry tokens in the fragment of the shop's pages, each for its own purpose", async () => {
    await putOrder("L-1");
    const bare = (await admin("POST", "orders/L-1/links")).json;
    assert.equal(bare.tracker.url, null, "no pages set: tokens only");
    assert.equal((await admin("PUT", "shop", {
      tracker_page: "https://shop.example/siparis-takip",
      survey_page: "https://shop.example/anket",
      product_page: "https://shop.example/urun/{product}",
    })).status, 200);
    const r = await admin("POST", "orders/L-1/links");
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.tracker.url, `https://shop.example/siparis-takip#memnun=${r.json.tracker.token}`);
    assert.equal(r.json.survey.url, `https://shop.example/anket#memnun=${r.json.survey.token}`);
    assert.deepEqual(r.json.reviews.map((l) => l.product), ["kahve-fincani-01", "linen-shirt-02"]);
    assert.equal(r.json.reviews[0].url, `https://shop.example/urun/kahve-fincani-01#memnun-review=${r.json.reviews[0].token}`);
    // The tracker link opens the order; the review link makes a verified review of its product.
    const tracked = await shopper("track", { token: r.json.tracker.token });
    assert.equal(tracked.status, 200, tracked.text);
    assert.equal(tracked.json.order.number, "1001");
    assert.equal(tracked.headers.get("access-control-allow-origin"), ORIGIN);
    const posted = await postReview(edge, review({ product: "kahve-fincani-01", token: r.json.reviews[0].token }), { origin: ORIGIN });
    assert.equal(posted.status, 201, posted.text);
    assert.equal(posted.json.review.verified, true);
    // A survey or review token does not open the tracker.
    for (const token of [r.json.survey.token, r.json.reviews[1].token]) {
      assert.equal((await shopper("track", { token })).status, 404);
    }
    assert.equal((await admin("PUT", "shop", { product_page: "https://shop.example/urun" })).status, 422, "the product page must say where the id goes");
  });

  test("a lookup by number and email finds the order; every failure answers alike", async () => {
    await putOrder("Q-1", order({ number: "5501", email: "can@example.com" }));
    const found = await shopper("lookup", { number: "5501", email: "  CAN@example.com " });
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json.order.number, "5501");
    assert.ok(!found.text.toLowerCase().includes("can@example.com"));
    const again = await shopper("track", { token: found.json.token });
    assert.equal(again.status, 200);
    const misses = [
      await shopper("lookup", { number: "5501", email: "someone@example.com" }),
      await shopper("lookup", { number: "9999", email: "can@example.com" }),
      await shopper("track", { token: "v1.forged.token" }),
      await shopper("track", { token: signToken({ purpose: "track", shop: "test-shop", order: "Q-1", exp: Math.floor(Date.now() / 1000) - 1, kid: "s1" }, TEST_TOKEN_SECRET) }),
      await shopper("track", { token: signToken({ purpose: "track", shop: "other-shop", order: "Q-1", exp: Math.floor(Date.now() / 1000) + 60, kid: "s1" }, "other-secret") }),
      await shopper("track", { token: signToken({ purpose: "survey", shop: "test-shop", order: "Q-1", exp: Math.floor(Date.now() / 1000) + 60, kid: "s1" }, TEST_TOKEN_SECRET) }),
    ];
    for (const miss of misses) {
      assert.equal(miss.status, 404, miss.text);
      assert.equal(miss.text, misses[0].text, "the same body, whatever failed");
    }
    assert.equal((await shopper("lookup", { number: "5501" })).status, 422);
    assert.equal((await shopper("lookup", { number: "5501", email: "can@example.com" }, { origin: "https://evil.example" })).status, 403);
  });

  test("guessing emails for one order number is stopped per address; the buyer is not locked out", async () => {
    await inOneRateWindow();
    await putOrder("Q-2", order({ number: "7777", email: "zeynep@example.com" }));
    const guesser = newClient();
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await shopper("lookup", { number: "7777", email: `guess${i}@example.com` }, { client: guesser })).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(404));
    const limited = await shopper("lookup", { number: "7777", email: "zeynep@example.com" }, { client: guesser });
    assert.equal(limited.status, 429, "the guesser waits, even with the right email");
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    // The buyer's own address was not the one guessing: a stranger cannot lock them out.
    assert.equal((await shopper("lookup", { number: "7777", email: "zeynep@example.com" })).status, 200);
  });

  test("one client guessing many numbers is stopped", async () => {
    await inOneRateWindow();
    const client = newClient();
    const statuses = [];
    for (let i = 0; i < 22; i++) statuses.push((await shopper("lookup", { number: `N${i}`, email: `x${i}@example.com` }, { client })).status);
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(404));
    assert.equal(statuses[21], 429);
  });

  test("once delivered, the shopper is invited to review each item and answer the survey", async () => {
    await putOrder("D-1");
    const before = await shopper("track", { token: (await admin("POST", "orders/D-1/links")).json.tracker.token });
    assert.equal(before.json.order.invitations, null);
    await addEvents("D-1", [{ shipment: "s1", status: "delivered", time: Date.now(), location: "Kadıköy" }]);
    const links = (await admin("POST", "orders/D-1/links")).json;
    const after = await shopper("track", { token: links.tracker.token });
    const inv = after.json.order.invitations;
    assert.deepEqual(inv.reviews.map((r) => r.product), ["kahve-fincani-01", "linen-shirt-02"]);
    assert.match(inv.reviews[0].url, /^https:\/\/shop\.example\/urun\/kahve-fincani-01#memnun-review=v1\./);
    assert.match(inv.survey_url, /^https:\/\/shop\.example\/anket#memnun=v1\./);
    const posted = await postReview(edge, review({ product: "linen-shirt-02", token: inv.reviews[1].token }), { origin: ORIGIN });
    assert.equal(posted.json.review.verified, true);
  });
});

describe("webhooks", () => {
  let receiver;
  const received = [];
  let failuresLeft = 2;

  before(async () => {
    receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(500).end("not now");
        } else {
          res.writeHead(200).end("ok");
        }
      });
    });
    await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  });
  after(() => new Promise((r) => receiver.close(r)));

  test("the webhook's URL is checked, and its secret shown once", async () => {
    assert.equal((await admin("PUT", "webhook", { url: "ftp://x" })).status, 422);
    assert.equal((await admin("GET", "webhook")).status, 404);
    const set = await admin("PUT", "webhook", { url: `http://127.0.0.1:${receiver.address().port}/hooks/memnun` });
    assert.equal(set.status, 200, set.text);
    assert.match(set.json.secret, /^whsec_[0-9a-f]{48}$/);
    const got = await admin("GET", "webhook");
    assert.equal(got.json.url, set.json.url);
    assert.equal(got.json.secret, undefined);
  });

  test("order.delivered is queued, not sent, by the request; sent by the scheduled handler with backoff, exactly once", async () => {
    const secret = (await admin("PUT", "webhook", { url: `http://127.0.0.1:${receiver.address().port}/hooks/memnun` })).json.secret;
    await putOrder("W-1");
    const now = Date.now();
    await addEvents("W-1", [{ shipment: "s1", status: "delivered", time: now }]);
    await addEvents("W-1", [{ shipment: "s1", status: "delivered", time: now + 1000 }]);
    assert.equal(received.length, 0, "the request that caused it did not wait for the receiver");
    const queued = (await admin("GET", "webhook/deliveries")).json.deliveries;
    assert.equal(queued.length, 1, "queued once");

    await edge.scheduled(now + 1000);
    assert.equal(received.length, 1);
    await edge.scheduled(now + 30_000);
    assert.equal(received.length, 1, "not before its backoff");
    await edge.scheduled(now + 62_000);
    assert.equal(received.length, 2);
    await edge.scheduled(now + 62_000 + 301_000);
    assert.equal(received.length, 3);
    await edge.scheduled(now + 2 * DAY);
    assert.equal(received.length, 3, "delivered: never sent again");

    const ids = new Set(received.map((r) => r.headers["memnun-delivery"]));
    assert.equal(ids.size, 1, "every attempt is the same delivery");
    const last = received[2];
    assert.equal(last.headers["memnun-event"], "order.delivered");
    const [, t, v1] = last.headers["memnun-signature"].match(/^t=(\d+),v1=([0-9a-f]{64})(?:,v1=[0-9a-f]{64})?$/);
    assert.equal(v1, createHmac("sha256", secret).update(`${t}.${last.body}`).digest("hex"), "signed with the secret");
    const event = JSON.parse(last.body);
    assert.equal(event.type, "order.delivered");
    assert.equal(event.id, last.headers["memnun-delivery"]);
    assert.equal(event.data.order, "W-1");
    assert.match(event.data.links.survey.token, /^v1\./);
    assert.deepEqual(event.data.links.reviews.map((r) => r.product), ["kahve-fincani-01", "linen-shirt-02"]);
    assert.ok(!last.body.toLowerCase().includes("ayse@example.com"));
    const [delivery] = (await admin("GET", "webhook/deliveries")).json.deliveries;
    assert.equal(delivery.attempts, 3);
    assert.ok(delivery.delivered_at > 0);
  });

  test("a receiver that hangs costs one attempt of at most 10 s, not the run", async () => {
    const hanging = http.createServer(() => {});
    await new Promise((r) => hanging.listen(0, "127.0.0.1", r));
    try {
      await admin("PUT", "webhook", { url: `http://127.0.0.1:${hanging.address().port}/slow` });
      await putOrder("W-3");
      const t = Date.now();
      await addEvents("W-3", [{ shipment: "s1", status: "delivered", time: t }]);
      const started = Date.now();
      await edge.scheduled(t + 1000);
      assert.ok(Date.now() - started < 20_000, "the run ended");
      const delivery = (await admin("GET", "webhook/deliveries")).json.deliveries.find((d) => d.attempts === 1 && !d.delivered_at);
      assert.match(delivery.last_error, /no answer within 10 s/);
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });

  test("a receiver that never answers is given up after the last retry", async () => {
    await admin("PUT", "webhook", { url: "http://127.0.0.1:9/unreachable" });
    await putOrder("W-2");
    const t = Date.now();
    await addEvents("W-2", [{ shipment: "s1", status: "delivered", time: t }]);
    for (let day = 0; day < 12; day++) await edge.scheduled(t + day * DAY + 1000);
    const delivery = (await admin("GET", "webhook/deliveries")).json.deliveries.find((d) => d.delivered_at === null);
    assert.ok(delivery.failed_at > 0, JSON.stringify(delivery));
    assert.equal(delivery.attempts, 8);
    assert.ok(delivery.last_error.length > 0);
    assert.equal((await admin("DELETE", "webhook")).status, 204);
    assert.equal((await admin("GET", "webhook")).status, 404);
  });
});

// Shopify's webhooks against the real worker: payloads in Shopify's documented shapes
// (tests/fixtures/shopify/order.json), signed as Shopify signs them, through the connector the
// merchant sets up with a secret. An order's whole life arrives by itself; a wrong or missing
// signature, a body changed after signing, a replay, another shop's payload, 5 MB, an
// unknown topic and malformed JSON are each refused or ignored as docs/API.md says, storing
// nothing; deliveries out of order and twice end in the same order as in order.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Edge, TEST_SHOP, TEST_API_KEY, adminCall, apiKeyHash } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const SECRET = "9f2c4e1ab37d58c06e1f4a2b9c7d3e5f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d";
const OTHER_SECRET = "another-shops-shopify-secret-0123456789";
const FIXTURE = JSON.parse(readFileSync(new URL("./fixtures/shopify/order.json", import.meta.url), "utf8"));
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

const admin = (method, path, body) => adminCall(edge, method, path, { body });

const sign = (body, secret = SECRET) => createHmac("sha256", secret).update(body).digest("base64");

/** A delivery announced as `length` bytes, answered from its Content-Length alone: the body is
 * never sent, so no write of it can race the refusal (a 5 MB body written while the edge closes
 * the connection ends in ECONNRESET as often as in the answer). */
function announce(topic, length) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(`${edge.url}/v1/connectors/shopify/${TEST_SHOP}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Content-Length": length,
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": randomUUID(),
        "X-Shopify-Hmac-Sha256": sign("never sent"),
      },
    }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        answered = true;
        req.destroy();
        resolve({ status: res.statusCode, text });
      });
    });
    req.on("error", (e) => answered || reject(e));
    req.flushHeaders();
  });
}

/** One delivery as Shopify makes it: the JSON body, signed, with its topic and a delivery id. */
async function deliver(topic, payload, { secret = SECRET, shop = TEST_SHOP, id = randomUUID(), eventId = randomUUID(), signature, body } = {}) {
  const raw = body ?? JSON.stringify(payload);
  const res = await fetch(`${edge.url}/v1/connectors/shopify/${shop}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Webhook-Id": id,
      "X-Shopify-Event-Id": eventId,
      "X-Shopify-Triggered-At": "2026-11-20T10:04:11.000Z",
      "X-Shopify-Shop-Domain": "moda-fincan.myshopify.com",
      "X-Shopify-API-Version": "2025-10",
      ...(signature === null ? {} : { "X-Shopify-Hmac-Sha256": signature ?? sign(raw, secret) }),
    },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text || "null") };
}

/** The fixture's order as Shopify sends it at one moment of its life. */
function orderAt(stage, { id = FIXTURE.id, number = FIXTURE.order_number } = {}) {
  const base = { ...FIXTURE, id, order_number: number, name: `#${number}` };
  const fulfillment = (shipment_status, updated_at) => ({
    ...FIXTURE.fulfillments[0],
    order_id: id,
    shipment_status,
    created_at: "2026-11-21T10:15:00+03:00",
    updated_at,
  });
  switch (stage) {
    case "created":
      return { ...base, financial_status: "pending", fulfillment_status: null, fulfillments: [], updated_at: "2026-11-20T13:04:11+03:00" };
    case "paid":
      return { ...base, fulfillment_status: null, fulfillments: [], updated_at: "2026-11-20T13:05:02+03:00" };
    case "fulfilled":
      return { ...base, fulfillments: [fulfillment(null, "2026-11-21T10:15:00+03:00")], updated_at: "2026-11-21T10:15:00+03:00" };
    case "in_transit":
      return { ...base, fulfillments: [fulfillment("in_transit", "2026-11-22T08:30:00+03:00")], updated_at: "2026-11-22T08:30:00+03:00" };
    case "delivered":
      return { ...base, fulfillments: [fulfillment("delivered", "2026-11-23T14:02:00+03:00")], updated_at: "2026-11-23T14:02:00+03:00" };
    default:
      throw new Error(stage);
  }
}

const STAGES = ["created", "paid", "fulfilled", "in_transit", "delivered"];
const TOPIC = { created: "orders/create", paid: "orders/paid", fulfilled: "orders/fulfilled", in_transit: "orders/updated", delivered: "orders/updated" };

/** What the shopper sees of an order, without what differs between two copies of it (the
 * number, and the links' tokens, which name the order). */
async function seen(orderId) {
  const r = await admin("GET", `orders/${orderId}`);
  assert.equal(r.status, 200, r.text);
  const { status, placed_at, items, shipments, invitations } = r.json;
  return { status, placed_at, items, shipments, invited: invitations !== null && invitations !== undefined };
}

async function count(table) {
  const rows = await edge.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return rows[0].n;
}

describe("connecting Shopify", () => {
  test("the merchant sets the secret and is shown where to point the webhooks, never the secret", async () => {
    const r = await admin("PUT", "connectors/shopify", { secret: SECRET });
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.text.includes(SECRET), "the secret is not answered back");
    const [shopify] = r.json.connectors;
    assert.equal(shopify.platform, "shopify");
    assert.equal(shopify.webhook_url, `${edge.url}/v1/connectors/shopify/${TEST_SHOP}`);
    assert.ok(shopify.topics.includes("orders/create") && shopify.topics.includes("fulfillments/update"), r.text);
    assert.deepEqual(shopify.deliveries, []);

    assert.equal((await admin("PUT", "connectors/shopify", { secret: "short" })).status, 422);
    assert.equal((await admin("PUT", "connectors/shopify", { secret: "has a space in it 0123" })).status, 422);
    assert.equal((await admin("PUT", "connectors/magento", { secret: SECRET })).status, 404);
    const listed = await admin("GET", "connectors");
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json.connectors.length, 1);
    assert.ok(!listed.text.includes(SECRET));
  });
});

describe("an order's life arrives by itself", () => {
  test("created, paid, fulfilled with a Yurtiçi number, in transit, delivered: tracked, then invited", async () => {
    for (const stage of STAGES) {
      const r = await deliver(TOPIC[stage], orderAt(stage));
      assert.equal(r.status, 200, `${stage}: ${r.text}`);
      assert.equal(r.json.outcome, "applied", stage);
    }
    const r = await admin("GET", `orders/${FIXTURE.id}`);
    assert.equal(r.status, 200, r.text);
    const order = r.json;
    assert.equal(order.number, "1042");
    assert.equal(order.status, "delivered");
    assert.ok(!r.text.includes("ayse.yilmaz"), "the email is never shown");
    assert.deepEqual(order.items.map((i) => [i.product, i.quantity]), [["8812736512044", 2], ["8812736610348", 1]]);
    const [shipment] = order.shipments;
    assert.equal(shipment.carrier, "Yurtiçi Kargo");
    assert.equal(shipment.tracking_url, "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=302785463910");
    assert.deepEqual(shipment.events.map((e) => e.status), ["shipped", "in_transit", "delivered"]);

    // Delivered: the survey and the verified review links are there, as for any order.
    const links = await admin("POST", `orders/${FIXTURE.id}/links`);
    assert.equal(links.status, 201, links.text);
    assert.match(links.json.survey.token, /^v1\./, links.text);
    assert.deepEqual(links.json.reviews.map((r) => r.product), ["8812736512044", "8812736610348"], links.text);

    // The shopper finds it by the receipt's number and the email Shopify had.
    const lookup = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/orders/lookup`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": "198.51.100.77" },
      body: JSON.stringify({ number: "1042", email: "Ayse.Yilmaz@example.com.tr" }),
    });
    assert.equal(lookup.status, 200, await lookup.text());

    const list = await admin("GET", "connectors");
    const outcomes = list.json.connectors[0].deliveries.map((d) => [d.topic, d.outcome]);
    assert.equal(outcomes.length, STAGES.length);
    assert.ok(outcomes.every(([, outcome]) => outcome === "applied"), list.text);
  });

  test("a fulfillment webhook adds its parcel to the order and moves it along", async () => {
    const id = 5923418739001;
    assert.equal((await deliver("orders/paid", orderAt("paid", { id, number: 1043 }))).json.outcome, "applied");
    const fulfillment = { ...orderAt("fulfilled", { id }).fulfillments[0], id: 5412983459001, tracking_company: null, tracking_number: "1Z5R89390357567127", shipment_status: "out_for_delivery", updated_at: "2026-11-22T09:00:00+03:00" };
    const r = await deliver("fulfillments/create", fulfillment);
    assert.equal(r.status, 200, r.text);
    const [shipment] = (await admin("GET", `orders/${id}`)).json.shipments;
    assert.equal(shipment.carrier, "UPS", "detected from the 1Z number");
    assert.equal(shipment.tracking_url, "https://www.ups.com/track?tracknum=1Z5R89390357567127");
    assert.deepEqual(shipment.events.map((e) => e.status), ["shipped", "out_for_delivery"]);
  });
});

describe("out of order and twice", () => {
  test("deliveries in any order, some twice, end in the same order as in order", async () => {
    const inOrder = 5923418740001;
    const shuffled = 5923418740002;
    for (const stage of STAGES) assert.equal((await deliver(TOPIC[stage], orderAt(stage, { id: inOrder, number: 2001 }))).status, 200);
    const late = ["delivered", "created", "in_transit", "paid", "fulfilled", "delivered", "created"];
    const outcomes = [];
    for (const stage of late) {
      const r = await deliver(TOPIC[stage], orderAt(stage, { id: shuffled, number: 2002 }));
      assert.equal(r.status, 200, `${stage}: ${r.text}`);
      outcomes.push(r.json.outcome);
    }
    assert.deepEqual(outcomes, ["applied", "stale", "stale", "stale", "stale", "stale", "stale"]);
    assert.deepEqual(await seen(shuffled), await seen(inOrder));
  });

  test("a fulfillment before its order is sent back for later, then taken", async () => {
    const id = 5923418741001;
    const fulfillment = orderAt("in_transit", { id }).fulfillments[0];
    const early = await deliver("fulfillments/create", fulfillment, { id: "early-1" });
    assert.equal(early.status, 409, early.text);
    assert.equal((await admin("GET", `orders/${id}`)).status, 404);
    assert.equal((await deliver("orders/create", orderAt("created", { id, number: 2003 }))).status, 200);
    // Shopify sends the same delivery again: it was not taken the first time, so it counts now.
    const put = (await admin("GET", "connectors")).json.connectors[0].deliveries.find((d) => d.id === "early-1");
    assert.equal(put.outcome, "retry", "the merchant sees it waiting");
    assert.match(put.detail, /not arrived yet/);
    const again = await deliver("fulfillments/create", fulfillment, { id: "early-1" });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.outcome, "applied");
    assert.equal((await admin("GET", `orders/${id}`)).json.status, "in_transit");
    const taken = (await admin("GET", "connectors")).json.connectors[0].deliveries.filter((d) => d.id === "early-1");
    assert.deepEqual(taken.map((d) => [d.outcome, d.detail]), [["applied", null]]);
  });

  test("two payloads of one order taken at the same moment: the later one stands", async () => {
    // Sent together, in turn one and the other first: whichever reaches the database last, the
    // newer must stand.
    for (let round = 0; round < 6; round++) {
      const id = 5923418744001 + round;
      const sendNewer = () => deliver("orders/updated", orderAt("delivered", { id, number: 2100 + round }));
      const sendOlder = () => deliver("orders/paid", orderAt("paid", { id, number: 2100 + round }));
      const [newer, older] = round % 2
        ? (await Promise.all([sendOlder(), sendNewer()])).reverse()
        : await Promise.all([sendNewer(), sendOlder()]);
      assert.equal(newer.status, 200, newer.text);
      assert.equal(older.status, 200, older.text);
      const order = await seen(id);
      assert.equal(order.status, "delivered", `round ${round}: ${JSON.stringify([newer.json, older.json])}`);
      assert.equal(order.shipments.length, 1);
    }
  });

  test("the same event delivered twice (two subscriptions) is taken once; a status told again is one step", async () => {
    const id = 5923418745001;
    const event = randomUUID();
    assert.equal((await deliver("orders/create", orderAt("in_transit", { id, number: 2200 }), { eventId: event })).json.outcome, "applied");
    const twice = await deliver("orders/create", orderAt("in_transit", { id, number: 2200 }), { eventId: event });
    assert.equal(twice.json.outcome, "duplicate", twice.text);
    // The same event id under another topic is another delivery.
    const other = await deliver("orders/paid", { ...orderAt("in_transit", { id, number: 2200 }), updated_at: "2026-11-22T09:00:00+03:00" }, { eventId: event });
    assert.equal(other.json.outcome, "applied", other.text);
    // Shopify retells "in transit" with every carrier scan.
    for (const at of ["2026-11-22T11:00:00+03:00", "2026-11-22T19:40:00+03:00"]) {
      const scan = { ...orderAt("in_transit", { id }).fulfillments[0], shipment_status: "in_transit", updated_at: at };
      assert.equal((await deliver("fulfillments/update", scan)).json.outcome, "applied");
    }
    const [shipment] = (await seen(id)).shipments;
    assert.deepEqual(shipment.events.map((e) => [e.status, e.time]), [
      ["shipped", Date.parse("2026-11-21T10:15:00+03:00")],
      ["in_transit", Date.parse("2026-11-22T08:30:00+03:00")],
    ]);
  });

  test("a cancelled order shows cancelled and needs no one's attention", async () => {
    const id = 5923418746001;
    assert.equal((await deliver("orders/fulfilled", orderAt("fulfilled", { id, number: 2300 }))).json.outcome, "applied");
    const cancelled = { ...orderAt("fulfilled", { id, number: 2300 }), cancelled_at: "2026-11-21T12:00:00+03:00", cancel_reason: "customer", updated_at: "2026-11-21T12:00:01+03:00" };
    assert.equal((await deliver("orders/cancelled", cancelled)).json.outcome, "applied");
    assert.equal((await seen(id)).status, "cancelled");
    const listed = (await admin("GET", "orders?q=2300")).json.orders;
    assert.deepEqual(listed.map((o) => o.status), ["cancelled"]);
    const attention = await admin("GET", "shipments/attention?days=1");
    assert.ok(!attention.json.shipments.some((s) => s.order === String(id)), attention.text);
  });

  test("an order payload from before a parcel does not take the parcel away; an older parcel update is kept out", async () => {
    const id = 5923418743001;
    assert.equal((await deliver("orders/create", orderAt("created", { id, number: 2005 }))).json.outcome, "applied");
    const parcel = (updated_at, shipment_status, tracking_number) => ({
      ...FIXTURE.fulfillments[0], id: 5412983463001, order_id: id, tracking_company: null,
      tracking_number, tracking_numbers: [tracking_number], shipment_status,
      created_at: "2026-11-21T10:15:00+03:00", updated_at,
    });
    const newer = await deliver("fulfillments/update", parcel("2026-11-22T12:00:00+03:00", "out_for_delivery", "302785463999"));
    assert.equal(newer.json.outcome, "applied", newer.text);
    // Shopify's orders/paid from before the parcel, arriving late: the parcel stays.
    const late = await deliver("orders/paid", orderAt("paid", { id, number: 2005 }));
    assert.equal(late.json.outcome, "stale", late.text);
    // An update of the parcel from before the newer one: its event is kept, its fields are not.
    const older = await deliver("fulfillments/update", parcel("2026-11-21T18:00:00+03:00", "in_transit", "302785463000"));
    assert.equal(older.json.outcome, "stale", older.text);
    const order = (await admin("GET", `orders/${id}`)).json;
    assert.equal(order.shipments.length, 1, JSON.stringify(order));
    const [shipment] = order.shipments;
    // A plain number names no carrier and Shopify named none: Shopify's own word for it.
    assert.equal(shipment.carrier, "Other");
    assert.equal(shipment.tracking_number, "302785463999");
    assert.deepEqual(shipment.events.map((e) => e.status), ["shipped", "in_transit", "out_for_delivery"]);
    assert.equal(order.status, "out_for_delivery");
  });

  test("the same delivery twice changes nothing the second time", async () => {
    const id = 5923418742001;
    const delivery = randomUUID();
    assert.equal((await deliver("orders/create", orderAt("in_transit", { id, number: 2004 }), { id: delivery })).json.outcome, "applied");
    const before = await seen(id);
    // Even a different body under the same delivery id is not read again.
    const replay = await deliver("orders/updated", orderAt("delivered", { id, number: 2004 }), { id: delivery });
    assert.equal(replay.status, 200, replay.text);
    assert.equal(replay.json.outcome, "duplicate");
    assert.deepEqual(await seen(id), before);
  });
});

describe("the catalog, refunds and Shopify's privacy webhooks", () => {
  const product = (extra = {}) => ({
    id: 8812736512044, title: "El Yapımı Kahve Fincanı", handle: "el-yapimi-kahve-fincani", product_type: "Fincan",
    status: "active", updated_at: "2026-11-19T09:00:00+03:00", vendor: "Kütahya Porselen",
    variants: [{ id: 1, price: "475.00", inventory_quantity: 4, inventory_policy: "deny", inventory_management: "shopify", sku: "FNC-01", barcode: "8690000000012" },
               { id: 2, price: "450.00", inventory_quantity: 0, inventory_policy: "deny", inventory_management: "shopify", sku: "FNC-02", barcode: "not-a-gtin" }],
    image: { src: "https://cdn.shopify.com/s/files/1/0001/fincan.jpg" },
    ...extra,
  });
  const catalogItem = async (id) => (await admin("GET", "catalog?limit=100")).json.items.find((i) => i.id === String(id));

  test("products arrive in the catalog, newer wins, a draft or a deletion takes them out for good", async () => {
    assert.equal((await deliver("products/create", product())).json.outcome, "applied");
    assert.deepEqual(await catalogItem(8812736512044), {
      id: "8812736512044", name: { tr: "El Yapımı Kahve Fincanı" }, price_minor: 45000, currency: "TRY",
      image_url: "https://cdn.shopify.com/s/files/1/0001/fincan.jpg", url: `${ORIGIN}/products/el-yapimi-kahve-fincani`,
      category: "Fincan", in_stock: true,
      // What the review feed gives Google to match on; a wrong barcode is left out, not the product.
      gtins: ["8690000000012"], mpns: [], skus: ["FNC-01", "FNC-02"], brand: "Kütahya Porselen",
    });
    // An update sent before the one above, arriving after it: the catalog keeps the newer.
    const older = await deliver("products/update", product({ title: "Eski ad", updated_at: "2026-11-18T09:00:00+03:00" }));
    assert.equal(older.json.outcome, "stale", older.text);
    assert.equal((await catalogItem(8812736512044)).name.tr, "El Yapımı Kahve Fincanı");
    const draft = await deliver("products/update", product({ status: "draft", updated_at: "2026-11-20T09:00:00+03:00" }));
    assert.equal(draft.json.outcome, "applied");
    assert.equal(await catalogItem(8812736512044), undefined, "a draft is not on sale");

    assert.equal((await deliver("products/create", product({ id: 8812736610348, handle: "tabak" }))).json.outcome, "applied");
    assert.ok(await catalogItem(8812736610348));
    assert.equal((await deliver("products/delete", { id: 8812736610348 })).json.outcome, "applied");
    assert.equal(await catalogItem(8812736610348), undefined);
    // An update Shopify sent before the deletion, retried after it, does not bring it back.
    const late = await deliver("products/update", product({ id: 8812736610348, handle: "tabak", updated_at: "2026-11-25T09:00:00+03:00" }));
    assert.equal(late.json.outcome, "stale", late.text);
    assert.equal(await catalogItem(8812736610348), undefined);
  });

  test("the connection's currency and language are the catalog's", async () => {
    const r = await admin("PUT", "connectors/shopify", { secret: SECRET, currency: "EUR", locale: "en" });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.connectors[0].currency, r.json.connectors[0].locale], ["EUR", "en"]);
    assert.equal((await admin("PUT", "connectors/shopify", { secret: SECRET, currency: "euro" })).status, 422);
    assert.equal((await admin("PUT", "connectors/shopify", { secret: SECRET, locale: "de" })).status, 422);
    await deliver("products/create", product({ id: 8812736700001, title: "Espresso cup", handle: "espresso-cup", updated_at: "2026-11-21T09:00:00+03:00" }));
    const item = await catalogItem(8812736700001);
    assert.deepEqual([item.name, item.currency, item.price_minor], [{ en: "Espresso cup" }, "EUR", 45000]);
    assert.equal((await admin("PUT", "connectors/shopify", { secret: SECRET })).status, 200);
  });

  test("a refund that takes goods back leaves the order, and a parcel all sent back is returned", async () => {
    const id = 5923418748001;
    assert.equal((await deliver("orders/updated", orderAt("delivered", { id, number: 2500 }))).json.outcome, "applied");
    const line = (n) => FIXTURE.line_items[n].id;
    const refunded = {
      ...orderAt("delivered", { id, number: 2500 }),
      financial_status: "refunded",
      updated_at: "2026-11-30T12:00:05+03:00",
      refunds: [{ id: 1, created_at: "2026-11-30T12:00:00+03:00", refund_line_items: [
        { id: 11, line_item_id: line(0), quantity: 2, restock_type: "return" },
        { id: 12, line_item_id: line(1), quantity: 1, restock_type: "return" },
      ] }],
    };
    assert.equal((await deliver("orders/updated", refunded)).json.outcome, "applied");
    const order = await seen(id);
    assert.deepEqual(order.items, [], "nothing is left to review");
    assert.equal(order.shipments[0].status, "returned");
    assert.deepEqual(order.shipments[0].events.map((e) => e.status), ["shipped", "delivered", "returned"]);
  });

  test("Shopify's privacy webhooks: a customer's erasure erases them; a data request is listed for the merchant", async () => {
    const id = 5923418749001;
    const email = "gizlilik@example.com.tr";
    assert.equal((await deliver("orders/create", { ...orderAt("created", { id, number: 2600 }), email, contact_email: email })).json.outcome, "applied");
    const request = await deliver("customers/data_request", { shop_id: 1, shop_domain: "moda-fincan.myshopify.com", customer: { id: 207119551, email }, orders_requested: [id], data_request: { id: 9999 } }, { id: "privacy-request" });
    assert.equal(request.status, 200, request.text);
    assert.match(request.json.detail, /customer 207119551.*export it under Shoppers/);
    assert.equal((await admin("GET", `orders/${id}`)).status, 200, "a request erases nothing");
    const redact = await deliver("customers/redact", { shop_id: 1, shop_domain: "moda-fincan.myshopify.com", customer: { id: 207119551, email }, orders_to_redact: [id] });
    assert.equal(redact.status, 200, redact.text);
    assert.match(redact.json.detail, /erased the customer's 1 orders/);
    assert.equal((await admin("GET", `orders/${id}`)).status, 404);
    const listed = (await admin("GET", "connectors")).json.connectors[0].deliveries.find((d) => d.id === "privacy-request");
    assert.ok(!JSON.stringify(listed).includes(email), "the list does not show the email");
  });
});

describe("a shopper's erasure", () => {
  test("an erased order is never brought back by a later payload, a parcel or a retry", async () => {
    const id = 5923418747001;
    const email = "erase.me@example.com.tr";
    const order = (stage, extra = {}) => ({ ...orderAt(stage, { id, number: 2400 }), email, contact_email: email, ...extra });
    const kept = await deliver("orders/create", order("created"), { id: "erase-create" });
    assert.equal(kept.json.outcome, "applied");
    const erased = await admin("POST", "shoppers/delete", { email });
    assert.equal(erased.status, 200, erased.text);
    assert.equal(erased.json.orders, 1, erased.text);

    // Shopify keeps sending the order as it changes, and retries what it sent before.
    const later = await deliver("orders/updated", order("in_transit"));
    assert.equal(later.status, 200, later.text);
    assert.equal(later.json.outcome, "erased");
    const parcel = await deliver("fulfillments/update", order("delivered").fulfillments[0]);
    assert.equal(parcel.status, 200, parcel.text);
    assert.equal(parcel.json.outcome, "erased");
    const retried = await deliver("orders/create", order("created"), { id: "erase-create-retried" });
    assert.equal(retried.json.outcome, "erased");
    assert.equal((await admin("GET", `orders/${id}`)).status, 404);
    const rows = await edge.query("SELECT (SELECT COUNT(*) FROM orders WHERE id = ?1) AS orders, (SELECT COUNT(*) FROM shipments WHERE order_id = ?1) AS shipments, (SELECT COUNT(*) FROM baskets WHERE basket_key = 'order:' || ?1) AS baskets", String(id));
    assert.deepEqual(rows[0], { orders: 0, shipments: 0, baskets: 0 });
  });
});

describe("what is refused", () => {
  const id = 5923418750001;
  const payload = () => orderAt("paid", { id, number: 3001 });

  test("a wrong, missing or other secret's signature, or a body changed after signing: 401, nothing stored", async () => {
    const before = { orders: await count("orders"), deliveries: await count("connector_deliveries") };
    const refusedBefore = (await admin("GET", "connectors")).json.connectors[0].signature_refused_at;
    const body = JSON.stringify(payload());
    for (const [what, options] of [
      ["another secret", { secret: "not-the-shops-secret-at-all" }],
      ["no signature", { signature: null }],
      ["an empty signature", { signature: "" }],
      ["a signature that is not base64", { signature: "%%%" }],
      ["the body changed after signing", { signature: sign(body), body: body.replace("1349.00", "1.00") }],
    ]) {
      const r = await deliver("orders/create", payload(), options);
      assert.equal(r.status, 401, `${what}: ${r.text}`);
      assert.equal(r.json.error.code, "unauthorized", what);
    }
    assert.equal((await admin("GET", `orders/${id}`)).status, 404);
    assert.deepEqual({ orders: await count("orders"), deliveries: await count("connector_deliveries") }, before);
    // The merchant is told a delivery came signed with another secret.
    const refusedAt = (await admin("GET", "connectors")).json.connectors[0].signature_refused_at;
    assert.ok(refusedAt > (refusedBefore ?? 0), `signature_refused_at ${refusedAt}`);
  });

  test("a payload signed for another shop, or for a shop that has not connected: refused", async () => {
    // other-shop has not connected Shopify: nothing to check a signature with, and the answer
    // is the same as a wrong signature's, so it tells no one which shops connected.
    const unconnected = await deliver("orders/create", payload(), { shop: "other-shop" });
    assert.equal(unconnected.status, 401, unconnected.text);
    await edge.query("INSERT INTO connectors (shop_id, platform, secret, connected_at) VALUES ('other-shop', 'shopify', ?1, 0)", OTHER_SECRET);
    // test-shop's delivery sent to other-shop's address is not other-shop's.
    const misdirected = await deliver("orders/create", payload(), { shop: "other-shop" });
    assert.equal(misdirected.status, 401, misdirected.text);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM orders WHERE shop_id = 'other-shop'"))[0].n, 0);
    assert.equal((await deliver("orders/create", payload(), { shop: "no-such-shop" })).status, 401);
    assert.equal((await deliver("orders/create", payload(), { shop: "..%2Fadmin" })).status, 400);
  });

  test("5 MB, malformed JSON, a missing delivery id and unknown topics", async () => {
    const tooBig = await announce("orders/create", 5 * 1024 * 1024);
    assert.equal(tooBig.status, 413, tooBig.text);
    assert.equal(JSON.parse(tooBig.text).error.code, "payload_too_large");

    // Signed but not storable: 200 (sending the same bytes again cannot help), refused, and
    // the merchant reads why.
    const malformed = await deliver("orders/create", null, { body: '{"id": 5923418750001, "line_items": [' });
    assert.equal(malformed.status, 200, malformed.text);
    assert.equal(malformed.json.outcome, "refused");
    assert.match(malformed.json.detail, /not a Shopify Order/);

    const noId = await deliver("orders/create", payload(), { id: "" });
    assert.equal(noId.status, 400, noId.text);

    const unknown = await deliver("carts/update", { id: "eeafa272cebfd4b22385bc4b645e762c", line_items: [] });
    assert.equal(unknown.status, 200, unknown.text);
    assert.equal(unknown.json.outcome, "ignored");

    const notAnOrder = await deliver("orders/create", { id: id, line_items: [{ product_id: 1, quantity: 0 }] }, { id: "refused-1" });
    assert.equal(notAnOrder.status, 200, notAnOrder.text);
    assert.equal(notAnOrder.json.outcome, "refused");
    assert.match(notAnOrder.json.detail, /^number: /, "an order without a number cannot be looked up");
    const listed = (await admin("GET", "connectors")).json.connectors[0].deliveries.find((d) => d.id === "refused-1");
    assert.deepEqual([listed.outcome, listed.detail], ["refused", notAnOrder.json.detail]);

    assert.equal((await admin("GET", `orders/${id}`)).status, 404);
    const wrongMethod = await fetch(`${edge.url}/v1/connectors/shopify/${TEST_SHOP}`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
  });

  test("a disconnected platform's webhooks are refused from then on", async () => {
    await edge.query("INSERT OR REPLACE INTO connectors (shop_id, platform, secret, connected_at) VALUES ('other-shop', 'shopify', ?1, 0)", OTHER_SECRET);
    const key = "mk_other_connectors_key";
    await edge.query("INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, 'other-shop', 'other', 0)", apiKeyHash(key));
    assert.equal((await adminCall(edge, "DELETE", "connectors/shopify", { key })).status, 204);
    assert.equal((await adminCall(edge, "DELETE", "connectors/shopify", { key })).status, 404);
    const r = await deliver("orders/create", payload(), { shop: "other-shop", secret: OTHER_SECRET });
    assert.equal(r.status, 401, r.text);
    // test-shop's connection is untouched.
    assert.equal((await admin("GET", "connectors")).json.connectors.length, 1);
  });
});

describe("connecting WooCommerce", () => {
  const WC_SECRET = "wc-moda-fincan-webhook-secret-2026";
  const WC_FIXTURE = JSON.parse(readFileSync(new URL("./fixtures/woocommerce/order.json", import.meta.url), "utf8"));
  const url = (shop = TEST_SHOP) => `${edge.url}/v1/connectors/woocommerce/${shop}`;

  /** One delivery as WooCommerce makes it: signed JSON with its topic and a new delivery id. */
  async function wc(topic, payload, { secret = WC_SECRET, signature } = {}) {
    const raw = JSON.stringify(payload);
    const res = await fetch(url(), {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)",
        "X-WC-Webhook-Source": "https://moda-fincan.com.tr/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0],
        "X-WC-Webhook-Event": topic.split(".")[1],
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": randomUUID().replaceAll("-", ""),
        "X-WC-Webhook-Signature": signature ?? sign(raw, secret),
      },
      body: raw,
    });
    const text = await res.text();
    return { status: res.status, text, json: JSON.parse(text || "null") };
  }

  /** The fixture's order at one moment: its status, tracking meta and modification time. */
  const orderAt = (status, modified, { id = WC_FIXTURE.id, meta = WC_FIXTURE.meta_data } = {}) => ({
    ...WC_FIXTURE, id, status, meta_data: meta, date_modified_gmt: modified, date_modified: modified,
  });

  test("the ping WooCommerce sends when a webhook is saved is answered, before and after connecting", async () => {
    const before = await count("connector_deliveries");
    for (const shop of ["other-shop", TEST_SHOP]) {
      const ping = await fetch(url(shop), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "webhook_id=12" });
      assert.equal(ping.status, 200, await ping.text());
    }
    const notPing = await fetch(url(), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "webhook_id=12&order=1" });
    assert.equal(notPing.status, 415);
    assert.equal(await count("connector_deliveries"), before);
  });

  test("an order's life: processing, completed with an Aras number, delivered: tracked, invited", async () => {
    const r = await admin("PUT", "connectors/woocommerce", { secret: WC_SECRET });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.connectors[0].webhook_url, `${edge.url}/v1/connectors/woocommerce/${TEST_SHOP}`);
    assert.ok(r.json.connectors[0].topics.includes("order.updated"));

    const processing = await wc("order.created", orderAt("processing", "2026-11-20T07:13:02", { meta: [] }));
    assert.equal(processing.json.outcome, "applied", processing.text);
    assert.equal((await seen(WC_FIXTURE.id)).status, "ordered");
    assert.equal((await wc("order.updated", orderAt("completed", "2026-11-21T11:03:09"))).json.outcome, "applied");
    let order = (await admin("GET", `orders/${WC_FIXTURE.id}`)).json;
    assert.equal(order.number, "1077");
    assert.equal(order.status, "shipped");
    assert.deepEqual(order.items.map((i) => [i.product, i.quantity]), [["412", 2], ["415", 1]]);
    const [shipment] = order.shipments;
    assert.deepEqual([shipment.carrier, shipment.tracking_number, shipment.tracking_url], ["Aras Kargo", "4215786903", "https://kargotakip.araskargo.com.tr/mainpage.aspx?code=4215786903"]);
    assert.equal(shipment.events[0].time, Date.parse("2026-11-21T10:00:00Z"), "shipped when the extension says");

    // A created payload delivered late changes nothing.
    const late = await wc("order.created", orderAt("processing", "2026-11-20T07:13:02", { meta: [] }));
    assert.equal(late.json.outcome, "stale", late.text);
    assert.equal((await wc("order.updated", orderAt("delivered", "2026-11-23T09:30:00"))).json.outcome, "applied");
    order = (await admin("GET", `orders/${WC_FIXTURE.id}`)).json;
    assert.equal(order.status, "delivered");
    const links = await admin("POST", `orders/${WC_FIXTURE.id}/links`);
    assert.equal(links.status, 201, links.text);
    assert.deepEqual(links.json.reviews.map((l) => l.product), ["412", "415"]);
  });

  test("cancelled, refunded or failed cancels; a trashed order is cancelled until restored", async () => {
    for (const [offset, status] of ["cancelled", "refunded", "failed"].entries()) {
      const id = 7800 + offset;
      assert.equal((await wc("order.updated", orderAt(status, "2026-11-22T10:00:00", { id, meta: [] }))).json.outcome, "applied");
      assert.equal((await seen(id)).status, "cancelled", status);
    }
    const id = 7810;
    assert.equal((await wc("order.created", orderAt("processing", "2026-11-22T10:00:00", { id, meta: [] }))).json.outcome, "applied");
    assert.equal((await wc("order.deleted", { id })).json.outcome, "applied");
    assert.equal((await seen(id)).status, "cancelled");
    assert.equal((await wc("order.deleted", { id: 999999 })).json.outcome, "ignored", "an order memnun never had");
  });

  test("products arrive in the catalog and leave it", async () => {
    const product = { id: 412, name: "El Yapımı Kahve Fincanı", slug: "kahve-fincani", permalink: "https://moda-fincan.com.tr/urun/kahve-fincani/", status: "publish", price: "450", regular_price: "475", stock_status: "instock", images: [{ id: 9, src: "https://moda-fincan.com.tr/wp-content/uploads/fincan.jpg" }], categories: [{ id: 3, name: "Fincan", slug: "fincan" }], date_modified_gmt: "2026-11-19T06:00:00" };
    assert.equal((await wc("product.created", product)).json.outcome, "applied");
    const items = (await admin("GET", "catalog?limit=100")).json.items;
    const item = items.find((i) => i.id === "412");
    assert.deepEqual([item.url, item.price_minor, item.category], ["https://moda-fincan.com.tr/urun/kahve-fincani/", 45000, "Fincan"]);
    assert.equal((await wc("product.deleted", { id: 412 })).json.outcome, "applied");
    assert.ok(!(await admin("GET", "catalog?limit=100")).json.items.some((i) => i.id === "412"));
  });

  test("a wrong signature is 401 and stores nothing; a signed body that is not an order is refused with 200", async () => {
    const before = await count("orders");
    const forged = await wc("order.created", orderAt("processing", "2026-11-20T07:13:02", { id: 7900, meta: [] }), { secret: "not-the-woocommerce-secret" });
    assert.equal(forged.status, 401, forged.text);
    assert.equal(forged.json.error.code, "unauthorized");
    const notAnOrder = await wc("order.created", { id: "seven" });
    assert.equal(notAnOrder.status, 200, notAnOrder.text);
    assert.equal(notAnOrder.json.outcome, "refused");
    assert.equal(await count("orders"), before);
  });
});

describe("the back-fill of past orders", () => {
  async function importLines(lines, { format, type = "application/x-ndjson" } = {}) {
    const query = format ? `?format=${format}` : "";
    const res = await fetch(`${edge.url}/v1/admin/orders/import${query}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, "Content-Type": type },
      body: lines.join("\n"),
    });
    const text = await res.text();
    return { status: res.status, text, json: JSON.parse(text || "null") };
  }

  test("memnun's lines: stored, delivered history sends no webhook, a bad line is reported, a second import adds nothing", async () => {
    await admin("PUT", "webhook", { url: "https://hooks.example/memnun" });
    const delivered = {
      id: "H-1001", number: "1001", email: "gecmis@example.com.tr", placed_at: "2025-03-02T09:00:00Z",
      items: [{ product: "kahve-fincani-01", quantity: 2 }, { product: "cezve-02", quantity: 1 }],
      shipments: [{ id: "s1", carrier: "Aras Kargo", tracking_number: "4215786900" }],
      events: [{ shipment: "s1", status: "shipped", time: "2025-03-03T08:00:00Z" }, { shipment: "s1", status: "delivered", time: "2025-03-05T15:20:00Z" }],
    };
    const lines = [
      JSON.stringify(delivered),
      JSON.stringify({ id: "H-1002", number: "1002", items: [{ product: "kahve-fincani-01" }, { product: "cezve-02" }] }),
      JSON.stringify({ id: "H-1003", items: [] }),
      "",
      JSON.stringify({ ...delivered, number: "9999" }),
      "{not json",
    ];
    const r = await importLines(lines);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.imported, 2, r.text);
    assert.equal(r.json.already_there, 1, "the same id twice in one file");
    assert.deepEqual(r.json.refused.map((x) => [x.line, Object.keys(x.errors)]), [[3, ["number"]], [6, ["row"]]]);

    const order = await seen("H-1001");
    assert.equal(order.status, "delivered");
    assert.equal(order.placed_at, Date.parse("2025-03-02T09:00:00Z"));
    const stored = (await edge.query("SELECT delivered_at FROM orders WHERE id = 'H-1001'"))[0];
    assert.equal(stored.delivered_at, Date.parse("2025-03-05T15:20:00Z"));
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM webhook_outbox WHERE event_key LIKE 'order.delivered:H-%'"))[0].n, 0, "history reaches no webhook");
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM baskets WHERE basket_key IN ('order:H-1001', 'order:H-1002')"))[0].n, 2);
    // Its links work as for any delivered order: the review link is verified.
    const links = await admin("POST", "orders/H-1001/links");
    assert.equal(links.status, 201, links.text);
    // The shopper finds it by number and email.
    const lookup = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/orders/lookup`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": "198.51.100.91" },
      body: JSON.stringify({ number: "1001", email: "gecmis@example.com.tr" }),
    });
    assert.equal(lookup.status, 200);

    const again = await importLines(lines);
    assert.deepEqual([again.json.imported, again.json.already_there], [0, 3], again.text);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM baskets WHERE basket_key = 'order:H-1001'"))[0].n, 1, "counted once");
    await admin("DELETE", "webhook");
  });

  test("Shopify's and WooCommerce's own order resources, one per line; an erased order stays erased", async () => {
    const shopifyLines = [
      JSON.stringify(orderAt("delivered", { id: 5923418790001, number: 3101 })),
      JSON.stringify(orderAt("in_transit", { id: 5923418790002, number: 3102 })),
      // Erased in the erasure test above: the import does not bring it back.
      JSON.stringify(orderAt("created", { id: 5923418747001, number: 2400 })),
    ];
    const fromShopify = await importLines(shopifyLines, { format: "shopify" });
    assert.equal(fromShopify.status, 200, fromShopify.text);
    assert.deepEqual([fromShopify.json.imported, fromShopify.json.already_there, fromShopify.json.refused], [2, 1, []]);
    const shipped = await seen(5923418790002);
    assert.equal(shipped.status, "in_transit");
    assert.equal(shipped.shipments[0].carrier, "Yurtiçi Kargo");
    assert.equal((await admin("GET", "orders/5923418747001")).status, 404);

    const wcOrder = JSON.parse(readFileSync(new URL("./fixtures/woocommerce/order.json", import.meta.url), "utf8"));
    const fromWoo = await importLines([JSON.stringify({ ...wcOrder, id: 8801, number: "2801" })], { format: "woocommerce", type: "application/jsonl" });
    assert.deepEqual([fromWoo.json.imported, fromWoo.json.refused], [1, []], fromWoo.text);
    assert.equal((await seen(8801)).shipments[0].carrier, "Aras Kargo");
  });

  test("refused as a whole: another format name, another media type, a line past 256 KiB alone", async () => {
    assert.equal((await importLines(["{}"], { format: "magento" })).status, 400);
    assert.equal((await importLines(["{}"], { type: "text/csv" })).status, 415);
    const long = JSON.stringify({ id: "H-2001", number: "2001", note: "x".repeat(300 * 1024) });
    const r = await importLines([long, JSON.stringify({ id: "H-2002", number: "2002" })]);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.imported, r.json.refused.map((x) => x.line)], [1, [1]]);
    assert.equal((await admin("GET", "orders/H-2002")).status, 200);
  });
});

describe("Shopify's order export (CSV)", () => {
  test("its lines' products are found by name in the catalog; an order naming an unknown product is refused", async () => {
    const catalog = await admin("PUT", "catalog", { mode: "upsert", items: [
      { id: "8812736900001", name: { tr: "Bakır Cezve" }, price_minor: 65000, currency: "TRY", url: `${ORIGIN}/products/bakir-cezve` },
      { id: "8812736900002", name: { tr: "Lokum Tabağı" }, price_minor: 30000, currency: "TRY", url: `${ORIGIN}/products/lokum-tabagi` },
    ] });
    assert.equal(catalog.status, 200, catalog.text);
    const csv = [
      "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing City,Cancelled at,Id",
      '#1501,selin.kaya@example.com.tr,paid,2025-10-02 11:00:00 +0300,fulfilled,2025-10-03 09:30:00 +0300,no,TRY,"1,300.00",0.00,0.00,1300.00,2025-10-02 10:58:41 +0300,2,Bakır Cezve - Büyük,650.00,CZV-B,Selin Kaya,İzmir,,5923418791501',
      "#1501,,,,,,,,,,,,,1,Lokum Tabağı,300.00,LKM-01,,,,",
      "#1502,ali@example.com.tr,paid,,unfulfilled,,no,TRY,90.00,0.00,0.00,90.00,2025-10-05 08:00:00 +0300,1,Silinmiş Ürün,90.00,,Ali Veli,Bursa,,5923418791502",
    ].join("\r\n");
    const res = await fetch(`${edge.url}/v1/admin/orders/import?format=shopify_csv`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, "Content-Type": "text/csv" },
      body: csv,
    });
    const report = await res.json();
    assert.equal(res.status, 200, JSON.stringify(report));
    assert.equal(report.imported, 1, JSON.stringify(report));
    assert.deepEqual(report.refused.map((r) => r.line), [4]);
    assert.match(report.refused[0].errors.items, /Silinmiş Ürün/);
    const order = await seen(5923418791501);
    assert.deepEqual(order.items.map((i) => [i.product, i.quantity]), [["8812736900001", 2], ["8812736900002", 1]]);
    assert.equal(order.status, "shipped");
    assert.equal(order.placed_at, Date.parse("2025-10-02T10:58:41+03:00"));
  });
});

describe("a signed body sent again under another topic (the topic header is not signed)", () => {
  test("an order's body as a privacy request, a product's as its deletion, an order's as a parcel: refused, nothing changed", async () => {
    const id = 5923418796001;
    const email = "tekrar@example.com.tr";
    const order = { ...orderAt("in_transit", { id, number: 2700 }), email, contact_email: email, customer: { id: 777, email } };
    assert.equal((await deliver("orders/create", order)).json.outcome, "applied");
    for (const topic of ["customers/redact", "customers/data_request", "shop/redact", "fulfillments/create", "products/delete"]) {
      const r = await deliver(topic, order);
      assert.equal(r.status, 200, `${topic}: ${r.text}`);
      assert.equal(r.json.outcome, "refused", `${topic}: ${r.text}`);
    }
    assert.equal((await seen(id)).status, "in_transit");
    assert.equal((await admin("GET", "connectors")).json.connectors.length >= 1, true, "still connected");

    const product = { id: 8812736800001, admin_graphql_api_id: "gid://shopify/Product/8812736800001", title: "Cezve Takımı", handle: "cezve-takimi", status: "active", updated_at: "2026-11-19T09:00:00+03:00", variants: [{ price: "300.00", inventory_management: null }] };
    assert.equal((await deliver("products/create", product)).json.outcome, "applied");
    assert.equal((await deliver("products/delete", product)).json.outcome, "refused");
    assert.equal((await deliver("orders/updated", product)).json.outcome, "refused", "a product is not an order");
    assert.ok((await admin("GET", "catalog?limit=100")).json.items.some((i) => i.id === "8812736800001"));
  });

  test("customers/redact erases the listed orders whatever their email, and keeps one not arrived yet out", async () => {
    const other = 5923418797001;
    const later = 5923418797002;
    assert.equal((await deliver("orders/create", { ...orderAt("created", { id: other, number: 2800 }), email: "eski.adres@example.com.tr", contact_email: null })).json.outcome, "applied");
    const redact = { shop_id: 1, shop_domain: "moda-fincan.myshopify.com", customer: { id: 901, email: "yeni.adres@example.com.tr", phone: null }, orders_to_redact: [other, later] };
    const r = await deliver("customers/redact", redact);
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.detail, /erased the customer's 1 orders/);
    assert.equal((await admin("GET", `orders/${other}`)).status, 404);
    const arrives = await deliver("orders/create", orderAt("created", { id: later, number: 2801 }));
    assert.equal(arrives.json.outcome, "erased", arrives.text);
  });

  test("two WooCommerce deliveries in one second share a delivery id: both are taken; the same body again is not", async () => {
    const secret = "wc-same-second-secret-0123456789";
    assert.equal((await admin("PUT", "connectors/woocommerce", { secret })).status, 200);
    const fixture = JSON.parse(readFileSync(new URL("./fixtures/woocommerce/order.json", import.meta.url), "utf8"));
    const send = async (payload) => {
      const body = JSON.stringify(payload);
      const res = await fetch(`${edge.url}/v1/connectors/woocommerce/${TEST_SHOP}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-WC-Webhook-Topic": "order.updated", "X-WC-Webhook-Delivery-ID": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "X-WC-Webhook-Signature": sign(body, secret) },
        body,
      });
      return res.json();
    };
    const first = { ...fixture, id: 7950, number: "1950", status: "processing", meta_data: [] };
    const second = { ...fixture, id: 7951, number: "1951", status: "processing", meta_data: [] };
    assert.equal((await send(first)).outcome, "applied");
    assert.equal((await send(second)).outcome, "applied", "another order in the same second");
    assert.equal((await send(first)).outcome, "duplicate");
    assert.equal((await seen(7951)).status, "ordered");
  });

  test("an outsider's badly signed requests mark the connection at most once an hour", async () => {
    const before = (await admin("GET", "connectors")).json.connectors.find((c) => c.platform === "shopify").signature_refused_at;
    assert.ok(before, "set by the refusals above");
    assert.equal((await deliver("orders/create", orderAt("paid", { id: 5923418798001 }), { secret: "an-outsiders-guess-0123456789" })).status, 401);
    const after = (await admin("GET", "connectors")).json.connectors.find((c) => c.platform === "shopify").signature_refused_at;
    assert.equal(after, before);
  });
});

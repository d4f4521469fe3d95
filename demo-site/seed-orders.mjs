// Seeds the demo shop's orders through the merchant API, as a shop's own system would:
// `node demo-site/seed-orders.mjs --edge http://127.0.0.1:8787 --site http://127.0.0.1:8080`.
// Orders in several states (placed, on the way, out for delivery, delivered, held up, split in
// two shipments). Run again, it changes nothing within a day; on a later day it moves the
// timelines to that day (shipment ids carry the date, and a replaced shipment takes its events).
// Order 1008 comes through the Shopify connector, signed as Shopify signs its webhooks.
// The shop sends review requests through its provider (the demo inbox); the delivered orders'
// requests go out with the next Cron runs (five of a shop per run, one run a minute).
// Then delivered orders whose shoppers answered the survey, through the shopper's own endpoint
// (so the satisfaction report has numbers), and order 1004's survey left for you to answer.
// The unhappy ones opened cases; the shop has handled two, and a shopper complained from the
// tracker.
import { parseArgs } from "node:util";
import { createHmac, randomUUID } from "node:crypto";

const { values } = parseArgs({ options: { edge: { type: "string" }, site: { type: "string" }, key: { type: "string" } } });
const EDGE = values.edge ?? "http://127.0.0.1:8787";
const SITE = values.site ?? "http://127.0.0.1:8080";
const KEY = values.key ?? "mk_demo_local_only";

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
// Today's 06:00 UTC (09:00 in Istanbul): every run on one day gives the same times.
const today = new Date();
const anchor = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 6);
const day = new Date(anchor).toISOString().slice(0, 10);
const at = (hours) => new Date(anchor + hours * HOUR).toISOString();
const date = (days) => new Date(anchor + days * DAY).toISOString().slice(0, 10);

async function call(method, path, body) {
  const res = await fetch(`${EDGE}/v1/admin/${path}`, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const cup = { product: "kahve-fincani-01", quantity: 2, price_minor: 45000, currency: "TRY" };
const shirt = { product: "linen-shirt-02", quantity: 1, price_minor: 99000, currency: "TRY" };
const yurtici = (id, tracking, estimateDays) => ({
  id: `${id}-${day}`,
  carrier: "Yurtiçi Kargo",
  tracking_number: tracking,
  tracking_url: `https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=${tracking}`,
  ...(estimateDays === undefined ? {} : { estimated_delivery: { date: date(estimateDays), source: "carrier" } }),
});

const orders = [
  {
    id: "SIP-1001",
    order: { number: "1001", email: "ayse@example.com", placed_at: at(-2), items: [cup], shipments: [yurtici("s1", "YK1001", 3)] },
    events: (s) => [{ shipment: s, status: "ordered", time: at(-2) }, { shipment: s, status: "confirmed", time: at(-1) }],
  },
  {
    id: "SIP-1002",
    order: { number: "1002", email: "mehmet@example.com", placed_at: at(-50), items: [shirt], shipments: [yurtici("s1", "YK1002", 1)] },
    events: (s) => [
      { shipment: s, status: "ordered", time: at(-50) },
      { shipment: s, status: "packed", time: at(-30), location: "Atölye, Kadıköy" },
      { shipment: s, status: "shipped", time: at(-26), location: "İstanbul Anadolu Aktarma" },
      { shipment: s, status: "in_transit", time: at(-8), location: "Ankara Aktarma" },
    ],
  },
  {
    id: "SIP-1003",
    order: { number: "1003", email: "zeynep@example.com", placed_at: at(-74), items: [cup, shirt], shipments: [yurtici("s1", "YK1003", 0)] },
    events: (s) => [
      { shipment: s, status: "ordered", time: at(-74) },
      { shipment: s, status: "shipped", time: at(-50), location: "İstanbul Anadolu Aktarma" },
      { shipment: s, status: "in_transit", time: at(-30), location: "İzmir Aktarma" },
      { shipment: s, status: "out_for_delivery", time: at(-1), location: "Karşıyaka Şube", note: "Kurye yolda" },
    ],
  },
  {
    id: "SIP-1004",
    order: { number: "1004", email: "hannah@example.com", locale: "en", placed_at: at(-98), items: [cup, shirt], shipments: [yurtici("s1", "YK1004", -1)] },
    events: (s) => [
      { shipment: s, status: "ordered", time: at(-98) },
      { shipment: s, status: "shipped", time: at(-74), location: "İstanbul Anadolu Aktarma" },
      { shipment: s, status: "out_for_delivery", time: at(-27), location: "Çankaya Şube" },
      { shipment: s, status: "delivered", time: at(-24), location: "Çankaya, Ankara", note: "Kapıda teslim edildi" },
    ],
  },
  {
    id: "SIP-1005",
    order: { number: "1005", email: "tom@example.com", locale: "en", placed_at: at(-80), items: [shirt], shipments: [yurtici("s1", "YK1005", 1)] },
    events: (s) => [
      { shipment: s, status: "ordered", time: at(-80) },
      { shipment: s, status: "shipped", time: at(-60), location: "İstanbul Anadolu Aktarma" },
      { shipment: s, status: "delivery_attempt_failed", time: at(-5), location: "Bornova Şube", note: "Adreste kimse yoktu" },
      { shipment: s, status: "exception", time: at(-4), location: "Bornova Şube", note: "Adres eksik, müşteriyle iletişime geçilecek" },
    ],
  },
  {
    id: "SIP-1006",
    order: {
      number: "1006",
      email: "elif@example.com",
      placed_at: at(-60),
      items: [cup, shirt],
      shipments: [yurtici("s1", "YK1006A", -1), { ...yurtici("s2", "YK1006B", 2), carrier: "PTT Kargo", tracking_url: "https://gonderitakip.ptt.gov.tr/" }],
    },
    events: () => [
      { shipment: `s1-${day}`, status: "shipped", time: at(-48) },
      { shipment: `s1-${day}`, status: "delivered", time: at(-20), location: "Nilüfer, Bursa" },
      { shipment: `s2-${day}`, status: "packed", time: at(-10) },
      { shipment: `s2-${day}`, status: "shipped", time: at(-3), location: "İstanbul" },
    ],
  },
  {
    // Stuck: nothing since it reached the hub nine days ago (the dashboard's attention list).
    id: "SIP-1007",
    order: { number: "1007", email: "burak@example.com", placed_at: at(-14 * 24), items: [cup], shipments: [yurtici("s1", "YK1007", -5)] },
    events: (s) => [
      { shipment: s, status: "ordered", time: at(-14 * 24) },
      { shipment: s, status: "shipped", time: at(-12 * 24), location: "İstanbul Anadolu Aktarma" },
      { shipment: s, status: "in_transit", time: at(-9 * 24), location: "Ankara Aktarma" },
    ],
  },
];

await call("PUT", "shop", {
  tracker_page: `${SITE}/siparis-takip.html`,
  survey_page: `${SITE}/anket.html`,
  product_page: `${SITE}/products/{product}.html`,
});
// The shop sends its review requests, survey invitations and shipment notices itself, through
// "Resend" (the demo inbox stands in for it: http://127.0.0.1:8025/). Asked the day of delivery and
// at any hour, so that you see them at once; a shop would wait a week and keep quiet at night (the
// defaults). The survey invitation waits three days after the review request: at most one message
// per shopper in three days (the cap; shipment notices are outside it).
await call("PUT", "outreach", {
  sending: true,
  provider: "resend",
  api_key: "re_demo_local_only",
  sender: "Atölye Demo <magaza@atolye-demo.example>",
  reply_to: "destek@atolye-demo.example",
  quiet_hours: { start: 0, end: 0 },
  review_request: { on: true, days: 0, reminder_days: 3 },
  survey_invitation: { on: true, days: 0 },
  shipment_notices: { shipped: true, out_for_delivery: true, delayed: true, delivered: true },
});

for (const { id, order, events } of orders) {
  await call("PUT", `orders/${id}`, order);
  await call("POST", `orders/${id}/events`, { events: events(order.shipments[0].id) });
}
console.log(`seeded ${orders.length} demo orders through the merchant API (1001–1007, emails in demo-site/seed-orders.mjs)`);

// Order 1008 arrives as a Shopify shop's would: the demo shop connects Shopify with a local-only
// secret, and Shopify's webhooks (signed as Shopify signs them) bring the order, its parcel with
// a Yurtiçi number (the carrier's tracking page is memnun's own link) and its progress.
const SHOPIFY_SECRET = "shpss_demo_local_only_0123456789abcdef";
await call("PUT", "connectors/shopify", { secret: SHOPIFY_SECRET });
const shopifyOrderId = 6100000001008;
const shopifyParcel = (status, updated) => ({
  id: 6200000001008, order_id: shopifyOrderId, status: "success", shipment_status: status,
  tracking_company: "Yurtiçi Kargo", tracking_number: "302785461008", tracking_numbers: ["302785461008"],
  tracking_url: null, tracking_urls: [], created_at: at(-20), updated_at: updated,
  line_items: [{ id: 16100000001, quantity: 1 }],
});
const shopifyOrder = {
  id: shopifyOrderId, name: "#1008", order_number: 1008, email: "deniz@example.com", contact_email: "deniz@example.com",
  created_at: at(-28), updated_at: at(-28), currency: "TRY", financial_status: "paid", fulfillment_status: null,
  line_items: [{ id: 16100000001, product_id: 8812736512044, title: "El Yapımı Kahve Fincanı", quantity: 1, price: "450.00" }],
  fulfillments: [],
};
async function shopify(topic, payload) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${EDGE}/v1/connectors/shopify/demo`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Shop-Domain": "memnun-demo.myshopify.com",
      "X-Shopify-Hmac-Sha256": createHmac("sha256", SHOPIFY_SECRET).update(body).digest("base64"),
    },
    body,
  });
  if (!res.ok) throw new Error(`Shopify ${topic}: ${res.status} ${await res.text()}`);
}
await shopify("orders/create", shopifyOrder);
await shopify("fulfillments/create", shopifyParcel(null, at(-20)));
await shopify("fulfillments/update", shopifyParcel("in_transit", at(-6)));
console.log("seeded order 1008 through the Shopify connector (deniz@example.com; Settings shows its deliveries)");

// Delivered orders with survey answers: [NPS, follow-up reasons, follow-up text, CSAT, CES, comment, finished].
const answered = [
  [10, ["delivery_time"], "Ertesi gün elimdeydi.", 5, 7, "Fincanlar çok güzel, teşekkürler!", true],
  [9, ["packaging"], "Paketleme çok özenliydi.", 5, 6, null, true],
  [9, ["product_quality"], null, 4, 6, "Kumaşı harika.", true],
  [10, [], null, 5, 7, null, true],
  [8, ["delivery_time"], "Kargo biraz geç geldi.", 4, 5, null, true],
  [7, ["price"], "Fiyatı biraz pahalı.", 3, 5, null, true],
  [3, ["delivery_time", "customer_service"], "Kargo 5 gün gecikti, müşteri hizmetlerine ulaşamadım.", 1, 2, "Kutu da ezikti.", true],
  [6, ["description"], "Renk fotoğraftakinden farklı.", 3, 4, null, true],
  [9, null, null, null, null, null, false],
];
// Each shopper answers from their own device: the edge limits survey writes per client address,
// which it reads from CF-Connecting-IP (Cloudflare sets it in production; here the seed does, with
// documentation-range addresses, one per shopper).
const shopper = async (path, body, key, address) => {
  const res = await fetch(`${EDGE}/v1/shops/demo/survey/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: SITE, "CF-Connecting-IP": address, ...(key ? { "Idempotency-Key": key } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`survey ${path}: ${res.status} ${await res.text()}`);
  return res.json();
};
for (const [i, [nps, reasons, followUp, csat, ces, comment, complete]] of answered.entries()) {
  const id = `SIP-${2001 + i}`;
  const shipment = yurtici("s1", `YK${2001 + i}`);
  await call("PUT", `orders/${id}`, { number: String(2001 + i), email: `musteri${i + 1}@example.com`, placed_at: at(-96), items: [i % 2 ? shirt : cup], shipments: [shipment] });
  await call("POST", `orders/${id}/events`, { events: [{ shipment: shipment.id, status: "delivered", time: at(-24) }] });
  const { survey } = await call("POST", `orders/${id}/links`);
  const answers = Object.fromEntries(Object.entries({ nps, reasons, follow_up: followUp, csat, ces, comment }).filter(([, v]) => v !== null));
  // A later run finds the survey answered already (its token, minted anew, differs: the same
  // idempotency key with another body would be refused), and leaves it.
  const address = `192.0.2.${i + 1}`;
  const opened = await shopper("open", { token: survey.token, locale: "tr" }, null, address);
  if (opened.seq === 0) {
    await shopper("answers", { token: survey.token, seq: 1, answers, complete, locale: "tr" }, randomUUID(), address);
  }
}
console.log(`seeded ${answered.length} survey responses through the shopper's survey endpoint (orders 2001–${2000 + answered.length})`);
// Sixteen earlier weeks of answers, so the dashboard's weekly trend has a shape and the last
// twelve weeks have twelve before them to compare with: a shop whose deliveries got faster,
// its detractors (late parcels) fewer week by week. Deterministic.
const history = [];
for (let week = 1; week <= 16; week++) {
  for (let k = 0; k < 3; k++) {
    const n = (week * 7 + k * 3) % 11;
    const late = k < Math.floor(week / 6);
    const nps = late ? 2 + (n % 5) : 7 + (n % 4);
    const reasons = nps <= 6 ? ["delivery_time"] : nps >= 9 ? [k % 2 ? "packaging" : "product_quality"] : ["price"];
    const followUp = nps <= 6 ? "Kargo geç geldi, haber de verilmedi." : null;
    history.push({ week, k, answers: { nps, reasons, ...(followUp ? { follow_up: followUp } : {}), csat: nps <= 6 ? 2 : nps >= 9 ? 5 : 4, ces: nps <= 6 ? 3 : 6 } });
  }
}
for (const { week, k, answers } of history) {
  const number = String(3000 + week * 10 + k);
  const id = `SIP-${number}`;
  const shipment = yurtici("s1", `YK${number}`);
  const delivered = -24 - week * 7 * 24 - k * 5;
  await call("PUT", `orders/${id}`, { number, email: `gecmis${number}@example.com`, placed_at: at(delivered - 72), items: [k % 2 ? shirt : cup], shipments: [shipment] });
  await call("POST", `orders/${id}/events`, { events: [{ shipment: shipment.id, status: "delivered", time: at(delivered) }] });
  const { survey } = await call("POST", `orders/${id}/links`);
  const address = `198.51.100.${week * 10 + k}`;
  const opened = await shopper("open", { token: survey.token, locale: "tr" }, null, address);
  if (opened.seq === 0) {
    await shopper("answers", { token: survey.token, seq: 1, answers, complete: true, locale: "tr" }, randomUUID(), address);
  }
}
console.log(`seeded ${history.length} earlier survey responses over sixteen weeks (orders 3010–3162)`);
const { survey } = await call("POST", "orders/SIP-1004/links");
console.log(`survey of delivered order 1004, yours to answer: ${survey.url}`);

// Cases: the detractors' answers above and order 1005's held parcel opened cases by themselves.
// The shop has taken the two oldest survey cases in hand (an owner, a note, an answer by email
// through the demo inbox) and resolved one; and a shopper wrote from the tracker about order
// 2001. Run again, it leaves cases already handled as they are.
const surveyCases = (await call("GET", "cases?cause=survey&limit=100")).cases;
const handled = [...surveyCases, ...(await call("GET", "cases?cause=survey&state=resolved&limit=100")).cases]
  .some((c) => c.owner === "Ayşe");
for (const [i, { id }] of (handled ? [] : surveyCases.slice(0, 2)).entries()) {
  await call("PUT", `cases/${id}`, { owner: "Ayşe" });
  await call("POST", `cases/${id}/notes`, { text: "Kargo firmasıyla görüştüm; bölge aktarma merkezinde gecikme olmuş." });
  await call("POST", `cases/${id}/answers`, { text: "Geciken teslimat için özür dileriz. Bir sonraki siparişinizde kargo bizden." });
  if (i === 0) await call("PUT", `cases/${id}`, { resolution: { category: "explained", text: "Özür ve ücretsiz kargo kodu." } });
}
if ((await call("GET", "cases?cause=complaint&state=unresolved")).cases.length === 0) {
  const { tracker } = await call("POST", "orders/SIP-2001/links");
  const res = await fetch(`${EDGE}/v1/shops/demo/orders/complaints`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: SITE, "CF-Connecting-IP": "192.0.2.200", "Idempotency-Key": randomUUID() },
    body: JSON.stringify({ token: tracker.token, message: "Fincanlardan birinin kulpu kırık geldi." }),
  });
  if (!res.ok) throw new Error(`complaint: ${res.status} ${await res.text()}`);
}
const unresolved = (await call("GET", "cases?limit=100")).cases.length;
console.log(`cases: ${unresolved} not resolved yet (see /admin#cases)`);

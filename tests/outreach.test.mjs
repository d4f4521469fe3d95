// Outreach against the real worker: the shop's settings, the review request planned when an
// order is delivered and sent by the scheduled handler through a provider's HTTP API (the capture
// server speaks Resend's and Postmark's), the reminder, and every rule that holds a message back:
// a review that came, the quiet hours, the per-shopper cap, the suppression list and its
// one-click unsubscribe, an erasure, the provider's 429, 4xx and 5xx answers, overlapping runs.
// The test clock is the scheduled event's time: days pass without waiting.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { Edge, adminCall, postReview, review } from "./support/harness.mjs";
import { EmailCapture } from "./support/email-capture.mjs";

const ORIGIN = "https://shop.example";
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RESEND_KEY = "re_test_4f9c2a7b";
const POSTMARK_KEY = "pm-server-token-31a8";
let edge;
let capture;
let orderSeq = 0;

before(async () => {
  capture = await EmailCapture.start();
  edge = await Edge.start({ origins: [ORIGIN], vars: { EMAIL_API_BASE: capture.url } });
  const shop = await admin("PUT", "shop", {
    product_page: "https://shop.example/urun/{product}",
    tracker_page: "https://shop.example/siparis-takip",
    survey_page: "https://shop.example/anket",
  });
  assert.equal(shop.status, 200, shop.text);
  const catalog = await admin("PUT", "catalog", {
    items: [{ id: "kahve-fincani", name: { tr: "El yapımı kahve fincanı", en: "Handmade coffee cup" }, price_minor: 45000, currency: "TRY", url: "https://shop.example/urun/kahve-fincani", in_stock: true }],
  });
  assert.equal(catalog.status, 200, catalog.text);
});
after(async () => {
  await edge?.cleanup();
  await capture?.stop();
});

const admin = (method, path, body) => adminCall(edge, method, path, { body });

const NO_NOTICES = { shipped: false, out_for_delivery: false, delayed: false, delivered: false };

/** Sending through `provider`, with no quiet hours and no cap unless a test sets them, review
 * requests only. */
async function sendWith(provider = "resend", more = {}) {
  const r = await admin("PUT", "outreach", {
    sending: true,
    provider,
    api_key: provider === "resend" ? RESEND_KEY : POSTMARK_KEY,
    sender: "Atölye Fincan <magaza@atolye.example>",
    reply_to: "destek@atolye.example",
    quiet_hours: { start: 0, end: 0 },
    cap_days: 0,
    review_request: { on: true, days: 7, reminder_days: 7 },
    survey_invitation: { on: false, days: 2 },
    shipment_notices: NO_NOTICES,
    texts: {},
    ...more,
  });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** A new order for `email`, delivered at `deliveredAt`; its id. */
async function deliveredOrder({ email, deliveredAt, locale = "tr", products = ["kahve-fincani"] }) {
  orderSeq += 1;
  const id = `o${orderSeq}`;
  const put = await admin("PUT", `orders/${id}`, {
    number: `10${orderSeq}`,
    email,
    locale,
    items: products.map((product) => ({ product, quantity: 1 })),
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: `YK${orderSeq}` }],
  });
  assert.equal(put.status, 200, put.text);
  const events = await admin("POST", `orders/${id}/events`, {
    events: [{ shipment: "s1", status: "delivered", time: new Date(deliveredAt).toISOString() }],
  });
  assert.equal(events.status, 200, events.text);
  return id;
}

const messagesOf = (order) => edge.query("SELECT * FROM outreach_messages WHERE order_id = ?1 ORDER BY created_at, kind", order);
const sentTo = (email) => capture.sent.filter((m) => m.to.includes(email));

describe("settings", () => {
  test("sending needs a provider, a key and a sender; the key is never read back", async () => {
    const refused = await admin("PUT", "outreach", { sending: true });
    assert.equal(refused.status, 422, refused.text);
    assert.deepEqual(Object.keys(refused.json.error.fields).sort(), ["api_key", "provider", "sender"]);
    const saved = await sendWith("resend");
    assert.equal(saved.api_key_hint, "…2a7b");
    const read = await admin("GET", "outreach");
    assert.equal(read.status, 200);
    assert.ok(!read.text.includes(RESEND_KEY), "the key is not in the answer");
    const [row] = await edge.query("SELECT api_key_sealed, settings FROM outreach_settings");
    assert.ok(row.api_key_sealed.startsWith("v1."), "sealed");
    assert.ok(!row.api_key_sealed.includes(RESEND_KEY) && !row.settings.includes(RESEND_KEY), "never stored readable");
    const zone = await admin("PUT", "outreach", { time_zone: "Mars/Olympus_Mons" });
    assert.equal(zone.status, 422, zone.text);
    assert.ok(zone.json.error.fields.time_zone, zone.text);
    const unknown = await admin("PUT", "outreach", { api_secret: "x" });
    assert.equal(unknown.status, 400, unknown.text);
  });

  test("an address is kept sealed only while the shop sends, and forgotten when it stops", async () => {
    await admin("PUT", "outreach", { sending: false });
    await deliveredOrder({ email: "kapali@example.com", deliveredAt: Date.now() - HOUR });
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses"))[0].n, 0, "not sending: no address");
    await sendWith("resend");
    const order = await deliveredOrder({ email: "Acik@Example.com", deliveredAt: Date.now() - HOUR });
    const [kept] = await edge.query("SELECT sealed, address_key FROM outreach_addresses WHERE order_id = ?1", order);
    assert.ok(kept, "kept while sending");
    assert.ok(!kept.sealed.toLowerCase().includes("acik@example.com"), "sealed");
    assert.equal((await messagesOf(order)).length, 1, "its review request planned");
    await admin("PUT", "outreach", { sending: false });
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses"))[0].n, 0, "forgotten when sending stops");
    const [skipped] = await messagesOf(order);
    assert.equal(skipped.outcome, "sending off");
    assert.ok(skipped.skipped_at);
  });
});

describe("the review request", () => {
  test("goes once, N days after delivery, in the order's language with both parts and the unsubscribe headers; the reminder waits for no review", async () => {
    capture.reset();
    await sendWith("resend");
    const email = "ayse.yilmaz@example.com";
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email, deliveredAt: delivered });
    const [planned] = await messagesOf(order);
    assert.equal(planned.kind, "review_request");
    assert.equal(planned.due_at, delivered + 7 * DAY);

    await edge.scheduled(delivered + 7 * DAY - MINUTE);
    assert.equal(sentTo(email).length, 0, "not before its day");
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    await edge.scheduled(delivered + 7 * DAY + 2 * MINUTE);
    const sent = sentTo(email);
    assert.equal(sent.length, 1, "exactly one, though the Cron ran twice");
    const [mail] = sent;
    assert.equal(mail.from, "Atölye Fincan <magaza@atolye.example>");
    assert.deepEqual(mail.replyTo, ["destek@atolye.example"]);
    assert.equal(mail.subject, "Test siparişiniz nasıldı?");
    assert.match(mail.html, /El yapımı kahve fincanı/);
    assert.match(mail.text, /El yapımı kahve fincanı/);
    assert.match(mail.text, /4 yıldız: https:\/\/shop\.example\/urun\/kahve-fincani#memnun-review=[^\s&]+&memnun-rating=4/);
    assert.doesNotMatch(mail.html, /<img/i, "no tracking pixel");
    const unsubscribe = mail.headers["List-Unsubscribe"].slice(1, -1);
    assert.ok(unsubscribe.startsWith(`${edge.url}/v1/outreach/test-shop/unsubscribe?token=`), unsubscribe);
    assert.equal(mail.headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert.ok(mail.html.includes(`href="${unsubscribe}"`), "a visible unsubscribe link too");
    assert.equal(mail.idempotencyKey, `memnun-${planned.id}`);
    assert.deepEqual(mail.tags, [{ name: "kind", value: "review_request" }]);
    assert.ok(!JSON.stringify(await admin("GET", "outreach/messages")).includes(email), "the merchant's list never shows the address");

    // The reminder is planned a week after the request, and waits for a review.
    const reminder = (await messagesOf(order)).find((m) => m.kind === "review_reminder");
    assert.ok(reminder, "reminder planned");
    const sentAt = (await messagesOf(order)).find((m) => m.kind === "review_request").sent_at;
    assert.equal(reminder.due_at, sentAt + 7 * DAY);
    // The fourth star's link carries the review token: a review through it is verified.
    const link = mail.text.match(/4 yıldız: (\S+)/)[1];
    const token = decodeURIComponent(new URL(link).hash.slice(1).split("&")[0].split("=")[1]);
    // Written the day after the email came (the request's clock moved there).
    const posted = await postReview(edge, review({ product: "kahve-fincani", rating: 4, token }), { origin: ORIGIN, headers: { "X-Memnun-Clock-Shift-Ms": String(sentAt + DAY - Date.now()) } });
    assert.equal(posted.status, 201, posted.text);
    assert.equal(posted.json.review.verified, true);
    await edge.scheduled(sentAt + 7 * DAY + MINUTE);
    assert.equal(sentTo(email).length, 1, "no reminder: the review came");
    const skipped = (await messagesOf(order)).find((m) => m.kind === "review_reminder");
    assert.equal(skipped.outcome, "reviewed");
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses WHERE order_id = ?1", order))[0].n, 0, "the address is gone once nothing waits");

    const report = await admin("GET", "outreach/messages");
    assert.equal(report.status, 200, report.text);
    const request = report.json.kinds.find((k) => k.kind === "review_request");
    assert.ok(request.sent >= 1 && request.reviewed_within_14_days >= 1, report.text);
  });

  test("a reminder goes when no review came, worded as one, in English for an English order", async () => {
    capture.reset();
    await sendWith("resend");
    const email = "john@example.com";
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email, deliveredAt: delivered, locale: "en-GB" });
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    const sentAt = (await messagesOf(order))[0].sent_at;
    await edge.scheduled(sentAt + 7 * DAY + MINUTE);
    const sent = sentTo(email);
    assert.equal(sent.length, 2);
    assert.equal(sent[0].subject, "How was your order from Test?");
    assert.equal(sent[1].subject, "Reminder: would you rate your order from Test?");
    await edge.scheduled(sentAt + 30 * DAY);
    assert.equal(sentTo(email).length, 2, "one reminder only");
  });

  test("Postmark takes the same message in its own fields, without open or link tracking", async () => {
    capture.reset();
    await sendWith("postmark");
    const email = "postmark.alici@example.com";
    const delivered = Date.now() - HOUR;
    await deliveredOrder({ email, deliveredAt: delivered });
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    const [mail] = sentTo(email);
    assert.ok(mail, JSON.stringify(capture.requests.map((r) => [r.status, r.body.slice(0, 200)])));
    assert.equal(mail.provider, "postmark");
    assert.equal(mail.trackOpens, false);
    assert.equal(capture.requests.at(-1).headers["x-postmark-server-token"], POSTMARK_KEY);
    assert.equal(mail.headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
  });
});

describe("the provider's answers", () => {
  test("a 429 is tried again after Retry-After and sent once; a 5xx too", async () => {
    capture.reset();
    await sendWith("resend");
    const email = "yogun@example.com";
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email, deliveredAt: delivered });
    const due = delivered + 7 * DAY;
    capture.answerNext({ status: 429, headers: { "retry-after": "120" }, body: { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests." } });
    await edge.scheduled(due + MINUTE);
    let [message] = await messagesOf(order);
    assert.equal(message.attempts, 1);
    assert.equal(message.outcome, "answered 429: Too many requests.");
    assert.equal(message.due_at, due + MINUTE + 120_000, "not before Retry-After");
    await edge.scheduled(due + MINUTE + 60_000);
    assert.equal(capture.requests.length, 1, "not tried before its time");
    capture.answerNext({ status: 503, body: { statusCode: 503, name: "internal_server_error", message: "Unavailable" } });
    await edge.scheduled(due + MINUTE + 120_000);
    [message] = await messagesOf(order);
    assert.equal(message.attempts, 2);
    await edge.scheduled(message.due_at);
    assert.equal(sentTo(email).length, 1, "sent once");
    [message] = await messagesOf(order);
    assert.ok(message.sent_at);
    assert.equal(message.attempts, 3);
  });

  test("a 4xx is final: not tried again, shown as failed with the provider's reason", async () => {
    capture.reset();
    await sendWith("resend");
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email: "gecersiz@example.com", deliveredAt: delivered });
    capture.answerNext({ status: 422, body: { statusCode: 422, name: "validation_error", message: "The atolye.example domain is not verified." } });
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    await edge.scheduled(delivered + 8 * DAY);
    assert.equal(capture.requests.length, 1, "not retried");
    const [message] = await messagesOf(order);
    assert.ok(message.failed_at);
    const report = await admin("GET", "outreach/messages");
    const listed = report.json.messages.find((m) => m.id === message.id);
    assert.equal(listed.state, "failed");
    assert.equal(listed.outcome, "answered 422: The atolye.example domain is not verified.");

    // A 400 (a request the provider cannot read) is as final.
    capture.reset();
    const other = await deliveredOrder({ email: "okunamayan@example.com", deliveredAt: delivered });
    capture.answerNext({ status: 400, body: { statusCode: 400, name: "invalid_idempotency_key", message: "The key must be between 1-256 chars." } });
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    await edge.scheduled(delivered + 8 * DAY);
    assert.equal(capture.requests.filter((r) => r.body.includes("okunamayan@example.com")).length, 1, "not retried");
    const [refused] = await messagesOf(other);
    assert.ok(refused.failed_at);
    assert.equal(refused.outcome, "answered 400: The key must be between 1-256 chars.");
  });

  test("two overlapping runs send a message once", async () => {
    capture.reset();
    await sendWith("resend");
    const email = "ayni.anda@example.com";
    const delivered = Date.now() - HOUR;
    await deliveredOrder({ email, deliveredAt: delivered });
    capture.answerNext({ delayMs: 400 });
    const at = delivered + 7 * DAY + MINUTE;
    await Promise.all([edge.scheduled(at), edge.scheduled(at), edge.scheduled(at)]);
    assert.equal(capture.requests.length, 1);
    assert.equal(sentTo(email).length, 1);
  });
});

describe("respect", () => {
  test("nothing goes in the shop's quiet hours: the message waits for the morning, in the shop's time zone", async () => {
    capture.reset();
    await sendWith("resend", { time_zone: "Europe/Istanbul", quiet_hours: { start: 21, end: 9 }, review_request: { days: 0 } });
    const email = "gece@example.com";
    // Yesterday's 19:30 UTC, 22:30 in Istanbul (UTC+3 all year): a delivery in the past, as
    // deliveries are.
    const today = new Date();
    const evening = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 1, 19, 30);
    const morning = evening + 10 * HOUR + 30 * MINUTE;
    const order = await deliveredOrder({ email, deliveredAt: evening - MINUTE });
    await edge.scheduled(evening);
    assert.equal(sentTo(email).length, 0);
    const [waiting] = await messagesOf(order);
    assert.equal(waiting.outcome, "quiet hours");
    assert.equal(waiting.due_at, morning, "09:00 in Istanbul");
    await edge.scheduled(morning - MINUTE);
    assert.equal(sentTo(email).length, 0);
    await edge.scheduled(morning);
    assert.equal(sentTo(email).length, 1);
  });

  test("at most one message per shopper in the cap's days, across orders", async () => {
    capture.reset();
    await sendWith("resend", { cap_days: 3 });
    const email = "sik.alici@example.com";
    const delivered = Date.now() - HOUR;
    const first = await deliveredOrder({ email, deliveredAt: delivered });
    const second = await deliveredOrder({ email, deliveredAt: delivered + HOUR });
    await edge.scheduled(delivered + 7 * DAY + 2 * HOUR);
    assert.equal(sentTo(email).length, 1, "one of the two");
    const [held] = await messagesOf(second);
    assert.equal(held.outcome, "capped");
    const sentAt = (await messagesOf(first))[0].sent_at;
    assert.equal(held.due_at, sentAt + 3 * DAY);
    await edge.scheduled(sentAt + 3 * DAY + MINUTE);
    assert.equal(sentTo(email).length, 2, "the second, three days later");
  });

  test("the unsubscribe link asks when opened and unsubscribes on the one-click POST; nothing more is sent", async () => {
    capture.reset();
    await sendWith("resend", { review_request: { reminder_days: 7 } });
    const email = "istemiyorum@example.com";
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email, deliveredAt: delivered });
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    const [mail] = sentTo(email);
    const link = mail.headers["List-Unsubscribe"].slice(1, -1);

    const opened = await fetch(link);
    assert.equal(opened.status, 200);
    assert.match(opened.headers.get("content-type"), /^text\/html/);
    assert.match(opened.headers.get("content-security-policy"), /default-src 'none'/);
    assert.match(await opened.text(), /<form method="post">/);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_suppressions"))[0].n, 0, "opening the link changes nothing");

    const forged = await fetch(link.replace(/.$/, (c) => (c === "0" ? "1" : "0")), { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    assert.equal(forged.status, 404, "a token not ours");
    await forged.text();

    // What a mail client sends (RFC 8058): no cookies, no origin, the one-click body.
    const clicked = await fetch(link, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    assert.equal(clicked.status, 200);
    assert.match(await clicked.text(), /Abonelikten çıktınız/);
    const [suppressed] = await edge.query("SELECT reason, address_key FROM outreach_suppressions");
    assert.equal(suppressed.reason, "unsubscribed");
    assert.ok(!JSON.stringify(suppressed).includes("istemiyorum"), "kept by hash only");

    const sentAt = (await messagesOf(order))[0].sent_at;
    const later = await deliveredOrder({ email, deliveredAt: sentAt });
    await edge.scheduled(sentAt + 30 * DAY);
    assert.equal(sentTo(email).length, 1, "neither the reminder nor the next order's request");
    const outcomes = [...(await messagesOf(order)), ...(await messagesOf(later))].filter((m) => m.skipped_at).map((m) => m.outcome);
    assert.deepEqual(outcomes, ["suppressed", "suppressed"]);
    const report = await admin("GET", "outreach/messages");
    assert.equal(report.json.unsubscribed, 1);
  });

  test("an erasure between planning and sending: nothing is sent and nothing of the shopper stays", async () => {
    capture.reset();
    await sendWith("resend");
    const email = "silinsin@example.com";
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email, deliveredAt: delivered });
    assert.equal((await messagesOf(order)).length, 1);
    const erased = await admin("POST", "shoppers/delete", { email });
    assert.equal(erased.status, 200, erased.text);
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    assert.equal(sentTo(email).length, 0);
    assert.equal((await messagesOf(order)).length, 0);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses WHERE order_id = ?1", order))[0].n, 0);
  });

  test("Resend's signed bounce and complaint webhooks suppress; unsigned, mis-signed or stale ones change nothing", async () => {
    capture.reset();
    const secretKey = randomBytes(24).toString("base64");
    const saved = await sendWith("resend", { webhook_secret: `whsec_${secretKey}` });
    assert.equal(saved.webhook_secret_set, true);
    assert.ok(!JSON.stringify(saved).includes(secretKey), "never answered");
    const url = `${edge.url}/v1/outreach/test-shop/events/resend`;
    const post = (body, { key = secretKey, time = Math.floor(Date.now() / 1000), id = `msg_${randomUUID()}`, signature } = {}) => {
      const raw = JSON.stringify(body);
      const sig = signature ?? `v1,${createHmac("sha256", Buffer.from(key, "base64")).update(`${id}.${time}.${raw}`).digest("base64")}`;
      return fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "svix-id": id, "svix-timestamp": String(time), "svix-signature": sig }, body: raw });
    };
    const suppressions = async () => (await edge.query("SELECT reason FROM outreach_suppressions ORDER BY reason")).map((r) => r.reason);
    const before = await suppressions();
    const bounce = { type: "email.bounced", created_at: new Date().toISOString(), data: { email_id: randomUUID(), from: "magaza@atolye.example", to: ["Kalici.Hata@example.com"], subject: "x", bounce: { type: "Permanent", message: "550 no such user" } } };
    for (const [what, options] of [
      ["another key", { key: randomBytes(24).toString("base64") }],
      ["ten minutes old", { time: Math.floor(Date.now() / 1000) - 600 }],
      ["no signature", { signature: "" }],
    ]) {
      const r = await post(bounce, options);
      assert.equal(r.status, 401, what);
      await r.text();
    }
    assert.deepEqual(await suppressions(), before, "nothing stored");
    const taken = await post(bounce);
    assert.equal(taken.status, 200);
    assert.deepEqual(await taken.json(), { taken: "bounced" });
    const complained = await post({ type: "email.complained", created_at: new Date().toISOString(), data: { email_id: randomUUID(), to: ["sikayet@example.com"] } });
    assert.deepEqual(await complained.json(), { taken: "complained" });
    const delivered = await post({ type: "email.delivered", created_at: new Date().toISOString(), data: { to: ["mutlu@example.com"] } });
    assert.deepEqual(await delivered.json(), { taken: "ignored" });
    assert.deepEqual(await suppressions(), [...before, "bounced", "complained"].sort());

    // The bounced shopper's next order gets nothing.
    const d = Date.now() - HOUR;
    const order = await deliveredOrder({ email: "kalici.hata@example.com", deliveredAt: d });
    await edge.scheduled(d + 7 * DAY + MINUTE);
    assert.equal(sentTo("kalici.hata@example.com").length, 0);
    assert.equal((await messagesOf(order))[0].outcome, "suppressed");
    const report = await admin("GET", "outreach/messages");
    assert.ok(report.json.bounced >= 1 && report.json.complained >= 1, report.text);
  });

  test("Postmark's webhooks need the basic credentials the shop chose", async () => {
    const password = `pm-${randomUUID()}`;
    await sendWith("postmark", { webhook_secret: password });
    const url = `${edge.url}/v1/outreach/test-shop/events/postmark`;
    const body = JSON.stringify({ RecordType: "SpamComplaint", MessageStream: "outbound", Type: "SpamComplaint", TypeCode: 512, Email: "postmark.sikayet@example.com", BouncedAt: new Date().toISOString() });
    const post = (authorization) => fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) }, body });
    for (const auth of [null, `Basic ${Buffer.from("memnun:wrong-password-0000").toString("base64")}`]) {
      const r = await post(auth);
      assert.equal(r.status, 401);
      await r.text();
    }
    const r = await post(`Basic ${Buffer.from(`memnun:${password}`).toString("base64")}`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { taken: "complained" });
    const other = await fetch(`${edge.url}/v1/outreach/other-shop/events/postmark`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Basic ${Buffer.from(`memnun:${password}`).toString("base64")}` }, body });
    assert.equal(other.status, 401, "another shop's endpoint does not take this shop's password");
    await other.text();
  });

  test("a recipient the provider marked inactive is suppressed, not retried, and the reason shown names no address", async () => {
    capture.reset();
    await sendWith("postmark");
    const email = "geri.dondu@example.com";
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email, deliveredAt: delivered });
    const before = (await edge.query("SELECT COUNT(*) AS n FROM outreach_suppressions WHERE reason = 'bounced'"))[0].n;
    // Postmark's own wording, which names the address.
    capture.answerNext({ status: 422, body: { ErrorCode: 406, Message: `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${email}. Inactive recipients are ones that have generated a hard bounce or a spam complaint.` } });
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    await edge.scheduled(delivered + 9 * DAY);
    assert.equal(capture.requests.length, 1, "not retried");
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_suppressions WHERE reason = 'bounced'"))[0].n, before + 1, "suppressed as bounced");
    const [message] = await messagesOf(order);
    assert.ok(message.failed_at);
    const report = await admin("GET", "outreach/messages");
    assert.ok(!report.text.includes(email), "the provider's reason, without the address");
    assert.match(report.text, /Found inactive addresses: \[address\]/);
  });

  test("through Postmark (no idempotency) an attempt whose answer was lost is not made again", async () => {
    capture.reset();
    await sendWith("postmark");
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email: "belirsiz@example.com", deliveredAt: delivered });
    // A run noted its attempt and died before the answer: its claim has lapsed. Meanwhile the
    // shop moved to Resend: the attempt may have gone through Postmark all the same.
    await edge.query("UPDATE outreach_messages SET outcome = 'sending', claim = 'dead-run', claimed_until = ?2 WHERE order_id = ?1", order, delivered + 7 * DAY);
    await sendWith("resend");
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    assert.equal(capture.requests.length, 0, "not sent again");
    const [message] = await messagesOf(order);
    assert.ok(message.failed_at);
    assert.match(message.outcome, /may have been sent/);
  });

  test("turning review requests off skips those already planned", async () => {
    capture.reset();
    await sendWith("resend");
    const delivered = Date.now() - HOUR;
    const planned = await deliveredOrder({ email: "vazgecti@example.com", deliveredAt: delivered });
    await admin("PUT", "outreach", { review_request: { on: false } });
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    assert.equal(capture.requests.length, 0);
    assert.equal((await messagesOf(planned))[0].outcome, "review requests off");
    await admin("PUT", "outreach", { review_request: { on: true } });
  });

  test("a rotated OUTREACH_KEY: what the old key sealed is sealed again and still sends", async () => {
    capture.reset();
    await sendWith("resend");
    const delivered = Date.now() - HOUR;
    await deliveredOrder({ email: "donen.anahtar@example.com", deliveredAt: delivered });
    const oldKey = "bWVtbnVuLXRlc3Qtb3V0cmVhY2gta2V5LTMyLWJ5dGU=";
    const newKey = randomBytes(32).toString("base64");
    const prefix = async () => (await edge.query("SELECT api_key_sealed AS s FROM outreach_settings UNION ALL SELECT sealed FROM outreach_addresses")).map((r) => r.s.split(".")[1]);
    const oldIds = new Set(await prefix());
    await edge.stop();
    edge.vars = { ...edge.vars, OUTREACH_KEY: newKey, OUTREACH_KEY_PREVIOUS: oldKey };
    await edge.start();
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    assert.equal(sentTo("donen.anahtar@example.com").length, 1, "sent with the key sealed under the old one");
    const after = await prefix();
    assert.ok(after.length > 0 && after.every((id) => !oldIds.has(id)), "everything sealed again");
    // Without the previous key, all of it still opens.
    await edge.stop();
    edge.vars = { ...edge.vars, OUTREACH_KEY_PREVIOUS: "" };
    await edge.start();
    const d2 = Date.now() - HOUR;
    await deliveredOrder({ email: "yeni.anahtar@example.com", deliveredAt: d2 });
    await edge.scheduled(d2 + 7 * DAY + MINUTE);
    assert.equal(sentTo("yeni.anahtar@example.com").length, 1);
  });
});

describe("shipment notices and the survey invitation", () => {
  /** A new order for `email` with one parcel and no events yet; its id. */
  async function orderInTransit(email) {
    orderSeq += 1;
    const id = `o${orderSeq}`;
    const put = await admin("PUT", `orders/${id}`, {
      number: `10${orderSeq}`,
      email,
      locale: "tr",
      items: [{ product: "kahve-fincani", quantity: 1 }],
      shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: `YK${orderSeq}` }],
    });
    assert.equal(put.status, 200, put.text);
    return id;
  }
  const track = async (id, ...events) => {
    const r = await admin("POST", `orders/${id}/events`, {
      events: events.map(([status, time]) => ({ shipment: "s1", status, time: new Date(time).toISOString() })),
    });
    assert.equal(r.status, 200, r.text);
  };

  test("each notice goes as the parcel moves, at once and outside the cap, with the carrier's page and the tracker", async (t) => {
    t.after(() => admin("PUT", "outreach", { shipment_notices: NO_NOTICES }));
    capture.reset();
    const all = { shipped: true, out_for_delivery: true, delayed: true, delivered: true };
    await sendWith("resend", { cap_days: 3, shipment_notices: all, review_request: { on: true, days: 0, reminder_days: 0 } });
    const email = "kargo.takip@example.com";
    const id = await orderInTransit(email);
    const now = Date.now();
    await track(id, ["shipped", now - 3 * HOUR]);
    const [planned] = await messagesOf(id);
    assert.equal(planned.kind, "shipment_shipped");
    assert.equal(planned.shipment_id, "s1");
    await edge.scheduled(Date.now() + MINUTE);
    const [shipped] = sentTo(email);
    assert.ok(shipped, "sent at once");
    assert.equal(shipped.subject, "Test siparişiniz kargoya verildi");
    assert.match(shipped.text, /Kargo: Yurtiçi Kargo, takip numarası YK\d+/);
    assert.match(shipped.text, /Yurtiçi Kargo sayfasında izleyin: https:\/\/www\.yurticikargo\.com\/\S+code=YK\d+/);
    assert.match(shipped.text, /Siparişinizi izleyin: https:\/\/shop\.example\/siparis-takip#memnun=\S+/);
    assert.deepEqual(shipped.tags, [{ name: "kind", value: "shipment_shipped" }]);
    assert.equal(shipped.headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert.doesNotMatch(shipped.html, /<img/i, "no tracking pixel");

    // Then out for delivery, then delivered: each goes at once though the cap is three days, and
    // the review request due that day is not held by them either.
    await track(id, ["out_for_delivery", now - 2 * HOUR]);
    await edge.scheduled(Date.now() + MINUTE);
    await track(id, ["delivered", now - HOUR]);
    await edge.scheduled(Date.now() + MINUTE);
    assert.deepEqual(sentTo(email).map((m) => m.subject).sort(), [
      "Test siparişiniz bugün dağıtımda",
      "Test siparişiniz kargoya verildi",
      "Test siparişiniz nasıldı?",
      "Test siparişiniz teslim edildi",
    ]);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses WHERE order_id = ?1", id))[0].n, 0, "the address goes with the last message");
  });

  test("a notice its parcel overtook is not sent; old news and notices turned off are not planned", async (t) => {
    t.after(() => admin("PUT", "outreach", { shipment_notices: NO_NOTICES }));
    capture.reset();
    await sendWith("resend", { shipment_notices: { shipped: true, out_for_delivery: true, delayed: false, delivered: true } });
    const email = "gec.haber@example.com";
    const now = Date.now();
    const moved = await orderInTransit(email);
    // Both events arrive in one request (a carrier's feed catching up).
    await track(moved, ["shipped", now - 2 * HOUR], ["out_for_delivery", now - HOUR]);
    assert.deepEqual((await messagesOf(moved)).map((m) => m.kind).sort(), ["shipment_out_for_delivery", "shipment_shipped"]);
    await edge.scheduled(Date.now() + MINUTE);
    assert.deepEqual(sentTo(email).map((m) => m.subject), ["Test siparişiniz bugün dağıtımda"]);
    assert.equal((await messagesOf(moved)).find((m) => m.kind === "shipment_shipped").outcome, "overtaken");

    const quiet = await orderInTransit("sessiz.kargo@example.com");
    await track(quiet, ["delayed", now - HOUR]);
    await track(quiet, ["shipped", now - 3 * DAY]);
    assert.deepEqual(await messagesOf(quiet), [], "a notice turned off, and news three days old");
  });

  test("the survey invitation comes days after delivery, never on the review request's day, and not to a shopper who answered", async (t) => {
    t.after(() => admin("PUT", "outreach", { survey_invitation: { on: false } }));
    capture.reset();
    await sendWith("resend", { cap_days: 0, review_request: { on: true, days: 2, reminder_days: 0 }, survey_invitation: { on: true, days: 2 } });
    const email = "anket.davet@example.com";
    const delivered = Date.now() - HOUR;
    const order = await deliveredOrder({ email, deliveredAt: delivered });
    const planned = await messagesOf(order);
    assert.deepEqual(planned.map((m) => [m.kind, m.due_at]).sort(), [["review_request", delivered + 2 * DAY], ["survey_invitation", delivered + 2 * DAY]]);
    await edge.scheduled(delivered + 2 * DAY + MINUTE);
    assert.equal(sentTo(email).length, 1, "one of the two that day, though there is no cap");
    const held = (await messagesOf(order)).find((m) => !m.sent_at);
    const first = (await messagesOf(order)).find((m) => m.sent_at);
    assert.equal(held.outcome, "not on one day");
    assert.equal(held.due_at, first.sent_at + DAY);
    await edge.scheduled(held.due_at);
    const sent = sentTo(email);
    assert.equal(sent.length, 2, "the other a day later");
    const invitation = sent.find((m) => m.tags[0].value === "survey_invitation");
    assert.equal(invitation.subject, "Test: siparişiniz hakkında birkaç soru");
    assert.match(invitation.text, /Ankete başlayın: https:\/\/shop\.example\/anket#memnun=\S+/);
    assert.ok(invitation.headers["List-Unsubscribe"]);

    // A shopper who answered the survey (from the tracker's link, say) is not invited to it.
    const answeredEmail = "zaten.yanitladi@example.com";
    const answered = await deliveredOrder({ email: answeredEmail, deliveredAt: delivered });
    const links = await admin("POST", `orders/${answered}/links`);
    assert.equal(links.status, 201, links.text);
    const saved = await fetch(`${edge.url}/v1/shops/test-shop/survey/answers`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": "203.0.113.77", "Idempotency-Key": randomUUID() },
      body: JSON.stringify({ token: links.json.survey.token, seq: 1, answers: { nps: 9 }, locale: "tr" }),
    });
    assert.equal(saved.status, 200, await saved.text());
    await edge.scheduled(delivered + 2 * DAY + 2 * MINUTE);
    assert.equal((await messagesOf(answered)).find((m) => m.kind === "survey_invitation").outcome, "answered");
    assert.deepEqual(sentTo(answeredEmail).map((m) => m.tags[0].value), ["review_request"]);

    // Invited lately about another order: the survey would not ask them (its cooldown), so no
    // invitation either.
    const again = await deliveredOrder({ email, deliveredAt: delivered });
    await edge.scheduled(delivered + 6 * DAY);
    assert.equal((await messagesOf(again)).find((m) => m.kind === "survey_invitation").outcome, "survey cooldown");
  });

  test("two parcels: each says it is one of two, and \"delivered\" waits for the second; the address stays until then", async (t) => {
    t.after(() => admin("PUT", "outreach", { shipment_notices: NO_NOTICES }));
    capture.reset();
    await sendWith("resend", { shipment_notices: { shipped: true, out_for_delivery: false, delayed: false, delivered: true }, review_request: { on: false } });
    const email = "iki.paket@example.com";
    orderSeq += 1;
    const id = `o${orderSeq}`;
    const put = await admin("PUT", `orders/${id}`, {
      number: `10${orderSeq}`, email, locale: "en", items: [{ product: "kahve-fincani", quantity: 2 }],
      shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK-A1" }, { id: "s2", carrier: "Aras Kargo", tracking_number: "AR-B2" }],
    });
    assert.equal(put.status, 200, put.text);
    const now = Date.now();
    const event = (shipment, status, time) => admin("POST", `orders/${id}/events`, { events: [{ shipment, status, time: new Date(time).toISOString() }] });
    assert.equal((await event("s1", "shipped", now - 5 * HOUR)).status, 200);
    await edge.scheduled(Date.now() + MINUTE);
    assert.match(sentTo(email)[0].text, /Your order comes in 2 parcels; this email is about one of them\./);
    assert.equal((await event("s1", "delivered", now - 4 * HOUR)).status, 200);
    await edge.scheduled(Date.now() + MINUTE);
    assert.equal((await messagesOf(id)).filter((m) => m.kind === "shipment_delivered").length, 0, "not while a parcel is on its way");
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses WHERE order_id = ?1", id))[0].n, 1, "kept for the second parcel");
    assert.equal((await event("s2", "shipped", now - 3 * HOUR)).status, 200);
    assert.equal((await event("s2", "delivered", now - 2 * HOUR)).status, 200);
    await edge.scheduled(Date.now() + MINUTE);
    const subjects = sentTo(email).map((m) => m.subject);
    assert.deepEqual(subjects.filter((s) => s.includes("delivered")), ["Your order from Test was delivered"], "once, when both came");
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses WHERE order_id = ?1", id))[0].n, 0, "gone once nothing can come");
  });

  test("a reply notice: the author who left an email gets the shop's first reply, escaped, as it stands when sent", async (t) => {
    t.after(() => admin("PUT", "outreach", { reply_notice: { on: true } }));
    capture.reset();
    await sendWith("resend");
    const posted = async (email) => {
      const r = await postReview(edge, review({ product: "kahve-fincani", rating: 5, email }), { origin: ORIGIN });
      assert.equal(r.status, 201, r.text);
      return r.json.review.id;
    };
    const reply = (id, body) => admin(body === undefined ? "DELETE" : "PUT", `reviews/${id}/reply`, body === undefined ? undefined : { body });
    const messagesAbout = (id) => edge.query("SELECT * FROM outreach_messages WHERE review_id = ?1", id);

    const email = "yorum.sahibi@example.com";
    const id = await posted(email);
    assert.equal((await reply(id, "Teşekkürler!")).status, 200);
    const [planned] = await messagesAbout(id);
    assert.equal(planned.kind, "reply_notice");
    assert.equal(planned.order_id, null);
    assert.ok(!JSON.stringify(planned).includes(email), "the outbox holds no address");
    // Corrected minutes later: one notice, in the last words.
    assert.equal((await reply(id, "Teşekkürler, <b>Ayşe</b> Hanım!\nYine bekleriz.")).status, 200);
    assert.equal((await messagesAbout(id)).length, 1);
    await edge.scheduled(planned.due_at - MINUTE);
    assert.equal(sentTo(email).length, 0, "not before its time");
    await edge.scheduled(planned.due_at + MINUTE);
    const [mail] = sentTo(email);
    assert.ok(mail, "sent");
    assert.equal(mail.subject, "Test değerlendirmenizi yanıtladı");
    assert.match(mail.text, /> Teşekkürler, <b>Ayşe<\/b> Hanım!\n> Yine bekleriz\./);
    assert.ok(mail.html.includes("Teşekkürler, &lt;b&gt;Ayşe&lt;/b&gt; Hanım!<br>Yine bekleriz."), "escaped");
    assert.match(mail.text, /Ürün sayfasında görün: https:\/\/shop\.example\/urun\/kahve-fincani/);
    assert.match(mail.text, /El yapımı kahve fincanı/);
    assert.ok(mail.headers["List-Unsubscribe"]);
    assert.equal((await reply(id, "Bir düzeltme daha.")).status, 200);
    await edge.scheduled(planned.due_at + DAY);
    assert.equal(sentTo(email).length, 1, "a later edit is not sent again");

    // Taken back before it went: nothing is sent.
    const regretted = await posted("vazgecilen.yanit@example.com");
    await reply(regretted, "Yanlış yanıt");
    assert.equal((await reply(regretted)).status, 200);
    const [held] = await messagesAbout(regretted);
    await edge.scheduled(held.due_at + MINUTE);
    assert.equal((await messagesAbout(regretted))[0].outcome, "reply removed");
    assert.equal(sentTo("vazgecilen.yanit@example.com").length, 0);

    // Turned off: one planned before is not sent, and none is planned after.
    const late = await posted("gec.kalan@example.com");
    await reply(late, "Teşekkürler");
    await admin("PUT", "outreach", { reply_notice: { on: false } });
    const [waiting] = await messagesAbout(late);
    await edge.scheduled(waiting.due_at + MINUTE);
    assert.equal((await messagesAbout(late))[0].outcome, "reply notices off");
    const quiet = await posted("sessiz.yanit@example.com");
    await reply(quiet, "Teşekkürler");
    assert.deepEqual(await messagesAbout(quiet), []);
    await admin("PUT", "outreach", { reply_notice: { on: true } });
    const erased = await posted("silinecek.yorumcu@example.com");
    await reply(erased, "Teşekkürler");
    assert.equal((await messagesAbout(erased)).length, 1);
    assert.equal((await admin("POST", "shoppers/delete", { email: "silinecek.yorumcu@example.com" })).status, 200);
    assert.deepEqual(await messagesAbout(erased), []);
  });
});

describe("the merchant's digest", () => {
  test("goes on Monday morning in the shop's time zone, once a week, with the week's numbers against the week before", async (t) => {
    t.after(() => admin("PUT", "outreach", { digest: { on: false } }));
    capture.reset();
    const refused = await admin("PUT", "outreach", { digest: { on: true, to: "" } });
    assert.equal(refused.status, 422, refused.text);
    assert.ok(refused.json.error.fields["digest.to"], refused.text);
    const to = "patron@atolye.example";
    await sendWith("resend", { time_zone: "Europe/Istanbul", quiet_hours: { start: 21, end: 9 }, digest: { on: true, to } });
    const written = await postReview(edge, review({ product: "kahve-fincani", rating: 4 }), { origin: ORIGIN });
    assert.equal(written.status, 201, written.text);

    // The first Monday 09:00 in Istanbul (UTC+3 all year: 06:00 UTC) after that review.
    const [{ created_at: writtenAt }] = await edge.query("SELECT created_at FROM reviews WHERE id = ?1", written.json.review.id);
    const day = new Date(writtenAt);
    let monday = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + ((8 - day.getUTCDay()) % 7), 6, 0);
    if (monday <= writtenAt + MINUTE) monday += 7 * DAY;
    await edge.scheduled(monday - MINUTE);
    assert.equal(sentTo(to).length, 0, "not before 09:00 there");
    await edge.scheduled(monday + MINUTE);
    await edge.scheduled(monday + 2 * HOUR);
    const digests = sentTo(to);
    assert.equal(digests.length, 1, "once that week");
    const [planned] = await edge.query("SELECT created_at FROM outreach_messages WHERE kind = 'merchant_digest'");
    assert.equal(planned.created_at, monday, "about the week that ends at 09:00 that Monday");
    const [digest] = digests;
    assert.equal(digest.subject, "Test: haftanın özeti");
    const [{ n, avg }] = await edge.query(
      "SELECT COUNT(*) AS n, ROUND(AVG(rating) * 10) AS avg FROM reviews WHERE shop_id = 'test-shop' AND created_at >= ?1 AND created_at < ?2",
      monday - 7 * DAY, monday,
    );
    assert.ok(n >= 1);
    const average = `${Math.floor(avg / 10)},${avg % 10}`;
    assert.ok(digest.text.includes(`- Yeni değerlendirme: ${n} (ortalama ${average} yıldız)`), digest.text);
    const [{ waiting }] = await edge.query("SELECT COUNT(*) AS waiting FROM reviews WHERE shop_id = 'test-shop' AND status = 'pending'");
    assert.ok(digest.text.includes(`- Onay bekleyen değerlendirme: ${waiting}`), digest.text);
    assert.match(digest.text, /- NPS: (-?\d+,\d|–) \(önceki hafta (-?\d+,\d|–)\)/);
    assert.match(digest.text, /- Memnuniyet \(CSAT\): (%\d+,\d|–) \(önceki hafta (%\d+,\d|–)\)/);
    assert.match(digest.text, /- İlgi bekleyen kargo: \d+/);
    assert.ok(digest.text.includes(`Panele gidin: ${edge.url}/admin`), digest.text);
    assert.ok(digest.headers["List-Unsubscribe"], "the merchant can stop it too");
    assert.deepEqual(digest.tags, [{ name: "kind", value: "merchant_digest" }]);

    await edge.scheduled(monday + 7 * DAY + MINUTE);
    assert.equal(sentTo(to).length, 2, "and the next week");

    // Its own link stops the digest, and nothing else sent to that address; asking for it again
    // in Settings starts it again.
    const stop = await fetch(digest.headers["List-Unsubscribe"].slice(1, -1), { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    assert.equal(stop.status, 200);
    await stop.text();
    await edge.scheduled(monday + 14 * DAY + MINUTE);
    assert.equal(sentTo(to).length, 2, "stopped");
    const shopper = await deliveredOrder({ email: to, deliveredAt: Date.now() - HOUR });
    assert.equal((await messagesOf(shopper)).length, 1, "as a shopper, the same address still gets a review request");
    assert.equal((await admin("PUT", "outreach", { digest: { on: true } })).status, 200);
    await edge.scheduled(monday + 21 * DAY + MINUTE);
    assert.equal(sentTo(to).filter((m) => m.tags[0].value === "merchant_digest").length, 3, "asked for again");
    await admin("PUT", "outreach", { digest: { on: false } });
    await edge.scheduled(monday + 28 * DAY + MINUTE);
    assert.equal(sentTo(to).filter((m) => m.tags[0].value === "merchant_digest").length, 3, "not once turned off");
  });
});

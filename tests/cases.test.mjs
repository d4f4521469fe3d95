// Cases against the real worker: every trigger that opens one (a detractor's or an unhappy
// CSAT answer, a 1–2-star review, a report, a parcel in exception, a complaint from the tracker),
// one case per subject and cause with later signals joining it, the merchant's changes and their
// history, the answer by email through the outbox (the capture server speaks Resend's API), the
// public reply, `case.opened` and `case.resolved`, the queue and the response-time report.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, HOURLY, adminCall, newClient, postFeedback, postReview, review } from "./support/harness.mjs";
import { EmailCapture } from "./support/email-capture.mjs";

const ORIGIN = "https://shop.example";
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SHIFT = "X-Memnun-Clock-Shift-Ms";
let edge;
let capture;

before(async () => {
  capture = await EmailCapture.start();
  edge = await Edge.start({ origins: [ORIGIN], vars: { EMAIL_API_BASE: capture.url } });
  const shop = await admin("PUT", "shop", {
    product_page: "https://shop.example/urun/{product}",
    tracker_page: "https://shop.example/siparis-takip",
    survey_page: "https://shop.example/anket",
  });
  assert.equal(shop.status, 200, shop.text);
  // Events are queued only for a shop with a webhook; nobody listens on port 9 (discard).
  const hook = await admin("PUT", "webhook", { url: "http://127.0.0.1:9/hooks" });
  assert.equal(hook.status, 200, hook.text);
});
after(async () => {
  await edge?.cleanup();
  await capture?.stop();
});

const admin = (method, path, body, options = {}) => adminCall(edge, method, path, { body, ...options });

/** A shopper page's POST to `/v1/shops/test-shop/{path}`. */
async function shopper(path, body, { key = randomUUID(), shift } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "CF-Connecting-IP": newClient(),
      Origin: ORIGIN,
      "Idempotency-Key": key,
      ...(shift ? { [SHIFT]: String(shift) } : {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, text, json };
}

let orders = 0;
/** An order with one parcel, delivered unless told (`events`: the parcel's instead); its id,
 * number and its links' tokens. */
async function newOrder({ email, events, shift = 0, products = ["kahve-fincani"] } = {}) {
  orders += 1;
  const id = `C-${orders}`;
  const headers = shift ? { [SHIFT]: String(shift) } : {};
  let r = await admin("PUT", `orders/${id}`, {
    number: String(7000 + orders),
    email: email ?? `alici${orders}@example.com`,
    locale: "tr",
    items: products.map((product) => ({ product, quantity: 1 })),
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: `YK${orders}` }],
  }, { headers });
  assert.equal(r.status, 200, r.text);
  r = await admin("POST", `orders/${id}/events`, {
    events: events ?? [{ shipment: "s1", status: "delivered", time: Date.now() + shift }],
  }, { headers });
  assert.equal(r.status, 200, r.text);
  r = await admin("POST", `orders/${id}/links`, undefined, { headers });
  assert.equal(r.status, 201, r.text);
  return { id, number: String(7000 + orders), links: r.json };
}

const casesOf = (order) => edge.query("SELECT * FROM cases WHERE order_id = ?1 ORDER BY opened_at", order);
const events = (type, about) =>
  edge.query("SELECT payload FROM webhook_outbox WHERE event_type = ?1 AND payload LIKE ?2", type, `%${about}%`);
const getCase = async (id) => {
  const r = await admin("GET", `cases/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

describe("what opens a case", () => {
  test("a detractor's answer opens one; saving it again with a low CSAT does not count twice", async () => {
    const order = await newOrder();
    const survey = (seq, answers) =>
      shopper("survey/answers", { token: order.links.survey.token, seq, answers, locale: "tr" });
    assert.equal((await shopper("survey/open", { token: order.links.survey.token, locale: "tr" })).status, 200);
    assert.equal((await survey(1, { nps: 3 })).status, 200);
    let [stored] = await casesOf(order.id);
    assert.equal(stored.cause, "survey");
    assert.equal(stored.state, "open");
    const saved = await survey(2, { nps: 3, csat: 1, comment: "Kutu ezik geldi" });
    assert.equal(saved.status, 200, saved.text);
    const all = await casesOf(order.id);
    assert.equal(all.length, 1, "one case per order and cause");
    assert.equal(all[0].signals, 1, "the same answer is one signal");
    const view = await getCase(all[0].id);
    assert.deepEqual(view.survey, { nps: 3, csat: 1, comment: "Kutu ezik geldi" }, "the answer as it stands");
    assert.deepEqual(view.history.map((h) => h.action), ["opened"]);
    assert.deepEqual(view.history[0].detail, { nps: 3, csat: null });
    assert.equal(view.case.order_number, order.number);
    assert.equal((await events("case.opened", all[0].id)).length, 1);
    const opened = JSON.parse((await events("case.opened", all[0].id))[0].payload);
    assert.equal(opened.data.case.cause, "survey");
    assert.equal(opened.data.case.order, order.id);
  });

  test("a low CSAT alone opens one; a promoter's answer opens none", async () => {
    const unhappy = await newOrder();
    assert.equal((await shopper("survey/answers", { token: unhappy.links.survey.token, seq: 1, answers: { nps: 8, csat: 2 } })).status, 200);
    assert.equal((await casesOf(unhappy.id)).length, 1);
    const happy = await newOrder();
    assert.equal((await shopper("survey/answers", { token: happy.links.survey.token, seq: 1, answers: { nps: 9, csat: 5 } })).status, 200);
    assert.equal((await casesOf(happy.id)).length, 0);
  });

  test("low reviews of one order join its case; a review without an order has its own", async () => {
    const order = await newOrder({ products: ["fincan", "tabak", "kase"] });
    const token = (product) => order.links.reviews.find((l) => l.product === product).token;
    const one = await postReview(edge, review({ product: "fincan", rating: 1, token: token("fincan") }), { origin: ORIGIN });
    assert.equal(one.status, 201, one.text);
    const two = await postReview(edge, review({ product: "tabak", rating: 2, token: token("tabak") }), { origin: ORIGIN });
    assert.equal(two.status, 201, two.text);
    const fine = await postReview(edge, review({ product: "kase", rating: 4, token: token("kase") }), { origin: ORIGIN });
    assert.equal(fine.status, 201, fine.text);
    const [only, ...more] = await casesOf(order.id);
    assert.equal(more.length, 0);
    assert.equal(only.cause, "review");
    assert.equal(only.signals, 2);
    assert.equal(only.review_id, one.json.review.id, "the review that opened it");
    const view = await getCase(only.id);
    assert.deepEqual(view.history.map((h) => [h.action, h.detail.rating]), [["opened", 1], ["signal", 2]]);
    const lone = await postReview(edge, review({ product: "fincan", rating: 1, email: undefined }), { origin: ORIGIN });
    assert.equal(lone.status, 201, lone.text);
    const [own] = await edge.query("SELECT * FROM cases WHERE review_id = ?1", lone.json.review.id);
    assert.equal(own.order_id, null);
    assert.equal(own.subject, `review:${lone.json.review.id}`);
  });

  test("a report opens a case on the review; one reporter counts once, another joins", async () => {
    const posted = await postReview(edge, review({ product: "rapor", rating: 5 }), { origin: ORIGIN });
    assert.equal(posted.status, 201, posted.text);
    const id = posted.json.review.id;
    const reporter = randomUUID();
    for (const body of [{ reporter, reason: "spam" }, { reporter, reason: "spam" }, { reporter: randomUUID(), reason: "offensive", note: "Hakaret var" }]) {
      const r = await postFeedback(edge, id, "reports", body, { origin: ORIGIN });
      assert.equal(r.status, 202, r.text);
    }
    const [report] = await edge.query("SELECT * FROM cases WHERE review_id = ?1", id);
    assert.equal(report.cause, "report");
    assert.equal(report.signals, 2);
    const view = await getCase(report.id);
    assert.deepEqual(view.history.map((h) => h.detail.reason), ["spam", "offensive"]);
    assert.equal(view.can_email, false, "a report's case is not answered to the review's author");
    assert.equal(view.address, null, "nor shows their address");
  });

  test("a fresh parcel in exception opens a shipment case, once; one that moved on opens none", async () => {
    const now = Date.now();
    const held = await newOrder({ events: [{ shipment: "s1", status: "exception", time: now - HOUR, note: "Adres bulunamadı" }] });
    const again = await admin("POST", `orders/${held.id}/events`, { events: [{ shipment: "s1", status: "exception", time: now - HOUR, note: "Adres bulunamadı" }] });
    assert.equal(again.status, 200, again.text);
    const [shipment, ...more] = await casesOf(held.id);
    assert.equal(more.length, 0);
    assert.equal(shipment.cause, "shipment");
    assert.equal(shipment.signals, 1, "the same event twice is one signal");
    const view = await getCase(shipment.id);
    assert.equal(view.history[0].detail.note, "Adres bulunamadı");
    assert.equal(view.history[0].detail.carrier, "Yurtiçi Kargo");
    const recovered = await newOrder({ events: [
      { shipment: "s1", status: "exception", time: now - 2 * HOUR },
      { shipment: "s1", status: "delivered", time: now - HOUR },
    ] });
    assert.equal((await casesOf(recovered.id)).length, 0, "delivered since");
    const old = await newOrder({ events: [{ shipment: "s1", status: "exception", time: now - 5 * DAY }] });
    assert.equal((await casesOf(old.id)).length, 0, "an exception from days ago, told late");
  });
});

describe("the tracker's complaint", () => {
  test("taken once delivered or late, refused while on its way; bad input stores nothing", async () => {
    const now = Date.now();
    const moving = await newOrder({ events: [{ shipment: "s1", status: "in_transit", time: now - HOUR }] });
    const complain = (order, message, options) => shopper("orders/complaints", { token: order.links.tracker.token, message }, options);
    const early = await complain(moving, "Nerede kaldı?");
    assert.equal(early.status, 409, early.text);
    assert.equal((await casesOf(moving.id)).length, 0);
    const late = await complain(moving, "Nerede kaldı?", { shift: 6 * DAY });
    assert.equal(late.status, 202, late.text);
    assert.equal((await casesOf(moving.id)).length, 1, "six days without news is late");

    const delivered = await newOrder();
    for (const [body, field] of [
      [{ token: delivered.links.tracker.token }, "message"],
      [{ token: delivered.links.tracker.token, message: "x".repeat(2001) }, "message"],
      [{ message: "Kırık geldi" }, "token"],
    ]) {
      const r = await shopper("orders/complaints", body);
      assert.equal(r.status, 422, r.text);
      assert.ok(r.json.error.fields[field], r.text);
    }
    const forged = await shopper("orders/complaints", { token: delivered.links.survey.token, message: "Kırık geldi" });
    assert.equal(forged.status, 404, "a survey token is not a tracker's");
    assert.equal((await casesOf(delivered.id)).length, 0, "nothing stored");

    const key = randomUUID();
    const first = await complain(delivered, "Fincan kırık geldi <b>!</b>", { key });
    assert.equal(first.status, 202, first.text);
    const retried = await complain(delivered, "Fincan kırık geldi <b>!</b>", { key });
    assert.equal(retried.status, 202, retried.text);
    const second = await complain(delivered, "Ve tabağı eksik");
    assert.equal(second.status, 202, second.text);
    const [stored] = await casesOf(delivered.id);
    assert.equal(stored.cause, "complaint");
    assert.equal(stored.signals, 2, "the retry is the same complaint; another joins");
    const view = await getCase(stored.id);
    assert.deepEqual(view.history.map((h) => h.detail.message), ["Fincan kırık geldi <b>!</b>", "Ve tabağı eksik"]);
  });
});

describe("handling a case", () => {
  test("owner, notes, states and resolution, each in the history; case.resolved once", async () => {
    const order = await newOrder();
    assert.equal((await shopper("orders/complaints", { token: order.links.tracker.token, message: "Renk farklı" })).status, 202);
    const [{ id }] = await casesOf(order.id);
    let r = await admin("PUT", `cases/${id}`, { owner: "Ayşe" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.case.owner, "Ayşe");
    assert.equal(r.json.case.first_response_at, null, "an owner is not a response");
    r = await admin("POST", `cases/${id}/notes`, { text: "Depoya sordum." });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.case.first_response_at, null, "a note is internal");
    assert.equal((await admin("POST", `cases/${id}/notes`, { text: "  " })).status, 422);
    assert.equal((await admin("PUT", `cases/${id}`, {})).status, 422);
    assert.equal((await admin("PUT", `cases/${id}`, { state: "resolved" })).status, 422, "resolving takes a category");
    assert.equal((await admin("PUT", `cases/${id}`, { resolution: { category: "lost" } })).status, 400);
    r = await admin("PUT", `cases/${id}`, { state: "waiting" });
    assert.equal(r.json.case.state, "waiting");
    assert.ok(r.json.case.first_response_at, "out of open is a response");
    r = await admin("PUT", `cases/${id}`, { resolution: { category: "replaced", text: "Doğru rengi gönderdik." } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.case.state, "resolved");
    assert.deepEqual(r.json.case.resolution, { category: "replaced", text: "Doğru rengi gönderdik." });
    assert.deepEqual(r.json.history.map((h) => [h.action, h.actor]), [
      ["opened", "system"], ["owner", "tests"], ["note", "tests"], ["state", "tests"], ["resolved", "tests"],
    ]);
    // Saying it again changes nothing and queues nothing.
    r = await admin("PUT", `cases/${id}`, { resolution: { category: "replaced", text: "Doğru rengi gönderdik." } });
    assert.equal(r.json.history.length, 5);
    assert.equal((await events("case.resolved", id)).length, 1);
    const resolved = JSON.parse((await events("case.resolved", id))[0].payload);
    assert.equal(resolved.data.resolution.category, "replaced");
    assert.equal((await admin("GET", "cases/cnothere")).status, 404);
  });

  test("a new signal after resolution opens a new case; reopening the old one then conflicts", async () => {
    const order = await newOrder();
    const complain = (message) => shopper("orders/complaints", { token: order.links.tracker.token, message });
    assert.equal((await complain("Bir")).status, 202);
    const [{ id: first }] = await casesOf(order.id);
    assert.equal((await admin("PUT", `cases/${first}`, { resolution: { category: "explained" } })).status, 200);
    assert.equal((await complain("İki")).status, 202);
    const all = await casesOf(order.id);
    assert.equal(all.length, 2);
    for (const state of ["open", "waiting"]) {
      const reopen = await admin("PUT", `cases/${first}`, { state, owner: "Selin" });
      assert.equal(reopen.status, 409, reopen.text);
    }
    assert.equal((await getCase(first)).case.owner, null, "a refused change changes nothing");
    const second = all.find((c) => c.id !== first).id;
    assert.equal((await admin("PUT", `cases/${second}`, { resolution: { category: "no_action" } })).status, 200);
    const reopened = await admin("PUT", `cases/${first}`, { state: "open" });
    assert.equal(reopened.status, 200, reopened.text);
    assert.equal(reopened.json.case.resolution, null);
    assert.equal(reopened.json.case.resolved_at, null);
  });

  test("the answer goes by email while memnun keeps the address, which goes when the case is resolved", async () => {
    const sending = await admin("PUT", "outreach", {
      sending: true, provider: "resend", api_key: "re_test_cases_1", sender: "Test <magaza@test.example>",
      quiet_hours: { start: 0, end: 0 }, cap_days: 0, review_request: { on: true, days: 7, reminder_days: 0 },
      survey_invitation: { on: false, days: 2 },
      shipment_notices: { shipped: false, out_for_delivery: false, delayed: false, delivered: false },
    });
    assert.equal(sending.status, 200, sending.text);
    const delivered = Date.now();
    // Kept as the shop sent it, lower-cased (as every address memnun compares).
    const order = await newOrder({ email: "Yanit@Example.com" });
    assert.equal((await shopper("orders/complaints", { token: order.links.tracker.token, message: "Kırık" })).status, 202);
    const [{ id }] = await casesOf(order.id);
    let view = await getCase(id);
    assert.equal(view.address, "yanit@example.com");
    assert.equal(view.can_email, true);
    const answered = await admin("POST", `cases/${id}/answers`, { text: "Yenisini yolladık.\n<a href=x>kupon</a>" });
    assert.equal(answered.status, 201, answered.text);
    assert.equal(answered.json.case.state, "waiting");
    assert.ok(answered.json.case.first_response_at);
    const entry = answered.json.history.at(-1);
    assert.equal(entry.action, "answer");
    assert.deepEqual(entry.email, { state: "scheduled", outcome: null });
    await edge.scheduled(Date.now() + MINUTE);
    const [mail, ...others] = capture.sent.filter((m) => m.to.includes("yanit@example.com"));
    assert.equal(others.length, 0);
    assert.equal(mail.subject, "Test size yanıt verdi");
    assert.ok(mail.text.includes("> Yenisini yolladık."), mail.text);
    assert.ok(mail.html.includes("&lt;a href=x&gt;kupon&lt;/a&gt;"), "the merchant's words as text");
    assert.ok(mail.text.includes("https://shop.example/siparis-takip#"), "the tracker's link");
    view = await getCase(id);
    assert.equal(view.history.at(-1).email.state, "sent");
    // The review request goes a week later; the case still open keeps the address.
    await edge.scheduled(delivered + 7 * DAY + MINUTE);
    assert.equal(capture.sent.filter((m) => m.to.includes("yanit@example.com")).length, 2);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses WHERE order_id = ?1", order.id))[0].n, 1);
    assert.equal((await admin("PUT", `cases/${id}`, { resolution: { category: "replaced" } })).status, 200);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM outreach_addresses WHERE order_id = ?1", order.id))[0].n, 0);
    view = await getCase(id);
    assert.equal(view.address, null);
    assert.equal(view.can_email, false);
    const late = await admin("POST", `cases/${id}/answers`, { text: "Bir şey daha" });
    assert.equal(late.status, 201, late.text);
    assert.equal(late.json.history.at(-1).email, null, "nothing to send to");
    assert.equal(late.json.history.at(-1).detail.email, false);
    await admin("PUT", "outreach", { sending: false });
  });

  test("a review's case is answered as its public reply when asked, and by its author's email", async () => {
    await admin("PUT", "outreach", {
      sending: true, provider: "resend", api_key: "re_test_cases_1", sender: "Test <magaza@test.example>",
      quiet_hours: { start: 0, end: 0 }, review_request: { on: false }, survey_invitation: { on: false },
    });
    const posted = await postReview(edge, review({ product: "yanit", rating: 1, email: "yazar@example.com" }), { origin: ORIGIN });
    assert.equal(posted.status, 201, posted.text);
    const [{ id }] = await edge.query("SELECT id FROM cases WHERE review_id = ?1", posted.json.review.id);
    const view = await getCase(id);
    assert.equal(view.address, "yazar@example.com");
    const noReview = await newOrder();
    assert.equal((await shopper("orders/complaints", { token: noReview.links.tracker.token, message: "Kötü" })).status, 202);
    const [{ id: complaint }] = await casesOf(noReview.id);
    const refused = await admin("POST", `cases/${complaint}/answers`, { text: "Tamam", reply: true });
    assert.equal(refused.status, 422, "only a review's case has a reply to publish");
    const r = await admin("POST", `cases/${id}/answers`, { text: "Özür dileriz, iade ettik.", reply: true });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.history.at(-1).detail, { email: true, reply: true });
    const stored = await admin("GET", `reviews/${posted.json.review.id}`);
    assert.equal(stored.json.reply.body, "Özür dileriz, iade ettik.");
    await edge.scheduled(Date.now() + MINUTE);
    const mails = capture.sent.filter((m) => m.to.includes("yazar@example.com"));
    assert.equal(mails.length, 1, "one email: the answer, not a reply notice too");
    await admin("PUT", "outreach", { sending: false });
  });
});

describe("the queue and the report", () => {
  test("unresolved oldest first, filtered and paged; overdue by the shop's target", async () => {
    const settings = await admin("PUT", "cases/settings", { target_hours: 0 });
    assert.equal(settings.status, 422, settings.text);
    assert.equal((await admin("PUT", "cases/settings", { target_hours: 2, stuck_after_days: 5 })).status, 200);
    assert.deepEqual((await admin("GET", "cases/settings")).json, { target_hours: 2, stuck_after_days: 5 });
    const old = await newOrder();
    assert.equal((await shopper("orders/complaints", { token: old.links.tracker.token, message: "Eski" }, { shift: -3 * HOUR })).status, 202);
    const fresh = await newOrder();
    assert.equal((await shopper("orders/complaints", { token: fresh.links.tracker.token, message: "Yeni" })).status, 202);
    const list = await admin("GET", "cases?cause=complaint&limit=100");
    assert.equal(list.status, 200, list.text);
    const mine = list.json.cases.filter((c) => [old.id, fresh.id].includes(c.order));
    assert.deepEqual(mine.map((c) => [c.order, c.overdue]), [[old.id, true], [fresh.id, false]]);
    const opened = list.json.cases.map((c) => c.opened_at);
    assert.deepEqual(opened, [...opened].sort((a, b) => a - b), "oldest first");
    assert.ok(list.json.cases.every((c) => c.state !== "resolved" && c.cause === "complaint"));
    const pages = [];
    let cursor = "";
    do {
      const page = await admin("GET", `cases?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      assert.equal(page.status, 200, page.text);
      pages.push(...page.json.cases.map((c) => c.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    const all = await admin("GET", "cases?limit=100");
    assert.deepEqual(pages, all.json.cases.map((c) => c.id), "pages make the whole list");
    const resolved = await admin("GET", "cases?state=resolved&limit=100");
    assert.ok(resolved.json.cases.length > 0 && resolved.json.cases.every((c) => c.state === "resolved"));
    assert.equal((await admin("GET", "cases?state=closed")).status, 400);
    await admin("PUT", "cases/settings", { target_hours: 24 });
  });

  test("the report's weekly response times are the hand-worked ones", async () => {
    // Two weeks from a Monday 00:00 UTC well after every other case here.
    const monday = Math.floor((Date.now() + 21 * DAY + 3 * DAY) / (7 * DAY)) * 7 * DAY - 3 * DAY;
    const at = (ms) => ms - Date.now();
    const open = async (offset) => {
      const order = await newOrder();
      const r = await shopper("orders/complaints", { token: order.links.tracker.token, message: "Sorun" }, { shift: at(monday + offset) });
      assert.equal(r.status, 202, r.text);
      return (await casesOf(order.id))[0].id;
    };
    const headers = (ms) => ({ headers: { [SHIFT]: String(at(ms)) } });
    // Week 1: answered after 2 h and 30 h (past the 24 h target), one never; resolved after
    // 5 h and 50 h. Week 2: answered after 4 h.
    const a = await open(HOUR);
    const b = await open(10 * HOUR);
    await open(20 * HOUR);
    const c = await open(7 * DAY);
    assert.equal((await admin("POST", `cases/${a}/answers`, { text: "Bakıyoruz", email: false }, headers(monday + 3 * HOUR))).status, 201);
    assert.equal((await admin("PUT", `cases/${a}`, { resolution: { category: "explained" } }, headers(monday + 6 * HOUR))).status, 200);
    assert.equal((await admin("PUT", `cases/${b}`, { state: "waiting" }, headers(monday + 40 * HOUR))).status, 200);
    assert.equal((await admin("PUT", `cases/${b}`, { resolution: { category: "refunded" } }, headers(monday + 60 * HOUR))).status, 200);
    assert.equal((await admin("POST", `cases/${c}/answers`, { text: "Tamam", email: false }, headers(monday + 7 * DAY + 4 * HOUR))).status, 201);
    const day = (ms) => new Date(ms).toISOString().slice(0, 10);
    // A date `to` includes its whole day: the Sunday ends the second week.
    const report = await admin("GET", `reports/cases?from=${day(monday)}&to=${day(monday + 13 * DAY)}`);
    assert.equal(report.status, 200, report.text);
    const [one, two] = report.json.weeks;
    assert.equal(report.json.weeks.length, 2);
    assert.equal(one.week_start, monday);
    assert.deepEqual([one.opened, one.responded, one.responded_within_target, one.resolved], [3, 2, 1, 2]);
    // The clock moves while a request travels (milliseconds): a minute apart is the same figure
    // here, where the cases' times are hours apart.
    const near = (actual, expected) => assert.ok(Math.abs(actual - expected) < MINUTE, `${actual} ≈ ${expected}`);
    near(one.median_first_response_ms, 16 * HOUR);
    near(one.median_resolution_ms, 27.5 * HOUR);
    assert.deepEqual([two.opened, two.responded, two.resolved], [1, 1, 0]);
    near(two.median_first_response_ms, 4 * HOUR);
    assert.equal(report.json.total.opened, 4);
    near(report.json.total.median_first_response_ms, 4 * HOUR);
  });
});

describe("parcels stuck without news", () => {
  test("the hourly trigger opens a case per parcel silent past the shop's days, once per silence", async () => {
    const start = Date.now();
    const order = await newOrder({ events: [{ shipment: "s1", status: "in_transit", time: start - HOUR }] });
    const hour = Math.ceil((start + 6 * DAY) / HOUR) * HOUR;
    await edge.scheduled(hour + HOUR);
    assert.equal((await casesOf(order.id)).length, 0, "the every-minute trigger does not look");
    await edge.scheduled(hour + HOUR, HOURLY);
    let [stuck, ...more] = await casesOf(order.id);
    assert.equal(more.length, 0);
    assert.equal(stuck.cause, "shipment");
    const view = await getCase(stuck.id);
    assert.deepEqual(
      [view.history[0].detail.status, view.history[0].detail.last_activity_at, view.history[0].detail.days],
      ["stuck", start - HOUR, 5],
    );
    await edge.scheduled(hour + 2 * HOUR, HOURLY);
    [stuck] = await casesOf(order.id);
    assert.equal(stuck.signals, 1, "the same silence is one signal");
    // News, then a new silence: a second signal joins the open case.
    const news = await admin("POST", `orders/${order.id}/events`, { events: [{ shipment: "s1", status: "in_transit", time: hour + 2 * HOUR }] },
      { headers: { [SHIFT]: String(hour + 2 * HOUR - Date.now()) } });
    assert.equal(news.status, 200, news.text);
    await edge.scheduled(hour + 3 * HOUR, HOURLY);
    assert.equal((await casesOf(order.id))[0].signals, 1, "news within the days");
    await edge.scheduled(hour + 2 * HOUR + 6 * DAY, HOURLY);
    assert.equal((await casesOf(order.id))[0].signals, 2);
    const quiet = await newOrder({ events: [{ shipment: "s1", status: "in_transit", time: start - HOUR }] });
    assert.equal((await admin("PUT", "cases/settings", { stuck_after_days: 30 })).status, 200);
    await edge.scheduled(hour + 3 * DAY, HOURLY);
    assert.equal((await casesOf(quiet.id)).length, 0, "the shop's own days");
    await admin("PUT", "cases/settings", {});
  });
});

// The post-delivery survey over HTTP against the real worker: survey tokens, one response per
// order, partial then complete answers, idempotent and late retries, recontact rules, the shop's
// settings, the satisfaction report against a recount from the raw rows, the CSV export, hostile
// input, and the webhook events (survey.detractor, survey.completed, review.held,
// review.low_rating) signed for a receiver on 127.0.0.1.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createHmac, randomUUID } from "node:crypto";
import { Edge, TEST_API_KEY, TEST_TOKEN_SECRET, adminCall, newClient, postFeedback, postReview, review, signToken } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const DAY = 24 * 3600 * 1000;
const SHIFT = "X-Memnun-Clock-Shift-Ms";
let edge;
let receiver;
let webhookSecret;
const received = [];

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const set = await admin("PUT", "webhook", { url: `http://127.0.0.1:${receiver.address().port}/hooks` });
  assert.equal(set.status, 200, set.text);
  webhookSecret = set.json.secret;
});
after(async () => {
  await edge?.cleanup();
  await new Promise((r) => receiver?.close(r));
});

const admin = (method, path, body, options = {}) => adminCall(edge, method, path, { body, ...options });

async function call(path, body, { key, client = newClient(), origin = ORIGIN, shift, method = "POST" } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/survey/${path}`, {
    method,
    headers: {
      "Content-Type": "application/json",
      "CF-Connecting-IP": client,
      ...(origin ? { Origin: origin } : {}),
      ...(key ? { "Idempotency-Key": key } : {}),
      ...(shift ? { [SHIFT]: String(shift) } : {}),
    },
    body: method === "POST" ? (typeof body === "string" ? body : JSON.stringify(body)) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}
const open = (token, extra = {}, options = {}) => call("open", { token, locale: "en", ...extra }, options);
const save = (token, seq, answers, extra = {}, options = {}) =>
  call("answers", { token, seq, answers, locale: "en", ...extra }, { key: randomUUID(), ...options });

let orders = 0;
/** An order (delivered unless told), and its survey token as the links API gives it. */
async function newOrder({ email, delivered = true, shift = 0 } = {}) {
  orders += 1;
  const id = `S-${orders}`;
  const headers = shift ? { [SHIFT]: String(shift) } : {};
  let r = await admin("PUT", `orders/${id}`, {
    number: String(5000 + orders),
    email: email ?? `shopper${orders}@example.com`,
    placed_at: "2026-11-01T10:00:00Z",
    items: [{ product: "kahve-fincani-01", quantity: 1 }],
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo" }],
  }, { headers });
  assert.equal(r.status, 200, r.text);
  if (delivered) {
    r = await admin("POST", `orders/${id}/events`, { events: [{ shipment: "s1", status: "delivered", time: Date.now() + shift }] }, { headers });
    assert.equal(r.status, 200, r.text);
  }
  r = await admin("POST", `orders/${id}/links`, undefined, { headers });
  assert.equal(r.status, 201, r.text);
  return { id, number: String(5000 + orders), token: r.json.survey.token };
}

const row = async (order) => (await edge.query("SELECT * FROM survey_responses WHERE order_id = ?1", order))[0];
const outbox = async (type) => edge.query("SELECT event_key, payload FROM webhook_outbox WHERE event_type = ?1 ORDER BY created_at", type);

describe("opening a survey", () => {
  test("needs the order's survey token: a missing, forged, expired, other-purpose or other-shop token is a 422 on token", async () => {
    const { id, token } = await newOrder();
    const now = Math.floor(Date.now() / 1000);
    const claims = { purpose: "survey", shop: "test-shop", order: id, exp: now + 3600, kid: "s1" };
    const cases = {
      missing: undefined,
      forged: signToken(claims, "not-the-secret"),
      expired: signToken({ ...claims, exp: now - 10 }, TEST_TOKEN_SECRET),
      tracking: signToken({ ...claims, purpose: "track" }, TEST_TOKEN_SECRET),
      "other shop": signToken({ ...claims, shop: "other-shop" }, TEST_TOKEN_SECRET),
      altered: token.slice(0, -2) + (token.endsWith("A") ? "BB" : "AA"),
    };
    for (const [what, bad] of Object.entries(cases)) {
      const r = await open(bad);
      assert.equal(r.status, 422, `${what}: ${r.text}`);
      assert.equal(r.json.error.code, "validation_failed");
      assert.ok(r.json.error.fields.token, what);
    }
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM survey_responses WHERE order_id = ?1", id))[0].n, 0, "nothing stored");
    const good = await open(token);
    assert.equal(good.status, 200, good.text);
    assert.equal(good.json.state, "open");
    assert.deepEqual(good.json.questions, ["nps", "follow_up", "csat", "ces", "comment"]);
    assert.equal(good.json.seq, 0);
  });

  test("only from the shop's own pages, by POST", async () => {
    const { token } = await newOrder();
    assert.equal((await open(token, {}, { origin: "https://evil.example" })).status, 403);
    assert.equal((await open(token, {}, { origin: null })).status, 403);
    const get = await call("open", null, { method: "GET" });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST, OPTIONS");
  });

  test("before delivery the survey is not open, and answers are refused with nothing stored", async () => {
    const { id, token } = await newOrder({ delivered: false });
    const r = await open(token);
    assert.equal(r.status, 200);
    assert.equal(r.json.state, "not_delivered");
    const saved = await save(token, 1, { nps: 9 });
    assert.equal(saved.status, 409, saved.text);
    assert.match(saved.json.error.message, /not been delivered/);
    assert.equal(await row(id), undefined);
  });
});

describe("answering", () => {
  test("partial answers are kept and resume on another device; the finished survey is closed", async () => {
    const { id, number, token } = await newOrder();
    assert.equal((await open(token)).json.state, "open");
    const first = await save(token, 1, { nps: 3 });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.state, "open");
    let stored = await row(id);
    assert.equal(stored.nps, 3);
    assert.ok(stored.answered_at > 0, "a partial answer is a response");
    assert.equal(stored.completed_at, null);

    // Another device, another client: it picks up where the first stopped.
    const resumed = await open(token, { locale: "tr" }, { client: newClient() });
    assert.equal(resumed.json.order_number, number);
    assert.equal(resumed.json.seq, 1);
    assert.deepEqual(resumed.json.answers, { nps: 3, reasons: [], follow_up: null, csat: null, ces: null, comment: null });

    const answers = { nps: 3, reasons: ["delivery_time", "packaging"], follow_up: "Kargo çok geç geldi, KUTU ezikti" };
    assert.equal((await save(token, 2, answers)).status, 200);
    assert.equal((await save(token, 3, { ...answers, csat: 2 })).status, 200);
    assert.equal((await save(token, 4, { ...answers, csat: 2, ces: 3 })).status, 200);
    const done = await save(token, 5, { ...answers, csat: 2, ces: 3, comment: "Fiyatı da pahalı." }, { complete: true });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.state, "completed");
    stored = await row(id);
    assert.equal(stored.seq, 5);
    assert.deepEqual(JSON.parse(stored.reasons), ["delivery_time", "packaging"]);
    assert.deepEqual(JSON.parse(stored.topics), ["delivery", "packaging", "price"], "topics from the follow-up and the comment, Turkish suffixes and capitals included");
    assert.ok(stored.completed_at > 0);

    assert.equal((await open(token)).json.state, "completed", "not shown again once answered");
    const after = await save(token, 6, { nps: 10 }, { complete: true });
    assert.equal(after.status, 200);
    assert.equal(after.json.state, "completed");
    assert.equal((await row(id)).nps, 3, "a finished survey never changes");
  });

  test("a retry with the same key is answered once; the key with another body is a 409", async () => {
    const { id, token } = await newOrder();
    const key = randomUUID();
    const body = { token, seq: 1, answers: { nps: 8 } };
    const a = await call("answers", body, { key });
    const b = await call("answers", body, { key });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(b.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(b.json, a.json);
    const other = await call("answers", { ...body, answers: { nps: 2 } }, { key });
    assert.equal(other.status, 409);
    assert.equal(other.json.error.code, "idempotency_conflict");
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM survey_responses WHERE order_id = ?1", id))[0].n, 1);
    assert.equal((await row(id)).nps, 8);
  });

  test("an older save arriving late (an offline queue) never overwrites a newer one, and raises no event", async () => {
    const { id, token } = await newOrder();
    assert.equal((await save(token, 2, { nps: 9, csat: 5 })).status, 200);
    const late = await save(token, 1, { nps: 2 });
    assert.equal(late.status, 200);
    assert.equal(late.json.answers.nps, 9, "the answer says what is stored");
    assert.equal((await row(id)).nps, 9);
    const detractors = await outbox("survey.detractor");
    assert.ok(!detractors.some((e) => e.event_key === `survey.detractor:${id}`));
  });

  test("no thanks: the survey is dismissed, not shown again, and not a response", async () => {
    const { id, token } = await newOrder();
    const r = await save(token, 1, {}, { dismissed: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, "dismissed");
    const stored = await row(id);
    assert.ok(stored.dismissed_at > 0);
    assert.equal(stored.answered_at, null);
    assert.equal((await open(token)).json.state, "dismissed");
    assert.equal((await save(token, 2, { nps: 10 })).json.state, "dismissed");
    assert.equal((await row(id)).nps, null);
  });

  test("no thanks after some answers keeps them, and raises no event", async () => {
    const { id, token } = await newOrder();
    assert.equal((await save(token, 1, { nps: 8, csat: 4 })).status, 200);
    const both = await save(token, 2, { nps: 1 }, { complete: true, dismissed: true });
    assert.equal(both.status, 422);
    assert.ok(both.json.error.fields.dismissed);
    const r = await save(token, 2, { nps: 1 }, { dismissed: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, "dismissed");
    assert.equal(r.json.answers.nps, 8, "a dismissal's own answers are not read");
    const stored = await row(id);
    assert.deepEqual([stored.nps, stored.csat], [8, 4]);
    assert.ok(stored.dismissed_at > 0 && stored.answered_at > 0, "still a (partial) response");
    assert.equal((await outbox("survey.detractor")).filter((e) => e.event_key === `survey.detractor:${id}`).length, 0);
  });

  test("saves racing with one seq: one is stored, and an event follows only the stored one", async () => {
    for (let i = 0; i < 6; i++) {
      const { id, token } = await newOrder();
      const [a, b] = await Promise.all([save(token, 1, { nps: 2 }), save(token, 1, { nps: 9 }, { complete: true })]);
      assert.equal(a.status, 200, a.text);
      assert.equal(b.status, 200, b.text);
      const stored = await row(id);
      const events = await edge.query(
        "SELECT event_type, payload FROM webhook_outbox WHERE event_key IN (?1, ?2) ORDER BY event_type",
        `survey.completed:${id}`, `survey.detractor:${id}`);
      assert.deepEqual(events.map((e) => e.event_type), stored.nps === 2 ? ["survey.detractor"] : ["survey.completed"], `stored ${stored.nps}`);
      assert.equal(JSON.parse(events[0].payload).data.answers.nps, stored.nps);
    }
  });

  test("hostile input is a clear 4xx and stores nothing", async () => {
    const { id, token } = await newOrder();
    const cases = [
      [{ token, seq: 1, answers: { nps: 11 } }, 422, "answers.nps"],
      [{ token, seq: 1, answers: { nps: -1 } }, 422, "answers.nps"],
      [{ token, seq: 1, answers: { csat: 0, ces: 8 } }, 422, "answers.csat"],
      [{ token, seq: 1, answers: { nps: "ten" } }, 400, null],
      [{ token, seq: 1, answers: { nps: 3.5 } }, 400, null],
      [{ token, seq: 1, answers: { nps: 1e308 } }, 400, null],
      [{ token, seq: 1, answers: { nps: 3, reasons: ["'; DROP TABLE survey_responses; --"] } }, 422, "answers.reasons"],
      [{ token, seq: 1, answers: { reasons: ["price"] } }, 422, "answers.nps"],
      [{ token, seq: 1, answers: { comment: "x".repeat(2001) } }, 422, "answers.comment"],
      [{ token, seq: 1, answers: { comment: "nul\u0000byte" } }, 422, "answers.comment"],
      [{ token, seq: 1, answers: { follow_up: "evil\u202Etxt.exe" } }, 422, "answers.follow_up"],
      [{ token, seq: 0, answers: { nps: 5 } }, 422, "seq"],
      [{ token, seq: 1e6, answers: { nps: 5 } }, 422, "seq"],
      [{ token, answers: { nps: 5 } }, 422, "seq"],
      [{ seq: 1, answers: { nps: 5 } }, 422, "token"],
      [{ token, seq: 1, complete: true }, 422, "answers"],
      [{ token, seq: 1, answers: { nps: 5 }, locale: "xx" }, 422, "locale"],
      [{ token: "../../admin", seq: 1, answers: { nps: 5 } }, 422, "token"],
      [{ token, seq: 1, answers: {} }, 422, "answers"],
      [{ token, seq: 1, answers: [] }, 422, "answers"],
      ["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 400, null],
      ["not json", 400, null],
      [JSON.stringify({ token, seq: 1, answers: { comment: "x".repeat(20_000) } }), 413, null],
    ];
    for (const [body, status, field] of cases) {
      const r = await call("answers", body, { key: randomUUID() });
      const what = typeof body === "string" ? body.slice(0, 40) : JSON.stringify(body).slice(0, 120);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.ok(r.json?.error?.message, `a JSON error for ${what}`);
      if (field) assert.ok(r.json.error.fields[field], `${field} named for ${what}: ${r.text}`);
    }
    const noKey = await call("answers", { token, seq: 1, answers: { nps: 5 } });
    assert.equal(noKey.status, 400);
    assert.match(noKey.json.error.message, /Idempotency-Key/);
    assert.equal(await row(id), undefined, "nothing stored");

    // Markup is text: stored and given back as typed, never interpreted.
    const markup = "<img src=x onerror=alert(1)> & <script>alert(1)</script>";
    const ok = await save(token, 1, { nps: 6, comment: markup });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.answers.comment, markup);
    assert.match(ok.headers.get("content-type"), /^application\/json/);
  });
});

describe("recontact rules", () => {
  test("a shopper asked about one order is not asked about another within the cooldown", async () => {
    const email = "cooldown@example.com";
    const first = await newOrder({ email });
    const second = await newOrder({ email: "COOLDOWN@example.com" });
    assert.equal((await open(first.token)).json.state, "open");
    const r = await open(second.token);
    assert.equal(r.json.state, "cooldown");
    const refused = await save(second.token, 1, { nps: 10 });
    assert.equal(refused.status, 409);
    assert.equal(await row(second.id), undefined);
    assert.equal((await open(first.token)).json.state, "open", "the first order's own survey stays open");

    assert.equal((await open(second.token, {}, { shift: 89 * DAY })).json.state, "cooldown");
    // The order's own link expires after 90 days: the shop mints a longer one.
    const minted = await admin("POST", "tokens", { purpose: "survey", order: second.id, ttl_days: 365 });
    assert.equal(minted.status, 201, minted.text);
    const later = await open(minted.json.token, {}, { shift: 91 * DAY });
    assert.equal(later.json.state, "open", "after the default 90 days they may be asked again");
  });

  test("the cooldown is the shop's to set", async () => {
    const email = "often@example.com";
    const first = await newOrder({ email });
    const second = await newOrder({ email });
    await open(first.token);
    assert.equal((await open(second.token)).json.state, "cooldown");
    assert.equal((await admin("PUT", "survey", { cooldown_days: 0 })).status, 200);
    try {
      assert.equal((await open(second.token)).json.state, "open");
    } finally {
      await admin("PUT", "survey", { cooldown_days: 90 });
    }
  });
});

describe("the shop's survey settings", () => {
  test("default to every question and 90 days; changes are checked and shown to shoppers", async () => {
    const defaults = await admin("GET", "survey");
    assert.equal(defaults.status, 200);
    assert.equal(defaults.json.cooldown_days, 90);
    assert.deepEqual(defaults.json.questions, { nps: true, follow_up: true, csat: true, ces: true, comment: true });

    const bad = await admin("PUT", "survey", {
      cooldown_days: 400,
      texts: { de: { nps: "Wie?" } },
      topics: { "Bad Name!": ["beden"] },
    });
    assert.equal(bad.status, 422, bad.text);
    for (const field of ["cooldown_days", "texts", "topics"]) assert.ok(bad.json.error.fields[field], field);
    assert.equal((await admin("PUT", "survey", { texts: { tr: { nps: "x\u0000" } } })).status, 422);
    assert.equal((await admin("PUT", "survey", { questions: { nps: false, csat: false, ces: false, comment: false } })).status, 422);
    assert.equal((await admin("PUT", "survey", "[1,2")).status, 400);
    assert.equal((await admin("PUT", "survey", {}, { key: "mk_wrong" })).status, 401);
    assert.deepEqual((await admin("GET", "survey")).json, defaults.json, "nothing changed");

    const set = await admin("PUT", "survey", {
      questions: { ces: false },
      texts: { tr: { nps: "Bizi önerir misiniz?", thanks: "Sağ olun!" } },
      topics: { size: ["beden", "size"] },
    });
    assert.equal(set.status, 200, set.text);
    try {
      const { id, token } = await newOrder();
      const tr = await open(token, { locale: "tr" });
      assert.deepEqual(tr.json.questions, ["nps", "follow_up", "csat", "comment"]);
      assert.deepEqual(tr.json.texts, { nps: "Bizi önerir misiniz?", thanks: "Sağ olun!" });
      assert.deepEqual((await open(token, { locale: "en" })).json.texts, {}, "English keeps the built-in wording");
      await save(token, 1, { nps: 7, follow_up: "Bedeni küçük geldi" });
      assert.deepEqual(JSON.parse((await row(id)).topics), ["size"], "the shop's own topic rule");
    } finally {
      await admin("PUT", "survey", { questions: { ces: true }, texts: {}, topics: {} });
    }
  });
});

/** Runs the scheduled handler until every queued event has gone out (it sends 25 a run). */
async function deliverAll(time) {
  for (let run = 0; run < 20; run++) {
    await edge.scheduled(time);
    const [{ n }] = await edge.query("SELECT COUNT(*) AS n FROM webhook_outbox WHERE delivered_at IS NULL AND failed_at IS NULL");
    if (n === 0) return;
  }
  throw new Error("webhook deliveries did not drain");
}

describe("webhooks", () => {
  const verify = (delivery) => {
    const [, t, v1] = delivery.headers["memnun-signature"].match(/^t=(\d+),v1=([0-9a-f]{64})(?:,v1=[0-9a-f]{64})?$/);
    assert.equal(v1, createHmac("sha256", webhookSecret).update(`${t}.${delivery.body}`).digest("hex"), "signed with the shop's secret");
    return JSON.parse(delivery.body);
  };

  test("a detractor is sent at once, and every finished survey once, signed", async () => {
    const unhappy = await newOrder();
    const happy = await newOrder();
    await save(unhappy.token, 1, { nps: 2 });
    await save(unhappy.token, 2, { nps: 2, reasons: ["product_quality"], follow_up: "Kırık geldi" });
    await save(happy.token, 1, { nps: 10 });
    await save(happy.token, 2, { nps: 10, csat: 5 }, { complete: true });
    const before = received.length;
    await deliverAll(Date.now() + 1000);
    const events = received.slice(before).map(verify);
    const about = (order, type) => events.filter((e) => e.type === type && e.data.order === order);
    assert.equal(about(unhappy.id, "survey.detractor").length, 1, "queued once though two saves were detractor answers");
    const detractor = about(unhappy.id, "survey.detractor")[0];
    assert.equal(detractor.data.group, "detractor");
    assert.equal(detractor.data.number, unhappy.number);
    assert.equal(detractor.data.answers.nps, 2);
    assert.equal(about(unhappy.id, "survey.completed").length, 0, "not finished yet");
    assert.equal(about(happy.id, "survey.completed").length, 1);
    assert.equal(about(happy.id, "survey.detractor").length, 0);
    assert.equal(about(happy.id, "survey.completed")[0].data.answers.csat, 5);
    for (const e of events) assert.ok(!JSON.stringify(e).includes("@example.com"), "no email in an event");

    await save(unhappy.token, 3, { nps: 2, csat: 1 }, { complete: true });
    await deliverAll(Date.now() + 2000);
    const more = received.slice(before).map((d) => JSON.parse(d.body));
    assert.equal(more.filter((e) => e.type === "survey.completed" && e.data.order === unhappy.id).length, 1);
    assert.equal(more.filter((e) => e.type === "survey.detractor" && e.data.order === unhappy.id).length, 1, "still once");
  });

  test("a review held by shoppers' reports reaches the merchant each time it is held", async () => {
    assert.equal((await admin("PUT", "moderation", { report_threshold: 2 })).status, 200);
    try {
      const posted = await postReview(edge, review({ product: "reported-1" }), { origin: ORIGIN });
      assert.equal(posted.status, 201, posted.text);
      const id = posted.json.review.id;
      const report = () => postFeedback(edge, id, "reports", { reporter: randomUUID(), reason: "spam" }, { origin: ORIGIN });
      const heldEvents = async () => (await outbox("review.held")).map((e) => JSON.parse(e.payload).data).filter((d) => d.review.id === id);
      assert.equal((await report()).status, 202);
      assert.equal((await heldEvents()).length, 0, "one report is not enough");
      assert.equal((await report()).status, 202);
      const first = await heldEvents();
      assert.equal(first.length, 1, "held at the threshold, and told");
      assert.equal((await report()).status, 404, "a held review is out of public reach");
      assert.equal(first[0].hold_reason, "reported");
      assert.equal((await admin("POST", `reviews/${id}/approve`)).status, 200);
      // The approval cleared the reports: the threshold counts from there.
      assert.equal((await report()).status, 202);
      assert.equal((await heldEvents()).length, 1, "one new report is not enough");
      assert.equal((await report()).status, 202);
      assert.equal((await heldEvents()).length, 2, "held again after approval: told again");
    } finally {
      await admin("PUT", "moderation", { report_threshold: 3 });
    }
  });

  test("a held review and a low rating reach the merchant too", async () => {
    await admin("PUT", "moderation", { mode: "hold_all" });
    try {
      const held = await postReview(edge, review({ rating: 5 }), { origin: ORIGIN });
      assert.equal(held.status, 201, held.text);
      const low = await postReview(edge, review({ rating: 1 }), { origin: ORIGIN });
      assert.equal(low.status, 201, low.text);
      const heldEvents = (await outbox("review.held")).map((e) => JSON.parse(e.payload).data);
      assert.ok(heldEvents.some((d) => d.review.id === held.json.review.id && d.hold_reason === "hold_all"), JSON.stringify(heldEvents));
      const lowEvents = (await outbox("review.low_rating")).map((e) => JSON.parse(e.payload).data);
      assert.deepEqual(lowEvents.map((d) => d.review.id), [low.json.review.id]);
      assert.ok(!JSON.stringify(lowEvents).includes("@"), "no email");
    } finally {
      await admin("PUT", "moderation", { mode: "publish" });
    }
  });
});

describe("the satisfaction report", () => {
  /** The report's numbers recounted in JavaScript from the raw rows, independently of the edge. */
  async function recount(from, to) {
    const delivered = await edge.query("SELECT id, delivered_at FROM orders WHERE shop_id = 'test-shop' AND delivered_at >= ?1 AND delivered_at < ?2", from, to);
    const responses = await edge.query(
      "SELECT r.*, o.delivered_at FROM survey_responses r JOIN orders o ON o.shop_id = r.shop_id AND o.id = r.order_id " +
        "WHERE r.shop_id = 'test-shop' AND o.delivered_at >= ?1 AND o.delivered_at < ?2 AND r.answered_at IS NOT NULL", from, to);
    const share = (part, whole) => (whole ? Math.floor((2000 * part + whole) / (2 * whole)) : null);
    const figures = (rows, orders) => {
      const nps = rows.filter((r) => r.nps !== null);
      const promoters = nps.filter((r) => r.nps >= 9).length;
      const detractors = nps.filter((r) => r.nps <= 6).length;
      const csat = rows.filter((r) => r.csat !== null);
      const ces = rows.filter((r) => r.ces !== null);
      const cesSum = ces.reduce((s, r) => s + r.ces, 0);
      const reasons = { detractor: {}, passive: {}, promoter: {} };
      const topics = {};
      for (const r of rows) {
        const group = r.nps === null ? null : r.nps <= 6 ? "detractor" : r.nps <= 8 ? "passive" : "promoter";
        if (group) for (const x of JSON.parse(r.reasons)) reasons[group][x] = (reasons[group][x] ?? 0) + 1;
        for (const t of JSON.parse(r.topics)) topics[t] = (topics[t] ?? 0) + 1;
      }
      return {
        delivered_orders: orders,
        responses: rows.length,
        completed: rows.filter((r) => r.completed_at !== null).length,
        response_rate_tenths: share(rows.length, orders),
        completion_rate_tenths: share(rows.filter((r) => r.completed_at !== null).length, orders),
        nps: {
          responses: nps.length, promoters, passives: nps.length - promoters - detractors, detractors,
          score_tenths: nps.length ? share(promoters, nps.length) - share(detractors, nps.length) : null,
        },
        csat: { responses: csat.length, satisfied: csat.filter((r) => r.csat >= 4).length, percent_tenths: share(csat.filter((r) => r.csat >= 4).length, csat.length) },
        ces: {
          responses: ces.length,
          mean_hundredths: ces.length ? Math.floor((200 * cesSum + ces.length) / (2 * ces.length)) : null,
          easy_percent_tenths: share(ces.filter((r) => r.ces >= 5).length, ces.length),
        },
        reasons,
        topics,
      };
    };
    const week = (ms) => Math.floor((ms + 3 * DAY) / (7 * DAY));
    const weeks = [];
    for (let w = week(from); w <= week(to - 1); w++) {
      const inWeek = (r) => week(r.delivered_at) === w;
      weeks.push(figures(responses.filter(inWeek), delivered.filter(inWeek).length));
    }
    return { totals: figures(responses, delivered.length), weeks };
  }

  test("the report equals a recount from the raw rows, in total and per week", async () => {
    const answersOf = [
      [{ nps: 10, csat: 5, ces: 7, reasons: ["delivery_time"] }, true],
      [{ nps: 9, csat: 4, ces: 6, comment: "Paketleme çok özenliydi" }, true],
      [{ nps: 7, csat: 3, ces: 5, reasons: ["price"] }, false],
      [{ nps: 0, csat: 1, ces: 1, reasons: ["delivery_time", "customer_service"], follow_up: "Kargo gecikti, müşteri hizmetleri dönmedi" }, true],
      [{ nps: 6 }, false],
      null, // delivered, never answered
    ];
    for (const weekShift of [0, 7, 14]) {
      for (const entry of answersOf) {
        const { token } = await newOrder({ shift: weekShift * DAY });
        if (!entry) continue;
        const [answers, complete] = entry;
        const r = await save(token, 1, answers, { complete }, { shift: weekShift * DAY });
        assert.equal(r.status, 200, r.text);
      }
    }
    const today = new Date().toISOString().slice(0, 10);
    const from = Date.parse(today);
    const to = from + 21 * DAY;
    const until = new Date(to - DAY).toISOString().slice(0, 10);
    const report = await admin("GET", `reports/satisfaction?from=${today}&to=${until}&interval=week`);
    assert.equal(report.status, 200, report.text);
    assert.equal(report.headers.get("cache-control"), "no-store");
    const expected = await recount(from, to);
    const { start, end, ...firstWeek } = report.json.periods[0];
    assert.equal(start, new Date(from).toISOString());
    assert.deepEqual(report.json.totals, expected.totals);
    assert.equal(report.json.periods.length, expected.weeks.length);
    report.json.periods.forEach(({ start, end, ...figures }, i) => assert.deepEqual(figures, expected.weeks[i], `week ${i + 1}`));
    assert.ok(report.json.totals.delivered_orders >= 18);
    assert.ok(report.json.totals.nps.detractors >= 6 && report.json.totals.nps.promoters >= 6);
    assert.ok(report.json.totals.reasons.detractor.delivery_time >= 3);
    assert.ok(report.json.totals.topics.delivery >= 3);
    assert.ok(firstWeek.responses > 0);
  });

  test("its parameters are checked", async () => {
    for (const query of ["from=yesterday", "interval=month", "from=2026-11-23&to=2026-11-01", "from=2020-01-01&to=2026-01-01"]) {
      const r = await admin("GET", `reports/satisfaction?${query}`);
      assert.equal(r.status, 400, `${query}: ${r.text}`);
      assert.equal(r.json.error.code, "invalid_parameter");
    }
    const defaults = await admin("GET", "reports/satisfaction");
    assert.equal(defaults.status, 200);
    assert.equal(defaults.json.interval, "week");
    assert.ok(defaults.json.periods.length >= 12 && defaults.json.periods.length <= 13);
    assert.equal((await admin("GET", "reports/satisfaction", undefined, { key: null })).status, 401);
  });
});

describe("the CSV export", () => {
  test("lists answered and dismissed responses, with formulas neutralised", async () => {
    const { id, token } = await newOrder();
    await save(token, 1, { nps: 4, comment: "=HYPERLINK(\"http://evil.example\",\"click\")" });
    const opened = await newOrder();
    await open(opened.token);
    const declined = await newOrder();
    assert.equal((await save(declined.token, 1, {}, { dismissed: true })).status, 200);
    const res = await fetch(`${edge.url}/v1/admin/survey/responses.csv`, { headers: { Authorization: `Bearer ${TEST_API_KEY}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/csv/);
    assert.match(res.headers.get("content-disposition"), /attachment; filename="test-shop-survey.csv"/);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "Excel reads Turkish letters with the byte-order mark");
    const lines = bytes.subarray(3).toString("utf8").split("\r\n");
    assert.equal(lines[0], "order,number,delivered_at,opened_at,completed_at,dismissed_at,locale,nps,nps_group,reasons,follow_up,csat,ces,comment,topics");
    const line = lines.find((l) => l.startsWith(`${id},`));
    assert.ok(line, "the answered response is there");
    assert.match(line, /,4,detractor,/);
    assert.ok(line.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), line);
    assert.ok(!lines.some((l) => l.startsWith(`${opened.id},`)), "an opened survey without answers is not a response");
    const dismissed = lines.find((l) => l.startsWith(`${declined.id},`));
    assert.ok(dismissed, "a declined survey is listed");
    assert.match(dismissed.split(",")[5], /^\d{4}-\d\d-\d\dT/, "with its dismissed_at");
  });
});

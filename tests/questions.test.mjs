// Questions and answers against the real worker under workerd with local D1: a shopper asks
// (the spam rules of reviews, nothing shown before the merchant answers), the merchant answers or
// rejects, answered questions are listed, searched (Turkish letters folded) and voted on, the
// review list carries the newest with its first page, the author who left an email hears of the
// answer through the shop's provider (the capture server speaks Resend's API), and an erasure
// takes a shopper's questions and votes. The test clock is the scheduled event's time.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, adminCall, getReviews, newClient } from "./support/harness.mjs";
import { EmailCapture } from "./support/email-capture.mjs";

const ORIGIN = "https://shop.example";
const PRODUCT = "cezve-04";
const MINUTE = 60 * 1000;
let edge;
let capture;

before(async () => {
  capture = await EmailCapture.start();
  edge = await Edge.start({ origins: [ORIGIN], vars: { EMAIL_API_BASE: capture.url } });
  assert.equal((await admin("PUT", "shop", { product_page: "https://shop.example/urun/{product}" })).status, 200);
  const catalog = await admin("PUT", "catalog", {
    items: [{ id: PRODUCT, name: { tr: "Bakır cezve", en: "Copper cezve" }, price_minor: 45000, currency: "TRY", url: "https://shop.example/urun/cezve-04", in_stock: true }],
  });
  assert.equal(catalog.status, 200, catalog.text);
});
after(async () => {
  await edge?.cleanup();
  await capture?.stop();
});

const admin = (method, path, body) => adminCall(edge, method, path, { body });

async function shopper(path, body, { key = randomUUID(), client = newClient(), origin = ORIGIN } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": key, "CF-Connecting-IP": client, Origin: origin },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text };
}

const question = (overrides = {}) => ({
  product: PRODUCT,
  body: `Indüksiyon ocakta çalışır mı? ${randomUUID().slice(0, 8)}`,
  author: "Ayşe",
  locale: "tr",
  fill_ms: 9000,
  ...overrides,
});
const ask = (body, options) => shopper("questions", body, options);
const answer = (id, body) => admin("PUT", `questions/${id}/answer`, { body });
const listed = async (query = "", product = PRODUCT) => {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/products/${product}/questions${query}`);
  return { status: res.status, json: await res.json() };
};
const rows = (sql, ...params) => edge.query(sql, ...params);

describe("asking", () => {
  test("a question waits for the merchant: not shown, listed in the queue with what the rules found", async () => {
    const asked = await ask(question({ email: "ayse@example.com" }));
    assert.equal(asked.status, 201, asked.text);
    assert.match(asked.json.id, /^q[0-9a-f]{24}$/);
    assert.equal(asked.json.status, "pending");
    assert.equal((await listed()).json.questions.find((q) => q.id === asked.json.id), undefined, "not shown before an answer");
    const queue = await admin("GET", "questions?status=pending");
    const mine = queue.json.questions.find((q) => q.id === asked.json.id);
    assert.equal(mine.notify, true);
    assert.equal(mine.hold_reason, null);
    assert.ok(!queue.text.includes("ayse@example.com"), "the address stays out of lists");

    const blocked = await ask(question({ body: "Bedava para kazanmak için tıklayın casino" }));
    assert.equal(blocked.status, 201, blocked.text);
    const twice = question();
    assert.equal((await ask(twice)).status, 201);
    const again = await ask({ ...twice, body: `  ${twice.body.toUpperCase()} ` });
    assert.equal(again.status, 201);
    const reasons = (await admin("GET", "questions?status=pending&limit=50")).json.questions;
    assert.equal(reasons.find((q) => q.id === blocked.json.id).hold_reason, "blocked_word");
    assert.equal(reasons.find((q) => q.id === again.json.id).hold_reason, "duplicate");
  });

  test("bad questions get field errors and bots an answer like a success; neither is stored", async () => {
    const before = (await rows("SELECT COUNT(*) AS n FROM questions"))[0].n;
    const bad = await ask({ product: PRODUCT, body: "", author: "x".repeat(51), email: "not-an-email", fill_ms: 9000 });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(Object.keys(bad.json.error.fields).sort(), ["author", "body", "email"]);
    assert.equal((await ask(question({ website: "http://spam.example" }))).status, 202);
    assert.equal((await ask(question({ fill_ms: 400 }))).status, 202);
    assert.equal((await ask("{not json")).status, 400);
    assert.equal((await ask(question(), { origin: "https://evil.example" })).status, 403);
    assert.equal((await rows("SELECT COUNT(*) AS n FROM questions"))[0].n, before);
  });

  test("a retry with the same key stores the question once", async () => {
    const key = randomUUID();
    const body = question();
    const first = await ask(body, { key });
    const second = await ask(body, { key });
    assert.equal(first.status, 201);
    assert.deepEqual(second.json, first.json);
    assert.equal((await rows("SELECT COUNT(*) AS n FROM questions WHERE id = ?1", first.json.id))[0].n, 1);
  });
});

describe("answers", () => {
  const product = "kahve-degirmeni";
  test("answering shows a question; the list is searched and paged, and the review list carries the newest", async () => {
    const texts = [
      ["Kılıfı var mı?", "Evet, KETEN bir kılıfla gelir."],
      ["Bulaşık makinesine girer mi?", "Hayır, elde yıkayın."],
      ["Is the handle wooden?", "Yes, olive wood."],
      ["İNCE öğütür mü?", "Türk kahvesi inceliğinde öğütür."],
      ["Garanti süresi nedir?", "İki yıl."],
    ];
    const ids = [];
    for (const [body] of texts) {
      const asked = await ask(question({ product, body }));
      assert.equal(asked.status, 201, asked.text);
      ids.push(asked.json.id);
    }
    for (const [i, [, words]] of texts.entries()) {
      const answered = await answer(ids[i], words);
      assert.equal(answered.status, 200, answered.text);
      assert.equal(answered.json.status, "published");
      assert.equal(answered.json.answer.body, words);
    }
    const all = (await listed("", product)).json;
    assert.equal(all.count, 5);
    assert.deepEqual(all.questions.map((q) => q.id), [...ids].reverse(), "newest first");
    assert.equal(all.questions[0].answer.body, "İki yıl.");
    assert.ok(!JSON.stringify(all).includes("email"), "no address in public answers");

    // Turkish letters fold both ways, every word must be found, in the question or the answer.
    const search = async (q) => (await listed(`?q=${encodeURIComponent(q)}`, product)).json;
    assert.deepEqual((await search("kilif")).questions.map((q) => q.id), [ids[0]]);
    assert.deepEqual((await search("KILIF keten")).questions.map((q) => q.id), [ids[0]]);
    assert.deepEqual((await search("ince")).questions.map((q) => q.id), [ids[3]]);
    assert.equal((await search("kılıf bulaşık")).count, 0);
    assert.equal((await search("olive")).questions[0].id, ids[2]);
    assert.equal((await listed(`?q=${"a".repeat(101)}`, product)).status, 400);

    const first = (await listed("?limit=2", product)).json;
    assert.equal(first.questions.length, 2);
    const second = (await listed(`?limit=2&cursor=${first.next_cursor}`, product)).json;
    const third = (await listed(`?limit=2&cursor=${second.next_cursor}`, product)).json;
    assert.deepEqual([...first.questions, ...second.questions, ...third.questions].map((q) => q.id), [...ids].reverse());
    assert.equal(third.next_cursor, null);
    assert.equal((await listed("?cursor=1.r000000000000000000000000", product)).status, 400);

    const page = (await getReviews(edge, product)).json;
    assert.equal(page.questions.count, 5);
    assert.deepEqual(page.questions.questions.map((q) => q.id), [ids[4], ids[3], ids[2]]);
    assert.ok(page.questions.next_cursor, "more to read");
    const next = (await getReviews(edge, product, `?cursor=${encodeURIComponent("n0.1.r000000000000000000000000")}`)).json;
    assert.equal(next.questions, undefined, "only the first page carries them");

    // A changed answer is what shows, and what is searched.
    assert.equal((await answer(ids[1], "Hayır: bulaşık makinesi bakırı karartır.")).status, 200);
    assert.equal((await search("karartır")).questions[0].id, ids[1]);
    assert.equal((await search("elde")).count, 0);

    // Rejected: out of the list for good.
    const rejected = await admin("POST", `questions/${ids[4]}/reject`);
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.json.status, "rejected");
    assert.equal((await listed("", product)).json.count, 4);
    assert.equal((await answer(ids[4], "Yine de")).status, 409);
    assert.equal((await admin("POST", `questions/${ids[4]}/reject`)).status, 409);
    assert.equal((await answer("q000000000000000000000000", "Kimse")).status, 404);
    assert.equal((await answer("not-an-id", "Kimse")).status, 400);
    assert.equal((await answer(ids[0], "")).status, 422);
  });

  test("\"did this help\" counts distinct clients, once per browser, on answered questions only", async () => {
    const product = "fincan-seti";
    const asked = await ask(question({ product }));
    const waiting = await ask(question({ product }));
    await answer(asked.json.id, "Altı fincan.");
    const vote = (id, voter, client) => shopper(`questions/${id}/votes`, { voter }, { client });
    const voter = randomUUID();
    const client = newClient();
    assert.deepEqual((await vote(asked.json.id, voter, client)).json, { helpful: 1 });
    assert.deepEqual((await vote(asked.json.id, voter, client)).json, { helpful: 1 }, "the same browser again");
    assert.deepEqual((await vote(asked.json.id, randomUUID(), client)).json, { helpful: 1 }, "another browser id, the same client");
    assert.deepEqual((await vote(asked.json.id, randomUUID(), newClient())).json, { helpful: 2 });
    assert.equal((await vote(waiting.json.id, randomUUID(), newClient())).status, 404, "not before an answer");
    assert.equal((await vote(asked.json.id, "nope", newClient())).status, 422);
    assert.equal((await listed("", product)).json.questions[0].helpful, 2);
  });

  test("a shop that takes no questions refuses them, and its review list carries none", async (t) => {
    t.after(() => admin("PUT", "moderation", { take_questions: true }));
    assert.equal((await admin("PUT", "moderation", { take_questions: false })).json.take_questions, false);
    assert.equal((await ask(question())).status, 409);
    assert.equal((await getReviews(edge, PRODUCT)).json.questions, undefined);
    await admin("PUT", "moderation", { take_questions: true });
    assert.equal(typeof (await getReviews(edge, PRODUCT)).json.questions.count, "number");
  });
});

describe("the answer notice", () => {
  test("the author who left an email gets the first answer, escaped, as it stands when sent", async (t) => {
    t.after(() => admin("PUT", "outreach", { answer_notice: { on: true } }));
    const sending = await admin("PUT", "outreach", {
      sending: true, provider: "resend", api_key: "re_test_4f9c2a7b", sender: "Test <magaza@test.example>",
      quiet_hours: { start: 0, end: 0 }, cap_days: 0,
    });
    assert.equal(sending.status, 200, sending.text);
    capture.reset();
    const sentTo = (email) => capture.sent.filter((m) => m.to.includes(email));
    const messagesAbout = (id) => rows("SELECT * FROM outreach_messages WHERE question_id = ?1", id);

    const email = "soran@example.com";
    const asked = await ask(question({ email }));
    assert.equal((await answer(asked.json.id, "Evet.")).status, 200);
    const [planned] = await messagesAbout(asked.json.id);
    assert.equal(planned.kind, "answer_notice");
    assert.ok(!JSON.stringify(planned).includes(email), "the outbox holds no address");
    assert.equal((await answer(asked.json.id, "Evet, <b>her</b> ocakta!")).status, 200);
    assert.equal((await messagesAbout(asked.json.id)).length, 1, "planned once");
    await edge.scheduled(planned.due_at - MINUTE);
    assert.equal(sentTo(email).length, 0, "not before its time");
    await edge.scheduled(planned.due_at + MINUTE);
    const [mail] = sentTo(email);
    assert.ok(mail, "sent");
    assert.equal(mail.subject, "Test sorunuzu yanıtladı");
    assert.match(mail.text, /Evet, <b>her<\/b> ocakta!/);
    assert.ok(mail.html.includes("Evet, &lt;b&gt;her&lt;/b&gt; ocakta!"), "escaped");
    assert.match(mail.text, /https:\/\/shop\.example\/urun\/cezve-04/);
    assert.match(mail.text, /Bakır cezve/);

    // Rejected before it went: the notice goes with it.
    const rejected = await ask(question({ email: "reddedilen@example.com" }));
    await answer(rejected.json.id, "Yanlışlıkla");
    await admin("POST", `questions/${rejected.json.id}/reject`);
    assert.deepEqual(await messagesAbout(rejected.json.id), []);

    // Turned off: one planned before is skipped.
    const late = await ask(question({ email: "gec@example.com" }));
    await answer(late.json.id, "Evet");
    await admin("PUT", "outreach", { answer_notice: { on: false } });
    const [waiting] = await messagesAbout(late.json.id);
    await edge.scheduled(waiting.due_at + MINUTE);
    assert.equal((await messagesAbout(late.json.id))[0].outcome, "answer notices off");
    assert.equal(sentTo("gec@example.com").length, 0);

    // No email: nothing planned.
    const silent = await ask(question());
    await answer(silent.json.id, "Evet");
    assert.deepEqual(await messagesAbout(silent.json.id), []);
  });
});

test("a shopper's export lists their questions and votes on answers, and their erasure takes them", async () => {
  const product = "demlik";
  const email = "Silinecek.Soran@example.com";
  const voter = randomUUID();
  const theirs = await ask(question({ product, email }));
  const other = await ask(question({ product }));
  await answer(theirs.json.id, "Evet.");
  await answer(other.json.id, "Hayır.");
  assert.equal((await shopper(`questions/${other.json.id}/votes`, { voter })).status, 200);
  assert.equal((await shopper(`questions/${other.json.id}/votes`, { voter: randomUUID() })).status, 200);
  const exported = await admin("POST", "shoppers/export", { email: email.toLowerCase() });
  assert.equal(exported.status, 200, exported.text);
  assert.deepEqual(exported.json.questions.map((q) => q.id), [theirs.json.id]);
  assert.equal(exported.json.questions[0].answer, "Evet.");
  const byBrowser = await admin("POST", "shoppers/export", { browser: voter });
  assert.deepEqual(byBrowser.json.question_votes.map((v) => v.question), [other.json.id]);

  const retries = () => rows("SELECT COUNT(*) AS n FROM idempotency_keys WHERE subject = ?1", theirs.json.id);
  assert.equal((await retries())[0].n, 1, "the stored answer for retries names the question");
  const deleted = await admin("POST", "shoppers/delete", { email });
  assert.equal(deleted.json.questions, 1);
  assert.equal((await retries())[0].n, 0, "and goes with it");
  const votes = await admin("POST", "shoppers/delete", { browser: voter });
  assert.equal(votes.json.votes, 1);
  const left = (await listed("", product)).json;
  assert.deepEqual(left.questions.map((q) => q.id), [other.json.id]);
  assert.equal(left.questions[0].helpful, 1, "recounted without the erased vote");
  assert.equal((await admin("POST", "shoppers/delete", { email })).json.questions, 0, "again: nothing");
});

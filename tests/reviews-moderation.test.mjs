// The merchant's moderation over HTTP against the real worker: the shop's policy (publish, hold
// everything, hold low ratings, block list folded by the review's language), the queue, approve
// and reject, replies, the audit log, and the anti-spam checks that hold or drop a review.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { Edge, TEST_SHOP, postReview, getReviews, review, adminCall } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const DAY_MS = 24 * 60 * 60 * 1000;
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

const admin = (method, path, options) => adminCall(edge, method, path, options);
const setPolicy = async (policy) => {
  const r = await admin("PUT", "moderation", { body: policy });
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const summary = async (product) => (await getReviews(edge, product)).json.summary;
const listedIds = async (product) => (await getReviews(edge, product, "?limit=50")).json.reviews.map((r) => r.id);
const logOf = async (id) => (await admin("GET", `moderation-log?review=${id}`)).json.entries;

async function post(overrides, options = {}) {
  const r = await postReview(edge, review(overrides), { origin: ORIGIN, ...options });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

describe("moderation policy", () => {
  test("the default publishes at once and is readable", async () => {
    const policy = (await admin("GET", "moderation")).json;
    assert.equal(policy.mode, "publish");
    assert.equal(policy.use_default_block_list, true);
    assert.equal(policy.report_threshold, 3);
    const created = await post({ product: "default-policy" });
    assert.equal(created.status, "published");
    assert.deepEqual(await listedIds("default-policy"), [created.review.id]);
  });

  test("hold everything: the review waits in the queue, unlisted and uncounted, logged as held", async () => {
    await setPolicy({ mode: "hold_all" });
    try {
      const created = await post({ product: "held-all", rating: 5 });
      assert.equal(created.status, "pending");
      assert.deepEqual(await listedIds("held-all"), []);
      assert.equal((await summary("held-all")).count, 0);
      const queue = (await admin("GET", "reviews?status=pending&product=held-all")).json.reviews;
      assert.equal(queue.length, 1);
      assert.equal(queue[0].id, created.review.id);
      assert.equal(queue[0].hold_reason, "hold_all");
      assert.equal(queue[0].email, "ayse@example.com", "the merchant sees the email");
      const [line] = await logOf(created.review.id);
      assert.equal(line.action, "held");
      assert.equal(line.actor, "system");
      assert.equal(line.reason, "hold_all");
    } finally {
      await setPolicy({ mode: "publish" });
    }
  });

  test("hold low ratings: at or below N stars wait, above are published", async () => {
    await setPolicy({ mode: "hold_low", hold_at_or_below: 2 });
    try {
      assert.equal((await post({ product: "held-low", rating: 2 })).status, "pending");
      assert.equal((await post({ product: "held-low", rating: 1 })).status, "pending");
      assert.equal((await post({ product: "held-low", rating: 3 })).status, "published");
      const s = await summary("held-low");
      assert.deepEqual(s.histogram, [0, 0, 1, 0, 0]);
      const held = (await admin("GET", "reviews?status=pending&product=held-low")).json.reviews;
      assert.deepEqual(held.map((r) => r.hold_reason), ["low_rating", "low_rating"]);
    } finally {
      await setPolicy({ mode: "publish" });
    }
  });

  test("the block list is folded by the review's language: Turkish İ/ı, English i/I", async () => {
    await setPolicy({ block_list: ["kırmızı", "istanbul"], use_default_block_list: false });
    try {
      // Turkish folds I to ı: "KIRMIZI" is "kırmızı".
      assert.equal((await post({ product: "fold", locale: "tr", body: "Rengi KIRMIZI değil." })).status, "pending");
      // English folds I to i: "KIRMIZI" is "kirmizi", not the blocked word.
      assert.equal((await post({ product: "fold", locale: "en", body: "The colour is KIRMIZI." })).status, "published");
      // Turkish folds İ to i.
      assert.equal((await post({ product: "fold", locale: "tr", body: "İSTANBUL'a hızlı geldi." })).status, "pending");
      // Whole words only.
      assert.equal((await post({ product: "fold", locale: "tr", body: "İstanbullu satıcı." })).status, "published");
      const held = (await admin("GET", "reviews?status=pending&product=fold")).json.reviews;
      assert.deepEqual(held.map((r) => r.hold_reason), ["blocked_word", "blocked_word"]);
    } finally {
      await setPolicy({ block_list: [], use_default_block_list: true });
    }
  });

  test("the default Turkish and English lists hold spam unless the shop turns them off", async () => {
    assert.equal((await post({ product: "defaults", locale: "tr", body: "En iyi BAHİS sitesi burada." })).status, "pending");
    assert.equal((await post({ product: "defaults", locale: "en", body: "Cheap VIAGRA here." })).status, "pending");
    await setPolicy({ use_default_block_list: false });
    try {
      assert.equal((await post({ product: "defaults", locale: "tr", body: "Bahis sitesi değil, fincan." })).status, "published");
    } finally {
      await setPolicy({ use_default_block_list: true });
    }
  });

  test("bad policies are refused field by field and change nothing", async () => {
    const before = (await admin("GET", "moderation")).json;
    const r = await admin("PUT", "moderation", {
      body: { hold_at_or_below: 9, report_threshold: 0, block_list: ["ok", "", "x".repeat(61)], notice_tr: "a\u0000b" },
    });
    assert.equal(r.status, 422, r.text);
    for (const field of ["hold_at_or_below", "report_threshold", "block_list", "notice_tr"]) {
      assert.ok(r.json.error.fields[field], field);
    }
    assert.equal((await admin("PUT", "moderation", { body: { mode: "sometimes" } })).status, 400);
    assert.equal((await admin("PUT", "moderation", { body: "[]" })).status, 400);
    assert.deepEqual((await admin("GET", "moderation")).json, before);
  });

  test("the shop's note on how reviews are checked reaches the list in the shopper's language", async () => {
    await setPolicy({ notice_tr: "Yorumlar yayımlanmadan önce okunur.", notice_en: "" });
    try {
      assert.equal((await getReviews(edge, "any", "?locale=tr")).json.notice, "Yorumlar yayımlanmadan önce okunur.");
      assert.match((await getReviews(edge, "any", "?locale=en")).json.notice, /^Reviews are written by shoppers with this form\./, "empty: memnun's own words");
      assert.equal((await getReviews(edge, "any", "?locale=de")).status, 400);
    } finally {
      await setPolicy({ notice_tr: "" });
    }
  });
});

describe("the queue: approve, reject, and the audit log", () => {
  test("approving publishes, counts it, and logs who; approving twice is a 409 and logs nothing", async () => {
    await setPolicy({ mode: "hold_all" });
    const created = await post({ product: "approve-me", rating: 4 });
    await setPolicy({ mode: "publish" });
    const id = created.review.id;
    const r = await admin("POST", `reviews/${id}/approve`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, "published");
    assert.deepEqual(await listedIds("approve-me"), [id]);
    assert.deepEqual((await summary("approve-me")).histogram, [0, 0, 0, 1, 0]);
    const again = await admin("POST", `reviews/${id}/approve`);
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, "conflict");
    const log = await logOf(id);
    assert.deepEqual(log.map((l) => [l.action, l.actor]), [["approved", "tests"], ["held", "system"]]);
    assert.ok(log[0].created_at >= log[1].created_at);
  });

  test("rejecting needs a reason, hides a published review, uncounts it, and logs why", async () => {
    const created = await post({ product: "reject-me", rating: 1 });
    const id = created.review.id;
    const noReason = await admin("POST", `reviews/${id}/reject`, { body: {} });
    assert.equal(noReason.status, 422);
    assert.ok(noReason.json.error.fields.reason);
    assert.equal((await summary("reject-me")).count, 1, "nothing changed");
    const r = await admin("POST", `reviews/${id}/reject`, { body: { reason: "Kişisel veri içeriyor" } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, "rejected");
    assert.deepEqual(await listedIds("reject-me"), []);
    assert.equal((await summary("reject-me")).count, 0);
    const [line] = await logOf(id);
    assert.deepEqual([line.action, line.actor, line.reason], ["rejected", "tests", "Kişisel veri içeriyor"]);
    // A rejected review can still be approved (a mistake undone), and is counted again.
    assert.equal((await admin("POST", `reviews/${id}/approve`)).status, 200);
    assert.equal((await summary("reject-me")).count, 1);
  });

  test("unknown or malformed review ids are 404 or 400, as JSON", async () => {
    const unknown = await admin("POST", `reviews/r${"0".repeat(24)}/approve`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, "not_found");
    assert.equal((await admin("GET", "reviews?status=maybe")).status, 400);
    assert.equal((await admin("GET", "reviews?cursor=nope")).status, 400);
    assert.equal((await admin("GET", "reviews?limit=0")).status, 400);
    assert.equal((await admin("GET", "moderation-log?review=x")).status, 400);
    assert.equal((await admin("GET", "moderation-log?cursor=-3")).status, 400);
    assert.equal((await admin("DELETE", `reviews/r${"0".repeat(24)}/approve`)).status, 405);
  });

  test("the merchant's list pages newest first with no review twice", async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await post({ product: "merchant-pages" })).review.id);
    const seen = [];
    let cursor = "";
    for (let pages = 0; pages < 10; pages++) {
      const r = await admin("GET", `reviews?product=merchant-pages&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.reviews.map((x) => x.id));
      if (!r.json.next_cursor) break;
      cursor = encodeURIComponent(r.json.next_cursor);
    }
    assert.deepEqual(seen, [...ids].reverse());
  });

  test("the audit log pages newest first", async () => {
    const all = (await admin("GET", "moderation-log?limit=100")).json.entries;
    assert.ok(all.length >= 4);
    const first = await admin("GET", "moderation-log?limit=2");
    const second = await admin("GET", `moderation-log?limit=2&cursor=${first.json.next_cursor}`);
    assert.deepEqual([...first.json.entries, ...second.json.entries], all.slice(0, 4));
  });
});

describe("replies", () => {
  test("a reply shows under the review, as text, and removing it is logged too", async () => {
    const created = await post({ product: "replied" });
    const id = created.review.id;
    const text = "Teşekkürler! <b>Yeni</b> renkler yakında.\nAtölye";
    const r = await admin("PUT", `reviews/${id}/reply`, { body: { body: text } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.reply.body, text);
    const listed = (await getReviews(edge, "replied")).json.reviews[0];
    assert.equal(listed.reply.body, text, "stored as given, shown as text by the widget");
    assert.ok(listed.reply.created_at > 0);
    assert.equal((await admin("PUT", `reviews/${id}/reply`, { body: { body: "  " } })).status, 422);
    assert.equal((await admin("PUT", `reviews/${id}/reply`, { body: { body: "x".repeat(5001) } })).status, 422);
    assert.equal((await admin("DELETE", `reviews/${id}/reply`)).status, 200);
    assert.equal((await getReviews(edge, "replied")).json.reviews[0].reply, null);
    assert.equal((await admin("DELETE", `reviews/${id}/reply`)).status, 404, "nothing left to remove");
    assert.deepEqual((await logOf(id)).map((l) => l.action), ["reply_removed", "replied"]);
  });
});

describe("spam without a captcha", () => {
  test("the same text for the same product within a day is held as a duplicate, not after", async () => {
    const body = "Harika fincan, herkese tavsiye ederim!";
    assert.equal((await post({ product: "dupes", body })).status, "published");
    // Another client, other case and spacing: still the same text.
    const again = await post({ product: "dupes", body: "harika  FİNCAN, herkese tavsiye ederim!" });
    assert.equal(again.status, "pending");
    const [held] = (await admin("GET", "reviews?status=pending&product=dupes")).json.reviews;
    assert.equal(held.hold_reason, "duplicate");
    assert.equal((await post({ product: "other-product", body })).status, "published", "another product");
    const nextDay = await post({ product: "dupes", body }, { headers: { "X-Memnun-Clock-Shift-Ms": String(DAY_MS + 60_000) } });
    assert.equal(nextDay.status, "published");
  });

  test("a submit faster than a person can write, or untimed, is answered like the honeypot and dropped", async () => {
    const count = async () => (await edge.query("SELECT COUNT(*) AS n FROM reviews WHERE product_id = 'too-fast'"))[0].n;
    for (const fill_ms of [200, 2999, undefined, -1]) {
      const r = await postReview(edge, review({ product: "too-fast", fill_ms }), { origin: ORIGIN });
      assert.equal(r.status, 202, `${fill_ms}: ${r.text}`);
      assert.equal(r.json.status, "received");
    }
    assert.equal(await count(), 0);
    const wrongType = await postReview(edge, review({ product: "too-fast", fill_ms: "9000" }), { origin: ORIGIN });
    assert.equal(wrongType.status, 400);
    assert.equal((await postReview(edge, review({ product: "too-fast", fill_ms: 3000 }), { origin: ORIGIN })).status, 201);
  });
});

describe("isolation", () => {
  test("another shop's key sees none of this shop's queue, log or policy", async () => {
    await edge.query(
      "INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, 'other-shop', 'other', 0)",
      (await import("./support/harness.mjs")).apiKeyHash("mk_other_moderation"),
    );
    const key = "mk_other_moderation";
    const mine = (await admin("GET", "reviews?limit=100")).json.reviews;
    assert.ok(mine.length > 0);
    const theirs = await admin("GET", "reviews?limit=100", { key });
    assert.deepEqual(theirs.json.reviews, []);
    assert.deepEqual((await admin("GET", "moderation-log", { key })).json.entries, []);
    for (const [method, path] of [["GET", ""], ["POST", "/approve"], ["PUT", "/reply"], ["DELETE", "/reply"]]) {
      const r = await admin(method, `reviews/${mine[0].id}${path}`, { key, body: method === "PUT" ? { body: "x" } : undefined });
      assert.equal(r.status, 404, `${method} ${path}`);
    }
    await admin("PUT", "moderation", { key, body: { mode: "hold_all" } });
    assert.equal((await admin("GET", "moderation")).json.mode, "publish", "one shop's policy never changes another's");
    assert.equal((await post({ product: "isolated" })).status, "published");
    assert.equal(TEST_SHOP, "test-shop");
  });
});

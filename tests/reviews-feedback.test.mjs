// Shoppers on other shoppers' reviews over HTTP against the real worker: "Was this helpful?"
// votes (one per browser, counted in the list, sortable), reports (held for the merchant after
// the shop's threshold), the public list's orders and star filter, and the limits on every
// public write (per client, and per shop whoever sends).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, postReview, postFeedback, getReviews, review, adminCall, newClient, inOneRateWindow } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

async function post(overrides) {
  const r = await postReview(edge, review(overrides), { origin: ORIGIN });
  assert.equal(r.status, 201, r.text);
  return r.json.review;
}
const vote = (id, voter = randomUUID(), options = {}) => postFeedback(edge, id, "votes", { voter }, { origin: ORIGIN, ...options });
const report = (id, body, options = {}) =>
  postFeedback(edge, id, "reports", { reporter: randomUUID(), reason: "spam", ...body }, { origin: ORIGIN, ...options });

describe("helpful votes", () => {
  test("one vote per browser per review, whatever the retries, counted in the list", async () => {
    const r = await post({ product: "voted" });
    const browser = randomUUID();
    assert.deepEqual((await vote(r.id, browser)).json, { helpful: 1 });
    assert.deepEqual((await vote(r.id, browser)).json, { helpful: 1 }, "the same browser again");
    assert.deepEqual((await vote(r.id, browser.toUpperCase())).json, { helpful: 1 }, "the same id in capitals");
    const second = await vote(r.id);
    assert.equal(second.status, 200);
    assert.equal(second.json.helpful, 2);
    assert.equal(second.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal((await getReviews(edge, "voted")).json.reviews[0].helpful, 2);
    const [row] = await edge.query("SELECT COUNT(*) AS n FROM review_votes WHERE review_id = ?1", r.id);
    assert.equal(row.n, 2);
    const stored = await edge.query("SELECT voter_key FROM review_votes WHERE review_id = ?1", r.id);
    assert.ok(stored.every((v) => v.voter_key !== browser && /^[0-9a-f]{64}$/.test(v.voter_key)), "stored hashed");
  });

  test("a retry with the same Idempotency-Key gets the first answer", async () => {
    const r = await post({ product: "voted-retry" });
    const key = randomUUID();
    const voter = randomUUID();
    const first = await vote(r.id, voter, { key });
    const again = await vote(r.id, voter, { key });
    assert.deepEqual(again.json, first.json);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
  });

  test("bad votes are refused with JSON errors and count nothing", async () => {
    const r = await post({ product: "bad-votes" });
    const unknown = await vote(`r${"0".repeat(24)}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, "not_found");
    assert.equal((await vote("not-a-review")).status, 400);
    for (const [body, status] of [[{}, 422], [{ voter: "me" }, 422], [{ voter: 7 }, 400], ["[]", 400], ["{", 400]]) {
      const res = await postFeedback(edge, r.id, "votes", body, { origin: ORIGIN });
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${res.text}`);
    }
    const noOrigin = await postFeedback(edge, r.id, "votes", { voter: randomUUID() }, {});
    assert.equal(noOrigin.status, 403);
    const noKey = await fetch(`${edge.url}/v1/shops/test-shop/reviews/${r.id}/votes`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN },
      body: JSON.stringify({ voter: randomUUID() }),
    });
    assert.equal(noKey.status, 400);
    assert.equal((await getReviews(edge, "bad-votes")).json.reviews[0].helpful, 0);
  });

  test("a held review cannot be voted on", async () => {
    await adminCall(edge, "PUT", "moderation", { body: { mode: "hold_all" } });
    const r = await post({ product: "held-vote" });
    await adminCall(edge, "PUT", "moderation", { body: { mode: "publish" } });
    assert.equal((await vote(r.id)).status, 404);
  });

  test("one client voting too fast gets 429 with Retry-After; others do not", async () => {
    await inOneRateWindow();
    const r = await post({ product: "vote-flood" });
    const client = newClient();
    const statuses = [];
    for (let i = 0; i < 22; i++) statuses.push((await vote(r.id, randomUUID(), { client })).status);
    assert.ok(statuses.slice(0, 20).every((s) => s === 200), statuses.join());
    const limited = await vote(r.id, randomUUID(), { client });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.code, "rate_limited");
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    assert.equal((await vote(r.id)).status, 200, "another client still votes");
  });
});

describe("the public list's orders and star filter", () => {
  let ids;
  before(async () => {
    // Ratings 3, 5, 1, 4, 5, 2 in this order (newest last); helpful votes 0, 2, 0, 3, 1, 0.
    ids = [];
    for (const rating of [3, 5, 1, 4, 5, 2]) ids.push((await post({ product: "sorted", rating })).id);
    for (const [i, n] of [[1, 2], [3, 3], [4, 1]]) for (let k = 0; k < n; k++) await vote(ids[i]);
  });

  async function all(query) {
    const seen = [];
    let cursor = "";
    for (let pages = 0; pages < 10; pages++) {
      const r = await getReviews(edge, "sorted", `?limit=2${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      seen.push(...r.json.reviews);
      cursor = r.json.next_cursor;
      if (!cursor) break;
    }
    return seen;
  }

  test("newest, highest, lowest and most helpful page through every review once, in order", async () => {
    const byIndex = (list) => list.map((r) => ids.indexOf(r.id));
    assert.deepEqual(byIndex(await all("")), [5, 4, 3, 2, 1, 0]);
    assert.deepEqual(byIndex(await all("&sort=newest")), [5, 4, 3, 2, 1, 0]);
    // Ties fall back to newest first.
    assert.deepEqual(byIndex(await all("&sort=highest")), [4, 1, 3, 0, 5, 2]);
    assert.deepEqual(byIndex(await all("&sort=lowest")), [2, 5, 0, 3, 4, 1]);
    assert.deepEqual(byIndex(await all("&sort=helpful")), [3, 1, 4, 5, 2, 0]);
  });

  test("a star filter lists only that rating, and the summary stays the product's whole", async () => {
    const fives = await all("&stars=5&sort=helpful");
    assert.deepEqual(fives.map((r) => ids.indexOf(r.id)), [1, 4]);
    const page = (await getReviews(edge, "sorted", "?stars=5")).json;
    assert.equal(page.summary.count, 6);
  });

  test("a cursor only opens the order it came from; bad orders and filters are 400", async () => {
    const page = (await getReviews(edge, "sorted", "?limit=2&sort=highest")).json;
    const wrong = await getReviews(edge, "sorted", `?sort=lowest&cursor=${encodeURIComponent(page.next_cursor)}`);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error.code, "invalid_parameter");
    for (const q of ["?sort=best", "?sort=", "?stars=0", "?stars=6", "?stars=x", "?stars=4.5", "?cursor=h1.2.r' OR 1=1 --"]) {
      const r = await getReviews(edge, "sorted", q);
      assert.equal(r.status, 400, q);
      assert.equal(r.headers.get("access-control-allow-origin"), "*");
    }
  });
});

describe("reports", () => {
  test("a report needs a known reason; notes are limited; one browser counts once", async () => {
    const r = await post({ product: "reported-once" });
    const bad = await report(r.id, { reason: "dislike" });
    assert.equal(bad.status, 422);
    assert.ok(bad.json.error.fields.reason);
    assert.equal((await report(r.id, { note: "x".repeat(501) })).status, 422);
    assert.equal((await report(r.id, { reporter: undefined })).status, 422);
    const reporter = randomUUID();
    for (let i = 0; i < 3; i++) {
      const ok = await report(r.id, { reporter, reason: "off_topic", note: "Başka ürün" });
      assert.equal(ok.status, 202, ok.text);
    }
    const [row] = await edge.query("SELECT report_count, status FROM reviews WHERE id = ?1", r.id);
    assert.deepEqual(row, { report_count: 1, status: "published" });
  });

  test("after the shop's threshold of distinct browsers, the review is held, uncounted and logged", async () => {
    const r = await post({ product: "reported", rating: 2 });
    for (let i = 0; i < 2; i++) assert.equal((await report(r.id)).status, 202);
    assert.equal((await getReviews(edge, "reported")).json.reviews.length, 1, "two reports: still shown");
    assert.equal((await report(r.id, { reason: "fake" })).status, 202);
    const listed = (await getReviews(edge, "reported")).json;
    assert.deepEqual(listed.reviews, []);
    assert.equal(listed.summary.count, 0);
    const held = (await adminCall(edge, "GET", `reviews/${r.id}`)).json;
    assert.equal(held.status, "pending");
    assert.equal(held.hold_reason, "reported");
    assert.equal(held.reports, 3);
    const log = (await adminCall(edge, "GET", `moderation-log?review=${r.id}`)).json.entries;
    assert.deepEqual(log.map((l) => [l.action, l.actor, l.reason]), [["held_for_reports", "system", "3 reports"]]);
    // A fourth report finds it unlisted.
    assert.equal((await report(r.id)).status, 404);
    // The merchant approves it back; it is counted again and stays up despite the old reports.
    assert.equal((await adminCall(edge, "POST", `reviews/${r.id}/approve`)).status, 200);
    assert.equal((await getReviews(edge, "reported")).json.summary.count, 1);
  });

  test("the threshold is the shop's to set", async () => {
    await adminCall(edge, "PUT", "moderation", { body: { report_threshold: 1 } });
    try {
      const r = await post({ product: "reported-fast" });
      assert.equal((await report(r.id)).status, 202);
      assert.deepEqual((await getReviews(edge, "reported-fast")).json.reviews, []);
    } finally {
      await adminCall(edge, "PUT", "moderation", { body: { report_threshold: 3 } });
    }
  });
});

describe("the shop's own write limit", () => {
  test("a flood from many addresses is stopped per shop with 429 and Retry-After; other shops go on", async () => {
    // A shop of its own, so this flood does not spend the limit of the other tests' shop.
    await edge.query("INSERT INTO shops (id, name, created_at) VALUES ('flooded', 'Flooded', 0)");
    await edge.allowOrigin("flooded", ORIGIN);
    const send = () =>
      postFeedback(edge, `r${"0".repeat(24)}`, "votes", { voter: randomUUID() }, { origin: ORIGIN, shop: "flooded" });
    // wrangler.toml [env.test]: SHOP_WRITES allows 400 a minute per shop. The limiter counts in
    // fixed windows, so a flood that straddles a window's end gets up to twice that through.
    let answered = 0;
    let limitedAt = null;
    while (limitedAt === null && answered < 1000) {
      const answers = await Promise.all(Array.from({ length: 10 }, send));
      for (const a of answers) {
        if (a.status === 429 && limitedAt === null) limitedAt = answered;
        else if (a.status !== 429) assert.equal(a.status, 404, a.text);
        answered += 1;
      }
    }
    assert.ok(limitedAt !== null, "the flood was stopped");
    assert.ok(limitedAt >= 400 && limitedAt <= 800, `stopped after ${limitedAt} writes`);
    const limited = await send();
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    assert.equal(limited.headers.get("access-control-allow-origin"), ORIGIN, "the widget can read it");
    assert.equal((await postReview(edge, review({ product: "not-flooded" }), { origin: ORIGIN })).status, 201);
  });
});

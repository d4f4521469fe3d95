// The reviews API, over HTTP, against the real worker under workerd with a fresh local D1:
// what a widget, a merchant and a hostile client each see.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, TEST_SHOP, TEST_API_KEY, postReview, getReviews, review, newClient, inOneRateWindow } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

async function countReviews(where = "1 = 1") {
  const rows = await edge.query(`SELECT COUNT(*) AS n FROM reviews WHERE ${where}`);
  return rows[0].n;
}

describe("creating and listing", () => {
  test("a stored review is listed with its product's summary, without the email", async () => {
    const sent = review({ product: "create-list", rating: 5, email: "secret@example.com" });
    const created = await postReview(edge, sent, { origin: ORIGIN });
    assert.equal(created.status, 201, created.text);
    assert.match(created.json.review.id, /^r[0-9a-f]{24}$/);
    assert.equal(created.json.review.body, sent.body);
    assert.equal(created.headers.get("access-control-allow-origin"), ORIGIN);
    assert.match(created.headers.get("vary"), /Origin/);

    const listed = await getReviews(edge, "create-list");
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get("access-control-allow-origin"), "*");
    assert.deepEqual(listed.json.summary, { count: 1, average: 5, histogram: [0, 0, 0, 0, 1] });
    assert.equal(listed.json.reviews.length, 1);
    assert.deepEqual(listed.json.reviews[0], created.json.review);
    assert.ok(!JSON.stringify(listed.json).includes("secret@example.com"), "email leaked");
    const [row] = await edge.query(`SELECT email FROM reviews WHERE id = '${created.json.review.id}'`);
    assert.equal(row.email, "secret@example.com");
  });

  test("a product without reviews answers an empty page and a zero summary", async () => {
    const listed = await getReviews(edge, "never-reviewed");
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.json, {
      summary: { count: 0, average: 0, histogram: [0, 0, 0, 0, 0] },
      reviews: [],
      next_cursor: null,
      notice: "Reviews are written by shoppers with this form. Those marked “Verified purchase” were written from a personal link the shop sent after an order; the others are not checked against orders. Reviews may be checked for spam and abuse before they appear.",
      // The shop takes questions (the default): the first page says so, with none answered yet.
      questions: { count: 0, questions: [], next_cursor: null },
    });
  });

  test("pages follow the cursor newest first, with no review twice", async () => {
    const ids = [];
    for (let i = 0; i < 12; i++) {
      const r = await postReview(edge, review({ product: "paged", body: `review ${i}` }), { origin: ORIGIN });
      assert.equal(r.status, 201);
      ids.push(r.json.review.id);
    }
    const seen = [];
    let query = "?limit=5";
    const sizes = [];
    for (;;) {
      const page = await getReviews(edge, "paged", query);
      assert.equal(page.status, 200);
      sizes.push(page.json.reviews.length);
      seen.push(...page.json.reviews.map((r) => r.id));
      const times = page.json.reviews.map((r) => r.created_at);
      assert.deepEqual(times, [...times].sort((a, b) => b - a), "newest first");
      if (!page.json.next_cursor) break;
      query = `?limit=5&cursor=${encodeURIComponent(page.json.next_cursor)}`;
    }
    assert.deepEqual(sizes, [5, 5, 2]);
    assert.equal(new Set(seen).size, 12);
    assert.deepEqual(new Set(seen), new Set(ids));
  });

  test("bad paging parameters are 400 with a JSON error", async () => {
    for (const query of ["?limit=0", "?limit=51", "?limit=abc", "?cursor=forged", "?cursor=1.r' OR 1=1 --"]) {
      const page = await getReviews(edge, "paged", query.replace(/ /g, "%20"));
      assert.equal(page.status, 400, query);
      assert.equal(page.json.error.code, "invalid_parameter", query);
      assert.equal(page.headers.get("access-control-allow-origin"), "*");
    }
  });

  test("text is NFC-normalised and stored as given, markup included", async () => {
    const hostile = "<img src=x onerror=alert(1)></script><script>alert(2)</script>'; DROP TABLE reviews; --";
    const r = await postReview(edge, review({ product: "stored-as-given", title: "s\u0327ahane", body: hostile }), { origin: ORIGIN });
    assert.equal(r.status, 201, r.text);
    const listed = await getReviews(edge, "stored-as-given");
    assert.equal(listed.json.reviews[0].title, "şahane");
    assert.equal(listed.json.reviews[0].body, hostile);
    assert.match(listed.headers.get("content-type"), /^application\/json/);
    assert.ok((await countReviews()) > 0, "the reviews table is still there");
  });
});

describe("refusals: clear JSON errors, nothing stored", () => {
  async function refused(body, status, code, options = {}) {
    const before = await countReviews();
    const r = await postReview(edge, body, { origin: ORIGIN, ...options });
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)} → ${r.text}`);
    assert.equal(r.json?.error?.code, code, r.text);
    assert.equal(typeof r.json.error.message, "string");
    assert.equal(await countReviews(), before, "nothing may be stored");
    return r;
  }

  test("every validation rule answers 422 with the field's message", async () => {
    const cases = [
      [{}, ["product", "rating", "body", "author"]],
      [review({ rating: 0 }), ["rating"]],
      [review({ rating: 6 }), ["rating"]],
      [review({ rating: -1 }), ["rating"]],
      [review({ body: "   " }), ["body"]],
      [review({ body: "a".repeat(5001) }), ["body"]],
      [review({ title: "a".repeat(101) }), ["title"]],
      [review({ author: "" }), ["author"]],
      [review({ author: "a".repeat(51) }), ["author"]],
      [review({ author: "bell\u0007" }), ["author"]],
      [review({ author: "Ayşe\u202Emoc.live" }), ["author"]],
      [review({ body: "nul\u0000byte" }), ["body"]],
      [review({ email: "not-an-email" }), ["email"]],
      [review({ locale: "de" }), ["locale"]],
      [review({ product: "../../etc/passwd" }), ["product"]],
      [review({ product: "a".repeat(65) }), ["product"]],
    ];
    for (const [body, fields] of cases) {
      const r = await refused(body, 422, "validation_failed");
      assert.deepEqual(Object.keys(r.json.error.fields).sort(), [...fields].sort(), JSON.stringify(body).slice(0, 60));
      for (const f of fields) assert.ok(r.json.error.fields[f].length > 3);
      assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN, "the widget can read the error");
    }
  });

  test("malformed JSON and wrong JSON types are 400", async () => {
    for (const body of ["{", "", "null", "[]", '"text"', '{"rating":"5"}', '{"rating":1e400}', '{"rating":4.5}', '{"body":["x"]}']) {
      await refused(body, 400, "malformed_json");
    }
  });

  test("a body over the limit is 413, with or without a Content-Length", async () => {
    await refused(review({ body: "ş".repeat(20000) }), 413, "payload_too_large");
    const before = await countReviews();
    const chunk = new TextEncoder().encode("x".repeat(8192));
    let sent = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/reviews`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": randomUUID(), Origin: ORIGIN, "CF-Connecting-IP": newClient() },
      body: stream,
      duplex: "half",
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "payload_too_large");
    assert.equal(await countReviews(), before);
  });

  test("a content type other than JSON is 415", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/html"]) {
      await refused(JSON.stringify(review()), 415, "unsupported_media_type", { headers: { "Content-Type": type } });
    }
  });

  test("a write without a valid Idempotency-Key is 400", async () => {
    for (const key of ["", "retry-1", "' OR 1=1 --"]) {
      await refused(review(), 400, "invalid_parameter", { key });
    }
  });

  test("wrong methods are 405 with Allow", async () => {
    for (const [method, path, allow] of [
      ["PUT", `/v1/shops/${TEST_SHOP}/reviews`, "POST"],
      ["DELETE", `/v1/shops/${TEST_SHOP}/reviews`, "POST"],
      ["GET", `/v1/shops/${TEST_SHOP}/reviews`, "POST"],
      ["POST", `/v1/shops/${TEST_SHOP}/products/p/reviews`, "GET"],
      ["DELETE", "/v1/admin/shop", "PUT"],
    ]) {
      const res = await fetch(edge.url + path, {
        method,
        headers: { Origin: ORIGIN, Authorization: `Bearer ${TEST_API_KEY}` },
      });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.match(res.headers.get("allow"), new RegExp(allow));
      assert.equal((await res.json()).error.code, "method_not_allowed");
    }
  });

  test("unknown shops are 404 and malformed shop ids 400", async () => {
    await refused(review(), 404, "not_found", { shop: "no-such-shop" });
    const missing = await getReviews(edge, "p", "", "no-such-shop");
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, "not_found");
    for (const shop of ["bad%20shop", "a".repeat(65), "%3Cscript%3E"]) {
      const bad = await getReviews(edge, "p", "", shop);
      assert.equal(bad.status, 400, shop);
      assert.equal(bad.json.error.code, "invalid_parameter");
    }
    const unknownRoute = await fetch(`${edge.url}/v1/nothing-here`);
    assert.equal(unknownRoute.status, 404);
    assert.equal((await unknownRoute.json()).error.code, "not_found");
  });

  test("writes from a disallowed or missing origin are 403 and not readable by the page", async () => {
    for (const origin of ["https://evil.example", "https://shop.example.evil.example", "null", undefined]) {
      const r = await refused(review(), 403, "origin_not_allowed", { origin: origin ?? null });
      assert.equal(r.headers.get("access-control-allow-origin"), null);
    }
  });

  test("the honeypot answers like a success and stores nothing", async () => {
    const before = await countReviews();
    const r = await postReview(edge, review({ website: "http://spam.example" }), { origin: ORIGIN });
    assert.equal(r.status, 202);
    assert.equal(await countReviews(), before);
  });

  test("one client writing too fast gets 429 with Retry-After, others do not", async () => {
    await inOneRateWindow();
    const client = newClient();
    const statuses = [];
    for (let i = 0; i < 35; i++) {
      // Invalid bodies: the limiter counts attempts, and this keeps the table small.
      statuses.push((await postReview(edge, {}, { origin: ORIGIN, client })).status);
    }
    assert.ok(statuses.includes(429), statuses.join(","));
    const limited = await postReview(edge, review(), { origin: ORIGIN, client });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.code, "rate_limited");
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    const other = await postReview(edge, review({ product: "rate" }), { origin: ORIGIN });
    assert.equal(other.status, 201);
  });
});

describe("CORS", () => {
  test("a preflight from an allowed origin allows POST with our headers", async () => {
    const res = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/reviews`, {
      method: "OPTIONS",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,idempotency-key" },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), ORIGIN);
    assert.match(res.headers.get("access-control-allow-methods"), /POST/);
    assert.match(res.headers.get("access-control-allow-headers"), /Idempotency-Key/i);
    assert.match(res.headers.get("vary"), /Origin/);
  });

  test("a preflight from another origin is refused", async () => {
    const res = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/reviews`, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  });
});

describe("idempotency", () => {
  test("a retried POST stores one review and gets the first answer again", async () => {
    const key = randomUUID();
    const body = review({ product: "retried" });
    const first = await postReview(edge, body, { origin: ORIGIN, key });
    const second = await postReview(edge, body, { origin: ORIGIN, key, client: newClient() });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get("idempotent-replayed"), "true");
    assert.equal(await countReviews("product_id = 'retried'"), 1);
    assert.equal((await getReviews(edge, "retried")).json.summary.count, 1);
  });

  test("the same key with another body is 409 and stores nothing", async () => {
    const key = randomUUID();
    assert.equal((await postReview(edge, review({ product: "conflict" }), { origin: ORIGIN, key })).status, 201);
    const r = await postReview(edge, review({ product: "conflict", rating: 1 }), { origin: ORIGIN, key });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, "idempotency_conflict");
    assert.equal(await countReviews("product_id = 'conflict'"), 1);
  });

  test("racing retries with one key store one review and all get the same answer", async () => {
    const key = randomUUID();
    const body = review({ product: "race" });
    const answers = await Promise.all(Array.from({ length: 6 }, () => postReview(edge, body, { origin: ORIGIN, key })));
    for (const a of answers) {
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.review.id, answers[0].json.review.id);
    }
    assert.equal(await countReviews("product_id = 'race'"), 1);
    assert.equal((await getReviews(edge, "race")).json.summary.count, 1);
  });

  test("a key is remembered for at least 24 hours, and forgotten after 48", async () => {
    const key = randomUUID();
    assert.equal((await postReview(edge, review({ product: "aging" }), { origin: ORIGIN, key })).status, 201);
    const day = 24 * 60 * 60 * 1000;
    const later = await postReview(edge, review({ product: "aging", rating: 2 }), {
      origin: ORIGIN, key, headers: { "X-Memnun-Clock-Shift-Ms": String(day + 60_000) },
    });
    assert.equal(later.status, 409);
    const muchLater = await postReview(edge, review({ product: "aging", rating: 2 }), {
      origin: ORIGIN, key, headers: { "X-Memnun-Clock-Shift-Ms": String(2 * day + 60_000) },
    });
    assert.equal(muchLater.status, 201, muchLater.text);
    assert.equal(await countReviews("product_id = 'aging'"), 2);
  });
});

describe("the maintained summary", () => {
  test("stays equal to a recount after many inserts from many clients", async () => {
    const products = ["busy-a", "busy-b", "busy-c"];
    const expected = Object.fromEntries(products.map((p) => [p, [0, 0, 0, 0, 0]]));
    const jobs = [];
    for (let i = 0; i < 90; i++) {
      const product = products[i % 3];
      const rating = 1 + ((i * 7) % 5);
      jobs.push({ product, rating });
    }
    // Ten clients at a time, each request from its own simulated address.
    for (let i = 0; i < jobs.length; i += 10) {
      const batch = jobs.slice(i, i + 10);
      const answers = await Promise.all(batch.map((j) => postReview(edge, review(j), { origin: ORIGIN })));
      answers.forEach((a, k) => {
        assert.equal(a.status, 201, a.text);
        expected[batch[k].product][batch[k].rating - 1] += 1;
      });
    }
    for (const product of products) {
      const rows = await edge.query(
        `SELECT rating, COUNT(*) AS n FROM reviews WHERE shop_id = '${TEST_SHOP}' AND product_id = '${product}' AND status = 'published' GROUP BY rating`,
      );
      const recount = [0, 0, 0, 0, 0];
      for (const row of rows) recount[row.rating - 1] = row.n;
      const { summary } = (await getReviews(edge, product)).json;
      assert.deepEqual(summary.histogram, recount, product);
      assert.deepEqual(summary.histogram, expected[product], product);
      assert.equal(summary.count, 30);
      const sum = recount.reduce((s, n, i) => s + n * (i + 1), 0);
      assert.equal(summary.average, Math.round((sum / 30) * 100) / 100);
    }
  });
});

describe("merchant API", () => {
  const admin = (method, body, key = TEST_API_KEY) =>
    fetch(`${edge.url}/v1/admin/shop`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  test("needs a valid API key", async () => {
    for (const key of ["", "wrong", "mk_test_key_for_tests_onlY", "x".repeat(500)]) {
      const res = await admin("GET", undefined, key);
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error.code, "unauthorized");
    }
  });

  test("changing the allowed origins changes who may write", async () => {
    const res = await admin("PUT", { allowed_origins: [ORIGIN, "https://new-shop.example"] });
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).allowed_origins, ["https://new-shop.example", ORIGIN].sort());
    assert.equal((await postReview(edge, review({ product: "origins" }), { origin: "https://new-shop.example" })).status, 201);

    assert.equal((await admin("PUT", { allowed_origins: [ORIGIN] })).status, 200);
    assert.equal((await postReview(edge, review({ product: "origins" }), { origin: "https://new-shop.example" })).status, 403);
    const settings = await (await admin("GET")).json();
    assert.deepEqual(settings, { id: TEST_SHOP, name: "Test", allowed_origins: [ORIGIN], tracker_page: null, survey_page: null, product_page: null, event_retention_days: 395 });
  });

  test("refuses origins that are not origins", async () => {
    for (const origins of [["https://a.example/path"], ["*"], ["javascript:alert(1)"], "https://a.example", Array(21).fill(0).map((_, i) => `https://s${i}.example`)]) {
      const res = await admin("PUT", { allowed_origins: origins });
      assert.ok([400, 422].includes(res.status), JSON.stringify(origins));
    }
    const settings = await (await admin("GET")).json();
    assert.deepEqual(settings.allowed_origins, [ORIGIN]);
  });
});

// Cloudflare's cache in front of the public reads (edge/src/platform/public_cache.rs), with
// miniflare's implementation of `caches.default`: an answer that says `Cache-Control: public`
// is kept under its URL and the next reader gets it without the worker touching D1 or R2 (the
// test environment's statement count is 0); other answers (the review list, the questions, a
// browser's recently viewed, the review feed, errors, a HEAD) always come from the database. The
// other test files keep the cache off (`PUBLIC_READ_CACHE = "false"`): they write and read back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Edge, TEST_SHOP, adminCall, png, postReview, review, until } from "./support/harness.mjs";

const STATEMENTS = "x-memnun-d1-statements";
const ORIGIN = "https://shop.example";
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN], vars: { PUBLIC_READ_CACHE: "true" } });
  const items = ["kupa", "tabak", "cezve"].map((id) => ({
    id,
    name: { tr: `Eski ${id}`, en: `Old ${id}` },
    price_minor: 10000,
    currency: "TRY",
    url: `https://shop.example/p/${id}`,
    image_url: `https://shop.example/img/${id}.jpg`,
    category: "mutfak",
  }));
  const put = await adminCall(edge, "PUT", "catalog", { body: { items } });
  assert.equal(put.json.stored, 3, put.text);
});
after(async () => {
  await edge?.cleanup();
});

async function get(path, init = {}, shop = TEST_SHOP) {
  const res = await fetch(`${edge.url}/v1/shops/${shop}${path}`, init);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, statements: Number(res.headers.get(STATEMENTS)) };
}

/** Reads `path` until an answer comes from the cache (the copy is stored after the first
 * answer has gone), and returns the first answer and the cached one. */
async function firstAndCached(path) {
  const first = await get(path);
  assert.ok(first.statements > 0, `${path}: the first read runs the handler`);
  const cached = await until(`${path} from the cache`, async () => {
    const again = await get(path);
    return again.statements === 0 ? again : null;
  }, 10_000);
  return { first, cached };
}

test("a public read is answered from the cache, as it was, with the headers every answer gets", async () => {
  const path = "/products/kupa/recommendations?locale=tr";
  const { first, cached } = await firstAndCached(path);
  assert.equal(cached.status, 200);
  assert.deepEqual(cached.body, first.body);
  assert.equal(cached.headers.get("cf-cache-status"), "HIT");
  assert.deepEqual(JSON.parse(cached.body).items.map((i) => i.name), ["Eski cezve", "Eski tabak"]);
  assert.equal(cached.headers.get("cache-control"), "public, max-age=300");
  assert.equal(cached.headers.get("access-control-allow-origin"), "*");
  assert.equal(cached.headers.get("x-content-type-options"), "nosniff");
  assert.ok(cached.headers.get("x-request-id"), "a request id of its own");
  assert.notEqual(cached.headers.get("x-request-id"), first.headers.get("x-request-id"));

  // Until its max-age the kept answer is what readers here get, as from any shared cache: a
  // catalog change shows on an address not yet kept at once, and on this one within 5 minutes.
  const renamed = await adminCall(edge, "PUT", "catalog", { body: { items: [{ id: "tabak", name: { tr: "Yeni tabak", en: "New plate" }, price_minor: 10000, currency: "TRY", url: "https://shop.example/p/tabak", category: "mutfak" }] } });
  assert.equal(renamed.json.stored, 1, renamed.text);
  const kept = await get(path);
  assert.equal(kept.statements, 0);
  assert.deepEqual(kept.body, first.body);
  const fresh = await get(`${path}&limit=4`);
  assert.ok(fresh.statements > 0);
  assert.ok(JSON.parse(fresh.body).items.some((i) => i.name === "Yeni tabak"), fresh.body.toString());
});

test("a photo is kept, for the 5 minutes shared caches may keep it", async () => {
  const posted = await postReview(edge, review({ product: "kupa" }), { origin: ORIGIN });
  assert.equal(posted.status, 201, posted.text);
  const reviewId = posted.json.review.id;
  const bytes = png(4, 3);
  // A copy of its own: the proxy to workerd cannot carry a view into Node's shared pool.
  await (await edge.mf.getR2Bucket("PHOTOS")).put(`photos/${TEST_SHOP}/pcache1`, new Uint8Array(bytes).buffer);
  await edge.query(
    "INSERT INTO review_photos (shop_id, id, review_id, position, status, state, content_type, width, height, size, created_at) VALUES (?1, 'pcache1', ?2, 0, 'published', 'ready', 'image/png', 4, 3, ?3, 0)",
    TEST_SHOP, reviewId, bytes.length);
  const { first, cached } = await firstAndCached("/photos/pcache1");
  assert.equal(first.status, 200);
  assert.deepEqual(cached.body, Buffer.from(bytes));
  assert.equal(cached.headers.get("content-type"), "image/png");
  assert.equal(cached.headers.get("cache-control"), "public, max-age=86400, s-maxage=300");
  assert.equal(first.headers.get("cache-control"), "public, max-age=86400, s-maxage=300");
});

test("the snippets are kept too", async () => {
  const posted = await postReview(edge, review({ product: "fincan" }), { origin: ORIGIN });
  assert.equal(posted.status, 201, posted.text);
  const { first, cached } = await firstAndCached("/products/fincan/reviews.jsonld?name=Fincan");
  assert.equal(first.status, 200);
  assert.deepEqual(cached.body, first.body);
  assert.equal(cached.headers.get("content-type"), "application/ld+json; charset=utf-8");
});

test("the other answers are never kept: a write shows on the next read", async () => {
  const reads = [
    ["/products/kupa/reviews", 200],
    ["/products/kupa/questions", 200],
    ["/catalog?ids=kupa,tabak", 200],
    // Public, but streamed and long: not held in memory to be kept.
    ["/feeds/google-product-reviews.xml", 200],
    ["/products/kupa/reviews?limit=900", 400],
    ["/photos/pmissing", 404],
  ];
  for (const [path, status] of reads) {
    for (let i = 0; i < 3; i++) {
      const r = await get(path);
      assert.equal(r.status, status, `${path}: ${r.body}`);
      assert.ok(r.statements > 0 || status === 400, `${path}: read ${i + 1} came from the cache`);
      if (!path.startsWith("/feeds/")) assert.notEqual(r.headers.get("cache-control")?.includes("public"), true, path);
    }
  }
  for (let i = 0; i < 3; i++) {
    const unknown = await get("/products/kupa/recommendations", {}, "no-such-shop");
    assert.equal(unknown.status, 404);
    assert.ok(unknown.statements > 0, "an unknown shop's 404 is not kept");
  }

  const before = JSON.parse((await get("/products/kupa/reviews")).body).summary.count;
  const written = await postReview(edge, review({ product: "kupa", rating: 2 }), { origin: ORIGIN });
  assert.equal(written.status, 201, written.text);
  assert.equal(JSON.parse((await get("/products/kupa/reviews")).body).summary.count, before + 1);

  // HEAD is answered by the handler (the cache keeps GETs).
  await firstAndCached("/products/tabak/recommendations");
  const head = await get("/products/tabak/recommendations", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.ok(head.statements > 0);
});

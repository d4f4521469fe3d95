// Signed links over HTTP against the real worker: review tokens minted by the merchant API or by
// the merchant's own server make a review a verified purchase; forged, expired, other-purpose,
// other-shop, other-product and used tokens are refused with a clear error and nothing stored;
// token secrets rotate (a new one signs, the old one verifies until retired).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { Edge, TEST_TOKEN_SECRET, postReview, getReviews, review, adminCall, signToken } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

const nowS = () => Math.floor(Date.now() / 1000);
const claims = (over = {}) => ({
  purpose: "review",
  shop: "test-shop",
  order: "A-1001",
  product: "mug",
  exp: nowS() + 3600,
  kid: "s1",
  ...over,
});
const mint = async (body) => {
  const r = await adminCall(edge, "POST", "tokens", { body });
  assert.equal(r.status, 201, r.text);
  return r.json;
};
const count = async (product) => (await edge.query("SELECT COUNT(*) AS n FROM reviews WHERE product_id = ?1", product))[0].n;

async function refusedToken(token, product, pattern, headers = {}) {
  const before = await count(product);
  const r = await postReview(edge, review({ product, token }), { origin: ORIGIN, headers });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.code, "validation_failed");
  assert.match(r.json.error.fields.token, pattern);
  assert.equal(await count(product), before, "nothing stored");
}

describe("verified purchases", () => {
  test("a review posted with a minted review link is a verified purchase of that order", async () => {
    const minted = await mint({ purpose: "review", order: "A-1001", product: "mug" });
    assert.match(minted.token, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(minted.kid, "s1");
    assert.ok(minted.expires_at > nowS() + 59 * 86400, "60 days by default");
    const r = await postReview(edge, review({ product: "mug", token: minted.token }), { origin: ORIGIN });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.review.verified, true);
    const listed = (await getReviews(edge, "mug")).json.reviews[0];
    assert.equal(listed.verified, true);
    assert.equal(listed.order, undefined, "the order is not public");
    const merchant = (await adminCall(edge, "GET", `reviews/${r.json.review.id}`)).json;
    assert.equal(merchant.order, "A-1001");
    const plain = await postReview(edge, review({ product: "mug" }), { origin: ORIGIN });
    assert.equal(plain.json.review.verified, false);
  });

  test("a token made by the merchant's own server with the documented algorithm works", async () => {
    const token = signToken(claims({ order: "B-7", product: "kettle" }), TEST_TOKEN_SECRET);
    const r = await postReview(edge, review({ product: "kettle", token }), { origin: ORIGIN });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.review.verified, true);
  });

  test("one review per order and product: a used link is refused", async () => {
    const token = signToken(claims({ order: "C-1", product: "bowl" }), TEST_TOKEN_SECRET);
    assert.equal((await postReview(edge, review({ product: "bowl", token }), { origin: ORIGIN })).status, 201);
    await refusedToken(token, "bowl", /already used/);
  });

  test("forged, expired, other-purpose, other-shop and other-product tokens are refused, never downgraded", async () => {
    const good = signToken(claims({ order: "D-1", product: "plate" }), TEST_TOKEN_SECRET);
    const [head, payload, mac] = good.split(".");
    const tampered = Buffer.from(JSON.stringify(claims({ order: "D-2", product: "plate" }))).toString("base64url");
    await refusedToken(`${head}.${tampered}.${mac}`, "plate", /not a valid link/);
    await refusedToken(signToken(claims({ product: "plate" }), "a guessed secret"), "plate", /not a valid link/);
    await refusedToken(`${head}.${payload}.${mac.slice(0, -4)}`, "plate", /not a valid link/);
    await refusedToken("v1.garbage", "plate", /not a valid link/);
    await refusedToken("x".repeat(5000), "plate", /not a valid link/);
    await refusedToken(signToken(claims({ product: "plate", exp: nowS() - 1 }), TEST_TOKEN_SECRET), "plate", /expired/);
    // Valid now, expired by the edge's clock a day later (the test clock, not a sleep).
    await refusedToken(good, "plate", /expired/, { "X-Memnun-Clock-Shift-Ms": String(2 * 3600 * 1000) });
    await refusedToken(signToken(claims({ product: "plate", purpose: "survey" }), TEST_TOKEN_SECRET), "plate", /something else/);
    await refusedToken(signToken(claims({ product: "plate", purpose: "track" }), TEST_TOKEN_SECRET), "plate", /something else/);
    await refusedToken(signToken(claims({ product: "plate", shop: "other-shop" }), "other-secret"), "plate", /not a valid link|another shop/);
    await refusedToken(signToken(claims({ product: "plate", shop: "other-shop" }), TEST_TOKEN_SECRET), "plate", /another shop/);
    await refusedToken(signToken(claims({ product: "cup" }), TEST_TOKEN_SECRET), "plate", /another product/);
    await refusedToken(signToken(claims({ product: "plate", kid: "s9" }), TEST_TOKEN_SECRET), "plate", /retired/);
    // The good one still works after all that.
    assert.equal((await postReview(edge, review({ product: "plate", token: good }), { origin: ORIGIN })).status, 201);
  });

  test("minting checks what it is asked", async () => {
    for (const [body, field] of [
      [{ purpose: "review", order: "A-1" }, "product"],
      [{ purpose: "review", order: "../x", product: "p" }, "order"],
      [{ order: "A-1" }, "purpose"],
      [{ purpose: "track", order: "A-1", ttl_days: 0 }, "ttl_days"],
      [{ purpose: "track", order: "A-1", ttl_days: 366 }, "ttl_days"],
    ]) {
      const r = await adminCall(edge, "POST", "tokens", { body });
      assert.equal(r.status, 422, `${JSON.stringify(body)} → ${r.text}`);
      assert.ok(r.json.error.fields[field], field);
    }
    assert.equal((await adminCall(edge, "POST", "tokens", { body: { purpose: "refund", order: "A-1" } })).status, 400);
    assert.equal((await adminCall(edge, "POST", "tokens", { key: null, body: { purpose: "track", order: "A-1" } })).status, 401);
  });
});

describe("token secrets rotate", () => {
  test("a new secret signs; the old one verifies until retired; the signing one cannot be retired", async () => {
    const oldToken = signToken(claims({ order: "R-1", product: "jug" }), TEST_TOKEN_SECRET);
    const created = await adminCall(edge, "POST", "secrets");
    assert.equal(created.status, 201, created.text);
    assert.match(created.json.kid, /^s[0-9a-f]{8}$/);
    assert.match(created.json.secret, /^[0-9a-f]{64}$/);
    const listed = (await adminCall(edge, "GET", "secrets")).json.secrets;
    assert.deepEqual(listed.map((s) => [s.kid, s.signing, s.retired_at]), [[created.json.kid, true, null], ["s1", false, null]]);
    assert.ok(!JSON.stringify(listed).includes(created.json.secret), "secrets are never listed");
    assert.ok(!JSON.stringify(listed).includes(TEST_TOKEN_SECRET));

    const minted = await mint({ purpose: "review", order: "R-2", product: "jug" });
    assert.equal(minted.kid, created.json.kid);
    // The merchant's server signs with the new secret it was shown.
    const own = signToken(claims({ order: "R-3", product: "jug", kid: created.json.kid }), created.json.secret);
    for (const token of [oldToken, minted.token, own]) {
      const r = await postReview(edge, review({ product: "jug", token }), { origin: ORIGIN });
      assert.equal(r.status, 201, r.text);
    }

    const signing = await adminCall(edge, "DELETE", `secrets/${created.json.kid}`);
    assert.equal(signing.status, 422);
    assert.ok(signing.json.error.fields.kid);
    assert.equal((await adminCall(edge, "DELETE", "secrets/s404")).status, 404);
    assert.equal((await adminCall(edge, "DELETE", "secrets/s1")).status, 204);
    assert.equal((await adminCall(edge, "DELETE", "secrets/s1")).status, 404, "retired already");
    const retired = signToken(claims({ order: "R-4", product: "jug" }), TEST_TOKEN_SECRET);
    await refusedToken(retired, "jug", /retired/);
    const after = (await adminCall(edge, "GET", "secrets")).json.secrets;
    assert.ok(after.find((s) => s.kid === "s1").retired_at > 0);
  });
});

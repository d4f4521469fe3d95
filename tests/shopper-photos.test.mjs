// Photos shoppers add to their reviews, against the real worker under workerd with local D1 and
// R2: each photo is sent on its own with its thumbnail, carrying the review's `photo_key`, and
// joins its review whichever arrives first; it is judged by its bytes, held for the merchant
// unless the shop publishes photos directly, served with its thumbnail once it and its review are
// published, and its bytes leave R2 on a rejection, an erasure, or when its review never comes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, adminCall, getReviews, newClient, postReview, review } from "./support/harness.mjs";

const PRODUCT = "kupa-42";
const ORIGIN = "https://magaza.example";
const DAY = 24 * 3600 * 1000;

/** A JPEG's start and frame header: what says it is a `width` × `height` JPEG. */
function jpeg(width, height, filler = 0) {
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 255, width >> 8, width & 255, 0x01, 0x01, 0x11, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof0, Buffer.alloc(filler, 0x20), Buffer.from([0xff, 0xd9])]);
}

const dataUrl = (bytes, type = "image/jpeg") => `data:${type};base64,${bytes.toString("base64")}`;

let edge;
before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

/** Sends one photo as the widget's outbox does. */
async function sendPhoto(photo, { key = randomUUID(), client = newClient(), headers = {} } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/photos`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": key, "CF-Connecting-IP": client, Origin: ORIGIN, ...headers },
    body: typeof photo === "string" ? photo : JSON.stringify(photo),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text };
}

const photo = (photoKey, position, overrides = {}) => ({
  photo_key: photoKey,
  position,
  image: dataUrl(jpeg(1600, 1200, position + 1)),
  thumbnail: dataUrl(jpeg(400, 300, position + 1)),
  ...overrides,
});

const bucket = () => edge.mf.getR2Bucket("PHOTOS");
const stored = async () => (await (await bucket()).list()).objects.map((o) => o.key).sort();
const publicUrl = (id, thumbnail = false) => `${edge.url}/v1/shops/test-shop/photos/${id}${thumbnail ? "/thumbnail" : ""}`;
const listed = async (query = "") => (await getReviews(edge, PRODUCT, `?limit=50${query}`)).json.reviews;
const merchantReview = async (id) => (await adminCall(edge, "GET", `reviews/${id}`)).json;

test("a photo sent before its review waits for the merchant, then shows with its thumbnail", async () => {
  const photoKey = randomUUID();
  const client = newClient();
  const sent = [];
  for (const position of [1, 0]) {
    const res = await sendPhoto(photo(photoKey.toUpperCase(), position), { client });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "pending", "held by default");
    assert.deepEqual([res.json.width, res.json.height], [1600, 1200]);
    sent[position] = res.json.id;
  }
  assert.equal((await stored()).length, 4, "each photo and its thumbnail are in R2");

  const posted = await postReview(edge, review({ product: PRODUCT, photo_key: photoKey, body: "Fotoğraflı kupa yorumu" }), { client, origin: ORIGIN });
  assert.equal(posted.status, 201, posted.text);
  assert.equal(posted.json.status, "published", "the review itself follows the shop's review policy");
  const id = posted.json.review.id;
  const inList = (await listed()).find((r) => r.id === id);
  assert.equal(inList.photos, undefined, "held photos are not shown");
  assert.equal((await fetch(publicUrl(sent[0]))).status, 404);

  const queue = await adminCall(edge, "GET", "reviews?photo_status=pending");
  assert.deepEqual(queue.json.reviews.map((r) => r.id), [id], "the merchant's queue of photos");
  assert.deepEqual(
    queue.json.reviews[0].photos.map((p) => [p.id, p.status, p.state, p.width]),
    [[sent[0], "pending", "ready", 1600], [sent[1], "pending", "ready", 1600]],
    "in their places, whatever order they came in",
  );
  const thumb = await fetch(`${edge.url}/v1/admin/photos/${sent[0]}/thumbnail`, { headers: { Authorization: "Bearer mk_test_key_for_tests_only" } });
  assert.equal(thumb.status, 200);
  assert.deepEqual(Buffer.from(await thumb.arrayBuffer()), jpeg(400, 300, 1), "the merchant sees the held thumbnail");
  assert.equal((await fetch(`${edge.url}/v1/admin/photos/${sent[0]}`)).status, 401, "not without the key");

  const approved = await adminCall(edge, "POST", `photos/${sent[0]}/approve`);
  assert.equal(approved.status, 200, approved.text);
  assert.deepEqual(approved.json.photos.map((p) => p.status), ["published", "pending"], "answers the review");
  assert.equal((await adminCall(edge, "POST", `photos/${sent[0]}/approve`)).status, 409, "already published");

  const shown = (await listed()).find((r) => r.id === id);
  assert.deepEqual(shown.photos, [{ id: sent[0], width: 1600, height: 1200 }]);
  const full = await fetch(publicUrl(sent[0]));
  assert.equal(full.headers.get("content-type"), "image/jpeg");
  assert.equal(full.headers.get("cache-control"), "public, max-age=86400, s-maxage=300");
  assert.deepEqual(Buffer.from(await full.arrayBuffer()), jpeg(1600, 1200, 1));
  const small = await fetch(publicUrl(sent[0], true));
  assert.equal(small.status, 200);
  assert.equal(small.headers.get("x-content-type-options"), "nosniff");
  assert.deepEqual(Buffer.from(await small.arrayBuffer()), jpeg(400, 300, 1), "the thumbnail");

  const onlyPhotos = await getReviews(edge, PRODUCT, "?photos=only");
  assert.deepEqual(onlyPhotos.json.reviews.map((r) => r.id), [id], "the \"with photos\" filter");
  assert.equal(onlyPhotos.json.summary.count, (await getReviews(edge, PRODUCT)).json.summary.count, "the summary is the product's");
  assert.equal((await getReviews(edge, PRODUCT, "?photos=yes")).status, 400);

  const rejected = await adminCall(edge, "POST", `photos/${sent[1]}/reject`);
  assert.equal(rejected.status, 200, rejected.text);
  assert.deepEqual(rejected.json.photos.map((p) => p.status), ["published", "rejected"]);
  assert.ok(!(await stored()).some((k) => k.includes(sent[1])), "a rejected photo and its thumbnail leave R2");
  assert.equal((await adminCall(edge, "POST", `photos/${sent[1]}/approve`)).status, 409, "a rejected photo cannot come back");
  assert.deepEqual((await adminCall(edge, "GET", "reviews?photo_status=pending")).json.reviews, [], "the queue is empty");

  const whole = await adminCall(edge, "POST", `reviews/${id}/reject`, { body: { reason: "uygunsuz" } });
  assert.equal(whole.status, 200, whole.text);
  assert.deepEqual(await stored(), [], "rejecting the review takes its photos' and thumbnails' bytes");
  assert.equal((await fetch(publicUrl(sent[0], true))).status, 404);
});

test("a shop that publishes photos directly shows a photo sent after its review at once", async () => {
  const policy = await adminCall(edge, "PUT", "moderation", { body: { publish_photos: true } });
  assert.equal(policy.status, 200, policy.text);
  assert.equal(policy.json.publish_photos, true);
  try {
    const photoKey = randomUUID();
    const posted = await postReview(edge, review({ product: PRODUCT, photo_key: photoKey }), { origin: ORIGIN });
    assert.equal(posted.status, 201, posted.text);
    const res = await sendPhoto(photo(photoKey, 0));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "published");
    const shown = (await listed()).find((r) => r.id === posted.json.review.id);
    assert.deepEqual(shown.photos.map((p) => p.id), [res.json.id], "joined to the review that came first");
    assert.equal((await fetch(publicUrl(res.json.id))).status, 200);

    const again = await postReview(edge, review({ product: PRODUCT, photo_key: photoKey }), { origin: ORIGIN });
    assert.equal(again.status, 422, "a key names one review");
    assert.match(again.json.error.fields.photo_key, /in use/);
  } finally {
    await adminCall(edge, "PUT", "moderation", { body: { publish_photos: false } });
  }
});

test("only a small JPEG or WebP is taken, judged by its bytes; nothing else is stored", async () => {
  const before = await stored();
  const photoKey = randomUUID();
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
  const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000020000000308060000000000000000", "hex");
  const refused = [
    ["image", { image: dataUrl(svg) }],
    ["image", { image: dataUrl(png, "image/png") }],
    ["image", { image: dataUrl(jpeg(1601, 900)) }],
    ["image", { image: "%%%" }],
    ["thumbnail", { thumbnail: dataUrl(jpeg(401, 300)) }],
    // A thumbnail that is not the image made smaller: the list would show one, the viewer another.
    ["thumbnail", { thumbnail: dataUrl(jpeg(300, 300)) }],
    ["thumbnail", { thumbnail: undefined }],
    ["position", { position: 4 }],
    ["photo_key", { photo_key: "not-a-uuid" }],
  ];
  for (const [field, overrides] of refused) {
    const res = await sendPhoto(photo(photoKey, 0, overrides));
    assert.equal(res.status, 422, `${field}: ${res.text}`);
    assert.deepEqual(Object.keys(res.json.error.fields), [field], res.text);
  }
  const big = await sendPhoto(photo(photoKey, 0, { image: dataUrl(jpeg(1600, 1200, 3 * 1024 * 1024)) }));
  assert.equal(big.status, 413, "a body over the cap is not read");
  assert.deepEqual(await stored(), before, "nothing refused reached R2");
  assert.deepEqual(await edge.query("SELECT id FROM review_photos WHERE photo_key = ?1", photoKey), []);

  const key = randomUUID();
  const first = await sendPhoto(photo(photoKey, 2), { key });
  assert.equal(first.status, 201, first.text);
  const replay = await sendPhoto(photo(photoKey, 2), { key });
  assert.deepEqual(replay.json, first.json, "the outbox's resend gets the first answer");
  const taken = await sendPhoto(photo(photoKey, 2));
  assert.equal(taken.status, 409, "one photo per place");
  assert.equal((await edge.query("SELECT id FROM review_photos WHERE photo_key = ?1", photoKey)).length, 1);
  assert.equal((await stored()).length, before.length + 2, "the refused place left no bytes behind");
});

test("a photo joins its review within a day of it, and a flood of photos without reviews is held off", async () => {
  const photoKey = randomUUID();
  const posted = await postReview(edge, review({ product: PRODUCT, photo_key: photoKey }), { origin: ORIGIN });
  assert.equal(posted.status, 201, posted.text);
  const late = await sendPhoto(photo(photoKey, 0), { headers: { "X-Memnun-Clock-Shift-Ms": String(DAY + 60_000) } });
  assert.equal(late.status, 409, "a key kept for a day cannot add photos to an old review");
  assert.equal((await sendPhoto(photo(photoKey, 0))).status, 201, "within the day it can");

  // As many photos as a shop may hold waiting for their reviews (stored as a flood would).
  const [{ n }] = await edge.query("SELECT COUNT(*) AS n FROM review_photos WHERE shop_id = 'test-shop' AND review_id IS NULL");
  const rows = Array.from({ length: 200 - n }, (_, i) =>
    `('test-shop', 'pflood${i}', NULL, '${randomUUID()}', 0, 'pending', 'ready', 'image/jpeg', 1, 1, 1, ${Date.now()})`);
  await edge.execute(`INSERT INTO review_photos (shop_id, id, review_id, photo_key, position, status, state, content_type, width, height, size, created_at) VALUES ${rows.join(",")};`);
  const held = await sendPhoto(photo(randomUUID(), 0));
  assert.equal(held.status, 429, "no more photos wait for reviews that have not come");
  assert.ok(Number(held.headers.get("retry-after")) > 0, "with when to try again");
  const other = randomUUID();
  assert.equal((await postReview(edge, review({ product: PRODUCT, photo_key: other }), { origin: ORIGIN })).status, 201);
  assert.equal((await sendPhoto(photo(other, 0))).status, 201, "a photo whose review is there is taken");
  await edge.execute("DELETE FROM review_photos WHERE id LIKE 'pflood%';");
});

test("photos whose review never comes are deleted, bytes and all, after a week", async () => {
  const lonely = randomUUID();
  const res = await sendPhoto(photo(lonely, 0));
  assert.equal(res.status, 201);
  // A bot's review is answered as if stored and stores nothing: its photos wait for nothing.
  const bot = await postReview(edge, review({ product: PRODUCT, photo_key: lonely, website: "http://spam.example" }), { origin: ORIGIN });
  assert.equal(bot.status, 202);
  assert.ok((await stored()).some((k) => k.includes(res.json.id)));

  await edge.scheduled(Date.now() + 6 * DAY);
  assert.equal((await edge.query("SELECT id FROM review_photos WHERE id = ?1", res.json.id)).length, 1, "kept while the outbox may still send the review");
  await edge.scheduled(Date.now() + 8 * DAY);
  assert.deepEqual(await edge.query("SELECT id FROM review_photos WHERE id = ?1", res.json.id), []);
  assert.ok(!(await stored()).some((k) => k.includes(res.json.id)), "its bytes are gone");
});

test("a shopper's erasure takes their photos and thumbnails out of R2", async () => {
  const photoKey = randomUUID();
  const posted = await postReview(edge, review({ product: PRODUCT, photo_key: photoKey, email: "foto@example.com" }), { origin: ORIGIN });
  assert.equal(posted.status, 201);
  const sent = await sendPhoto(photo(photoKey, 0));
  assert.equal(sent.status, 201);
  assert.equal((await merchantReview(posted.json.review.id)).photos.length, 1);
  assert.equal((await stored()).filter((k) => k.includes(sent.json.id)).length, 2);

  const exported = await adminCall(edge, "POST", "shoppers/export", { body: { email: "foto@example.com" } });
  assert.equal(exported.status, 200, exported.text);
  assert.deepEqual(exported.json.photos.map((p) => [p.review, p.id, p.position, p.width]), [[posted.json.review.id, sent.json.id, 0, 1600]], "their photos are in their data");
  const erased = await adminCall(edge, "POST", "shoppers/delete", { body: { email: "foto@example.com" } });
  assert.equal(erased.status, 200, erased.text);
  assert.ok(!(await stored()).some((k) => k.includes(sent.json.id)));
  assert.deepEqual(await edge.query("SELECT id FROM review_photos WHERE id = ?1", sent.json.id), []);
});

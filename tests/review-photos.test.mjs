// Photos that come with reviews imported from another tool, against the real worker under
// workerd with local D1 and R2: the import queues them, the scheduled job copies a few each
// minute from the other tool's addresses (a server on 127.0.0.1 here) into R2, judging each by
// its bytes, and the edge serves the copies while their reviews are published. A rejection or a
// shopper's erasure takes the bytes out of R2.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Edge, adminCall, freePort, getReviews, importReviews, png } from "./support/harness.mjs";

const PRODUCT = "8812736512044";
const MINUTE = 60_000;

/** A real PNG of `width` × `height` grey pixels. */
/** A JPEG's markers up to its frame header: what says it is a 640 × 480 JPEG. */
function jpeg() {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x01, 0x01, 0x11, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
}

/** A lossless WebP's header: 5 × 7. */
function webp() {
  const bits = (5 - 1) | ((7 - 1) << 14);
  const vp8l = Buffer.from([0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >> 24) & 0xff, 0, 0, 0]);
  const chunk = Buffer.concat([Buffer.from("VP8L"), Buffer.from([vp8l.length, 0, 0, 0]), vp8l]);
  const riff = Buffer.alloc(12);
  riff.write("RIFF", 0);
  riff.writeUInt32LE(4 + chunk.length, 4);
  riff.write("WEBP", 8);
  return Buffer.concat([riff, chunk]);
}

const hugePng = (() => {
  const p = png(2, 2);
  p.writeUInt32BE(9000, 16);
  p.writeUInt32BE(9000, 20);
  return p;
})();

// What the other tool's addresses answer.
const FILES = {
  "/a.png": { type: "image/png", body: png(3, 2) },
  "/b.jpg": { type: "image/jpeg", body: jpeg() },
  "/c.webp": { type: "image/webp", body: webp() },
  "/page.jpg": { type: "image/jpeg", body: Buffer.from("<html><script>alert(1)</script></html>") },
  "/x.svg": { type: "image/svg+xml", body: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') },
  "/huge.png": { type: "image/png", body: hugePng },
  "/big.jpg": { type: "image/jpeg", body: Buffer.concat([jpeg(), Buffer.alloc(11 * 1024 * 1024)]) },
  "/d.png": { type: "image/png", body: png(4, 4) },
  "/e.png": { type: "image/png", body: png(6, 1) },
};

let edge;
let server;
let origin;
const requests = {};

before(async () => {
  const port = await freePort();
  server = http.createServer((req, res) => {
    requests[req.url] = (requests[req.url] ?? 0) + 1;
    if (req.url === "/moved.jpg") {
      res.writeHead(302, { Location: `${origin}/a.png` }).end();
      return;
    }
    const file = FILES[req.url];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": file.type, "Content-Length": file.body.length }).end(file.body);
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${port}`;
  edge = await Edge.start();
  const catalog = await adminCall(edge, "PUT", "catalog", {
    body: { items: [{ id: PRODUCT, name: { tr: "Fincan" }, price_minor: 1, currency: "TRY", url: "https://shop.example/products/fincan" }] },
  });
  assert.equal(catalog.status, 200);
});
after(async () => {
  await edge?.cleanup();
  await new Promise((resolve) => server?.close(resolve));
});

/** A Judge.me export of `rows` ([body, curated, email, photo paths]). */
function judgeMe(rows) {
  const lines = ["title,body,rating,review_date,curated,reviewer_name,reviewer_email,product_id,picture_urls"];
  rows.forEach(([body, curated, email, photos], i) => {
    const urls = photos.map((p) => (p.startsWith("http") ? p : `${origin}${p}`)).join(",");
    lines.push(`Başlık,${body},5,2024-03-0${i + 1} 10:00:00 UTC,${curated},Alıcı ${i},${email},${PRODUCT},"${urls}"`);
  });
  return lines.join("\n");
}

const importCsv = (csv) => importReviews(edge, csv);

const progress = async () => (await adminCall(edge, "GET", "photos")).json;
const bucket = () => edge.mf.getR2Bucket("PHOTOS");
const stored = async () => (await (await bucket()).list()).objects.map((o) => o.key).sort();
const reviewNamed = async (body) => (await getReviews(edge, PRODUCT, "?limit=50")).json.reviews.find((r) => r.body === body);
const photoUrl = (id) => `${edge.url}/v1/shops/test-shop/photos/${id}`;

/** Runs the every-minute job from `start` on, an hour apart, until no copy waits. */
async function copyAll(start) {
  for (let run = 0, at = start; run < 12; run += 1, at += 61 * MINUTE) {
    await edge.scheduled(at);
    await edge.scheduled(at);
    if ((await progress()).waiting === 0) return;
  }
  assert.fail("copies still waiting after twelve hours");
}

let published;

test("imported photos are copied into R2, judged by their bytes, and shown with their review", async () => {
  const report = await importCsv(judgeMe([
    ["Fotoğraflı yorum", "ok", "", ["/a.png", "/b.jpg", "/c.webp"]],
    ["Sahte fotoğraflar", "ok", "", ["/page.jpg", "/x.svg"]],
    ["Sorunlu fotoğraflar", "ok", "", ["/huge.png", "/big.jpg", "/missing.jpg", "/moved.jpg", "https://169.254.169.254/latest/meta-data.jpg"]],
    ["Spam yorum", "spam", "", ["/a.png"]],
  ]));
  assert.equal(report.imported, 4);
  assert.equal(report.photos, 10, "a rejected review's photos are not queued");
  assert.deepEqual(await progress(), { waiting: 10, copied: 0, failed: 0, problems: [] });
  assert.deepEqual(await stored(), [], "nothing copied before the job runs");

  const start = Date.now();
  await edge.scheduled(start);
  const first = await progress();
  assert.equal(first.copied + first.problems.length, 5, "five copies a run");
  assert.ok(first.problems.every((p) => !p.given_up && p.attempts === 1), "a first failure is tried again");
  await copyAll(start);

  const after = await progress();
  assert.deepEqual([after.waiting, after.copied, after.failed], [0, 3, 7]);
  const why = Object.fromEntries(after.problems.map((p) => [p.source_url.replace(origin, ""), p]));
  assert.ok(after.problems.every((p) => p.given_up && p.attempts === 3), JSON.stringify(after.problems));
  assert.match(why["/page.jpg"].error, /not a JPEG, PNG or WebP image/, "the bytes, not the type it was sent as");
  assert.match(why["/x.svg"].error, /not a JPEG, PNG or WebP image/);
  assert.match(why["/huge.png"].error, /pixels/);
  assert.match(why["/big.jpg"].error, /larger than 10 MiB/);
  assert.match(why["/missing.jpg"].error, /answered 404/);
  assert.match(why["/moved.jpg"].error, /answered 302/, "a redirect is not followed");
  assert.match(why["https://169.254.169.254/latest/meta-data.jpg"].error, /public address/);
  assert.equal(requests["/moved.jpg"], 3, "tried three times");
  assert.equal(requests["/a.png"], 1, "the redirect's target was never fetched by it, nor the spam review's photo");

  const review = await reviewNamed("Fotoğraflı yorum");
  assert.deepEqual(review.photos.map((p) => [p.width, p.height]), [[3, 2], [640, 480], [5, 7]], "in their order, with their sizes");
  assert.equal((await reviewNamed("Sahte fotoğraflar")).photos, undefined, "no photo, no field");
  assert.equal((await stored()).length, 3, "only what passed is in R2");

  const res = await fetch(photoUrl(review.photos[0].id));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/png");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("cache-control"), "public, max-age=86400, s-maxage=300", "a day in a browser; five minutes in a shared cache, so a photo taken down does not live on there");
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), FILES["/a.png"].body, "the same bytes");
  published = review;

  const feed = await (await fetch(`${edge.url}/v1/shops/test-shop/feeds/google-product-reviews.xml`)).text();
  const images = review.photos.map((p) => `<reviewer_image><url>${photoUrl(p.id)}</url></reviewer_image>`).join("");
  assert.ok(feed.includes(`<reviewer_images>${images}</reviewer_images>`), "Google's feed lists them too");

  const again = await importCsv(judgeMe([["Fotoğraflı yorum", "ok", "", ["/a.png", "/b.jpg", "/c.webp"]]]));
  assert.deepEqual([again.imported, again.photos], [0, 0], "the same file again queues nothing");
});

test("a photo is served only while it and its review are published; a rejection takes it out of R2", async () => {
  for (const bad of ["../a", "p%2F..%2Fx", "nope"]) {
    assert.equal((await fetch(photoUrl(bad))).status, 404, bad);
  }
  const other = await fetch(`${edge.url}/v1/shops/other-shop/photos/${published.photos[0].id}`);
  assert.equal(other.status, 404, "another shop's path does not serve it");

  const pending = await importCsv(judgeMe([["Bekleyen fotoğraflı", "not-yet", "", ["/d.png"]]]));
  assert.equal(pending.photos, 1, "a held review's photos are copied, to be shown if it is approved");
  await copyAll(Date.now());
  const [{ id: pendingReview }] = await edge.query("SELECT id FROM reviews WHERE body = 'Bekleyen fotoğraflı'");
  const [{ id: pendingPhoto }] = await edge.query("SELECT id FROM review_photos WHERE review_id = ?1", pendingReview);
  assert.equal((await fetch(photoUrl(pendingPhoto))).status, 404, "held: not shown");
  assert.equal((await adminCall(edge, "POST", `reviews/${pendingReview}/approve`)).status, 200);
  assert.equal((await fetch(photoUrl(pendingPhoto))).status, 200, "approved: shown");

  const before = await stored();
  const rejected = await adminCall(edge, "POST", `reviews/${published.id}/reject`, { body: { reason: "fotoğraflar uygunsuz" } });
  assert.equal(rejected.status, 200, rejected.text);
  for (const photo of published.photos) assert.equal((await fetch(photoUrl(photo.id))).status, 404);
  const after = await stored();
  assert.equal(after.length, before.length - 3, "its three photos left R2");
  assert.ok(published.photos.every((p) => !after.some((key) => key.endsWith(p.id))));
});

test("a shopper's erasure takes their photos out of R2", async () => {
  const report = await importCsv(judgeMe([["Silinecek fotoğraflı", "ok", "silinecek@example.com", ["/e.png"]]]));
  assert.equal(report.photos, 1);
  await copyAll(Date.now());
  const review = await reviewNamed("Silinecek fotoğraflı");
  assert.equal(review.photos.length, 1);
  const key = (await stored()).find((k) => k.endsWith(review.photos[0].id));
  assert.ok(key, "copied");

  const erased = await adminCall(edge, "POST", "shoppers/delete", { body: { email: "silinecek@example.com" } });
  assert.equal(erased.status, 200, erased.text);
  assert.ok(!(await stored()).includes(key), "its bytes are gone");
  assert.equal((await fetch(photoUrl(review.photos[0].id))).status, 404);
  assert.deepEqual(await edge.query("SELECT id FROM review_photos WHERE review_id = ?1", review.id), []);
});

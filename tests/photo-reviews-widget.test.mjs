// Photo reviews in a real Chromium on a phone-sized screen, on the demo shop's pages with their
// strict CSP, against the real worker under workerd with local D1 and R2: a shopper adds photos
// (made smaller and re-encoded in the browser, what the camera wrote about them gone), sends the
// review while the edge is down, and everything arrives once it is back (the review from the
// outbox's storage, the photos from the page, which says to keep it open); the merchant approves
// the photos; the list shows their thumbnails, a "with photos" filter, and a viewer used by
// keyboard alone; axe finds nothing wrong in any of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startShopInBrowser, adminCall, axeViolations as audit, phone as phoneIn, png as pngOf, until } from "./support/harness.mjs";

const PRODUCT = "kahve-fincani-01";
const PRODUCT_PAGE = `/products/${PRODUCT}.html`;
const DEMO_KEY = "mk_demo_local_only";
// What a camera writes beside the pixels: where the photo was taken. It must not leave the phone.
const WHERE = "GPS 41.0082 N 28.9784 E memnun-test-location";
let stack, edge, site, browser;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
});
after(async () => {
  await stack?.stop();
});

const png = (width, height) => pngOf(width, height, { text: `Location\0${WHERE}` });
const phone = () => phoneIn(browser);

const widget = (page) => page.locator('[data-memnun="reviews"]');

test("a photo review written on a phone while the edge is down arrives whole, and is shown with a keyboard viewer", async () => {
  const body = `Cezve fotoğraflarıyla ${Date.now()}`;
  const { context, page } = await phone();
  await page.goto(site.url + PRODUCT_PAGE);
  const w = widget(page);
  await w.locator("button.write-open").click();
  await w.locator("form[aria-labelledby=memnun-form-heading]").waitFor();
  const started = Date.now();
  await w.locator("#memnun-rating-0").focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  await w.locator("#memnun-title").fill("Fotoğraflı cezve");
  await w.locator("#memnun-body").fill(body);
  await w.locator("#memnun-author").fill("Elif");

  // Two photos from the phone, one of them larger than the edge takes, and a file that is not one.
  const picker = w.locator("#memnun-photos");
  await picker.setInputFiles([
    { name: "IMG_0001.png", mimeType: "image/png", buffer: png(2400, 1800) },
    { name: "IMG_0002.png", mimeType: "image/png", buffer: png(900, 1200) },
  ]);
  await w.getByRole("img", { name: "Fotoğrafınız 2" }).waitFor();
  await picker.setInputFiles([{ name: "not-a-photo.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<html>nope</html>") }]);
  await w.getByText("fotoğraf olarak okunamadı").waitFor();
  assert.equal(await w.locator("form .photos img").count(), 2, "the unreadable file was not added");
  assert.deepEqual(await audit(page), [], "the form with its photos");

  await edge.stop();
  await new Promise((r) => setTimeout(r, Math.max(0, started + 3500 - Date.now())));
  await w.getByRole("button", { name: "Değerlendirmeyi gönder" }).click();
  await w.locator('[role="status"]', { hasText: "fotoğraflarınız da gönderilene kadar bu sayfayı açık tutun" }).waitFor();
  const queued = JSON.parse(await page.evaluate(() => localStorage.getItem("memnun:outbox:v1")));
  assert.deepEqual(queued.map((q) => new URL(q.url).pathname), ["/v1/shops/demo/reviews"],
    "the review waits in the outbox; the photos, megabytes the shop's own storage has no room for, in this page");
  assert.equal(await w.locator("form .photos img").count(), 0, "the form is cleared");

  // The connection comes back while the shopper is still on the page.
  await edge.start();
  const later = page;
  const stored = await until("the review", async () => edge.query("SELECT id FROM reviews WHERE body = ?1", body).then((r) => r[0]));
  const photos = await until("both photos", async () => {
    const rows = await edge.query("SELECT id, position, status, content_type, width, height FROM review_photos WHERE review_id = ?1 ORDER BY position", stored.id);
    return rows.length === 2 && rows;
  });
  await later.waitForFunction(() => localStorage.getItem("memnun:outbox:v1") === null);
  assert.equal((await edge.query("SELECT COUNT(*) AS n FROM reviews WHERE body = ?1", body))[0].n, 1, "stored once");
  assert.deepEqual(photos.map((p) => [p.position, p.status, p.width, p.height]), [[0, "pending", 1600, 1200], [1, "pending", 900, 1200]], "the large one made 1600 pixels wide; held for the merchant");
  assert.match(photos[0].content_type, /^image\/(webp|jpeg)$/, "re-encoded, not the PNG sent");
  const r2 = await edge.mf.getR2Bucket("PHOTOS");
  for (const photo of photos) {
    for (const key of [`photos/demo/${photo.id}`, `photos/demo/${photo.id}/thumbnail`]) {
      const object = await r2.get(key);
      assert.ok(object, key);
      const bytes = Buffer.from(await object.arrayBuffer());
      assert.ok(!bytes.includes(Buffer.from(WHERE)), `${key} carries nothing of where it was taken`);
    }
  }
  await later.close();

  const admin = (method, p, b) => adminCall(edge, method, p, { key: DEMO_KEY, body: b });
  const queue = (await admin("GET", "reviews?photo_status=pending")).json.reviews;
  assert.deepEqual(queue.map((r) => r.id), [stored.id], "the photos wait in the merchant's queue");
  for (const photo of photos) assert.equal((await admin("POST", `photos/${photo.id}/approve`)).status, 200);

  // The list, on the phone: thumbnails, the filter, the viewer.
  const page2 = (await phone()).page;
  await page2.goto(site.url + PRODUCT_PAGE);
  const list = widget(page2);
  const item = list.locator("li.review", { hasText: body });
  const thumbnails = item.locator("ul.photos button");
  await until("the thumbnails", async () => (await thumbnails.count()) === 2);
  const first = item.locator("ul.photos img").first();
  assert.equal(await first.getAttribute("loading"), "lazy");
  assert.match(await first.getAttribute("alt"), /^Fotoğraf 1 \/ 2: Fotoğraflı cezve \(Elif\)$/, "the alt text says which review it is in");
  assert.match(await first.getAttribute("src"), new RegExp(`/v1/shops/demo/photos/${photos[0].id}/thumbnail$`));
  await first.scrollIntoViewIfNeeded();
  await page2.waitForFunction((el) => el.complete && el.naturalWidth === 400, await first.elementHandle());
  assert.deepEqual(await audit(page2), [], "the list with thumbnails");

  // By keyboard alone: open, step with the arrow keys, close with Escape, back where it was.
  await thumbnails.first().focus();
  await page2.keyboard.press("Enter");
  const viewer = list.locator("dialog.viewer");
  await viewer.waitFor({ state: "visible" });
  assert.equal(await viewer.getAttribute("aria-label"), "Fotoğraf 1 / 2: Fotoğraflı cezve (Elif)");
  const full = viewer.locator("img");
  assert.match(await full.getAttribute("src"), new RegExp(`/photos/${photos[0].id}$`), "the full photo");
  await page2.waitForFunction((el) => el.complete && el.naturalWidth === 1600, await full.elementHandle());
  assert.deepEqual(await audit(page2), [], "the viewer");
  await page2.keyboard.press("ArrowRight");
  await viewer.locator("span", { hasText: "Fotoğraf 2 / 2" }).waitFor();
  assert.match(await full.getAttribute("src"), new RegExp(`/photos/${photos[1].id}$`));
  await page2.keyboard.press("ArrowRight");
  await viewer.locator("span", { hasText: "Fotoğraf 1 / 2" }).waitFor();
  await viewer.getByRole("button", { name: "Sonraki fotoğraf" }).click();
  await viewer.locator("span", { hasText: "Fotoğraf 2 / 2" }).waitFor();
  await page2.keyboard.press("Escape");
  await viewer.waitFor({ state: "hidden" });
  await page2.waitForFunction(
    () => document.querySelector('[data-memnun="reviews"]').shadowRoot.activeElement?.querySelector("img")?.alt.startsWith("Fotoğraf 2 / 2"),
  );

  // "With photos": only the reviews that have them, the photos drawn again for the new page.
  await item.locator("ul.photos").evaluate((ul) => ul.setAttribute("data-drawn-before", ""));
  await list.locator(".controls select").last().selectOption({ label: "Fotoğraflı" });
  await until("the filtered list", async () => (await list.locator("li.review").count()) === 1);
  await until("the photos drawn again", async () => (await list.locator("ul.photos[data-drawn-before]").count()) === 0);
  assert.equal(await list.locator("li.review ul.photos button").count(), 2);
  assert.deepEqual(page2.errors, [], "no script error, and no photo blocked by the page's CSP");
  await page2.context().close();
  await context.close();
});

// The review request email followed as a shopper would, in a real Chromium on the demo shop:
// the edge sends it through a provider's API (the capture server stands in for Resend), the
// shopper clicks its fourth star, and the product page's form opens with four stars chosen as a
// verified purchase; the review is sent and the reminder is not.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startShopInBrowser, adminCall } from "./support/harness.mjs";
import { EmailCapture } from "./support/email-capture.mjs";

const DEMO_KEY = "mk_demo_local_only";
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
let stack, edge, site, browser, capture;

before(async () => {
  capture = await EmailCapture.start();
  stack = await startShopInBrowser({ vars: { EMAIL_API_BASE: capture.url } });
  ({ edge, site, browser } = stack);
  const pages = await admin("PUT", "shop", { product_page: `${site.url}/products/{product}.html` });
  assert.equal(pages.status, 200, pages.text);
});
after(async () => {
  await stack?.stop();
  await capture?.stop();
});

const admin = (method, p, body) => adminCall(edge, method, p, { key: DEMO_KEY, body });

test("the fourth star in the email opens the form with four stars chosen; the verified review stops the reminder", async () => {
  const settings = await admin("PUT", "outreach", {
    sending: true, provider: "resend", api_key: "re_demo_widget", sender: "Atölye Demo <magaza@atolye.example>",
    quiet_hours: { start: 0, end: 0 }, cap_days: 0, review_request: { on: true, days: 0, reminder_days: 5 },
  });
  assert.equal(settings.status, 200, settings.text);
  const delivered = Date.now() - MINUTE;
  assert.equal((await admin("PUT", "orders/E-1", {
    number: "E-1001", email: "yildiz@example.com", locale: "tr",
    items: [{ product: "kahve-fincani-01", quantity: 1 }], shipments: [{ id: "s1", carrier: "Aras Kargo" }],
  })).status, 200);
  assert.equal((await admin("POST", "orders/E-1/events", { events: [{ shipment: "s1", status: "delivered", time: delivered }] })).status, 200);
  await edge.scheduled(delivered + MINUTE);
  const [mail] = capture.sent;
  assert.ok(mail, "the request was sent");
  const hrefs = [...mail.html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1].replaceAll("&amp;", "&"));
  const fourth = hrefs.find((h) => h.endsWith("&memnun-rating=4"));
  assert.ok(fourth?.startsWith(`${site.url}/products/kahve-fincani-01.html#memnun-review=v1.`), fourth);

  const context = await browser.newContext({ locale: "tr-TR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(fourth);
  const w = page.locator('[data-memnun="reviews"]');
  await w.scrollIntoViewIfNeeded();
  await w.getByText("doğrulanmış alışveriş olarak işaretlenecek").waitFor();
  const started = Date.now();
  assert.equal(await w.locator("#memnun-rating-4").isChecked(), true, "four stars chosen");
  assert.equal(await w.locator("#memnun-rating-5").isChecked(), false);
  await w.locator("#memnun-body").fill("E-postadaki yıldızla geldim; fincan çok güzel.");
  await w.locator("#memnun-author").fill("Yıldız");
  const wait = started + 3500 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await w.getByRole("button", { name: "Değerlendirmeyi gönder" }).click();
  await w.locator('[role="status"]', { hasText: "Teşekkürler" }).waitFor();
  const [stored] = await edge.query("SELECT rating, verified, order_id FROM reviews WHERE author = 'Yıldız'");
  assert.deepEqual({ ...stored }, { rating: 4, verified: 1, order_id: "E-1" });
  assert.deepEqual(errors, []);
  await context.close();

  await edge.scheduled(Date.now() + 6 * DAY);
  assert.equal(capture.sent.length, 1, "no reminder after the review");
});

// The worker is killed in the middle of a load and started again: the writes the widgets had
// accepted from shoppers wait in the browser-side queue and arrive once the edge is back, exactly
// once; and HTTP clients that retry with the same key lose nothing and double nothing either.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startShopInBrowser, adminCall, newClient, review } from "./support/harness.mjs";

const DEMO_KEY = "mk_demo_local_only";
const PRODUCT_PAGE = "/products/kahve-fincani-01.html";
let stack, edge, site, browser;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
  const pages = await adminCall(edge, "PUT", "shop", { key: DEMO_KEY, body: { survey_page: `${site.url}/anket.html` } });
  assert.equal(pages.status, 200, pages.text);
});
after(async () => {
  await stack?.stop();
});

/** A client that sends one review until it is answered (the same key every time), as a
 * widget's queue does; it gives up only after `deadline`. */
async function persistentWrite(i, deadline) {
  const key = randomUUID();
  const marker = `Q${i}-${key.slice(0, 8)}`;
  const body = JSON.stringify(review({ product: "kahve-fincani-01", title: marker, body: `Yeniden başlatma yükü ${marker}` }));
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${edge.url}/v1/shops/demo/reviews`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: site.url, "Idempotency-Key": key, "CF-Connecting-IP": newClient() },
        body,
      });
      await res.arrayBuffer();
      if (res.status === 201) return marker;
      if (res.status < 500) throw new Error(`refused: ${res.status}`);
    } catch (e) {
      if (String(e).includes("refused")) throw e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

async function waitFor(check, what, ms = 45_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test("killed mid-load and restarted: the queued review and survey answer, and every retried write, arrive exactly once", { timeout: 180_000 }, async () => {
  // A delivered order and its survey link, made while the edge is up.
  const admin = (method, p, body) => adminCall(edge, method, p, { key: DEMO_KEY, body });
  assert.equal((await admin("PUT", "orders/QR-1", { number: "9801", placed_at: Date.now() - 72 * 3600 * 1000, items: [{ product: "kahve-fincani-01", quantity: 1 }], shipments: [{ id: "s1", carrier: "Aras" }] })).status, 200);
  assert.equal((await admin("POST", "orders/QR-1/events", { events: [{ shipment: "s1", status: "delivered", time: Date.now() }] })).status, 200);
  const survey = (await admin("POST", "orders/QR-1/links")).json.survey.url;

  const context = await browser.newContext({ locale: "tr-TR" });
  const product = await context.newPage();
  await product.goto(site.url + PRODUCT_PAGE);
  const reviews = product.locator('[data-memnun="reviews"]');
  await reviews.locator("form").waitFor();
  const started = Date.now();
  const surveyPage = await context.newPage();
  await surveyPage.goto(survey);
  const w = surveyPage.locator('[data-memnun="survey"]');
  await w.getByRole("group", { name: /önerme olasılığınız/ }).waitFor();

  // The load starts; the worker is killed in its middle.
  const deadline = Date.now() + 120_000;
  const load = Array.from({ length: 60 }, (_, i) => new Promise((r) => setTimeout(r, i * 15)).then(() => persistentWrite(i, deadline)));
  await new Promise((r) => setTimeout(r, 300));
  await edge.stop();

  // While it is down, a shopper writes a review and answers the survey's first question.
  const body = `Sunucu yeniden başlarken yazıldı ${Date.now()}`;
  await reviews.locator("#memnun-rating-0").focus();
  for (let i = 0; i < 5; i++) await product.keyboard.press("ArrowRight");
  await reviews.locator("#memnun-body").fill(body);
  await reviews.locator("#memnun-author").fill("Yeniden Başlatma");
  await new Promise((r) => setTimeout(r, Math.max(0, started + 3500 - Date.now())));
  await reviews.getByRole("button", { name: "Değerlendirmeyi gönder" }).click();
  await reviews.locator('[role="status"]', { hasText: "kaydedildi" }).waitFor();
  await w.locator(".point").filter({ hasText: /^8$/ }).click();
  await w.getByRole("button", { name: "İleri" }).click();
  await waitFor(async () => {
    const queued = JSON.parse((await product.evaluate(() => localStorage.getItem("memnun:outbox:v1"))) ?? "[]");
    return queued.length === 2;
  }, "both writes in the browser's queue");

  await new Promise((r) => setTimeout(r, 1000));
  await edge.start();

  const markers = await Promise.all(load);
  assert.ok(markers.every(Boolean), "every retried write was answered once the edge was back");
  await waitFor(async () => (await edge.query("SELECT COUNT(*) AS n FROM reviews WHERE body = ?1", body))[0].n > 0, "the queued review");
  await waitFor(async () => (await edge.query("SELECT nps FROM survey_responses WHERE shop_id = 'demo' AND order_id = 'QR-1'"))[0]?.nps === 8, "the queued survey answer");
  await product.waitForFunction(() => localStorage.getItem("memnun:outbox:v1") === null, null, { timeout: 45_000 });
  // Exactly once: the queue's review, and each load write.
  assert.equal((await edge.query("SELECT COUNT(*) AS n FROM reviews WHERE body = ?1", body))[0].n, 1);
  const stored = await edge.query("SELECT title, COUNT(*) AS n FROM reviews WHERE title LIKE 'Q%' GROUP BY title");
  assert.deepEqual(stored.map((r) => r.title).sort(), [...markers].sort());
  assert.ok(stored.every((r) => r.n === 1));
  console.log(`restart: ${markers.length} retried writes and 2 queued shopper writes, each stored once, lost 0`);
  await context.close();
});

// The order tracker widget in a real Chromium, on the demo shop's tracker page (strict CSP),
// against the real worker: opened from a link's token or by number and email, the timeline at a
// glance, the invitations once the order is delivered, and "Something wrong?" (by keyboard, and
// offline: the complaint waits on the device and opens one case when it arrives).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { startShopInBrowser, adminCall, ROOT } from "./support/harness.mjs";

const TRACKER_PAGE = "/siparis-takip.html";
const DEMO_KEY = "mk_demo_local_only";
const HOUR = 3600 * 1000;
let stack, edge, site, browser;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
  const pages = await admin("PUT", "shop", {
    tracker_page: `${site.url}${TRACKER_PAGE}`,
    survey_page: `${site.url}/anket.html`,
    product_page: `${site.url}/products/{product}.html`,
  });
  assert.equal(pages.status, 200, pages.text);
});
after(async () => {
  await stack?.stop();
});

const admin = (method, p, body) => adminCall(edge, method, `${p}`, { key: DEMO_KEY, body });
const tracker = (page) => page.locator('[data-memnun="order-tracker"]');

async function newOrder(id, number, email) {
  const t = Date.now();
  const put = await admin("PUT", `orders/${id}`, {
    number,
    email,
    placed_at: t - 30 * HOUR,
    items: [{ product: "kahve-fincani-01", quantity: 2 }, { product: "linen-shirt-02", quantity: 1 }],
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK9", tracking_url: "https://kargo.example/YK9",
      estimated_delivery: { date: new Date(t + 48 * HOUR).toISOString().slice(0, 10), source: "carrier" } }],
  });
  assert.equal(put.status, 200, put.text);
  const events = await admin("POST", `orders/${id}/events`, { events: [
    { shipment: "s1", status: "shipped", time: t - 20 * HOUR, location: "İstanbul Anadolu Aktarma" },
    { shipment: "s1", status: "in_transit", time: t - 2 * HOUR, location: "Ankara Aktarma" },
  ] });
  assert.equal(events.status, 200, events.text);
  return (await admin("POST", `orders/${id}/links`)).json;
}

async function openPage(url) {
  const context = await browser.newContext({ locale: "tr-TR", timezoneId: "Europe/Istanbul" });
  const page = await context.newPage();
  page.errors = [];
  page.fetched = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("request", (r) => page.fetched.push(new URL(r.url()).pathname));
  await page.goto(url);
  return page;
}

describe("order tracker widget", () => {
  test("opened from a tracker link: the current state first, the steps, each event with its place", async () => {
    const links = await newOrder("TW-1", "8801", "deniz@example.com");
    const page = await openPage(links.tracker.url);
    const w = tracker(page);
    await w.locator(".current-state").waitFor();
    assert.equal(await w.locator(".current-state").innerText(), "Yolda");
    assert.equal(await w.locator(".steps li.current").innerText(), "Yolda");
    assert.equal(await w.locator(".steps li.done").count(), 4, "ordered, confirmed, packed, shipped");
    const events = await w.locator(".events li").allInnerTexts();
    assert.equal(events.length, 2);
    assert.match(events[0], /Yolda · Ankara Aktarma/, "newest first");
    assert.match(events[1], /Kargoya verildi · İstanbul Anadolu Aktarma/);
    assert.equal(await w.getByRole("link", { name: "Kargo firmasında izle" }).getAttribute("href"), "https://kargo.example/YK9");
    assert.match(await w.locator(".memnun-tracker").innerText(), /Tahmini teslim: .+ \(kargo firmasının tahmini\)/);
    assert.ok(!(await w.locator(".memnun-tracker").innerText()).includes("deniz@example.com"), "never the email");
    assert.equal(await w.getByText("Bir sorun mu var?").count(), 0, "on its way, with news: nothing is wrong yet");
    assert.ok(!page.fetched.some((p) => p.includes("memnun-product-")), "an order page never fetches the product module");
    const axeSource = await fs.readFile(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document.querySelector('[data-memnun="order-tracker"]'), {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      });
      return result.violations.map((v) => `${v.id}: ${v.help}`);
    });
    assert.deepEqual(violations, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("found by number and email; a wrong try says so without saying which part; a reload keeps it", async () => {
    await newOrder("TW-2", "8802", "kerem@example.com");
    const page = await openPage(`${site.url}${TRACKER_PAGE}`);
    const w = tracker(page);
    await w.getByLabel("Sipariş numarası").fill("8802");
    await w.getByLabel("E-posta").fill("someone@example.com");
    await w.getByRole("button", { name: "Siparişimi bul" }).click();
    await w.getByRole("alert").filter({ hasText: "bulamadık" }).waitFor();
    await w.getByLabel("E-posta").fill("Kerem@Example.com");
    await w.getByRole("button", { name: "Siparişimi bul" }).click();
    await w.locator(".current-state").waitFor();
    assert.match(await w.locator(".memnun-tracker").innerText(), /Sipariş 8802/);
    await page.reload();
    await w.locator(".current-state").waitFor();
    assert.match(await w.locator(".memnun-tracker").innerText(), /Sipariş 8802/, "the tab remembers the order");
    await w.getByRole("button", { name: "Başka bir sipariş" }).click();
    await w.getByLabel("Sipariş numarası").waitFor();
    await page.context().close();
  });

  test("after a delivered event through the API, the review and survey invitations appear", async () => {
    const links = await newOrder("TW-3", "8803", "selin@example.com");
    const page = await openPage(links.tracker.url);
    const w = tracker(page);
    await w.locator(".current-state").waitFor();
    assert.equal(await w.locator(".invite").count(), 0);
    const delivered = await admin("POST", "orders/TW-3/events", { events: [{ shipment: "s1", status: "delivered", time: Date.now(), location: "Kadıköy" }] });
    assert.equal(delivered.status, 200);
    await page.reload();
    await w.locator(".invite").waitFor();
    assert.equal(await w.locator(".current-state").innerText(), "Teslim edildi");
    const hrefs = await w.locator(".invite a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.equal(hrefs.length, 3, "two products to review and the survey");
    assert.ok(hrefs[0].startsWith(`${site.url}/products/kahve-fincani-01.html#memnun-review=v1.`), hrefs[0]);
    assert.ok(hrefs[2].startsWith(`${site.url}/anket.html#memnun=v1.`), hrefs[2]);
    assert.equal(await w.getByText("Tahmini teslim").count(), 0, "no estimate once delivered");
    // The review link opens the product page's form as a verified purchase.
    await page.goto(hrefs[0]);
    await page.locator('[data-memnun="reviews"]').getByText("doğrulanmış alışveriş olarak işaretlenecek").waitFor();
    await page.context().close();
  });

  test("something wrong: written by keyboard while offline, it waits on the device and opens one case", async () => {
    const links = await newOrder("TW-4", "8804", "ece@example.com");
    const delivered = await admin("POST", "orders/TW-4/events", { events: [{ shipment: "s1", status: "delivered", time: Date.now() }] });
    assert.equal(delivered.status, 200, delivered.text);
    const page = await openPage(links.tracker.url);
    const w = tracker(page);
    await w.locator(".invite").waitFor();
    await page.context().setOffline(true);
    await w.getByText("Bir sorun mu var?").focus();
    await page.keyboard.press("Enter");
    const box = w.getByLabel("Mağazaya ne olduğunu yazın");
    await box.waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await box.evaluate((el) => el === el.getRootNode().activeElement), true, "Tab reaches the box");
    await page.keyboard.type("Fincanlardan biri kırık geldi.");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await w.getByText("Bu cihaza kaydedildi").waitFor();
    const cases = () => edge.query("SELECT c.id, c.signals, h.detail FROM cases c JOIN case_history h ON h.case_id = c.id WHERE c.shop_id = 'demo' AND c.order_id = 'TW-4'");
    assert.deepEqual(await cases(), [], "nothing arrived while offline");
    await page.context().setOffline(false);
    // The outbox retries on its own; the form says when the edge took it.
    await w.getByText("İletildi").waitFor({ timeout: 45_000 });
    assert.equal((await cases()).length, 1);
    const [opened] = await cases();
    assert.equal(opened.signals, 1);
    assert.equal(JSON.parse(opened.detail).message, "Fincanlardan biri kırık geldi.");
    await page.reload();
    await w.locator(".invite").waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem("memnun:outbox:v1")), null, "the device's queue is empty");
    assert.equal((await cases()).length, 1, "sent once");
    assert.deepEqual(page.errors.filter((e) => !e.includes("Failed to fetch")), []);
    await page.context().close();
  });

  test("an order Shopify's webhooks brought (created, paid, fulfilled with a Yurtiçi number, in transit, delivered): the carrier's page, the survey, a verified review", async () => {
    const secret = "shpss_tracker_widget_test_0123456789";
    assert.equal((await admin("PUT", "connectors/shopify", { secret })).status, 200);
    const order = JSON.parse(await fs.readFile(path.join(ROOT, "tests/fixtures/shopify/order.json"), "utf8"));
    const id = 5923418795001;
    const parcel = (shipment_status, updated_at) => ({ ...order.fulfillments[0], order_id: id, shipment_status, updated_at, tracking_url: null, tracking_urls: [] });
    const life = [
      ["orders/create", { ...order, id, order_number: 8805, name: "#8805", financial_status: "pending", fulfillments: [], updated_at: "2026-11-20T13:04:11+03:00" }],
      ["orders/paid", { ...order, id, order_number: 8805, name: "#8805", fulfillments: [], updated_at: "2026-11-20T13:05:02+03:00" }],
      ["fulfillments/create", parcel(null, "2026-11-21T10:15:00+03:00")],
      ["fulfillments/update", parcel("in_transit", "2026-11-22T08:30:00+03:00")],
    ];
    const deliver = async (topic, payload) => {
      const body = JSON.stringify(payload);
      const res = await fetch(`${edge.url}/v1/connectors/shopify/demo`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": crypto.randomUUID(), "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body).digest("base64") },
        body,
      });
      assert.equal(res.status, 200, `${topic}: ${await res.text()}`);
    };
    for (const [topic, payload] of life) await deliver(topic, payload);

    // The shopper finds it by the receipt's number and the email they gave Shopify.
    const page = await openPage(`${site.url}${TRACKER_PAGE}`);
    const w = tracker(page);
    await w.getByLabel("Sipariş numarası").fill("8805");
    await w.getByLabel("E-posta").fill("ayse.yilmaz@example.com.tr");
    await w.getByRole("button", { name: "Siparişimi bul" }).click();
    await w.locator(".current-state").waitFor();
    assert.equal(await w.locator(".current-state").innerText(), "Yolda");
    assert.equal(
      await w.getByRole("link", { name: "Kargo firmasında izle" }).getAttribute("href"),
      "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=302785463910",
      "Shopify gave no tracking URL: the carrier's own page",
    );

    await deliver("fulfillments/update", parcel("delivered", "2026-11-23T14:02:00+03:00"));
    await page.reload();
    await w.locator(".invite").waitFor();
    const hrefs = await w.locator(".invite a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    const survey = hrefs.find((h) => h.startsWith(`${site.url}/anket.html#memnun=v1.`));
    const review = hrefs.find((h) => h.startsWith(`${site.url}/products/8812736512044.html#memnun-review=v1.`));
    assert.ok(survey && review, hrefs.join("\n"));

    await page.goto(survey);
    await page.locator('[data-memnun="survey"]').getByRole("group", { name: /önerme olasılığınız/ }).waitFor();
    // The demo shop's page for Shopify's product 8812736512044 (demo-site/products).
    await page.goto(review);
    await page.locator('[data-memnun="reviews"]').scrollIntoViewIfNeeded();
    await page.locator('[data-memnun="reviews"]').getByText("doğrulanmış alışveriş olarak işaretlenecek").waitFor();
    await page.context().close();
    assert.equal((await admin("DELETE", "connectors/shopify")).status, 204);
  });
});

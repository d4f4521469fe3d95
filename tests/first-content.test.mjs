// When the widget is the page (the survey page, the order-tracking page) its first content is the
// page's: in a real Chromium on the demo shop (strict CSP) against the real worker, nothing on
// those pages moves while the widget loads, whatever it first shows; and every kind of widget's
// first data is asked for beside its module, not after it.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startShopInBrowser, adminCall, observePerformance, until, demoCatalog } from "./support/harness.mjs";

const DEMO_KEY = "mk_demo_local_only";
const HOUR = 3600 * 1000;
let stack, edge, site, browser;
let orders = 0;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
  const pages = await admin("PUT", "shop", {
    tracker_page: `${site.url}/siparis-takip.html`,
    survey_page: `${site.url}/anket.html`,
    product_page: `${site.url}/products/{product}.html`,
  });
  assert.equal(pages.status, 200, pages.text);
  // The demo's catalog, with its pages and pictures on the demo site; and baskets, so the product
  // page's strip has something to show.
  const catalog = await demoCatalog(site.url);
  const put = await admin("PUT", "catalog", { mode: "replace", items: catalog });
  assert.equal(put.status, 200, put.text);
  for (const [i, items] of [["kahve-fincani-01", "cezve-04"], ["kahve-fincani-01", "kupa-05"]].entries()) {
    const r = await admin("PUT", `orders/FC-B${i}`, { number: `FC-B${i}`, items: items.map((product) => ({ product, quantity: 1 })) });
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => {
  await stack?.stop();
});

const admin = (method, p, body) => adminCall(edge, method, p, { key: DEMO_KEY, body });

/** A delivered order of the demo shop, with a shipment's history; its tracker and survey links. */
async function deliveredOrder() {
  orders += 1;
  const id = `FC-${orders}`;
  const t = Date.now();
  const put = await admin("PUT", `orders/${id}`, {
    number: String(9900 + orders),
    email: `first${orders}@example.com`,
    placed_at: t - 72 * HOUR,
    // The gift wrap is not in the catalog.
    items: [{ product: "kahve-fincani-01", quantity: 2 }, { product: "linen-shirt-02", quantity: 1 }, { product: "hediye-paketi", quantity: 1 }],
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK1", tracking_url: "https://kargo.example/YK1" }],
  });
  assert.equal(put.status, 200, put.text);
  const events = await admin("POST", `orders/${id}/events`, { events: [
    { shipment: "s1", status: "shipped", time: t - 50 * HOUR, location: "İstanbul Anadolu Aktarma" },
    { shipment: "s1", status: "in_transit", time: t - 30 * HOUR, location: "Ankara Aktarma" },
    { shipment: "s1", status: "out_for_delivery", time: t - 3 * HOUR, location: "Çankaya" },
    { shipment: "s1", status: "delivered", time: t - HOUR, location: "Çankaya" },
  ] });
  assert.equal(events.status, 200, events.text);
  const links = await admin("POST", `orders/${id}/links`);
  assert.equal(links.status, 201, links.text);
  return { tracker: links.json.tracker.url, survey: links.json.survey.url };
}

/**
 * The cumulative layout shift of `url` on a phone until `ready` (inside the placeholder `kind`'s
 * shadow root) is drawn. The loader is held until the page has painted, as on a slow network:
 * a page whose space is reserved only by the loader, after that paint, shifts here.
 */
async function shiftUntilDrawn(url, kind, ready) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "tr-TR" });
  try {
    const page = await context.newPage();
    await page.addInitScript(observePerformance);
    await page.route("**/v1/memnun.js", async (route) => {
      await page.waitForFunction(() => performance.getEntriesByType("paint").length > 0);
      await route.continue();
    });
    await page.goto(url);
    await page.locator(`[data-memnun="${kind}"] ${ready}`).first().waitFor();
    // Layout shifts are reported after the frame that made them.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done)))));
    const footer = await page.evaluate(() => document.querySelector("footer").getBoundingClientRect().top);
    return { shift: await page.evaluate(() => window.__perf.shifts), footer };
  } finally {
    await context.close();
  }
}

describe("the survey and tracker pages do not shift while the widget loads", () => {
  test("the survey page, with a survey link: the first question", async () => {
    const { survey } = await deliveredOrder();
    const { shift } = await shiftUntilDrawn(survey, "survey", "legend");
    assert.ok(shift <= 0.01, `cumulative layout shift ${shift}`);
  });

  test("the survey page without a link: where to find one", async () => {
    const { shift, footer } = await shiftUntilDrawn(`${site.url}/anket.html`, "survey", ".done");
    assert.ok(shift <= 0.01, `cumulative layout shift ${shift}`);
    assert.ok(footer >= 844, `the footer stays below the fold (at ${footer}px) while the widget has little to say`);
  });

  test("the tracker page: the lookup form", async () => {
    const { shift } = await shiftUntilDrawn(`${site.url}/siparis-takip.html`, "order-tracker", "#memnun-order-number");
    assert.ok(shift <= 0.01, `cumulative layout shift ${shift}`);
  });

  test("the tracker page from a tracker link: a delivered order's whole history", async () => {
    const { tracker } = await deliveredOrder();
    const { shift } = await shiftUntilDrawn(tracker, "order-tracker", ".current-state");
    assert.ok(shift <= 0.01, `cumulative layout shift ${shift}`);
  });
});

/**
 * Opens `url` with the module whose wasm matches `wasm` (a RegExp) held back until every request in
 * `data` (URL substrings) has left, or 10 s have passed; what the page then shows is `ready`.
 * Returns whether the data left before the module was let through, and the requests made for
 * each (not counting CORS preflights). `height`: the phone's, or more for a page whose widgets
 * should all be in view at once.
 */
async function openWithModuleHeld(url, wasm, data, ready, { failFirst = false, height = 844 } = {}) {
  const context = await browser.newContext({ viewport: { width: 390, height }, locale: "tr-TR" });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  const sent = Object.fromEntries(data.map((d) => [d, 0]));
  let allSent;
  const dataLeft = new Promise((resolve) => (allSent = resolve));
  page.on("request", (r) => {
    if (r.method() === "OPTIONS") return;
    for (const d of data) if (r.url().includes(d)) sent[d] += 1;
    if (data.every((d) => sent[d] > 0)) allSent(true);
  });
  await page.route(wasm, async (route) => {
    let timer;
    const early = await Promise.race([dataLeft, new Promise((resolve) => (timer = setTimeout(() => resolve(false), 10_000)))]);
    clearTimeout(timer);
    page.dataBeforeModule = early;
    await route.continue();
  });
  if (failFirst) {
    // The loader's request fails (a dropped connection): the widget must ask again itself.
    const failed = new Set();
    for (const d of data) {
      await page.route((u) => u.href.includes(d), async (route) => {
        if (route.request().method() !== "OPTIONS" && !failed.has(d)) {
          failed.add(d);
          return route.abort("connectionreset");
        }
        return route.continue();
      });
    }
  }
  await page.goto(url);
  for (const r of ready) await page.locator(r).first().waitFor();
  return { page, context, sent };
}

describe("a widget's first data is asked for beside its module", () => {
  test("the survey: survey/open leaves while the module loads, once", async () => {
    const { survey } = await deliveredOrder();
    const { page, context, sent } = await openWithModuleHeld(survey, /\/v1\/modules\/survey\.wasm$/, ["/survey/open"], ['[data-memnun="survey"] legend']);
    assert.equal(page.dataBeforeModule, true, "survey/open waited for the module");
    assert.deepEqual(sent, { "/survey/open": 1 }, "the widget took the loader's answer, not one of its own");
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  test("the tracker: the order leaves while the module loads, once", async () => {
    const { tracker } = await deliveredOrder();
    const { page, context, sent } = await openWithModuleHeld(tracker, /\/v1\/modules\/order-tracker\.wasm$/, ["/orders/track"], ['[data-memnun="order-tracker"] .current-state']);
    assert.equal(page.dataBeforeModule, true, "orders/track waited for the module");
    assert.deepEqual(sent, { "/orders/track": 1 });
    assert.equal(await page.locator('[data-memnun="order-tracker"] .current-state').innerText(), "Teslim edildi");
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  test("a product page: the review list and the strip leave while the module loads, once each", async () => {
    const { page, context, sent } = await openWithModuleHeld(
      `${site.url}/products/kahve-fincani-01.html`,
      /\/assets\/memnun-product-[0-9a-f]+\.wasm$/,
      ["/products/kahve-fincani-01/reviews?", "/products/kahve-fincani-01/recommendations?"],
      ['[data-memnun="reviews"] .summary', '[data-memnun="recommendations"] li'],
      { height: 2400 },
    );
    assert.equal(page.dataBeforeModule, true, "the list or the strip waited for the module");
    assert.deepEqual(sent, { "/products/kahve-fincani-01/reviews?": 1, "/products/kahve-fincani-01/recommendations?": 1 });
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  test("when the loader's request fails, the widget asks again and shows its data", async () => {
    const { survey } = await deliveredOrder();
    const { page, context, sent } = await openWithModuleHeld(
      survey,
      /\/v1\/modules\/survey\.wasm$/,
      ["/survey/open"],
      ['[data-memnun="survey"] legend'],
      { failFirst: true },
    );
    assert.equal(sent["/survey/open"], 2, "the loader's request, then the widget's own");
    assert.deepEqual(page.errors, []);
    await context.close();

    const product = await openWithModuleHeld(
      `${site.url}/products/kahve-fincani-01.html`,
      /\/assets\/memnun-product-[0-9a-f]+\.wasm$/,
      ["/products/kahve-fincani-01/reviews?"],
      ['[data-memnun="reviews"] .summary'],
      { failFirst: true },
    );
    assert.equal(product.sent["/products/kahve-fincani-01/reviews?"], 2);
    await product.context.close();
  });
});

describe("the pages whose content is a widget preload their module", () => {
  /**
   * `url` opened on a phone until `ready` shows, with `routes` in place; the module files it asked
   * for (not the loader), and what it threw.
   */
  async function moduleFilesFetchedBy(url, ready, routes = []) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "tr-TR" });
    const page = await context.newPage();
    const files = [];
    const errors = [];
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (/^\/v1\/(assets|modules)\//.test(path)) files.push(path);
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    for (const route of routes) await page.route(...route);
    await page.goto(url);
    await page.locator(ready).first().waitFor();
    await context.close();
    return { files: files.sort(), errors };
  }

  test("the hints in the page are the module the loader takes: one download each", async () => {
    const survey = await moduleFilesFetchedBy(`${site.url}/anket.html`, '[data-memnun="survey"] .done');
    assert.deepEqual(survey, { files: ["/v1/modules/survey.js", "/v1/modules/survey.wasm"], errors: [] });
    const tracker = await moduleFilesFetchedBy(`${site.url}/siparis-takip.html`, '[data-memnun="order-tracker"] #memnun-order-number');
    assert.deepEqual(tracker, { files: ["/v1/modules/order-tracker.js", "/v1/modules/order-tracker.wasm"], errors: [] });
    // Without hints (this page has none) the loader asks for the same names.
    const english = await moduleFilesFetchedBy(`${site.url}/tracker-en.html`, '[data-memnun="order-tracker"] #memnun-order-number');
    assert.deepEqual(english, { files: ["/v1/modules/order-tracker.js", "/v1/modules/order-tracker.wasm"], errors: [] });
  });

  test("stable names answered by another release, or failing, are not taken: the loader fetches its own files", async () => {
    // As a browser may hold them for minutes after a deploy: another release's glue and wasm.
    const other = "memnun-survey-000000000000.wasm";
    const cors = { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Memnun-File" };
    const otherRelease = [
      ["**/v1/modules/survey.js", (route) => route.fulfill({
        headers: { ...cors, "Content-Type": "text/javascript", "Memnun-File": "memnun-survey-000000000000.js" },
        body: `export const wasm = "${other}"; export default () => { throw new Error("another release's glue"); }; export const mount = () => {};`,
      })],
      ["**/v1/modules/survey.wasm", (route) => route.fulfill({
        headers: { ...cors, "Content-Type": "application/wasm", "Memnun-File": other },
        body: Buffer.from("\0asm\x01\0\0\0\x01"),
      })],
    ];
    const { files, errors } = await moduleFilesFetchedBy(`${site.url}/anket.html`, '[data-memnun="survey"] .done', otherRelease);
    assert.equal(files.length, 4, `${files}`);
    // Its own glue and wasm, whatever order their hashes sort in.
    const own = files.filter((f) => f.startsWith("/v1/assets/"));
    assert.equal(own.length, 2, `${files}`);
    assert.ok(own.some((f) => /^\/v1\/assets\/memnun-survey-[0-9a-f]{12}\.js$/.test(f)), `${files}`);
    assert.ok(own.some((f) => /^\/v1\/assets\/memnun-survey-[0-9a-f]{12}\.wasm$/.test(f)), `${files}`);
    assert.deepEqual(errors, []);

    // Stable names that fail (a dropped connection, a proxy that refuses them): the same.
    const failing = [["**/v1/modules/**", (route) => route.abort("connectionreset")]];
    const failed = await moduleFilesFetchedBy(`${site.url}/siparis-takip.html`, '[data-memnun="order-tracker"] #memnun-order-number', failing);
    assert.equal(failed.files.filter((f) => f.startsWith("/v1/assets/memnun-tracker-")).length, 2, `${failed.files}`);
    assert.deepEqual(failed.errors, []);
  });
});

describe("the tracker names an order's items", () => {
  /** The tracker opened from `url`. */
  async function trackerAt(url) {
    const context = await browser.newContext({ locale: "tr-TR" });
    const page = await context.newPage();
    await page.goto(url);
    const w = page.locator('[data-memnun="order-tracker"]');
    await w.locator(".items li").first().waitFor();
    return { context, page, w };
  }

  test("by the catalog's name, picture and page, in the page's language; an id where the catalog has none", async () => {
    const { tracker } = await deliveredOrder();
    const { context, w } = await trackerAt(tracker);
    assert.deepEqual(await w.locator(".items li").allInnerTexts(), ["El yapımı kahve fincanı × 2", "Keten gömlek × 1", "hediye-paketi × 1"]);
    const cup = w.locator(".items li").nth(0);
    assert.equal(await cup.getByRole("link", { name: "El yapımı kahve fincanı" }).getAttribute("href"), `${site.url}/products/kahve-fincani-01.html`);
    const picture = cup.locator("img");
    assert.equal(await picture.getAttribute("src"), `${site.url}/img/kahve-fincani-01.svg`);
    await picture.scrollIntoViewIfNeeded();
    await until("the picture", () => picture.evaluate((img) => img.complete && img.naturalWidth > 0));
    const wrap = w.locator(".items li").nth(2);
    assert.equal(await wrap.locator("a[href], img[src]").count(), 0, "no catalog entry: no link, no picture");
    // The review invitation names the product too.
    await w.getByRole("link", { name: "Değerlendir: El yapımı kahve fincanı" }).waitFor();
    await context.close();

    // The same link on an English page.
    const english = await trackerAt(`${site.url}/tracker-en.html${new URL(tracker).hash}`);
    assert.deepEqual(await english.w.locator(".items li").allInnerTexts(), ["Handmade coffee cup × 2", "Linen shirt × 1", "hediye-paketi × 1"]);
    await english.context.close();

    // Found by number and email on the English page, in English too.
    const context2 = await browser.newContext({ locale: "en-US" });
    const page = await context2.newPage();
    await page.goto(`${site.url}/tracker-en.html`);
    const w2 = page.locator('[data-memnun="order-tracker"]');
    await w2.getByLabel("Order number").fill(String(9900 + orders));
    await w2.getByLabel("Email").fill(`first${orders}@example.com`);
    await w2.getByRole("button", { name: "Find my order" }).click();
    await w2.locator(".items li").first().waitFor();
    assert.deepEqual(await w2.locator(".items li").allInnerTexts(), ["Handmade coffee cup × 2", "Linen shirt × 1", "hediye-paketi × 1"]);
    await context2.close();
  });
});

// The part of the browser tests every engine shoppers use runs: Chromium, Firefox (ESR) and
// WebKit (WebKitGTK's MiniBrowser, the engine of Safari), each on the demo shop (strict CSP)
// against the real worker, written once through `support/browsers.mjs`. The rest of the browser
// tests run in Chromium only.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { Edge, startDemoSite } from "./support/harness.mjs";
import { ENGINES, launchEngine } from "./support/browsers.mjs";

let edge, site;

before(async () => {
  edge = await Edge.start({ demoSeed: true });
  site = await startDemoSite(edge.url);
  await edge.allowOrigin("demo", site.url);
});

after(async () => {
  await site?.stop();
  await edge?.cleanup();
});

// In the page (sent as source: only their arguments reach them).
/** The widget files the page fetched, as paths. */
const widgetFiles = () =>
  performance
    .getEntriesByType("resource")
    .map((e) => new URL(e.name).pathname)
    .filter((p) => /^\/v1\/(assets|modules)\//.test(p))
    .sort();
/** The text of `css` in the shadow root of the placeholder of `kind`, or null. */
const shown = (kind, css) => document.querySelector(`[data-memnun="${kind}"]`)?.shadowRoot?.querySelector(css)?.textContent ?? null;
/** After the loader has run and every observer has had the frames it reports in. */
const loaderSettled = () =>
  window.memnun ? new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true)))) : false;

for (const engine of ENGINES) {
  describe(`in ${engine}`, () => {
    let browser;
    before(async () => {
      browser = await launchEngine(engine);
    });
    after(async () => {
      await browser?.close();
    });

    test("the loader fetches no module until a placeholder nears the viewport, then mounts it", async () => {
      const page = await browser.open(`${site.url}/below-fold.html`);
      await page.until("the loader", loaderSettled);
      assert.deepEqual(await page.run(widgetFiles), [], `${browser.version}: nothing before the shopper scrolls`);
      const reserved = await page.run(() => getComputedStyle(document.getElementById("below")).minHeight);
      assert.notEqual(reserved, "0px", "space is reserved before mount");
      await page.run(() => document.getElementById("below").scrollIntoView());
      await page.until("the review list", shown, "reviews", ".summary");
      const files = await page.run(widgetFiles);
      assert.ok(files.some((f) => /^\/v1\/assets\/memnun-product-[0-9a-f]{12}\.wasm$/.test(f)), `${files}`);
      assert.ok(!files.some((f) => /tracker|survey/.test(f)), `only the product module: ${files}`);
      await page.close();
    });

    test("the tracker page: the lookup form, from the module its hints preload, each file once", async () => {
      const page = await browser.open(`${site.url}/siparis-takip.html`);
      const form = await page.until("the lookup form", shown, "order-tracker", "form:has(#memnun-order-number)");
      assert.match(form, /Sipariş numarası/);
      assert.deepEqual(await page.run(widgetFiles), ["/v1/modules/order-tracker.js", "/v1/modules/order-tracker.wasm"]);
      await page.close();
    });

    test("the survey page without a link says where to find one", async () => {
      const page = await browser.open(`${site.url}/anket.html`);
      const said = await page.until("the survey's message", shown, "survey", ".done");
      assert.match(said, /bağlantıdan açın/);
      assert.deepEqual(await page.run(widgetFiles), ["/v1/modules/survey.js", "/v1/modules/survey.wasm"]);
      await page.close();
    });
  });
}

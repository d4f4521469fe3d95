// Page cost in headless Chromium, on the demo shop served with its strict CSP against the real
// worker: what the widgets cost a shop's page before and after a shopper reaches them.
// Prints one JSON object. Usage: node bench/page-cost.mjs [--smoke]
import { startShopInBrowser, observePerformance } from "../tests/support/harness.mjs";

const RUNS = process.argv.includes("--smoke") ? 1 : 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const stack = await startShopInBrowser();
const { edge, site, browser } = stack;
const edgeOrigin = new URL(edge.url).origin;
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // Below the fold: nothing but the loader before the shopper scrolls there.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "en-US" });
    const page = await context.newPage();
    await page.addInitScript(observePerformance);
    const fetched = [];
    page.on("requestfinished", async (request) => {
      if (new URL(request.url()).origin !== edgeOrigin) return;
      const sizes = await request.sizes().catch(() => null);
      fetched.push({ path: new URL(request.url()).pathname, bytes: sizes ? sizes.responseBodySize : 0, at: Date.now() });
    });
    await page.goto(`${site.url}/below-fold.html`);
    await page.waitForLoadState("networkidle");
    const before = {
      requests: fetched.length,
      bytes: fetched.reduce((s, f) => s + f.bytes, 0),
      paths: fetched.map((f) => f.path),
      long_tasks: (await page.evaluate(() => window.__perf.longTasks)).length,
    };
    const interactiveMs = await page.evaluate(async () => {
      const host = document.getElementById("below");
      const start = performance.now();
      host.scrollIntoView();
      // Interactive: the summary drawn and "Write a review" there to press (the form's own code
      // is a part fetched on that press).
      return new Promise((resolve, reject) => {
        const check = () => {
          const button = host.shadowRoot?.querySelector("button.write-open");
          const summary = host.shadowRoot?.querySelector(".summary");
          if (button && summary) resolve(performance.now() - start);
          else if (performance.now() - start > 30_000) reject(new Error("the reviews widget never became interactive"));
          else requestAnimationFrame(check);
        };
        check();
      });
    });
    const afterLongTasks = await page.evaluate(() => window.__perf.longTasks);
    await context.close();

    // The product page as a shopper on a phone sees it: layout shift over the whole load.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "tr-TR" });
    const product = await phone.newPage();
    await product.addInitScript(observePerformance);
    await product.goto(`${site.url}/products/kahve-fincani-01.html`);
    await product.locator('[data-memnun="reviews"] .summary').waitFor();
    await product.waitForTimeout(300);
    const cls = await product.evaluate(() => window.__perf.shifts);
    await phone.close();

    runs.push({ before, interactive_ms: interactiveMs, long_tasks_after: afterLongTasks, cls });
  }
  console.log(JSON.stringify({
    runs: RUNS,
    before_view: runs[0].before,
    before_view_long_tasks_max: Math.max(...runs.map((r) => r.before.long_tasks)),
    before_view_requests_max: Math.max(...runs.map((r) => r.before.requests)),
    interactive_ms_median: median(runs.map((r) => r.interactive_ms)),
    interactive_ms: runs.map((r) => r.interactive_ms),
    long_tasks_after_ms: runs.map((r) => r.long_tasks_after),
    cls_median: median(runs.map((r) => r.cls)),
    cls: runs.map((r) => r.cls),
  }));
} finally {
  await stack.stop();
}

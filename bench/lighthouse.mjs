// Lighthouse's performance score (its default mobile settings, offline, Debian's Chromium) of the
// demo product page with and without the widgets, and of the same page with the widgets moved
// into its first screen (right under the price, where many themes put stars and a strip, so they
// load with the page); median of runs, rotating the order of the pages. Both variants are made
// from the demo page here, so the pages can never drift apart.
// Prints one JSON object. Usage: node bench/lighthouse.mjs [--smoke]
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { Edge, startDemoSite, CHROMIUM, CHROMIUM_FLAGS, ROOT } from "../tests/support/harness.mjs";

const RUNS = process.argv.includes("--smoke") ? 1 : 5;
const PRODUCT = "products/kahve-fincani-01.html";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const withoutDir = await fs.mkdtemp(path.join(os.tmpdir(), "memnun-lighthouse-"));
const demoPage = await fs.readFile(path.join(ROOT, "demo-site", PRODUCT), "utf8");
const withoutWidgets = demoPage.split("\n").filter((line) => !/memnun\.js|data-memnun=/.test(line)).join("\n");
if (withoutWidgets === demoPage) throw new Error(`${PRODUCT} no longer has the widget lines this bench removes`);
await fs.writeFile(path.join(withoutDir, "product-without-widgets.html"), withoutWidgets);
const widgetLines = demoPage.split("\n").filter((line) => /data-memnun=/.test(line));
const firstScreen = demoPage.split("\n").filter((line) => !/data-memnun=/.test(line));
const priceAt = firstScreen.findIndex((line) => /class="price"/.test(line));
if (widgetLines.length === 0 || priceAt < 0) throw new Error(`${PRODUCT} no longer has a price line and widget lines`);
firstScreen.splice(priceAt + 1, 0, ...widgetLines);
await fs.writeFile(path.join(withoutDir, "product-widgets-first-screen.html"), firstScreen.join("\n"));

const edge = await Edge.start({ demoSeed: true });
const site = await startDemoSite(edge.url, [withoutDir]);
await edge.allowOrigin("demo", site.url);
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: ["--headless=new", ...CHROMIUM_FLAGS],
  logLevel: "silent",
});
const pages = {
  with_widgets: `${site.url}/${PRODUCT}`,
  without_widgets: `${site.url}/product-without-widgets.html`,
  first_screen: `${site.url}/product-widgets-first-screen.html`,
};
const names = Object.keys(pages);
const scores = Object.fromEntries(names.map((name) => [name, []]));
const metrics = Object.fromEntries(names.map((name) => [name, []]));
try {
  for (let i = 0; i < RUNS; i++) {
    const order = names.map((_, k) => names[(i + k) % names.length]);
    for (const name of order) {
      const result = await lighthouse(pages[name], { port: chrome.port, onlyCategories: ["performance"], logLevel: "error" });
      scores[name].push(Math.round(result.lhr.categories.performance.score * 100));
      const a = result.lhr.audits;
      metrics[name].push({
        tbt_ms: a["total-blocking-time"].numericValue,
        lcp_ms: a["largest-contentful-paint"].numericValue,
        cls: a["cumulative-layout-shift"].numericValue,
      });
    }
  }
  const summary = (name) => ({
    score_median: median(scores[name]),
    scores: scores[name],
    tbt_ms_median: median(metrics[name].map((m) => m.tbt_ms)),
    lcp_ms_median: median(metrics[name].map((m) => m.lcp_ms)),
    cls_median: median(metrics[name].map((m) => m.cls)),
  });
  console.log(JSON.stringify({ runs: RUNS, ...Object.fromEntries(names.map((name) => [name, summary(name)])) }));
} finally {
  await chrome.kill();
  await site.stop();
  await edge.cleanup();
  await fs.rm(withoutDir, { recursive: true, force: true });
}

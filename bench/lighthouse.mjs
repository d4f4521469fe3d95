// Lighthouse's performance score (its default mobile settings, offline, Debian's Chromium) of the
// demo product page with and without the widgets; median of runs, alternating the two pages.
// Prints one JSON object. Usage: node bench/lighthouse.mjs [--smoke]
import path from "node:path";
import { fileURLToPath } from "node:url";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { Edge, startDemoSite } from "../tests/support/harness.mjs";

const RUNS = process.argv.includes("--smoke") ? 1 : 5;
const here = path.dirname(fileURLToPath(import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const edge = await Edge.start({ demoSeed: true });
const site = await startDemoSite(edge.url, [path.join(here, "pages")]);
await edge.allowOrigin("demo", site.url);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.MEMNUN_CHROMIUM || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  logLevel: "silent",
});
const pages = {
  with_widgets: `${site.url}/products/el-yapimi-kahve-fincani.html`,
  without_widgets: `${site.url}/product-without-widgets.html`,
};
const scores = { with_widgets: [], without_widgets: [] };
const metrics = { with_widgets: [], without_widgets: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 ? ["without_widgets", "with_widgets"] : ["with_widgets", "without_widgets"];
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
  console.log(JSON.stringify({ runs: RUNS, with_widgets: summary("with_widgets"), without_widgets: summary("without_widgets") }));
} finally {
  await chrome.kill();
  await site.stop();
  await edge.cleanup();
}

// Lighthouse's performance score (its default mobile settings, offline, Debian's Chromium) of the
// demo product page with and without the widgets, and of the same page with the widgets moved
// into its first screen (right under the price, where many themes put stars and a strip, so they
// load with the page); and of the pages where a widget is the content: the survey page (from a
// survey link, and without one) and the tracker page (from a tracker link, and its lookup form),
// each also without the widget. Median of runs, rotating the order of the pages. The variants
// are made from the demo pages here, so the pages can never drift apart.
// Prints one JSON object. Usage: node bench/lighthouse.mjs [--smoke]
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { Edge, startDemoSite, adminCall, CHROMIUM, CHROMIUM_FLAGS, ROOT } from "../tests/support/harness.mjs";

const RUNS = process.argv.includes("--smoke") ? 1 : 5;
const PRODUCT = "products/kahve-fincani-01.html";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const withoutDir = await fs.mkdtemp(path.join(os.tmpdir(), "memnun-lighthouse-"));
const demoPage = await fs.readFile(path.join(ROOT, "demo-site", PRODUCT), "utf8");
// The widget lines: the loader, the placeholders, and the module's preload hints with their comment.
const WIDGET_LINE = /memnun\.js|data-memnun=|\/v1\/modules\/|its module starts with the page/;
const withoutWidgets = demoPage.split("\n").filter((line) => !WIDGET_LINE.test(line)).join("\n");
if (withoutWidgets === demoPage) throw new Error(`${PRODUCT} no longer has the widget lines this bench removes`);
await fs.writeFile(path.join(withoutDir, "product-without-widgets.html"), withoutWidgets);
const widgetLines = demoPage.split("\n").filter((line) => /data-memnun=/.test(line));
const firstScreen = demoPage.split("\n").filter((line) => !/data-memnun=/.test(line));
const priceAt = firstScreen.findIndex((line) => /class="price"/.test(line));
if (widgetLines.length === 0 || priceAt < 0) throw new Error(`${PRODUCT} no longer has a price line and widget lines`);
firstScreen.splice(priceAt + 1, 0, ...widgetLines);
await fs.writeFile(path.join(withoutDir, "product-widgets-first-screen.html"), firstScreen.join("\n"));
for (const page of ["anket.html", "siparis-takip.html"]) {
  const html = await fs.readFile(path.join(ROOT, "demo-site", page), "utf8");
  const without = html.split("\n").filter((line) => !WIDGET_LINE.test(line)).join("\n");
  if (without === html) throw new Error(`${page} no longer has the widget lines this bench removes`);
  await fs.writeFile(path.join(withoutDir, `without-widget-${page}`), without);
}

// The bench's limits: the same links are opened many times from one address.
const edge = await Edge.start({ env: "bench", demoSeed: true });
const site = await startDemoSite(edge.url, [withoutDir]);
await edge.allowOrigin("demo", site.url);
const admin = async (method, p, body) => {
  const r = await adminCall(edge, method, p, { key: "mk_demo_local_only", body });
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
};
await admin("PUT", "shop", { tracker_page: `${site.url}/siparis-takip.html`, survey_page: `${site.url}/anket.html` });
// A delivered order with a shipment's history, as a shopper opens it from a message.
const now = Date.now();
await admin("PUT", "orders/LH-1", {
  number: "7001", email: "lighthouse@example.com", placed_at: now - 72 * 3600e3,
  items: [{ product: "kahve-fincani-01", quantity: 2 }, { product: "linen-shirt-02", quantity: 1 }],
  shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK7001", tracking_url: "https://kargo.example/YK7001" }],
});
await admin("POST", "orders/LH-1/events", { events: [
  { shipment: "s1", status: "shipped", time: now - 50 * 3600e3, location: "İstanbul Anadolu Aktarma" },
  { shipment: "s1", status: "in_transit", time: now - 30 * 3600e3, location: "Ankara Aktarma" },
  { shipment: "s1", status: "out_for_delivery", time: now - 4 * 3600e3, location: "Çankaya" },
  { shipment: "s1", status: "delivered", time: now - 3600e3, location: "Çankaya" },
] });
const links = await admin("POST", "orders/LH-1/links");
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: ["--headless=new", ...CHROMIUM_FLAGS],
  logLevel: "silent",
});
const pages = {
  with_widgets: `${site.url}/${PRODUCT}`,
  without_widgets: `${site.url}/product-without-widgets.html`,
  first_screen: `${site.url}/product-widgets-first-screen.html`,
  survey_link: links.survey.url,
  survey_no_link: `${site.url}/anket.html`,
  survey_without_widget: `${site.url}/without-widget-anket.html`,
  tracker_link: links.tracker.url,
  tracker_lookup: `${site.url}/siparis-takip.html`,
  tracker_without_widget: `${site.url}/without-widget-siparis-takip.html`,
  survey_link_gzip: links.survey.url,
  tracker_link_gzip: links.tracker.url,
};
// Chromium asks for "gzip, deflate, br, zstd". Cloudflare answers it with brotli, its preferred
// coding ("Brotli is the preferred compression algorithm": developers.cloudflare.com,
// rules/compression-rules/settings), but miniflare answers with the first one a browser lists.
// So every page is measured asking for brotli first, as Cloudflare answers Chromium, and the link
// pages once more as they are asked (gzip), to show what the local edge's coding costs.
const AS_CLOUDFLARE_ANSWERS = { "Accept-Encoding": "br, gzip, deflate" };
const names = Object.keys(pages);
const scores = Object.fromEntries(names.map((name) => [name, []]));
const metrics = Object.fromEntries(names.map((name) => [name, []]));
try {
  for (let i = 0; i < RUNS; i++) {
    const order = names.map((_, k) => names[(i + k) % names.length]);
    for (const name of order) {
      const extraHeaders = name.endsWith("_gzip") ? undefined : AS_CLOUDFLARE_ANSWERS;
      const result = await lighthouse(pages[name], { port: chrome.port, onlyCategories: ["performance"], logLevel: "error", extraHeaders });
      scores[name].push(Math.round(result.lhr.categories.performance.score * 100));
      const a = result.lhr.audits;
      metrics[name].push({
        tbt_ms: a["total-blocking-time"].numericValue,
        lcp_ms: a["largest-contentful-paint"].numericValue,
        cls: a["cumulative-layout-shift"].numericValue,
        lcp_element: a["largest-contentful-paint-element"]?.details?.items?.[0]?.items?.[0]?.node?.snippet ?? null,
      });
    }
  }
  const summary = (name) => ({
    score_median: median(scores[name]),
    scores: scores[name],
    tbt_ms_median: median(metrics[name].map((m) => m.tbt_ms)),
    lcp_ms_median: median(metrics[name].map((m) => m.lcp_ms)),
    cls_median: median(metrics[name].map((m) => m.cls)),
    lcp_ms: metrics[name].map((m) => m.lcp_ms),
    lcp_element: metrics[name][0].lcp_element,
  });
  console.log(JSON.stringify({ runs: RUNS, ...Object.fromEntries(names.map((name) => [name, summary(name)])) }));
} finally {
  await chrome.kill();
  await site.stop();
  await edge.cleanup();
  await fs.rm(withoutDir, { recursive: true, force: true });
}

// What would a page's Lighthouse LCP be if its wasm were smaller, or the page served over HTTPS
// and HTTP/2? Runs Lighthouse (default mobile settings, brotli first, as lighthouse.mjs) on the
// survey and tracker pages, opened from their links and without, one run each, with Lantern's simulation changed before it
// runs: the page, the edge and the trace stay as they are. A question answered before building
// something, not a figure of what ships (BENCHMARKS.md, "What the link pages would need").
// Usage: node bench/lcp-what-if.mjs [--wasm-smaller-by BYTES] [--https] [--h2] [--timings]
//   --timings prints the optimistic LCP graph's network requests with their simulated times.
import lighthouse from "lighthouse";
import * as Lantern from "lighthouse/core/lib/lantern/lantern.js";
import * as chromeLauncher from "chrome-launcher";
import { Edge, startDemoSite, adminCall, CHROMIUM, CHROMIUM_FLAGS } from "../tests/support/harness.mjs";

const arg = (name) => process.argv.includes(name);
const smallerBy = arg("--wasm-smaller-by") ? Number(process.argv[process.argv.indexOf("--wasm-smaller-by") + 1]) : 0;
if (!Number.isFinite(smallerBy)) throw new Error("--wasm-smaller-by takes a number of bytes");

const simulate = Lantern.Simulation.Simulator.prototype.simulate;
Lantern.Simulation.Simulator.prototype.simulate = function (graph, options) {
  graph.getRootNode().traverse((node) => {
    if (node.type !== "network" || node.request.whatIfApplied) return;
    node.request.whatIfApplied = true;
    if (/\.wasm$/.test(node.request.url)) node.request.transferSize -= smallerBy;
    if (arg("--https") || arg("--h2")) node.request.parsedURL.scheme = "https";
    if (arg("--h2")) node.request.protocol = "h2";
  });
  return simulate.call(this, graph, options);
};

const edge = await Edge.start({ env: "bench", demoSeed: true });
const site = await startDemoSite(edge.url);
let chrome;
try {
  await edge.allowOrigin("demo", site.url);
  const admin = async (method, p, body) => {
    const res = await adminCall(edge, method, p, { key: "mk_demo_local_only", body });
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.text}`);
    return res.json;
  };
  await admin("PUT", "shop", { tracker_page: `${site.url}/siparis-takip.html`, survey_page: `${site.url}/anket.html` });
  const now = Date.now();
  await admin("PUT", "orders/WHATIF-1", {
    number: "7001",
    email: "l@example.com",
    placed_at: now - 72 * 3600e3,
    items: [{ product: "kahve-fincani-01", quantity: 2 }],
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK7001" }],
  });
  await admin("POST", "orders/WHATIF-1/events", { events: [{ shipment: "s1", status: "delivered", time: now - 3600e3 }] });
  const links = await admin("POST", "orders/WHATIF-1/links");
  chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: ["--headless=new", ...CHROMIUM_FLAGS], logLevel: "silent" });
  const config = { extends: "lighthouse:default", settings: { extraHeaders: { "Accept-Encoding": "br, gzip, deflate" } } };
  const pages = [
    ["survey page, from a link", links.survey.url],
    ["tracker page, from a link", links.tracker.url],
    ["survey page without a link", `${site.url}/anket.html`],
    ["tracker page, its lookup form", `${site.url}/siparis-takip.html`],
  ];
  for (const [label, link] of pages) {
    const run = await lighthouse(link, { port: chrome.port, onlyCategories: ["performance"], logLevel: "error" }, config);
    console.log(`${label}: LCP ${Math.round(run.lhr.audits["largest-contentful-paint"].numericValue)} ms`);
    if (arg("--timings")) {
      for (const [graphLabel, timings] of Lantern.Simulation.Simulator.allNodeTimings) {
        if (!/optimisticLargestContentfulPaint/.test(graphLabel)) continue;
        for (const [node, t] of timings) {
          if (node.type !== "network") continue;
          const r = node.request;
          console.log(`  ${Math.round(t.startTime)}–${Math.round(t.endTime)} ms ${r.requestMethod} ${r.url.split(/[/?#]/).slice(-1)[0] || r.url} ${r.transferSize} B`);
        }
      }
    }
    Lantern.Simulation.Simulator.allNodeTimings.clear();
  }
} finally {
  await chrome?.kill();
  await site.stop();
  await edge.cleanup();
}

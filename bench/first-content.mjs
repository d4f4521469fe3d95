// Time to first content per kind of widget, in headless Chromium on the demo shop against the real
// worker, under Lighthouse's mobile network and CPU (150 ms round trips, 1.6 Mbit/s down, 4× slower
// CPU): from the moment the loader has run with the placeholder in view until the widget's first
// data is drawn. Three ways of loading, each made from the loader as it ships by holding back what
// it starts at once:
// - "before": the wasm fetched after its glue, the first data after the module (as before
//   issue 24: the glue's own fetch, then the widget's first request);
// - "wasm beside glue": the data still after the module;
// - "as shipped": glue, wasm and the first data at the same moment (on the survey and tracker
//   pages, glue and wasm from the page's preload hints, before the loader has run; in the other
//   variants the hints and the stable names fail, so the loader fetches the hashed files).
// Prints one JSON object. Usage: node bench/first-content.mjs [--smoke]; with MEMNUN_TRACE=1, each
// load's resource timings go to stderr.
import { Edge, startDemoSite, launchChromium, adminCall, demoCatalog } from "../tests/support/harness.mjs";

const RUNS = process.argv.includes("--smoke") ? 1 : 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const KEY = "mk_demo_local_only";
const VARIANTS = ["before", "wasm_beside_glue", "as_shipped"];

// The bench's limits: the same link is opened many times from one address.
const edge = await Edge.start({ env: "bench", demoSeed: true });
const site = await startDemoSite(edge.url);
await edge.allowOrigin("demo", site.url);
const browser = await launchChromium();
const admin = (method, p, body) => adminCall(edge, method, p, { key: KEY, body });
const must = (r) => {
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`);
  return r.json;
};

try {
  must(await admin("PUT", "shop", { tracker_page: `${site.url}/siparis-takip.html`, survey_page: `${site.url}/anket.html` }));
  const catalog = await demoCatalog(site.url);
  must(await admin("PUT", "catalog", { mode: "replace", items: catalog }));
  for (const [i, other] of ["cezve-04", "kupa-05", "fincan-tabagi-03"].entries()) {
    must(await admin("PUT", `orders/BENCH-B${i}`, { number: `B${i}`, items: [{ product: "kahve-fincani-01", quantity: 1 }, { product: other, quantity: 1 }] }));
  }
  const t = Date.now();
  must(await admin("PUT", "orders/BENCH-1", {
    number: "B100", email: "bench@example.com", placed_at: t - 72 * 3600e3,
    items: [{ product: "kahve-fincani-01", quantity: 2 }, { product: "linen-shirt-02", quantity: 1 }],
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK1" }],
  }));
  must(await admin("POST", "orders/BENCH-1/events", { events: [
    { shipment: "s1", status: "shipped", time: t - 50 * 3600e3, location: "İstanbul" },
    { shipment: "s1", status: "delivered", time: t - 3600e3, location: "Ankara" },
  ] }));
  const links = must(await admin("POST", "orders/BENCH-1/links"));

  const product = `${site.url}/products/kahve-fincani-01.html`;
  // The kind, its page, its module, its first data (a URL part), and what shows the data drawn.
  const kinds = [
    { kind: "reviews", url: product, module: "product", data: "/reviews?", drawn: ".summary" },
    { kind: "recommendations", url: product, module: "product", data: "/recommendations?", drawn: "li.card" },
    { kind: "survey", url: links.survey.url, module: "survey", data: "/survey/open", drawn: "legend" },
    { kind: "order-tracker", url: links.tracker.url, module: "tracker", data: "/orders/track", drawn: ".current-state" },
  ];

  const once = async ({ kind, url, module, data, drawn }, variant) => {
    // Tall enough that both of the product page's widgets are in view at load.
    const context = await browser.newContext({ viewport: { width: 412, height: 2400 }, locale: "tr-TR" });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    // Every frame, the first time the loader has run with the placeholder in view, and the first
    // time the data is drawn.
    await page.addInitScript(([kind, drawn]) => {
      window.__firstContent = {};
      const frame = () => {
        const host = document.querySelector(`[data-memnun="${kind}"]`);
        const now = performance.now();
        if (host && window.memnun && window.__firstContent.start == null) {
          const r = host.getBoundingClientRect();
          if (r.top < innerHeight && r.bottom > 0) window.__firstContent.start = now;
        }
        if (host?.shadowRoot?.querySelector(drawn)) window.__firstContent.drawn = now;
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    }, [kind, drawn]);
    // By their hashed names, or by the stable ones the survey and tracker pages preload.
    const glue = new RegExp(`(/assets/memnun-${module}-[0-9a-f]+|/modules/${kind})\\.js$`);
    const wasm = new RegExp(`(/assets/memnun-${module}-[0-9a-f]+|/modules/${kind})\\.wasm$`);
    let glueDone;
    const glueFinished = new Promise((resolve) => (glueDone = resolve));
    page.on("requestfinished", (r) => glue.test(r.url()) && glueDone());
    // The pages' preload hints came with the shipped loader: the others fetch the hashed files.
    if (variant !== "as_shipped") await page.route("**/v1/modules/**", (route) => route.abort());
    if (variant === "before") await page.route(wasm, async (route) => (await glueFinished, route.continue()));
    if (variant !== "as_shipped") {
      // The loader's request fails at once, so the widget asks after its module, as it used to.
      let first = true;
      await page.route((u) => u.href.includes(data), async (route) => {
        if (route.request().method() !== "OPTIONS" && first) {
          first = false;
          return route.abort("connectionreset");
        }
        return route.continue();
      });
    } else {
      // The same interception on the same requests, so the variants differ only in their order.
      await page.route((u) => u.href.includes(data), (route) => route.continue());
    }
    await page.goto(url);
    await page.waitForFunction(() => window.__firstContent.drawn != null, null, { timeout: 60_000 });
    const { start, drawn: at } = await page.evaluate(() => window.__firstContent);
    if (process.env.MEMNUN_TRACE) console.error(variant, kind, Math.round(start), Math.round(at), JSON.stringify(await page.evaluate(() => performance.getEntriesByType("resource").map((e) => [e.name.split("/").pop().slice(0, 30), Math.round(e.startTime), Math.round(e.responseEnd)]))));
    await context.close();
    return at - start;
  };

  const times = Object.fromEntries(kinds.map((k) => [k.kind, Object.fromEntries(VARIANTS.map((v) => [v, []]))]));
  for (let i = 0; i < RUNS; i++) {
    for (const k of kinds) {
      // Rotated, so no variant always follows the same one.
      for (const v of VARIANTS.map((_, j) => VARIANTS[(i + j) % VARIANTS.length])) times[k.kind][v].push(await once(k, v));
    }
  }
  console.log(JSON.stringify({
    runs: RUNS,
    kinds: Object.fromEntries(kinds.map((k) => [k.kind, Object.fromEntries(VARIANTS.map((v) => [v, { median_ms: median(times[k.kind][v]), ms: times[k.kind][v] }]))])),
  }));
} finally {
  await browser.close();
  await site.stop();
  await edge.cleanup();
}

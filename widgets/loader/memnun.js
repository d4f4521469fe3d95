// memnun loader: the one script a merchant adds. It finds [data-memnun] placeholders (now and
// later, for single-page shops), reserves their space, and only when one comes near the
// viewport fetches the wasm module of that kind of widget (compiled while it streams) and mounts
// it. `cargo xtask build` fills in the content-hashed file names and minifies this file.
const base = new URL(".", import.meta.url).href;
const script = [...document.scripts].find((s) => s.src === import.meta.url);
const shop = script && script.dataset.shop;
// Heights reserved before mount, so the page does not shift when a widget appears. The tracker
// and the survey are their page's content, of a height known only with their data (a lookup form
// or an order's whole history): a screen each, so what follows them stays below the fold as they
// grow. No prototype: a placeholder of kind "constructor" is unknown, not an inherited function.
const reserve = { __proto__: null, reviews: "640px", recommendations: "360px", "order-tracker": "100vh", survey: "100vh" };
// Each kind of page has its own module (glue, wasm): a product page (reviews, recommendations)
// never downloads the tracker. A page whose content is the widget fetches its module by names
// that outlive releases (`/v1/modules/KIND.js`, `.wasm`), which its merchant may preload (README),
// and takes what they answer only if it is this release's (of the wasm named here): a deploy may
// fall between a cached loader and them.
const product = ["__PRODUCT_GLUE__", "__PRODUCT_WASM__"];
const modules = {
  reviews: product,
  recommendations: product,
  "order-tracker": ["__TRACKER_GLUE__", "__TRACKER_WASM__", 1],
  survey: ["__SURVEY_GLUE__", "__SURVEY_WASM__", 1],
};
const loaded = {};
const load = (kind) => {
  const [glue, wasm, stable] = modules[kind] || product;
  const hashed = [() => import(base + "assets/" + glue), () => fetch(base + "assets/" + wasm)];
  const named = base + "modules/" + kind;
  // The wasm beside its glue, not after it.
  return (loaded[glue] ||= Promise.all(
    stable
      ? [
          import(named + ".js").then((m) => (m.wasm == wasm ? m : hashed[0]()), hashed[0]),
          fetch(named + ".wasm").then((r) => (r.headers.get("Memnun-File") == wasm ? r : hashed[1]()), hashed[1]),
        ]
      : hashed.map((f) => f()),
  ).then(
    async ([module, wasm]) => {
      await module.default({ module_or_path: wasm });
      return module;
    },
  ));
};
const api = base + "shops/" + shop + "/";
// A widget's first request ([URL, JSON body]), started beside its module so the data does not
// wait for it: the request the widget sends first (`reviews/list.rs`, `recommendations.rs`,
// `survey.rs`, `tracker.rs`), which takes the answer only if it is the same request, so a
// difference costs a request, never a wrong answer. (A tracker reopened from this tab's memory,
// without a link, asks for itself.)
const first = (d) => {
  const kind = d.memnun;
  const locale = /^tr/i.test(d.locale || document.documentElement.lang) ? "tr" : "en";
  const products = api + "products/" + d.product;
  // The first `memnun=` of the fragment, even empty (then the widget has no token either).
  const token = d.token ?? location.hash.match(/[#&]memnun=([^&#]*)/)?.[1];
  // As `parse::<u32>()`, then clamped.
  const limit = /^\+?\d+$/.test(d.limit) ? Math.max(1, Math.min(24, +d.limit)) : 8;
  if (kind == "reviews") return d.product && [products + "/reviews?locale=" + locale + "&sort=newest"];
  if (kind == "recommendations")
    return d.product && d.mode != "recently-viewed" && [products + "/recommendations?limit=" + limit + "&arm=" + shared.arm + "&locale=" + locale];
  return token && [api + (kind == "survey" ? "survey/open" : "orders/track"), JSON.stringify({ token, locale })];
};
// URL + body → the promise of a started request's response (null if it failed).
const started = {};
// What the widgets fetch with: a request started for them is taken once; any other, or one whose
// start failed, is sent.
const send = (url, init) => {
  const key = url + (init.body || ""), early = started[key];
  delete started[key];
  return early ? early.then((response) => response || fetch(url, init)) : fetch(url, init);
};
const near = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      near.unobserve(entry.target);
      const module = load(entry.target.dataset.memnun);
      const [url, body] = first(entry.target.dataset) || [];
      const post = body && { method: "POST", headers: { "Content-Type": "application/json" }, body };
      const key = url + (body || "");
      if (url) started[key] = fetch(url, { credentials: "omit", ...post }).catch(() => null);
      module
        .then((module) => {
          module.mount(entry.target, base, shop, send);
          // The widget asks at once (in microtasks) if it asks the same: later, the same URL is
          // a new question (a list refreshed after a review), never this answer.
          setTimeout(() => delete started[key]);
        })
        .catch((error) => console.error("memnun:", error));
    }
  },
  { rootMargin: "400px" },
);
// Shopper events for recommendations: only with consent (`data-consent="granted"` on this
// script, or `memnun.consent(true)` from the shop's banner; `data-consent="denied"` or
// `memnun.consent(false)` withdraws it), never under Global Privacy Control.
// Queued in memory and sent with sendBeacon when the page is hidden: nothing is sent before.
const store = (() => { try { return localStorage; } catch { return null; } })();
const key = (k) => "memnun:" + k + ":v1";
const get = (k) => store && store.getItem(key(k));
const set = (k, v) => { try { v == null ? store.removeItem(key(k)) : store.setItem(key(k), v); } catch {} };
const gpc = navigator.globalPrivacyControl === true;
const uuid = () => { try { return crypto.randomUUID(); } catch { return null; } };
let browser = null;
const queue = [];
// `keep`: remember the shopper's own choice across pages (a banner's); the script attribute is
// the shop's standing word, so it is read on every page, never stored.
const consent = (yes, keep = true) => {
  if (yes && !gpc) {
    // The same random id the review widget keeps for votes and reports, so one id names
    // everything this browser sent, and a shopper's erasure request needs only that one. Votes
    // count per client address, so forgetting it on withdrawal reopens nothing.
    browser = get("browser") || uuid();
    set("browser", browser);
    if (keep) set("consent", "1");
  } else {
    // No, withdrawn, or GPC: no events, and nothing kept for them. The id itself goes only when
    // the shopper withdraws: it is also the review widget's vote id, which GPC does not cover.
    browser = null;
    queue.length = 0;
    for (const k of ["consent", "visitor", "clicks", "recent"]) set(k);
    keep && !yes && set("browser");
  }
};
const said = script && script.dataset.consent;
if (gpc || said == "denied") consent(false, false);
else if (said == "granted") consent(true, false);
else if (get("consent")) consent(true);
const DAY = 864e5;
const json = (k, empty) => { try { return JSON.parse(get(k)) || empty; } catch { return empty; } };
const track = (type, detail = {}) => {
  const id = browser && uuid();
  if (!id) return;
  const event = { id, type, ...detail };
  const now = Date.now();
  // Clicks within the attribution window only: older ones are dropped as they are read.
  const all = Object.fromEntries(Object.entries(json("clicks", {})).filter(([, c]) => now - c[2] < 7 * DAY));
  if (type == "recommendation_clicked") all[detail.product] = [detail.source, detail.arm, now];
  else if (type != "recommendation_shown") {
    // An add to cart or purchase of a product clicked in a strip within 7 days is the strip's.
    const hit = [detail.product, ...(detail.products || [])].find((p) => all[p]);
    if (hit) Object.assign(event, { product: hit, source: all[hit][0], arm: all[hit][1] });
  }
  set("clicks", JSON.stringify(all));
  if (type == "product_view") set("recent", JSON.stringify([detail.product, ...json("recent", []).filter((p) => p != detail.product)].slice(0, 12)));
  queue.push(event);
};
const flush = () => {
  while (browser && queue.length) navigator.sendBeacon(base + "shops/" + shop + "/events", JSON.stringify({ browser, events: queue.splice(0, 20) }));
};
addEventListener("pagehide", flush);
addEventListener("visibilitychange", () => document.visibilityState == "hidden" && flush());
// Kept here too: the page may replace `window.memnun`.
const shared = (window.memnun = {
  consent,
  track,
  addToCart: (product) => track("add_to_cart", { product }),
  purchase: (products, order) => track("purchase", { products, order }),
  // The products this browser viewed lately, newest first (kept only here, only with consent).
  recent: () => (browser ? json("recent", []) : []),
  // The experiment's arm: the last hex digit of the random id, so half the browsers see each.
  get arm() { return browser && parseInt(browser.slice(-1), 16) & 1 ? "b" : "a"; },
});
const seen = new WeakSet();
const viewed = new Set();
// Elements that may hold a shadow root (and custom elements, with a dash in their name).
const hosts = /^(DIV|SPAN|P|SECTION|ARTICLE|ASIDE|MAIN|NAV|HEADER|FOOTER|BLOCKQUOTE|H[1-6])$|-/;
let warned;
const scan = () => {
  for (const el of document.querySelectorAll("[data-memnun]")) {
    if (seen.has(el)) continue;
    seen.add(el);
    const kind = el.dataset.memnun;
    // Only placeholders: not the reviews widget's own JSON-LD (`data-memnun="jsonld"` on a
    // script), nor a kind or an element no widget can mount on. Said once a page, not per element.
    if (!reserve[kind] || !hosts.test(el.tagName)) {
      if (kind != "jsonld" && !warned) warned = console.warn("memnun: skipped", el, reserve[kind] ? "not a div" : "unknown") || 1;
      continue;
    }
    const p = el.dataset.product;
    if (p && !viewed.has(p)) viewed.add(p), track("product_view", { product: p });
    // A shop that reserves the space in its own CSS (before first paint) shifts nothing at all.
    if (!(parseFloat(getComputedStyle(el).minHeight) > 0)) el.style.minHeight = reserve[kind];
    near.observe(el);
  }
};
if (shop) {
  scan();
  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
} else console.error("memnun: the script tag needs data-shop");

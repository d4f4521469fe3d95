// memnun loader: the one script a merchant adds. It finds [data-memnun] placeholders (now and
// later, for single-page shops), reserves their space, and only when one comes near the
// viewport fetches the wasm module of that kind of widget (compiled while it streams) and mounts
// it. `cargo xtask build` fills in the content-hashed file names and minifies this file.
const base = new URL(".", import.meta.url).href;
const script = [...document.scripts].find((s) => s.src === import.meta.url);
const shop = script && script.dataset.shop;
// Heights reserved before mount, so the page does not shift when a widget appears.
const reserve = { reviews: "640px", "order-tracker": "480px", survey: "420px" };
// Each kind of widget is its own module (glue, wasm): a product page never downloads the tracker.
const modules = {
  reviews: ["__REVIEWS_GLUE__", "__REVIEWS_WASM__"],
  "order-tracker": ["__TRACKER_GLUE__", "__TRACKER_WASM__"],
  survey: ["__SURVEY_GLUE__", "__SURVEY_WASM__"],
};
const loaded = {};
const load = (kind) => {
  const [glue, wasm] = modules[kind] || modules.reviews;
  return (loaded[glue] ||= import(base + "assets/" + glue).then(async (module) => {
    await module.default({ module_or_path: base + "assets/" + wasm });
    return module;
  }));
};
const near = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      near.unobserve(entry.target);
      load(entry.target.dataset.memnun)
        .then((module) => module.mount(entry.target, base, shop))
        .catch((error) => console.error("memnun:", error));
    }
  },
  { rootMargin: "400px" },
);
const seen = new WeakSet();
const scan = () => {
  for (const el of document.querySelectorAll("[data-memnun]")) {
    if (seen.has(el)) continue;
    seen.add(el);
    // A shop that reserves the space in its own CSS (before first paint) shifts nothing at all.
    if (!(parseFloat(getComputedStyle(el).minHeight) > 0)) el.style.minHeight = reserve[el.dataset.memnun] || "";
    near.observe(el);
  }
};
if (shop) {
  scan();
  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
} else console.error("memnun: the script tag needs data-shop");

// memnun loader: the one script a merchant adds. It finds [data-memnun] placeholders (now and
// later, for single-page shops), reserves their space, and only when one comes near the
// viewport fetches the widgets' wasm (compiled while it streams) and mounts them.
// `cargo xtask build` fills in the content-hashed file names and minifies this file.
const base = new URL(".", import.meta.url).href;
const script = [...document.scripts].find((s) => s.src === import.meta.url);
const shop = script && script.dataset.shop;
// Heights reserved before mount, so the page does not shift when a widget appears.
const reserve = { reviews: "640px" };
let widgets;
const load = () =>
  (widgets ||= import(base + "assets/__GLUE__").then(async (glue) => {
    await glue.default({ module_or_path: base + "assets/__WASM__" });
    return glue;
  }));
const near = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      near.unobserve(entry.target);
      load()
        .then((glue) => glue.mount(entry.target, base, shop))
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

// The oldest Chrome, Firefox and Safari with every web API and WebAssembly feature the widgets
// and the loader need, from MDN's browser-compat-data (README, "Browsers"). CSS the widgets use
// only to look better where it is supported (accent-color, scroll snapping, overscroll, :focus-
// visible and friends) is not counted: an older browser drops those rules and works.
// Usage: npm install --prefix /tmp/bcd @mdn/browser-compat-data@8.1.9 &&
//   node tests/support/browser-minimums.mjs /tmp/bcd/node_modules/@mdn/browser-compat-data/data.json
import fs from "node:fs";

const bcd = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
/** What is needed, by the name README uses: its path in the data. The wasm features are those
 * `wasm-opt --detect-features` finds in the built modules. */
const FEATURES = {
  "Shadow DOM": "api.Element.attachShadow",
  "constructable stylesheets": "api.CSSStyleSheet.CSSStyleSheet",
  "replaceSync": "api.CSSStyleSheet.replaceSync",
  "adoptedStyleSheets": "api.ShadowRoot.adoptedStyleSheets",
  "module scripts": "html.elements.script.type.module",
  "dynamic import()": "javascript.operators.import",
  "optional chaining": "javascript.operators.optional_chaining",
  "nullish coalescing": "javascript.operators.nullish_coalescing",
  "WebAssembly.instantiateStreaming": "webassembly.api.instantiateStreaming_static",
  "wasm bulk memory": "webassembly.bulk-memory-operations",
  "wasm multi-value": "webassembly.multi-value",
  "wasm non-trapping float-to-int": "webassembly.non-trapping-float-to-int-conversions",
  "wasm reference types": "webassembly.reference-types",
  "wasm sign extension": "webassembly.sign-extension-operations",
  "IntersectionObserver": "api.IntersectionObserver.IntersectionObserver",
  "MutationObserver": "api.MutationObserver.MutationObserver",
  "sendBeacon": "api.Navigator.sendBeacon",
  "crypto.getRandomValues": "api.Crypto.getRandomValues",
  "Intl.NumberFormat": "javascript.builtins.Intl.NumberFormat",
};
const BROWSERS = { chrome: "Chrome", chrome_android: "Chrome Android", firefox: "Firefox", safari: "Safari", safari_ios: "Safari on iOS" };
const at = (path) => path.split(".").reduce((o, k) => o?.[k], bcd)?.__compat;
/** The first version with the feature whole (not behind a flag, a prefix, another name or in
 * part, and not removed since), or null if none. */
const version = (support) =>
  [support].flat().find((s) => !s.flags && !s.prefix && !s.alternative_name && !s.partial_implementation && !s.version_removed)?.version_added ?? null;
/** "16.4" as [16, 4], "≤79" as [79]; true (some version) as [0]; never, or only a preview, as
 * newer than any version. */
const parts = (v) => (v === true ? [0] : typeof v === "string" && /^≤?\d/.test(v) ? v.replace("≤", "").split(".").map(Number) : [Infinity]);
const newer = (a, b) => {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};
const worst = {};
for (const [name, path] of Object.entries(FEATURES)) {
  const c = at(path);
  if (!c) throw new Error(`${path} is not in this browser-compat-data`);
  const row = [];
  for (const b of Object.keys(BROWSERS)) {
    const v = version(c.support[b]);
    row.push(`${b} ${v}`);
    if (!worst[b] || newer(v, worst[b][0])) worst[b] = [v, name];
  }
  console.log(name.padEnd(32), row.join(" | "));
}
console.log("bcd", bcd.__meta.version);
for (const [b, [v, why]] of Object.entries(worst)) console.log(BROWSERS[b], v, "—", why);

// Seeds the demo shop's catalog (merchant API) and a generated but plausible shopping history
// through the shoppers' own events endpoint, as the loader would send it: browsers that view a
// few products of one taste (kitchen or clothing), and purchases of things that go together
// (a cup with its saucer, a coffee pot with beans), and the strips they were shown and sometimes
// clicked (so the dashboard's recommendation figures have numbers). Deterministic: every run sends the same event
// ids, so a second run counts nothing twice.
// `node demo-site/seed-recommendations.mjs --edge http://127.0.0.1:8787 --site http://127.0.0.1:8080`.
import { parseArgs } from "node:util";
import { readFile } from "node:fs/promises";
import { seeded } from "./random.mjs";

const { values } = parseArgs({ options: { edge: { type: "string" }, site: { type: "string" }, key: { type: "string" } } });
const EDGE = values.edge ?? "http://127.0.0.1:8787";
const SITE = values.site ?? "http://127.0.0.1:8080";
const KEY = values.key ?? "mk_demo_local_only";

const catalog = JSON.parse(await readFile(new URL("./catalog.json", import.meta.url), "utf8")).map((item) => ({
  ...item,
  url: `${SITE}/products/${item.id}.html`,
  image_url: `${SITE}/img/${item.id}.svg`,
}));
const put = await fetch(`${EDGE}/v1/admin/catalog`, {
  method: "PUT",
  headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
  body: JSON.stringify({ mode: "replace", items: catalog }),
});
if (!put.ok) throw new Error(`catalog: ${put.status} ${await put.text()}`);

const { random, pick } = seeded(20261123);
const uuid = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

const kitchen = ["kahve-fincani-01", "fincan-tabagi-03", "cezve-04", "kupa-05", "kahve-cekirdegi-08", "keten-pecete-06"];
const clothing = ["linen-shirt-02", "yun-atki-07", "keten-pecete-06"];
const baskets = [
  ["kahve-fincani-01", "fincan-tabagi-03"],
  ["kahve-fincani-01", "fincan-tabagi-03", "kahve-cekirdegi-08"],
  ["cezve-04", "kahve-cekirdegi-08"],
  ["cezve-04", "kahve-fincani-01", "kahve-cekirdegi-08"],
  ["kupa-05", "kahve-cekirdegi-08"],
  ["linen-shirt-02", "yun-atki-07"],
  ["keten-pecete-06", "tabak-seti-09"],
  ["kahve-fincani-01"],
];

let eventNumber = 1_000_000;
const browsers = [];
for (let b = 0; b < 80; b++) {
  const taste = random() < 0.7 ? kitchen : clothing;
  const viewed = new Set();
  const count = 2 + Math.floor(random() * 4);
  while (viewed.size < Math.min(count, taste.length)) viewed.add(pick(taste));
  const events = [...viewed].map((product) => ({ id: uuid(eventNumber++), type: "product_view", product }));
  // The strip on the last product viewed, as the loader reports it: what it showed, from which
  // source, under this browser's arm (the parity of its id's last hex digit), and now and then a
  // click, more often under arm "a", so the experiment has something to compare.
  const id = uuid(b + 1);
  const arm = parseInt(id.at(-1), 16) % 2 === 0 ? "a" : "b";
  const last = [...viewed].at(-1);
  const strip = taste.filter((p) => p !== last).slice(0, 4);
  for (const [i, product] of strip.entries()) {
    const source = i < 2 ? "bought_together" : i < 3 ? "viewed_together" : "bestseller";
    events.push({ id: uuid(eventNumber++), type: "recommendation_shown", product, source, arm });
    if (random() < (arm === "a" ? 0.22 : 0.12)) events.push({ id: uuid(eventNumber++), type: "recommendation_clicked", product, source, arm });
  }
  if (random() < 0.5) {
    const basket = taste === kitchen ? pick(baskets.slice(0, 5).concat(baskets.slice(7))) : pick(baskets.slice(5, 7));
    events.push({ id: uuid(eventNumber++), type: "purchase", products: basket });
  }
  browsers.push({ browser: id, events });
}
let sent = 0;
for (const batch of browsers) {
  const res = await fetch(`${EDGE}/v1/shops/demo/events`, {
    method: "POST",
    headers: { "Content-Type": "text/plain;charset=UTF-8", Origin: SITE },
    body: JSON.stringify(batch),
  });
  if (!res.ok) throw new Error(`events: ${res.status} ${await res.text()}`);
  sent += batch.events.length;
}
console.log(`seeded the demo catalog (${catalog.length} products) and ${sent} shopper events from ${browsers.length} browsers through the events endpoint`);

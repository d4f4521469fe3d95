// Seeds a year of the demo shop's past orders through the back-fill (`POST /v1/admin/orders/import`),
// as a shop that starts with memnun imports its history: so the dashboard's Overview has a year of
// orders, revenue, repeat buyers and monthly cohorts to show. Generated but plausible and
// deterministic: shoppers whose first order falls anywhere in the last year, a third of them
// coming back (sooner after a good delivery), three carriers with their own lead times, a few
// cancellations and refunds, a handful of orders in euros, and the survey's answerers coming back
// as their answer says. An import only adds, so a second
// run the same day changes nothing.
// `node demo-site/seed-history.mjs --edge http://127.0.0.1:8787`.
import { parseArgs } from "node:util";
import { readFile } from "node:fs/promises";
import { seeded } from "./random.mjs";

// `--site` is taken (and unused), so the seeds can be run alike.
const { values } = parseArgs({ options: { edge: { type: "string" }, site: { type: "string" }, key: { type: "string" } } });
const EDGE = values.edge ?? "http://127.0.0.1:8787";
const KEY = values.key ?? "mk_demo_local_only";

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const today = new Date();
// Today's 06:00 UTC, as seed-orders.mjs: every run on one day gives the same history.
const anchor = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 6);

// History ends a week before today, every parcel of it delivered: this week is the demo's own orders
// (seed-orders.mjs), and no past parcel waits on the attention list.
const LAST = 8 * DAY;

const catalog = JSON.parse(await readFile(new URL("./catalog.json", import.meta.url), "utf8"));

const { random, pick } = seeded(20261205);
/** An exponential wait with this mean, in milliseconds. */
const wait = (meanDays) => -Math.log(1 - random()) * meanDays * DAY;

const carriers = [
  { carrier: "Yurtiçi Kargo", prefix: "YK", hours: [30, 70] },
  { carrier: "Aras Kargo", prefix: "AR", hours: [40, 100] },
  { carrier: "PTT Kargo", prefix: "PT", hours: [60, 160] },
];
const lira = catalog.filter((item) => item.currency === "TRY");
const euro = catalog.filter((item) => item.currency === "EUR");

let number = 0;
const lines = [];
function order(email, placed) {
  number += 1;
  const id = `H-${String(number).padStart(4, "0")}`;
  const abroad = random() < 0.05;
  const goods = abroad ? euro : lira;
  const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
    const item = pick(goods);
    return { product: item.id, quantity: random() < 0.8 ? 1 : 2, price_minor: item.price_minor, currency: item.currency };
  });
  const way = pick(carriers);
  const lead = (way.hours[0] + random() * (way.hours[1] - way.hours[0])) * HOUR;
  const cancelled = random() < 0.03;
  const shipment = `${id}-s1`;
  const total = items.reduce((sum, i) => sum + i.price_minor * i.quantity, 0);
  lines.push({
    id,
    number: `H${1000 + number}`,
    email,
    placed_at: new Date(placed).toISOString(),
    ...(cancelled ? { cancelled_at: new Date(placed + 6 * HOUR).toISOString() } : {}),
    ...(!cancelled && random() < 0.03 ? { refunded_minor: Math.round(total / 2) } : {}),
    items,
    shipments: cancelled ? [] : [{ id: shipment, carrier: way.carrier, tracking_number: `${way.prefix}${700000 + number}` }],
    events: !cancelled
      ? [
          { shipment, status: "shipped", time: new Date(placed + lead / 3).toISOString() },
          { shipment, status: "delivered", time: new Date(placed + lead).toISOString() },
        ]
      : [],
  });
  return { lead, cancelled };
}

for (let shopper = 1; shopper <= 260; shopper++) {
  const email = `gecmis${shopper}@example.com`;
  // More new shoppers lately: the shop is growing.
  let placed = anchor - Math.floor(Math.pow(random(), 0.8) * 357) * DAY - Math.floor(random() * 14) * HOUR - LAST;
  let { lead } = order(email, placed);
  // A quick delivery brings shoppers back more often.
  let comeBack = lead < 60 * HOUR ? 0.42 : 0.25;
  while (random() < comeBack) {
    placed += Math.max(2 * DAY, wait(45));
    if (placed > anchor - LAST) break;
    ({ lead } = order(email, placed));
    comeBack *= 0.8;
  }
}

// The shoppers who answered the survey (seed-orders.mjs: orders 3010–3162, emails gecmisNUMBER@)
// come back as their answer says: most promoters, some passives, few detractors. Their answers are
// read back through the API, as a shop's own system would look them up.
const day = (ms) => new Date(ms).toISOString().slice(0, 10);
let cursor = "";
const answers = [];
do {
  const page = await fetch(
    `${EDGE}/v1/admin/survey/responses?from=${day(anchor - 140 * DAY)}&to=${day(anchor)}&limit=100${cursor ? `&cursor=${cursor}` : ""}`,
    { headers: { Authorization: `Bearer ${KEY}` } },
  );
  if (!page.ok) throw new Error(`survey responses: ${page.status} ${await page.text()}`);
  const body = await page.json();
  answers.push(...body.responses);
  cursor = body.next_cursor ?? "";
} while (cursor);
for (const answer of answers.filter((a) => a.number.startsWith("3") && a.nps !== null)) {
  const chance = answer.nps >= 9 ? 0.9 : answer.nps >= 7 ? 0.45 : 0.1;
  const placed = answer.delivered_at + (3 + random() * 17) * DAY;
  if (random() < chance && placed < anchor - LAST) order(`gecmis${answer.number}@example.com`, placed);
}

const res = await fetch(`${EDGE}/v1/admin/orders/import`, {
  method: "POST",
  headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/x-ndjson" },
  body: lines.map((line) => JSON.stringify(line)).join("\n"),
});
const text = await res.text();
if (!res.ok) throw new Error(`import: ${res.status} ${text}`);
const report = JSON.parse(text);
if (report.refused.length) throw new Error(`import refused lines: ${JSON.stringify(report.refused.slice(0, 3))}`);
console.log(`imported a year of history: ${report.imported} orders (${report.already_there} already there)`);

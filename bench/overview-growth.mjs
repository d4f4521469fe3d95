// Growth of the overview: `GET /v1/admin/reports/overview` (the default twelve weeks, and a year by
// month) as a shop's history grows to 10^4 and 10^5 orders (a year of them, a third of the buyers
// coming back, every order priced, parcels with three carriers, one in ten answered in the survey)
// and 10^5 and 10^6 shopper events (views, adds to cart and purchases of 90 days). Rows are seeded
// in bulk with one SQL statement each (not through the API). The baseline is the same run's
// `GET /v1/admin/shop` (one row read), so the figures are ratios to a request that reads nothing
// that grows. Before timing, the minute's job rolls the visits up (as it would have, day by day),
// and its slowest run is reported. Prints one JSON object.
// Usage: node bench/overview-growth.mjs [--smoke]
import { Edge, TEST_API_KEY, TEST_SHOP } from "../tests/support/harness.mjs";

const smoke = process.argv.includes("--smoke");
const SIZES = process.env.OG_SIZES ? JSON.parse(process.env.OG_SIZES) : smoke ? [{ orders: 1000, events: 10000 }] : [{ orders: 10000, events: 100000 }, { orders: 100000, events: 1000000 }];
const SAMPLES = smoke ? 2 : 5;
const DAY = 86_400_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const edge = await Edge.start({ env: "bench", origins: ["https://bench.example"] });
const now = Date.now();

/** Orders `from..to` (exclusive): buyer n % (count / 3), placed over the last year. */
async function seedOrders(from, to, buyers) {
  const seq = `WITH RECURSIVE seq(n) AS (SELECT CAST(?1 AS INTEGER) UNION ALL SELECT n + 1 FROM seq WHERE n < ?2 - 1)`;
  const placed = `(?3 - 8 * ${DAY} - (n * 7919 % 357) * ${DAY} - (n % 24) * 3600000)`;
  await edge.query(
    `${seq} INSERT INTO orders (shop_id, id, number, email_hash, placed_at, updated_at, delivered_at)
     SELECT ?4, 'o' || n, 'N' || n, 'buyer' || (n % ?5), ${placed}, ?3, ${placed} + (40 + n % 90) * 3600000 FROM seq`,
    from, to, now, TEST_SHOP, buyers,
  );
  await edge.query(
    `${seq} INSERT INTO order_items (shop_id, order_id, position, product_id, quantity, price_minor, currency)
     SELECT ?3, 'o' || n, 0, 'p-' || (n % 500), 1 + n % 2, 10000 + (n % 50) * 1000, 'TRY' FROM seq`,
    from, to, TEST_SHOP,
  );
  await edge.query(
    `${seq} INSERT INTO shipments (shop_id, order_id, id, position, carrier)
     SELECT ?3, 'o' || n, 's1', 0, CASE n % 3 WHEN 0 THEN 'Yurtiçi Kargo' WHEN 1 THEN 'Aras Kargo' ELSE 'PTT Kargo' END FROM seq`,
    from, to, TEST_SHOP,
  );
  await edge.query(
    `${seq} INSERT INTO survey_responses (shop_id, order_id, shopper_key, seq, nps, csat, opened_at, answered_at, updated_at)
     SELECT ?3, 'o' || n, 'buyer' || n, 1, n % 11, 1 + n % 5, ?4, ?4, ?4 FROM seq WHERE n % 10 = 0`,
    from, to, TEST_SHOP, now,
  );
}

/** The 500 products the events name, in the catalog (the overview's products are the catalog's). */
async function seedCatalog() {
  await edge.query(
    `WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < 499)
     INSERT INTO catalog_items (shop_id, product_id, name, price_minor, currency, url, in_stock, created_at, updated_at)
     SELECT ?1, 'p-' || n, json_object('tr', 'Ürün ' || n), 10000, 'TRY', 'https://bench.example/p/' || n, 1, ?2, ?2 FROM seq`,
    TEST_SHOP, now,
  );
}

/** Events `from..to`: browser n % 5000, kinds 70 % views, 20 % adds, 10 % purchases, 90 days. */
async function seedEvents(from, to) {
  await edge.query(
    `WITH RECURSIVE seq(n) AS (SELECT CAST(?1 AS INTEGER) UNION ALL SELECT n + 1 FROM seq WHERE n < ?2 - 1)
     INSERT INTO shopper_events (shop_id, id, browser_key, kind, product_id, products, time)
     SELECT ?3, 'e' || n, 'browser' || (n % 5000),
       CASE WHEN n % 10 < 7 THEN 'product_view' WHEN n % 10 < 9 THEN 'add_to_cart' ELSE 'purchase' END,
       CASE WHEN n % 10 < 9 THEN 'p-' || (n % 500) END,
       CASE WHEN n % 10 = 9 THEN json_array('p-' || (n % 500)) ELSE '[]' END,
       ?4 - (n * 7919 % (90 * 24)) * 3600000 FROM seq`,
    from, to, TEST_SHOP, now,
  );
}

async function timeGet(path) {
  const times = [];
  let statements = null;
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const res = await fetch(`${edge.url}/v1/admin/${path}`, { headers: { Authorization: `Bearer ${TEST_API_KEY}` } });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
    times.push(performance.now() - t0);
    statements = res.headers.get("x-memnun-d1-statements");
  }
  return { ms: median(times), statements: statements === null ? null : Number(statements) };
}

try {
  await seedCatalog();
  const rows = [];
  let orders = 0;
  let events = 0;
  for (const size of SIZES) {
    await seedOrders(orders, size.orders, Math.floor(size.orders / 3));
    await seedEvents(events, size.events);
    ({ orders, events } = size);
    // The minute's job rolls the visits up a week of days per run: run it until it is through,
    // timing each run (the slowest is what one Cron run may cost).
    const lastFinal = Math.floor((now - 3 * DAY) / DAY) - 1;
    // Seeded rows land in days the last size rolled up already (live, events only ever join
    // today): roll them up again from the start.
    for (const table of ["visit_rollups", "visit_days", "product_visit_days"]) await edge.query(`DELETE FROM ${table}`);
    const rollups = [];
    for (let run = 0; run < 40; run++) {
      const [row] = await edge.query("SELECT through_day FROM visit_rollups WHERE shop_id = ?1", TEST_SHOP);
      if (row?.through_day === lastFinal) break;
      const t0 = performance.now();
      await edge.scheduled(now);
      rollups.push(performance.now() - t0);
    }
    const baseline = await timeGet("shop");
    const weeks = await timeGet("reports/overview");
    const year = await timeGet("reports/overview?interval=month");
    rows.push({
      orders, events, baseline_ms: baseline.ms, weeks_ms: weeks.ms, year_ms: year.ms, statements: year.statements,
      rollup_runs: rollups.length, rollup_max_ms: Math.max(0, ...rollups),
    });
  }
  console.log(JSON.stringify({ samples: SAMPLES, rows }));
} finally {
  await edge.cleanup();
}

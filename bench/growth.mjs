// Growth: product-reviews GET latency and review POST latency as one product's reviews grow to
// 10^3, 10^4 and 10^5, and with 10^5 reviews spread across 10^4 products. Rows are seeded in bulk
// with one SQL statement each (not through the API). The figures should stay flat: summaries are
// maintained rows and pages follow an index by cursor. Prints one JSON object.
// Usage: node bench/growth.mjs [--smoke]
import { randomUUID } from "node:crypto";
import { Edge, TEST_SHOP } from "../tests/support/harness.mjs";

const smoke = process.argv.includes("--smoke");
const SIZES = smoke ? [100, 1000] : [1000, 10000, 100000];
const SAMPLES = smoke ? 5 : 40;
const SPREAD_PRODUCTS = smoke ? 100 : 10000;
const ORIGIN = "https://bench.example";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const edge = await Edge.start({ env: "bench", origins: [ORIGIN] });

/** Adds `count` published reviews, spread over `products` products named `${prefix}-N`. */
async function seed(prefix, products, count, offset) {
  await edge.query(
    `WITH RECURSIVE seq(n) AS (SELECT CAST(?1 AS INTEGER) UNION ALL SELECT n + 1 FROM seq WHERE n < ?2)
     INSERT INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at)
     SELECT printf('r%024x', n + ?5), ?3, ?4 || '-' || (n % CAST(?6 AS INTEGER)), 1 + (n % 5), 'Seeded', 'A seeded review for the growth bench.', 'Bench', NULL, 'en', 'seed', 'seed', 'published', 1700000000000 + n
     FROM seq`,
    offset, offset + count - 1, TEST_SHOP, prefix, prefix === "one" ? 0 : 1_000_000, products,
  );
  await edge.query(
    `INSERT OR REPLACE INTO product_ratings (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at)
     SELECT shop_id, product_id, SUM(rating = 1), SUM(rating = 2), SUM(rating = 3), SUM(rating = 4), SUM(rating = 5), MAX(created_at)
     FROM reviews WHERE shop_id = ?1 AND product_id LIKE ?2 || '-%' GROUP BY shop_id, product_id`,
    TEST_SHOP, prefix,
  );
}

async function timeGet(product) {
  const times = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const res = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/products/${product}/reviews`);
    const body = await res.json();
    if (res.status !== 200 || body.reviews.length === 0) throw new Error(`GET ${product}: ${res.status}`);
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function timePost(product) {
  const times = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const res = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/reviews`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": randomUUID(), Origin: ORIGIN, "CF-Connecting-IP": "127.0.0.1" },
      // A distinct body each time (the same text twice is held as a duplicate) and the fill time
      // the widget sends (faster submits are dropped as bots).
      body: JSON.stringify({ product, rating: 4, body: `Growth bench review ${randomUUID()}.`, author: "Bench", fill_ms: 8000 }),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`POST ${product}: ${res.status}`);
    times.push(performance.now() - t0);
  }
  return median(times);
}

try {
  const rows = [];
  let seeded = 0;
  for (const size of SIZES) {
    await seed("one", 1, size - seeded, seeded);
    seeded = size;
    rows.push({ scenario: "one product", reviews: size, get_ms: await timeGet("one-0"), post_ms: await timePost("one-0") });
  }
  const total = SIZES[SIZES.length - 1];
  await seed("spread", SPREAD_PRODUCTS, total, 0);
  rows.push({
    scenario: `across ${SPREAD_PRODUCTS} products`,
    reviews: total,
    get_ms: await timeGet(`spread-${Math.floor(SPREAD_PRODUCTS / 2)}`),
    post_ms: await timePost(`spread-${Math.floor(SPREAD_PRODUCTS / 3)}`),
  });
  console.log(JSON.stringify({ samples: SAMPLES, rows }));
} finally {
  await edge.cleanup();
}

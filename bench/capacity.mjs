// Capacity: what one data database takes, measured here (workerd, local D1, 2 cores), for
// docs/CAPACITY.md. Per kind of write, the writes per second the edge sustains with CONCURRENCY
// requests in flight; events accepted per second stored as they come and through the event
// queue (and how fast its consumer drains them); review writes per second for two shops on one
// data database and on two; public reads per second from D1 and from Cloudflare's cache; and the bytes each review, order and event adds to its database
// (D1's `size_after`, over many rows, indexes and idempotency records included).
// Prints one JSON object on stdout. Usage: node bench/capacity.mjs [--smoke]
import { randomUUID } from "node:crypto";
import { Edge, TEST_API_KEY, TEST_SHOP, until } from "../tests/support/harness.mjs";

const smoke = process.argv.includes("--smoke");
const N = smoke ? 40 : 600;
const CONCURRENCY = smoke ? 4 : 16;
const ORIGIN = "https://bench.example";
const OTHER = "bench-other";
const OTHER_KEY = "mk_bench_other_key";

let counter = 0;
const write = {
  review: (edge, shop = TEST_SHOP) =>
    fetch(`${edge.url}/v1/shops/${shop}/reviews`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": randomUUID(), Origin: ORIGIN, "CF-Connecting-IP": "127.0.0.1" },
      body: JSON.stringify({ product: `p-${counter++ % 50}`, rating: 4, title: "Güzel", body: `Kumaşı yumuşak, dikişleri sağlam, tam beden. ${randomUUID()}`, author: "Ayşe", email: "ayse@example.com", fill_ms: 8000 }),
    }),
  order: (edge) => {
    const id = `o-${counter++}`;
    return fetch(`${edge.url}/v1/admin/orders/${id}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${TEST_API_KEY}` },
      body: JSON.stringify({ number: id, email: `s${counter}@example.com`, placed_at: "2026-11-01T10:00:00Z", currency: "TRY", total_minor: 45000, items: [{ product: `p-${counter % 50}`, quantity: 1, price_minor: 25000 }, { product: `p-${(counter + 7) % 50}`, quantity: 2, price_minor: 10000 }], shipments: [{ id: "s1", carrier: "yurtici", tracking_number: `YK${counter}` }] }),
    });
  },
  // One batch of 20 views from one browser: the loader's largest.
  events: (edge) =>
    fetch(`${edge.url}/v1/shops/${TEST_SHOP}/events`, {
      method: "POST",
      headers: { "Content-Type": "text/plain;charset=UTF-8", Origin: ORIGIN, "CF-Connecting-IP": "127.0.0.1" },
      body: JSON.stringify({ browser: randomUUID(), events: Array.from({ length: 20 }, (_, i) => ({ id: randomUUID(), type: "product_view", product: `p-${(counter++ + i) % 50}` })) }),
    }),
};

/** `n` requests made by `make`, `CONCURRENCY` at a time: requests per second, all answered 2xx. */
async function rate(n, make) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      next += 1;
      const res = await make();
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${res.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return n / ((performance.now() - started) / 1000);
}

async function size(edge, binding = "DB") {
  const db = await edge.db(binding);
  return (await db.prepare("SELECT 1").run()).meta.size_after;
}

async function bytesPer(edge, n, make, binding = "DB") {
  const before = await size(edge, binding);
  await rate(n, make);
  return (await size(edge, binding) - before) / n;
}

const result = { concurrency: CONCURRENCY, requests: N };
let edge = await Edge.start({ env: "bench", origins: [ORIGIN] });
try {
  result.writes_per_second = {
    review: await rate(N, () => write.review(edge)),
    order: await rate(N, () => write.order(edge)),
    event_batch: await rate(N, () => write.events(edge)),
  };
  result.bytes = {
    review: await bytesPer(edge, N, () => write.review(edge)),
    order: await bytesPer(edge, N, () => write.order(edge)),
    event: (await bytesPer(edge, N, () => write.events(edge))) / 20,
  };
} finally {
  await edge.cleanup();
}

// Events: stored as they come, then through the queue (accepted, then drained by the consumer).
edge = await Edge.start({ env: "bench", origins: [ORIGIN] });
try {
  result.events_direct_per_second = 20 * (await rate(N, () => write.events(edge)));
} finally {
  await edge.cleanup();
}
edge = await Edge.start({ env: "bench", origins: [ORIGIN], vars: { EVENTS_QUEUE: "EVENTS" } });
try {
  const started = performance.now();
  result.events_queued_per_second = 20 * (await rate(N, () => write.events(edge)));
  await until("the queue to drain", async () => (await edge.query("SELECT count(*) AS n FROM shopper_events"))[0].n >= 20 * N, 600_000);
  result.events_drained_per_second = (20 * N) / ((performance.now() - started) / 1000);
} finally {
  await edge.cleanup();
}

// Two shops' review writes, both on one data database, then one on each of two.
for (const [label, vars, otherDatabase] of [["one", {}, "DB"], ["two", { DATA_DATABASES: "DB DB_2" }, "DB_2"]]) {
  edge = await Edge.start({ env: "bench", origins: [ORIGIN], vars });
  try {
    await edge.addShop(OTHER, { database: otherDatabase });
    await edge.addKey(OTHER, OTHER_KEY, "bench", { database: otherDatabase });
    await edge.queryOn(otherDatabase, "INSERT INTO shop_origins (shop_id, origin) VALUES (?1, ?2)", OTHER, ORIGIN);
    let turn = 0;
    result[`reviews_per_second_${label}_database`] = await rate(2 * N, () => write.review(edge, turn++ % 2 ? OTHER : TEST_SHOP));
    const stored = (await edge.queryOn(otherDatabase, "SELECT count(*) AS n FROM reviews WHERE shop_id = ?1", OTHER))[0].n;
    if (stored !== N) throw new Error(`${stored} reviews of the other shop in ${otherDatabase}, ${N} sent`);
  } finally {
    await edge.cleanup();
  }
}
// Public reads: the recommendation strip answered by the worker from D1, then from Cloudflare's
// cache (PUBLIC_READ_CACHE; miniflare's cache here), over 50 products' addresses.
const catalog = Array.from({ length: 50 }, (_, i) => ({ id: `p-${i}`, name: { tr: `Ürün ${i}`, en: `Product ${i}` }, price_minor: 10000, currency: "TRY", url: `https://shop.example/p/${i}`, category: "mutfak" }));
const strip = (edge) => fetch(`${edge.url}/v1/shops/${TEST_SHOP}/products/p-${counter++ % 50}/recommendations?locale=tr`);
result.strip_reads_per_second = {};
for (const [label, vars] of [["database", {}], ["cache", { PUBLIC_READ_CACHE: "true" }]]) {
  edge = await Edge.start({ env: "bench", origins: [ORIGIN], vars });
  try {
    const put = await fetch(`${edge.url}/v1/admin/catalog`, { method: "PUT", headers: { "Content-Type": "application/json", Authorization: `Bearer ${TEST_API_KEY}` }, body: JSON.stringify({ items: catalog }) });
    if (put.status !== 200) throw new Error(`catalog: ${put.status} ${await put.text()}`);
    // Each address once, and with the cache on until it holds them all (a copy is stored after
    // its answer has gone), before the count starts.
    await rate(50, () => strip(edge));
    if (vars.PUBLIC_READ_CACHE) {
      await until("the cache to hold every strip", async () => {
        const misses = await Promise.all(Array.from({ length: 50 }, async () => {
          const res = await strip(edge);
          await res.arrayBuffer();
          return res.headers.get("cf-cache-status") !== "HIT";
        }));
        return !misses.some(Boolean);
      });
    }
    result.strip_reads_per_second[label] = await rate(N, () => strip(edge));
  } finally {
    await edge.cleanup();
  }
}
console.log(JSON.stringify(result));

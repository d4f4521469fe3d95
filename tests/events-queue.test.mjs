// Shoppers' events through the event queue (EVENTS_QUEUE: a Cloudflare Queue, local under
// workerd with its consumer and dead-letter queue from wrangler.toml's test environment). A burst
// from many browsers is answered 202 `queued` without D1, drained by the consumer and counted
// exactly once: the stored events equal the distinct ids sent, and each product's view count
// equals the browsers that viewed it, with batches sent twice, with the consumer made to fail
// some messages once (retried by the queue), and with some failing every time (dead-lettered,
// parked, and stored by the every-minute job).
//
// The burst is 2,000 events here; MEMNUN_QUEUE_BURST=20000 node --test tests/events-queue.test.mjs
// runs the full size.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, newClient, until } from "./support/harness.mjs";

const ORIGIN = "https://queue.example";
const BURST = Number(process.env.MEMNUN_QUEUE_BURST || 2000);
const PER_BATCH = 20;
const PRODUCTS = 60;

async function send(edge, body) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/events`, {
    method: "POST",
    headers: { "Content-Type": "text/plain;charset=UTF-8", "CF-Connecting-IP": newClient(), Origin: ORIGIN },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/** One batch per browser, each viewing PER_BATCH products (some twice); every tenth batch is
 * sent again as a beacon's retry would be. Answers what must be counted. */
async function burst(edge) {
  const batches = [];
  for (let b = 0; b * PER_BATCH < BURST; b++) {
    const events = [];
    for (let i = 0; i < PER_BATCH; i++) events.push({ id: randomUUID(), type: "product_view", product: `p-${(b * 7 + i * (i % 3 === 0 ? 0 : 1)) % PRODUCTS}` });
    batches.push({ browser: randomUUID(), events });
  }
  const sends = [...batches, ...batches.filter((_, i) => i % 10 === 0)];
  const answers = [];
  const started = Date.now();
  for (let i = 0; i < sends.length; i += 16) {
    answers.push(...(await Promise.all(sends.slice(i, i + 16).map((body) => send(edge, body)))));
  }
  const acceptMs = Date.now() - started;
  for (const a of answers) {
    assert.equal(a.status, 202, JSON.stringify(a.json));
    assert.equal(a.json.queued, true);
    assert.equal(a.json.duplicates, 0);
  }
  const expectedViews = new Map();
  for (const batch of batches) {
    for (const product of new Set(batch.events.map((e) => e.product))) expectedViews.set(product, (expectedViews.get(product) ?? 0) + 1);
  }
  return { events: batches.length * PER_BATCH, sent: sends.length * PER_BATCH, expectedViews, acceptMs };
}

async function counted(edge) {
  return (await edge.query("SELECT count(*) AS n FROM shopper_events WHERE shop_id = 'test-shop'"))[0].n;
}

/** What is counted now: stored events, and views per product. */
async function counts(edge) {
  const views = await edge.query("SELECT product_id, n FROM item_counts WHERE shop_id = 'test-shop' AND kind = 'view' ORDER BY product_id");
  return { events: await counted(edge), views: Object.fromEntries(views.map((v) => [v.product_id, v.n])) };
}

const wanted = (expected) => ({ events: expected.events, views: Object.fromEntries([...expected.expectedViews].sort(([a], [b]) => (a < b ? -1 : 1))) });

/** Waits until the counts are what was sent, counted once; a count past it fails at once. */
async function untilCountedOnce(edge, expected, drive = async () => {}) {
  const want = wanted(expected);
  let last;
  await until("every event counted once", async () => {
    await drive();
    last = await counts(edge);
    assert.ok(last.events <= want.events, `${last.events} events stored, ${want.events} sent`);
    for (const [product, n] of Object.entries(last.views)) assert.ok(n <= (want.views[product] ?? 0), `${product} counted ${n} times`);
    return JSON.stringify(last) === JSON.stringify(want);
  }, 240_000).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify(last)} against ${JSON.stringify(want)}`);
  });
}

describe("events through the queue", () => {
  test(`a burst of ${BURST} events from many browsers, with a fifth of the messages failing once, is counted exactly once`, async () => {
    const edge = await Edge.start({ origins: [ORIGIN], vars: { EVENTS_QUEUE: "EVENTS", QUEUE_TEST_FAILURES: "5" } });
    try {
      const expected = await burst(edge);
      await untilCountedOnce(edge, expected);
      console.log(`# ${expected.sent} events sent (${expected.events} distinct) accepted in ${expected.acceptMs} ms`);
    } finally {
      await edge.cleanup();
    }
  });

  test("messages that fail past the queue's retries are dead-lettered, parked, and stored once by the scheduled job", async () => {
    const edge = await Edge.start({ origins: [ORIGIN], vars: { EVENTS_QUEUE: "EVENTS", QUEUE_TEST_FAILURES: "3!" } });
    try {
      const expected = await burst(edge);
      const parked = async () => (await edge.query("SELECT count(*) AS n FROM parked_events"))[0].n;
      // Every message is stored by the consumer or parked by the dead-letter queue's.
      // The dead-letter queue's consumer parks them; only the scheduled job stores them.
      await until("messages parked", async () => (await parked()) > 0, 240_000);
      assert.ok((await counted(edge)) < expected.events, "some events wait, parked");
      await untilCountedOnce(edge, expected, () => edge.scheduled(Date.now()));
      // A resent batch's message parked after its events were stored counts nothing.
      await until("the parked messages all stored", async () => {
        await edge.scheduled(Date.now());
        return (await parked()) === 0;
      });
      assert.deepEqual(await counts(edge), wanted(expected));
    } finally {
      await edge.cleanup();
    }
  });
});

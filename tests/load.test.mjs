// Load with faults against the real worker (127.0.0.1 only, bounded, stops by itself): writes of
// five kinds (reviews, helpful votes, survey answers, event beacons, merchant order PUTs) from
// concurrent clients; 5% of them sent twice (both at once, or again a little later) and 2% with
// the connection cut (after half the body; after all of it, at once; or after all of it, a few
// ms later, while the worker is storing it). A client resends a write until it gets an answer,
// with the same Idempotency-Key (beacons and order PUTs have none: the same event ids, the same
// order id), as the widgets' queue does. Afterwards every write a client saw accepted is stored
// exactly once, and so are the counts derived from it (rating summaries, helpful counts,
// co-occurrence counts, baskets): lost = 0, doubled = 0, and nothing is stored that was not sent.
//
// Reduced size by default (2,000 writes, 32 clients). The full size, 20,000 writes:
//   MEMNUN_LOAD_WRITES=20000 node --test tests/load.test.mjs
// Which writes are doubled or cut is drawn from a seed that the summary line prints; rerun one
// draw with MEMNUN_LOAD_SEED=<seed>. MEMNUN_LOAD_CLIENTS sets the number of clients. On a
// 2-core machine the reduced size takes about 40 s, the full size about 4.5 minutes. The first
// summary line is `load: tried X, refused Y, sent Z (incl. duplicates D, cut C), accepted A,
// stored S, lost L`; the rows are checked before the counts kept from them.
//
// It runs in wrangler's `bench` environment (limits of 10^6 a minute): the test environment's
// per-shop limit (SHOP_WRITES, 400 a minute) would refuse most of this, and spreading it over
// many shops would test the limiter rather than storage. The bench environment is also closer
// to production than the test one (no D1 statement-counting proxy, no clock shift).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { randomUUID } from "node:crypto";
import { Edge, TEST_API_KEY, adminCall, TEST_SHOP, TEST_TOKEN_SECRET, newClient, postReview, review, signToken } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const WRITES = Number(process.env.MEMNUN_LOAD_WRITES ?? 2000);
const CLIENTS = Number(process.env.MEMNUN_LOAD_CLIENTS ?? 32);
const SEED = Number(process.env.MEMNUN_LOAD_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TWICE = 0.05;
const CUT = 0.02;
const KINDS = ["review", "vote", "survey", "event", "order"];
const TARGETS = 20;
const PRODUCTS = 30;

let edge;
const targets = [];
before(async () => {
  edge = await Edge.start({ env: "bench", origins: [ORIGIN] });
  for (let i = 0; i < TARGETS; i++) {
    const r = await postReview(edge, review({ product: "load-target", body: `Hedef yorum ${i}, oylanmak için.` }), { origin: ORIGIN });
    assert.equal(r.status, 201, r.text);
    targets.push(r.json.review.id);
  }
  // The survey answers' orders, made and delivered through the merchant API as a shop's system
  // would (no items: their baskets would mix with the order PUTs' counts). They are the
  // setting, not the load: made before it, and not counted in it.
  const surveyed = [];
  for (let i = 0; i < WRITES; i++) if (KINDS[i % KINDS.length] === "survey") surveyed.push(`S${i}`);
  const day = 24 * 3600 * 1000;
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < surveyed.length) {
      const order = surveyed[next++];
      const put = await adminCall(edge, "PUT", `orders/${order}`, { body: { number: order, placed_at: Date.now() - 5 * day, items: [], shipments: [{ id: "s1", carrier: "Aras" }] } });
      assert.equal(put.status, 200, put.text);
      const delivered = await adminCall(edge, "POST", `orders/${order}/events`, { body: { events: [{ shipment: "s1", status: "delivered", time: Date.now() - day }] } });
      assert.equal(delivered.status, 200, delivered.text);
    }
  }));
});
after(async () => {
  await edge?.cleanup();
});

/** mulberry32: the draw of faults is reproducible from the seed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` of `0..total`, drawn without replacement. */
function pick(rand, total, n) {
  const all = Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (total - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return new Set(all.slice(0, n));
}

/** Two different products of `prefix`. */
function twoProducts(rand, prefix) {
  const a = Math.floor(rand() * PRODUCTS);
  const b = (a + 1 + Math.floor(rand() * (PRODUCTS - 1))) % PRODUCTS;
  return [`${prefix}${a}`, `${prefix}${b}`];
}

const json = (origin) => ({ "Content-Type": "application/json", Origin: origin });

/** Write `i`: what is sent, and what must be found stored if it is accepted. */
function makeWrite(i, rand) {
  const kind = KINDS[i % KINDS.length];
  const key = randomUUID();
  const w = { i, kind, key, method: "POST" };
  switch (kind) {
    case "review": {
      w.marker = `L${i}-${key.slice(0, 8)}`;
      w.product = `rev-p${i % PRODUCTS}`;
      w.path = `/v1/shops/${TEST_SHOP}/reviews`;
      w.headers = { ...json(ORIGIN), "Idempotency-Key": key };
      w.body = JSON.stringify(review({ product: w.product, rating: 1 + (i % 5), title: w.marker, body: `Yük testi yorumu ${w.marker}: kumaşı güzel.` }));
      break;
    }
    case "vote": {
      w.target = targets[i % targets.length];
      w.path = `/v1/shops/${TEST_SHOP}/reviews/${w.target}/votes`;
      w.headers = { ...json(ORIGIN), "Idempotency-Key": key };
      w.body = JSON.stringify({ voter: randomUUID() });
      break;
    }
    case "survey": {
      w.order = `S${i}`;
      w.nps = i % 11;
      const claims = { purpose: "survey", shop: TEST_SHOP, order: w.order, exp: Math.floor(Date.now() / 1000) + 86400, kid: "s1" };
      w.path = `/v1/shops/${TEST_SHOP}/survey/answers`;
      w.headers = { ...json(ORIGIN), "Idempotency-Key": key };
      w.body = JSON.stringify({ token: signToken(claims, TEST_TOKEN_SECRET), seq: 1, answers: { nps: w.nps, reasons: ["delivery_time"], csat: 1 + (i % 5), ces: 1 + (i % 7) }, complete: true, locale: "tr" });
      break;
    }
    case "event": {
      // A beacon carries no key: its events' ids are what make a second delivery count once.
      w.products = twoProducts(rand, "ev-p");
      w.ids = w.products.map(() => randomUUID());
      w.path = `/v1/shops/${TEST_SHOP}/events`;
      w.headers = { "Content-Type": "text/plain;charset=UTF-8", Origin: ORIGIN };
      w.body = JSON.stringify({ browser: randomUUID(), events: w.products.map((product, k) => ({ id: w.ids[k], type: "product_view", product })) });
      break;
    }
    default: {
      // A merchant's system: an upsert by the order's id, no key either.
      w.order = `O${i}`;
      w.products = twoProducts(rand, "ord-p");
      w.method = "PUT";
      w.path = `/v1/admin/orders/${w.order}`;
      w.headers = { "Content-Type": "application/json", Authorization: `Bearer ${TEST_API_KEY}` };
      w.body = JSON.stringify({ number: w.order, placed_at: "2026-11-01T10:00:00Z", items: w.products.map((product, k) => ({ product, quantity: k + 1 })) });
    }
  }
  return w;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sends `w` once: the status (0: no answer) and whether the edge had stored it before. */
async function sendOnce(w, client) {
  try {
    const res = await fetch(`${edge.url}${w.path}`, { method: w.method, headers: { ...w.headers, "CF-Connecting-IP": client }, body: w.body });
    const text = await res.text();
    let before = res.headers.get("Idempotent-Replayed") === "true";
    if (w.kind === "event" && res.status === 202) before = JSON.parse(text).duplicates > 0;
    return { status: res.status, before };
  } catch {
    return { status: 0, before: false };
  }
}

/** Sends `w` over a raw connection and drops it: after half the body, after all of it at once,
 * or after all of it and `lingerMs` (the worker then may or may not have stored it; the
 * client cannot know, and resends). */
function cut(w, client, how, lingerMs) {
  return new Promise((resolve) => {
    const body = Buffer.from(w.body);
    const socket = net.connect(edge.port, "127.0.0.1", () => {
      const headers = { ...w.headers, "CF-Connecting-IP": client };
      const head = [`${w.method} ${w.path} HTTP/1.1`, `Host: 127.0.0.1:${edge.port}`, `Content-Length: ${body.length}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
      socket.write(head);
      socket.write(how === "half" ? body.subarray(0, body.length >> 1) : body, () => {
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, how === "linger" ? lingerMs : 0);
      });
    });
    socket.on("error", () => resolve());
  });
}

test(`${WRITES} writes of five kinds, 5% twice, 2% cut and resent: every accepted write stored exactly once`, { timeout: 60 * 60 * 1000 }, async () => {
  const rand = random(SEED);
  const writes = Array.from({ length: WRITES }, (_, i) => makeWrite(i, rand));
  const twice = pick(rand, WRITES, Math.round(WRITES * TWICE));
  const cuts = pick(rand, WRITES, Math.round(WRITES * CUT));
  // Every draw is made here, in order, so that the seed alone decides them.
  for (const w of writes) {
    w.cut = cuts.has(w.i) ? { how: ["half", "whole", "linger"][Math.floor(rand() * 3)], lingerMs: 2 + Math.floor(rand() * 40) } : null;
    w.twice = twice.has(w.i) ? (rand() < 0.5 ? "at once" : 200 + Math.floor(rand() * 3000)) : null;
  }
  const t = { tried: 0, sent: 0, twice: twice.size, cut: cuts.size, resent: 0, accepted: 0, refused: 0, unanswered: 0, cutStored: 0 };
  const refusals = [];

  /** Sends `w` until it is answered (2xx or 4xx; a 5xx or no answer is sent again, with the
   * same key), as the widgets' outbox does; gives up after a minute. */
  async function deliver(w, client) {
    const until = Date.now() + 60_000;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      t.sent += 1;
      const r = await sendOnce(w, client);
      if (r.status >= 200 && r.status < 500 && r.status !== 429) return r;
      if (Date.now() > until) return r;
      t.resent += 1;
      await sleep(delay);
    }
  }

  const outcomes = writes.map(() => []);
  const later = [];
  async function run(w, client) {
    t.tried += 1;
    if (w.cut) {
      t.sent += 1;
      await cut(w, client, w.cut.how, w.cut.lingerMs);
    }
    const sends = [deliver(w, client)];
    // A resend racing the first attempt.
    if (w.twice === "at once") sends.push(deliver(w, client));
    const answers = await Promise.all(sends);
    if (w.cut && sends.length === 1 && answers[0].before) t.cutStored += 1;
    outcomes[w.i].push(...answers);
    if (typeof w.twice === "number") {
      // Again later, while the load goes on: as if the first answer was lost on its way back.
      later.push(sleep(w.twice).then(async () => outcomes[w.i].push(await deliver(w, newClient()))));
    }
  }

  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const client = newClient();
    while (next < writes.length) await run(writes[next++], client);
  }));
  await Promise.all(later);
  const seconds = (Date.now() - started) / 1000;

  const accepted = writes.filter((w) => outcomes[w.i].some((r) => r.status >= 200 && r.status < 300));
  for (const w of writes) {
    const statuses = outcomes[w.i].map((r) => r.status);
    if (statuses.some((s) => s >= 200 && s < 300)) continue;
    if (statuses.some((s) => s >= 400 && s < 500)) t.refused += 1;
    else t.unanswered += 1;
    refusals.push(`${w.kind} ${w.i}: ${statuses.join(",")}`);
  }
  t.accepted = accepted.length;

  // What is stored, kind by kind, against what was accepted.
  const problems = [];
  const stored = {};
  const expect = (what, got, want) => {
    if (got !== want) problems.push(`${what}: stored ${got}, expected ${want}`);
  };
  const byKind = (kind) => accepted.filter((w) => w.kind === kind);
  const tally = (items) => items.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map());
  const compare = (what, got, want) => {
    for (const [k, n] of want) expect(`${what} ${k}`, got.get(k) ?? 0, n);
    for (const [k, n] of got) if (!want.has(k)) expect(`${what} ${k}`, n, 0);
  };
  const rows = async (sql, ...params) => new Map((await edge.query(sql, ...params)).map((r) => [r.k, r.n]));

  // Reviews: each once by its marker, and the products' summaries count each once.
  const reviews = await rows("SELECT title AS k, COUNT(*) AS n FROM reviews WHERE product_id LIKE 'rev-p%' GROUP BY title");
  compare("review", reviews, tally(byKind("review").map((w) => w.marker)));
  stored.review = byKind("review").filter((w) => reviews.get(w.marker) === 1).length;
  const [{ n: allReviews }] = await edge.query("SELECT COUNT(*) AS n FROM reviews");
  expect("reviews in all", allReviews, TARGETS + byKind("review").length);
  for (const s of await edge.query(
    `SELECT p.product_id AS product, p.stars_1 + p.stars_2 + p.stars_3 + p.stars_4 + p.stars_5 AS summary,
       (SELECT COUNT(*) FROM reviews r WHERE r.shop_id = p.shop_id AND r.product_id = p.product_id AND r.status = 'published') AS published
     FROM product_ratings p WHERE p.product_id LIKE 'rev-p%'`)) {
    expect(`summary of ${s.product}`, s.summary, s.published);
  }
  const [{ n: held }] = await edge.query("SELECT COUNT(*) AS n FROM reviews WHERE product_id LIKE 'rev-p%' AND status != 'published'");

  // Votes are stored under a hash of the voter: per review, as many as accepted, and counted.
  const votes = await rows("SELECT review_id AS k, COUNT(*) AS n FROM review_votes GROUP BY review_id");
  compare("votes on review", votes, tally(byKind("vote").map((w) => w.target)));
  // (A vote is found only as one of its review's: per review, at most as many as accepted.)
  stored.vote = [...tally(byKind("vote").map((w) => w.target))].reduce((a, [k, n]) => a + Math.min(n, votes.get(k) ?? 0), 0);
  // A review's helpful count is its distinct voting clients (votes from one address count once).
  for (const r of await edge.query("SELECT id, helpful_count, (SELECT COUNT(DISTINCT v.client_hash) FROM review_votes v WHERE v.review_id = r.id) AS n FROM reviews r WHERE product_id = 'load-target'")) {
    expect(`helpful count of ${r.id}`, r.helpful_count, r.n);
  }

  // Survey answers: one response per order, with what was sent, completed.
  const responses = await edge.query("SELECT order_id, seq, nps, completed_at, answered_at FROM survey_responses");
  compare("survey response", tally(responses.map((r) => r.order_id)), tally(byKind("survey").map((w) => w.order)));
  const sentNps = new Map(byKind("survey").map((w) => [w.order, w.nps]));
  for (const r of responses) {
    if (r.seq !== 1 || r.nps !== sentNps.get(r.order_id) || r.completed_at === null || r.answered_at === null) problems.push(`survey response ${r.order_id}: ${JSON.stringify(r)}`);
  }
  const responseCount = tally(responses.map((r) => r.order_id));
  stored.survey = byKind("survey").filter((w) => responseCount.get(w.order) === 1).length;

  // Events: each id once; each browser's first views, and the pair they make, counted once.
  const events = byKind("event");
  const eventRows = await rows("SELECT id AS k, COUNT(*) AS n FROM shopper_events GROUP BY id");
  compare("event", eventRows, tally(events.flatMap((w) => w.ids)));
  stored.event = events.filter((w) => w.ids.every((id) => eventRows.get(id) === 1)).length;
  const [{ n: firstViews }] = await edge.query("SELECT COUNT(*) AS n FROM browser_views");
  expect("first views", firstViews, 2 * events.length);
  compare("view count", await rows("SELECT product_id AS k, n FROM item_counts WHERE kind = 'view'"), tally(events.flatMap((w) => w.products)));
  compare("view pair", await rows("SELECT a || '>' || b AS k, n FROM item_pairs WHERE kind = 'view'"),
    tally(events.flatMap(({ products: [a, b] }) => [`${a}>${b}`, `${b}>${a}`])));

  // Orders: each once with its items; its basket, products and pair counted once.
  const orders = byKind("order");
  const orderRows = await rows("SELECT id AS k, COUNT(*) AS n FROM orders WHERE id LIKE 'O%' GROUP BY id");
  compare("order", orderRows, tally(orders.map((w) => w.order)));
  stored.order = orders.filter((w) => orderRows.get(w.order) === 1).length;
  const [{ n: items }] = await edge.query("SELECT COUNT(*) AS n FROM order_items WHERE order_id LIKE 'O%'");
  expect("order items", items, 2 * orders.length);
  compare("basket", await rows("SELECT basket_key AS k, COUNT(*) AS n FROM baskets GROUP BY basket_key"), tally(orders.map((w) => `order:${w.order}`)));
  compare("bought count", await rows("SELECT product_id AS k, n FROM item_counts WHERE kind = 'buy'"), tally(orders.flatMap((w) => w.products)));
  compare("bought pair", await rows("SELECT a || '>' || b AS k, n FROM item_pairs WHERE kind = 'buy'"),
    tally(orders.flatMap(({ products: [a, b] }) => [`${a}>${b}`, `${b}>${a}`])));
  const [{ n: backlog }] = await edge.query("SELECT COUNT(*) AS n FROM pair_backlog");
  expect("pair backlog", backlog, 0);

  // Accepted writes found stored exactly once; a write stored twice is among `problems`.
  const storedTotal = Object.values(stored).reduce((a, b) => a + b, 0);
  const lost = accepted.length - storedTotal;
  // The rows the writes are (reviews, votes, responses, events, orders and their items and
  // baskets), and the counts kept from them (summaries, helpful counts, co-occurrence counts).
  const isDerived = (p) => /^(summary of|helpful count|first views|view count|view pair|bought count|bought pair|pair backlog)/.test(p);
  const records = problems.filter((p) => !isDerived(p));
  const derived = problems.filter(isDerived);
  const perKind = KINDS.map((k) => `${k} ${stored[k]}/${byKind(k).length}`).join(", ");
  const wrong = [...tally(problems.map((p) => p.replace(/ [^ ]*:.*$/, "")))].map(([what, n]) => `${what} ${n}`).join(", ");
  console.log(`load: tried ${t.tried}, refused ${t.refused}, sent ${t.sent} (incl. duplicates ${t.twice}, cut ${t.cut}), ` +
    `accepted ${t.accepted}, stored ${storedTotal}, lost ${lost}`);
  console.log(`load details (seed ${SEED}, ${CLIENTS} clients): unanswered ${t.unanswered}, ${t.cutStored} cut writes stored before the cut, ` +
    `resent ${t.resent}; stored once per kind: ${perKind}; ${held} reviews held; ` +
    `wrong ${problems.length}${wrong ? ` (${wrong})` : ""}; in ${seconds.toFixed(1)} s (${(t.sent / seconds).toFixed(0)} requests/s)`);
  assert.deepEqual(records.slice(0, 20), [], `${records.length} writes stored other than once, or stored unsent`);
  assert.deepEqual(refusals.slice(0, 20), [], "every well-formed write is accepted once its resend arrives");
  assert.equal(lost, 0);
  assert.equal(storedTotal, WRITES);
  assert.deepEqual(derived.slice(0, 20), [], `${derived.length} counts kept from the writes differ from what was accepted`);
});

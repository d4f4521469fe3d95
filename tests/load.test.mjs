// Load with faults against the real worker (127.0.0.1, bounded, stops by itself): writes of four
// kinds (reviews, helpful votes, event beacons, merchant order PUTs) from 32 concurrent clients,
// 5% of them sent twice (at once or later) and 2% with the connection cut (half the body sent,
// or the whole body and then gone before the answer), each cut retried with the same key as the
// widgets' queue does. Afterwards every write a client saw accepted is stored exactly once and
// nothing else is: lost = 0, doubled = 0.
//
// Reduced size here (2,000 writes). The full size, 20,000 writes:
//   MEMNUN_LOAD_WRITES=20000 node --test tests/load.test.mjs
// It runs in the `bench` environment, whose rate limits are out of the way: this measures that
// nothing is lost or doubled, not the limiter.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { randomUUID } from "node:crypto";
import { Edge, TEST_API_KEY, newClient, postReview, review } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const WRITES = Number(process.env.MEMNUN_LOAD_WRITES ?? 2000);
const CONCURRENCY = 32;

let edge, targets;
before(async () => {
  edge = await Edge.start({ env: "bench", origins: [ORIGIN] });
  // Reviews the votes go to.
  targets = [];
  for (let i = 0; i < 10; i++) {
    const r = await postReview(edge, review({ product: "load-target", body: `Hedef yorum ${i}, oylanmak için.` }), { origin: ORIGIN });
    assert.equal(r.status, 201, r.text);
    targets.push(r.json.review.id);
  }
});
after(async () => {
  await edge?.cleanup();
});

/** One write: what is sent, and the marker that finds it in D1 afterwards. */
function makeWrite(i) {
  const marker = `L${i}-${randomUUID().slice(0, 8)}`;
  const client = newClient();
  switch (i % 4) {
    case 0:
      return {
        kind: "review", marker, method: "POST", path: "/v1/shops/test-shop/reviews",
        headers: { "Content-Type": "application/json", Origin: ORIGIN, "Idempotency-Key": randomUUID(), "CF-Connecting-IP": client },
        body: JSON.stringify(review({ product: `load-${i % 50}`, title: marker, body: `Yük testi yorumu ${marker}: kumaşı güzel.` })),
      };
    case 1: {
      const voter = randomUUID();
      return {
        kind: "vote", marker: voter, method: "POST", path: `/v1/shops/test-shop/reviews/${targets[i % targets.length]}/votes`,
        headers: { "Content-Type": "application/json", Origin: ORIGIN, "Idempotency-Key": randomUUID(), "CF-Connecting-IP": client },
        body: JSON.stringify({ voter }),
      };
    }
    case 2: {
      const id = randomUUID();
      return {
        kind: "event", marker: id, method: "POST", path: "/v1/shops/test-shop/events",
        headers: { "Content-Type": "text/plain;charset=UTF-8", Origin: ORIGIN, "CF-Connecting-IP": client },
        body: JSON.stringify({ browser: randomUUID(), events: [{ id, type: "product_view", product: `load-${i % 50}` }] }),
      };
    }
    default:
      return {
        kind: "order", marker, method: "PUT", path: `/v1/admin/orders/${marker}`,
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${TEST_API_KEY}`, "CF-Connecting-IP": client },
        body: JSON.stringify({ number: marker, placed_at: "2026-11-01T10:00:00Z", items: [{ product: `load-${i % 50}`, quantity: 1 }] }),
      };
  }
}

async function send(w) {
  try {
    const res = await fetch(`${edge.url}${w.path}`, { method: w.method, headers: w.headers, body: w.body });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Sends `w` and drops the connection: after half the body, or after all of it but before the
 * answer (then the edge may or may not have stored it; the retry must find out which). */
function cut(w, wholeBody) {
  return new Promise((resolve) => {
    const body = Buffer.from(w.body);
    const socket = net.connect(edge.port, "127.0.0.1", () => {
      const head = [`${w.method} ${w.path} HTTP/1.1`, `Host: 127.0.0.1:${edge.port}`, `Content-Length: ${body.length}`,
        ...Object.entries(w.headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
      socket.write(head);
      socket.write(wholeBody ? body : body.subarray(0, body.length >> 1), () => {
        socket.destroy();
        resolve();
      });
    });
    socket.on("error", () => resolve());
  });
}

test(`${WRITES} writes of four kinds, 5% twice, 2% cut and retried: every accepted write stored exactly once`, { timeout: 30 * 60 * 1000 }, async () => {
  const writes = Array.from({ length: WRITES }, (_, i) => makeWrite(i));
  const tally = { tried: 0, sent: 0, duplicates: 0, cut: 0, refused: 0, failed: 0 };
  const accepted = new Map(writes.map((w) => [w.kind, new Set()]));
  const later = [];
  const run = async (w, i) => {
    tally.tried += 1;
    if (i % 50 === 7) {
      tally.cut += 1;
      tally.sent += 1;
      await cut(w, i % 100 === 7);
    }
    const sends = [send(w)];
    tally.sent += 1;
    if (i % 20 === 3) {
      // Sent twice: at once (racing), or later (a retry after a lost answer).
      tally.duplicates += 1;
      tally.sent += 1;
      if (i % 40 === 3) sends.push(send(w));
      else later.push(w);
    }
    const statuses = await Promise.all(sends);
    if (statuses.some((s) => s >= 200 && s < 300)) accepted.get(w.kind).add(w.marker);
    else if (statuses.every((s) => s >= 400 && s < 500)) tally.refused += 1;
    else tally.failed += 1;
  };
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < writes.length) {
      const i = next++;
      await run(writes[i], i);
    }
  }));
  for (const w of later) {
    const status = await send(w);
    if (status >= 200 && status < 300) accepted.get(w.kind).add(w.marker);
  }
  const seconds = (Date.now() - started) / 1000;

  const stored = {
    review: await edge.query("SELECT title AS m, COUNT(*) AS n FROM reviews WHERE title LIKE 'L%' GROUP BY title"),
    vote: await edge.query(`SELECT r.id AS m, r.helpful_count AS counted, (SELECT COUNT(*) FROM review_votes v WHERE v.review_id = r.id) AS n FROM reviews r WHERE r.product_id = 'load-target'`),
    event: await edge.query("SELECT id AS m, COUNT(*) AS n FROM shopper_events GROUP BY id"),
    order: await edge.query("SELECT id AS m, COUNT(*) AS n FROM orders WHERE id LIKE 'L%' GROUP BY id"),
  };
  let storedTotal = 0;
  let lost = 0;
  for (const kind of ["review", "event", "order"]) {
    const rows = new Map(stored[kind].map((r) => [r.m, r.n]));
    for (const [m, n] of rows) {
      assert.equal(n, 1, `${kind} ${m} stored ${n} times`);
      assert.ok(accepted.get(kind).has(m), `${kind} ${m} stored but never accepted`);
    }
    for (const m of accepted.get(kind)) if (!rows.has(m)) lost += 1;
    storedTotal += rows.size;
  }
  // Votes are stored by a hash of the voter: their number, and every review's count, must match.
  const votes = stored.vote.reduce((sum, r) => sum + r.n, 0);
  for (const r of stored.vote) assert.equal(r.counted, r.n, `review ${r.m}'s helpful count`);
  assert.equal(votes, accepted.get("vote").size, "votes stored = votes accepted");
  storedTotal += votes;
  const acceptedTotal = [...accepted.values()].reduce((sum, s) => sum + s.size, 0);
  console.log(`load: tried ${tally.tried}, sent ${tally.sent} (duplicates ${tally.duplicates}, cut ${tally.cut}), accepted ${acceptedTotal}, refused ${tally.refused}, failed ${tally.failed}, stored ${storedTotal}, lost ${lost}, in ${seconds.toFixed(1)} s`);
  assert.equal(lost, 0);
  assert.equal(tally.refused + tally.failed, 0, "a well-formed write is accepted, once its retry arrives");
  assert.equal(storedTotal, acceptedTotal);
});

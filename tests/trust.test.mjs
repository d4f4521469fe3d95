// Trust under attack (issue 16), over HTTP against the real worker: what an outsider sends
// counts per client (an IPv6 client by its /64), never per id the body makes up; a merchant's
// approval clears the reports; order lookups have budgets a stranger cannot spend for the
// buyer; tokens cannot live for ever; API keys have scopes and the last full key survives
// concurrent revokes; and production refuses to hash people without its secret salt.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID, createHmac } from "node:crypto";
import http from "node:http";
import {
  Edge, postReview, postFeedback, getReviews, review, adminCall, newClient, inOneRateWindow,
  signToken, apiKeyHash, sqlQuote, TEST_TOKEN_SECRET, TEST_SHOP,
} from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

let v6Counter = 0;
/** A fresh IPv6 /64, as one host is given; `host(i)` is an address inside it. */
function newV6Network() {
  v6Counter += 1;
  const prefix = `2001:db8:${(process.pid & 0xffff).toString(16)}:${v6Counter.toString(16)}`;
  return (i) => `${prefix}:${(i + 1).toString(16)}:0:0:${(i * 7 + 3).toString(16)}`;
}

async function published(overrides = {}) {
  const r = await postReview(edge, review(overrides), { origin: ORIGIN });
  assert.equal(r.status, 201, r.text);
  return r.json.review;
}
const vote = (id, client, voter = randomUUID()) => postFeedback(edge, id, "votes", { voter }, { origin: ORIGIN, client });
const report = (id, client, reporter = randomUUID()) =>
  postFeedback(edge, id, "reports", { reporter, reason: "spam" }, { origin: ORIGIN, client });
const reviewRow = async (id) => (await edge.query("SELECT status, report_count, helpful_count FROM reviews WHERE id = ?1", id))[0];

describe("reports and votes count clients, not the ids a body makes up", () => {
  test("one address with made-up reporter ids cannot hide a review", async () => {
    const r = await published({ product: "forged-reports" });
    const attacker = newClient();
    for (let i = 0; i < 5; i++) assert.equal((await report(r.id, attacker)).status, 202);
    assert.deepEqual(await reviewRow(r.id), { status: "published", report_count: 1, helpful_count: 0 });
    assert.equal((await getReviews(edge, "forged-reports")).json.reviews.length, 1, "still shown");
  });

  test("addresses inside one IPv6 /64 count as one reporter and one voter", async () => {
    const r = await published({ product: "v6-reports" });
    const host = newV6Network();
    for (let i = 0; i < 4; i++) assert.equal((await report(r.id, host(i))).status, 202);
    for (let i = 0; i < 4; i++) assert.equal((await vote(r.id, host(i))).status, 200);
    assert.deepEqual(await reviewRow(r.id), { status: "published", report_count: 1, helpful_count: 1 });
    // An IPv4-mapped IPv6 address is its IPv4 address.
    const v4 = newClient();
    await vote(r.id, v4);
    assert.equal((await vote(r.id, `::ffff:${v4}`)).json.helpful, 2);
    // Other networks count.
    assert.equal((await vote(r.id, newV6Network()(0))).json.helpful, 3);
  });

  test("votes stuffed from one address with made-up voter ids count once", async () => {
    const r = await published({ product: "stuffed-votes" });
    const stuffer = newClient();
    let last;
    for (let i = 0; i < 6; i++) last = await vote(r.id, stuffer);
    assert.deepEqual(last.json, { helpful: 1 });
    assert.deepEqual((await vote(r.id, newClient())).json, { helpful: 2 });
    assert.equal((await getReviews(edge, "stuffed-votes")).json.reviews[0].helpful, 2);
  });

  test("the merchant's approval clears the reports: one more report, or the same reporters again, do not hide it", async () => {
    const r = await published({ product: "approved-back" });
    const first = [newClient(), newClient(), newClient()];
    for (const client of first) assert.equal((await report(r.id, client)).status, 202);
    assert.equal((await reviewRow(r.id)).status, "pending");
    assert.equal((await adminCall(edge, "POST", `reviews/${r.id}/approve`)).status, 200);
    assert.deepEqual(await reviewRow(r.id), { status: "published", report_count: 0, helpful_count: 0 });
    // The clients the merchant has heard cannot hold it again with new reporter ids.
    for (const client of first) assert.equal((await report(r.id, client)).status, 202);
    assert.deepEqual(await reviewRow(r.id), { status: "published", report_count: 0, helpful_count: 0 }, "heard clients again");
    await edge.query("DELETE FROM review_reports WHERE review_id = ?1 AND cleared_at IS NULL", r.id);
    assert.equal((await report(r.id, newClient())).status, 202);
    assert.deepEqual(await reviewRow(r.id), { status: "published", report_count: 1, helpful_count: 0 }, "one new report");
    assert.equal((await getReviews(edge, "approved-back")).json.reviews.length, 1);
    // The old reports stay for the record, and the log still says why it was held.
    const [kept] = await edge.query("SELECT COUNT(*) AS n FROM review_reports WHERE review_id = ?1", r.id);
    assert.equal(kept.n, 4);
    const log = (await adminCall(edge, "GET", `moderation-log?review=${r.id}`)).json.entries.map((l) => l.action);
    assert.deepEqual(log.sort(), ["approved", "held_for_reports"]);
    // Three new reporters after the approval hold it again: the threshold still works.
    for (let i = 0; i < 2; i++) assert.equal((await report(r.id, newClient())).status, 202);
    assert.equal((await reviewRow(r.id)).status, "pending");
  });
});

describe("per-client limits take an IPv6 client by its /64", () => {
  test("votes from many addresses of one /64 run into one client's limit", async () => {
    await inOneRateWindow();
    const r = await published({ product: "v6-limit" });
    const host = newV6Network();
    // wrangler.toml [env.test]: FEEDBACK_WRITES allows 20 a minute per client and shop.
    const statuses = [];
    for (let i = 0; i < 22; i++) statuses.push((await vote(r.id, host(i))).status);
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(200));
    assert.equal(statuses[21], 429);
    assert.equal((await vote(r.id, newV6Network()(0))).status, 200, "another network is not limited");
  });

  test("wrong API keys from many addresses of one /64 lock that /64 out", async () => {
    const host = newV6Network();
    for (let i = 0; i < 20; i++) {
      const r = await adminCall(edge, "GET", "shop", { key: `mk_wrong_${i}`, headers: { "CF-Connecting-IP": host(i) } });
      assert.equal(r.status, 401);
    }
    const locked = await adminCall(edge, "GET", "shop", { headers: { "CF-Connecting-IP": host(99) } });
    assert.equal(locked.status, 429, "the right key from the same /64 waits too");
    const elsewhere = await adminCall(edge, "GET", "shop", { headers: { "CF-Connecting-IP": newV6Network()(0) } });
    assert.equal(elsewhere.status, 200);
  });
});

describe("order lookups", () => {
  const lookup = (body, { client = newClient(), shiftMs = 0 } = {}) =>
    fetch(`${edge.url}/v1/shops/${TEST_SHOP}/orders/lookup`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Origin: ORIGIN,
        "CF-Connecting-IP": client,
        "X-Memnun-Clock-Shift-Ms": String(shiftMs),
      },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, headers: r.headers, json: await r.json().catch(() => null) }));
  const putOrder = async (id, number, email) => {
    const r = await adminCall(edge, "PUT", `orders/${id}`, {
      body: { number, email, items: [{ product: "kahve-fincani-01", quantity: 1 }] },
    });
    assert.equal(r.status < 300, true, r.text);
  };

  test("a stranger guessing emails for an order number cannot lock the buyer out", async () => {
    await inOneRateWindow();
    await putOrder("T-1", "8801", "buyer@example.com");
    const stranger = newClient();
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await lookup({ number: "8801", email: `guess${i}@example.com` }, { client: stranger })).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(404));
    assert.equal(statuses[11], 429, "the stranger is stopped");
    const buyer = await lookup({ number: "8801", email: "buyer@example.com" });
    assert.equal(buyer.status, 200, "the buyer, from their own address, still finds the order");
    assert.equal(buyer.json.order.number, "8801");
  });

  test("walking order numbers for one email is stopped after a day's budget, from any addresses", async () => {
    const shiftMs = 30 * DAY; // a window of its own
    await putOrder("T-2", "8802", "walked@example.com");
    for (let i = 0; i < 10; i++) {
      const miss = await lookup({ number: `W${i}`, email: "walked@example.com" }, { shiftMs });
      assert.equal(miss.status, 404);
    }
    const right = await lookup({ number: "8802", email: "WALKED@example.com" }, { shiftMs });
    assert.equal(right.status, 429, "even the right number waits once the email's budget is spent");
    const retry = Number(right.headers.get("retry-after"));
    assert.ok(retry > 23 * 3600 && retry <= 24 * 3600, `Retry-After ${retry}`);
    assert.equal((await lookup({ number: "8802", email: "other@example.com" }, { shiftMs })).status, 404, "other emails go on");
    assert.equal((await lookup({ number: "8802", email: "walked@example.com" }, { shiftMs: shiftMs + DAY })).status, 200, "a day later");
  });

  test("a burst of lookups at once cannot overshoot the email's budget", async () => {
    const shiftMs = 45 * DAY;
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => lookup({ number: `X${i}`, email: "burst@example.com" }, { shiftMs })),
    );
    const statuses = burst.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array(10).fill(404), ...Array(10).fill(429)]);
  });

  test("the shop's budget of failures stops many addresses guessing together, not the buyer", async () => {
    const shiftMs = 60 * DAY;
    await putOrder("T-3", "8803", "budget@example.com");
    // 300 failed lookups an hour per shop, each from its own address with its own email.
    const misses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => lookup({ number: `B${i}`, email: `b${i}@example.com` }, { shiftMs })),
    );
    assert.deepEqual([...new Set(misses.map((m) => m.status))], [404]);
    // Now a client that has failed three times this hour is refused, even with the right guess.
    const guesser = newClient();
    for (let i = 0; i < 3; i++) {
      assert.equal((await lookup({ number: `G${i}`, email: `g${i}@example.com` }, { client: guesser, shiftMs })).status, 404);
    }
    const refused = await lookup({ number: "8803", email: "budget@example.com" }, { client: guesser, shiftMs });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) <= 3600);
    // Whoever spent the budget, a shopper who has not been guessing finds their order.
    const buyer = await lookup({ number: "8803", email: "budget@example.com" }, { shiftMs });
    assert.equal(buyer.status, 200, "the buyer is not locked out by others' guesses");
    const nextHour = await lookup({ number: "8803", email: "budget@example.com" }, { client: guesser, shiftMs: shiftMs + HOUR });
    assert.equal(nextHour.status, 200, "the next hour");
  });

  test("past ten times the shop's budget, every lookup waits the hour out", async () => {
    const shiftMs = 70 * DAY;
    await putOrder("T-4", "8804", "ceiling@example.com");
    // As thousands of addresses (an IPv6 /48 is 65,536 clients) guessing a few times each leave it.
    const windowStart = Date.now() + shiftMs - 60_000;
    await edge.query("INSERT OR REPLACE INTO lookup_failures (budget, window_start, failures) VALUES (?1, ?2, 3000)", `shop:${TEST_SHOP}`, windowStart);
    const buyer = await lookup({ number: "8804", email: "ceiling@example.com" }, { shiftMs });
    assert.equal(buyer.status, 429);
    assert.ok(Number(buyer.headers.get("retry-after")) > 3500, buyer.headers.get("retry-after"));
    assert.equal((await lookup({ number: "8804", email: "ceiling@example.com" }, { shiftMs: shiftMs + HOUR })).status, 200, "the next hour");
  });
});

describe("tokens", () => {
  test("a token minted elsewhere with a far expiry is refused", async () => {
    await adminCall(edge, "PUT", "orders/T-9", { body: { number: "8809", items: [{ product: "kahve-fincani-01", quantity: 1 }] } });
    const track = (days) =>
      fetch(`${edge.url}/v1/shops/${TEST_SHOP}/orders/track`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": newClient() },
        body: JSON.stringify({
          token: signToken({ purpose: "track", shop: TEST_SHOP, order: "T-9", exp: Math.floor(Date.now() / 1000) + days * 86400, kid: "s1" }, TEST_TOKEN_SECRET),
        }),
      }).then((r) => r.status);
    assert.equal(await track(399), 200);
    assert.equal(await track(401), 404, "longer than the documented 400 days");
    assert.equal(await track(100 * 365), 404);
  });
});

describe("API keys", () => {
  test("read keys only read; moderate keys also moderate; full keys do everything", async () => {
    const made = {};
    for (const scope of ["read", "moderate"]) {
      const r = await adminCall(edge, "POST", "keys", { body: { name: `k-${scope}`, scope } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.scope, scope);
      made[scope] = r.json.key;
    }
    assert.equal((await adminCall(edge, "POST", "keys", { body: { name: "k-bad", scope: "admin" } })).json.error.fields.scope, "is not one of the documented choices");
    const listed = (await adminCall(edge, "GET", "keys")).json.keys;
    assert.deepEqual(
      listed.filter((k) => k.name.startsWith("k-") || k.name === "tests").map((k) => [k.name, k.scope]),
      [["k-moderate", "moderate"], ["k-read", "read"], ["tests", "full"]],
    );
    const held = await published({ product: "scoped", rating: 1 });
    for (let i = 0; i < 3; i++) await report(held.id, newClient());
    // Reading works for both.
    for (const key of Object.values(made)) {
      assert.equal((await adminCall(edge, "GET", "shop", { key })).status, 200);
      assert.equal((await adminCall(edge, "GET", "reviews", { key })).status, 200);
    }
    // A read key changes nothing.
    const refused = await adminCall(edge, "PUT", "shop", { key: made.read, body: { allowed_origins: ["https://evil.example"] } });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, "forbidden");
    assert.equal((await adminCall(edge, "POST", `reviews/${held.id}/approve`, { key: made.read })).status, 403);
    assert.equal((await adminCall(edge, "POST", "keys", { key: made.read, body: { name: "escalate" } })).status, 403);
    assert.equal((await adminCall(edge, "DELETE", "keys/tests", { key: made.read })).status, 403);
    // A moderate key decides and replies, but holds nothing else.
    assert.equal((await adminCall(edge, "POST", `reviews/${held.id}/approve`, { key: made.moderate })).status, 200);
    assert.equal((await adminCall(edge, "PUT", `reviews/${held.id}/reply`, { key: made.moderate, body: { body: "Teşekkürler" } })).status, 200);
    assert.equal((await adminCall(edge, "PUT", "webhook", { key: made.moderate, body: { url: "https://hooks.example/x" } })).status, 403);
    assert.equal((await adminCall(edge, "POST", "shoppers/export", { key: made.moderate, body: { email: "ayse@example.com" } })).status, 403);
    const origins = (await adminCall(edge, "GET", "shop")).json.allowed_origins;
    assert.deepEqual(origins, [ORIGIN], "nothing a scoped key sent changed the shop");
    // Only full keys count as the last key: read and moderate keys do not keep a shop managed.
    for (const name of ["k-read", "k-moderate"]) assert.equal((await adminCall(edge, "DELETE", `keys/${name}`)).status, 204);
  });

  test("revokes at once cannot remove a shop's last full key", async () => {
    // Five full keys, all revoked at once with the first: the last-key guard is one statement,
    // so whatever the interleaving one key is left (a check, then a revoke, lets all five go).
    for (let round = 0; round < 5; round++) {
      const shop = `keys-race-${round}`;
      const names = ["k0", "k1", "k2", "k3", "k4"];
      const keys = names.map((n) => `mk_race_${round}_${n}_${"x".repeat(24)}`);
      await edge.execute([
        `INSERT INTO shops (id, name, created_at) VALUES ('${shop}', 'Race', 0);`,
        ...names.map((n, i) => `INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES ('${apiKeyHash(keys[i])}', '${shop}', '${n}', 0);`),
      ].join("\n"));
      const answers = await Promise.all(names.map((n) => adminCall(edge, "DELETE", `keys/${n}`, { key: keys[0] })));
      const statuses = answers.map((a) => a.status);
      // 401: k0 itself was revoked before that request was authenticated.
      assert.ok(statuses.every((s) => [204, 401, 422].includes(s)), `round ${round}: ${statuses}`);
      const [left] = await edge.query("SELECT COUNT(*) AS n FROM api_keys WHERE shop_id = ?1 AND revoked_at IS NULL", shop);
      assert.ok(left.n >= 1, `round ${round}: ${left.n} keys left after ${statuses}`);
      assert.equal(statuses.filter((s) => s === 204).length, 5 - left.n);
    }
  });
});

describe("production without its secret salt", () => {
  test("writes are refused with a 503 JSON answer and a log line naming the secret; nothing is stored", async () => {
    const prod = await Edge.start({ env: "", origins: [ORIGIN], captureLog: true });
    try {
      const r = await postReview(prod, review({ product: "no-salt" }), { origin: ORIGIN });
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.error.code, "unavailable");
      assert.ok(!r.text.includes("CLIENT_HASH_SALT"), "the shopper is not told the operator's secret's name");
      const [stored] = await prod.query("SELECT COUNT(*) AS n FROM reviews");
      assert.equal(stored.n, 0);
      const lookup = await fetch(`${prod.url}/v1/shops/${TEST_SHOP}/orders/lookup`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: ORIGIN },
        body: JSON.stringify({ number: "1", email: "a@example.com" }),
      });
      assert.equal(lookup.status, 503);
      for (let i = 0; i < 50 && !prod.log.includes("CLIENT_HASH_SALT"); i++) await new Promise((res) => setTimeout(res, 20));
      assert.match(prod.log, /CLIENT_HASH_SALT is not set/);
      // Reads that hash nobody still work.
      assert.equal((await getReviews(prod, "no-salt")).status, 200);
    } finally {
      await prod.cleanup();
    }
  });
});

describe("webhook deliveries", () => {
  // A fresh worker, so no event queued by the tests above is in its outbox.
  let hooks, receiver, received, answer;
  const url = (path = "/hooks") => `http://127.0.0.1:${receiver.address().port}${path}`;
  before(async () => {
    hooks = await Edge.start({ origins: [ORIGIN] });
    received = [];
    answer = (req, res) => res.writeHead(200).end("ok");
    receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ path: req.url, headers: req.headers, body, at: Date.now() });
        answer(req, res);
      });
    });
    await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  });
  after(async () => {
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
    await hooks?.cleanup();
  });
  const admin = (method, path, body) => adminCall(hooks, method, path, { body });
  /** `count` queued events for `shop`, due now, as requests that cause events queue them. */
  async function queue(shop, count, tag, now = Date.now()) {
    await hooks.execute(
      Array.from({ length: count }, (_, i) => {
        const id = `wh_${tag}_${i}`;
        const payload = JSON.stringify({ id, type: "test.event", created_at: now, data: { i } });
        return `INSERT INTO webhook_outbox (id, shop_id, event_type, event_key, payload, next_attempt_at, created_at) VALUES ('${id}', '${shop}', 'test.event', '${id}', ${sqlQuote(payload)}, ${now - 1000 - i}, ${now});`;
      }).join("\n"),
    );
  }
  const pending = async (shop) =>
    (await hooks.query("SELECT COUNT(*) AS n FROM webhook_outbox WHERE shop_id = ?1 AND delivered_at IS NULL AND failed_at IS NULL", shop))[0].n;

  test("two runs at once send each delivery once", async () => {
    await admin("PUT", "webhook", { url: url("/once") });
    await queue(TEST_SHOP, 8, "once");
    received.length = 0;
    const t = Date.now() + 1000;
    await Promise.all([hooks.scheduled(t), hooks.scheduled(t), hooks.scheduled(t)]);
    const ids = received.map((r) => r.headers["memnun-delivery"]);
    assert.equal(ids.length, 8, `sent ${ids.length} times for 8 deliveries`);
    assert.equal(new Set(ids).size, 8);
    assert.equal(await pending(TEST_SHOP), 0);
  });

  test("a shop flooded with events does not hold back another shop's", async () => {
    await hooks.execute(`INSERT INTO webhooks (shop_id, url, secret, updated_at) VALUES ('other-shop', '${url("/other")}', 'whsec_other', 0);`);
    await queue(TEST_SHOP, 80, "flood");
    await queue("other-shop", 1, "quiet");
    received.length = 0;
    await hooks.scheduled(Date.now() + 1000);
    assert.ok(received.some((r) => r.path === "/other"), "the quiet shop's delivery went in the first run");
    const flooded = received.filter((r) => r.path === "/once").length;
    assert.ok(flooded > 0 && flooded <= 10, `the flooded shop sent ${flooded} in one run`);
    // The rest go in later runs, a share each.
    for (let run = 0; run < 10 && (await pending(TEST_SHOP)) > 0; run++) await hooks.scheduled(Date.now() + 1000);
    assert.equal(await pending(TEST_SHOP), 0);
    await hooks.query("DELETE FROM webhooks WHERE shop_id = 'other-shop'");
  });

  test("deliveries are sent at once, not one after another", async () => {
    // The receiver answers nobody until three deliveries are waiting on it at the same time:
    // sent one after another, each would wait out its 10 s and fail.
    const waiting = [];
    answer = (req, res) => {
      waiting.push(res);
      if (waiting.length >= 3) for (const r of waiting.splice(0)) r.writeHead(200).end("ok");
    };
    try {
      await queue(TEST_SHOP, 3, "together");
      await hooks.scheduled(Date.now() + 1000);
      const rows = await hooks.query("SELECT delivered_at, last_error FROM webhook_outbox WHERE id LIKE 'wh_together_%'");
      assert.deepEqual(rows.map((r) => [r.delivered_at > 0, r.last_error]), Array(3).fill([true, null]));
    } finally {
      answer = (req, res) => res.writeHead(200).end("ok");
    }
  });

  test("at most six sends are open at once, as a Worker holds six connections", async () => {
    let open = 0;
    let most = 0;
    answer = (req, res) => {
      open += 1;
      most = Math.max(most, open);
      setTimeout(() => {
        open -= 1;
        res.writeHead(200).end("ok");
      }, 200);
    };
    try {
      await queue(TEST_SHOP, 10, "six");
      await hooks.scheduled(Date.now() + 1000);
      const rows = await hooks.query("SELECT delivered_at FROM webhook_outbox WHERE id LIKE 'wh_six_%'");
      assert.equal(rows.filter((r) => r.delivered_at > 0).length, 10, "all ten in one run");
      assert.ok(most <= 6, `${most} open at once`);
    } finally {
      answer = (req, res) => res.writeHead(200).end("ok");
    }
  });

  test("a delivery is signed with the time it is sent, not the run's", async () => {
    await admin("PUT", "webhook", { url: url("/late") });
    // A run that starts ten minutes late (its scheduled time long past), as a busy Cron does.
    const scheduledAt = Date.now() - 10 * 60 * 1000;
    await queue(TEST_SHOP, 1, "late", scheduledAt - 60 * 1000);
    received.length = 0;
    await hooks.scheduled(scheduledAt);
    const [sent] = received;
    assert.ok(sent, "sent");
    const t = Number(sent.headers["memnun-signature"].match(/^t=(\d+)/)[1]);
    assert.ok(Math.abs(t - sent.at / 1000) <= 5, `signed at ${t}, received at ${sent.at / 1000}`);
  });

  test("after a secret change both secrets sign for a day, then only the new one", async () => {
    // Retired at once: no secret from the tests above signs any more.
    const old = (await admin("PUT", "webhook", { url: url("/rotated"), previous_secret: "retire" })).json.secret;
    const fresh = (await admin("PUT", "webhook", { url: url("/rotated") })).json.secret;
    assert.notEqual(old, fresh);
    const signers = (delivery, secrets) => {
      const [, t, ...sigs] = delivery.headers["memnun-signature"].match(/^t=(\d+)((?:,v1=[0-9a-f]{64})+)$/);
      const given = sigs[0].split(",v1=").slice(1);
      const mac = (secret) => createHmac("sha256", secret).update(`${t}.${delivery.body}`).digest("hex");
      return given.map((g) => Object.keys(secrets).find((name) => mac(secrets[name]) === g) ?? "?");
    };
    const deliverOne = async (tag, at = Date.now() + 1000) => {
      await queue(TEST_SHOP, 1, tag);
      received.length = 0;
      await hooks.scheduled(at);
      const sent = received.find((r) => r.headers["memnun-delivery"] === `wh_${tag}_0`);
      assert.ok(sent, tag);
      return sent;
    };
    assert.deepEqual(signers(await deliverOne("overlap"), { old, fresh }), ["fresh", "old"]);
    // A second change within the day: the secret it replaces signs beside it (the receiver
    // may have installed it), the first one no longer.
    const again = (await admin("PUT", "webhook", { url: url("/rotated") })).json.secret;
    assert.deepEqual(signers(await deliverOne("overlap-again"), { old, fresh, again }), ["again", "fresh"]);
    assert.deepEqual(signers(await deliverOne("after-overlap", Date.now() + 25 * HOUR), { old, fresh, again }), ["again"]);
  });

  test("a leaked secret can be retired at once", async () => {
    const leaked = (await admin("PUT", "webhook", { url: url("/leaked") })).json.secret;
    const bad = await admin("PUT", "webhook", { url: url("/leaked"), previous_secret: "forget" });
    assert.equal(bad.status, 422, bad.text);
    assert.ok(bad.json.error.fields.previous_secret, bad.text);
    const fresh = (await admin("PUT", "webhook", { url: url("/leaked"), previous_secret: "retire" })).json.secret;
    await queue(TEST_SHOP, 1, "retired");
    received.length = 0;
    await hooks.scheduled(Date.now() + 1000);
    const [, t, sigs] = received[0].headers["memnun-signature"].match(/^t=(\d+)((?:,v1=[0-9a-f]{64})+)$/);
    const mac = (secret) => createHmac("sha256", secret).update(`${t}.${received[0].body}`).digest("hex");
    assert.deepEqual(sigs.split(",v1=").slice(1), [mac(fresh)], "only the new secret signs");
    assert.notEqual(mac(leaked), mac(fresh));
  });

  test("redirects are not followed: the attempt fails and says why", async () => {
    const target = http.createServer((req, res) => res.writeHead(200).end("ok"));
    let reached = 0;
    target.on("request", () => (reached += 1));
    await new Promise((r) => target.listen(0, "127.0.0.1", r));
    answer = (req, res) => res.writeHead(302, { Location: `http://127.0.0.1:${target.address().port}/elsewhere` }).end();
    try {
      await queue(TEST_SHOP, 1, "redirected");
      await hooks.scheduled(Date.now() + 1000);
      assert.equal(reached, 0, "the redirect's target was never sent to");
      const [row] = await hooks.query("SELECT delivered_at, attempts, last_error FROM webhook_outbox WHERE id = 'wh_redirected_0'");
      assert.equal(row.delivered_at, null);
      assert.equal(row.attempts, 1);
      assert.match(row.last_error, /answered 302 \(a redirect, not followed/);
    } finally {
      answer = (req, res) => res.writeHead(200).end("ok");
      await new Promise((r) => target.close(r));
    }
  });

  test("internal addresses in IPv6 forms and reserved IPv4 ranges are refused", async () => {
    for (const bad of [
      "http://[::7f00:1]/hooks", // IPv4-compatible 127.0.0.1
      "http://[::a9fe:a9fe]/hooks", // IPv4-compatible 169.254.169.254
      "http://[64:ff9b::a9fe:a9fe]/hooks", // NAT64 of the metadata address
      "http://[64:ff9b:1::a00:1]/hooks", // local-use NAT64 of 10.0.0.1
      "https://[64:ff9b:1:abcd::808:808]/hooks", // local-use NAT64, any address in the /48
      "https://[2002:a9fe:a9fe::1]/hooks", // 6to4 of the metadata address
      "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks", // Teredo
      "https://[2001:db8::1]/hooks", // documentation
      "https://203.0.113.7/hooks", // documentation
      "http://[::ffff:0:7f00:1]/hooks", // IPv4-translated 127.0.0.1
      "https://[3fff:0:1::1]/hooks", // documentation (RFC 9637)
      "https://[2001:2::1]/hooks", // benchmarking
      "https://198.18.0.1/hooks",
      "https://198.19.255.254/hooks",
      "https://240.0.0.1/hooks",
      "https://192.0.0.8/hooks",
    ]) {
      const r = await admin("PUT", "webhook", { url: bad });
      assert.equal(r.status, 422, `${bad}: ${r.text}`);
      assert.match(r.json.error.fields.url, /public address/, bad);
    }
    assert.equal((await admin("PUT", "webhook", { url: "https://[64:ff9b::5db8:d822]/hooks" })).status, 200, "NAT64 of a public address");
    assert.equal((await admin("PUT", "webhook", { url: "https://[2002:5db8:d822::1]/hooks" })).status, 200, "6to4 of a public address");
  });

  test("erasing a shopper leaves nothing of them in any table, and nothing of theirs is sent afterwards", async () => {
    await admin("PUT", "webhook", { url: url("/erasure") });
    const email = "erase.me@example.com";
    const browserId = randomUUID();
    const order = "ERASE-1";
    const words = { review: `Silinecek yorum ${randomUUID()}`, comment: `Silinecek anket ${randomUUID()}` };
    let r = await admin("PUT", `orders/${order}`, {
      number: "9901", email, items: [{ product: "kahve-fincani-01", quantity: 1 }], shipments: [{ id: "s1", carrier: "PTT" }],
    });
    assert.equal(r.status, 200, r.text);
    r = await admin("POST", `orders/${order}/events`, { events: [{ shipment: "s1", status: "delivered", time: Date.now() }] });
    assert.equal(r.status, 200, r.text);
    const links = (await admin("POST", `orders/${order}/links`)).json;
    // A review through the order's link, with the email; a detractor's answers and comment.
    const written = await postReview(hooks, review({ product: "kahve-fincani-01", body: words.review, email, token: links.reviews[0].token }), { origin: ORIGIN });
    assert.equal(written.status, 201, written.text);
    const surveyCall = (path, body, key) =>
      fetch(`${hooks.url}/v1/shops/${TEST_SHOP}/survey/${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: ORIGIN, "CF-Connecting-IP": newClient(), ...(key ? { "Idempotency-Key": key } : {}) },
        body: JSON.stringify(body),
      });
    assert.equal((await surveyCall("open", { token: links.survey.token, locale: "tr" })).status, 200);
    const saved = await surveyCall("answers", { token: links.survey.token, seq: 1, locale: "tr", complete: true, answers: { nps: 2, comment: words.comment } }, randomUUID());
    assert.equal(saved.status, 200, await saved.text());
    // The same browser votes, reports and (with consent) sends a purchase naming the order.
    const target = await postReview(hooks, review({ product: "erasure-other" }), { origin: ORIGIN });
    assert.equal((await postFeedback(hooks, target.json.review.id, "votes", { voter: browserId }, { origin: ORIGIN })).status, 200);
    assert.equal((await postFeedback(hooks, target.json.review.id, "reports", { reporter: browserId, reason: "spam" }, { origin: ORIGIN })).status, 202);
    const events = await fetch(`${hooks.url}/v1/shops/${TEST_SHOP}/events`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Origin: ORIGIN, "CF-Connecting-IP": newClient() },
      body: JSON.stringify({ browser: randomUUID(), events: [{ id: randomUUID(), type: "purchase", products: ["kahve-fincani-01"], order }] }),
    });
    assert.equal(events.status, 202, await events.text());
    const mine = JSON.stringify(await hooks.query("SELECT event_key FROM webhook_outbox WHERE delivered_at IS NULL"));
    for (const kind of ["order.delivered", "survey.detractor", "survey.completed"]) assert.ok(mine.includes(kind), `${kind} queued: ${mine}`);

    // The merchant erases them: by email, and by the browser's one id.
    const byEmail = await admin("POST", "shoppers/delete", { email });
    assert.equal(byEmail.status, 200, byEmail.text);
    assert.deepEqual(
      [byEmail.json.orders, byEmail.json.reviews, byEmail.json.survey_responses, byEmail.json.events],
      [1, 1, 1, 1],
      "the report counts the purchase event that named the order",
    );
    const byBrowser = await admin("POST", "shoppers/delete", { browser: browserId });
    assert.equal(byBrowser.status, 200, byBrowser.text);
    assert.deepEqual([byBrowser.json.votes, byBrowser.json.reports], [1, 1]);

    const tables = (await hooks.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")).map((t) => t.name);
    // The browser id is stored only hashed: its rows are counted above and below.
    const traces = [email, order, written.json.review.id, words.review, words.comment, "Silinecek"];
    for (const table of tables) {
      const rows = JSON.stringify(await hooks.query(`SELECT * FROM ${table}`));
      for (const trace of traces) assert.ok(!rows.includes(trace), `${table} still holds ${trace}`);
    }
    const [votes] = await hooks.query("SELECT COUNT(*) AS n FROM review_votes WHERE review_id = ?1", target.json.review.id);
    assert.equal(votes.n, 0);
    const [reports] = await hooks.query("SELECT COUNT(*) AS n FROM review_reports WHERE review_id = ?1", target.json.review.id);
    assert.equal(reports.n, 0);
    // Nothing of theirs goes out afterwards.
    received.length = 0;
    await hooks.scheduled(Date.now() + 1000);
    const sent = received.map((d) => d.body).join("\n");
    for (const trace of traces) assert.ok(!sent.includes(trace), `a delivery carried ${trace}`);
  });

  test("outside the tests, webhook URLs must be https", async () => {
    const prod = await Edge.start({ env: "", vars: { CLIENT_HASH_SALT: "a-secret-salt-for-this-test" } });
    try {
      const plain = await adminCall(prod, "PUT", "webhook", { body: { url: "http://hooks.example/memnun" } });
      assert.equal(plain.status, 422, plain.text);
      assert.equal(plain.json.error.fields.url, "must be an https:// address");
      assert.equal((await adminCall(prod, "PUT", "webhook", { body: { url: "https://hooks.example/memnun" } })).status, 200);
      assert.equal((await adminCall(prod, "PUT", "webhook", { body: { url: "http://127.0.0.1:9/x" } })).status, 422);
    } finally {
      await prod.cleanup();
    }
  });
});

describe("a refused body", () => {
  test("a body refused by its Content-Length costs the next request on the connection nothing", async () => {
    // One keep-alive connection, as a browser or a proxy reuses it.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (path, body, headers = {}) =>
      new Promise((resolve) => {
        const req = http.request(`${edge.url}${path}`, { method: body ? "POST" : "GET", agent, headers }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode, text }));
        });
        req.on("error", (e) => resolve({ status: "error", text: e.message }));
        req.end(body);
      });
    const writeHeaders = (body) => ({
      "Content-Type": "application/json", Origin: ORIGIN, "Idempotency-Key": randomUUID(),
      "CF-Connecting-IP": newClient(), "Content-Length": Buffer.byteLength(body),
    });
    try {
      for (const size of [1024 * 1024, 3 * 1024 * 1024]) {
        const huge = "x".repeat(size);
        const refused = await send(`/v1/shops/${TEST_SHOP}/reviews`, huge, writeHeaders(huge));
        assert.equal(refused.status, 413, refused.text);
        const valid = JSON.stringify(review({ product: "after-huge" }));
        const next = await send(`/v1/shops/${TEST_SHOP}/reviews`, valid, writeHeaders(valid));
        assert.equal(next.status, 201, `after a ${size} B body: ${next.text}`);
        assert.equal((await send("/v1/health")).status, 200);
      }
    } finally {
      agent.destroy();
    }
  });
});

// Shops spread over D1 databases (edge/src/platform/databases.rs): the tests' edge has two data
// databases, DB (also the control database with the shop directory) and DB_2. A shop the
// directory puts in DB_2 is served from DB_2 alone, its keys are found through the directory,
// the scheduled jobs sweep both databases, a shop being moved has its writes answered 503 with
// Retry-After while its reads go on, health sees a database left behind by a migration, and
// `cargo xtask shop move` moves a shop while its shoppers write.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Edge, ROOT, adminCall, apiKeyHash, getReviews, newClient, postFeedback, postReview, review, until } from "./support/harness.mjs";

const ORIGIN = "https://far.example";
const FAR = "far-shop";
const FAR_KEY = "mk_far_shop_key_for_tests";
let edge;

const count = async (db, table, shop = FAR) => (await edge.queryOn(db, `SELECT count(*) AS n FROM ${table} WHERE shop_id = ?1`, shop))[0].n;

before(async () => {
  edge = await Edge.start({ origins: [] });
  await edge.addShop(FAR, { database: "DB_2" });
  await edge.addKey(FAR, FAR_KEY, "far", { database: "DB_2" });
  await edge.queryOn("DB_2", "INSERT INTO shop_origins (shop_id, origin) VALUES (?1, ?2)", FAR, ORIGIN);
});
after(async () => {
  await edge?.cleanup();
});

describe("a shop in the second data database", () => {
  test("its shoppers' writes, its merchant's reads and its public reads all use that database", async () => {
    const posted = await postReview(edge, review({ product: "uzak-fincan", rating: 5 }), { origin: ORIGIN, shop: FAR });
    assert.equal(posted.status, 201, posted.text);
    assert.equal(await count("DB_2", "reviews"), 1);
    assert.equal(await count("DB", "reviews"), 0);

    const held = await adminCall(edge, "GET", "reviews?status=published", { key: FAR_KEY });
    assert.equal(held.status, 200, held.text);
    assert.deepEqual(held.json.reviews.map((r) => r.id), [posted.json.review.id]);

    const list = await getReviews(edge, "uzak-fincan", "", FAR);
    assert.equal(list.status, 200);
    assert.equal(list.json.summary.count, 1);
    // The shop's page origin is the shop's, read from DB_2: another origin is refused.
    const stranger = await postReview(edge, review({ product: "uzak-fincan" }), { origin: "https://stranger.example", shop: FAR });
    assert.equal(stranger.status, 403, stranger.text);
  });

  test("a key it makes is found through the directory; a key of it the directory does not name opens nothing", async () => {
    const made = await adminCall(edge, "POST", "keys", { key: FAR_KEY, body: { name: "helper", scope: "read" } });
    assert.equal(made.status, 201, made.text);
    const directory = await edge.query("SELECT shop_id FROM key_directory WHERE key_hash = ?1", apiKeyHash(made.json.key));
    assert.deepEqual(directory, [{ shop_id: FAR }]);
    const read = await adminCall(edge, "GET", "keys", { key: made.json.key });
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.json.keys.map((k) => k.name).sort(), ["far", "helper"]);

    // Stored in DB_2 without its directory row: it is looked for in DB, where it is not.
    const hidden = "mk_far_key_not_in_directory";
    await edge.queryOn("DB_2", "INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, ?2, 'hidden', 0)", apiKeyHash(hidden), FAR);
    assert.equal((await adminCall(edge, "GET", "keys", { key: hidden })).status, 401);
    // The first database's shop is reached as before, its key named nowhere in the directory.
    assert.equal((await adminCall(edge, "GET", "keys")).status, 200);
  });

  test("a client locked out for wrong keys is refused with a right key of a shop in DB_2 too", async () => {
    const client = newClient();
    const as = (key) => adminCall(edge, "GET", "keys", { key, headers: { "CF-Connecting-IP": client } });
    assert.equal((await as(FAR_KEY)).status, 200);
    let answer;
    for (let i = 0; i < 25; i++) {
      answer = await as(`mk_wrong_${i}`);
      if (answer.status === 429) break;
      assert.equal(answer.status, 401);
    }
    assert.equal(answer.status, 429);
    assert.equal((await as(FAR_KEY)).status, 429);
    // Another client is not.
    assert.equal((await adminCall(edge, "GET", "keys", { key: FAR_KEY, headers: { "CF-Connecting-IP": newClient() } })).status, 200);
  });

  test("the scheduled jobs sweep both databases", async () => {
    const old = Date.now() - 3 * 24 * 3600 * 1000;
    for (const [db, shop] of [["DB", "test-shop"], ["DB_2", FAR]]) {
      await edge.queryOn(db, "INSERT INTO idempotency_keys (shop_id, endpoint, idempotency_key, request_hash, status, response_body, created_at) VALUES (?1, 'reviews', ?2, 'h', 201, '{}', ?3)", shop, randomUUID(), old);
    }
    const left = async (db) => (await edge.queryOn(db, "SELECT count(*) AS n FROM idempotency_keys WHERE created_at = ?1", old))[0].n;
    // While a shop is being moved into DB_2, the jobs leave both databases the move touches.
    await edge.query("INSERT INTO shop_directory (shop_id, database, writes_paused_at, moving_to, placed_at) VALUES ('in-transit', 'DB', 1, 'DB_2', 0)");
    await edge.scheduled(Date.now());
    assert.deepEqual([await left("DB"), await left("DB_2")], [1, 1]);
    await edge.query("DELETE FROM shop_directory WHERE shop_id = 'in-transit'");
    await edge.scheduled(Date.now());
    for (const db of ["DB", "DB_2"]) assert.equal(await left(db), 0, `the purge ran on ${db}`);
  });

  test("while it is being moved its writes are answered 503 with Retry-After and nothing is stored; reads go on", async () => {
    await edge.query("UPDATE shop_directory SET writes_paused_at = 1 WHERE shop_id = ?1", FAR);
    // The isolate trusts its directory for DIRECTORY_CACHE_SECONDS (1 in the tests): a vote
    // for no review (404 while writes go on, storing nothing) shows when the pause is seen.
    await until("the pause to be seen", async () => (await postFeedback(edge, randomUUID(), "votes", { voter: randomUUID() }, { origin: ORIGIN, shop: FAR })).status === 503);
    const before = await count("DB_2", "reviews");
    const paused = await postReview(edge, review({ product: "uzak-fincan" }), { origin: ORIGIN, shop: FAR });
    assert.equal(paused.status, 503, paused.text);
    assert.equal(paused.json.error.code, "unavailable");
    assert.ok(Number(paused.headers.get("Retry-After")) > 0);
    assert.equal(await count("DB_2", "reviews"), before);
    assert.equal(await count("DB", "reviews"), 0);
    const merchantWrite = await adminCall(edge, "PUT", "moderation", { key: FAR_KEY, body: { mode: "hold_all" } });
    assert.equal(merchantWrite.status, 503, merchantWrite.text);
    assert.equal((await getReviews(edge, "uzak-fincan", "", FAR)).status, 200);
    assert.equal((await adminCall(edge, "GET", "reviews", { key: FAR_KEY })).status, 200);
    // Other shops write on.
    assert.equal((await adminCall(edge, "PUT", "moderation", { body: { mode: "publish" } })).status, 200);

    await edge.query("UPDATE shop_directory SET writes_paused_at = NULL WHERE shop_id = ?1", FAR);
    const resumed = await until("writes to resume", async () => {
      const r = await postReview(edge, review({ product: "uzak-fincan" }), { origin: ORIGIN, shop: FAR });
      return r.status === 201 ? r : null;
    });
    assert.equal(resumed.status, 201);
    assert.equal(await count("DB_2", "reviews"), before + 1);
  });

  test("health checks every database: one behind the others' migrations is a 503", async () => {
    const ok = await fetch(`${edge.url}/v1/health`);
    assert.equal(ok.status, 200);
    const last = (await edge.queryOn("DB_2", "SELECT * FROM d1_migrations ORDER BY id DESC LIMIT 1"))[0];
    await edge.queryOn("DB_2", "DELETE FROM d1_migrations WHERE id = ?1", last.id);
    try {
      const behind = await fetch(`${edge.url}/v1/health`);
      assert.equal(behind.status, 503);
      assert.equal((await behind.json()).database, "unavailable");
    } finally {
      await edge.queryOn("DB_2", "INSERT INTO d1_migrations (id, name, applied_at) VALUES (?1, ?2, ?3)", last.id, last.name, last.applied_at);
    }
    assert.equal((await fetch(`${edge.url}/v1/health`)).status, 200);
  });
});

describe("cargo xtask shop move", () => {
  const MOVING = "moving-shop";
  const MOVING_ORIGIN = "https://moving.example";
  const MOVING_KEY = "mk_moving_shop_key_for_tests";
  // The chore as `cargo xtask test` built it (cargo itself is busy running the tests).
  const xtask = (...args) => promisify(execFile)(path.join(ROOT, "target/debug/xtask"), args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });

  test("moves a shop from DB to DB_2 during a load of its writes: every accepted write is in DB_2 once, nothing is left in DB", async () => {
    await edge.addShop(MOVING);
    await edge.addKey(MOVING, MOVING_KEY, "owner");
    await edge.allowOrigin(MOVING, MOVING_ORIGIN);
    const order = await adminCall(edge, "PUT", "orders/M-1", { key: MOVING_KEY, body: { number: "M-1001", email: "m@example.com", placed_at: "2026-11-01T10:00:00Z", items: [{ product: "tasinan", quantity: 1 }] } });
    assert.equal(order.status, 200, order.text);
    // Rows numbered by the database (INTEGER PRIMARY KEY), taken in DB_2 by its own shop: the
    // copy numbers the moved ones anew.
    for (const [db, shop] of [["DB", MOVING], ["DB_2", FAR]]) {
      await edge.queryOn(db, "INSERT INTO moderation_log (id, shop_id, review_id, action, actor, created_at) VALUES (1, ?1, 'r', 'approved', 'owner', 0)", shop);
    }

    // Shoppers write all along, each review sent again with its key after a 503, as the
    // widgets' outbox does.
    const accepted = [];
    let paused = 0;
    let busy = 0;
    let writing = true;
    const writer = async () => {
      while (writing) {
        const key = randomUUID();
        const body = review({ product: "tasinan", rating: 5 });
        while (writing) {
          const r = await postReview(edge, body, { origin: MOVING_ORIGIN, shop: MOVING, key });
          // Within the shop's write limit (400 a minute in the tests) over the move's ~20 s.
          await new Promise((resolve) => setTimeout(resolve, 250));
          if (r.status === 201) {
            accepted.push(r.json.review.id);
            break;
          }
          // Locally the chore's wrangler and the worker share SQLite files, and a write that
          // meets the chore's lock fails (SQLITE_BUSY: a 500 the outbox sends again, with its
          // key); D1 itself has no second process.
          if (r.status === 500) {
            busy += 1;
            continue;
          }
          if (r.status !== 503 || !(Number(r.headers.get("Retry-After")) > 0)) unexpected.push(`${r.status} ${r.text}`);
          paused += 1;
        }
      }
    };
    // The merchant's system writes orders all along too, with a key made before the directory
    // (none of its rows name it): its writes must wait for the move as the shoppers' do.
    const orders = [];
    const merchantWriter = async () => {
      while (writing) {
        const id = `M-${orders.length + 2}`;
        while (writing) {
          const r = await adminCall(edge, "PUT", `orders/${id}`, { key: MOVING_KEY, body: { number: id, email: "m@example.com", placed_at: "2026-11-02T10:00:00Z", items: [{ product: "tasinan", quantity: 1 }] } });
          await new Promise((resolve) => setTimeout(resolve, 250));
          if (r.status === 200) {
            orders.push(id);
            break;
          }
          if (r.status === 500) continue;
          if (r.status !== 503) unexpected.push(`${r.status} ${r.text}`);
          paused += 1;
        }
      }
    };
    const unexpected = [];
    const writing$ = Promise.all([writer(), merchantWriter()]);
    let moved;
    try {
      await until("writes before the move", () => accepted.length >= 4);
      moved = await xtask("shop", "move", MOVING, "--to", "DB_2", "--env", "test", "--persist-to", edge.persist);
      const before = accepted.length;
      await until("writes after the move", () => accepted.length >= before + 4);
    } finally {
      writing = false;
      await writing$;
    }
    assert.deepEqual(unexpected, []);

    assert.ok(paused > 0, `no write met the pause (${busy} met a lock): ${moved.stdout}`);
    const stored = await edge.queryOn("DB_2", "SELECT id FROM reviews WHERE shop_id = ?1", MOVING);
    assert.deepEqual(stored.map((r) => r.id).sort(), [...accepted].sort());
    const storedOrders = await edge.queryOn("DB_2", "SELECT id FROM orders WHERE shop_id = ?1 AND id != 'M-1'", MOVING);
    assert.deepEqual(storedOrders.map((r) => r.id).sort(), [...orders].sort());
    assert.equal(await count("DB_2", "moderation_log", MOVING), 1);
    assert.equal(await count("DB_2", "moderation_log", FAR), 1);
    const tables = (await edge.queryOn("DB", "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%shop_id%'")).map((t) => t.name);
    for (const t of tables.filter((t) => !t.endsWith("_directory"))) {
      assert.equal(await count("DB", t, MOVING), 0, `${t} left in DB`);
    }
    assert.deepEqual(await edge.queryOn("DB", "SELECT id FROM shops WHERE id = ?1", MOVING), []);
    assert.deepEqual(await edge.query("SELECT database, writes_paused_at, moving_to, left_in FROM shop_directory WHERE shop_id = ?1", MOVING), [{ database: "DB_2", writes_paused_at: null, moving_to: null, left_in: null }]);

    // The summary moved with the reviews, and the key and the order with the shop.
    const list = await getReviews(edge, "tasinan", "", MOVING);
    assert.equal(list.json.summary.count, accepted.length);
    const got = await adminCall(edge, "GET", "orders/M-1", { key: MOVING_KEY });
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.number, "M-1001");
  });

  test("a move cut short after its pause is rolled back: the copy is cleared and writes resume where the shop was", async () => {
    const shop = "rollback-shop";
    await edge.addShop(shop);
    await edge.allowOrigin(shop, "https://rollback.example");
    // What the chore writes first, then a partial copy, as if it stopped there.
    await edge.query("INSERT INTO shop_directory (shop_id, database, writes_paused_at, moving_to, placed_at) VALUES (?1, 'DB', 1, 'DB_2', 0)", shop);
    await edge.execute(`INSERT INTO shops (id, name, created_at) VALUES ('${shop}', 'partial', 0);`, "DB_2");
    await until("the pause to be seen", async () => (await postReview(edge, review(), { origin: "https://rollback.example", shop })).status === 503);
    const refused = await xtask("shop", "move", shop, "--to", "DB", "--env", "test", "--persist-to", edge.persist).then(() => null, (e) => e);
    assert.match(String(refused?.stderr), /under way/);
    await xtask("shop", "move", shop, "--rollback", "--env", "test", "--persist-to", edge.persist);
    assert.deepEqual(await edge.queryOn("DB_2", "SELECT id FROM shops WHERE id = ?1", shop), []);
    const resumed = await until("writes to resume", async () => {
      const r = await postReview(edge, review(), { origin: "https://rollback.example", shop });
      return r.status === 201 ? r : null;
    });
    assert.equal(await count("DB", "reviews", shop), 1, resumed.text);
  });
});

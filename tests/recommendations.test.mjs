// Recommendations over HTTP against the real worker: the catalog API, shopper events (validation,
// dedup, sendBeacon's text/plain), co-occurrence counts kept as events and orders arrive (checked
// against a hand-worked log), the bounded pair work with the rest done by the scheduled handler,
// and the strip's fallback chain on an empty shop, a cold product and a warm one.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Edge, adminCall, newClient } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

const admin = (method, path, body, options = {}) => adminCall(edge, method, path, { body, ...options });

async function send(body, { origin = ORIGIN, type = "text/plain;charset=UTF-8", client = newClient() } = {}) {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/events`, {
    method: "POST",
    headers: { "Content-Type": type, "CF-Connecting-IP": client, ...(origin ? { Origin: origin } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text };
}
const view = (product) => ({ id: randomUUID(), type: "product_view", product });
const views = (browser, products) => send({ browser, events: products.map(view) });

async function strip(product, query = "") {
  const res = await fetch(`${edge.url}/v1/shops/test-shop/products/${product}/recommendations${query}`);
  return { status: res.status, headers: res.headers, json: await res.json() };
}

function item(id, overrides = {}) {
  return {
    id,
    name: { tr: `Ürün ${id}`, en: `Product ${id}` },
    price_minor: 10000,
    currency: "TRY",
    url: `https://shop.example/p/${id}`,
    image_url: `https://shop.example/img/${id}.jpg`,
    category: "mutfak",
    ...overrides,
  };
}

const counts = async (kind) =>
  Object.fromEntries((await edge.query("SELECT product_id, n FROM item_counts WHERE shop_id = 'test-shop' AND kind = ?1", kind)).map((r) => [r.product_id, r.n]));
const pairs = async (kind) =>
  Object.fromEntries((await edge.query("SELECT a, b, n FROM item_pairs WHERE shop_id = 'test-shop' AND kind = ?1", kind)).map((r) => [`${r.a}>${r.b}`, r.n]));

describe("an empty shop", () => {
  test("has an empty strip, not an error", async () => {
    const r = await strip("anything");
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items, []);
    assert.equal(r.json.arm, "a");
  });
});

describe("the catalog", () => {
  test("stores good items, reports refused ones by position, and lists them", async () => {
    const r = await admin("PUT", "catalog", {
      items: [
        item("cup"),
        item("bad id!", { price_minor: -5, currency: "lira", url: "javascript:alert(1)" }),
        "not an item",
        item("shirt", { category: "giyim", name: { en: "Linen shirt" } }),
      ],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.stored, 2);
    assert.deepEqual(r.json.refused.map((x) => x.index), [1, 2]);
    for (const field of ["id", "price_minor", "currency", "url"]) assert.ok(r.json.refused[0].errors[field], field);
    const listed = await admin("GET", "catalog");
    assert.deepEqual(listed.json.items.map((i) => i.id), ["cup", "shirt"]);
    assert.equal(listed.json.items[1].name.en, "Linen shirt");
  });

  test("replace removes what the upload does not name, but never an item it refused", async () => {
    await admin("PUT", "catalog", { items: [item("a1"), item("a2"), item("a3")] });
    const r = await admin("PUT", "catalog", { mode: "replace", items: [item("a1"), item("a2", { price_minor: "free" })] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.refused.length, 1);
    const ids = (await admin("GET", "catalog?limit=200")).json.items.map((i) => i.id);
    assert.deepEqual(ids, ["a1", "a2"], "a3, cup and shirt removed; a2 kept despite its bad row");
    assert.equal(r.json.removed, 3);
  });

  test("hostile uploads are refused with nothing stored", async () => {
    const before = (await admin("GET", "catalog?limit=200")).json.items.length;
    const many = await admin("PUT", "catalog", { items: Array.from({ length: 501 }, (_, i) => item(`x${i}`)) });
    assert.equal(many.status, 422);
    assert.ok(many.json.error.fields.items);
    assert.equal((await admin("PUT", "catalog", "{\"items\": [")).status, 400);
    assert.equal((await admin("PUT", "catalog", { items: [item("ok")] }, { key: "mk_nope" })).status, 401);
    assert.equal((await admin("POST", "catalog", {})).status, 405);
    assert.equal((await admin("PUT", "catalog", { items: [item("<script>", {})] })).json.refused.length, 1);
    assert.equal((await admin("GET", "catalog?limit=200")).json.items.length, before);
  });
});

describe("events", () => {
  test("a batch needs a browser id and at most 20 events; bad events are refused alone; repeats count once", async () => {
    const browser = randomUUID();
    assert.equal((await send({ events: [view("cup")] })).status, 422);
    assert.equal((await send({ browser: "me", events: [view("cup")] })).json.error.fields.browser, "must be a UUID");
    const tooMany = await send({ browser, events: Array.from({ length: 21 }, () => view("cup")) });
    assert.equal(tooMany.status, 422);
    assert.ok(tooMany.json.error.fields.events);
    assert.equal((await send("not json", {})).status, 400);
    assert.equal((await send({ browser, events: [] }, { type: "text/html" })).status, 415);
    assert.equal((await send({ browser, events: [view("cup")] }, { origin: "https://evil.example" })).status, 403);

    const good = view("ev-1");
    const batch = { browser, events: [good, { id: "x", type: "teleport" }, { id: randomUUID(), type: "recommendation_clicked", product: "cup", source: "magic" }] };
    const first = await send(batch);
    assert.equal(first.status, 202, first.text);
    assert.deepEqual([first.json.accepted, first.json.duplicates, first.json.refused.map((r) => r.index)], [1, 0, [1, 2]]);
    const again = await send(batch);
    assert.deepEqual([again.json.accepted, again.json.duplicates], [0, 1], "sendBeacon may send twice");
    const stored = await edge.query("SELECT COUNT(*) AS n FROM shopper_events WHERE id = ?1", good.id);
    assert.equal(stored[0].n, 1);
    assert.equal((await counts("view"))["ev-1"], 1);
    const rows = await edge.query("SELECT browser_key FROM shopper_events WHERE id = ?1", good.id);
    assert.notEqual(rows[0].browser_key, browser, "the browser id is kept only as a salted hash");
  });

  test("co-views count browsers, not page views, as in the hand-worked log", async () => {
    // B1: cup, shirt   B2: cup, shirt, mug   B3: cup, mug   B4: lamp, cup (and cup again)
    // n: cup 4, shirt 2, mug 2, lamp 1; co: cup–shirt 2, cup–mug 2, cup–lamp 1, shirt–mug 1.
    const [b1, b2, b3, b4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await views(b1, ["hw-cup", "hw-shirt"]);
    await views(b2, ["hw-cup"]);
    await views(b2, ["hw-shirt", "hw-mug"]);
    await views(b3, ["hw-cup", "hw-mug"]);
    await views(b4, ["hw-lamp", "hw-cup", "hw-cup"]);
    await views(b4, ["hw-cup"]);
    const n = await counts("view");
    assert.deepEqual([n["hw-cup"], n["hw-shirt"], n["hw-mug"], n["hw-lamp"]], [4, 2, 2, 1]);
    const co = await pairs("view");
    assert.deepEqual(
      [co["hw-cup>hw-shirt"], co["hw-shirt>hw-cup"], co["hw-cup>hw-mug"], co["hw-cup>hw-lamp"], co["hw-shirt>hw-mug"], co["hw-lamp>hw-shirt"]],
      [2, 2, 2, 1, 1, undefined],
    );
  });

  test("an order is a basket once, counted by the order API; a purchase event naming an order counts nothing", async () => {
    const put = (id, products) => admin("PUT", `orders/${id}`, { number: id, items: products.map((product) => ({ product, quantity: 1 })) });
    assert.equal((await put("B-1", ["bk-cup", "bk-saucer"])).status, 200);
    assert.equal((await put("B-1", ["bk-cup", "bk-saucer"])).status, 200, "updated, not a new basket");
    await send({ browser: randomUUID(), events: [{ id: randomUUID(), type: "purchase", products: ["bk-cup", "bk-saucer"], order: "B-1" }] });
    await send({ browser: randomUUID(), events: [{ id: randomUUID(), type: "purchase", products: ["bk-cup", "bk-spoon"] }] });
    // A page naming an order the shop has not sent yet cannot claim (or block) its basket.
    await send({ browser: randomUUID(), events: [{ id: randomUUID(), type: "purchase", products: ["bk-fake", "bk-cup"], order: "B-2" }] });
    assert.equal((await put("B-2", ["bk-cup", "bk-lid"])).status, 200);
    const n = await counts("buy");
    assert.deepEqual([n["bk-cup"], n["bk-saucer"], n["bk-spoon"], n["bk-lid"], n["bk-fake"]], [3, 1, 1, 1, undefined]);
    const co = await pairs("buy");
    assert.deepEqual([co["bk-cup>bk-saucer"], co["bk-saucer>bk-cup"], co["bk-cup>bk-spoon"]], [1, 1, 1]);
  });

  test("a large order pairs its first 30 items: a bounded part at once, the rest by the scheduled handler", async () => {
    const products = Array.from({ length: 100 }, (_, i) => `big-${String(i).padStart(3, "0")}`);
    const r = await admin("PUT", "orders/BIG-1", { number: "BIG-1", items: products.map((product) => ({ product, quantity: 1 })) });
    assert.equal(r.status, 200, r.text);
    const countBig = async () => (await edge.query("SELECT COUNT(*) AS n FROM item_pairs WHERE kind = 'buy' AND a LIKE 'big-%'"))[0].n;
    assert.equal(await countBig(), 120, "one request writes at most 120 pair rows");
    const backlog = (await edge.query("SELECT COUNT(*) AS n FROM pair_backlog"))[0].n;
    assert.ok(backlog >= 6, `${backlog} chunks wait`);
    for (let run = 0; run < 3; run++) await edge.scheduled();
    assert.equal(await countBig(), 30 * 29, "every ordered pair of the first 30 items");
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM pair_backlog"))[0].n, 0);
  });
});

describe("Cloudflare's per-request query limit (50 on Workers Free)", () => {
  const statements = (r) => Number(r.headers.get("x-memnun-d1-statements"));

  test("the largest event batch makes a fixed, small number of D1 statements", async (t) => {
    const products = (i) => Array.from({ length: 20 }, (_, j) => `q-${i}-${j}`);
    const events = [
      ...Array.from({ length: 10 }, (_, i) => ({ id: randomUUID(), type: "purchase", products: products(i) })),
      ...Array.from({ length: 10 }, (_, i) => view(`q-view-${i}`)),
    ];
    const r = await send({ browser: randomUUID(), events });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.accepted, 20);
    assert.ok(statements(r) > 0, "counted");
    assert.ok(statements(r) <= 15, `${statements(r)} statements`);
    const small = await send({ browser: randomUUID(), events: [view("q-one")] });
    assert.ok(statements(small) <= statements(r));
    t.diagnostic(`D1 statements: 20 events (10 purchases of 20 products, 10 views) ${statements(r)}, one view ${statements(small)}`);
  });

  test("so do the largest catalog upload and order", async (t) => {
    const catalog = await admin("PUT", "catalog", { items: Array.from({ length: 500 }, (_, i) => item(`big-cat-${i}`)) });
    assert.equal(catalog.status, 200, catalog.text);
    assert.ok(statements(catalog) <= 10, `catalog: ${statements(catalog)}`);
    const order = await admin("PUT", "orders/Q-BIG", { number: "Q-BIG", items: Array.from({ length: 100 }, (_, i) => ({ product: `qo-${i}`, quantity: 1 })) });
    assert.equal(order.status, 200, order.text);
    assert.ok(statements(order) <= 20, `order: ${statements(order)}`);
    t.diagnostic(`D1 statements: 500-item catalog ${statements(catalog)}, 100-item order ${statements(order)}`);
    // Leave the catalog as the tests below expect it.
    await admin("PUT", "catalog", { mode: "replace", items: [] });
  });
});

describe("the strip", () => {
  before(async () => {
    const r = await admin("PUT", "catalog", {
      mode: "replace",
      items: [
        item("s-cup", { category: "mutfak" }),
        item("s-saucer", { category: "mutfak" }),
        item("s-spoon", { category: "mutfak" }),
        item("s-mug", { category: "mutfak" }),
        item("s-kettle", { category: "mutfak", in_stock: false }),
        item("s-shirt", { category: "giyim", name: { en: "Linen shirt", tr: "Keten gömlek" } }),
        item("s-scarf", { category: "giyim" }),
        item("s-lamp", { category: "ev" }),
      ],
    });
    assert.equal(r.status, 200, r.text);
  });

  test("a cold product is filled from the fallbacks: never itself, never out of stock, no duplicates", async () => {
    const r = await strip("s-scarf", "?limit=6&locale=tr");
    assert.equal(r.status, 200);
    assert.match(r.headers.get("cache-control"), /public, max-age=300/);
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
    const ids = r.json.items.map((i) => i.product);
    assert.equal(ids.length, 6, "filled: the six other products in stock");
    assert.equal((await strip("s-scarf", "?limit=8")).json.items.length, 6, "as many as the catalog allows");
    assert.ok(!ids.includes("s-scarf") && !ids.includes("s-kettle"));
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(r.json.items.every((i) => i.source === "newest" || i.source === "bestseller" || i.source === "top_rated"));
    const shirt = r.json.items.find((i) => i.product === "s-shirt");
    assert.equal(shirt.name, "Keten gömlek");
    assert.equal(shirt.url, "https://shop.example/p/s-shirt");
  });

  test("a warm product shows what was bought with it first, then what was viewed with it", async () => {
    for (const [i, basket] of [["s-cup", "s-saucer"], ["s-cup", "s-saucer"], ["s-cup", "s-spoon"], ["s-cup", "s-kettle"]].entries()) {
      assert.equal((await admin("PUT", `orders/W-${i}`, { number: `W-${i}`, items: basket.map((product) => ({ product, quantity: 1 })) })).status, 200);
    }
    await views(randomUUID(), ["s-cup", "s-lamp"]);
    const r = await strip("s-cup", "?limit=4");
    // saucer: co 2 of n 2 (cosine 0.71); spoon: co 1 of n 1 (0.5); kettle: out of stock.
    assert.deepEqual(
      r.json.items.slice(0, 3).map((i) => [i.product, i.source]),
      [["s-saucer", "bought_together"], ["s-spoon", "bought_together"], ["s-lamp", "viewed_together"]],
    );
    assert.equal(r.json.items.length, 4, "then the fallbacks fill it");
    assert.ok(!["bought_together", "viewed_together"].includes(r.json.items[3].source));
    assert.ok(!r.json.items.some((i) => i.product === "s-kettle"), "bought together but out of stock");
  });

  test("arm b puts the best rated of the category first, with their ratings", async () => {
    for (const [product, rating] of [["s-mug", 5], ["s-mug", 4], ["s-spoon", 3]]) {
      const res = await fetch(`${edge.url}/v1/shops/test-shop/reviews`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: ORIGIN, "Idempotency-Key": randomUUID(), "CF-Connecting-IP": newClient() },
        body: JSON.stringify({ product, rating, title: "t", body: `Güzel ${randomUUID()}`, author: "Ayşe", fill_ms: 8000 }),
      });
      assert.equal(res.status, 201, await res.text());
    }
    const r = await strip("s-cup", "?limit=3&arm=b");
    assert.equal(r.json.arm, "b");
    assert.deepEqual(r.json.items.map((i) => [i.product, i.source]), [["s-mug", "top_rated"], ["s-spoon", "top_rated"], ["s-saucer", "bought_together"]]);
    assert.deepEqual([r.json.items[0].rating_hundredths, r.json.items[0].reviews], [450, 2]);
  });

  test("recently viewed: the browser's own list as cards, in its order, in stock only", async () => {
    const get = (query, init) => fetch(`${edge.url}/v1/shops/test-shop/catalog${query}`, init);
    const res = await get("?ids=s-lamp,s-kettle,unknown,s-shirt,s-lamp&locale=tr");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "private, max-age=300", "one browser's history: no shared cache");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const body = await res.json();
    assert.deepEqual(body.items.map((i) => [i.product, i.source]), [["s-lamp", "recently_viewed"], ["s-shirt", "recently_viewed"]]);
    assert.equal(body.items[1].name, "Keten gömlek");
    assert.deepEqual((await (await get("")).json()).items, []);
    const many = Array.from({ length: 25 }, (_, i) => `p${i}`).join(",");
    for (const query of [`?ids=${many}`, "?ids=..%2Fx", "?locale=de"]) {
      const bad = await get(query);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.headers.get("access-control-allow-origin"), "*", "errors readable by the widget");
    }
    assert.equal((await get("", { method: "POST" })).status, 405);
  });

  test("its parameters are checked", async () => {
    for (const query of ["?limit=0", "?limit=25", "?arm=c", "?locale=de"]) {
      const r = await strip("s-cup", query);
      assert.equal(r.status, 400, query);
      assert.equal(r.json.error.code, "invalid_parameter");
    }
    assert.equal((await strip("..%2F..%2Fadmin")).status, 400);
  });
});

describe("the recommendations report", () => {
  test("counts impressions, clicks, click-through and attributed purchases per source, arm and product", async () => {
    const shown = (product, source, arm) => ({ id: randomUUID(), type: "recommendation_shown", product, source, arm });
    const browserA = randomUUID();
    const browserB = randomUUID();
    const before = (await admin("GET", "reports/recommendations")).json.totals;
    await send({ browser: browserA, events: [
      shown("r-saucer", "bought_together", "a"), shown("r-spoon", "bought_together", "a"),
      shown("r-saucer", "bought_together", "a"), shown("r-lamp", "newest", "a"),
      { id: randomUUID(), type: "recommendation_clicked", product: "r-saucer", source: "bought_together", arm: "a" },
      { id: randomUUID(), type: "purchase", products: ["r-saucer", "r-cup"], product: "r-saucer", source: "bought_together", arm: "a" },
    ] });
    const clickB = { id: randomUUID(), type: "recommendation_clicked", product: "r-mug", source: "top_rated", arm: "b" };
    await send({ browser: browserB, events: [
      shown("r-mug", "top_rated", "b"), shown("r-saucer", "bought_together", "b"), clickB,
      { id: randomUUID(), type: "add_to_cart", product: "r-mug", source: "top_rated", arm: "b" },
      { id: randomUUID(), type: "purchase", products: ["r-vase"] },
    ] });
    await send({ browser: browserB, events: [clickB] }); // sent twice: counted once
    const r = await admin("GET", "reports/recommendations");
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("cache-control"), "no-store");
    const t = r.json.totals;
    assert.deepEqual(
      [t.impressions - before.impressions, t.clicks - before.clicks, t.purchases - before.purchases, t.add_to_carts - before.add_to_carts],
      [6, 2, 1, 1],
      "an unattributed purchase is not counted",
    );
    assert.deepEqual(r.json.by_arm.a, { impressions: 4, clicks: 1, ctr_tenths: 250, add_to_carts: 0, purchases: 1 });
    assert.deepEqual(r.json.by_arm.b, { impressions: 2, clicks: 1, ctr_tenths: 500, add_to_carts: 1, purchases: 0 });
    assert.equal(r.json.by_source.bought_together.impressions, 4);
    assert.equal(r.json.by_source.top_rated.clicks, 1);
    const saucer = r.json.products.find((p) => p.product === "r-saucer");
    assert.deepEqual([saucer.impressions, saucer.clicks, saucer.purchases], [3, 1, 1]);
    assert.equal(r.json.products[0].product, "r-saucer", "most shown first");
  });

  test("its period is checked", async () => {
    for (const query of ["from=someday", "from=2026-11-23&to=2026-11-01", "from=2020-01-01&to=2026-01-01"]) {
      const r = await admin("GET", `reports/recommendations?${query}`);
      assert.equal(r.status, 400, query);
    }
    const future = await admin("GET", "reports/recommendations?from=2030-01-01&to=2030-01-31");
    assert.equal(future.status, 200);
    assert.equal(future.json.totals.impressions, 0);
    assert.equal(future.json.totals.ctr_tenths, null);
    assert.equal((await admin("GET", "reports/recommendations", undefined, { key: null })).status, 401);
  });
});

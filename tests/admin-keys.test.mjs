// The merchant's API keys (/v1/admin/keys) over HTTP against the real worker: named keys shown
// once, listed without the key, revoked at once; and no key ever reaches another shop's data.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { Edge, TEST_SHOP, TEST_API_KEY, apiKeyHash } from "./support/harness.mjs";

let edge;
const OTHER_KEY = "mk_other_shop_key_for_tests";

before(async () => {
  edge = await Edge.start({ origins: ["https://shop.example"] });
  await edge.query(
    "INSERT INTO api_keys (key_hash, shop_id, name, created_at) VALUES (?1, 'other-shop', 'default', 0)",
    apiKeyHash(OTHER_KEY),
  );
});
after(async () => {
  await edge?.cleanup();
});

function admin(method, path, { key = TEST_API_KEY, body } = {}) {
  return fetch(`${edge.url}/v1/admin/${path}`, {
    method,
    headers: {
      ...(key === null ? {} : { Authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("merchant API keys", () => {
  test("a new key is shown once, works at once, and is listed without itself", async () => {
    const res = await admin("POST", "keys", { body: { name: "ci-deploy" } });
    assert.equal(res.status, 201);
    const created = await res.json();
    assert.equal(created.name, "ci-deploy");
    assert.match(created.key, /^mk_[0-9a-f]{48}$/);

    const viaNewKey = await admin("GET", "shop", { key: created.key });
    assert.equal(viaNewKey.status, 200);
    assert.equal((await viaNewKey.json()).id, TEST_SHOP);

    const listed = await (await admin("GET", "keys")).json();
    const names = listed.keys.map((k) => k.name);
    assert.deepEqual(names, ["ci-deploy", "tests"]);
    assert.ok(!JSON.stringify(listed).includes(created.key), "a listing never shows a key");
    const ci = listed.keys.find((k) => k.name === "ci-deploy");
    assert.equal(typeof ci.created_at, "number");
    assert.equal(typeof ci.last_used_at, "number", "use is recorded");
    const [row] = await edge.query("SELECT key_hash FROM api_keys WHERE name = 'ci-deploy'");
    assert.equal(row.key_hash, apiKeyHash(created.key), "stored only as its hash");
  });

  test("names are validated and unique among active keys", async () => {
    for (const body of [{}, { name: "" }, { name: "two words" }, { name: "x".repeat(65) }]) {
      const res = await admin("POST", "keys", { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.ok((await res.json()).error.fields.name);
    }
    assert.equal((await admin("POST", "keys", { body: { name: "dup" } })).status, 201);
    const again = await admin("POST", "keys", { body: { name: "dup" } });
    assert.equal(again.status, 422);
    assert.match((await again.json()).error.fields.name, /in use/);
  });

  test("a revoked key stops working at once; the name can be used again", async () => {
    const { key } = await (await admin("POST", "keys", { body: { name: "temp" } })).json();
    assert.equal((await admin("DELETE", "keys/temp")).status, 204);
    assert.equal((await admin("GET", "shop", { key })).status, 401);
    assert.equal((await admin("DELETE", "keys/temp")).status, 404);
    assert.equal((await admin("POST", "keys", { body: { name: "temp" } })).status, 201);
  });

  test("the last active key cannot be revoked", async () => {
    const res = await admin("DELETE", "keys/default", { key: OTHER_KEY });
    assert.equal(res.status, 422);
    assert.match((await res.json()).error.fields.name, /last active key/);
    assert.equal((await admin("GET", "shop", { key: OTHER_KEY })).status, 200);
  });

  test("without a valid key every admin route is 401 and reveals nothing", async () => {
    for (const key of [null, "", "wrong", `${TEST_API_KEY}x`, TEST_API_KEY.toUpperCase()]) {
      for (const [method, path] of [["GET", "keys"], ["POST", "keys"], ["DELETE", "keys/tests"], ["GET", "nothing-here"]]) {
        const res = await admin(method, path, { key, body: method === "POST" ? { name: "x" } : undefined });
        assert.equal(res.status, 401, `${method} ${path} with ${key}`);
        assert.equal((await res.json()).error.code, "unauthorized");
      }
    }
  });

  test("one shop's key never sees or changes another shop's keys", async () => {
    const listed = await (await admin("GET", "keys", { key: OTHER_KEY })).json();
    assert.deepEqual(listed.keys.map((k) => k.name), ["default"]);
    // The test shop's "tests" key is not the other shop's to revoke.
    assert.equal((await admin("DELETE", "keys/tests", { key: OTHER_KEY })).status, 404);
    assert.equal((await admin("GET", "shop")).status, 200, "the test shop's key still works");
  });

  test("wrong methods and unknown admin routes answer as documented", async () => {
    assert.equal((await admin("PUT", "keys", { body: {} })).status, 405);
    assert.equal((await admin("GET", "keys/tests")).status, 405);
    assert.equal((await admin("GET", "nothing-here")).status, 404);
    assert.equal((await admin("DELETE", "keys/bad%20name")).status, 400);
  });
});

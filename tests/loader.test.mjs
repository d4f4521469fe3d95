// The loader and the widget files as a shop page gets them: cache and CORS headers, and the
// loader's promise to fetch nothing more until a placeholder is near the viewport.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startShopInBrowser } from "./support/harness.mjs";

let stack, edge, site, browser;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
});

after(async () => {
  await stack?.stop();
});

/**
 * The files the loader names, one glue and one wasm per module (product, tracker, survey), and
 * the parts a glue names, fetched when a shopper reaches for them (the review form).
 */
async function assetNames() {
  const loader = await (await fetch(`${edge.url}/v1/memnun.js`)).text();
  const glue = [...loader.matchAll(/memnun-(?:product|tracker|survey)-[0-9a-f]{12}\.js/g)].map((m) => m[0]);
  const wasm = [...loader.matchAll(/memnun-(?:product|tracker|survey)-[0-9a-f]{12}\.wasm/g)].map((m) => m[0]);
  const parts = [];
  for (const name of glue) {
    const text = await (await fetch(`${edge.url}/v1/assets/${name}`)).text();
    parts.push(...[...text.matchAll(/memnun-[a-z]+-[a-z-]+-[0-9a-f]{12}\.wasm/g)].map((m) => m[0]));
  }
  return { glue, wasm, parts };
}

/** A widget file's answer to any page: 200, of `type`, cached as `cacheControl`, readable and
 * not sniffed. */
function assertPublicFile(res, name, type, cacheControl) {
  assert.equal(res.status, 200, name);
  assert.match(res.headers.get("content-type"), type);
  assert.equal(res.headers.get("cache-control"), cacheControl);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
}

describe("widget files", () => {
  test("the loader is cached briefly and names content-hashed files", async () => {
    const res = await fetch(`${edge.url}/v1/memnun.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /javascript/);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.equal(res.headers.get("cache-control"), "public, max-age=300");
    const { glue, wasm } = await assetNames();
    assert.equal(glue.length, 3, "the loader names a glue per module: product, tracker, survey");
    assert.equal(wasm.length, 3, "and a wasm per module");
    const head = await fetch(`${edge.url}/v1/memnun.js`, { method: "HEAD" });
    assert.equal(head.status, 200);
  });

  test("hashed files are immutable for a year, with the right types, readable by any page", async () => {
    const { glue, wasm, parts } = await assetNames();
    assert.ok(parts.some((p) => p.startsWith("memnun-product-review-form-")), `the product glue names the form's part: ${parts}`);
    const files = [...glue.map((g) => [g, /javascript/]), ...[...wasm, ...parts].map((w) => [w, /^application\/wasm/])];
    for (const [name, type] of files) {
      assertPublicFile(await fetch(`${edge.url}/v1/assets/${name}`), name, type, "public, max-age=31536000, immutable");
    }
  });

  test("the survey's and the tracker's module by stable names: this release's, cached for minutes, named in a header", async () => {
    const { glue, wasm } = await assetNames();
    for (const [kind, module] of [["survey", "survey"], ["order-tracker", "tracker"]]) {
      const ownWasm = wasm.find((w) => w.startsWith(`memnun-${module}-`));
      for (const [file, hashed, type] of [[`${kind}.js`, glue.find((g) => g.startsWith(`memnun-${module}-`)), /javascript/], [`${kind}.wasm`, ownWasm, /^application\/wasm/]]) {
        const res = await fetch(`${edge.url}/v1/modules/${file}`);
        // Fresh for minutes, then taken at once while asked again: no round trip on a later visit.
        assertPublicFile(res, file, type, "public, max-age=300, stale-while-revalidate=604800");
        // What the loader compares with what it names, so a page's script may read it.
        assert.equal(res.headers.get("memnun-file"), hashed);
        assert.equal(res.headers.get("access-control-expose-headers"), "Memnun-File");
        const body = Buffer.from(await res.arrayBuffer());
        const same = Buffer.from(await (await fetch(`${edge.url}/v1/assets/${hashed}`)).arrayBuffer());
        assert.ok(body.equals(same), `${file}: the hashed file's bytes`);
        // The glue says which wasm it goes with.
        if (file.endsWith(".js")) assert.ok(body.toString().includes(ownWasm), `${file} names ${ownWasm}`);
        // A browser's copy is revalidated for a 304, which names the file too.
        const again = await fetch(`${edge.url}/v1/modules/${file}`, { headers: { "If-None-Match": res.headers.get("etag") } });
        assert.equal(again.status, 304, file);
        assert.equal(again.headers.get("memnun-file"), hashed);
        const head = await fetch(`${edge.url}/v1/modules/${file}`, { method: "HEAD" });
        assert.equal(head.status, 200, file);
        assert.equal(head.headers.get("memnun-file"), hashed);
      }
    }
    // Only the pages whose content is a widget have them: a product page's module is hashed only.
    for (const name of ["product.wasm", "product.js", "reviews.wasm", "survey", "modules.json"]) {
      const res = await fetch(`${edge.url}/v1/modules/${name}`);
      assert.equal(res.status, 404, name);
      assert.equal((await res.json()).error.code, "not_found");
    }
  });

  test("an unknown file is a JSON 404", async () => {
    for (const path of ["/v1/assets/memnun-0000000000000000.wasm", "/v1/assets/..%2F..%2Fwrangler.toml", "/v1/modules.json"]) {
      const res = await fetch(edge.url + path);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error.code, "not_found");
    }
  });
});

describe("loader in the browser", () => {
  test("fetches no wasm until the placeholder nears the viewport, reserving its space", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const fetched = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${site.url}/below-fold.html`);
    await page.waitForLoadState("networkidle");
    assert.ok(fetched.includes("/v1/memnun.js"));
    assert.ok(!fetched.some((p) => p.startsWith("/v1/assets/")), `fetched before scrolling: ${fetched}`);
    assert.ok(!fetched.some((p) => p.includes("/reviews")), "no API call before scrolling");
    const reserved = await page.evaluate(() => getComputedStyle(document.getElementById("below")).minHeight);
    assert.notEqual(reserved, "0px", "space is reserved before mount");

    await page.locator("#below").scrollIntoViewIfNeeded();
    await page.locator("#below .summary").waitFor();
    assert.ok(fetched.some((p) => p.endsWith(".wasm")));
    assert.ok(!fetched.some((p) => p.includes("memnun-tracker-") || p.startsWith("/v1/modules/")), "a product page never fetches the order tracker");
    await page.close();
  });

  test("placeholders added after load are found and mounted", async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/products/linen-shirt-02.html`);
    await page.locator('[data-memnun="reviews"] .summary').waitFor();
    // A single-page shop renders a new product view.
    await page.evaluate(() => {
      const el = document.createElement("div");
      el.id = "later";
      el.dataset.memnun = "reviews";
      el.dataset.product = "kahve-fincani-01";
      el.dataset.locale = "tr";
      document.querySelector("main").prepend(el);
    });
    await page.locator("#later .summary").waitFor();
    await page.locator("#later").getByText("değerlendirme").first().waitFor();
    await page.close();
  });

  test("mounts only placeholders: not the widget's own JSON-LD, nor unknown kinds or elements; says so once", async () => {
    const page = await browser.newPage();
    const said = [];
    page.on("console", (m) => said.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => said.push(`pageerror: ${e.message}`));
    await page.goto(`${site.url}/jsonld-displayed.html`);
    await page.locator('div[data-memnun="reviews"] .summary').waitFor();
    await page.waitForFunction(() => document.querySelector('script[data-memnun="jsonld"]'));
    // The displayed script is now in view: once an observer of our own has seen it (the
    // loader's sees it in the same frame) and the loaded module had a turn, a mount would be done.
    await page.evaluate(
      () =>
        new Promise((resolve) => {
          const seen = new IntersectionObserver(() => {
            seen.disconnect();
            setTimeout(resolve, 50);
          });
          seen.observe(document.querySelector('script[data-memnun="jsonld"]'));
        }),
    );
    const hosts = await page.evaluate(() =>
      [...document.querySelectorAll("[data-memnun]")].map((e) => `${e.tagName} ${e.dataset.memnun} ${e.shadowRoot ? "mounted" : "left"}`),
    );
    assert.deepEqual(hosts.sort(), ["DIV constructor left", "DIV review-list left", "DIV reviews mounted", "IMG reviews left", "SCRIPT jsonld left"]);
    assert.ok(!said.some((m) => /attachShadow|NotSupportedError|pageerror/.test(m)), said.join("\n"));
    const warnings = said.filter((m) => m.startsWith("warning: memnun: skipped"));
    assert.equal(warnings.length, 1, said.join("\n"));
    await page.close();
  });
});

// Google Shopping's product-ratings feed (`GET /v1/shops/{shop}/feeds/google-product-reviews.xml`)
// from the real worker under workerd with a fresh local D1. Every feed fetched here is validated
// against the rules of Google's schema 2.4 as its documentation writes them
// (tests/fixtures/google-product-reviews-2.4.xsd, by xmlschema, which `cargo xtask test` installs)
// and read back by tests/support/review_feed_check.py.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Edge, ROOT, TEST_SHOP, adminCall, importReviews, postReview, review } from "./support/harness.mjs";

const PYTHON = process.env.MEMNUN_PYTHON ?? path.join(ROOT, "target/tools/python-schemathesis-4.32.5-xmlschema-4.3.2/bin/python");
const SCHEMA = path.join(ROOT, "tests/fixtures/google-product-reviews-2.4.xsd");
const CHECK = path.join(ROOT, "tests/support/review_feed_check.py");
const ORIGIN = "https://feed.example";
// Breaks out of an element, adds one, and carries what XML 1.0 cannot: none of it may reach the
// document as markup.
const HOSTILE = `</content><is_spam>true</is_spam>]]> & "tırnak" 'tek' \uFFFE <![CDATA[x]]> 😀`;

const AUTHOR = `A</name><x>&"\uFFFE`;

let edge;
let dir;
before(async () => {
  assert.ok(existsSync(PYTHON), `xmlschema's Python is not at ${PYTHON}: run \`cargo xtask test\`, which installs it`);
  dir = mkdtempSync(path.join(os.tmpdir(), "memnun-feed-"));
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function fetchFeed(shop = TEST_SHOP) {
  const res = await fetch(`${edge.url}/v1/shops/${shop}/feeds/google-product-reviews.xml`);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The feed validated against the schema's rules, then read back. */
async function checked(xml) {
  const file = path.join(dir, `feed-${Date.now()}-${Math.random()}.xml`);
  writeFileSync(file, xml);
  try {
    const { stdout } = await promisify(execFile)(PYTHON, [CHECK, SCHEMA, file], { maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout);
  } catch (e) {
    assert.fail(`the feed breaks the schema's rules: ${e.stderr || e.message}`);
  }
}

/** Whether the schema's rules take `xml` (the check itself must be able to say no). */
async function valid(xml) {
  const file = path.join(dir, `feed-${Date.now()}-${Math.random()}.xml`);
  writeFileSync(file, xml);
  return promisify(execFile)(PYTHON, [CHECK, SCHEMA, file]).then(() => true, () => false);
}

const importCsv = (csv) => importReviews(edge, csv);

test("published reviews with their products' identifiers, valid for Google", async () => {
  assert.equal((await adminCall(edge, "PUT", "shop", { body: { product_page: "https://feed.example/urun/{product}" } })).status, 200);
  const catalog = await adminCall(edge, "PUT", "catalog", {
    body: {
      items: [{
        id: "fincan", name: { tr: "Kahve fincanı", en: "Coffee cup" }, price_minor: 45000, currency: "TRY",
        url: "https://feed.example/p/fincan?renk=mavi&boy=2",
        gtins: ["8690000000012"], mpns: ["FN-12"], skus: ["FNC-MAVI", "FNC-KIRMIZI"], brand: "Kütahya & Oğulları",
      }],
    },
  });
  assert.equal(catalog.status, 200, catalog.text);
  assert.deepEqual(catalog.json.refused, []);

  const post = async (sent) => {
    const r = await postReview(edge, review(sent), { origin: ORIGIN });
    assert.equal(r.status, 201, r.text);
    return r.json.review.id;
  };
  const hostile = await post({ product: "fincan", title: HOSTILE, body: `${HOSTILE} gövde`, author: AUTHOR, rating: 2, locale: "en" });
  const elsewhere = await post({ product: "tabak", title: "", body: "Tabaklar sağlam geldi.", rating: 5 });
  const rejected = await post({ product: "fincan", body: "Reddedilecek yorum." });
  assert.equal((await adminCall(edge, "POST", `reviews/${rejected}/reject`, { body: { reason: "test" } })).status, 200);

  const res = await fetchFeed();
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get("content-type"), /^application\/xml; charset=utf-8/);
  assert.match(res.headers.get("cache-control"), /^public, max-age=\d+/);
  const feed = await checked(res.text);
  assert.equal(feed.version, "2.4");
  assert.equal(feed.publisher, "Test", "the shop's name");
  assert.deepEqual(feed.reviews.map((r) => r.id), [elsewhere, hostile], "published ones, newest first");

  const [tabak, fincan] = feed.reviews;
  const expectedHostile = HOSTILE.replace("\uFFFE", "");
  assert.equal(fincan.content, `${expectedHostile} gövde`, "the text comes back as text, less what XML cannot carry");
  assert.equal(fincan.title, expectedHostile);
  assert.equal(fincan.author, AUTHOR.replace("\uFFFE", ""));
  assert.ok(!fincan.children.includes("is_spam"), "no element from the text");
  assert.equal(fincan.rating, "2");
  assert.deepEqual(fincan.rating_range, ["1", "5"]);
  assert.equal(fincan.language, "en");
  assert.equal(fincan.product_name, "Coffee cup", "named in the review's language");
  assert.equal(fincan.product_url, "https://feed.example/p/fincan?renk=mavi&boy=2");
  assert.equal(fincan.review_url, fincan.product_url);
  assert.equal(fincan.review_url_type, "group", "the product page shows every review");
  assert.deepEqual(fincan.gtins, ["8690000000012"]);
  assert.deepEqual(fincan.mpns, ["FN-12"]);
  assert.deepEqual(fincan.skus, ["FNC-MAVI", "FNC-KIRMIZI"]);
  assert.deepEqual(fincan.brands, ["Kütahya & Oğulları"]);
  assert.equal(fincan.verified, "false");
  assert.equal(fincan.collection, "unsolicited");
  assert.match(fincan.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  // What Google's rules refuse, the check refuses: elements out of order, an empty container,
  // one review twice.
  const swapped = res.text.replace(
    "<is_verified_purchase>false</is_verified_purchase><collection_method>unsolicited</collection_method>",
    "<collection_method>unsolicited</collection_method><is_verified_purchase>false</is_verified_purchase>");
  assert.notEqual(swapped, res.text);
  assert.equal(await valid(swapped), false, "elements out of order");
  assert.equal(await valid(res.text.replace("<gtin>8690000000012</gtin>", "")), false, "an empty <gtins>");
  assert.equal(await valid(res.text.replaceAll(elsewhere, hostile)), false, "a review id twice");

  assert.equal(tabak.product_url, "https://feed.example/urun/tabak", "not in the catalog: the shop's product page");
  assert.equal(tabak.title, null, "an empty title is left out");
  assert.equal(tabak.product_name, null);
  assert.deepEqual([tabak.gtins, tabak.skus], [[], []]);
});

test("a review whose product has no page is left out; a feed without reviews is still valid", async () => {
  // other-shop has no product page and an empty catalog.
  await edge.allowOrigin("other-shop", "https://other.example");
  const posted = await postReview(edge, review({ product: "kase" }), { origin: "https://other.example", shop: "other-shop" });
  assert.equal(posted.status, 201, posted.text);
  const res = await fetchFeed("other-shop");
  assert.equal(res.status, 200);
  const feed = await checked(res.text);
  assert.equal(feed.publisher, "Other");
  assert.equal(feed.has_reviews_element, false, "no empty <reviews>, which the schema refuses");

  const missing = await fetchFeed("no-such-shop");
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.text).error.code, "not_found");
});

test("a shop with 10^4 reviews gets them all, streamed, each once, newest first", { timeout: 300_000 }, async () => {
  const before = (await checked((await fetchFeed()).text)).reviews.length;
  // Ten imports of 1,000 rows: a thousand reviews share each second, so pages end inside runs of
  // equal times and only the (time, id) order keeps every review once.
  for (let file = 0; file < 10; file += 1) {
    const rows = ["product,rating,body,author,created_at"];
    const at = new Date(Date.UTC(2025, 0, 1 + file, 12)).toISOString();
    for (let i = 0; i < 1000; i += 1) {
      rows.push(`urun-${i % 40},${1 + (i % 5)},"Yorum ${file}-${i}: güzel, ""tam"" beklediğim gibi.",Alıcı ${i},${at}`);
    }
    const report = await importCsv(rows.join("\n"));
    assert.equal(report.imported, 1000, JSON.stringify(report.refused.slice(0, 3)));
  }
  const res = await fetchFeed();
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), null, "streamed, not sent as one body");
  const feed = await checked(res.text);
  assert.equal(feed.reviews.length, before + 10_000);
  assert.equal(new Set(feed.reviews.map((r) => r.id)).size, feed.reviews.length, "each review once");
  const times = feed.reviews.map((r) => Date.parse(r.timestamp));
  assert.ok(times.every((t, i) => i === 0 || times[i - 1] >= t), "newest first");
  const imported = feed.reviews.filter((r) => r.content.startsWith("Yorum "));
  assert.equal(imported.length, 10_000);
  assert.ok(imported.every((r) => r.collection === null), "an import does not say how it was collected");
  assert.equal(imported.find((r) => r.content.startsWith("Yorum 3-17:")).content, 'Yorum 3-17: güzel, "tam" beklediğim gibi.');
});

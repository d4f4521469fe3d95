// The snippets a shop's server puts in its product pages, against the real worker under workerd
// with a fresh local D1: schema.org JSON-LD for search engines (…/reviews.jsonld) and a one-line
// rating summary in HTML (…/reviews.html). Both end up inside the shop's HTML, so whatever
// shoppers or callers wrote must not be able to break out of them.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { Edge, TEST_SHOP, postReview, getReviews, review } from "./support/harness.mjs";

const ORIGIN = "https://shop.example";
const XSS = "</script><script>alert(1)</script>";
let edge;

before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

async function posted(sent) {
  const r = await postReview(edge, review(sent), { origin: ORIGIN });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** GETs a snippet: `kind` is "jsonld" or "html"; `query` an object of parameters or a raw
 * query string. */
async function snippet(product, kind, query = {}, { shop = TEST_SHOP, method = "GET" } = {}) {
  const qs = typeof query === "string" ? query : new URLSearchParams(query).toString();
  const res = await fetch(`${edge.url}/v1/shops/${shop}/products/${product}/reviews.${kind}${qs ? `?${qs}` : ""}`, { method });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

/** The content of the one `<script type="application/ld+json">` in an HTML snippet. */
function scriptOf(html) {
  const open = '<script type="application/ld+json">';
  const start = html.indexOf(open);
  assert.ok(start >= 0, `no JSON-LD script in ${html}`);
  const end = html.indexOf("</script>", start);
  assert.ok(end > start, "the script is closed");
  assert.equal(html.indexOf(open, start + 1), -1, "one script only");
  return { content: html.slice(start + open.length, end), outside: html.slice(0, start) + html.slice(end + "</script>".length) };
}

function assertPublicSnippet(res) {
  assert.equal(res.headers.get("cache-control"), "public, max-age=300");
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
}

describe("JSON-LD for search engines", () => {
  test("a reviewed product answers a schema.org Product whose rating is the API's summary", async () => {
    const a = await posted({ product: "seo-kazak", rating: 5, title: "Çok güzel", body: "Kumaşı yumuşak, rengi canlı." });
    const b = await posted({ product: "seo-kazak", rating: 4, title: " ", body: "İyi ama biraz dar.", author: "Can Ö." });
    const res = await snippet("seo-kazak", "jsonld", { name: "Yün Kazak", url: "https://shop.example/kazak" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("content-type"), "application/ld+json; charset=utf-8");
    assertPublicSnippet(res);
    const { summary } = (await getReviews(edge, "seo-kazak")).json;
    assert.deepEqual(summary, { count: 2, average: 4.5, histogram: [0, 0, 0, 1, 1] });
    assert.deepEqual(res.json, {
      "@context": "https://schema.org",
      "@type": "Product",
      name: "Yün Kazak",
      url: "https://shop.example/kazak",
      aggregateRating: {
        "@type": "AggregateRating",
        ratingValue: summary.average,
        bestRating: 5,
        worstRating: 1,
        ratingCount: summary.count,
        reviewCount: summary.count,
      },
      review: [
        {
          "@type": "Review",
          reviewRating: { "@type": "Rating", ratingValue: 4, bestRating: 5, worstRating: 1 },
          author: { "@type": "Person", name: "Can Ö." },
          datePublished: new Date(b.review.created_at).toISOString().slice(0, 10),
          reviewBody: "İyi ama biraz dar.",
        },
        {
          "@type": "Review",
          reviewRating: { "@type": "Rating", ratingValue: 5, bestRating: 5, worstRating: 1 },
          author: { "@type": "Person", name: "Ayşe" },
          datePublished: new Date(a.review.created_at).toISOString().slice(0, 10),
          name: "Çok güzel",
          reviewBody: "Kumaşı yumuşak, rengi canlı.",
        },
      ],
    });
    assert.ok(!res.text.includes("ayse@example.com"), "no email");
    const noUrl = await snippet("seo-kazak", "jsonld", { name: "Yün Kazak" });
    assert.equal(noUrl.status, 200);
    assert.equal(noUrl.json.url, undefined);
  });

  test("at most the 10 newest published reviews are embedded, and the count is all of them", async () => {
    for (let i = 0; i < 12; i++) await posted({ product: "seo-many", rating: 1 + (i % 5), body: `Yorum numarası ${i}` });
    await posted({ product: "seo-many", rating: 1, body: "Bu bir casino reklamı, bekletilir." });
    const res = await snippet("seo-many", "jsonld", { name: "Çok yorumlu ürün" });
    assert.equal(res.status, 200, res.text);
    const page = (await getReviews(edge, "seo-many", "?limit=10")).json;
    assert.equal(page.summary.count, 12, "the held review does not count");
    assert.equal(res.json.aggregateRating.reviewCount, 12);
    assert.equal(res.json.aggregateRating.ratingValue, page.summary.average);
    assert.deepEqual(res.json.review.map((r) => r.reviewBody), page.reviews.map((r) => r.body));
    assert.ok(!res.text.includes("casino"), "held reviews are not shown to search engines");
  });

  test("a product without a published review answers 204 with no body", async () => {
    await posted({ product: "seo-held", rating: 5, body: "Bitcoin ile ödeme yapın, bekletilir." });
    for (const product of ["seo-never", "seo-held"]) {
      const res = await snippet(product, "jsonld", { name: "Kazak" });
      assert.equal(res.status, 204, product);
      assert.equal(res.text, "");
      assertPublicSnippet(res);
    }
  });

  test("review text cannot close the script element it is embedded in, and parses back unchanged", async () => {
    const body = `${XSS} <!-- a & b > c \u2028\u2029 "quoted" \\ back`;
    await posted({ product: "seo-xss", rating: 1, title: "<b>Başlık</b>", body, author: "</SCRIPT>" });
    const res = await snippet("seo-xss", "jsonld", { name: "<Kazak> & </script>", url: "https://shop.example/k?a=1&b=<x>" });
    assert.equal(res.status, 200, res.text);
    for (const c of ["<", ">", "&", "\u2028", "\u2029"]) assert.ok(!res.text.includes(c), `${JSON.stringify(c)} in ${res.text}`);
    assert.ok(res.text.includes("\\u003c/script\\u003e"));
    const [r] = res.json.review;
    assert.equal(r.reviewBody, body);
    assert.equal(r.name, "<b>Başlık</b>");
    assert.equal(r.author.name, "</SCRIPT>");
    assert.equal(res.json.name, "<Kazak> & </script>");
    assert.equal(res.json.url, "https://shop.example/k?a=1&b=<x>");
  });

  test("a name is required, and hostile names and urls are 400", async () => {
    const bad = [
      {},
      { name: "" },
      { name: "a".repeat(201) },
      { name: "Kazak\u0000" },
      { name: "Kazak\u0007" },
      { name: "Yün\nKazak" },
      { name: "Yün\rKazak" },
      { name: "\u001b[31mKazak" },
      { name: "Kazak", url: "javascript:alert(1)" },
      { name: "Kazak", url: "JavaScript:alert(1)" },
      { name: "Kazak", url: " javascript:alert(1)" },
      { name: "Kazak", url: "data:text/html,<script>alert(1)</script>" },
      { name: "Kazak", url: "//evil.example/kazak" },
      { name: "Kazak", url: "/kazak" },
      { name: "Kazak", url: "https://shop.example/ka zak" },
      { name: "Kazak", url: "https://shop.example/\nkazak" },
      { name: "Kazak", url: "https://shop.example/\u0000" },
      { name: "Kazak", url: `https://shop.example/${"k".repeat(2000)}` },
      { name: "Kazak", url: "" },
    ];
    for (const query of bad) {
      for (const kind of ["jsonld", "html"]) {
        if (kind === "html" && !("name" in query)) continue; // the HTML summary needs no name
        const res = await snippet("seo-kazak", kind, query);
        assert.equal(res.status, 400, `${kind} ${JSON.stringify(query)}: ${res.text}`);
        assert.equal(res.json?.error?.code, "invalid_parameter", JSON.stringify(query));
        assert.match(res.headers.get("content-type"), /^application\/json/);
        assert.equal(res.headers.get("access-control-allow-origin"), "*", "a page can read the error");
        assert.ok(!res.text.includes("alert(1)") && !res.text.includes("<"), "the error does not echo the input");
      }
    }
    // 200 characters, composed from decomposed letters, are a name.
    const longest = await snippet("seo-kazak", "jsonld", { name: `${"s\u0327".repeat(100)}${"a".repeat(100)}` });
    assert.equal(longest.status, 200, longest.text);
    assert.equal(longest.json.name, `${"ş".repeat(100)}${"a".repeat(100)}`);
  });
});

describe("the HTML summary", () => {
  test("shows numbers only, in Turkish or English", async () => {
    const tr = await snippet("seo-kazak", "html", { locale: "tr" });
    assert.equal(tr.status, 200, tr.text);
    assert.equal(tr.headers.get("content-type"), "text/html; charset=utf-8");
    assertPublicSnippet(tr);
    assert.match(tr.text, /4,5 \/ 5 · 2 değerlendirme/);
    assert.match(tr.text, /^<div class="memnun-rating-summary" data-rating="4\.5" data-count="2">/);
    assert.ok(!tr.text.includes("<script"), "no JSON-LD without a name");
    assert.ok(!tr.text.includes("Kumaşı") && !tr.text.includes("Ayşe"), "no review text");

    const en = await snippet("seo-kazak", "html", { locale: "en" });
    assert.match(en.text, /4\.5 \/ 5 · 2 reviews/);
    const fallback = await snippet("seo-kazak", "html");
    assert.equal(fallback.text, en.text, "English when no locale is asked for");

    const none = await snippet("seo-never", "html", { locale: "tr", name: "Kazak" });
    assert.equal(none.status, 200);
    assert.equal(none.text, '<div class="memnun-rating-summary" data-rating="0" data-count="0">Henüz değerlendirme yok</div>');
    const held = await snippet("seo-held", "html", { locale: "en", name: "Kazak" });
    assert.equal(held.text, '<div class="memnun-rating-summary" data-rating="0" data-count="0">No reviews yet</div>');
  });

  test("with a name it carries the JSON-LD, which cannot end its script early", async () => {
    const res = await snippet("seo-xss", "html", { locale: "tr", name: "Kazak </script><script>alert(2)</script>" });
    assert.equal(res.status, 200, res.text);
    const { content, outside } = scriptOf(res.text);
    assert.ok(!/<\/script/i.test(content), content);
    assert.ok(!content.includes("<"), content);
    const parsed = JSON.parse(content);
    assert.equal(parsed.review[0].reviewBody.startsWith(XSS), true);
    assert.equal(parsed.name, "Kazak </script><script>alert(2)</script>");
    assert.match(outside, /1,0 \/ 5 · 1 değerlendirme/);
    assert.ok(!outside.includes("alert"), "nothing a shopper wrote outside the script");
    assert.equal((res.text.match(/<script/gi) ?? []).length, 1);

    const jsonld = await snippet("seo-xss", "jsonld", { name: "Kazak </script><script>alert(2)</script>" });
    assert.deepEqual(parsed, jsonld.json, "the same JSON-LD as reviews.jsonld");
  });

  test("a locale other than tr or en is 400", async () => {
    for (const locale of ["de", "TR", "", "tr<script>"]) {
      const res = await snippet("seo-kazak", "html", { locale });
      assert.equal(res.status, 400, locale);
      assert.equal(res.json.error.code, "invalid_parameter");
    }
  });
});

describe("ids and routes", () => {
  test("path traversal and malformed ids are 400 or 404 JSON, never another resource", async () => {
    const cases = [
      ["test-shop", "..%2F..%2Fadmin", 400],
      ["test-shop", "..%2Fseo-kazak", 400],
      ["test-shop", "seo-kazak%00", 400],
      ["test-shop", "%3Cscript%3E", 400],
      ["test-shop", "a".repeat(65), 400],
      ["..%2Ftest-shop", "seo-kazak", 400],
      ["test-shop%2F..%2Fother-shop", "seo-kazak", 400],
      ["no-such-shop", "seo-kazak", 404],
      // Dot segments the URL itself resolves: the path no longer names a snippet.
      ["test-shop", "%2E%2E", 404],
      ["test-shop", "..", 404],
    ];
    for (const [shop, product, status] of cases) {
      for (const kind of ["jsonld", "html"]) {
        const res = await snippet(product, kind, { name: "Kazak" }, { shop });
        assert.equal(res.status, status, `${shop}/${product} ${kind}: ${res.text}`);
        assert.equal(res.json?.error?.code, status === 400 ? "invalid_parameter" : "not_found", `${shop}/${product}`);
        assert.match(res.headers.get("content-type"), /^application\/json/);
      }
    }
  });

  test("other methods and resources answer as documented", async () => {
    const post = await snippet("seo-kazak", "jsonld", { name: "Kazak" }, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.json.error.code, "method_not_allowed");
    assert.match(post.headers.get("allow"), /GET/);
    const head = await snippet("seo-kazak", "jsonld", { name: "Kazak" }, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.text, "");
    const other = await snippet("seo-kazak", "xml", { name: "Kazak" });
    assert.equal(other.status, 404);
    assert.equal(other.json.error.code, "not_found");
  });
});

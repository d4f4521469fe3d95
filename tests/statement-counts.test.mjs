// How many D1 statements each kind of request costs, held to the figures in
// `tests/statement-counts.json`. One shop goes through a day of its life over the real API (every
// public and merchant route, in the order a shop meets them), and each answer's
// `X-Memnun-D1-Statements` (counted by the test environment) is compared with the recorded figure:
// a request that needs more statements than recorded fails the test; one that needs fewer is
// reported, and `MEMNUN_RECORD_STATEMENTS=1` writes the new, lower figures. Reworking the edge
// (issue 17) must keep every figure equal or lower.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { Edge, TEST_SHOP, adminCall, newClient, postFeedback, postReview, review } from "./support/harness.mjs";

const ORIGIN = "https://counts.example";
const RECORD = new URL("./statement-counts.json", import.meta.url);
const EMAIL = "sayim@example.com";
const BROWSER = randomUUID();

let edge;
before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
});
after(async () => {
  await edge?.cleanup();
});

const counted = (r) => {
  const n = r.headers.get("x-memnun-d1-statements");
  assert.ok(n !== null, "the test environment counts statements");
  return Number(n);
};

async function shopCall(method, path, body, type = "application/json") {
  const res = await fetch(`${edge.url}/v1/shops/${TEST_SHOP}/${path}`, {
    method,
    headers: {
      "CF-Connecting-IP": newClient(),
      Origin: ORIGIN,
      ...(body === undefined ? {} : { "Content-Type": type, "Idempotency-Key": randomUUID() }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get("content-type")?.includes("json") ? JSON.parse(text || "null") : null;
  return { status: res.status, headers: res.headers, text, json };
}

async function csvImport(csv) {
  const res = await fetch(`${edge.url}/v1/admin/reviews/import`, {
    method: "POST",
    headers: { Authorization: "Bearer mk_test_key_for_tests_only", "Content-Type": "text/csv; charset=utf-8" },
    body: csv,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

test("every kind of request costs no more D1 statements than recorded", async (t) => {
  const seen = {};
  const step = (name, r, status) => {
    assert.equal(r.status, status, `${name}: ${r.text?.slice(0, 300)}`);
    assert.ok(!(name in seen), `${name} twice`);
    seen[name] = counted(r);
    return r;
  };
  const admin = (method, path, body) => adminCall(edge, method, path, { body });

  step("GET /v1/health", await fetch(`${edge.url}/v1/health`).then(async (r) => ({ status: r.status, headers: r.headers, text: await r.text() })), 200);
  step("PUT /v1/admin/shop", await admin("PUT", "shop", { allowed_origins: [ORIGIN] }), 200);
  step("GET /v1/admin/shop", await admin("GET", "shop"), 200);
  step("PUT /v1/admin/catalog", await admin("PUT", "catalog", {
    mode: "replace",
    items: ["fincan", "tabak", "kase"].map((id) => ({ id, name: `${id} adı`, url: `https://counts.example/p/${id}`, category: "mutfak" })),
  }), 200);
  step("GET /v1/admin/catalog", await admin("GET", "catalog"), 200);
  step("PUT /v1/admin/outreach", await admin("PUT", "outreach", {
    sending: true, provider: "resend", api_key: "re_counts", sender: "Sayım <sayim@counts.example>",
  }), 200);
  step("GET /v1/admin/outreach", await admin("GET", "outreach"), 200);
  step("PUT /v1/admin/orders/{order}", await admin("PUT", "orders/C-1", {
    number: "C-1001", email: EMAIL, placed_at: "2026-11-01T10:00:00Z",
    items: [{ product: "fincan", quantity: 1 }, { product: "tabak", quantity: 2 }], shipments: [{ id: "s1", carrier: "Kargo" }],
  }), 200);
  step("POST /v1/admin/orders/{order}/events", await admin("POST", "orders/C-1/events", {
    events: [{ shipment: "s1", status: "shipped", time: Date.now() - 120_000 }, { shipment: "s1", status: "delivered", time: Date.now() - 60_000 }],
  }), 200);
  step("GET /v1/admin/orders/{order}", await admin("GET", "orders/C-1"), 200);
  step("GET /v1/admin/orders", await admin("GET", "orders"), 200);
  step("GET /v1/admin/shipments/attention", await admin("GET", "shipments/attention?days=1"), 200);
  const links = step("POST /v1/admin/orders/{order}/links", await admin("POST", "orders/C-1/links"), 201).json;
  step("POST /v1/admin/tokens", await admin("POST", "tokens", { purpose: "track", order: "C-1" }), 201);
  const firstSecret = step("POST /v1/admin/secrets", await admin("POST", "secrets"), 201).json.kid;
  assert.equal((await admin("POST", "secrets")).status, 201);
  step("GET /v1/admin/secrets", await admin("GET", "secrets"), 200);
  step("PUT /v1/admin/webhook", await admin("PUT", "webhook", { url: "http://127.0.0.1:9/hook" }), 200);
  step("GET /v1/admin/webhook", await admin("GET", "webhook"), 200);
  step("PUT /v1/admin/survey", await admin("PUT", "survey", { topics: { renk: ["renk"] } }), 200);
  step("GET /v1/admin/survey", await admin("GET", "survey"), 200);

  // The shopper's side.
  step("POST /v1/shops/{shop}/orders/track", await shopCall("POST", "orders/track", { token: links.tracker.token }), 200);
  step("POST /v1/shops/{shop}/orders/lookup", await shopCall("POST", "orders/lookup", { number: "C-1001", email: EMAIL }), 200);
  const created = step("POST /v1/shops/{shop}/reviews", await postReview(edge, review({ product: "fincan", email: EMAIL }), { origin: ORIGIN }), 201);
  const reviewId = created.json.review.id;
  step("POST /v1/shops/{shop}/reviews (verified purchase)", await postReview(edge, review({ product: "tabak", token: links.reviews.find((l) => l.product === "tabak").token, email: EMAIL }), { origin: ORIGIN }), 201);
  step("POST /v1/shops/{shop}/reviews/{review}/votes", await postFeedback(edge, reviewId, "votes", { voter: BROWSER }, { origin: ORIGIN }), 200);
  step("POST /v1/shops/{shop}/reviews/{review}/reports", await postFeedback(edge, reviewId, "reports", { reporter: BROWSER, reason: "spam" }, { origin: ORIGIN }), 202);
  step("GET /v1/shops/{shop}/products/{product}/reviews", await shopCall("GET", "products/fincan/reviews"), 200);
  step("GET /v1/shops/{shop}/products/{product}/reviews.jsonld", await shopCall("GET", "products/fincan/reviews.jsonld?name=Fincan&url=https://counts.example/p/fincan"), 200);
  step("GET /v1/shops/{shop}/products/{product}/reviews.html", await shopCall("GET", "products/fincan/reviews.html?name=Fincan&url=https://counts.example/p/fincan"), 200);
  // A review with a photo, the merchant's look at it and approval, and the photo served.
  const photoKey = randomUUID();
  step("POST /v1/shops/{shop}/reviews (with photos)", await postReview(edge, review({ product: "kase", photo_key: photoKey }), { origin: ORIGIN }), 201);
  const jpeg = (w, h) => Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, h >> 8, h & 255, w >> 8, w & 255, 1, 1, 0x11, 0, 0xff, 0xd9]).toString("base64");
  const photo = step("POST /v1/shops/{shop}/photos", await shopCall("POST", "photos", { photo_key: photoKey, position: 0, image: jpeg(800, 600), thumbnail: jpeg(400, 300) }), 201).json;
  step("GET /v1/admin/reviews?photo_status=pending", await admin("GET", "reviews?photo_status=pending"), 200);
  step("GET /v1/admin/photos/{photo}/thumbnail", await admin("GET", `photos/${photo.id}/thumbnail`), 200);
  step("POST /v1/admin/photos/{photo}/approve", await admin("POST", `photos/${photo.id}/approve`), 200);
  step("GET /v1/shops/{shop}/photos/{photo}/thumbnail", await shopCall("GET", `photos/${photo.id}/thumbnail`), 200);
  // A question, its answer (with the email planned for its author), the list and a vote.
  const asked = step("POST /v1/shops/{shop}/questions", await shopCall("POST", "questions", { product: "fincan", body: "Kulpu sıcak olur mu?", author: "Sayım", email: EMAIL, fill_ms: 9000 }), 201).json;
  step("GET /v1/admin/questions", await admin("GET", "questions?status=pending"), 200);
  step("PUT /v1/admin/questions/{question}/answer", await admin("PUT", `questions/${asked.id}/answer`, { body: "Hayır." }), 200);
  step("GET /v1/shops/{shop}/products/{product}/questions", await shopCall("GET", "products/fincan/questions?q=kulpu"), 200);
  step("POST /v1/shops/{shop}/questions/{question}/votes", await shopCall("POST", `questions/${asked.id}/votes`, { voter: BROWSER }), 200);
  step("POST /v1/admin/questions/{question}/reject", await admin("POST", `questions/${asked.id}/reject`), 200);
  step("GET /v1/shops/{shop}/feeds/google-product-reviews.xml", await shopCall("GET", "feeds/google-product-reviews.xml"), 200);
  step("POST /v1/shops/{shop}/events", await shopCall("POST", "events", {
    browser: BROWSER,
    events: [{ id: randomUUID(), type: "product_view", product: "fincan" }, { id: randomUUID(), type: "product_view", product: "tabak" }],
  }, "text/plain;charset=UTF-8"), 202);
  step("GET /v1/shops/{shop}/products/{product}/recommendations", await shopCall("GET", "products/fincan/recommendations"), 200);
  step("GET /v1/shops/{shop}/catalog", await shopCall("GET", `catalog?ids=fincan,tabak`), 200);
  step("POST /v1/shops/{shop}/survey/open", await shopCall("POST", "survey/open", { token: links.survey.token, locale: "tr" }), 200);
  step("POST /v1/shops/{shop}/survey/answers", await shopCall("POST", "survey/answers", {
    token: links.survey.token, seq: 1, locale: "tr", answers: { nps: 9, comment: "renk güzel" },
  }), 200);

  // The merchant reads and decides.
  step("GET /v1/admin/reviews", await admin("GET", "reviews"), 200);
  step("GET /v1/admin/reviews/{review}", await admin("GET", `reviews/${reviewId}`), 200);
  step("POST /v1/admin/reviews/{review}/reject", await admin("POST", `reviews/${reviewId}/reject`, { reason: "sayım" }), 200);
  step("POST /v1/admin/reviews/{review}/approve", await admin("POST", `reviews/${reviewId}/approve`), 200);
  step("PUT /v1/admin/reviews/{review}/reply", await admin("PUT", `reviews/${reviewId}/reply`, { body: "Teşekkürler" }), 200);
  step("DELETE /v1/admin/reviews/{review}/reply", await admin("DELETE", `reviews/${reviewId}/reply`), 200);
  step("PUT /v1/admin/moderation", await admin("PUT", "moderation", { mode: "publish" }), 200);
  step("GET /v1/admin/moderation", await admin("GET", "moderation"), 200);
  step("GET /v1/admin/moderation-log", await admin("GET", "moderation-log"), 200);
  const exported = step("GET /v1/admin/reviews.csv", await admin("GET", "reviews.csv"), 200);
  step("POST /v1/admin/reviews/import", await csvImport(exported.text.replace(/^\uFEFF/, "")), 200);
  step("GET /v1/admin/survey/responses", await admin("GET", "survey/responses"), 200);
  step("GET /v1/admin/survey/responses.csv", await admin("GET", "survey/responses.csv"), 200);
  step("GET /v1/admin/reports/satisfaction", await admin("GET", "reports/satisfaction"), 200);
  step("GET /v1/admin/reports/recommendations", await admin("GET", "reports/recommendations"), 200);
  step("GET /v1/admin/webhook/deliveries", await admin("GET", "webhook/deliveries"), 200);
  step("GET /v1/admin/outreach/messages", await admin("GET", "outreach/messages"), 200);
  step("POST /v1/shops/{shop}/orders/complaints", await shopCall("POST", "orders/complaints", { token: links.tracker.token, message: "Tabak kırık" }), 202);
  step("PUT /v1/admin/cases/settings", await admin("PUT", "cases/settings", { target_hours: 12 }), 200);
  step("GET /v1/admin/cases/settings", await admin("GET", "cases/settings"), 200);
  const caseId = step("GET /v1/admin/cases", await admin("GET", "cases?cause=complaint"), 200).json.cases[0].id;
  step("GET /v1/admin/cases/{case}", await admin("GET", `cases/${caseId}`), 200);
  step("POST /v1/admin/cases/{case}/notes", await admin("POST", `cases/${caseId}/notes`, { text: "Depoya sor" }), 201);
  step("POST /v1/admin/cases/{case}/answers", await admin("POST", `cases/${caseId}/answers`, { text: "Yenisi yolda" }), 201);
  step("PUT /v1/admin/cases/{case}", await admin("PUT", `cases/${caseId}`, { resolution: { category: "reshipped" } }), 200);
  step("GET /v1/admin/reports/cases", await admin("GET", "reports/cases"), 200);
  step("GET /v1/admin/reports/overview", await admin("GET", "reports/overview"), 200);
  const [{ address_key: addressKey }] = await edge.query("SELECT address_key FROM outreach_addresses WHERE order_id = 'C-1'");
  const token = `${addressKey}.${createHmac("sha256", "memnun-test").update(`memnun-unsubscribe\n${TEST_SHOP}\n${addressKey}`).digest("hex")}`;
  const unsubscribe = async (method) => {
    const res = await fetch(`${edge.url}/v1/outreach/${TEST_SHOP}/unsubscribe?token=${token}`, {
      method, ...(method === "POST" ? { body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } } : {}),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  step("GET /v1/outreach/{shop}/unsubscribe", await unsubscribe("GET"), 200);
  step("POST /v1/outreach/{shop}/unsubscribe", await unsubscribe("POST"), 200);
  step("POST /v1/admin/keys", await admin("POST", "keys", { name: "sayim" }), 201);
  step("GET /v1/admin/keys", await admin("GET", "keys"), 200);
  step("DELETE /v1/admin/keys/{name}", await admin("DELETE", "keys/sayim"), 204);
  step("DELETE /v1/admin/secrets/{kid}", await admin("DELETE", `secrets/${firstSecret}`), 204);
  step("POST /v1/admin/shoppers/export", await admin("POST", "shoppers/export", { email: EMAIL }), 200);
  step("POST /v1/admin/shoppers/delete", await admin("POST", "shoppers/delete", { email: EMAIL }), 200);
  step("DELETE /v1/admin/webhook", await admin("DELETE", "webhook"), 204);

  const recorded = JSON.parse(readFileSync(RECORD, "utf8"));
  if (process.env.MEMNUN_RECORD_STATEMENTS === "1") {
    writeFileSync(RECORD, `${JSON.stringify(seen, null, 2)}\n`);
    t.diagnostic(`recorded ${Object.keys(seen).length} figures`);
    return;
  }
  assert.deepEqual(Object.keys(seen).sort(), Object.keys(recorded).sort(), "the story and the record name the same requests");
  const more = Object.keys(seen).filter((k) => seen[k] > recorded[k]).map((k) => `${k}: ${recorded[k]} → ${seen[k]}`);
  const fewer = Object.keys(seen).filter((k) => seen[k] < recorded[k]).map((k) => `${k}: ${recorded[k]} → ${seen[k]}`);
  if (fewer.length) t.diagnostic(`fewer statements than recorded (MEMNUN_RECORD_STATEMENTS=1 records them): ${fewer.join("; ")}`);
  assert.deepEqual(more, [], "requests that now need more D1 statements");
});

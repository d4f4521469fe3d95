// Every widget under the strict Content-Security-Policy README gives merchants (the demo shop
// serves exactly it): no 'unsafe-inline', no 'unsafe-eval', only the edge's origin and
// 'wasm-unsafe-eval' added. In a real Chromium, each widget renders and works, and the browser
// reports no violation at all (a blocked style attribute or script would be one).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startShopInBrowser, adminCall, demoCatalog } from "./support/harness.mjs";

const DEMO_KEY = "mk_demo_local_only";
let stack, edge, site, browser, links;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
  const admin = (method, p, body) => adminCall(edge, method, p, { key: DEMO_KEY, body });
  assert.equal((await admin("PUT", "shop", { tracker_page: `${site.url}/siparis-takip.html`, survey_page: `${site.url}/anket.html` })).status, 200);
  const put = await admin("PUT", "orders/CSP-1", {
    number: "9901", email: "csp@example.com", placed_at: Date.now() - 72 * 3600 * 1000,
    items: [{ product: "kahve-fincani-01", quantity: 1 }], shipments: [{ id: "s1", carrier: "Yurtiçi Kargo" }],
  });
  assert.equal(put.status, 200, put.text);
  assert.equal((await admin("POST", "orders/CSP-1/events", { events: [{ shipment: "s1", status: "delivered", time: Date.now() }] })).status, 200);
  links = (await admin("POST", "orders/CSP-1/links")).json;
  // The strip's cards: the demo catalog, its images on the shop's own origin (img-src 'self').
  const catalog = await demoCatalog(site.url);
  assert.equal((await admin("PUT", "catalog", { mode: "replace", items: catalog })).status, 200);
  const bought = await admin("PUT", "orders/CSP-2", { number: "9902", items: [{ product: "cezve-04", quantity: 1 }, { product: "kupa-05", quantity: 1 }] });
  assert.equal(bought.status, 200, bought.text);
});
after(async () => {
  await stack?.stop();
});

/** Opens `url` recording every CSP violation (the listener is injected by DevTools, so the
 * page's own policy does not stop it) and the document's policy header. */
async function openPage(url) {
  const context = await browser.newContext({ locale: "tr-TR", viewport: { width: 390, height: 844 } });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  const response = await page.goto(url);
  page.policy = response.headers()["content-security-policy"] ?? "";
  return page;
}

async function assertClean(page) {
  assert.doesNotMatch(page.policy, /'unsafe-inline'|'unsafe-eval'/);
  assert.match(page.policy, new RegExp(`script-src 'self' ${edge.url.replace(/[.:/]/g, "\\$&")} 'wasm-unsafe-eval'`));
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
}

describe("strict CSP: every widget works", () => {
  test("product page: the review list and form, and the recommendation strip", async () => {
    const page = await openPage(`${site.url}/products/kahve-fincani-01.html`);
    const reviews = page.locator('[data-memnun="reviews"]');
    await reviews.scrollIntoViewIfNeeded();
    await reviews.locator(".summary").waitFor();
    await reviews.locator("li.review").first().waitFor();
    // The form's part is fetched and linked in under the policy too.
    await reviews.getByRole("button", { name: "Değerlendirme yazın" }).click();
    await reviews.locator("form[aria-labelledby=memnun-form-heading]").waitFor();
    // A whole review, rated with the keyboard and sent, under the policy.
    const started = Date.now();
    await reviews.locator("#memnun-rating-0").focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    await reviews.locator("#memnun-body").fill("Sıkı bir güvenlik politikasıyla da çalışıyor.");
    await reviews.locator("#memnun-author").fill("CSP");
    // Faster than a person types is dropped as a bot (MIN_FILL_MS).
    await new Promise((r) => setTimeout(r, Math.max(0, started + 3500 - Date.now())));
    await reviews.locator("#memnun-author").focus();
    await page.keyboard.press("Enter");
    await reviews.locator('[role="status"]', { hasText: "Teşekkürler" }).waitFor();
    const [stored] = await edge.query("SELECT rating FROM reviews WHERE shop_id = 'demo' AND author = 'CSP'");
    assert.equal(stored?.rating, 4);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    // The seeded purchases give the coffee pot's strip its cards.
    await page.goto(`${site.url}/products/cezve-04.html`);
    const strip = page.locator('[data-memnun="recommendations"]').first();
    await strip.scrollIntoViewIfNeeded();
    await strip.locator(".card").first().waitFor();
    await assertClean(page);
  });

  test("order tracker from its link", async () => {
    const page = await openPage(links.tracker.url);
    const w = page.locator('[data-memnun="order-tracker"]');
    await w.locator(".current-state").waitFor();
    assert.equal(await w.locator(".current-state").innerText(), "Teslim edildi");
    await assertClean(page);
  });

  test("survey from its link: a score is chosen and saved", async () => {
    const page = await openPage(links.survey.url);
    const w = page.locator('[data-memnun="survey"]');
    await w.getByRole("group", { name: /önerme olasılığınız/ }).waitFor();
    await w.locator(".point").filter({ hasText: /^9$/ }).click();
    await w.getByRole("button", { name: "İleri" }).click();
    for (let i = 0; i < 50; i++) {
      const [row] = await edge.query("SELECT nps FROM survey_responses WHERE shop_id = 'demo' AND order_id = 'CSP-1'");
      if (row?.nps === 9) break;
      if (i === 49) assert.fail("the answer was not saved");
      await new Promise((r) => setTimeout(r, 100));
    }
    await assertClean(page);
  });
});

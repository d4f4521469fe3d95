// The reviews widget's trust features in a real Chromium on the demo shop's pages, against the
// real worker: held reviews stay hidden until the merchant approves them; the shop's reply,
// verified-purchase badges, helpful votes, reports, sorting and the star filter; and the JSON-LD
// the widget adds for search engines, equal to the API's summary.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { startShopInBrowser, getReviews, adminCall, openReviewForm } from "./support/harness.mjs";

const PRODUCT_PAGE = "/products/kahve-fincani-01.html";
const PRODUCT = "kahve-fincani-01";
const DEMO_KEY = "mk_demo_local_only";
let stack, edge, site, browser;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
});
after(async () => {
  await stack?.stop();
});

const admin = (method, path, body) => adminCall(edge, method, path, { key: DEMO_KEY, body });
const demoReviews = (query = "") => getReviews(edge, PRODUCT, query, "demo");
const widget = (page) => page.locator('[data-memnun="reviews"]');

async function openPage(urlPath = PRODUCT_PAGE) {
  const context = await browser.newContext({ locale: "tr-TR" });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  await page.goto(site.url + urlPath);
  await widget(page).locator(".summary").waitFor();
  return page;
}

/** Writes and sends a review as a person would (taking more than the 3 s minimum fill time). */
async function writeReview(page, { stars, body, author }) {
  const w = widget(page);
  // A link from the shop opens the form by itself (shown once the list settles); otherwise the
  // shopper asks for it. Decided by the link, not by what shows first: the button shows while the
  // form's part loads, and a click on it then raced the form hiding it.
  if (!new URL(page.url()).hash.includes("memnun-review=")) await openReviewForm(w);
  // The form exists before it shows, so its clock started before this one.
  await w.locator("form[aria-labelledby=memnun-form-heading]").waitFor();
  const started = Date.now();
  await w.locator(`label[for=memnun-rating-${stars}]`).click();
  await w.locator("#memnun-body").fill(body);
  await w.locator("#memnun-author").fill(author);
  const wait = started + 3500 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await w.getByRole("button", { name: "Değerlendirmeyi gönder" }).click();
}

describe("reviews widget: trust", () => {
  test("a held review does not show; approved with a reply, it shows with the shop's reply", async () => {
    assert.equal((await admin("PUT", "moderation", { mode: "hold_all" })).status, 200);
    const page = await openPage();
    const w = widget(page);
    const body = `Moderasyon bekleyen yorum ${Date.now()}`;
    await writeReview(page, { stars: 4, body, author: "Bekleyen" });
    await w.locator('[role="status"]', { hasText: "kontrol ettikten sonra" }).waitFor();
    assert.equal(await w.getByText(body).count(), 0, "not shown while held");
    const [held] = (await admin("GET", "reviews?status=pending&product=" + PRODUCT)).json.reviews.filter((r) => r.body === body);
    assert.ok(held, "it waits in the queue");
    await admin("PUT", "moderation", { mode: "publish" });
    assert.equal((await admin("POST", `reviews/${held.id}/approve`)).status, 200);
    const reply = "Teşekkürler! <i>Afiyet olsun</i>.";
    assert.equal((await admin("PUT", `reviews/${held.id}/reply`, { body: reply })).status, 200);

    await page.reload();
    const item = w.locator("li.review", { hasText: body });
    await item.waitFor();
    assert.equal(await item.locator(".reply strong").innerText(), "Mağazanın yanıtı");
    assert.equal(await item.locator(".reply .body").innerText(), reply, "the reply is text, not markup");
    assert.equal(await item.locator(".reply i").count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("opened from the shop's review link, the review is a verified purchase", async () => {
    const minted = (await admin("POST", "tokens", { purpose: "review", order: "SIP-2001", product: PRODUCT })).json;
    const page = await openPage(`${PRODUCT_PAGE}#memnun-review=${minted.token}`);
    const w = widget(page);
    await w.getByText("doğrulanmış alışveriş olarak işaretlenecek").waitFor();
    const body = `Bağlantıdan yazdım ${Date.now()}`;
    await writeReview(page, { stars: 5, body, author: "Doğrulanan" });
    await w.locator('[role="status"]', { hasText: "Teşekkürler" }).waitFor();
    const item = w.locator("li.review", { hasText: body });
    await item.waitFor();
    assert.match(await item.locator(".verified").innerText(), /Doğrulanmış alışveriş/);
    const listed = (await demoReviews()).json.reviews.find((r) => r.body === body);
    assert.equal(listed.verified, true);
    await page.context().close();
  });

  test("a tracker or survey link in the fragment is not taken for a review link", async () => {
    const minted = (await admin("POST", "tokens", { purpose: "survey", order: "SIP-2003" })).json;
    const page = await openPage(`${PRODUCT_PAGE}#memnun=${minted.token}`);
    await openReviewForm(widget(page));
    assert.equal(await widget(page).locator("form .verified").count(), 0);
    await page.context().close();
  });

  test("a review link already used says so at the token, and nothing is stored", async () => {
    const minted = (await admin("POST", "tokens", { purpose: "review", order: "SIP-2002", product: PRODUCT })).json;
    const first = await openPage(`${PRODUCT_PAGE}#memnun-review=${minted.token}`);
    await writeReview(first, { stars: 5, body: `İlk ${Date.now()}`, author: "Bir" });
    await widget(first).locator('[role="status"]', { hasText: "Teşekkürler" }).waitFor();
    await first.context().close();
    const page = await openPage(`${PRODUCT_PAGE}#memnun-review=${minted.token}`);
    const before = (await demoReviews()).json.summary.count;
    await writeReview(page, { stars: 4, body: `İkinci ${Date.now()}`, author: "İki" });
    await widget(page).locator('[role="status"]', { hasText: "bağlantısı artık geçerli değil" }).waitFor();
    assert.equal((await demoReviews()).json.summary.count, before);
    await page.context().close();
  });

  test("'helpful' counts once per browser and stays pressed; a report is sent with its reason", async () => {
    const page = await openPage();
    const w = widget(page);
    const first = w.locator("li.review").first();
    const id = (await demoReviews()).json.reviews[0].id;
    const before = (await demoReviews()).json.reviews[0].helpful;
    const helpful = first.getByRole("button", { name: /Faydalı/ });
    await helpful.click();
    await first.getByRole("button", { name: `Faydalı (${before + 1})` }).waitFor();
    assert.equal(await helpful.getAttribute("aria-pressed"), "true");
    await helpful.click();
    const deadline = Date.now() + 10_000;
    while ((await demoReviews()).json.reviews[0].helpful !== before + 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((await demoReviews()).json.reviews[0].helpful, before + 1, "counted once");
    await page.reload();
    await w.locator("li.review").first().waitFor();
    assert.equal(await w.locator("li.review").first().getByRole("button", { name: /Faydalı/ }).getAttribute("aria-pressed"), "true");

    await w.locator("li.review").first().locator("summary", { hasText: "Bildir" }).click();
    await w.locator("li.review").first().getByLabel("Neden").selectOption("off_topic");
    await w.locator("li.review").first().getByRole("button", { name: "Bildirimi gönder" }).click();
    await w.locator("li.review").first().getByText("Mağaza bu değerlendirmeyi kontrol edecek").waitFor();
    let reports = [];
    while (!reports.length && Date.now() < deadline + 10_000) {
      reports = await edge.query("SELECT reason FROM review_reports WHERE review_id = ?1", id);
      if (!reports.length) await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(reports, [{ reason: "off_topic" }]);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("sorting and the star filter change the list as the API orders it", async () => {
    const page = await openPage();
    const w = widget(page);
    const shownIds = () =>
      page.evaluate(() =>
        [...document.querySelector('[data-memnun="reviews"]').shadowRoot.querySelectorAll("li.review .body:not(.reply .body)")].map((e) => e.textContent),
      );
    await w.getByLabel("Sırala").selectOption("lowest");
    const lowest = (await demoReviews("?sort=lowest")).json.reviews.map((r) => r.body);
    await page.waitForFunction(
      (expected) => {
        const shown = [...document.querySelector('[data-memnun="reviews"]').shadowRoot.querySelectorAll("li.review article > .body")];
        return shown.length === expected.length && shown.every((e, i) => e.textContent === expected[i]);
      },
      lowest,
    );
    await w.getByLabel("Göster").selectOption("5");
    const fives = (await demoReviews("?sort=lowest&stars=5")).json.reviews.map((r) => r.body);
    await page.waitForFunction(
      (expected) => {
        const shown = [...document.querySelector('[data-memnun="reviews"]').shadowRoot.querySelectorAll("li.review article > .body")];
        return shown.length === expected.length && shown.every((e, i) => e.textContent === expected[i]);
      },
      fives,
    );
    const stars = await w.locator("li.review article > .stars").allInnerTexts();
    assert.ok(stars.every((s) => s === "★★★★★"), stars.join());
    assert.ok((await shownIds()).length > 0);
    await page.context().close();
  });

  test("the page gets the product's JSON-LD, which parses and matches the API's summary", async () => {
    const page = await openPage();
    await page.waitForFunction(() => document.querySelector('script[type="application/ld+json"][data-memnun]'));
    const jsonld = JSON.parse(await page.evaluate(() => document.querySelector('script[type="application/ld+json"]').textContent));
    const api = (await demoReviews()).json.summary;
    assert.equal(jsonld["@type"], "Product");
    assert.equal(jsonld.name, "El yapımı kahve fincanı");
    assert.equal(jsonld.aggregateRating.ratingValue, api.average);
    assert.equal(jsonld.aggregateRating.reviewCount, api.count);
    assert.ok(jsonld.review.length > 0 && jsonld.review.length <= 10);
    for (const r of jsonld.review) {
      assert.ok(r.reviewRating.ratingValue >= 1 && r.reviewRating.ratingValue <= 5);
      assert.ok(r.author.name.length > 0);
    }
    assert.equal(await page.locator('script[type="application/ld+json"]').count(), 1, "added once");
    await page.context().close();
  });

  test("a page that has its own review JSON-LD gets none added", async () => {
    const page = await openPage("/own-jsonld.html");
    await widget(page).locator("li.review").first().waitFor();
    // The widget decides right after its first page of reviews; give it a moment to (not) act.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await page.locator('script[type="application/ld+json"]').count(), 1);
    assert.equal(await page.locator('script[data-memnun="jsonld"]').count(), 0);
    await page.context().close();
  });
});

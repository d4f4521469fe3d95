// The merchant dashboard (/admin) in a real Chromium against the real worker, with the demo
// shop's data seeded the way `cargo xtask demo` seeds it: signing in with a wrong and a right
// key, moderation whose result shows on the demo product page, a reply, cases (the queue, one
// case followed up, answered and resolved, the response times), the satisfaction
// figures against the report API, the CSV export parsed and an import's row report, the orders
// that need attention, recommendation figures, a setting whose effect a widget shows, and a
// phone-sized screen. Each page is photographed (target/screenshots; with
// MEMNUN_UPDATE_SCREENSHOTS=1 also docs/screenshots, which README shows).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { promisify } from "node:util";
import fs from "node:fs/promises";
import path from "node:path";
import { startShopInBrowser, adminCall, axeViolations, openReviewForm, postReview, review, ROOT } from "./support/harness.mjs";

const run = promisify(execFile);
const DEMO_KEY = "mk_demo_local_only";
const PRODUCT = "kahve-fincani-01";
let stack, edge, site, browser, context, page;

const admin = (method, p, body) => adminCall(edge, method, p, { key: DEMO_KEY, body });

/** Rows of an RFC 4180 CSV (quoted cells with commas, quotes and line breaks; CRLF). */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; i++; }
    else cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

async function screenshot(name, target = page) {
  const file = `dashboard-${name}.png`;
  const dirs = [path.join(ROOT, "target/screenshots")];
  if (process.env.MEMNUN_UPDATE_SCREENSHOTS) dirs.push(path.join(ROOT, "docs/screenshots"));
  await target.evaluate(() => window.scrollTo(0, 0));
  for (const dir of dirs) {
    await fs.mkdir(dir, { recursive: true });
    await target.screenshot({ path: path.join(dir, file) });
  }
}

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
  for (const script of ["seed-orders.mjs", "seed-history.mjs", "seed-recommendations.mjs", "seed-photos.mjs"]) {
    await run(process.execPath, [path.join(ROOT, "demo-site", script), "--edge", edge.url, "--site", site.url]);
  }
  context = await browser.newContext({ locale: "en-GB", viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  // Refusals the tests cause on purpose (a wrong key's 401) are logged by Chromium as resource errors.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && page.errors.push(m.text()));
  // The key travels in the Authorization header only, never in an address.
  page.on("request", (r) => r.url().includes("mk_") && page.errors.push(`key in a URL: ${r.url()}`));
});
after(async () => {
  await stack?.stop();
});

async function signIn(key = DEMO_KEY) {
  await page.goto(`${edge.url}/admin`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function go(fragment, heading) {
  await page.getByRole("navigation").getByRole("link", { name: heading }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  assert.equal(new URL(page.url()).hash, `#${fragment}`);
}

describe("merchant dashboard", () => {
  test("the page is the edge's, with a strict CSP, and never named by the shop's loader", async () => {
    const res = await fetch(`${edge.url}/admin`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    const csp = res.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    const html = await res.text();
    const script = html.match(/src="\/v1\/assets\/(memnun-admin-start-[0-9a-f]{16}\.js)"/);
    assert.ok(script, html);
    const loader = await (await fetch(`${edge.url}/v1/memnun.js`)).text();
    assert.doesNotMatch(loader, /memnun-admin/, "shop pages never load the dashboard");
    assert.equal((await fetch(`${edge.url}/admin`, { method: "POST" })).status, 405);
    const slash = await fetch(`${edge.url}/admin/?x=1`, { redirect: "manual" });
    assert.equal(slash.status, 308);
    assert.equal(slash.headers.get("location"), "/admin", "relative: a forged Host cannot redirect elsewhere");
    assert.equal(res.headers.get("cross-origin-opener-policy"), "same-origin");
  });

  test("a wrong key is refused and says so; the right one signs in, kept in this tab's session only", async () => {
    await signIn("mk_not_a_real_key");
    await page.getByRole("alert").filter({ hasText: "This key is not valid" }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0, "a wrong key is not kept");
    await screenshot("sign-in");

    await page.getByLabel("API key").fill(DEMO_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    const kept = await page.evaluate(() => ({ session: Object.values(sessionStorage), local: JSON.stringify(localStorage) }));
    assert.deepEqual(kept.session, [DEMO_KEY]);
    assert.doesNotMatch(kept.local, /mk_/, "the key is never in localStorage");

    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, "signing out forgets the key");
    await signIn();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await go("reviews", "Reviews");
  });

  test("a setting changed here holds the next review in the widget; approved here, it shows on the product page", async (t) => {
    t.after(() => admin("PUT", "moderation", { mode: "publish" }));
    await go("settings", "Settings");
    const moderation = page.locator("section", { has: page.getByRole("heading", { name: "Moderation" }) });
    await moderation.getByLabel("New reviews").selectOption("hold_all");
    await moderation.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    assert.equal((await admin("GET", "moderation")).json.mode, "hold_all");
    await screenshot("settings");
    const snippet = await page.locator("#embed-snippet").innerText();
    const readme = await fs.readFile(path.join(ROOT, "README.md"), "utf8");
    const documented = readme.match(/<script type="module" src="https:\/\/EDGE\/v1\/memnun.js" data-shop="SHOP_ID" async><\/script>/)[0];
    assert.equal(snippet.split("\n")[0], documented.replace("https://EDGE", edge.url).replace("SHOP_ID", "demo"), "the snippet is the README's");

    const shop = await context.newPage();
    await shop.goto(`${site.url}/products/${PRODUCT}.html`);
    const w = shop.locator('[data-memnun="reviews"]');
    await openReviewForm(w);
    const started = Date.now();
    await w.locator("#memnun-rating-0").focus();
    for (let i = 0; i < 4; i++) await shop.keyboard.press("ArrowRight");
    await w.locator("#memnun-title").fill("Panelden onaylanacak");
    await w.locator("#memnun-body").fill("Fincanın sırrı çok güzel, kulpu da elime tam oturuyor.");
    await w.locator("#memnun-author").fill("Deniz");
    await new Promise((r) => setTimeout(r, Math.max(0, started + 3500 - Date.now())));
    await w.getByRole("button", { name: "Değerlendirmeyi gönder" }).click();
    await w.getByText("mağaza kontrol ettikten sonra yayımlanacak").waitFor();

    await go("reviews", "Reviews");
    const item = page.locator("li.review", { hasText: "Panelden onaylanacak" });
    await item.waitFor();
    assert.match(await item.innerText(), /Waiting for moderation/);
    await screenshot("reviews");
    await item.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("status").filter({ hasText: "Review approved and published." }).waitFor();
    await item.getByText("Published").waitFor();

    await shop.reload();
    await shop.locator('[data-memnun="reviews"]').getByText("Panelden onaylanacak").waitFor();
    await shop.close();
  });

  test("a held review is rejected with a reason, in bulk, and the log names the key", async () => {
    await page.getByLabel("Status").selectOption("pending");
    const spam = page.locator("li.review", { hasText: "bahis sitemize" });
    await spam.waitFor();
    assert.match(await spam.innerText(), /held: blocked word/);
    await spam.getByRole("checkbox").check();
    await page.getByLabel("Reason for rejecting").fill("Reklam");
    await page.getByRole("button", { name: "Reject selected" }).click();
    await page.getByRole("status").filter({ hasText: "1 done, 0 failed." }).waitFor();
    const log = await admin("GET", "moderation-log?review=r0e1d2c3b4a5968778695a4b3");
    const rejected = log.json.entries.find((e) => e.action === "rejected");
    assert.equal(rejected?.reason, "Reklam");
    assert.equal(rejected?.actor, "demo");
  });

  test("a shopper's photo waits for the merchant: seen here with the key, published, then shown on the product page", async () => {
    await page.getByLabel("Status").selectOption("photos");
    const item = page.locator("li.review", { hasText: "Köpüğü bol kahve" });
    await item.waitFor();
    assert.equal(await page.locator("li.review").count(), 1, "only the review whose photo waits (demo-site/seed-photos.mjs)");
    // The photo and its thumbnail, both as the shop will show them.
    const photo = item.getByRole("img", { name: "Photo 1 of the review" });
    await page.waitForFunction((img) => img.complete && img.naturalWidth === 1200, await photo.elementHandle());
    assert.match(await photo.getAttribute("src"), /^blob:/, "fetched with the key: a held photo has no public address");
    const thumbnail = item.getByRole("img", { name: "Photo 1 as the list shows it (its thumbnail)" });
    await page.waitForFunction((img) => img.complete && img.naturalWidth === 400, await thumbnail.elementHandle());
    await item.getByRole("button", { name: "Publish photo 1" }).click();
    await page.getByRole("status").filter({ hasText: "Photo published." }).waitFor();
    await item.locator(".photos .badge", { hasText: "Published" }).waitFor();
    assert.equal(await item.getByRole("button", { name: "Publish photo 1" }).count(), 0);

    const shop = await context.newPage();
    await shop.goto(`${site.url}/products/cezve-04.html`);
    const shown = shop.locator('[data-memnun="reviews"]').locator("ul.photos img");
    await shown.first().waitFor();
    assert.match(await shown.first().getAttribute("alt"), /Köpüğü bol kahve \(Murat T\.\)/);
    await shop.close();
  });

  test("a shopper's question waits on the Questions page: answered here, it shows under the product's reviews", async () => {
    await go("questions", "Questions");
    const item = page.locator("li.question", { hasText: "Kaç kişilik kahve yapar?" });
    await item.waitFor();
    assert.equal(await page.locator("li.question").count(), 1, "only the waiting one (demo-site/seed.sql)");
    await item.locator(".badge", { hasText: "Waiting for an answer" }).waitFor();
    const answer = "İki fincanlık; <b>köpüklü</b> olsun diye yavaş ısıtın.";
    await item.getByLabel("Your public answer").fill(answer);
    await item.getByRole("button", { name: "Publish answer" }).click();
    await page.getByRole("status").filter({ hasText: "Answer published." }).waitFor();
    await item.locator(".reply").getByText(answer).waitFor();
    await item.locator(".badge", { hasText: "Answered and shown" }).waitFor();
    await screenshot("questions");
    // The new page, answered and with its form open, as axe sees it.
    await item.getByRole("button", { name: "Edit answer" }).click();
    assert.deepEqual(await axeViolations(page, "main"), [], "axe on the Questions page");

    const shop = await context.newPage();
    await shop.goto(`${site.url}/products/cezve-04.html`);
    const shown = shop.locator('[data-memnun="reviews"]').locator("section.qa li", { hasText: "Kaç kişilik kahve yapar?" });
    await shown.waitFor();
    assert.match(await shown.innerText(), /İki fincanlık; <b>köpüklü<\/b> olsun diye yavaş ısıtın\./);
    assert.equal(await shop.locator('[data-memnun="reviews"]').evaluate((h) => h.shadowRoot.querySelectorAll("section.qa b").length), 0, "an answer is text, never HTML");
    await shop.close();
    await go("reviews", "Reviews");
  });

  test("a reply written in place shows under the review on the product page", async () => {
    await page.getByLabel("Status").selectOption("published");
    await page.getByLabel("Product").fill(PRODUCT);
    await page.getByRole("button", { name: "Search" }).click();
    const first = page.locator("li.review").first();
    await first.waitFor();
    const title = await first.locator("h2").innerText();
    await first.getByRole("button", { name: "Reply" }).click();
    const reply = "Güzel sözleriniz için teşekkürler! <b>Afiyetle</b> kullanın.";
    await first.getByLabel("Your public reply").fill(reply);
    await first.getByRole("button", { name: "Publish reply" }).click();
    await page.getByRole("status").filter({ hasText: "Reply published." }).waitFor();
    await first.locator(".reply").getByText(reply).waitFor();

    const shop = await context.newPage();
    await shop.goto(`${site.url}/products/${PRODUCT}.html`);
    const item = shop.locator('[data-memnun="reviews"]').locator("li.review", { hasText: reply });
    await item.waitFor();
    const replied = title.replace(/^[★☆]+\s*/, "");
    assert.match(await item.innerText(), new RegExp(replied.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "the reply is under the review it answers");
    assert.equal(await shop.locator('[data-memnun="reviews"]').evaluate((h) => h.shadowRoot.querySelectorAll("b").length), 0, "a reply is text, never HTML");
    await shop.close();
  });

  test("search finds a review by a word of its body", async () => {
    await page.getByLabel("Status").selectOption("");
    await page.getByLabel("Product").fill("");
    await page.getByRole("searchbox", { name: "Search" }).fill("kulpu");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("status").filter({ hasText: "Reviews shown: 1." }).waitFor();
    assert.equal(await page.locator("li.review").count(), 1);
    await page.getByRole("searchbox", { name: "Search" }).fill("");
  });

  test("the CSV export downloads every review, byte-order mark and all; an import reports each refused row", async () => {
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download all reviews (CSV)" }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), "memnun-reviews.csv");
    const bytes = await fs.readFile(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "Excel needs the BOM for Turkish letters");
    const text = bytes.subarray(3).toString("utf8");
    const api = await adminCall(edge, "GET", "reviews.csv", { key: DEMO_KEY });
    assert.equal(text, api.text.replace(/^\uFEFF/, ""), "the file is the API's export");
    const [header, ...rows] = parseCsv(text);
    assert.deepEqual(header, ["id", "product", "rating", "title", "body", "author", "email", "locale", "status", "hold_reason", "verified", "order", "helpful", "reply", "created_at"]);
    const stored = await edge.query("SELECT id, rating, body, status FROM reviews WHERE shop_id = 'demo'");
    assert.equal(rows.length, stored.length, "one row per review");
    const byId = new Map(rows.map((r) => [r[0], Object.fromEntries(header.map((h, i) => [h, r[i]]))]));
    for (const review of stored) {
      const row = byId.get(review.id);
      assert.ok(row, `review ${review.id} exported`);
      assert.equal(Number(row.rating), review.rating);
      assert.equal(row.status, review.status);
      assert.equal(row.body.replace(/^'/, ""), review.body, "bodies survive quoting, commas and line breaks");
    }

    const csv = "product,rating,body,author\r\nkahve-fincani-01,5,İçe aktarılan yorum: fincanlar harika.,Ece\r\nkahve-fincani-01,9,Bu satırın puanı yanlış.,Can\r\n";
    const file = path.join(ROOT, "target/screenshots/import.csv");
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, csv);
    await page.getByLabel("CSV file to import").setInputFiles(file);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    const report = page.locator(".import-report");
    await report.getByText("1 imported, 0 already there, 1 refused.").waitFor();
    assert.match(await report.locator("tbody tr").innerText(), /^3\s+rating:/);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM reviews WHERE shop_id = 'demo' AND body LIKE 'İçe aktarılan%'"))[0].n, 1);

    // Another tool's export: the page says which, and follows its photos' copies.
    const judgeMe = "title,body,rating,review_date,curated,reviewer_name,product_id,picture_urls\r\n" +
      "Harika,Fotoğraflı içe aktarılan yorum.,5,2024-03-04 10:11:12 UTC,ok,Deniz,kahve-fincani-01,https://judgeme.imgix.net/demo/a.jpg\r\n";
    const judgeMeFile = path.join(ROOT, "target/screenshots/judge-me.csv");
    await fs.writeFile(judgeMeFile, judgeMe);
    await page.getByLabel("CSV file to import").setInputFiles(judgeMeFile);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await report.getByText("Read as an export of Judge.me.").waitFor();
    await report.getByText("1 imported, 0 already there, 0 refused.").waitFor();
    await page.locator(".photo-copies").getByText("Photos from imports: 1 waiting to be copied, 0 copied, 0 given up.").waitFor();
  });

  test("satisfaction: the NPS shown is the report API's, the chart and table cover every week, a reason opens its answers", async () => {
    await go("satisfaction", "Satisfaction");
    const from = await page.getByLabel("From", { exact: true }).inputValue();
    const to = await page.getByLabel("To", { exact: true }).inputValue();
    const report = (await admin("GET", `reports/satisfaction?interval=week&from=${from}&to=${to}`)).json;
    const nps = report.totals.nps.score_tenths;
    assert.ok(report.totals.nps.responses > 0, "the demo has answers");
    const value = page.locator('[data-figure="nps"] .value');
    await value.waitFor();
    assert.equal(await value.innerText(), (nps / 10).toFixed(1));
    assert.equal(await page.locator('[data-figure="csat"] .value').innerText(), `${(report.totals.csat.percent_tenths / 10).toFixed(1)}%`);
    assert.equal(await page.locator(".figures-table tbody tr").count(), report.periods.length);
    assert.equal(await page.locator('svg[role="img"]').getAttribute("aria-label"), "NPS and CSAT per week, from −100 to 100");
    const answered = report.periods.filter((p) => p.nps.score_tenths !== null).length;
    assert.equal(await page.locator(".chart svg[role=img] .nps circle").count(), answered, "one NPS point per week with answers");

    const delivery = report.totals.reasons.detractor.delivery_time;
    assert.ok(delivery > 0);
    await page.locator('button[data-group="detractor"][data-reason="delivery_time"]').click();
    await page.getByRole("heading", { name: /Answers: Detractors/ }).waitFor();
    const answers = page.locator(".answer");
    await answers.first().waitFor();
    await page.waitForFunction((n) => document.querySelectorAll(".answer").length === n, Math.min(delivery, 10));
    const detractors = await page.locator(".answers").innerText();

    // The largest count, paged by the API ten at a time: "Show more" until every answer behind
    // the count is listed, none twice.
    const [group, reason, count] = Object.entries(report.totals.reasons)
      .flatMap(([g, reasons]) => Object.entries(reasons).map(([r, n]) => [g, r, n]))
      .sort((x, y) => y[2] - x[2])[0];
    assert.ok(count > 10, `the demo has more than a page of answers behind one count (${count})`);
    await page.locator(`button[data-group="${group}"][data-reason="${reason}"]`).click();
    await page.waitForFunction(() => document.querySelectorAll(".answer").length === 10);
    const more = page.locator(".answers").getByRole("button", { name: "Show more" });
    while ((await answers.count()) < count) {
      const shown = await answers.count();
      await more.click();
      await page.waitForFunction((n) => document.querySelectorAll(".answer").length > n, shown);
    }
    await more.waitFor({ state: "detached" });
    assert.equal(await answers.count(), count);
    const orders = await answers.locator(".meta").allInnerTexts();
    assert.equal(new Set(orders.map((m) => m.split(" · ")[0])).size, count, "no answer twice");
    await page.locator('button[data-group="detractor"][data-reason="delivery_time"]').click();
    await page.waitForFunction((n) => document.querySelectorAll(".answer").length === n, Math.min(delivery, 10));
    assert.match(detractors, /Kargo 5 gün gecikti/);
    await screenshot("satisfaction");

    // The same figures in Turkish: a comma for the decimal point.
    await page.getByRole("button", { name: "Türkçe" }).click();
    await page.getByRole("heading", { level: 1, name: "Memnuniyet" }).waitFor();
    assert.equal(await value.innerText(), (nps / 10).toFixed(1).replace(".", ","));
    assert.equal(await page.locator('[data-figure="csat"] .value').innerText(), `%${(report.totals.csat.percent_tenths / 10).toFixed(1).replace(".", ",")}`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), "tr");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { level: 1, name: "Satisfaction" }).waitFor();
  });

  test("overview: the figures are the report API's, a year of cohorts, every chart with its table, every table as CSV", async () => {
    // The figures the page fetched (asked again, an hour turning between could move a rate).
    const fetched = page.waitForResponse((r) => r.url().includes("/v1/admin/reports/overview"));
    await go("overview", "Overview");
    const from = await page.getByLabel("From", { exact: true }).inputValue();
    const to = await page.getByLabel("To", { exact: true }).inputValue();
    const report = await (await fetched).json();
    assert.equal(report.interval, "month");
    assert.equal(report.currency, "TRY");
    assert.ok(report.sales.orders > 300, `the demo's year of orders (${report.sales.orders})`);
    const revenue = page.locator('[data-figure="revenue"] .value');
    await revenue.waitFor();
    const lira = (minor) => `${Math.floor(minor / 100).toLocaleString("en-US")}.${String(minor % 100).padStart(2, "0")} TRY`;
    // Whole liras in the figures, kuruş in the tables.
    const whole = (minor) => `${Math.round(minor / 100).toLocaleString("en-US")} TRY`;
    assert.equal(await revenue.innerText(), whole(report.sales.revenue_minor));
    assert.equal(await page.locator('[data-figure="orders"] .value').innerText(), String(report.sales.orders));
    assert.equal(await page.locator('[data-figure="average-basket"] .value').innerText(), whole(report.sales.average_basket_minor));
    const ninety = report.repeat.windows.find((w) => w.days === 90);
    assert.ok(ninety.eligible > 0 && ninety.repeated > 0, "the demo's shoppers come back");
    assert.equal(await page.locator('[data-figure="repeat"] .value').innerText(), `${(ninety.rate_tenths / 10).toFixed(1)}%`);
    // Each chart has its table: one row per period; the cohort table one row per month.
    assert.equal(await page.locator("#overview-periods tbody tr").count(), report.periods.length);
    assert.equal(await page.locator("svg[role=img] .revenue circle").count(), report.periods.length);
    assert.equal(await page.locator("#overview-cohorts tbody tr").count(), report.cohorts.length);
    assert.ok(report.cohorts.length >= 12, `a year of cohorts (${report.cohorts.length})`);
    const first = report.cohorts[0];
    const cells = await page.locator("#overview-cohorts tbody tr").first().locator("td").allInnerTexts();
    assert.equal(cells[0], String(first.buyers));
    const lastMonth = first.months[first.months.length - 1].revenue_per_buyer_minor;
    assert.equal(cells[first.months.length], lira(lastMonth).replace(" TRY", ""));
    assert.equal(await page.locator("#overview-carriers tbody tr").count(), report.carriers.length);
    assert.ok(report.carriers.length >= 3);
    await screenshot("overview");

    // The cohort table as CSV: the figures of the API, one line per cohort and month.
    const downloading = page.waitForEvent("download");
    await page.locator("section.cohorts").getByRole("button", { name: "Download this table (CSV)" }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), "overview-cohorts.csv");
    const bytes = await fs.readFile(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(bytes.subarray(3).toString("utf8"));
    assert.deepEqual(header, ["first_month", "buyers", ...first.months.map((_, i) => `month_${i}`)]);
    assert.equal(rows.length, report.cohorts.length);
    assert.deepEqual(rows[0], [first.month, String(first.buyers), ...first.months.map((m) => (m.revenue_per_buyer_minor / 100).toFixed(2))]);
    // Every table has its button.
    assert.equal(await page.getByRole("button", { name: "Download this table (CSV)" }).count(), await page.locator("main table").count());

    // By week: one period per ISO week of the same dates.
    await page.getByLabel("Cut by").selectOption("week");
    const weekly = (await admin("GET", `reports/overview?interval=week&from=${from}&to=${to}`)).json;
    await page.waitForFunction((n) => document.querySelectorAll("#overview-periods tbody tr").length === n, weekly.periods.length);
    await page.getByLabel("Cut by").selectOption("month");
    await page.waitForFunction((n) => document.querySelectorAll("#overview-periods tbody tr").length === n, report.periods.length);
  });

  test("orders: search by number; the stuck shipment and the one that ended in an exception wait for the merchant", async () => {
    await go("orders", "Orders");
    const attention = page.locator("ul.attention");
    await attention.locator("li").first().waitFor();
    const items = await attention.locator("li").allInnerTexts();
    assert.equal(items.length, 2, items.join("\n"));
    assert.match(items[0], /Order 1007[\s\S]*No news for 5\+ days[\s\S]*In transit/, "oldest news first");
    assert.match(items[1], /Order 1005[\s\S]*Exception/);
    assert.doesNotMatch(await attention.innerText(), /Order 1004/, "a delivered order needs nothing");
    const table = page.locator("table.orders tbody");
    await table.locator("tr").first().waitFor();
    await screenshot("orders");
    await page.getByLabel("Order number or id").fill("1003");
    await page.getByLabel("Order number or id").press("Enter");
    await page.waitForFunction(() => document.querySelectorAll("table.orders tbody tr").length === 1);
    assert.match(await table.innerText(), /1003[\s\S]*Out for delivery/);
  });

  test("cases: the queue, a complaint's case with its order, an owner, a note, an answer by email and a resolution in its history", async () => {
    await go("cases", "Cases");
    const queue = page.locator("ul.cases");
    await queue.locator("li").first().waitFor();
    const items = await queue.locator("li").allInnerTexts();
    assert.ok(items.some((i) => /Complaint from the tracker · 2001/.test(i)), items.join("\n"));
    assert.ok(items.some((i) => /Shipment in trouble · 1005/.test(i)), "order 1005's exception opened one");
    const api = (await admin("GET", "cases?limit=100")).json.cases;
    assert.equal(items.length, api.length, "the queue is the API's");
    const opened = api.map((c) => c.opened_at);
    assert.deepEqual(opened, [...opened].sort((a, b) => a - b), "oldest first");
    await screenshot("cases-queue");

    await queue.getByRole("button", { name: /Complaint from the tracker · 2001/ }).click();
    const detail = page.locator("section.case");
    await detail.getByRole("heading", { name: /Complaint from the tracker · Order 2001/ }).waitFor();
    await detail.locator("ul.tracking li").first().waitFor();
    assert.match(await detail.locator("ul.tracking").innerText(), /Yurtiçi Kargo · Delivered/);
    assert.match(await detail.locator("ol.history").innerText(), /Opened[\s\S]*message: Fincanlardan birinin kulpu kırık geldi\./);
    assert.match(await detail.locator("dl.facts").innerText(), /musteri1@example\.com/, "the address to go on by hand");

    await detail.getByLabel("Owner").fill("Deniz");
    await detail.getByRole("button", { name: "Save" }).first().click();
    await detail.locator("ol.history li", { hasText: "Owner changed" }).waitFor();
    await detail.getByLabel(/Internal note/).fill("Depodan yeni fincan ayrıldı.");
    await detail.getByRole("button", { name: "Add the note" }).click();
    await detail.locator("ol.history li", { hasText: "Depodan yeni fincan ayrıldı." }).waitFor();
    assert.equal(await detail.getByLabel("Send by email").isChecked(), true, "the shop sends and memnun keeps the address");
    await detail.getByLabel("Answer the shopper").fill("Yeni fincanınız yarın kargoda.");
    await detail.getByRole("button", { name: "Send the answer" }).click();
    await detail.locator("ol.history li", { hasText: "Yeni fincanınız yarın kargoda." }).waitFor();
    assert.match(await detail.locator("ol.history li", { hasText: "Yeni fincanınız" }).innerText(), /Email: waiting to be sent/);
    await detail.getByLabel("How it ended").selectOption("reshipped");
    await detail.getByLabel(/What was done/).fill("Yeni fincan gönderildi.");
    await detail.getByRole("button", { name: "Resolve" }).click();
    await detail.locator(".badge.resolved").waitFor();
    const id = api.find((c) => c.cause === "complaint" && c.order_number === "2001").id;
    const stored = (await admin("GET", `cases/${id}`)).json;
    assert.equal(stored.case.state, "resolved");
    assert.equal(stored.case.owner, "Deniz");
    assert.deepEqual(stored.case.resolution, { category: "reshipped", text: "Yeni fincan gönderildi." });
    assert.deepEqual(stored.history.map((h) => h.action), ["opened", "owner", "note", "answer", "resolved"]);

    const times = page.locator("table.case-times");
    await times.locator("tbody tr").first().waitFor();
    assert.match(await times.locator("caption").innerText(), /target: 24 h/);
    await screenshot("cases", detail);
  });

  test("recommendations: the figures per source add up to the report API's", async () => {
    await go("recommendations", "Recommendations");
    const from = await page.getByLabel("From", { exact: true }).inputValue();
    const to = await page.getByLabel("To", { exact: true }).inputValue();
    const report = (await admin("GET", `reports/recommendations?from=${from}&to=${to}`)).json;
    assert.ok(report.totals.impressions > 0, "the demo has impressions");
    const table = page.locator("table.rec-figures").first();
    await table.locator("tbody tr").first().waitFor();
    const words = { bought_together: "Bought together", viewed_together: "Viewed together", top_rated: "Top rated", bestseller: "Bestsellers", newest: "Newest", recently_viewed: "Recently viewed" };
    const expected = [["Total", report.totals], ...Object.entries(report.by_source).map(([s, f]) => [words[s], f])];
    const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows, expected.map(([name, f]) => [name, String(f.impressions), String(f.clicks), f.ctr_tenths === null ? "–" : (f.ctr_tenths / 10).toFixed(1), String(f.add_to_carts), String(f.purchases)]));
    await screenshot("recommendations");
  });

  test("a shopper's access and erasure request: their data downloads as JSON, then is deleted, and the page says what went", async (t) => {
    const email = "silinecek@example.com";
    const written = await postReview(edge, review({ product: PRODUCT, email, author: "Silinecek" }), { origin: site.url, shop: "demo" });
    assert.equal(written.status, 201, written.text);
    await go("settings", "Settings");
    const section = page.locator("section", { has: page.getByRole("heading", { name: "A shopper's data" }) });
    // The retention setting shows the shop's value and saves a new one.
    t.after(() => admin("PUT", "shop", { event_retention_days: 395 }));
    const shop = page.locator("section", { has: page.getByRole("heading", { name: "Shop", exact: true }) });
    const retention = shop.getByLabel(/Keep shoppers' browsing events/);
    // The form shows the shop's value once it has loaded.
    await page.waitForFunction(() => document.querySelector('input[name="event_retention_days"]')?.value === "395");
    await retention.fill("90");
    await shop.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    assert.equal((await admin("GET", "shop")).json.event_retention_days, 90);

    await section.getByLabel("Email or browser id").fill(email);
    const downloading = page.waitForEvent("download");
    await section.getByRole("button", { name: "Download their data (JSON)" }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), "memnun-shopper.json");
    const exported = JSON.parse(await fs.readFile(await download.path(), "utf8"));
    assert.deepEqual(exported.reviews.map((r) => r.id), [written.json.review.id]);
    page.once("dialog", (d) => d.accept());
    await section.getByRole("button", { name: "Delete their data" }).click();
    await page.getByRole("status").filter({ hasText: "Deleted: 1 reviews, 0 orders" }).waitFor();
    assert.equal((await admin("GET", `reviews/${written.json.review.id}`)).status, 404);
    // A browser id that is not one is refused with the edge's words, nothing deleted.
    await section.getByLabel("Email or browser id").fill("not-a-uuid");
    await section.getByRole("button", { name: "Download their data (JSON)" }).click();
    await section.getByText(/browser: must be a UUID/).waitFor();
  });

  test("messages to shoppers: the settings as stored, the key never shown, a live preview in both languages, saved, and the figures", async (t) => {
    t.after(() => admin("PUT", "outreach", { texts: {}, shipment_notices: { delayed: true }, survey_invitation: { days: 0 } }));
    // Words the form does not edit (the reminder's) stay when it saves.
    assert.equal((await admin("PUT", "outreach", { texts: { review_reminder: { en: { subject: "Still there?" } } } })).status, 200);
    // Opened afresh, so the form reads the settings as they are now.
    await go("orders", "Orders");
    await go("settings", "Settings");
    const section = page.locator("section.outreach");
    await section.getByRole("heading", { name: "Messages to shoppers" }).waitFor();
    // The demo seed turned sending on through Resend (demo-site/seed-orders.mjs).
    await section.locator(".key-hint").filter({ hasText: "…only" }).waitFor();
    assert.equal(await section.getByLabel("Send messages").isChecked(), true);
    assert.equal(await section.getByLabel("Provider API key").inputValue(), "", "the key is not in the form");
    assert.ok(!(await page.content()).includes("re_demo_local_only"), "nor in the page");
    const tr = section.locator("fieldset.own-words[data-locale=tr]");
    const en = section.locator("fieldset.own-words[data-locale=en]");
    assert.equal(await en.locator(".preview-subject").textContent(), "How was your order from Atölye Demo?", "memnun's words until the shop gives its own");
    await tr.getByLabel("Subject").fill("{order} numaralı siparişiniz nasıldı?");
    await tr.getByLabel("Opening line").fill("Merhaba! {shop} olarak fikrinizi merak ediyoruz.");
    await tr.locator(".preview-subject").filter({ hasText: "1001 numaralı siparişiniz nasıldı?" }).waitFor();
    assert.equal(await tr.locator(".preview-opening").textContent(), "Merhaba! Atölye Demo olarak fikrinizi merak ediyoruz.");
    await section.getByLabel("Days after delivery").fill("5");
    const notices = section.getByRole("group", { name: /Shipment notices/ });
    assert.equal(await notices.getByLabel("Delayed or held").isChecked(), true, "as the demo seed set them");
    await notices.getByLabel("Delayed or held").uncheck();
    await section.getByLabel("Survey invitation after (days)").fill("3");
    await section.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved.").first().waitFor();
    const stored = (await admin("GET", "outreach")).json;
    assert.equal(stored.review_request.days, 5);
    assert.deepEqual(stored.shipment_notices, { shipped: true, out_for_delivery: true, delayed: false, delivered: true });
    assert.deepEqual(stored.survey_invitation, { on: true, days: 3 });
    assert.deepEqual(stored.texts.review_request.tr, { subject: "{order} numaralı siparişiniz nasıldı?", opening: "Merhaba! {shop} olarak fikrinizi merak ediyoruz." });
    assert.equal(stored.texts.review_request.en, undefined, "empty fields keep memnun's words");
    assert.deepEqual(stored.texts.review_reminder, { en: { subject: "Still there?" } });
    assert.equal(stored.api_key_hint, "…only", "saving without a key keeps the stored one");
    await section.getByLabel("Sender (Name <address> on your verified domain)").fill("not an address");
    await section.getByRole("button", { name: "Save" }).click();
    await section.getByText(/sender/).first().waitFor();
    // The figures, as the API counts them.
    const report = (await admin("GET", "outreach/messages")).json;
    const row = section.locator("table.outreach-figures tr[data-kind=review_request] td");
    await row.first().waitFor();
    const cells = await row.allTextContents();
    const request = report.kinds.find((k) => k.kind === "review_request");
    assert.deepEqual(cells.slice(0, 4).map(Number), [request.scheduled, request.sent, request.failed, request.skipped]);
    await screenshot("outreach", section);
  });

  test("connecting a platform is a form: where to point the webhooks, the secret never shown again, deliveries seen arriving", async (t) => {
    await go("settings", "Settings");
    // The demo's order 1008 came through Shopify (demo-site/seed-orders.mjs): its deliveries show.
    const shopify = page.locator("section.connector[data-platform=shopify]");
    await shopify.getByText(/^Connected since /).waitFor();
    const seeded = await shopify.locator("table.deliveries tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(1, 3).map((c) => c.textContent)));
    assert.deepEqual(seeded.map(([topic]) => topic).sort(), ["fulfillments/create", "fulfillments/update", "orders/create"]);
    assert.ok(seeded.every(([, result]) => result === "Stored"), JSON.stringify(seeded));

    const secret = "wc-dashboard-connect-0123456789abcdef";
    t.after(() => admin("DELETE", "connectors/woocommerce"));
    const section = page.locator("section.connector[data-platform=woocommerce]");
    await section.getByRole("heading", { name: "Connect WooCommerce" }).waitFor();
    assert.equal(await section.locator("code.connector-url").textContent(), `${edge.url}/v1/connectors/woocommerce/demo`);
    assert.match(await section.textContent(), /order\.created, order\.updated/);
    await section.getByLabel("Signing secret").fill(secret);
    await section.getByRole("button", { name: "Connect WooCommerce" }).click();
    await section.getByText(/^Connected since /).waitFor();
    assert.equal(await section.getByLabel("Signing secret").inputValue(), "", "the secret leaves the form");
    assert.ok(!(await page.content()).includes(secret), "and the page");
    await section.getByText("No delivery has arrived yet.").waitFor();

    // WooCommerce delivers an order, then one signed with another secret arrives.
    const deliver = async (key) => {
      const body = JSON.stringify({ id: 7799, order_key: "wc_order_Dash7799", number: "1099", status: "processing", currency: "TRY", billing: { email: "panel@example.com.tr" }, date_created_gmt: "2026-11-20T07:04:11", date_modified_gmt: "2026-11-20T07:04:11", line_items: [{ id: 1, product_id: 42, quantity: 1, price: 450 }], meta_data: [] });
      return fetch(`${edge.url}/v1/connectors/woocommerce/demo`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Delivery-ID": crypto.randomUUID(), "X-WC-Webhook-Signature": createHmac("sha256", key).update(body).digest("base64") },
        body,
      });
    };
    assert.equal((await deliver(secret)).status, 200);
    assert.equal((await deliver("the-wrong-secret-0123456789")).status, 401);
    await go("orders", "Orders");
    await go("settings", "Settings");
    const row = section.locator("table.deliveries tbody tr");
    await row.first().waitFor();
    assert.deepEqual(await row.evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(1, 3).map((c) => c.textContent))), [["order.created", "Stored"]]);
    await section.locator(".connector-signature").filter({ hasText: /that this secret does not sign/ }).waitFor();
    await screenshot("connect-woocommerce", section);
  });

  test("by keyboard alone: skip to the content, open a page from the navigation, open a count's answers", async () => {
    // A fresh load, so focus starts at the top of the document.
    await page.goto(`${edge.url}/admin#reviews`);
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Reviews" }).waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.tagName + " " + document.activeElement.textContent), "H1 Reviews");
    assert.equal(new URL(page.url()).hash, "#reviews", "skipping does not leave the page");

    await page.getByRole("navigation").getByRole("link", { name: "Satisfaction" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.tagName === "H1" && document.activeElement.textContent === "Satisfaction");
    assert.equal(await page.getByRole("link", { name: "Satisfaction" }).getAttribute("aria-current"), "page");
    const count = page.locator('button[data-group="passive"][data-reason="price"]');
    await count.focus();
    await page.keyboard.press("Enter");
    assert.equal(await count.getAttribute("aria-pressed"), "true");
    await page.getByRole("heading", { name: /Answers: Passives/ }).waitFor();
  });

  test("on a phone every page fits the screen and the navigation scrolls, not the page", async () => {
    const phone = await browser.newContext({ locale: "tr-TR", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    const errors = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    await p.goto(`${edge.url}/admin`);
    await p.getByLabel("API anahtarı").fill(DEMO_KEY);
    await p.getByRole("button", { name: "Giriş yap" }).click();
    for (const [fragment, heading] of [["overview", "Genel bakış"], ["reviews", "Yorumlar"], ["cases", "Vakalar"], ["satisfaction", "Memnuniyet"], ["orders", "Siparişler"], ["recommendations", "Öneriler"], ["settings", "Ayarlar"]]) {
      await p.goto(`${edge.url}/admin#${fragment}`);
      await p.getByRole("heading", { level: 1, name: heading }).waitFor();
      await p.waitForLoadState("networkidle");
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${fragment} is ${overflow}px wider than the phone`);
      if (fragment === "satisfaction") await screenshot("phone-satisfaction", p);
      if (fragment === "overview") await screenshot("phone-overview", p);
    }
    await phone.close();
    assert.deepEqual(errors, []);
    assert.deepEqual(page.errors, []);
  });
});

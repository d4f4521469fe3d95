// Questions and answers in a real Chromium on a phone-sized screen, on the demo shop's product
// page with its strict CSP, against the real worker under workerd with local D1: a shopper asks by
// keyboard (the rules checked in the page first), the question waits unseen, the merchant answers,
// and the next visitor finds it under the reviews, searches for it with Turkish letters typed
// without their dots, and says it helped; the page does not shift while the part draws, and axe
// finds nothing wrong in any of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startShopInBrowser, adminCall, axeViolations as audit, observePerformance, phone as phoneIn, until } from "./support/harness.mjs";

const PRODUCT = "kahve-fincani-01";
const PRODUCT_PAGE = `/products/${PRODUCT}.html`;
const DEMO_KEY = "mk_demo_local_only";
let stack, edge, site, browser;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
});
after(async () => {
  await stack?.stop();
});

const widget = (page) => page.locator('[data-memnun="reviews"]');
const phone = () => phoneIn(browser);

test("a question asked on a phone is answered by the merchant and shown, searched and voted on", async () => {
  const question = `Bu fincan KILIFIYLA mı gelir? ${Date.now()}`;
  const { context, page } = await phone();
  await page.goto(site.url + PRODUCT_PAGE);
  const w = widget(page);
  const qa = w.locator("section.qa");
  await qa.getByRole("heading", { name: "Sorular ve yanıtlar" }).waitFor();

  // By keyboard: open "Soru sorun", send it empty (refused in the page), then fill it in.
  await qa.locator("summary").focus();
  await page.keyboard.press("Enter");
  const form = qa.locator("form.ask-form");
  await form.waitFor({ state: "visible" });
  const opened = Date.now();
  await form.getByRole("button", { name: "Soruyu gönder" }).click();
  await form.getByText("Lütfen sorunuzu yazın").waitFor();
  assert.equal(await form.getByLabel("Sorunuz").getAttribute("aria-invalid"), "true");
  assert.deepEqual(await audit(page), [], "the open form with its errors");
  await form.getByLabel("Sorunuz").fill(question);
  await form.getByLabel("Görünecek adınız").fill("Deniz");
  await form.getByLabel(/E-posta/).fill("deniz@example.com");
  // A person takes longer than the bots' three seconds.
  await new Promise((r) => setTimeout(r, Math.max(0, opened + 3500 - Date.now())));
  await form.getByRole("button", { name: "Soruyu gönder" }).click();
  await form.getByText("yanıtı size e-postayla göndereceğiz").waitFor();
  assert.equal(await form.getByLabel("Sorunuz").inputValue(), "", "cleared once taken");
  const [stored] = await until("the question", () => edge.query("SELECT id, status, email, locale FROM questions WHERE body = ?1", question).then((r) => r.length && r));
  assert.deepEqual([stored.status, stored.email, stored.locale], ["pending", "deniz@example.com", "tr"]);
  assert.equal(await qa.getByText(question).count(), 0, "not shown before an answer");
  assert.deepEqual(page.errors, []);
  await context.close();

  const admin = (method, p, b) => adminCall(edge, method, p, { key: DEMO_KEY, body: b });
  const answered = await admin("PUT", `questions/${stored.id}/answer`, { body: "Evet, keten bir kılıfla gelir. <b>Hediye</b> paketi de var." });
  assert.equal(answered.status, 200, answered.text);

  // The next visitor: the page does not move while the questions' part draws.
  const next = await phone();
  await next.page.addInitScript(observePerformance);
  await next.page.goto(site.url + PRODUCT_PAGE);
  const list = widget(next.page);
  const shown = list.locator("section.qa li", { hasText: question });
  await shown.waitFor();
  await next.page.waitForTimeout(200);
  const shift = await next.page.evaluate(() => window.__perf.shifts);
  assert.ok(shift <= 0.01, `cumulative layout shift ${shift}`);
  const answerText = await shown.locator(".a").textContent();
  assert.match(answerText, /Mağazanın yanıtı: Evet, keten bir kılıfla gelir\. <b>Hediye<\/b> paketi de var\./, "shown as text, never as markup");
  assert.equal(await shown.locator("b").count(), 0);
  assert.deepEqual(await audit(next.page), [], "the list with its questions");

  // Searched as a shopper types on a phone: no dotless ı, no capitals.
  const qaSection = list.locator("section.qa");
  await qaSection.getByLabel("Sorularda ara").fill("kilifiyla keten");
  await qaSection.getByRole("button", { name: "Ara", exact: true }).click();
  await qaSection.locator(".qa-status", { hasText: "Bulunan soru: 1" }).waitFor();
  assert.equal(await qaSection.locator(".qa-list > li").count(), 1);
  await qaSection.getByLabel("Sorularda ara").fill("bulunmayan kelime");
  await qaSection.getByRole("button", { name: "Ara", exact: true }).click();
  await qaSection.locator(".qa-status", { hasText: "Eşleşen yanıtlı soru yok" }).waitFor();
  assert.equal(await qaSection.locator(".qa-list > li").count(), 0);
  await qaSection.getByLabel("Sorularda ara").fill("");
  await qaSection.getByRole("button", { name: "Ara", exact: true }).click();
  await shown.waitFor();

  // "Yararlı": pressed once, counted once, remembered on the next visit.
  const helpful = shown.getByRole("button", { name: /Yararlı/ });
  assert.equal(await helpful.getAttribute("aria-pressed"), "false");
  await helpful.click();
  assert.equal(await helpful.getAttribute("aria-pressed"), "true");
  await until("the vote", () => edge.query("SELECT helpful_count FROM questions WHERE id = ?1", stored.id).then((r) => r[0].helpful_count === 1));
  await helpful.click();
  await next.page.reload();
  const again = widget(next.page).locator("section.qa li", { hasText: question });
  await again.waitFor();
  assert.equal(await again.getByRole("button", { name: /Yararlı/ }).getAttribute("aria-pressed"), "true");
  assert.match(await again.getByRole("button", { name: /Yararlı/ }).textContent(), /\(1\)/);
  assert.equal((await edge.query("SELECT helpful_count FROM questions WHERE id = ?1", stored.id))[0].helpful_count, 1);
  assert.deepEqual(next.page.errors, []);
  await next.context.close();
});

test("a question asked while the edge is down is sent once the connection returns", async () => {
  const question = `Mikrodalgaya girer mi? ${Date.now()}`;
  const { context, page } = await phone();
  await page.goto(site.url + PRODUCT_PAGE);
  const qa = widget(page).locator("section.qa");
  await qa.locator("summary").click();
  const opened = Date.now();
  const form = qa.locator("form.ask-form");
  await form.getByLabel("Sorunuz").fill(question);
  await form.getByLabel("Görünecek adınız").fill("Ece");
  await new Promise((r) => setTimeout(r, Math.max(0, opened + 3500 - Date.now())));
  await edge.stop();
  await form.getByRole("button", { name: "Soruyu gönder" }).click();
  await form.getByText("bağlantı geri gelince sorunuz gönderilecek").waitFor();
  await edge.start();
  await until("the question", () => edge.query("SELECT id FROM questions WHERE body = ?1", question).then((r) => r.length === 1));
  await page.waitForFunction(() => localStorage.getItem("memnun:outbox:v1") === null);
  assert.equal((await edge.query("SELECT COUNT(*) AS n FROM questions WHERE body = ?1", question))[0].n, 1, "stored once");
  await context.close();
});

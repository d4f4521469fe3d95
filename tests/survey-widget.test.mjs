// The survey widget in a real Chromium, on the demo shop's survey page (strict CSP), against the
// real worker: a detractor's path and a promoter's, one question per step with the keyboard,
// resuming after a reload, "no thanks", and going offline mid-survey (devtools network
// emulation) with every answer stored exactly once when the network is back.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { startShopInBrowser, adminCall, ROOT } from "./support/harness.mjs";

const DEMO_KEY = "mk_demo_local_only";
const ENDPOINT = "POST /v1/shops/{shop}/survey/answers";
let stack, edge, site, browser;
let orders = 0;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
  const pages = await admin("PUT", "shop", { survey_page: `${site.url}/anket.html` });
  assert.equal(pages.status, 200, pages.text);
});
after(async () => {
  await stack?.stop();
});

const admin = (method, p, body) => adminCall(edge, method, p, { key: DEMO_KEY, body });
const survey = (page) => page.locator('[data-memnun="survey"]');
const row = async (id) => (await edge.query("SELECT * FROM survey_responses WHERE shop_id = 'demo' AND order_id = ?1", id))[0];

/** A delivered order of the demo shop and its survey link. */
async function deliveredOrder() {
  orders += 1;
  const id = `SW-${orders}`;
  const put = await admin("PUT", `orders/${id}`, {
    number: String(7700 + orders),
    email: `survey${orders}@example.com`,
    placed_at: Date.now() - 72 * 3600 * 1000,
    items: [{ product: "kahve-fincani-01", quantity: 1 }],
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo" }],
  });
  assert.equal(put.status, 200, put.text);
  const events = await admin("POST", `orders/${id}/events`, { events: [{ shipment: "s1", status: "delivered", time: Date.now() }] });
  assert.equal(events.status, 200, events.text);
  const links = await admin("POST", `orders/${id}/links`);
  assert.equal(links.status, 201, links.text);
  return { id, number: String(7700 + orders), url: links.json.survey.url };
}

async function openPage(url, context) {
  context ??= await browser.newContext({ locale: "tr-TR" });
  const page = await context.newPage();
  page.errors = [];
  page.fetched = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("request", (r) => page.fetched.push(new URL(r.url()).pathname));
  await page.goto(url);
  return page;
}

async function pick(w, n) {
  await w.locator(".point").filter({ hasText: new RegExp(`^${n}$`) }).click();
}
const next = (w) => w.getByRole("button", { name: "İleri" }).click();
const progress = (w) => w.locator(".progress-text").innerText();
/** An attribute of the element focused inside the survey's shadow root. */
const focused = (page, attribute) =>
  page.evaluate((a) => document.querySelector('[data-memnun="survey"]').shadowRoot.activeElement?.getAttribute(a) ?? null, attribute);

describe("survey widget", () => {
  test("a detractor's path: one question per step, a follow-up about what went wrong, every answer stored", async () => {
    const order = await deliveredOrder();
    const page = await openPage(order.url);
    const w = survey(page);
    await w.getByRole("group", { name: /önerme olasılığınız/ }).waitFor();
    assert.match(await w.locator(".memnun-survey").innerText(), new RegExp(`Sipariş ${order.number}`));
    assert.equal(await progress(w), "Soru 1 / 5");
    assert.equal(await w.getByRole("radio").count(), 11, "0 to 10");

    await next(w);
    assert.equal(await w.getByRole("alert").innerText(), "Lütfen bir yanıt seçin.", "a choice is needed");
    await pick(w, 3);
    await next(w);
    await w.getByRole("group", { name: "Üzgünüz. Ne ters gitti?" }).waitFor();
    assert.equal(await progress(w), "Soru 2 / 5");
    assert.equal((await row(order.id)).nps, 3, "saved as soon as it was given");
    await w.getByLabel("Teslimat çok uzun sürdü").check();
    await w.getByLabel("Ürün anlatıldığı gibi değil").check();
    await w.getByLabel("Biraz daha anlatır mısınız? (isteğe bağlı)").fill("Kargo 4 gün gecikti <b>ve</b> kutu ezikti");
    await next(w);

    // The keyboard: focus moves to the new question; arrows choose on the scale.
    await w.getByRole("group", { name: "Teslimattan ne kadar memnun kaldınız?" }).waitFor();
    assert.equal(await focused(page, "type"), "radio", "focus is on the new question");
    await page.keyboard.press("ArrowRight");
    assert.equal(await w.getByRole("radio", { checked: true }).getAttribute("value"), "2");
    await next(w);
    await w.getByRole("group", { name: "Siparişinizi almak ne kadar kolaydı?" }).waitFor();
    await pick(w, 3);
    await w.getByRole("button", { name: "Geri" }).click();
    await w.getByRole("group", { name: "Teslimattan ne kadar memnun kaldınız?" }).waitFor();
    assert.equal(await focused(page, "value"), "2", "back on an answered question, focus is on the answer (arrows would change it)");
    await next(w);
    await w.getByRole("group", { name: "Siparişinizi almak ne kadar kolaydı?" }).waitFor();
    assert.equal(await w.getByRole("radio", { checked: true }).getAttribute("value"), "3");

    const axeSource = await fs.readFile(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document.querySelector('[data-memnun="survey"]'), {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      });
      return result.violations.map((v) => `${v.id}: ${v.help}`);
    });
    assert.deepEqual(violations, []);

    await next(w);
    await w.getByLabel("Bize söylemek istediğiniz başka bir şey var mı? (isteğe bağlı)").fill("=1+1 hiç memnun kalmadım");
    await w.getByRole("button", { name: "Gönder" }).click();
    await w.getByText("Teşekkürler! Yanıtlarınız").waitFor();
    assert.equal(await focused(page, "class"), "done", "the thanks take the focus the form had, so they are read out");

    await waitFor(async () => (await row(order.id))?.completed_at);
    const stored = await row(order.id);
    assert.equal(stored.nps, 3);
    assert.deepEqual(JSON.parse(stored.reasons), ["delivery_time", "description"]);
    assert.equal(stored.follow_up, "Kargo 4 gün gecikti <b>ve</b> kutu ezikti", "markup stored as typed");
    assert.equal(stored.csat, 2);
    assert.equal(stored.ces, 3);
    assert.equal(stored.comment, "=1+1 hiç memnun kalmadım");
    assert.equal(stored.locale, "tr");
    assert.deepEqual(JSON.parse(stored.topics), ["delivery", "packaging"]);
    assert.ok(!page.fetched.some((p) => p.includes("memnun-product-") || p.includes("memnun-tracker-") || p.includes("/modules/order-tracker")), "a survey page fetches only the survey module");
    assert.deepEqual(page.errors, []);

    // Opened again: thanked, not asked again.
    await page.reload();
    await w.getByText("Bu anketi zaten yanıtladınız").waitFor();
    await page.context().close();
  });

  test("a promoter's path is worded for a promoter, and resumes after a reload where it was left", async () => {
    const order = await deliveredOrder();
    const page = await openPage(order.url);
    const w = survey(page);
    await pick(w, 10);
    await next(w);
    await w.getByRole("group", { name: "Buna sevindik! En çok neyi beğendiniz?" }).waitFor();
    await w.getByLabel("Hızlı teslimat").check();
    await w.getByLabel("Tam anlatıldığı gibi").check();
    await next(w);
    await w.getByRole("group", { name: "Teslimattan ne kadar memnun kaldınız?" }).waitFor();
    await waitFor(async () => (await row(order.id))?.seq === 2);

    await page.reload();
    await w.getByRole("group", { name: "Teslimattan ne kadar memnun kaldınız?" }).waitFor();
    assert.equal(await progress(w), "Soru 3 / 5", "resumed after the last answer");
    await w.getByRole("button", { name: "Geri" }).click();
    await w.getByRole("group", { name: "Buna sevindik! En çok neyi beğendiniz?" }).waitFor();
    assert.equal(await w.getByLabel("Hızlı teslimat").isChecked(), true, "earlier answers are shown");
    await next(w);
    await pick(w, 5);
    await next(w);
    await pick(w, 7);
    await next(w);
    await w.getByRole("button", { name: "Gönder" }).click();
    await w.getByText("Teşekkürler!").waitFor();
    await waitFor(async () => (await row(order.id))?.completed_at);
    const stored = await row(order.id);
    assert.deepEqual([stored.nps, stored.csat, stored.ces, stored.comment], [10, 5, 7, null]);
    assert.deepEqual(JSON.parse(stored.reasons), ["delivery_time", "description"]);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("no thanks: the survey says so and is not shown again", async () => {
    const order = await deliveredOrder();
    const page = await openPage(order.url);
    const w = survey(page);
    await w.getByRole("button", { name: "Hayır, teşekkürler" }).click();
    await w.getByText("bu sipariş için bir daha sormayacağız").waitFor();
    await waitFor(async () => (await row(order.id))?.dismissed_at);
    await page.reload();
    await w.getByText("bu sipariş için bir daha sormayacağız").waitFor();
    await page.context().close();
  });

  test("offline mid-survey: the answers wait on the device and are stored exactly once when back online", async () => {
    const order = await deliveredOrder();
    const keysBefore = (await edge.query("SELECT COUNT(*) AS n FROM idempotency_keys WHERE endpoint = ?1", ENDPOINT))[0].n;
    const page = await openPage(order.url);
    const w = survey(page);
    await pick(w, 9);
    await next(w);
    await w.getByRole("group", { name: /En çok neyi beğendiniz/ }).waitFor();
    await waitFor(async () => (await row(order.id))?.seq === 1);

    await page.context().setOffline(true);
    await w.getByLabel("Paketleme").check();
    await next(w);
    await pick(w, 4);
    await next(w);
    await pick(w, 6);
    await next(w);
    await w.getByLabel(/başka bir şey var mı/).fill("Hızlı ve özenli");
    await w.getByRole("button", { name: "Gönder" }).click();
    await w.getByText("Teşekkürler!").waitFor();
    await w.getByText("Bu cihaza kaydedildi").waitFor();
    assert.equal((await row(order.id)).seq, 1, "nothing arrived while offline");
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem("memnun:outbox:v1") || "[]").length);
    assert.equal(queued, 4, "every answer given offline waits on the device");

    await page.context().setOffline(false);
    await waitFor(async () => (await row(order.id))?.completed_at, 45_000);
    await w.getByText("Bu cihaza kaydedildi").waitFor({ state: "detached" });
    const stored = await row(order.id);
    assert.deepEqual([stored.nps, stored.csat, stored.ces, stored.comment, stored.seq], [9, 4, 6, "Hızlı ve özenli", 5]);
    assert.deepEqual(JSON.parse(stored.reasons), ["packaging"]);
    assert.equal((await edge.query("SELECT COUNT(*) AS n FROM survey_responses WHERE shop_id = 'demo' AND order_id = ?1", order.id))[0].n, 1);
    const keysAfter = (await edge.query("SELECT COUNT(*) AS n FROM idempotency_keys WHERE endpoint = ?1", ENDPOINT))[0].n;
    assert.equal(keysAfter - keysBefore, 5, "five saves, each taken once");
    assert.equal(await page.evaluate(() => localStorage.getItem("memnun:outbox:v1")), null, "the device's queue is empty");
    assert.deepEqual(page.errors.filter((e) => !e.includes("Failed to fetch")), []);
    await page.context().close();
  });

  test("in English, with the shop's own wording where it has one", async () => {
    const settings = await admin("PUT", "survey", { texts: { en: { nps: "Would you recommend Atölye to a friend?" } }, questions: { ces: false } });
    assert.equal(settings.status, 200, settings.text);
    try {
      const order = await deliveredOrder();
      const token = new URL(order.url).hash.slice("#memnun=".length);
      const page = await openPage(`${site.url}/survey-en.html#memnun=${token}`, await browser.newContext({ locale: "en-GB" }));
      const w = survey(page);
      await w.getByRole("group", { name: "Would you recommend Atölye to a friend?" }).waitFor();
      assert.equal(await progress(w), "Question 1 of 4", "the shop asks four questions");
      assert.match(await w.locator(".ends").innerText(), /0: not at all likely\s+10: extremely likely/);
      await w.locator(".point").filter({ hasText: /^8$/ }).click();
      await w.getByRole("button", { name: "Next" }).click();
      await w.getByRole("group", { name: "What would have made it a 10?" }).waitFor();
      await w.getByLabel("A better price").check();
      await w.getByRole("button", { name: "Next" }).click();
      await w.getByRole("group", { name: "How satisfied are you with the delivery?" }).waitFor();
      await w.locator(".point").filter({ hasText: /^4$/ }).click();
      await w.getByRole("button", { name: "Next" }).click();
      await w.getByLabel("Anything else you would like to tell us? (optional)").waitFor();
      await w.getByRole("button", { name: "Send" }).click();
      await w.getByText("Thank you! Your answers help us do better.").waitFor();
      await waitFor(async () => (await row(order.id))?.completed_at);
      const stored = await row(order.id);
      assert.deepEqual([stored.nps, stored.csat, stored.ces, stored.locale], [8, 4, null, "en"]);
      assert.deepEqual(JSON.parse(stored.reasons), ["price"]);
      await page.context().close();
    } finally {
      await admin("PUT", "survey", { texts: {}, questions: { ces: true } });
    }
  });

  test("finished on another device: this one stops asking at its next answer", async () => {
    const order = await deliveredOrder();
    const page = await openPage(order.url);
    const w = survey(page);
    await w.getByRole("group", { name: /önerme olasılığınız/ }).waitFor();
    const token = new URL(order.url).hash.slice("#memnun=".length);
    const other = await fetch(`${edge.url}/v1/shops/demo/survey/answers`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: site.url, "Idempotency-Key": randomUUID() },
      body: JSON.stringify({ token, seq: 5, answers: { nps: 10 }, complete: true }),
    });
    assert.equal(other.status, 200, await other.text());
    await pick(w, 3);
    await next(w);
    await w.getByText("Bu anketi zaten yanıtladınız").waitFor();
    assert.equal((await row(order.id)).nps, 10, "the other device's answers stand");
    await page.context().close();
  });

  test("a page opened without a survey link says where to find one", async () => {
    const page = await openPage(`${site.url}/anket.html`);
    await survey(page).getByText("bağlantıdan açın").waitFor();
    await page.context().close();
  });
});

async function waitFor(check, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error("timed out waiting for the edge to have it");
    await new Promise((r) => setTimeout(r, 200));
  }
}

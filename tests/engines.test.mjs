// The part of the browser tests every engine shoppers use runs: Chromium, Firefox (ESR) and
// WebKit (WebKitGTK's MiniBrowser, the engine of Safari), each on the demo shop (strict CSP)
// against the real worker, written once through `support/browsers.mjs`: every widget's main
// path, the loader's lazy loading and single-page scan, the outbox across a stopped edge, axe in
// the shadow roots, and the places where engines differ (constructable stylesheets, streaming
// compilation, Turkish number and date formats, the beacon's text/plain, storage that throws, no
// `crypto.randomUUID`). Every page carries `pages/engine-probe.js` first, and every test ends
// with no script error and no CSP violation heard. The rest of the browser tests run in
// Chromium only.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { Edge, startDemoSite, adminCall, demoCatalog, getReviews, until, ROOT } from "./support/harness.mjs";
import { ENGINES, launchEngine } from "./support/browsers.mjs";

const DEMO_KEY = "mk_demo_local_only";
const PRODUCT_PAGE = "/products/kahve-fincani-01.html";
let edge, site;

before(async () => {
  edge = await Edge.start({ demoSeed: true });
  site = await startDemoSite(edge.url, [], { headScript: "/engine-probe.js" });
  await edge.allowOrigin("demo", site.url);
  const catalog = await admin("PUT", "catalog", { mode: "replace", items: await demoCatalog(site.url) });
  assert.equal(catalog.status, 200, catalog.text);
  const pages = await admin("PUT", "shop", { survey_page: `${site.url}/anket.html`, tracker_page: `${site.url}/siparis-takip.html` });
  assert.equal(pages.status, 200, pages.text);
});

after(async () => {
  await site?.stop();
  await edge?.cleanup();
});

const admin = (method, p, body) => adminCall(edge, method, p, { key: DEMO_KEY, body });
const surveyRow = async (id) => (await edge.query("SELECT * FROM survey_responses WHERE shop_id = 'demo' AND order_id = ?1", id))[0];

let orders = 0;
/** An order of the demo shop, delivered if told, with its tracker and survey links. */
async function newOrder({ delivered = false } = {}) {
  orders += 1;
  const id = `EN-${orders}`;
  const number = String(9100 + orders);
  const email = `engines${orders}@example.com`;
  const put = await admin("PUT", `orders/${id}`, {
    number,
    email,
    placed_at: Date.now() - 30 * 3600e3,
    items: [{ product: "kahve-fincani-01", quantity: 2 }],
    shipments: [{ id: "s1", carrier: "Yurtiçi Kargo", tracking_number: "YK91" }],
  });
  assert.equal(put.status, 200, put.text);
  const status = delivered ? "delivered" : "in_transit";
  const events = await admin("POST", `orders/${id}/events`, { events: [{ shipment: "s1", status, time: Date.now() - 3600e3, location: "Ankara Aktarma" }] });
  assert.equal(events.status, 200, events.text);
  const links = await admin("POST", `orders/${id}/links`);
  assert.equal(links.status, 201, links.text);
  return { id, number, email, links: links.json };
}

/** The page's address with the probe's `?probe=` conditions, before any fragment. */
const probed = (url, ...conditions) => {
  const u = new URL(url);
  for (const c of conditions) u.searchParams.append("probe", c);
  return u.href;
};

/** No script error and no CSP violation was heard on the page. */
async function assertQuiet(page, browser) {
  const heard = await page.run(() => window.memnunProbe);
  assert.deepEqual(heard.errors, [], `${browser.version}: script errors`);
  assert.deepEqual(heard.violations, [], `${browser.version}: CSP violations`);
}

async function quietThenClose(page, browser) {
  await assertQuiet(page, browser);
  await page.close();
}

// In the page (sent as source: only their arguments reach them).
/** The widget files the page fetched, as paths. */
const widgetFiles = () =>
  performance
    .getEntriesByType("resource")
    .map((e) => new URL(e.name).pathname)
    .filter((p) => /^\/v1\/(assets|modules)\//.test(p))
    .sort();
/** The text of `css` in the shadow root of the placeholder of `kind`, or null. */
const shown = (kind, css) => document.querySelector(`[data-memnun="${kind}"]`)?.shadowRoot?.querySelector(css)?.textContent ?? null;
/** After the loader has run and every observer has had the frames it reports in. */
const loaderSettled = () =>
  window.memnun ? new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true)))) : false;
/** Focuses `css` in the shadow root of `kind`'s placeholder; false while it is not there. */
const focusIn = (kind, css) => {
  const el = document.querySelector(`[data-memnun="${kind}"]`)?.shadowRoot?.querySelector(css);
  if (!el) return false;
  el.focus();
  return el.getRootNode().activeElement === el;
};
/** Clicks the element of `css` in `kind`'s shadow root whose text is `text` (or contains it,
 * `partly`); false while there is none. */
const clickIn = (kind, css, text, partly = false) => {
  const root = document.querySelector(`[data-memnun="${kind}"]`)?.shadowRoot;
  const el = [...(root?.querySelectorAll(css) ?? [])].find((e) => {
    const t = e.textContent.trim();
    return text == null || (partly ? t.includes(text) : t === text);
  });
  if (!el) return false;
  el.click();
  return true;
};
/** The id of the element focused in `kind`'s shadow root. */
const focusedIn = (kind) => document.querySelector(`[data-memnun="${kind}"]`)?.shadowRoot?.activeElement?.id ?? null;
/** The texts of every live status in `kind`'s shadow root. */
const statuses = (kind) =>
  [...(document.querySelector(`[data-memnun="${kind}"]`)?.shadowRoot?.querySelectorAll('[role="status"]') ?? [])].map((e) => e.textContent);
/** What the survey's outbox holds on this device. */
const outboxLength = () => JSON.parse(localStorage.getItem("memnun:outbox:v1") || "[]").length;

for (const engine of ENGINES) {
  describe(`in ${engine}`, () => {
    let browser;
    before(async () => {
      browser = await launchEngine(engine);
    });
    after(async () => {
      await browser?.close();
    });

    test("the probe hears a CSP violation and a script error, so a quiet page means something", async () => {
      const page = await browser.open(`${site.url}/below-fold.html`);
      await page.run(() => {
        // The strict CSP allows images from the shop, the edge and data: only.
        new Image().src = "http://192.0.2.1/pixel.png";
        setTimeout(() => {
          throw new Error("the probe's own error");
        });
      });
      const heard = await page.until("the probe hearing both", () => {
        const { violations, errors } = window.memnunProbe;
        // Chromium mutes the message of an error from script a driver sent ("Script error.").
        return violations.length > 0 && errors.length > 0 && window.memnunProbe;
      });
      assert.match(heard.violations[0], /^img-src/, browser.version);
      await page.close();
    });

    test("the loader fetches no module until a placeholder nears the viewport, then mounts it", async () => {
      const page = await browser.open(`${site.url}/below-fold.html`);
      await page.until("the loader", loaderSettled);
      assert.deepEqual(await page.run(widgetFiles), [], `${browser.version}: nothing before the shopper scrolls`);
      const reserved = await page.run(() => getComputedStyle(document.getElementById("below")).minHeight);
      assert.notEqual(reserved, "0px", "space is reserved before mount");
      await page.run(() => document.getElementById("below").scrollIntoView());
      await page.until("the review list", shown, "reviews", ".summary");
      const files = await page.run(widgetFiles);
      assert.ok(files.some((f) => /^\/v1\/assets\/memnun-product-[0-9a-f]{12}\.wasm$/.test(f)), `${files}`);
      assert.ok(!files.some((f) => /tracker|survey/.test(f)), `only the product module: ${files}`);
      await quietThenClose(page, browser);
    });

    test("the loader starts a module 400 px before its placeholder scrolls into view, not sooner", async () => {
      const page = await browser.open(`${site.url}/below-fold.html`);
      await page.until("the loader", loaderSettled);
      const scrollToBelowViewport = (px) => {
        const below = document.getElementById("below");
        window.scrollTo(0, below.getBoundingClientRect().top + window.scrollY - window.innerHeight - px);
        return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(below.getBoundingClientRect().top - window.innerHeight))));
      };
      const away700 = await page.run(scrollToBelowViewport, 700);
      assert.ok(Math.abs(away700 - 700) <= 2, `${browser.version}: ${away700} px below the viewport`);
      await page.until("the loader", loaderSettled);
      assert.deepEqual(await page.run(widgetFiles), [], `${browser.version}: 700 px away, nothing yet`);
      const away200 = await page.run(scrollToBelowViewport, 200);
      assert.ok(Math.abs(away200 - 200) <= 2, `${browser.version}: ${away200} px below the viewport`);
      await until("the module, 200 px before the placeholder shows", async () => {
        const files = await page.run(widgetFiles);
        return files.some((f) => f.endsWith(".wasm"));
      });
      assert.ok(await page.run(() => document.getElementById("below").getBoundingClientRect().top > window.innerHeight), "still out of view");
      await quietThenClose(page, browser);
    });

    test("the tracker page: the lookup form, from the module its hints preload, each file once", async () => {
      const page = await browser.open(`${site.url}/siparis-takip.html`);
      const form = await page.until("the lookup form", shown, "order-tracker", "form:has(#memnun-order-number)");
      assert.match(form, /Sipariş numarası/);
      assert.deepEqual(await page.run(widgetFiles), ["/v1/modules/order-tracker.js", "/v1/modules/order-tracker.wasm"]);
      await quietThenClose(page, browser);
    });

    test("the survey page without a link says where to find one", async () => {
      const page = await browser.open(`${site.url}/anket.html`);
      const said = await page.until("the survey's message", shown, "survey", ".done");
      assert.match(said, /bağlantıdan açın/);
      assert.deepEqual(await page.run(widgetFiles), ["/v1/modules/survey.js", "/v1/modules/survey.wasm"]);
      await quietThenClose(page, browser);
    });

    test("reviews: the list, in Turkish, styled by its adopted sheet; a review written by keyboard only is stored", async () => {
      const page = await browser.open(`${site.url}${PRODUCT_PAGE}`);
      const api = (await getReviews(edge, "kahve-fincani-01", "", "demo")).json;
      const count = await page.until("the review summary", shown, "reviews", ".summary");
      assert.match(count, new RegExp(`${api.summary.count} değerlendirme`));
      assert.match(await page.run(shown, "reviews", ".average"), new RegExp(`^${api.summary.average.toFixed(1).replace(".", ",")}`));
      // The stylesheet is a constructable one, adopted by the shadow root, and applies.
      const styled = await page.run(() => {
        const root = document.querySelector('[data-memnun="reviews"]').shadowRoot;
        return { adopted: root.adoptedStyleSheets.length, display: getComputedStyle(root.querySelector("button.write-open")).cursor };
      });
      assert.deepEqual(styled, { adopted: 1, display: "pointer" });
      // A review date in Turkish (Intl): a month's name, then the year.
      assert.match(await page.run(shown, "reviews", "li.review time"), /^\d{1,2} (Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık) \d{4}$/);

      await page.until("the write button", focusIn, "reviews", "button.write-open");
      await page.press("Enter");
      await until("focus on the form's first choice", async () => (await page.run(focusedIn, "reviews")) === "memnun-rating-0");
      const started = Date.now();
      await page.press("ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight");
      assert.equal(await page.run(focusedIn, "reviews"), "memnun-rating-4");
      const author = `Klavye ${engine}`;
      for (const [id, text] of [["memnun-title", "Klavyeyle yazildi"], ["memnun-body", `Fincan cok guzel, ${engine} ile klavyeyle yazdim.`], ["memnun-author", author]]) {
        await page.until(`the field ${id}`, focusIn, "reviews", `#${id}`);
        await page.type(text);
      }
      // A person takes more than the form's 3 s minimum to rate and write.
      await new Promise((r) => setTimeout(r, Math.max(0, started + 3500 - Date.now())));
      await page.press("Enter");
      await until("the thanks", async () => (await page.run(statuses, "reviews")).some((t) => /Teşekkürler/.test(t)));
      const mine = (await getReviews(edge, "kahve-fincani-01", "", "demo")).json.reviews.find((r) => r.author === author);
      assert.ok(mine, "the review is listed by the API");
      assert.equal(mine.rating, 4);
      assert.equal(mine.body, `Fincan cok guzel, ${engine} ile klavyeyle yazdim.`);
      assert.ok((await page.run(() => window.memnunProbe.streamed)) >= 1, "the module was compiled as it streamed in (application/wasm)");
      await quietThenClose(page, browser);
    });

    test("the strip: prices in Turkish lira, scrolled by keyboard; what it showed reaches the edge by beacon", async () => {
      const page = await browser.open(`${site.url}/products/cezve-04.html`);
      await page.until("the loader", loaderSettled);
      await page.run(() => document.querySelector('[data-memnun="recommendations"]').scrollIntoView());
      await page.until("the strip's cards", shown, "recommendations", ".card");
      const prices = await page.run(() => [...document.querySelector('[data-memnun="recommendations"]').shadowRoot.querySelectorAll(".card .price")].map((e) => e.textContent));
      assert.ok(prices.length > 0 && prices.every((p) => /^[₺€]\d{1,3}(\.\d{3})*,\d{2}$/.test(p)), `${browser.version}: ${prices}`);
      await page.until("the strip focused", focusIn, "recommendations", "ul.strip");
      const scrolled = () => document.querySelector('[data-memnun="recommendations"]').shadowRoot.querySelector("ul.strip").scrollLeft;
      await page.press("ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight");
      await until("the strip scrolled by its arrows", async () => (await page.run(scrolled)) > 0);
      await assertQuiet(page, browser);
      // Leaving the page hides it: the loader's beacon (text/plain, no preflight) carries the
      // cards shown, and the edge stores exactly the events it carried.
      await page.goto(`${site.url}/`);
      const sent = await page.run(() => JSON.parse(sessionStorage.getItem("memnun-probe:beacons") || "[]"));
      assert.ok(sent.length > 0, `${browser.version}: a beacon left with the page`);
      const stored = async () =>
        (await edge.query(`SELECT kind FROM shopper_events WHERE shop_id = 'demo' AND id IN (${sent.map(() => "?").join(",")})`, ...sent)).map((r) => r.kind);
      await until("the beacon's events at the edge", async () => (await stored()).length === sent.length);
      assert.ok((await stored()).includes("recommendation_shown"), `${await stored()}`);
      await page.close();
    });

    test("the tracker: from a link, the order's state; by number and email, typed, the same order", async () => {
      const order = await newOrder();
      const page = await browser.open(order.links.tracker.url);
      assert.equal(await page.until("the order's state", shown, "order-tracker", ".current-state"), "Yolda");
      assert.match(await page.run(shown, "order-tracker", ".memnun-tracker"), new RegExp(`Sipariş ${order.number}`));
      assert.match(await page.run(shown, "order-tracker", ".events li"), /Yolda · Ankara Aktarma/);
      // An event's time in Turkish (Intl, dateStyle medium): a day, a month's short name, the time.
      assert.match(
        await page.run(shown, "order-tracker", ".events li time"),
        /^\d{1,2} (Oca|Şub|Mar|Nis|May|Haz|Tem|Ağu|Eyl|Eki|Kas|Ara) \d{4},? \d{2}:\d{2}$/,
        browser.version,
      );
      // The tab remembers the order it showed: the shopper asks for another.
      await page.goto(`${site.url}/siparis-takip.html`);
      await page.until("the button for another order", clickIn, "order-tracker", "button", "Başka bir sipariş");
      await page.until("the number field", focusIn, "order-tracker", "#memnun-order-number");
      await page.type(order.number);
      await page.until("the email field", focusIn, "order-tracker", "#memnun-order-email");
      await page.type(order.email);
      await page.press("Enter");
      await until("the found order", async () => new RegExp(`Sipariş ${order.number}`).test((await page.run(shown, "order-tracker", ".memnun-tracker")) ?? ""));
      assert.equal(await page.run(shown, "order-tracker", ".current-state"), "Yolda");
      await quietThenClose(page, browser);
    });

    test("the survey: answered to the end, resumed after a reload where it was left", async () => {
      const order = await newOrder({ delivered: true });
      const page = await browser.open(order.links.survey.url);
      await page.until("the 0–10 scale", clickIn, "survey", ".point", "10");
      await page.until("the next button", clickIn, "survey", "button", "İleri");
      await page.until("the promoter's reasons", clickIn, "survey", "label", "Hızlı teslimat", true);
      await page.until("the next button", clickIn, "survey", "button", "İleri");
      await until("two answers stored", async () => (await surveyRow(order.id))?.seq === 2);
      await page.reload();
      assert.equal(await page.until("the progress", shown, "survey", ".progress-text"), "Soru 3 / 5", "resumed after the last answer");
      await page.until("the scale", clickIn, "survey", ".point", "5");
      await page.until("the next button", clickIn, "survey", "button", "İleri");
      await until("the scale", async () => (await page.run(shown, "survey", ".progress-text")) === "Soru 4 / 5" && page.run(clickIn, "survey", ".point", "7"));
      await page.until("the next button", clickIn, "survey", "button", "İleri");
      await page.until("the send button", clickIn, "survey", "button", "Gönder");
      await until("the thanks", async () => /Teşekkürler!/.test((await page.run(shown, "survey", ".memnun-survey")) ?? ""));
      await until("the survey completed", async () => (await surveyRow(order.id))?.completed_at);
      const stored = await surveyRow(order.id);
      assert.deepEqual([stored.nps, stored.csat, stored.ces], [10, 5, 7]);
      assert.deepEqual(JSON.parse(stored.reasons), ["delivery_time"]);
      await quietThenClose(page, browser);
    });

    test("an answer given while the edge is down waits on the device, and is stored once the edge is back", async () => {
      const order = await newOrder({ delivered: true });
      const page = await browser.open(order.links.survey.url);
      await page.until("the 0–10 scale", shown, "survey", ".point");
      await edge.stop();
      try {
        await page.until("the scale", clickIn, "survey", ".point", "9");
        await page.until("the next button", clickIn, "survey", "button", "İleri");
        await until("the answer kept on the device", async () => (await page.run(outboxLength)) === 1);
      } finally {
        // Every later test needs the edge, whatever happened here.
        await edge.start();
      }
      await until("the answer stored", async () => (await surveyRow(order.id))?.seq === 1);
      assert.equal((await surveyRow(order.id)).nps, 9);
      await until("the device's queue emptied", async () => (await page.run(outboxLength)) === 0);
      // The failed sends are network errors the outbox expects, not the page's.
      const heard = await page.run(() => window.memnunProbe);
      assert.deepEqual(heard.violations, []);
      await page.close();
    });

    test("without crypto.randomUUID (a shop on plain http) and with storage that throws (private windows), answers still arrive", async () => {
      const order = await newOrder({ delivered: true });
      const page = await browser.open(probed(order.links.survey.url, "no-random-uuid", "storage-throws"));
      assert.equal(await page.run(() => typeof crypto.randomUUID), "undefined");
      await page.until("the 0–10 scale", clickIn, "survey", ".point", "8");
      await page.until("the next button", clickIn, "survey", "button", "İleri");
      await until("the answer stored", async () => (await surveyRow(order.id))?.seq === 1);
      assert.equal((await surveyRow(order.id)).nps, 8);
      await quietThenClose(page, browser);
      const product = await browser.open(probed(`${site.url}${PRODUCT_PAGE}`, "no-random-uuid", "storage-throws"));
      assert.match(await product.until("the review summary", shown, "reviews", ".summary"), /değerlendirme/);
      await quietThenClose(product, browser);
    });

    test("a placeholder a single-page shop adds later is found and mounted", async () => {
      const page = await browser.open(`${site.url}/products/linen-shirt-02.html`);
      await page.until("the first review list", shown, "reviews", ".summary");
      await page.run(() => {
        const el = document.createElement("div");
        el.id = "later";
        el.dataset.memnun = "reviews";
        el.dataset.product = "kahve-fincani-01";
        document.querySelector("main").prepend(el);
      });
      await page.until("the added list", () => document.getElementById("later")?.shadowRoot?.querySelector(".summary")?.textContent);
      await quietThenClose(page, browser);
    });

    test("axe finds nothing to fix in the widgets' shadow roots", async () => {
      const order = await newOrder({ delivered: true });
      const axe = await fs.readFile(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
      for (const [url, kind, ready] of [
        [`${site.url}${PRODUCT_PAGE}`, "reviews", "li.review"],
        [`${site.url}/products/cezve-04.html`, "recommendations", ".card"],
        [order.links.tracker.url, "order-tracker", ".current-state"],
        [order.links.survey.url, "survey", ".point"],
      ]) {
        const page = await browser.open(url);
        await page.until("the loader", loaderSettled);
        await page.run((k) => document.querySelector(`[data-memnun="${k}"]`).scrollIntoView(), kind);
        await page.until(`the ${kind} widget`, shown, kind, ready);
        await page.inject(axe);
        const violations = await page.run(async (k) => {
          const result = await window.axe.run(document.querySelector(`[data-memnun="${k}"]`), {
            runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
          });
          return result.violations.map((v) => `${v.id}: ${v.help}`);
        }, kind);
        assert.deepEqual(violations, [], `${browser.version}, ${kind}`);
        await quietThenClose(page, browser);
      }
    });
  });
}

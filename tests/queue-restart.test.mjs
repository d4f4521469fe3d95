// The worker process is killed (SIGKILL, not a clean stop) in the middle of a load and started
// again on the same port and database. A shopper's review reaches the edge and is stored, but
// the process dies before the answer gets back; a second review and two survey answers are
// given while it is down. The widgets' browser-side queue (one outbox shared by both tabs)
// says it will send them, and once the edge is back delivers each exactly once: the first one
// is answered from its stored idempotency record, not stored again. The HTTP clients of the
// load, resending with the same key until answered, lose nothing and double nothing either.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { startShopInBrowser, adminCall, openReviewForm, newClient, review, TEST_API_KEY, TEST_SHOP } from "./support/harness.mjs";

const DEMO_KEY = "mk_demo_local_only";
const PRODUCT_PAGE = "/products/kahve-fincani-01.html";
const OUTBOX = "memnun:outbox:v1";
const ORIGIN = "https://load.example";
// In the test environment (limits as the widgets meet them): the load goes to test-shop, so
// the demo shop's per-shop limit is the shopper's alone. It runs until 2 s after the restart,
// so the kill lands in its middle however fast this machine is, and sends at most LOAD_MAX
// writes (a third of them reviews: within test-shop's 400 a minute).
const LOAD_MAX = 900;
const LOAD_CLIENTS = 16;
// Between a client's writes: leaves the browser some of this machine's two cores.
const LOAD_PAUSE_MS = 10;
let stack, edge, site, browser;

before(async () => {
  stack = await startShopInBrowser();
  ({ edge, site, browser } = stack);
  const pages = await adminCall(edge, "PUT", "shop", { key: DEMO_KEY, body: { survey_page: `${site.url}/anket.html` } });
  assert.equal(pages.status, 200, pages.text);
  await edge.allowOrigin(TEST_SHOP, ORIGIN);
});
after(async () => {
  await stack?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check, what, ms = 60_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

/** Kills the workerd process this test file's edge runs in, as a crash would: no request
 * finishes, nothing is flushed. It is this process's only workerd child. */
function killWorkerd() {
  const children = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      return ppid === process.pid && name === "workerd" ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
  assert.equal(children.length, 1, `one workerd child, found ${children.join(", ")}`);
  process.kill(children[0], "SIGKILL");
}

/** Write `i` of the load: reviews, event beacons and order PUTs to the test shop. */
function loadWrite(i) {
  const key = randomUUID();
  switch (i % 3) {
    case 0: {
      const marker = `Q${i}-${key.slice(0, 8)}`;
      return { i, kind: "review", key, marker, method: "POST", path: `/v1/shops/${TEST_SHOP}/reviews`,
        headers: { "Content-Type": "application/json", Origin: ORIGIN, "Idempotency-Key": key },
        body: JSON.stringify(review({ product: `qr-p${i % 7}`, title: marker, body: `Yeniden başlatma yükü ${marker}` })) };
    }
    case 1: {
      const products = [`qr-ev${i % 5}`, `qr-ev${(i % 5) + 5}`];
      const ids = products.map(() => randomUUID());
      return { i, kind: "event", ids, products, method: "POST", path: `/v1/shops/${TEST_SHOP}/events`,
        headers: { "Content-Type": "text/plain;charset=UTF-8", Origin: ORIGIN },
        body: JSON.stringify({ browser: randomUUID(), events: products.map((product, k) => ({ id: ids[k], type: "product_view", product })) }) };
    }
    default: {
      const products = [`qr-o${i % 4}`, `qr-o${(i % 4) + 4}`];
      return { i, kind: "order", order: `QO${i}`, products, method: "PUT", path: `/v1/admin/orders/QO${i}`,
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${TEST_API_KEY}` },
        body: JSON.stringify({ number: `QO${i}`, placed_at: "2026-11-01T10:00:00Z", items: products.map((product) => ({ product, quantity: 1 })) }) };
    }
  }
}

/** The load: each client sends its writes one after another, each until it is answered, with
 * the same key, as the widgets' queue does. */
function startLoad(progress) {
  const writes = [];
  const lanes = Array.from({ length: LOAD_CLIENTS }, async () => {
    const client = newClient();
    while (!progress.stop && writes.length < LOAD_MAX) {
      const w = loadWrite(writes.length);
      writes.push(w);
      w.attempts = [];
      for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
        const sentAt = Date.now();
        let status = 0;
        let before = false;
        try {
          const res = await fetch(`${edge.url}${w.path}`, { method: w.method, headers: { ...w.headers, "CF-Connecting-IP": client }, body: w.body });
          const text = await res.text();
          status = res.status;
          before = res.headers.get("Idempotent-Replayed") === "true" || (w.kind === "event" && status === 202 && JSON.parse(text).duplicates > 0);
        } catch {}
        w.attempts.push({ sentAt, status, before });
        if (status >= 200 && status < 500 && status !== 429) break;
        if (Date.now() - w.attempts[0].sentAt > 120_000) break;
        await sleep(delay);
      }
      w.status = w.attempts.at(-1).status;
      progress.answered += 1;
      await sleep(LOAD_PAUSE_MS);
    }
  });
  return Promise.all(lanes).then(() => writes);
}

test("killed mid-load and restarted: the widgets' queued writes and every resent write arrive exactly once", { timeout: 240_000 }, async () => {
  // A delivered order of the demo shop and its survey link, made while the edge is up.
  const admin = (method, p, body) => adminCall(edge, method, p, { key: DEMO_KEY, body });
  assert.equal((await admin("PUT", "orders/QR-1", { number: "9801", email: "qr@example.com", placed_at: Date.now() - 72 * 3600 * 1000, items: [{ product: "kahve-fincani-01", quantity: 1 }], shipments: [{ id: "s1", carrier: "Aras" }] })).status, 200);
  assert.equal((await admin("POST", "orders/QR-1/events", { events: [{ shipment: "s1", status: "delivered", time: Date.now() }] })).status, 200);
  const surveyUrl = (await admin("POST", "orders/QR-1/links")).json.survey.url;

  // One shopper, two tabs (so one outbox in localStorage): a product page and the survey.
  const context = await browser.newContext({ locale: "tr-TR" });
  const product = await context.newPage();
  // Either tab's queue may deliver either tab's writes: both pages' answers are watched.
  const reviewAnswers = [];
  context.on("response", async (res) => {
    if (res.request().method() === "POST" && res.url().endsWith("/v1/shops/demo/reviews")) {
      reviewAnswers.push({ body: JSON.parse(res.request().postData()).body, status: res.status(), replayed: (await res.allHeaders())["idempotent-replayed"] === "true" });
    }
  });
  await product.goto(site.url + PRODUCT_PAGE);
  const reviews = product.locator('[data-memnun="reviews"]');
  await openReviewForm(reviews);
  const shownAt = Date.now();
  const surveyPage = await context.newPage();
  await surveyPage.goto(surveyUrl);
  const survey = surveyPage.locator('[data-memnun="survey"]');
  await survey.getByRole("group", { name: /önerme olasılığınız/ }).waitFor();

  async function writeReview(stars, body, author) {
    await reviews.locator("#memnun-rating-0").focus();
    for (let i = 0; i < stars; i++) await product.keyboard.press("ArrowRight");
    await reviews.locator("#memnun-body").fill(body);
    await reviews.locator("#memnun-author").fill(author);
  }
  const first = `Gönderildi, cevabı gelmeden sunucu öldü ${Date.now()}`;
  const second = `Sunucu kapalıyken yazıldı ${Date.now()}`;
  await writeReview(5, first, "Yarıda Kalan");
  // A person takes longer than the 3 s the edge expects before a submit (else it is a bot's).
  await sleep(Math.max(0, shownAt + 3500 - Date.now()));

  // The first review reaches the edge and is stored; the worker is killed before its answer
  // is back, so the page sees the connection fail. The load is under way by then.
  const progress = { answered: 0, stop: false };
  const load = startLoad(progress);
  await waitFor(() => progress.answered >= 50, "the load under way");
  let killedAt = 0;
  await product.route("**/v1/shops/demo/reviews", async (route) => {
    if (route.request().method() !== "POST" || killedAt) return route.continue();
    const stored = await route.fetch();
    reviewAnswers.push({ body: first, status: stored.status(), replayed: false, lost: true });
    killWorkerd();
    killedAt = Date.now();
    await route.abort("connectionreset");
  });
  await reviews.getByRole("button", { name: "Değerlendirmeyi gönder" }).click();
  await reviews.getByRole("status").filter({ hasText: "kaydedildi ve otomatik olarak gönderilecek" }).waitFor();
  assert.ok(killedAt, "the worker was killed with the review stored and its answer not delivered");
  assert.equal(reviewAnswers.find((a) => a.lost)?.status, 201, "the first review was stored before the kill");
  const answeredBeforeKill = progress.answered;

  // While it is down: a second review, and the survey's first two answers.
  await writeReview(4, second, "Kapalıyken");
  await reviews.getByRole("button", { name: "Değerlendirmeyi gönder" }).click();
  await survey.locator(".point").filter({ hasText: /^8$/ }).click();
  await survey.getByRole("button", { name: "İleri" }).click();
  await survey.getByRole("status").filter({ hasText: "bağlantı gelince gönderilecek" }).waitFor();
  await survey.getByRole("group", { name: "10 vermeniz için ne olmalıydı?" }).waitFor();
  await survey.getByLabel("Daha hızlı teslimat").check();
  await survey.getByRole("button", { name: "İleri" }).click();
  await survey.getByRole("group", { name: "Teslimattan ne kadar memnun kaldınız?" }).waitFor();
  const queued = await waitFor(async () => {
    const all = JSON.parse((await product.evaluate((k) => localStorage.getItem(k), OUTBOX)) ?? "[]");
    return all.length === 4 && all;
  }, "four writes in the browser's queue");
  assert.equal(new Set(queued.map((p) => p.idempotency_key)).size, 4);
  await sleep(1000);

  // Started again on the same port (the pages know the edge by its URL) and the same database.
  const port = edge.port;
  await edge.stop();
  await edge.start();
  assert.equal(edge.port, port);
  const restartedAt = Date.now();
  const downSeconds = (restartedAt - killedAt) / 1000;
  await sleep(2000);
  progress.stop = true;
  const writes = await load;
  await product.waitForFunction((k) => localStorage.getItem(k) === null, OUTBOX, { timeout: 60_000 });
  // Each tab shows what became of its own writes, whichever tab's queue delivered them: the
  // review form no longer says its review waits, nor the survey its answers.
  await reviews.getByRole("status").filter({ hasText: /^Teşekkürler! Değerlendirmeniz/ }).waitFor({ timeout: 60_000 });
  await waitFor(async () => (await survey.getByText("bağlantı gelince gönderilecek").count()) === 0, "the survey tab told its answers arrived");
  const count = async (sql, ...params) => (await edge.query(sql, ...params))[0].n;

  // The shopper's: each review once, the first answered from its stored record; the survey
  // at its newest answer.
  assert.equal(await count("SELECT COUNT(*) AS n FROM reviews WHERE body = ?1", first), 1, "the review stored before the kill, once");
  assert.equal(await count("SELECT COUNT(*) AS n FROM reviews WHERE body = ?1", second), 1, "the review written while down, once");
  assert.ok(reviewAnswers.some((a) => a.body === first && a.replayed), `the resent first review was answered from its record: ${JSON.stringify(reviewAnswers)}`);
  const response = (await edge.query("SELECT seq, nps, reasons, answered_at FROM survey_responses WHERE shop_id = 'demo' AND order_id = 'QR-1'"))[0];
  assert.equal(response.seq, 2);
  assert.equal(response.nps, 8);
  assert.deepEqual(JSON.parse(response.reasons), ["delivery_time"]);

  // The load's: every write answered 2xx, stored once, and counted once.
  const problems = writes.filter((w) => w.status < 200 || w.status >= 300).map((w) => `${w.kind} ${w.i}: ${w.attempts.map((a) => a.status).join(",")}`);
  const byKind = (kind) => writes.filter((w) => w.kind === kind);
  const tally = (items) => items.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map());
  const compare = async (what, sql, want) => {
    const got = new Map((await edge.query(sql)).map((r) => [r.k, r.n]));
    for (const k of new Set([...got.keys(), ...want.keys()])) {
      if ((got.get(k) ?? 0) !== (want.get(k) ?? 0)) problems.push(`${what} ${k}: stored ${got.get(k) ?? 0}, expected ${want.get(k) ?? 0}`);
    }
  };
  await compare("review", "SELECT title AS k, COUNT(*) AS n FROM reviews WHERE title LIKE 'Q%' GROUP BY title", tally(byKind("review").map((w) => w.marker)));
  await compare("event", "SELECT id AS k, COUNT(*) AS n FROM shopper_events WHERE product_id LIKE 'qr-ev%' GROUP BY id", tally(byKind("event").flatMap((w) => w.ids)));
  await compare("view count", "SELECT product_id AS k, n FROM item_counts WHERE product_id LIKE 'qr-ev%'", tally(byKind("event").flatMap((w) => w.products)));
  await compare("order", "SELECT id AS k, COUNT(*) AS n FROM orders WHERE id LIKE 'QO%' GROUP BY id", tally(byKind("order").map((w) => w.order)));
  await compare("bought count", "SELECT product_id AS k, n FROM item_counts WHERE product_id LIKE 'qr-o%'", tally(byKind("order").flatMap((w) => w.products)));

  const inFlight = writes.filter((w) => w.attempts.some((a) => a.sentAt < killedAt && a.status === 0));
  const storedBefore = writes.filter((w) => w.attempts.some((a) => a.before)).length;
  const resent = writes.filter((w) => w.attempts.length > 1).length;
  const afterRestart = writes.filter((w) => w.attempts[0].sentAt >= restartedAt).length;
  console.log(`restart: load of ${writes.length} writes, ${answeredBeforeKill} answered before the kill, ${inFlight.length} in flight at it ` +
    `(${storedBefore} found stored on resend), ${resent} resent, ${afterRestart} first sent after the restart; down ${downSeconds.toFixed(1)} s; the shopper's 4 queued writes ` +
    `delivered (the first review's resend replayed); problems ${problems.length}`);
  assert.deepEqual(problems, []);
  await context.close();
});

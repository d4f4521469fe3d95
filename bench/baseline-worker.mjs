// The bench's ceiling: a minimal hand-written JavaScript Worker that runs the same D1 statements
// as memnun's review POST and GET (edge/src/handlers/shops.rs, idempotency.rs, reviews.rs), under the same
// runtime and local D1, with no validation, no normalisation and no error mapping. What memnun
// costs beyond it is what Rust, validation and our schema add.
const json = (status, body) =>
  new Response(body, { status, headers: { "content-type": "application/json; charset=utf-8" } });

export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    const match = url.pathname.match(/^\/v1\/shops\/([^/]+)\/(?:products\/([^/]+)\/)?reviews$/);
    if (!match) return json(404, '{"error":{"code":"not_found"}}');
    const [, shop, product] = match;
    const db = env.DB;
    if (req.method === "GET") {
      const [shops, ratings, reviews] = await db.batch([
        db.prepare("SELECT 1 AS one FROM shops WHERE id = ?1").bind(shop),
        db.prepare("SELECT stars_1, stars_2, stars_3, stars_4, stars_5 FROM product_ratings WHERE shop_id = ?1 AND product_id = ?2").bind(shop, product),
        db.prepare("SELECT id, product_id, rating, title, body, author, locale, created_at FROM reviews WHERE shop_id = ?1 AND product_id = ?2 AND status = 'published' ORDER BY created_at DESC, id DESC LIMIT ?3").bind(shop, product, 6),
      ]);
      if (!shops.results.length) return json(404, '{"error":{"code":"not_found"}}');
      const r = ratings.results[0] || { stars_1: 0, stars_2: 0, stars_3: 0, stars_4: 0, stars_5: 0 };
      const histogram = [r.stars_1, r.stars_2, r.stars_3, r.stars_4, r.stars_5];
      const count = histogram.reduce((a, b) => a + b, 0);
      const sum = histogram.reduce((a, n, i) => a + n * (i + 1), 0);
      const page = reviews.results.slice(0, 5);
      return json(200, JSON.stringify({
        summary: { count, average: count ? Math.round((sum / count) * 100) / 100 : 0, histogram },
        reviews: page,
        next_cursor: reviews.results.length > 5 ? `${page[4].created_at}.${page[4].id}` : null,
      }));
    }
    const origin = req.headers.get("origin") || "";
    const key = req.headers.get("idempotency-key") || "";
    const text = await req.text();
    const body = JSON.parse(text);
    const now = Date.now();
    const allowed = await db
      .prepare("SELECT (SELECT 1 FROM shop_origins o WHERE o.shop_id = s.id AND o.origin = ?2) AS allowed FROM shops s WHERE s.id = ?1")
      .bind(shop, origin)
      .first();
    if (!allowed || !allowed.allowed) return json(403, '{"error":{"code":"origin_not_allowed"}}');
    const endpoint = "POST /v1/shops/{shop}/reviews";
    const hash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const prior = await db
      .prepare("SELECT request_hash, status, response_body FROM idempotency_keys WHERE shop_id = ?1 AND endpoint = ?2 AND idempotency_key = ?3 AND created_at >= ?4")
      .bind(shop, endpoint, key, now - 48 * 3600 * 1000)
      .first();
    if (prior) return json(prior.status, prior.response_body);
    const id = "r" + crypto.randomUUID().replaceAll("-", "").slice(0, 24);
    const review = { id, product: body.product, rating: body.rating, title: body.title || "", body: body.body, author: body.author, locale: body.locale || null, created_at: now };
    const answer = JSON.stringify({ review });
    const star = (n) => (body.rating === n ? 1 : 0);
    await db.batch([
      db.prepare("DELETE FROM idempotency_keys WHERE shop_id = ?1 AND endpoint = ?2 AND idempotency_key = ?3 AND created_at < ?4").bind(shop, endpoint, key, now - 48 * 3600 * 1000),
      db.prepare("INSERT INTO idempotency_keys (shop_id, endpoint, idempotency_key, request_hash, status, response_body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)").bind(shop, endpoint, key, hash, 201, answer, now),
      db.prepare("INSERT INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'published', ?12)")
        .bind(id, shop, body.product, body.rating, review.title, body.body, body.author, body.email || null, review.locale, hash, hash, now),
      db.prepare("INSERT INTO product_ratings (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (shop_id, product_id) DO UPDATE SET stars_1 = stars_1 + excluded.stars_1, stars_2 = stars_2 + excluded.stars_2, stars_3 = stars_3 + excluded.stars_3, stars_4 = stars_4 + excluded.stars_4, stars_5 = stars_5 + excluded.stars_5, updated_at = excluded.updated_at")
        .bind(shop, body.product, star(1), star(2), star(3), star(4), star(5), now),
    ]);
    return json(201, answer);
  },
};

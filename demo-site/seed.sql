-- The demo shop (`cargo xtask demo`): shop `demo`, its local-only API key
-- `mk_demo_local_only` (stored hashed), and seeded reviews in Turkish and English.
-- Idempotent: running it again keeps reviews left during the demo.

INSERT OR IGNORE INTO shops (id, name, created_at) VALUES ('demo', 'Atölye Demo', 1793000000000);
INSERT OR IGNORE INTO shop_secrets (shop_id, kid, secret, created_at) VALUES ('demo', 's1', 'demo-token-secret-local-only', 1793000000000);
INSERT OR IGNORE INTO api_keys (key_hash, shop_id, name, created_at) VALUES ('4543edaab38804e83902fe86a68a20c7c67e2acad2db802d3770ba29ec8b7e72', 'demo', 'demo', 1793000000000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r1d6875ee4127775f9b845ecb', 'demo', 'kahve-fincani-01', 5, 'Sabah kahvemin yeni vazgeçilmezi', 'Sırın rengi fotoğraftakinden bile güzel. Elde tutuşu çok rahat, kahve uzun süre sıcak kalıyor.', 'Ayşe K.', NULL, 'tr', '0f55a212d9dd22757331926d76c2cbaa0a83ced27db95053d7eeb5dbb7ced9dd', 'seed', 'published', 1792913600000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r61ea51136a1eb39db39c889c', 'demo', 'kahve-fincani-01', 4, 'Güzel ama biraz küçük', 'İşçilik çok özenli. 180 ml yazıyordu ama ben biraz daha büyük bekliyordum; Türk kahvesi için değil, filtre için aldım.', 'Mehmet', NULL, 'tr', 'ffa4660cd9ac8894c353b8f37ffeb5a76d88d4b820b88c756abdb711c0303223', 'seed', 'published', 1792744400000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('rd2bfc8025ea4935a806fc25e', 'demo', 'kahve-fincani-01', 5, 'Beautiful glaze', 'Bought two as a gift. Packed very carefully, arrived in one piece, and the orange glaze is stunning.', 'Hannah', NULL, 'en', '2e7d958b59334b77fc16c983a5f3bfccdb2f4d6acd065365dffd5d2d491142a3', 'seed', 'published', 1792661600000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('red882b45e7d23de0772cdb60', 'demo', 'kahve-fincani-01', 5, '', 'Kargo hızlıydı, paketleme çok sağlamdı. Teşekkürler Atölye!', 'Zeynep Y.', NULL, 'tr', 'f9059589f2b0dd2bfa2cdf02fddabdd8fe9c1fc0ce6836964be0f1ebf5f47fac', 'seed', 'published', 1792492400000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r3a5c1f2b33c2418a56ef52c4', 'demo', 'kahve-fincani-01', 3, 'Renk farklı çıktı', 'Benimki daha koyu turuncu geldi. Açıklamada farklı olabileceği yazıyor, yine de bilgi vereyim.', 'Emre', NULL, 'tr', '2154825ed432c8f9c89aaf2f37ef576fd511fc14c871a5bfa93e7b8ead1cd1b9', 'seed', 'published', 1792323200000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('rc5ef56821a540dc39d22858f', 'demo', 'kahve-fincani-01', 4, 'Solid mug', 'Feels sturdy, survives the dishwasher fine. Handle could be a little bigger for large hands.', 'Tom B.', NULL, 'en', '30e4bf7673f10e5ebffd54c7dd48d9a7c57bf8c097708f1a50a1bb4e134ca90e', 'seed', 'published', 1792067600000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r1fc6480269f92f760935fa94', 'demo', 'kahve-fincani-01', 5, 'Hediye için aldım', 'Anneme hediye ettim, çok beğendi. Yanına tabağı da olsa harika olurdu.', 'Elif', NULL, 'tr', '8b2dfb137036259f7a8668ce5bf2e8351df95a4067eda382827497fd76de148e', 'seed', 'published', 1791898400000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('rdef4a0b021463baf249ed739', 'demo', 'kahve-fincani-01', 2, 'Small chip on the rim', 'There was a tiny chip on the rim when it arrived. Support replied quickly and sent a new one.', 'Priya', NULL, 'en', '9ef861e95f6fd843e4a2f4108515e10ba80d8e2553a4b801ac2c5404d5dee672', 'seed', 'published', 1791556400000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('rdccfa5fe7bf8555a0b8d7346', 'demo', 'kahve-fincani-01', 5, 'Çok şık', 'Mutfak rafında bile dekor gibi duruyor.', 'Deniz', NULL, 'tr', 'ed23d21b6ca1dc00eea3cc82770a200bcafd0f1a4865cc731d975888e967279e', 'seed', 'published', 1791214400000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r925bbaf6094520d2f1a3c31b', 'demo', 'kahve-fincani-01', 4, '', 'Nice weight, keeps coffee warm. Would buy again.', 'Lukas', NULL, 'en', '6192054041acaa15d1d22adf05c738576f1cf8391d02b3f8f296863c709cf10d', 'seed', 'published', 1790872400000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r6d99b031b1c70cf85b0ba334', 'demo', 'kahve-fincani-01', 5, 'Tam aradığım gibi', 'İkinci kez sipariş verdim, kalite hiç değişmemiş.', 'Can Ö.', NULL, 'tr', 'fb09f2d199ae1f3b9b78b50e56da1acb1c6ca709faecdf942cd7a29b1d79326f', 'seed', 'published', 1790444000000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r65d5862b4810a00b57a6457f', 'demo', 'kahve-fincani-01', 4, 'Güzel fincan', 'Sırrı parlak ve pürüzsüz. Biraz pahalı ama el yapımı olduğu belli.', 'Selin', NULL, 'tr', '8beae8f222f5a16ba13d987ee2a4a105d5a44a382dd7d1fd381aa31dc465bcb4', 'seed', 'published', 1790102000000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('re6cd11dc3cba7b69c6d72d3d', 'demo', 'linen-shirt-02', 5, 'Perfect summer shirt', 'Light, breathable and softer after every wash. Size M fits true to size.', 'Jonas', NULL, 'en', '00f780d7d2e855a6e1d42d6e29e75730bb412c863af076641b406504e51cbea2', 'seed', 'published', 1792870400000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r2af50b17765dc391e3fe7a94', 'demo', 'linen-shirt-02', 4, 'Nice fabric', 'Lovely linen, slightly wrinkly as linen is. Sleeves a bit long for me.', 'Maria', NULL, 'en', 'a4ab08568c2b62d208d30e3a5ac789cc62976a3142ca9e5ce2692059ce5598b0', 'seed', 'published', 1792614800000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('ra58811dd1ed40b83165a1e63', 'demo', 'linen-shirt-02', 5, 'Harika keten', 'Yazın Bodrum''da her gün giydim, hiç terletmedi. Düğmeleri de çok şık.', 'Burak', NULL, 'tr', 'fc868411bae4689220e05d799bed9b8d6a11f3bdf742e8be683c0fb3ca262289', 'seed', 'published', 1792272800000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r9c9faad5c6a200ed458b3b33', 'demo', 'linen-shirt-02', 3, 'Runs large', 'Had to exchange for a smaller size; the exchange was easy though.', 'Chris', NULL, 'en', 'f753c8c8cd4e298e41b00f5bcf4ec2a725b54bf2925e1b5ad5c3c59a0f1521fd', 'seed', 'published', 1792017200000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('rc5c225d4f8bdd73e1ee57522', 'demo', 'linen-shirt-02', 5, '', 'Renk fotoğraftaki gibi, kumaş kalitesi çok iyi.', 'Gizem', NULL, 'tr', 'ec4cc2b8f2fd443a3c74565fec9553a6ef69b7e78d9fb1497c38117a280a3d40', 'seed', 'published', 1791675200000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r3b5e3ee450c0218bff0c6aee', 'demo', 'linen-shirt-02', 4, 'Good value', 'Better quality than shirts twice the price. Would love more colours.', 'Sam', NULL, 'en', 'd3739ce0acc8eb32b7deddb0252f6ee52e4635c4c4f4c51c8b2fb6f3d585824d', 'seed', 'published', 1791419600000);
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, created_at) VALUES ('r7943dfabe1a8c2a871a1074c', 'demo', 'linen-shirt-02', 5, 'Çok rahat', 'Bol kesim tam istediğim gibi. Yıkadıktan sonra çekmedi.', 'Ahmet T.', NULL, 'tr', '8e526de50efb67129d9cfec2d22c0b8d6da25b168ca314a692ab4b1670a00443', 'seed', 'published', 1791077600000);

-- Verified purchases: these reviews came from the shop's review links (order numbers).
UPDATE reviews SET verified = 1, order_id = 'SIP-1042' WHERE id = 'r1d6875ee4127775f9b845ecb' AND order_id IS NULL;
UPDATE reviews SET verified = 1, order_id = 'SIP-1077' WHERE id = 'rd2bfc8025ea4935a806fc25e' AND order_id IS NULL;
UPDATE reviews SET verified = 1, order_id = 'SIP-1013' WHERE id = 'rdef4a0b021463baf249ed739' AND order_id IS NULL;
UPDATE reviews SET verified = 1, order_id = 'SIP-1101' WHERE id = 're6cd11dc3cba7b69c6d72d3d' AND order_id IS NULL;
UPDATE reviews SET verified = 1, order_id = 'SIP-1120' WHERE id = 'r9c9faad5c6a200ed458b3b33' AND order_id IS NULL;

-- The shop's public replies.
UPDATE reviews SET reply_body = 'Yaşadığınız sorun için özür dileriz. Artık her fincanı paketlemeden önce tek tek kontrol ediyoruz. — Atölye', reply_at = 1791600000000
  WHERE id = 'rdef4a0b021463baf249ed739' AND reply_body IS NULL;
UPDATE reviews SET reply_body = 'Thank you, Hannah! We hope they enjoy their coffee. — Atölye', reply_at = 1792700000000
  WHERE id = 'rd2bfc8025ea4935a806fc25e' AND reply_body IS NULL;
UPDATE reviews SET reply_body = 'Thanks for the note on sizing: the size guide now says the cut is relaxed. — Atölye', reply_at = 1792800000000
  WHERE id = 'r9c9faad5c6a200ed458b3b33' AND reply_body IS NULL;

-- "Was this helpful?" votes from demo browsers (voter keys are hashes, as the edge stores them).
INSERT OR IGNORE INTO review_votes (shop_id, review_id, voter_key, client_hash, created_at)
WITH RECURSIVE v(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM v WHERE n < 7)
SELECT 'demo', r.id, printf('seed-voter-%d', v.n), 'seed', 1793000000000
FROM reviews r JOIN v
WHERE r.shop_id = 'demo' AND v.n <= CASE r.id
  WHEN 'rdef4a0b021463baf249ed739' THEN 7 WHEN 'r61ea51136a1eb39db39c889c' THEN 5
  WHEN 'r1d6875ee4127775f9b845ecb' THEN 3 WHEN 'r9c9faad5c6a200ed458b3b33' THEN 6
  WHEN 'r2af50b17765dc391e3fe7a94' THEN 2 ELSE 0 END;
UPDATE reviews SET helpful_count = (SELECT COUNT(*) FROM review_votes v WHERE v.review_id = reviews.id)
  WHERE shop_id = 'demo';

-- One review waiting in the moderation queue (the default block list held it).
INSERT OR IGNORE INTO reviews (id, shop_id, product_id, rating, title, body, author, email, locale, shopper_key, client_hash, status, hold_reason, created_at) VALUES ('r0e1d2c3b4a5968778695a4b3', 'demo', 'kahve-fincani-01', 5, 'Süper', 'Fincan güzel ama asıl kazanç için bahis sitemize bekleriz!', 'Kampanya', NULL, 'tr', 'seed-spam', 'seed', 'pending', 'blocked_word', 1793000000000);
INSERT INTO moderation_log (shop_id, review_id, action, actor, reason, created_at)
SELECT 'demo', 'r0e1d2c3b4a5968778695a4b3', 'held', 'system', 'blocked_word', 1793000000000
WHERE NOT EXISTS (SELECT 1 FROM moderation_log WHERE review_id = 'r0e1d2c3b4a5968778695a4b3');

-- The maintained summaries, recounted from the reviews.
INSERT OR REPLACE INTO product_ratings (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at)
SELECT shop_id, product_id, SUM(rating = 1), SUM(rating = 2), SUM(rating = 3), SUM(rating = 4), SUM(rating = 5), MAX(created_at)
FROM reviews WHERE shop_id = 'demo' AND status = 'published' GROUP BY shop_id, product_id;

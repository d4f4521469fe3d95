// Seeds the demo shop's photo reviews as shoppers' browsers send them, through the public API:
// `node demo-site/seed-photos.mjs --edge http://127.0.0.1:8787 --site http://127.0.0.1:8080`.
// Each review carries a photo_key and each photo goes on its own with its thumbnail (the widget
// makes both in the browser; these were made once, `img/photos/`). The merchant then approves
// the photos through the merchant API, except one left waiting in the dashboard's queue.
// Run again, it adds nothing: a review already there is left as it is.
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const { values } = parseArgs({ options: { edge: { type: "string" }, site: { type: "string" }, key: { type: "string" } } });
const EDGE = values.edge ?? "http://127.0.0.1:8787";
const SITE = values.site ?? "http://127.0.0.1:8080";
const KEY = values.key ?? "mk_demo_local_only";
const PHOTOS = path.join(path.dirname(fileURLToPath(import.meta.url)), "img/photos");

const REVIEWS = [
  {
    product: "kahve-fincani-01", rating: 5, locale: "tr", author: "Zeynep A.",
    title: "Fotoğraftaki gibi, hatta daha güzel",
    body: "Sırın rengi gün ışığında çok canlı. İki fincan aldım, sabah kahvesi artık bir tören.",
    photos: ["fincan-masada", "fincan-yakin"], approve: true,
  },
  {
    product: "cezve-04", rating: 4, locale: "tr", author: "Murat T.",
    title: "Köpüğü bol kahve",
    body: "Bakırı kalın, ısıyı eşit dağıtıyor. Sapı biraz ısınıyor, bez ile tutmak gerekiyor.",
    photos: ["cezve-ocakta"], approve: false,
  },
];

async function admin(method, p, body) {
  const res = await fetch(`${EDGE}/v1/admin/${p}`, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function shopper(p, body) {
  const res = await fetch(`${EDGE}/v1/shops/demo/${p}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": randomUUID(), Origin: SITE },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
  return res.json();
}

const dataUrl = (file) => `data:image/jpeg;base64,${fs.readFileSync(path.join(PHOTOS, file)).toString("base64")}`;

let added = 0;
for (const review of REVIEWS) {
  const found = await admin("GET", `reviews?q=${encodeURIComponent(review.title)}`);
  if (found.reviews.length) continue;
  const photoKey = randomUUID();
  const { photos, approve, ...fields } = review;
  await shopper("reviews", { ...fields, photo_key: photoKey, fill_ms: 45_000 });
  const ids = [];
  for (const [position, name] of photos.entries()) {
    const sent = await shopper("photos", {
      photo_key: photoKey, position, image: dataUrl(`${name}.jpg`), thumbnail: dataUrl(`${name}-thumbnail.jpg`),
    });
    ids.push(sent.id);
  }
  if (approve) for (const id of ids) await admin("POST", `photos/${id}/approve`);
  added += 1;
}
console.log(`photo reviews: ${added} added, ${REVIEWS.length - added} already there`);

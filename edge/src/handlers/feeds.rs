//! `GET /v1/shops/{shop}/feeds/google-product-reviews.xml`: the shop's published reviews as
//! Google Shopping's product-ratings feed (`protocol::review_feed`), for Merchant Center to
//! fetch on its schedule. Public, like the reviews it lists; it names no email and no order.
//!
//! The feed is streamed: its head goes out with the first page of reviews, then each further
//! page as D1 answers it, so a shop with tens of thousands of reviews never holds them all in
//! memory. Google deletes every review a new feed leaves out, so a feed must never end early
//! looking whole: when a page cannot be read the stream fails, and the fetch with it, before
//! `</feed>` is written. The one deliberate end is the cap: the newest `PAGE_ROWS × MAX_PAGES`
//! (70,000) reviews, what the free plan's queries per request allow; a shop with more gives
//! Google its newest 70,000.
//!
//! A review's page is its product's: the catalog's `url` for the product, else the shop's
//! `product_page` with the product's id. A review of a product with neither is left out, as
//! Google requires the page; its name and the identifiers Google matches on (GTINs, MPNs, SKUs,
//! brand) come from the catalog.

use crate::handlers::Context;
use crate::handlers::outreach;
use crate::platform::error::ApiError;
use crate::store;
use crate::store::reviews::FeedRow;
use futures_util::stream::{self, StreamExt};
use memnun_protocol::Id;
use memnun_protocol::review::ReviewPhoto;
use memnun_protocol::review_feed::{Collection, FeedProduct, FeedReview, FeedWriter};
use memnun_protocol::shop::ShopPages;
use worker::{D1Database, Request, Response};

/// Reviews read per D1 query: a feed of `PAGE_ROWS × MAX_PAGES` reviews costs `MAX_PAGES`
/// queries, inside the 50 a Worker invocation may make on Cloudflare's free plan.
const PAGE_ROWS: u32 = 2000;
const MAX_PAGES: u32 = 35;
/// Google fetches the feed on a schedule (daily at most); a proxy may keep it for an hour.
const MAX_AGE_S: u32 = 3600;

pub async fn google_product_reviews(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let origin = outreach::public_url(cx.env).unwrap_or(req.url()?.origin().ascii_serialization());
    let photos = format!("{origin}/v1/shops/{shop}/photos/");
    let (name, product_page) = store::shops::name_and_product_page(db, shop)
        .await?
        .ok_or(ApiError::NotFound("shop"))?;
    let first = store::reviews::feed_page(db, shop, None, PAGE_ROWS).await?;

    let publisher = if name.trim().is_empty() {
        shop.as_str()
    } else {
        &name
    };
    let (writer, head) = FeedWriter::head(publisher);
    let feed = Feed {
        db: store::another_handle(db),
        shop: shop.clone(),
        pages: ShopPages {
            product_page,
            ..ShopPages::default()
        },
        photos,
        writer: Some(writer),
        page: first,
        pages_read: 1,
    };
    let body = stream::once(async move { Ok::<Vec<u8>, worker::Error>(head.into_bytes()) })
        .chain(stream::unfold(feed, Feed::next_chunk));
    let mut resp = Response::from_stream(body)?;
    let headers = resp.headers_mut();
    headers.set("Content-Type", "application/xml; charset=utf-8")?;
    headers.set("Cache-Control", &format!("public, max-age={MAX_AGE_S}"))?;
    Ok(resp)
}

/// The feed after its head: the page read and not yet written, and where the next one starts.
struct Feed {
    db: D1Database,
    shop: Id,
    /// Where the shop's product pages are (only `product_page` is read).
    pages: ShopPages,
    /// Where the shop's photos are served, up to their id.
    photos: String,
    /// `None` once `</feed>` is written or the stream failed: the stream ends.
    writer: Option<FeedWriter>,
    page: Vec<FeedRow>,
    pages_read: u32,
}

impl Feed {
    /// Writes the page in hand and reads the next one (or ends the document), so the chunk goes
    /// out only once what follows it is known to be readable.
    async fn next_chunk(mut self) -> Option<(Result<Vec<u8>, worker::Error>, Feed)> {
        let mut writer = self.writer.take()?;
        let rows = std::mem::take(&mut self.page);
        let mut chunk = String::with_capacity(rows.len() * 1024);
        for row in &rows {
            write_row(&mut writer, &mut chunk, row, &self.pages, &self.photos);
        }
        let more = rows.len() == PAGE_ROWS as usize && self.pages_read < MAX_PAGES;
        if !more {
            chunk.push_str(writer.tail());
            return Some((Ok(chunk.into_bytes()), self));
        }
        let last = rows.last().map(|r| (r.created_at, r.id.as_str()));
        match store::reviews::feed_page(&self.db, &self.shop, last, PAGE_ROWS).await {
            Ok(next) => {
                self.page = next;
                self.pages_read += 1;
                self.writer = Some(writer);
                Some((Ok(chunk.into_bytes()), self))
            }
            Err(e) => Some((Err(worker::Error::RustError(format!("{e:?}"))), self)),
        }
    }
}

/// One review into the chunk; left out when its product has no page.
fn write_row(
    writer: &mut FeedWriter,
    chunk: &mut String,
    row: &FeedRow,
    pages: &ShopPages,
    photos: &str,
) {
    let Some(url) = row
        .product_url
        .clone()
        .or_else(|| pages.product_url(&row.product_id))
    else {
        return;
    };
    let url = url.as_str();
    let list = |json: &Option<String>| -> Vec<String> {
        json.as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default()
    };
    let (gtins, mpns, skus) = (list(&row.gtins), list(&row.mpns), list(&row.skus));
    let names: std::collections::BTreeMap<String, String> = row
        .product_name
        .as_deref()
        .and_then(|n| serde_json::from_str(n).ok())
        .unwrap_or_default();
    let name = row
        .locale
        .as_ref()
        .and_then(|l| names.get(l))
        .or_else(|| names.values().next());
    let images: Vec<String> = serde_json::from_str::<Vec<ReviewPhoto>>(&row.photos)
        .unwrap_or_default()
        .into_iter()
        .map(|p| format!("{photos}{}", p.id))
        .collect();
    let collection = match row.source.as_str() {
        "import" => None,
        _ if row.verified != 0 => Some(Collection::PostFulfillment),
        _ => Some(Collection::Unsolicited),
    };
    writer.review(
        chunk,
        &FeedReview {
            id: &row.id,
            author: &row.author,
            locale: row.locale.as_deref(),
            created_at: row.created_at,
            title: &row.title,
            body: &row.body,
            rating: row.rating,
            verified: row.verified != 0,
            collection,
            images: &images,
            product: FeedProduct {
                name: name.map(String::as_str),
                url,
                gtins: &gtins,
                mpns: &mpns,
                skus: &skus,
                brand: row.brand.as_deref(),
            },
        },
    );
}

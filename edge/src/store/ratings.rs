//! Products' rating summaries (`product_ratings`): how many reviews of each star count a product
//! has. The rule this module keeps: a product's summary counts exactly its published reviews.
//! Every batch that adds, publishes, unpublishes or deletes a review changes the summary through
//! [`summary`], in the same batch, so no reader sees one without the other. A new review, the
//! frequent case, increments; the rarer changes recount from the reviews, which also repairs any
//! drift.

use super::Params;
use super::shoppers::ShopperKeys;
use memnun_protocol::{Id, ReviewStatus};
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// What happened to a shop's reviews that its summaries must follow.
pub enum SummaryChange<'a> {
    /// A new review of `product`. A held review counts only once approved (a recount then), but
    /// the summary row is written either way.
    Added {
        product: &'a str,
        rating: u8,
        status: ReviewStatus,
    },
    /// A review of `product` may have been published or unpublished (a decision, a hold on
    /// reports) earlier in the batch.
    Recount { product: &'a str },
    /// Reviews were added to any products of the shop (an import).
    RecountShop,
    /// The shopper's reviews are about to be deleted, in the same batch: the products they were
    /// published for are counted as if they were gone already, so that the batch never shows a
    /// summary that disagrees with its rows.
    RecountWithout { shopper: &'a ShopperKeys },
}

/// The statement bringing the shop's summaries in line with `change`.
pub fn summary(
    db: &D1Database,
    shop: &Id,
    change: SummaryChange,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    match change {
        SummaryChange::Added {
            product,
            rating,
            status,
        } => {
            let counted = status == ReviewStatus::Published;
            let mut params = Params::new().text(shop.as_str()).text(product);
            for stars in 1..=5 {
                params = params.flag(counted && rating == stars);
            }
            params.int(now).bind(
                db,
                "INSERT INTO product_ratings \
                 (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (shop_id, product_id) DO UPDATE SET \
                 stars_1 = stars_1 + excluded.stars_1, stars_2 = stars_2 + excluded.stars_2, \
                 stars_3 = stars_3 + excluded.stars_3, stars_4 = stars_4 + excluded.stars_4, \
                 stars_5 = stars_5 + excluded.stars_5, updated_at = excluded.updated_at",
            )
        }
        SummaryChange::Recount { product } => {
            Params::new().text(shop.as_str()).text(product).int(now).bind(
                db,
                "INSERT INTO product_ratings \
                 (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) \
                 SELECT ?1, ?2, COUNT(*) FILTER (WHERE rating = 1), COUNT(*) FILTER (WHERE rating = 2), \
                 COUNT(*) FILTER (WHERE rating = 3), COUNT(*) FILTER (WHERE rating = 4), \
                 COUNT(*) FILTER (WHERE rating = 5), ?3 FROM reviews \
                 WHERE shop_id = ?1 AND product_id = ?2 AND status = 'published' \
                 ON CONFLICT (shop_id, product_id) DO UPDATE SET \
                 stars_1 = excluded.stars_1, stars_2 = excluded.stars_2, stars_3 = excluded.stars_3, \
                 stars_4 = excluded.stars_4, stars_5 = excluded.stars_5, updated_at = excluded.updated_at",
            )
        }
        SummaryChange::RecountShop => Params::new().text(shop.as_str()).int(now).bind(
            db,
            "INSERT INTO product_ratings \
             (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) \
             SELECT shop_id, product_id, COUNT(*) FILTER (WHERE rating = 1), \
             COUNT(*) FILTER (WHERE rating = 2), COUNT(*) FILTER (WHERE rating = 3), \
             COUNT(*) FILTER (WHERE rating = 4), COUNT(*) FILTER (WHERE rating = 5), ?2 \
             FROM reviews WHERE shop_id = ?1 AND status = 'published' GROUP BY product_id \
             ON CONFLICT (shop_id, product_id) DO UPDATE SET \
             stars_1 = excluded.stars_1, stars_2 = excluded.stars_2, stars_3 = excluded.stars_3, \
             stars_4 = excluded.stars_4, stars_5 = excluded.stars_5, updated_at = excluded.updated_at",
        ),
        SummaryChange::RecountWithout { shopper } => {
            let reviews = format!("SELECT id FROM ({})", super::shoppers::REVIEWS);
            // Parameters as every statement of a shopper's deletion: ?1 the shop, ?2 and ?3 the
            // shopper's keys, ?6 the time.
            shopper.bind(
                db,
                shop,
                &format!(
                    "INSERT INTO product_ratings \
                     (shop_id, product_id, stars_1, stars_2, stars_3, stars_4, stars_5, updated_at) \
                     SELECT ?1, p.id, COUNT(r.id) FILTER (WHERE r.rating = 1), \
                     COUNT(r.id) FILTER (WHERE r.rating = 2), COUNT(r.id) FILTER (WHERE r.rating = 3), \
                     COUNT(r.id) FILTER (WHERE r.rating = 4), COUNT(r.id) FILTER (WHERE r.rating = 5), ?6 \
                     FROM (SELECT DISTINCT product_id AS id FROM reviews WHERE shop_id = ?1 \
                     AND status = 'published' AND id IN ({reviews})) p \
                     LEFT JOIN reviews r ON r.shop_id = ?1 AND r.product_id = p.id \
                     AND r.status = 'published' AND r.id NOT IN ({reviews}) \
                     WHERE true GROUP BY p.id \
                     ON CONFLICT (shop_id, product_id) DO UPDATE SET \
                     stars_1 = excluded.stars_1, stars_2 = excluded.stars_2, \
                     stars_3 = excluded.stars_3, stars_4 = excluded.stars_4, \
                     stars_5 = excluded.stars_5, updated_at = excluded.updated_at"
                ),
                Some(now),
            )
        }
    }
}

/// The read of a product's summary; [`histogram_of`] reads its result.
pub(super) fn histogram(
    db: &D1Database,
    shop: &Id,
    product: &Id,
) -> worker::Result<D1PreparedStatement> {
    Params::new()
        .text(shop.as_str())
        .text(product.as_str())
        .bind(
            db,
            "SELECT stars_1, stars_2, stars_3, stars_4, stars_5 FROM product_ratings \
         WHERE shop_id = ?1 AND product_id = ?2",
        )
}

/// How many published reviews of one to five stars the product has (none before its first).
pub(super) fn histogram_of(found: &D1Result) -> worker::Result<[u32; 5]> {
    #[derive(Deserialize)]
    struct Row {
        stars_1: u32,
        stars_2: u32,
        stars_3: u32,
        stars_4: u32,
        stars_5: u32,
    }
    Ok(found.results::<Row>()?.first().map_or([0; 5], |r| {
        [r.stars_1, r.stars_2, r.stars_3, r.stars_4, r.stars_5]
    }))
}

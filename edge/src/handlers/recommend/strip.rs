//! What a shopper sees: a product's strip (`GET …/products/{product}/recommendations`), and
//! the cards of what a browser viewed lately (`GET /v1/shops/{shop}/catalog`).

use crate::handlers::Context;
use crate::handlers::shops;
use crate::platform::error::ApiError;
use crate::platform::http;
use crate::store;
use crate::store::co_occurrence::PairKind;
use crate::store::recommendations::StockedItem;
use memnun_protocol::Id;
use memnun_protocol::recommend::{
    self, Neighbour, RecentlyViewedQuery, Recommendations, RecommendationsQuery, Recommended,
    Source,
};
use std::collections::{BTreeMap, BTreeSet};
use worker::{Request, Response};

/// How long a strip may be cached by browsers and the CDN.
const STRIP_MAX_AGE_S: u32 = 300;

/// `GET /v1/shops/{shop}/products/{product}/recommendations?limit=&arm=&locale=`.
pub async fn list(req: &Request, cx: &Context<'_>, product: &Id) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: RecommendationsQuery = http::query(req)?;
    let (limit, arm, locale) = (query.limit.0, query.arm, query.locale.as_str());
    const CANDIDATES: u32 = 50;
    let results = db
        .batch(vec![
            shops::exists_statement(db, shop)?,
            store::recommendations::neighbours(db, shop, product, PairKind::Buy)?,
            store::recommendations::neighbours(db, shop, product, PairKind::View)?,
            store::recommendations::top_rated_in_category(db, shop, product, CANDIDATES)?,
            store::recommendations::bestsellers(db, shop, CANDIDATES)?,
            store::recommendations::newest(db, shop, CANDIDATES)?,
        ])
        .await?;
    let mut results = results.into_iter();
    let mut next = || {
        results
            .next()
            .ok_or_else(|| ApiError::Internal("a recommendation query gave no result".into()))
    };
    let ranked = |(n_a, neighbours): (u64, Vec<Neighbour>)| -> Vec<String> {
        recommend::rank_similar(n_a, &neighbours)
    };
    shops::found(&next()?)?;
    let mut by_source: BTreeMap<Source, Vec<String>> = BTreeMap::new();
    by_source.insert(
        Source::BoughtTogether,
        ranked(store::recommendations::read_neighbours(&next()?)?),
    );
    by_source.insert(
        Source::ViewedTogether,
        ranked(store::recommendations::read_neighbours(&next()?)?),
    );
    by_source.insert(
        Source::TopRated,
        store::recommendations::read_products(&next()?)?,
    );
    by_source.insert(
        Source::Bestseller,
        store::recommendations::read_products(&next()?)?,
    );
    by_source.insert(
        Source::Newest,
        store::recommendations::read_products(&next()?)?,
    );

    // Which candidates the catalog has in stock, with what the strip shows of them.
    let all: Vec<&String> = by_source
        .values()
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows = store::recommendations::in_stock(db, shop, &all).await?;
    let by_id: BTreeMap<&str, &StockedItem> =
        rows.iter().map(|i| (i.product_id.as_str(), i)).collect();
    let strip = recommend::fill(
        limit as usize,
        product.as_str(),
        arm,
        |source| by_source.get(&source).cloned().unwrap_or_default(),
        |p| by_id.contains_key(p),
    );
    let items = strip
        .into_iter()
        .filter_map(|(id, source)| Some(card(by_id.get(id.as_str())?, source, locale)))
        .collect();
    let mut resp = http::json(
        200,
        &Recommendations {
            product: product.to_string(),
            arm,
            items,
        },
    )?;
    resp.headers_mut().set(
        "Cache-Control",
        &format!("public, max-age={STRIP_MAX_AGE_S}"),
    )?;
    Ok(resp)
}

/// A strip's card from a catalog row: the name in `locale` (else the other language) and the
/// mean rating in hundredths.
fn card(item: &StockedItem, source: Source, locale: &str) -> Recommended {
    let names: BTreeMap<String, String> = serde_json::from_str(&item.name).unwrap_or_default();
    let name = names
        .get(locale)
        .or_else(|| names.values().next())
        .cloned()
        .unwrap_or_default();
    let counts: Vec<Option<u32>> = item
        .stars
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let histogram: Vec<u32> = counts.into_iter().map(|c| c.unwrap_or(0)).collect();
    let reviews: u32 = histogram.iter().sum();
    let total: u32 = histogram.iter().zip(1u32..).map(|(n, s)| n * s).sum();
    Recommended {
        product: item.product_id.clone(),
        name,
        price_minor: item.price_minor,
        currency: item.currency.clone(),
        image_url: item.image_url.clone(),
        url: item.url.clone(),
        rating_hundredths: (reviews > 0).then(|| (200 * total + reviews) / (2 * reviews)),
        reviews,
        source,
    }
}

/// `GET /v1/shops/{shop}/catalog?ids=a,b,c&locale=`: the cards of the products a browser viewed
/// lately (the strip's "recently viewed" mode; the list is the browser's own, kept by the
/// loader), in the order given, those in stock only.
pub async fn recently_viewed(req: &Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let (db, shop) = (&cx.db, &cx.shop);
    let query: RecentlyViewedQuery = http::query(req)?;
    let ids: Vec<String> = query.ids.0.iter().map(|id| id.to_string()).collect();
    let locale = query.locale.as_str();
    let [shop_row, stock] = http::batch(
        db,
        vec![
            shops::exists_statement(db, shop)?,
            store::recommendations::in_stock_statement(db, shop, &ids)?,
        ],
    )
    .await?;
    shops::found(&shop_row)?;
    let rows: Vec<StockedItem> = stock.results()?;
    let items: Vec<Recommended> = ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.product_id == *id))
        .map(|row| card(row, Source::RecentlyViewed, locale))
        .collect();
    let mut resp = http::json(200, &recommend::RecentlyViewed { items })?;
    // The list is one browser's history: its own cache may keep it, no shared one.
    resp.headers_mut().set(
        "Cache-Control",
        &format!("private, max-age={STRIP_MAX_AGE_S}"),
    )?;
    Ok(resp)
}

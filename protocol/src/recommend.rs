//! Recommendations: item-to-item co-occurrence (Linden, Smith and York, 2003), computed the same
//! way by the edge and the tests.
//!
//! Two co-occurrence kinds: `buy` (products in the same order) and `view` (products viewed by
//! the same browser). For each kind the edge keeps `n(a)`, the baskets or browsers with `a`, and
//! `co(a, b)`, those with both, updated as events arrive ([`view_pairs`], [`basket_pairs`]).
//! Similarity is the cosine of the two items' occurrence vectors, `co / √(n(a)·n(b))`: a
//! bestseller that appears with everything has a large `n(b)` and does not crowd out the item
//! actually bought with `a`.
//!
//! A product's strip is filled by a chain of sources ([`Source`]), in the order the shopper's
//! arm ([`Arm`]) says, never with the product itself, an unknown or out-of-stock item, or a
//! duplicate.

use crate::api::query::{Bounded, ProductIds};
use crate::review::Locale;
use serde::{Deserialize, Serialize};

/// Where a recommended product came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    BoughtTogether,
    ViewedTogether,
    TopRated,
    Bestseller,
    Newest,
    /// The browser's own history, kept in the browser (the strip's second mode).
    RecentlyViewed,
}

impl Source {
    pub const ALL: [Source; 6] = [
        Source::BoughtTogether,
        Source::ViewedTogether,
        Source::TopRated,
        Source::Bestseller,
        Source::Newest,
        Source::RecentlyViewed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Source::BoughtTogether => "bought_together",
            Source::ViewedTogether => "viewed_together",
            Source::TopRated => "top_rated",
            Source::Bestseller => "bestseller",
            Source::Newest => "newest",
            Source::RecentlyViewed => "recently_viewed",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The two list strategies a shop can compare: `a` puts what was bought together first, `b`
/// the best rated in the same category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    #[default]
    A,
    B,
}

impl Arm {
    pub fn parse(s: &str) -> Option<Arm> {
        match s {
            "a" => Some(Arm::A),
            "b" => Some(Arm::B),
            _ => None,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Arm::A => "a",
            Arm::B => "b",
        }
    }

    /// The arm of a browser: the parity of the last hex digit of its random id (a UUID v4, so
    /// that digit is uniformly random: half of all browsers see each arm, and one browser always
    /// the same). The loader computes the same in JavaScript (`memnun.arm`); a browser without an
    /// id (no consent) sees arm `a`.
    pub fn of_browser(browser: &str) -> Arm {
        match browser
            .chars()
            .last()
            .and_then(|c| c.to_digit(16))
            .map(|d| d % 2)
        {
            Some(1) => Arm::B,
            _ => Arm::A,
        }
    }

    /// The order in which this arm asks the sources.
    pub const fn chain(self) -> [Source; 5] {
        match self {
            Arm::A => [
                Source::BoughtTogether,
                Source::ViewedTogether,
                Source::TopRated,
                Source::Bestseller,
                Source::Newest,
            ],
            Arm::B => [
                Source::TopRated,
                Source::BoughtTogether,
                Source::ViewedTogether,
                Source::Bestseller,
                Source::Newest,
            ],
        }
    }
}

/// Cosine similarity of two items from their co-occurrence count and their own counts.
pub fn cosine(co: u64, n_a: u64, n_b: u64) -> f64 {
    if co == 0 || n_a == 0 || n_b == 0 {
        return 0.0;
    }
    co as f64 / ((n_a as f64) * (n_b as f64)).sqrt()
}

/// One co-occurring item as the edge reads it: `co(a, b)` and `n(b)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    pub product: String,
    pub co: u64,
    pub n: u64,
}

/// `a`'s neighbours, most similar first (ties: more co-occurrences, then the id, so the order
/// is stable).
pub fn rank_similar(n_a: u64, neighbours: &[Neighbour]) -> Vec<String> {
    let mut scored: Vec<(f64, &Neighbour)> = neighbours
        .iter()
        .map(|x| (cosine(x.co, n_a, x.n), x))
        .filter(|(score, _)| *score > 0.0)
        .collect();
    scored.sort_by(|(sa, a), (sb, b)| {
        sb.total_cmp(sa)
            .then(b.co.cmp(&a.co))
            .then(a.product.cmp(&b.product))
    });
    scored.into_iter().map(|(_, x)| x.product.clone()).collect()
}

/// Fills a strip of `limit` products: each source's candidates in the arm's order, skipping
/// `product` itself, anything `available` refuses (unknown, out of stock) and duplicates.
pub fn fill(
    limit: usize,
    product: &str,
    arm: Arm,
    candidates: impl Fn(Source) -> Vec<String>,
    available: impl Fn(&str) -> bool,
) -> Vec<(String, Source)> {
    let mut strip: Vec<(String, Source)> = Vec::new();
    for source in arm.chain() {
        if strip.len() >= limit {
            break;
        }
        for candidate in candidates(source) {
            if strip.len() >= limit {
                break;
            }
            if candidate != product
                && available(&candidate)
                && !strip.iter().any(|(p, _)| *p == candidate)
            {
                strip.push((candidate, source));
            }
        }
    }
    strip
}

/// The most recent other products a browser's new view pairs with: co-view counts each
/// browser's pair once, and a long browsing history pairs only its recent part.
pub const VIEW_PAIR_WINDOW: usize = 20;
/// Pair rows one request writes; the rest wait for the scheduled handler.
pub const PAIRS_PER_REQUEST: usize = 120;
/// Products of one basket that pair with each other (a wholesale order of 100 lines is not 4,950
/// signals of taste).
pub const BASKET_PAIR_ITEMS: usize = 30;

/// The pair rows (both directions) a browser's first view of `product` adds, given the products
/// it viewed before, most recent first.
pub fn view_pairs(product: &str, viewed_before: &[String]) -> Vec<(String, String)> {
    viewed_before
        .iter()
        .filter(|p| *p != product)
        .take(VIEW_PAIR_WINDOW)
        .flat_map(|other| {
            [
                (product.to_owned(), other.clone()),
                (other.clone(), product.to_owned()),
            ]
        })
        .collect()
}

/// The pair rows (both directions) a new basket adds: every ordered pair of its distinct
/// products, the first [`BASKET_PAIR_ITEMS`] of them.
pub fn basket_pairs(products: &[String]) -> Vec<(String, String)> {
    let mut distinct: Vec<&String> = Vec::new();
    for p in products {
        if !distinct.contains(&p) {
            distinct.push(p);
        }
    }
    distinct.truncate(BASKET_PAIR_ITEMS);
    let mut pairs = Vec::new();
    for a in &distinct {
        for b in &distinct {
            if a != b {
                pairs.push(((*a).clone(), (*b).clone()));
            }
        }
    }
    pairs
}

/// A strip's item as the widget shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Recommended {
    pub product: String,
    pub name: String,
    pub price_minor: i64,
    pub currency: String,
    pub image_url: Option<String>,
    pub url: String,
    /// The mean rating in hundredths (450 is 4.5) and the count of published reviews.
    pub rating_hundredths: Option<u32>,
    pub reviews: u32,
    pub source: Source,
}

/// The answer to `GET /v1/shops/{shop}/products/{product}/recommendations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Recommendations {
    pub product: String,
    pub arm: Arm,
    pub items: Vec<Recommended>,
}

pub const LIMIT_DEFAULT: u32 = 8;
pub const LIMIT_MAX: u32 = 24;

/// One row of counted events, as the edge groups them for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCount {
    pub kind: crate::events::EventKind,
    pub source: Source,
    /// `None` for events sent without one (a shop's own calls): not part of the experiment.
    pub arm: Option<Arm>,
    pub product: String,
    pub n: u64,
}

/// What recommendations did in a period, for one group (all, a source, an arm, a product).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RecFigures {
    pub impressions: u64,
    pub clicks: u64,
    /// Clicks per impression, in tenths of a percent; `None` without impressions.
    pub ctr_tenths: Option<i64>,
    /// Adds to cart and purchases attributed to a recommendation clicked on this browser
    /// within the attribution window.
    pub add_to_carts: u64,
    pub purchases: u64,
}

impl RecFigures {
    fn add(&mut self, kind: crate::events::EventKind, n: u64) {
        use crate::events::EventKind;
        match kind {
            EventKind::RecommendationShown => self.impressions += n,
            EventKind::RecommendationClicked => self.clicks += n,
            EventKind::AddToCart => self.add_to_carts += n,
            EventKind::Purchase => self.purchases += n,
            EventKind::ProductView => {}
        }
        self.ctr_tenths = crate::survey::per_mille(self.clicks, self.impressions);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ProductFigures {
    pub product: String,
    #[serde(flatten)]
    pub figures: RecFigures,
}

/// The answer to `GET /v1/admin/reports/recommendations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RecommendationReport {
    pub from: String,
    pub to: String,
    pub totals: RecFigures,
    pub by_source: std::collections::BTreeMap<Source, RecFigures>,
    /// The experiment: the same figures per arm (the related strip's events that name one), to
    /// compare their click-through.
    pub by_arm: std::collections::BTreeMap<Arm, RecFigures>,
    /// The products most shown, at most [`REPORT_PRODUCTS`].
    pub products: Vec<ProductFigures>,
}

pub const REPORT_PRODUCTS: usize = 100;
/// How long after a click on a recommendation an add to cart or purchase of that product is
/// attributed to it (the loader keeps the clicks, on the browser only).
pub const ATTRIBUTION_WINDOW_DAYS: i64 = 7;

impl RecommendationReport {
    pub fn build(from: i64, to: i64, counts: &[EventCount]) -> RecommendationReport {
        use crate::time::format_rfc3339_ms;
        let mut totals = RecFigures::default();
        let mut by_source = std::collections::BTreeMap::new();
        let mut by_arm = std::collections::BTreeMap::new();
        let mut by_product: std::collections::BTreeMap<String, RecFigures> =
            std::collections::BTreeMap::new();
        for c in counts {
            totals.add(c.kind, c.n);
            by_source
                .entry(c.source)
                .or_insert_with(RecFigures::default)
                .add(c.kind, c.n);
            // The experiment compares the two strategies: the recently-viewed strip follows no
            // arm, and an event without one is no evidence for either.
            if let Some(arm) = c.arm.filter(|_| c.source != Source::RecentlyViewed) {
                by_arm
                    .entry(arm)
                    .or_insert_with(RecFigures::default)
                    .add(c.kind, c.n);
            }
            by_product
                .entry(c.product.clone())
                .or_default()
                .add(c.kind, c.n);
        }
        let mut products: Vec<ProductFigures> = by_product
            .into_iter()
            .map(|(product, figures)| ProductFigures { product, figures })
            .collect();
        products.sort_by(|a, b| {
            b.figures
                .impressions
                .cmp(&a.figures.impressions)
                .then(b.figures.clicks.cmp(&a.figures.clicks))
                .then(a.product.cmp(&b.product))
        });
        products.truncate(REPORT_PRODUCTS);
        RecommendationReport {
            from: format_rfc3339_ms(from),
            to: format_rfc3339_ms(to),
            totals,
            by_source,
            by_arm,
            products,
        }
    }
}

/// `GET /v1/shops/{shop}/catalog?ids=`: the products a browser viewed, in its order, as cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RecentlyViewed {
    pub items: Vec<Recommended>,
}

/// `GET …/products/{product}/recommendations`: how many cards, which arm of the test, in which
/// language.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct RecommendationsQuery {
    pub limit: Bounded<LIMIT_MAX>,
    pub arm: Arm,
    pub locale: Locale,
}

impl Default for RecommendationsQuery {
    fn default() -> Self {
        RecommendationsQuery {
            limit: Bounded(LIMIT_DEFAULT),
            arm: Arm::default(),
            locale: Locale::default(),
        }
    }
}

/// `GET /v1/shops/{shop}/catalog`: the products a browser viewed, as it remembers them.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct RecentlyViewedQuery {
    pub ids: ProductIds<{ LIMIT_MAX as usize }>,
    pub locale: Locale,
}

/// `GET /v1/admin/reports/recommendations`: the period, `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct RecommendationReportQuery {
    /// A date like 2026-11-23 or a time like 2026-11-23T15:06:52Z; 28 days before `to` if left out.
    pub from: Option<String>,
    /// A date or time; now if left out.
    pub to: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    /// A hand-worked log: four browsers' views, in order.
    ///   B1: cup, shirt   B2: cup, shirt, mug   B3: cup, mug   B4: lamp, cup
    /// n(cup)=4, n(shirt)=2, n(mug)=2, n(lamp)=1; co(cup,shirt)=2, co(cup,mug)=2,
    /// co(cup,lamp)=1, co(shirt,mug)=1.
    /// cos(cup,shirt) = 2/√8 ≈ 0.707, cos(cup,mug) ≈ 0.707, cos(cup,lamp) = 1/√4 = 0.5;
    /// cos(shirt,mug) = 1/√4 = 0.5, cos(shirt,cup) ≈ 0.707.
    fn hand_worked() -> (
        std::collections::BTreeMap<String, u64>,
        std::collections::BTreeMap<(String, String), u64>,
    ) {
        let browsers = [
            s(&["cup", "shirt"]),
            s(&["cup", "shirt", "mug"]),
            s(&["cup", "mug"]),
            s(&["lamp", "cup"]),
        ];
        let mut n = std::collections::BTreeMap::new();
        let mut co = std::collections::BTreeMap::new();
        for views in browsers {
            let mut before: Vec<String> = Vec::new();
            for product in views {
                *n.entry(product.clone()).or_insert(0) += 1;
                for pair in view_pairs(&product, &before) {
                    *co.entry(pair).or_insert(0) += 1;
                }
                before.insert(0, product);
            }
        }
        (n, co)
    }

    fn neighbours_of(
        a: &str,
        n: &std::collections::BTreeMap<String, u64>,
        co: &std::collections::BTreeMap<(String, String), u64>,
    ) -> Vec<Neighbour> {
        co.iter()
            .filter(|((x, _), _)| x == a)
            .map(|((_, b), c)| Neighbour {
                product: b.clone(),
                co: *c,
                n: n[b],
            })
            .collect()
    }

    #[test]
    fn incremental_counts_match_the_hand_worked_log() {
        let (n, co) = hand_worked();
        assert_eq!((n["cup"], n["shirt"], n["mug"], n["lamp"]), (4, 2, 2, 1));
        let c = |a: &str, b: &str| co.get(&(a.to_owned(), b.to_owned())).copied();
        assert_eq!(c("cup", "shirt"), Some(2));
        assert_eq!(c("shirt", "cup"), Some(2), "both directions");
        assert_eq!(c("cup", "mug"), Some(2));
        assert_eq!(c("cup", "lamp"), Some(1));
        assert_eq!(c("shirt", "mug"), Some(1));
        assert_eq!(c("lamp", "shirt"), None);
    }

    #[test]
    fn ranking_follows_the_cosine() {
        let (n, co) = hand_worked();
        // cup: shirt and mug tie at 0.707 (same co: by id), lamp 0.5.
        assert_eq!(
            rank_similar(n["cup"], &neighbours_of("cup", &n, &co)),
            s(&["mug", "shirt", "lamp"])
        );
        assert_eq!(
            rank_similar(n["shirt"], &neighbours_of("shirt", &n, &co)),
            s(&["cup", "mug"])
        );
        assert!((cosine(2, 4, 2) - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
    }

    #[test]
    fn a_bestseller_does_not_crowd_out_the_real_companion() {
        // The case counted in a raw co-occurrence order would get wrong: a bestseller seen with
        // 10 of a's 12 baskets (but in 1,000 baskets overall) against a niche item seen with 6
        // of a's baskets and only 8 overall.
        let ranked = rank_similar(
            12,
            &[
                Neighbour {
                    product: "bestseller".into(),
                    co: 10,
                    n: 1000,
                },
                Neighbour {
                    product: "saucer".into(),
                    co: 6,
                    n: 8,
                },
            ],
        );
        assert_eq!(ranked, s(&["saucer", "bestseller"]));
    }

    #[test]
    fn the_strip_follows_the_chain_and_skips_what_it_must() {
        let candidates = |source: Source| match source {
            Source::BoughtTogether => s(&["saucer", "cup", "gone"]),
            Source::ViewedTogether => s(&["saucer", "mug"]),
            Source::TopRated => s(&["lamp", "mug"]),
            Source::Bestseller => s(&["shirt"]),
            Source::Newest => s(&["vase", "rug"]),
            Source::RecentlyViewed => s(&[]),
        };
        let in_stock = |p: &str| p != "gone";
        let a = fill(5, "cup", Arm::A, candidates, in_stock);
        assert_eq!(
            a,
            vec![
                ("saucer".into(), Source::BoughtTogether),
                ("mug".into(), Source::ViewedTogether),
                ("lamp".into(), Source::TopRated),
                ("shirt".into(), Source::Bestseller),
                ("vase".into(), Source::Newest),
            ]
        );
        let b = fill(3, "cup", Arm::B, candidates, in_stock);
        assert_eq!(
            b,
            vec![
                ("lamp".into(), Source::TopRated),
                ("mug".into(), Source::TopRated),
                ("saucer".into(), Source::BoughtTogether),
            ]
        );
        assert!(fill(4, "cup", Arm::A, |_| Vec::new(), in_stock).is_empty());
    }

    #[test]
    fn pairs_are_bounded() {
        let history: Vec<String> = (0..50).map(|i| format!("p{i}")).collect();
        assert_eq!(view_pairs("new", &history).len(), 2 * VIEW_PAIR_WINDOW);
        let big: Vec<String> = (0..100).map(|i| format!("p{i}")).collect();
        assert_eq!(
            basket_pairs(&big).len(),
            BASKET_PAIR_ITEMS * (BASKET_PAIR_ITEMS - 1)
        );
        assert_eq!(basket_pairs(&s(&["a", "b", "a"])).len(), 2);
    }

    #[test]
    fn the_report_counts_per_source_arm_and_product() {
        use crate::events::EventKind::*;
        let c = |kind, source, arm, product: &str, n| EventCount {
            kind,
            source,
            arm: Some(arm),
            product: product.into(),
            n,
        };
        let report = RecommendationReport::build(
            0,
            86_400_000,
            &[
                c(
                    RecommendationShown,
                    Source::BoughtTogether,
                    Arm::A,
                    "saucer",
                    40,
                ),
                c(
                    RecommendationClicked,
                    Source::BoughtTogether,
                    Arm::A,
                    "saucer",
                    6,
                ),
                c(Purchase, Source::BoughtTogether, Arm::A, "saucer", 2),
                c(RecommendationShown, Source::TopRated, Arm::B, "mug", 30),
                c(RecommendationClicked, Source::TopRated, Arm::B, "mug", 3),
                c(AddToCart, Source::TopRated, Arm::B, "mug", 1),
                c(
                    RecommendationShown,
                    Source::RecentlyViewed,
                    Arm::A,
                    "lamp",
                    10,
                ),
            ],
        );
        assert_eq!((report.totals.impressions, report.totals.clicks), (80, 9));
        assert_eq!(report.totals.ctr_tenths, Some(113), "9 / 80 = 11.25 %");
        assert_eq!(
            report.by_arm[&Arm::A].impressions,
            40,
            "recently viewed is no part of the experiment"
        );
        assert_eq!(report.by_arm[&Arm::A].ctr_tenths, Some(150));
        assert_eq!(report.by_arm[&Arm::B].ctr_tenths, Some(100));
        assert_eq!(report.by_source[&Source::TopRated].add_to_carts, 1);
        assert_eq!(report.products[0].product, "saucer", "most shown first");
        assert_eq!(report.products[0].figures.purchases, 2);
        let empty = RecommendationReport::build(0, 1, &[]);
        assert_eq!(empty.totals.ctr_tenths, None);
    }

    #[test]
    fn arms_are_stable_and_both_used() {
        let arms: Vec<Arm> = (0..64)
            .map(|i| Arm::of_browser(&format!("00000000-0000-4000-8000-{i:012}")))
            .collect();
        assert!(arms.contains(&Arm::A) && arms.contains(&Arm::B));
        assert_eq!(
            Arm::of_browser("00000000-0000-4000-8000-00000000000b"),
            Arm::B
        );
        assert_eq!(
            Arm::of_browser("00000000-0000-4000-8000-00000000000a"),
            Arm::A
        );
        assert_eq!(Arm::of_browser(""), Arm::A, "no id: arm a");
    }
}

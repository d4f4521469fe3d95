//! Every route of the edge's HTTP API, declared once: its path, its operations (method and name)
//! and who may call it. The edge matches requests against this table and derives from it what
//! every route answers alike: `405` with `Allow`, CORS and preflights, and
//! `Cross-Origin-Resource-Policy`. docs/API.md describes the same routes (a test holds them
//! together).

use crate::shop::ApiKeyScope;

#[cfg(feature = "openapi")]
pub mod openapi;
pub mod query;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// Who may call a route, and so which cross-origin headers its answers carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The edge's own pages and its health check: any client may call them, but no other site may
    /// embed or read them.
    Own,
    /// The widgets' files: every shop page, on any site, loads them.
    Widget,
    /// Public data shop pages read: readable by any origin (`Access-Control-Allow-Origin: *`),
    /// errors included, so a widget can show them.
    PublicRead,
    /// What a shopper's page sends (the order requests read private data, so they come as POSTs
    /// with it in the body): only from the shop's allowed origins, which may then read every
    /// answer. With `shop_limit`, every call counts against the shop's write limit; the others
    /// have limits of their own (per client, per order, per shop).
    ShopPage { shop_limit: bool },
    /// The merchant API: an API key of the shop, of a scope that allows the operation.
    Merchant,
    /// A shop platform's webhooks, server to server: the shop in the path, the body signed with
    /// the secret the shop set for that platform. No browser reads it across sites: no CORS, no
    /// preflight. Also the links in memnun's messages, whose token is their credential.
    Platform,
}

impl Access {
    /// Whether a page on another site may load the answer (`Cross-Origin-Resource-Policy`).
    pub const fn cross_origin(self) -> bool {
        matches!(
            self,
            Access::Widget | Access::PublicRead | Access::ShopPage { .. }
        )
    }

    /// Whether a route's `GET` also answers `HEAD`. The merchant API does not.
    pub const fn head_with_get(self) -> bool {
        !matches!(
            self,
            Access::Merchant | Access::ShopPage { .. } | Access::Platform
        )
    }

    /// Whether browsers send preflights (`OPTIONS`) here, answered for the route's methods.
    pub const fn preflight(self) -> bool {
        matches!(self, Access::PublicRead | Access::ShopPage { .. })
    }
}

/// One method on one route. The names are the OpenAPI `operationId`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub method: Method,
    pub name: OperationName,
    /// The least scope of key a merchant operation needs; ignored elsewhere.
    pub scope: ApiKeyScope,
}

#[derive(Debug)]
pub struct Route {
    /// Segments in braces are parameters, each one whole segment.
    pub path: &'static str,
    pub access: Access,
    pub operations: &'static [Operation],
}

impl Route {
    pub fn operation(&self, method: Method) -> Option<&'static Operation> {
        self.operations.iter().find(|op| op.method == method)
    }

    /// The `Allow` header of the route's `405`: its methods as the table lists them, with `HEAD`
    /// after `GET` where it is answered and `OPTIONS` where browsers preflight.
    pub fn allow(&self) -> String {
        let mut methods: Vec<&str> = Vec::new();
        for op in self.operations {
            methods.push(op.method.as_str());
            if op.method == Method::Get && self.access.head_with_get() {
                methods.push("HEAD");
            }
        }
        if self.access.preflight() {
            methods.push("OPTIONS");
        }
        methods.join(", ")
    }

    /// The parameters of `path` if it is this route's, in the order of the template.
    pub fn parameters<'a>(&self, path: &'a str) -> Option<Parameters<'a>> {
        let mut template = self.path.split('/');
        let mut given = path.split('/');
        let mut values = Vec::new();
        loop {
            match (template.next(), given.next()) {
                (None, None) => return Some(Parameters(values)),
                (Some(t), Some(g)) => match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) => values.push((name, g)),
                    None if t == g => {}
                    None => return None,
                },
                _ => return None,
            }
        }
    }
}

/// The values of a matched path's parameters, by the names the route's template gives them.
#[derive(Debug, PartialEq, Eq)]
pub struct Parameters<'a>(Vec<(&'static str, &'a str)>);

impl<'a> Parameters<'a> {
    /// `name`'s value; the route table guarantees a route's handler only asks for its own.
    pub fn get(&self, name: &str) -> &'a str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v)
    }
}

/// The route `path` belongs to, with its parameters. Routes are tried in the table's order, so a
/// literal route listed before a template with the same shape wins (`reviews/import` is not the
/// review `import`).
pub fn find(path: &str) -> Option<(&'static Route, Parameters<'_>)> {
    ROUTES
        .iter()
        .find_map(|route| route.parameters(path).map(|p| (route, p)))
}

/// How a path that is no route is answered (`404`): as the part of the API it is in answers, so
/// a widget asking for a public resource that does not exist can read why, and the merchant API
/// asks for a key before it says that a route does not exist.
pub fn area_of_unknown(path: &str) -> Access {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    match segments.as_slice() {
        ["v1", "shops", _, "products", ..] | ["v1", "shops", _, "catalog"] => Access::PublicRead,
        ["v1", "shops", _, ..] => Access::ShopPage { shop_limit: false },
        ["v1", "assets", _, ..] => Access::Widget,
        ["v1", "admin", ..] => Access::Merchant,
        _ => Access::Own,
    }
}

macro_rules! operations {
    ($($method:ident $name:ident $scope:ident),+ $(,)?) => {
        &[$(Operation {
            method: Method::$method,
            name: OperationName::$name,
            scope: ApiKeyScope::$scope,
        }),+]
    };
}

macro_rules! route {
    ($path:literal, $access:expr, $($ops:tt)+) => {
        Route { path: $path, access: $access, operations: operations!($($ops)+) }
    };
}

/// Names of the operations, one per method and route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationName {
    Health,
    OpenApi,
    AdminPage,
    Loader,
    Asset,
    Module,
    CreateReview,
    VoteReview,
    ReportReview,
    LookUpOrder,
    TrackOrder,
    ReceiveEvents,
    OpenSurvey,
    AnswerSurvey,
    RecentlyViewed,
    ListReviews,
    ReviewsJsonLd,
    ReviewsHtml,
    GoogleReviewFeed,
    ReviewPhoto,
    ReviewPhotoThumbnail,
    UploadPhoto,
    PhotoCopies,
    GetPhoto,
    GetPhotoThumbnail,
    ApprovePhoto,
    RejectPhoto,
    AskQuestion,
    VoteQuestion,
    ListQuestions,
    ListQuestionsForModeration,
    AnswerQuestion,
    RejectQuestion,
    Recommendations,
    ListReviewsForModeration,
    ExportReviewsCsv,
    ImportReviewsCsv,
    GetReview,
    ApproveReview,
    RejectReview,
    PutReply,
    DeleteReply,
    GetModerationPolicy,
    PutModerationPolicy,
    ModerationLog,
    MintToken,
    ListSecrets,
    CreateSecret,
    RetireSecret,
    ListOrders,
    ShipmentsNeedingAttention,
    GetOrder,
    PutOrder,
    ImportOrders,
    AddOrderEvents,
    OrderLinks,
    GetWebhook,
    PutWebhook,
    DeleteWebhook,
    WebhookDeliveries,
    ListCatalog,
    PutCatalog,
    GetSurveySettings,
    PutSurveySettings,
    ListSurveyResponses,
    ExportSurveyResponsesCsv,
    SatisfactionReport,
    RecommendationReport,
    GetShop,
    PutShop,
    ExportShopper,
    DeleteShopper,
    ListKeys,
    CreateKey,
    RevokeKey,
    ReceiveShopifyWebhook,
    ReceiveWooCommerceWebhook,
    ListConnectors,
    PutConnector,
    DeleteConnector,
    GetOutreachSettings,
    PutOutreachSettings,
    OutreachReport,
    UnsubscribePage,
    Unsubscribe,
    ReceiveResendEvent,
    ReceivePostmarkEvent,
    FileComplaint,
    ListCases,
    GetCaseSettings,
    PutCaseSettings,
    GetCase,
    PutCase,
    AddCaseNote,
    AnswerCase,
    CaseReport,
    OverviewReport,
}

const SHOP_WRITE: Access = Access::ShopPage { shop_limit: true };
const SHOP_READ_BY_POST: Access = Access::ShopPage { shop_limit: false };

/// Every route. Scopes: reading is for every key; deciding on and replying to reviews, and
/// handling cases, for `moderate` keys too; everything else that changes something, or exports a shopper's data, for
/// `full` keys only. Outside the merchant API the scope is not used (written `Read`).
pub static ROUTES: &[Route] = &[
    route!("/v1/health", Access::Own, Get Health Read),
    route!("/v1/openapi.json", Access::Own, Get OpenApi Read),
    route!("/admin", Access::Own, Get AdminPage Read),
    route!("/v1/memnun.js", Access::Widget, Get Loader Read),
    route!("/v1/assets/{file}", Access::Widget, Get Asset Read),
    route!("/v1/modules/{file}", Access::Widget, Get Module Read),
    route!("/v1/shops/{shop}/reviews", SHOP_WRITE, Post CreateReview Read),
    route!("/v1/shops/{shop}/reviews/{review}/votes", SHOP_WRITE, Post VoteReview Read),
    route!("/v1/shops/{shop}/reviews/{review}/reports", SHOP_WRITE, Post ReportReview Read),
    route!("/v1/shops/{shop}/orders/lookup", SHOP_READ_BY_POST, Post LookUpOrder Read),
    route!("/v1/shops/{shop}/orders/track", SHOP_READ_BY_POST, Post TrackOrder Read),
    route!("/v1/shops/{shop}/orders/complaints", SHOP_WRITE, Post FileComplaint Read),
    // Beacons from every consenting page view: limits of their own, so a busy shop's events
    // never crowd out its shoppers' reviews and answers.
    route!("/v1/shops/{shop}/events", SHOP_READ_BY_POST, Post ReceiveEvents Read),
    route!("/v1/shops/{shop}/survey/open", SHOP_WRITE, Post OpenSurvey Read),
    route!("/v1/shops/{shop}/survey/answers", SHOP_WRITE, Post AnswerSurvey Read),
    route!("/v1/shops/{shop}/catalog", Access::PublicRead, Get RecentlyViewed Read),
    route!("/v1/shops/{shop}/products/{product}/reviews", Access::PublicRead, Get ListReviews Read),
    route!("/v1/shops/{shop}/products/{product}/reviews.jsonld", Access::PublicRead, Get ReviewsJsonLd Read),
    route!("/v1/shops/{shop}/products/{product}/reviews.html", Access::PublicRead, Get ReviewsHtml Read),
    route!("/v1/shops/{shop}/products/{product}/recommendations", Access::PublicRead, Get Recommendations Read),
    route!("/v1/shops/{shop}/feeds/google-product-reviews.xml", Access::PublicRead, Get GoogleReviewFeed Read),
    route!("/v1/shops/{shop}/photos", SHOP_WRITE, Post UploadPhoto Read),
    route!("/v1/shops/{shop}/photos/{photo}", Access::PublicRead, Get ReviewPhoto Read),
    route!("/v1/shops/{shop}/photos/{photo}/thumbnail", Access::PublicRead, Get ReviewPhotoThumbnail Read),
    route!("/v1/shops/{shop}/questions", SHOP_WRITE, Post AskQuestion Read),
    route!("/v1/shops/{shop}/questions/{question}/votes", SHOP_WRITE, Post VoteQuestion Read),
    route!("/v1/shops/{shop}/products/{product}/questions", Access::PublicRead, Get ListQuestions Read),
    route!("/v1/admin/reviews", Access::Merchant, Get ListReviewsForModeration Read),
    route!("/v1/admin/reviews.csv", Access::Merchant, Get ExportReviewsCsv Read),
    route!("/v1/admin/reviews/import", Access::Merchant, Post ImportReviewsCsv Full),
    route!("/v1/admin/photos", Access::Merchant, Get PhotoCopies Read),
    route!("/v1/admin/photos/{photo}", Access::Merchant, Get GetPhoto Read),
    route!("/v1/admin/photos/{photo}/thumbnail", Access::Merchant, Get GetPhotoThumbnail Read),
    route!("/v1/admin/photos/{photo}/approve", Access::Merchant, Post ApprovePhoto Moderate),
    route!("/v1/admin/photos/{photo}/reject", Access::Merchant, Post RejectPhoto Moderate),
    route!("/v1/admin/reviews/{review}", Access::Merchant, Get GetReview Read),
    route!("/v1/admin/reviews/{review}/approve", Access::Merchant, Post ApproveReview Moderate),
    route!("/v1/admin/reviews/{review}/reject", Access::Merchant, Post RejectReview Moderate),
    route!("/v1/admin/reviews/{review}/reply", Access::Merchant, Put PutReply Moderate, Delete DeleteReply Moderate),
    route!("/v1/admin/questions", Access::Merchant, Get ListQuestionsForModeration Read),
    route!("/v1/admin/questions/{question}/answer", Access::Merchant, Put AnswerQuestion Moderate),
    route!("/v1/admin/questions/{question}/reject", Access::Merchant, Post RejectQuestion Moderate),
    route!("/v1/admin/moderation", Access::Merchant, Get GetModerationPolicy Read, Put PutModerationPolicy Full),
    route!("/v1/admin/moderation-log", Access::Merchant, Get ModerationLog Read),
    route!("/v1/admin/tokens", Access::Merchant, Post MintToken Full),
    route!("/v1/admin/secrets", Access::Merchant, Get ListSecrets Read, Post CreateSecret Full),
    route!("/v1/admin/secrets/{kid}", Access::Merchant, Delete RetireSecret Full),
    route!("/v1/admin/orders", Access::Merchant, Get ListOrders Read),
    route!("/v1/admin/shipments/attention", Access::Merchant, Get ShipmentsNeedingAttention Read),
    route!("/v1/admin/orders/import", Access::Merchant, Post ImportOrders Full),
    route!("/v1/admin/orders/{order}", Access::Merchant, Get GetOrder Read, Put PutOrder Full),
    route!("/v1/admin/orders/{order}/events", Access::Merchant, Post AddOrderEvents Full),
    route!("/v1/admin/orders/{order}/links", Access::Merchant, Post OrderLinks Full),
    route!("/v1/admin/webhook", Access::Merchant, Get GetWebhook Read, Put PutWebhook Full, Delete DeleteWebhook Full),
    route!("/v1/admin/webhook/deliveries", Access::Merchant, Get WebhookDeliveries Read),
    route!("/v1/admin/catalog", Access::Merchant, Get ListCatalog Read, Put PutCatalog Full),
    route!("/v1/admin/survey", Access::Merchant, Get GetSurveySettings Read, Put PutSurveySettings Full),
    route!("/v1/admin/survey/responses", Access::Merchant, Get ListSurveyResponses Read),
    route!("/v1/admin/survey/responses.csv", Access::Merchant, Get ExportSurveyResponsesCsv Read),
    route!("/v1/admin/reports/satisfaction", Access::Merchant, Get SatisfactionReport Read),
    route!("/v1/admin/reports/recommendations", Access::Merchant, Get RecommendationReport Read),
    route!("/v1/admin/reports/cases", Access::Merchant, Get CaseReport Read),
    route!("/v1/admin/reports/overview", Access::Merchant, Get OverviewReport Read),
    route!("/v1/admin/cases", Access::Merchant, Get ListCases Read),
    route!("/v1/admin/cases/settings", Access::Merchant, Get GetCaseSettings Read, Put PutCaseSettings Full),
    route!("/v1/admin/cases/{case}", Access::Merchant, Get GetCase Read, Put PutCase Moderate),
    route!("/v1/admin/cases/{case}/notes", Access::Merchant, Post AddCaseNote Moderate),
    route!("/v1/admin/cases/{case}/answers", Access::Merchant, Post AnswerCase Moderate),
    route!("/v1/admin/shop", Access::Merchant, Get GetShop Read, Put PutShop Full),
    route!("/v1/admin/shoppers/export", Access::Merchant, Post ExportShopper Full),
    route!("/v1/admin/shoppers/delete", Access::Merchant, Post DeleteShopper Full),
    route!("/v1/admin/keys", Access::Merchant, Get ListKeys Read, Post CreateKey Full),
    route!("/v1/admin/connectors", Access::Merchant, Get ListConnectors Read),
    route!("/v1/admin/connectors/{platform}", Access::Merchant, Put PutConnector Full, Delete DeleteConnector Full),
    route!("/v1/connectors/shopify/{shop}", Access::Platform, Post ReceiveShopifyWebhook Read),
    route!("/v1/connectors/woocommerce/{shop}", Access::Platform, Post ReceiveWooCommerceWebhook Read),
    route!("/v1/admin/outreach", Access::Merchant, Get GetOutreachSettings Read, Put PutOutreachSettings Full),
    route!("/v1/admin/outreach/messages", Access::Merchant, Get OutreachReport Read),
    // A message's unsubscribe link: its token is the credential (checked by the handler), for a
    // person's browser and a mail client's one-click POST alike.
    route!("/v1/outreach/{shop}/unsubscribe", Access::Platform, Get UnsubscribePage Read, Post Unsubscribe Read),
    // The providers' bounce and complaint webhooks, proven by the secret the shop set.
    route!("/v1/outreach/{shop}/events/resend", Access::Platform, Post ReceiveResendEvent Read),
    route!("/v1/outreach/{shop}/events/postmark", Access::Platform, Post ReceivePostmarkEvent Read),
    route!("/v1/admin/keys/{name}", Access::Merchant, Delete RevokeKey Full),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_routes_win_over_templates_and_parameters_are_named() {
        let (route, params) = find("/v1/admin/reviews/import").unwrap();
        assert_eq!(route.path, "/v1/admin/reviews/import");
        assert_eq!(params, Parameters(vec![]));
        let (route, params) = find("/v1/shops/s1/products/p9/reviews.jsonld").unwrap();
        assert_eq!(
            route.path,
            "/v1/shops/{shop}/products/{product}/reviews.jsonld"
        );
        assert_eq!((params.get("shop"), params.get("product")), ("s1", "p9"));
        assert!(find("/v1/shops/s1/products/p9").is_none());
        assert!(find("/v1/admin/reviews/r1/approve/again").is_none());
        assert_eq!(area_of_unknown("/v1/admin/nothing"), Access::Merchant);
        assert_eq!(area_of_unknown("/v1/admin"), Access::Merchant);
        assert_eq!(
            area_of_unknown("/v1/shops/s/products/p/nothing"),
            Access::PublicRead
        );
        assert_eq!(area_of_unknown("/v2/anything"), Access::Own);
        assert_eq!(
            area_of_unknown("/v1/shops/s/catalog/x"),
            Access::ShopPage { shop_limit: false }
        );
        assert_eq!(area_of_unknown("/v1/shops"), Access::Own);
        assert_eq!(area_of_unknown("/v1/assets"), Access::Own);
    }

    #[test]
    fn allow_lists_head_and_options_where_they_are_answered() {
        let allow = |path: &str| find(path).unwrap().0.allow();
        assert_eq!(allow("/v1/health"), "GET, HEAD");
        assert_eq!(allow("/v1/shops/s/reviews"), "POST, OPTIONS");
        assert_eq!(allow("/v1/shops/s/catalog"), "GET, HEAD, OPTIONS");
        assert_eq!(allow("/v1/admin/webhook"), "GET, PUT, DELETE");
        assert_eq!(allow("/v1/admin/reviews/r/reply"), "PUT, DELETE");
    }

    #[test]
    fn every_route_is_unique_and_every_route_reaches_its_own_table_entry() {
        for route in ROUTES {
            let sample = route.path.replace(['{', '}'], "");
            let (found, _) = find(&sample).unwrap();
            assert_eq!(found.path, route.path, "{} is shadowed", route.path);
            for (i, op) in route.operations.iter().enumerate() {
                assert!(
                    route.operations[..i].iter().all(|o| o.method != op.method),
                    "{} lists {} twice",
                    route.path,
                    op.method.as_str()
                );
            }
        }
        let names: Vec<_> = ROUTES
            .iter()
            .flat_map(|r| r.operations)
            .map(|o| o.name)
            .collect();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "{n:?} names two operations");
        }
    }

    #[test]
    fn merchant_reads_need_only_a_read_key() {
        for route in ROUTES.iter().filter(|r| r.access == Access::Merchant) {
            for op in route.operations {
                if op.method == Method::Get {
                    assert_eq!(op.scope, ApiKeyScope::Read, "{}", route.path);
                } else {
                    assert_ne!(
                        op.scope,
                        ApiKeyScope::Read,
                        "{} {}",
                        op.method.as_str(),
                        route.path
                    );
                }
            }
        }
    }

    /// docs/API.md gives every route a heading naming its methods, and names no route that is not
    /// in the table. (The widgets' files and the dashboard's page are described in prose.)
    #[test]
    fn docs_api_md_names_the_same_routes() {
        let doc = include_str!("../../docs/API.md");
        let headings: Vec<&str> = doc.lines().filter(|l| l.starts_with('#')).collect();
        let ends_path = |rest: &str| {
            rest.chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || "/{}._-".contains(c)))
        };
        for route in ROUTES {
            let described_in_prose =
                matches!(route.access, Access::Widget) || route.path == "/admin";
            if described_in_prose {
                let named = route.path.replace("{file}", "*");
                assert!(
                    doc.contains(&format!("GET {named}")),
                    "docs/API.md does not name GET {named}"
                );
                continue;
            }
            let lines: Vec<&&str> = headings
                .iter()
                .filter(|h| {
                    h.match_indices(route.path)
                        .any(|(i, _)| ends_path(&h[i + route.path.len()..]))
                })
                .collect();
            assert!(
                !lines.is_empty(),
                "docs/API.md has no heading for {}",
                route.path
            );
            for op in route.operations {
                assert!(
                    lines.iter().any(|h| h.contains(op.method.as_str())),
                    "docs/API.md's heading for {} does not name {}",
                    route.path,
                    op.method.as_str()
                );
            }
        }
        for heading in &headings {
            for (i, _) in heading.match_indices("/v1/") {
                let path: String = heading[i..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || "/{}._-".contains(*c))
                    .collect();
                assert!(
                    find(&path).is_some_and(|(r, _)| r.path == path),
                    "docs/API.md names {path}, which is no route"
                );
            }
        }
    }
}

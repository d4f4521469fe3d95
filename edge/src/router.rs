//! The request path: `route` finds the route in `memnun_protocol::api::ROUTES` and gives every
//! answer the headers all answers carry; `answer` does what the route's access class asks of
//! every caller (a shop page's allowed origin and the shop's write limit, a merchant's key and
//! scope); `handle` calls the operation's handler; `fail` is the one place an error becomes an
//! answer, and what the client is not told a log line with the request id.

use crate::handlers::{
    Context, api_keys, assets, cases, catalog, connectors, feedback, feeds, moderation,
    order_import, order_list, orders, outreach, overview, photos, questions, recommend, review_csv,
    reviews, shoppers, shops, survey, survey_responses, tokens, webhooks,
};
use crate::platform::databases::{self, ShopDatabase};
use crate::platform::error::ApiError;
use crate::platform::http::{self, Cors};
use crate::platform::{clock, log, public_cache, statement_count};
use crate::store;
use memnun_protocol::api::{self, Access, Operation, OperationName, Parameters, Route};
use memnun_protocol::connectors::Platform;
use memnun_protocol::outreach::providers::ProviderName;
use memnun_protocol::shop::ApiKeyScope;
use memnun_protocol::{Id, ReviewStatus};
use worker::{Context as ExecutionContext, Env, Method, Request, Response};

pub async fn route(mut req: Request, env: Env, ctx: &ExecutionContext) -> Response {
    statement_count::reset();
    let request_id = log::request_id(&req);
    // The router of before the route table read `//v1/…` as `/v1/…` (a base URL ending in a
    // slash makes one), and clients may rely on it.
    let path = format!("/{}", req.path().trim_start_matches('/'));
    let found = api::find(&path);
    let access = found
        .as_ref()
        .map_or_else(|| api::area_of_unknown(&path), |(route, _)| route.access);
    let mut resp = match found {
        // `/admin/` is how many will type it.
        None if path == "/admin/" => redirect_to_dashboard(&request_id),
        None => answer_unknown(&mut req, &env, &request_id, access).await,
        Some((route, parameters)) => {
            answer(&mut req, &env, ctx, &request_id, route, parameters).await
        }
    };
    let headers = resp.headers_mut();
    // Every answer, whichever module made it; a handler that set its own keeps it.
    let _ = headers.set(log::REQUEST_ID_HEADER, &request_id);
    let _ = headers.set("X-Content-Type-Options", "nosniff");
    if !headers.has("Cross-Origin-Resource-Policy").unwrap_or(true) {
        // Shop pages on other sites load the widgets and read public data; nothing else
        // (merchant answers, the dashboard) may be embedded or read by another site.
        let policy = if access.cross_origin() {
            "cross-origin"
        } else {
            "same-origin"
        };
        let _ = headers.set("Cross-Origin-Resource-Policy", policy);
    }
    if !headers.has("Cache-Control").unwrap_or(true) {
        // Only answers that say they are public may be kept by a cache.
        let _ = headers.set("Cache-Control", "no-store");
    }
    if statement_count::enabled(&env) {
        let _ = headers.set(
            statement_count::HEADER,
            &statement_count::count().to_string(),
        );
    }
    resp
}

/// Built by hand: `Response::redirect`'s headers are immutable, and every answer gets headers
/// added in `route`. Relative, so a forged Host header cannot send the merchant anywhere else.
fn redirect_to_dashboard(request_id: &str) -> Response {
    Response::empty()
        .map(|r| r.with_status(308))
        .and_then(|mut r| {
            r.headers_mut().set("Location", "/admin")?;
            Ok(r)
        })
        .unwrap_or_else(|e| fail(e.into(), request_id))
}

/// The one place a failure becomes an answer: what the client is not told is logged here, with
/// the request id its answer carries.
fn fail(error: ApiError, request_id: &str) -> Response {
    if let Some(detail) = error.detail() {
        log::error(request_id, &format!("internal error: {detail}"));
    }
    error.into_response()
}

/// A path that is no route: `404`, answered as its part of the API answers. The merchant API
/// authenticates first, so a caller without a key learns nothing of which routes exist.
async fn answer_unknown(
    req: &mut Request,
    env: &Env,
    request_id: &str,
    access: Access,
) -> Response {
    let error = match access {
        Access::Merchant => match merchant(req, env, None).await {
            Ok(_) => ApiError::NotFound("route"),
            Err(e) => e,
        },
        _ => ApiError::NotFound("route"),
    };
    http::drain_unread_body(req).await;
    let mut resp = fail(error, request_id);
    if access == Access::PublicRead {
        let _ = Cors::Public.apply(&mut resp);
    }
    resp
}

/// The method as the route table knows it: `HEAD` is `GET` where the route answers it;
/// `OPTIONS` and anything else are no operation.
fn table_method(method: &Method, access: Access) -> Option<api::Method> {
    match method {
        Method::Get => Some(api::Method::Get),
        Method::Head if access.head_with_get() => Some(api::Method::Get),
        Method::Put => Some(api::Method::Put),
        Method::Post => Some(api::Method::Post),
        Method::Delete => Some(api::Method::Delete),
        _ => None,
    }
}

/// One request on a known route: what its access class asks of every caller (the shop's origin
/// and limit, the merchant's key and scope), then the operation, then the CORS headers the class
/// gives its answers (errors included).
async fn answer(
    req: &mut Request,
    env: &Env,
    ctx: &ExecutionContext,
    request_id: &str,
    route: &'static Route,
    parameters: Parameters<'_>,
) -> Response {
    let method = req.method();
    let operation = table_method(&method, route.access).and_then(|m| route.operation(m));
    let preflight = method == Method::Options && route.access.preflight();
    let not_allowed = || ApiError::MethodNotAllowed(route.allow());
    let (outcome, cors) = match route.access {
        Access::Own | Access::Widget => match operation {
            Some(op) => (
                handle(req, env, request_id, op.name, &parameters, Caller::Anyone).await,
                Cors::None,
            ),
            None => (Err(not_allowed()), Cors::None),
        },
        Access::PublicRead => match operation {
            _ if preflight => (preflight_public(), Cors::Public),
            Some(op) => match http::parse_id("shop", parameters.get("shop")) {
                Ok(shop) => (
                    public_read(req, env, ctx, request_id, op, &parameters, shop).await,
                    Cors::Public,
                ),
                Err(e) => (Err(e), Cors::Public),
            },
            None => (Err(not_allowed()), Cors::Public),
        },
        Access::ShopPage { shop_limit } if operation.is_some() || preflight => {
            match shop_page(req, env, parameters.get("shop")).await {
                Err(e) => (Err(e), Cors::None),
                Ok((shop, place, cors)) => {
                    let outcome = match operation {
                        Some(op) if !preflight => {
                            let caller = Caller::Shopper(shop, place);
                            shopper_operation(
                                req,
                                env,
                                request_id,
                                op,
                                shop_limit,
                                caller,
                                &parameters,
                            )
                            .await
                        }
                        _ => preflight_write(),
                    };
                    (outcome, cors)
                }
            }
        }
        // The method is checked before the origin: that refusal names no origin.
        Access::ShopPage { .. } => (Err(not_allowed()), Cors::None),
        // The handler checks the body's signature: the shop's secret for the platform says who
        // may send.
        Access::Platform => match operation {
            Some(op) => match http::parse_id("shop", parameters.get("shop")) {
                Ok(shop) => {
                    let caller = Caller::Platform(shop);
                    (
                        handle(req, env, request_id, op.name, &parameters, caller).await,
                        Cors::None,
                    )
                }
                Err(e) => (Err(e), Cors::None),
            },
            None => (Err(not_allowed()), Cors::None),
        },
        Access::Merchant => match merchant(req, env, operation).await {
            Err(e) => (Err(e), Cors::None),
            Ok((merchant, place)) => match operation {
                Some(op) => {
                    let caller = Caller::Merchant(merchant, place);
                    (
                        handle(req, env, request_id, op.name, &parameters, caller).await,
                        Cors::None,
                    )
                }
                None => (Err(not_allowed()), Cors::None),
            },
        },
    };
    if outcome
        .as_ref()
        .map_or(true, |resp| resp.status_code() >= 400)
    {
        http::drain_unread_body(req).await;
    }
    let mut resp = outcome.unwrap_or_else(|e| fail(e, request_id));
    match cors.apply(&mut resp) {
        Ok(()) => resp,
        Err(e) => fail(e, request_id),
    }
}

/// A public read: from Cloudflare's cache when it holds the answer, else the handler's answer,
/// kept there when it says it is public (`platform::public_cache`).
async fn public_read(
    req: &mut Request,
    env: &Env,
    ctx: &ExecutionContext,
    request_id: &str,
    op: &Operation,
    parameters: &Parameters<'_>,
    shop: Id,
) -> Result<Response, ApiError> {
    let cached =
        req.method() == Method::Get && public_cache::keeps(op.name) && public_cache::enabled(env);
    if cached && let Some(hit) = public_cache::lookup(req).await {
        return Ok(hit);
    }
    let caller = Caller::Reader(shop);
    let mut resp = handle(req, env, request_id, op.name, parameters, caller).await?;
    if cached {
        public_cache::keep(ctx, req, &mut resp);
    }
    Ok(resp)
}

/// A shopper's operation, from an allowed origin: the shop's write limit where the route counts
/// against it, then the handler.
async fn shopper_operation(
    req: &mut Request,
    env: &Env,
    request_id: &str,
    op: &Operation,
    shop_limit: bool,
    caller: Caller,
    parameters: &Parameters<'_>,
) -> Result<Response, ApiError> {
    if shop_limit && let Caller::Shopper(shop, _) = &caller {
        http::rate_limit(env, "SHOP_WRITES", shop.to_string()).await?;
    }
    handle(req, env, request_id, op.name, parameters, caller).await
}

/// A shopper's page: the shop must exist and the page's `Origin` must be one it allows. Once the
/// origin is known to be allowed, every answer (errors included) is readable by it.
async fn shop_page(
    req: &Request,
    env: &Env,
    shop: &str,
) -> Result<(Id, ShopDatabase, Cors), ApiError> {
    let shop = http::parse_id("shop", shop)?;
    let place = databases::for_shop(env, &shop).await?;
    let cors = shops::authorize_write(&place.db, &shop, http::origin(req)).await?;
    Ok((shop, place, cors))
}

/// The merchant behind the request's key, if the key may do `operation` (or, on a path or
/// method that is none, what such a request would need: reading for `GET`, all else `full`),
/// and the database of its shop.
async fn merchant(
    req: &Request,
    env: &Env,
    operation: Option<&Operation>,
) -> Result<(api_keys::Merchant, ShopDatabase), ApiError> {
    let key_hash = api_keys::presented_key_hash(req)?;
    let keys = databases::for_key(env, &key_hash).await?;
    let now = clock::now_ms(req, env);
    if let Some(first) = &keys.lockout {
        api_keys::refuse_locked_out(req, env, first, now).await?;
    }
    let merchant = api_keys::authenticate(req, env, &keys.key, &key_hash, now).await?;
    let needed = match (operation, req.method()) {
        (Some(op), _) => op.scope,
        (None, Method::Get | Method::Head) => ApiKeyScope::Read,
        (None, _) => ApiKeyScope::Full,
    };
    merchant.may(needed)?;
    // The shop's own place: a key the directory does not name (every key made while there was
    // one database) found its shop on the first database, but the shop's pause is the
    // directory's to say.
    let place = databases::for_shop(env, &merchant.shop).await?;
    Ok((merchant, place))
}

/// Who the access class found behind a request.
enum Caller {
    /// Anyone: the edge's own pages and the widgets' files.
    Anyone,
    /// Any page, reading this shop's public data.
    Reader(Id),
    /// A page of this shop, from an allowed origin (its database found on the way).
    Shopper(Id, ShopDatabase),
    /// A key of this shop, and the shop's database.
    Merchant(api_keys::Merchant, ShopDatabase),
    /// A shop platform's server, for this shop (its signature is checked by the handler).
    Platform(Id),
}

/// The operation's handler, with what it needs of the request: the edge's own operations take
/// the request alone, a shop's take the `Context` built here once.
async fn handle(
    req: &mut Request,
    env: &Env,
    request_id: &str,
    operation: OperationName,
    parameters: &Parameters<'_>,
    caller: Caller,
) -> Result<Response, ApiError> {
    use OperationName as Op;
    let (shop, merchant, place) = match caller {
        Caller::Anyone => {
            return match operation {
                Op::Health => health(env, request_id).await,
                Op::OpenApi => openapi(),
                // A clone (cheap: no body) keeps `req` for the error path.
                Op::AdminPage => assets::admin_page(req.clone()?, env).await,
                Op::Loader | Op::Asset => assets::serve(req.clone()?, env).await,
                Op::Module => assets::module(req.clone()?, env, parameters.get("file")).await,
                _ => Err(ApiError::Internal(
                    "a shop's operation without a shop".into(),
                )),
            };
        }
        Caller::Reader(shop) | Caller::Platform(shop) => (shop, None, None),
        Caller::Shopper(shop, place) => (shop, None, Some(place)),
        Caller::Merchant(merchant, place) => (merchant.shop.clone(), Some(merchant), Some(place)),
    };
    let place = match place {
        Some(place) => place,
        None => databases::for_shop(env, &shop).await?,
    };
    // A shop being moved is read where it was; what would change it waits for the move's end.
    // Events through the queue go on: its consumer waits for the move itself, and a beacon
    // answered 503 is not sent again.
    let queued_events = operation == OperationName::ReceiveEvents && recommend::ingest::queued(env);
    if place.writes_paused && !queued_events && !matches!(req.method(), Method::Get | Method::Head)
    {
        return Err(ApiError::WritesPaused(databases::PAUSED_RETRY_SECONDS));
    }
    let cx = Context {
        env,
        shop,
        db: place.db,
        now: clock::now_ms(req, env),
        merchant,
    };
    shop_operation(req, &cx, operation, parameters).await
}

/// A shop's operation: its handler, given the context and the path's parameters.
async fn shop_operation(
    req: &mut Request,
    cx: &Context<'_>,
    operation: OperationName,
    parameters: &Parameters<'_>,
) -> Result<Response, ApiError> {
    use OperationName as Op;
    use memnun_protocol::merchant::ModerationAction::{Approved, Rejected};
    let param = |name: &str| parameters.get(name);
    let product = || http::parse_id("product", param("product"));
    match operation {
        Op::Health | Op::OpenApi | Op::AdminPage | Op::Loader | Op::Asset | Op::Module => Err(
            ApiError::Internal("the edge's own operation with a shop".into()),
        ),
        Op::CreateReview => reviews::create(req, cx).await,
        Op::VoteReview => feedback::vote(req, cx, param("review")).await,
        Op::ReportReview => feedback::report(req, cx, param("review")).await,
        Op::LookUpOrder => orders::lookup(req, cx).await,
        Op::TrackOrder => orders::track(req, cx).await,
        Op::ReceiveEvents => recommend::ingest::receive(req, cx).await,
        Op::OpenSurvey => survey::open(req, cx).await,
        Op::AnswerSurvey => survey::answer(req, cx).await,
        Op::RecentlyViewed => recommend::strip::recently_viewed(req, cx).await,
        Op::ListReviews => reviews::list(req, cx, &product()?).await,
        Op::ReviewsJsonLd => reviews::snippet(req, cx, &product()?, false).await,
        Op::ReviewsHtml => reviews::snippet(req, cx, &product()?, true).await,
        Op::Recommendations => recommend::strip::list(req, cx, &product()?).await,
        Op::GoogleReviewFeed => feeds::google_product_reviews(req, cx).await,
        Op::UploadPhoto => photos::upload(req, cx).await,
        Op::ReviewPhoto => photos::serve(cx, param("photo"), false).await,
        Op::ReviewPhotoThumbnail => photos::serve(cx, param("photo"), true).await,
        Op::PhotoCopies => photos::copies(cx).await,
        Op::GetPhoto => photos::for_merchant(cx, param("photo"), false).await,
        Op::GetPhotoThumbnail => photos::for_merchant(cx, param("photo"), true).await,
        Op::ApprovePhoto => photos::decide(cx, param("photo"), ReviewStatus::Published).await,
        Op::RejectPhoto => photos::decide(cx, param("photo"), ReviewStatus::Rejected).await,
        Op::AskQuestion => questions::ask(req, cx).await,
        Op::VoteQuestion => questions::vote(req, cx, param("question")).await,
        Op::ListQuestions => questions::list(req, cx, &product()?).await,
        Op::ListQuestionsForModeration => questions::for_merchant(req, cx).await,
        Op::AnswerQuestion => questions::answer(req, cx, param("question")).await,
        Op::RejectQuestion => questions::reject(cx, param("question")).await,
        Op::ListReviewsForModeration => moderation::list(req, cx).await,
        Op::ExportReviewsCsv => review_csv::export(cx).await,
        Op::ImportReviewsCsv => review_csv::import(req, cx).await,
        Op::GetReview => moderation::get(cx, param("review")).await,
        Op::ApproveReview => moderation::decide(req, cx, param("review"), Approved).await,
        Op::RejectReview => moderation::decide(req, cx, param("review"), Rejected).await,
        Op::PutReply | Op::DeleteReply => {
            let delete = operation == Op::DeleteReply;
            moderation::set_reply(req, cx, param("review"), delete).await
        }
        Op::GetModerationPolicy => moderation::get_policy(cx).await,
        Op::PutModerationPolicy => moderation::put_policy(req, cx).await,
        Op::ModerationLog => moderation::log(req, cx).await,
        Op::MintToken => tokens::mint(req, cx).await,
        Op::ListSecrets => tokens::list(cx).await,
        Op::CreateSecret => tokens::create(cx).await,
        Op::RetireSecret => tokens::retire(cx, param("kid")).await,
        Op::ListOrders => order_list::orders(req, cx).await,
        Op::ShipmentsNeedingAttention => order_list::attention(req, cx).await,
        Op::GetOrder => orders::get(cx, param("order")).await,
        Op::PutOrder => orders::upsert(req, cx, param("order")).await,
        Op::ImportOrders => order_import::import(req, cx).await,
        Op::AddOrderEvents => orders::add_events(req, cx, param("order")).await,
        Op::OrderLinks => orders::links(cx, param("order")).await,
        Op::GetWebhook => webhooks::get(cx).await,
        Op::PutWebhook => webhooks::put(req, cx).await,
        Op::DeleteWebhook => webhooks::delete(cx).await,
        Op::WebhookDeliveries => webhooks::deliveries(cx).await,
        Op::ListCatalog => catalog::list(req, cx).await,
        Op::PutCatalog => catalog::put(req, cx).await,
        Op::GetSurveySettings => survey::get_settings(cx).await,
        Op::PutSurveySettings => survey::put_settings(req, cx).await,
        Op::ListSurveyResponses => survey_responses::list(req, cx).await,
        Op::ExportSurveyResponsesCsv => survey::export(cx).await,
        Op::SatisfactionReport => survey::report(req, cx).await,
        Op::RecommendationReport => recommend::report::report(req, cx).await,
        Op::GetShop => shops::get_settings(cx).await,
        Op::PutShop => shops::put_settings(req, cx).await,
        Op::ExportShopper => shoppers::export(req, cx).await,
        Op::DeleteShopper => shoppers::delete(req, cx).await,
        Op::ListKeys => api_keys::list(cx).await,
        Op::CreateKey => api_keys::create(req, cx).await,
        Op::RevokeKey => api_keys::revoke(cx, param("name")).await,
        Op::ListConnectors => connectors::list(req, cx).await,
        Op::PutConnector => connectors::put(req, cx, param("platform")).await,
        Op::DeleteConnector => connectors::delete(cx, param("platform")).await,
        Op::GetOutreachSettings => outreach::get_settings(cx).await,
        Op::PutOutreachSettings => outreach::put_settings(req, cx).await,
        Op::OutreachReport => outreach::report(cx).await,
        Op::UnsubscribePage => outreach::unsubscribe_page_for(req, cx).await,
        Op::Unsubscribe => outreach::unsubscribe(req, cx).await,
        Op::ReceiveResendEvent => outreach::receive_event(req, cx, ProviderName::Resend).await,
        Op::ReceivePostmarkEvent => outreach::receive_event(req, cx, ProviderName::Postmark).await,
        Op::ReceiveShopifyWebhook => connectors::receive(req, cx, Platform::Shopify).await,
        Op::ReceiveWooCommerceWebhook => connectors::receive(req, cx, Platform::WooCommerce).await,
        Op::FileComplaint => cases::complaint(req, cx).await,
        Op::ListCases => cases::list(req, cx).await,
        Op::GetCaseSettings => cases::get_settings(cx).await,
        Op::PutCaseSettings => cases::put_settings(req, cx).await,
        Op::GetCase => cases::get(cx, param("case")).await,
        Op::PutCase => cases::put(req, cx, param("case")).await,
        Op::AddCaseNote => cases::note(req, cx, param("case")).await,
        Op::AnswerCase => cases::answer(req, cx, param("case")).await,
        Op::CaseReport => cases::report(req, cx).await,
        Op::OverviewReport => overview::report(req, cx).await,
    }
}

/// `GET /v1/health`: the worker answers and every database reads its schema (how many
/// migrations it has; the control database's), or 503 when one does not answer or one is behind
/// the others, so a monitor sees the outage, not a green worker.
async fn health(env: &Env, request_id: &str) -> Result<Response, ApiError> {
    let mut outcome: Result<Option<i64>, String> = Ok(None);
    for binding in databases::every_database(env) {
        let applied = match env.d1(&binding) {
            Ok(db) => store::health::migrations_applied(&db)
                .await
                .map_err(|e| format!("{binding}: {e}")),
            Err(e) => Err(format!("{binding}: {e}")),
        };
        outcome = match (outcome, applied) {
            (Err(e), _) | (_, Err(e)) => Err(e),
            (_, Ok(None)) => Err(format!("{binding}: no migrations table")),
            (Ok(None), Ok(Some(n))) => Ok(Some(n)),
            (Ok(Some(first)), Ok(Some(n))) if first == n => Ok(Some(n)),
            (Ok(Some(first)), Ok(Some(n))) => Err(format!(
                "{binding} has {n} migrations applied, the control database {first}"
            )),
        };
        if outcome.is_err() {
            break;
        }
    }
    use memnun_protocol::health::{DatabaseHealth, Health};
    match outcome {
        Ok(Some(migrations)) => http::json(
            200,
            &Health {
                ok: true,
                database: DatabaseHealth::Ok,
                migrations: Some(migrations),
            },
        ),
        Ok(None) | Err(_) => {
            let detail = outcome.err().unwrap_or_default();
            let unavailable = Health {
                ok: false,
                database: DatabaseHealth::Unavailable,
                migrations: None,
            };
            log::error(
                request_id,
                &format!("health: the database did not answer: {detail}"),
            );
            http::json(503, &unavailable)
        }
    }
}

/// `GET /v1/openapi.json`: the route table and the wire types' schemas as OpenAPI 3.1, made at
/// build time (`build.rs`). Any site's tools may read it.
fn openapi() -> Result<Response, ApiError> {
    const DOCUMENT: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));
    let mut resp = http::json_text(200, DOCUMENT.to_owned())?;
    let headers = resp.headers_mut();
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Cross-Origin-Resource-Policy", "cross-origin")?;
    headers.set("Cache-Control", "public, max-age=300")?;
    Ok(resp)
}

fn preflight_write() -> Result<Response, ApiError> {
    let mut resp = Response::empty()?.with_status(204);
    let headers = resp.headers_mut();
    headers.set("Access-Control-Allow-Methods", "POST")?;
    headers.set(
        "Access-Control-Allow-Headers",
        "Content-Type, Idempotency-Key",
    )?;
    headers.set("Access-Control-Max-Age", "86400")?;
    Ok(resp)
}

fn preflight_public() -> Result<Response, ApiError> {
    let mut resp = Response::empty()?.with_status(204);
    let headers = resp.headers_mut();
    headers.set("Access-Control-Allow-Methods", "GET")?;
    headers.set("Access-Control-Max-Age", "86400")?;
    Ok(resp)
}

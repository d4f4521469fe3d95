//! memnun's edge: a Cloudflare Worker that validates, stores (D1) and serves what the widgets
//! send and show, and serves the widgets themselves.
//!
//! Architecture invariant: this crate knows no DOM. Requests become typed values from
//! `memnun_protocol` at the door; every failure is an `ApiError`, answered as JSON in one place
//! (`error.rs`); nothing here panics on what a client sends.
//!
//! The router below is the whole public surface; each resource has its own module.

mod api_keys;
mod assets;
mod catalog;
mod clock;
mod error;
mod feedback;
mod http;
mod idempotency;
mod log;
mod moderation;
mod order_list;
mod orders;
mod recommend;
mod retention;
mod review_csv;
mod reviews;
mod secure;
mod shoppers;
mod shops;
mod statement_count;
mod store;
mod survey;
mod survey_responses;
mod tokens;
mod webhooks;

use error::ApiError;
use http::Cors;
use memnun_protocol::Id;
use worker::{
    Context, D1Database, Env, Method, Request, Response, ScheduleContext, ScheduledEvent, event,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(route(req, env).await)
}

/// The Cron Trigger (`wrangler.toml [triggers]`, every minute): sends the webhook deliveries
/// that are due, applies the recommendation backlog and purges what is past its retention. The
/// event's own time is the clock, so tests move it by triggering later.
#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let now = event.schedule() as i64;
    let run = format!("scheduled-{now}");
    if let Err(e) = webhooks::deliver_due(&env, now).await {
        log::error(&run, &format!("webhook deliveries failed: {e}"));
    }
    match database(&env) {
        Ok(db) => {
            if let Err(e) = recommend::drain_backlog(&db).await {
                log::error(&run, &format!("recommendation backlog failed: {e}"));
            }
            if let Err(e) = retention::purge(&db, now).await {
                log::error(&run, &format!("retention purge failed: {e}"));
            }
        }
        Err(e) => log::error(&run, &format!("no database: {e}")),
    }
}

async fn route(mut req: Request, env: Env) -> Response {
    statement_count::reset();
    let request_id = log::request_id(&req);
    let public = is_public_path(&req.path());
    let mut resp = answer(&mut req, &env).await;
    let headers = resp.headers_mut();
    if let Ok(Some(detail)) = headers.get(error::DETAIL_HEADER) {
        log::error(&request_id, &format!("internal error: {detail}"));
        let _ = headers.delete(error::DETAIL_HEADER);
    }
    // Every answer, whichever module made it; a handler that set its own keeps it.
    let _ = headers.set(log::REQUEST_ID_HEADER, &request_id);
    let _ = headers.set("X-Content-Type-Options", "nosniff");
    if !headers.has("Cross-Origin-Resource-Policy").unwrap_or(true) {
        // Shop pages on other sites load the widgets and read public data; nothing else
        // (merchant answers, the dashboard) may be embedded or read by another site.
        let policy = if public {
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

/// Paths whose answers pages on shops' own sites read: the widgets' files and the shop
/// endpoints.
fn is_public_path(path: &str) -> bool {
    path == assets::LOADER_PATH || path.starts_with("/v1/assets/") || path.starts_with("/v1/shops/")
}

async fn answer(req: &mut Request, env: &Env) -> Response {
    let path = req.path();
    let method = req.method();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let outcome = match segments.as_slice() {
        ["v1", "health"] => match only(&method, Method::Get, "GET, HEAD") {
            Ok(()) => health(env).await.map(|r| (r, Cors::None)),
            Err(e) => Err(e),
        },
        ["v1", "memnun.js"] | ["v1", "assets", _] => {
            match only(&method, Method::Get, "GET, HEAD") {
                // A clone (cheap: no body) keeps `req` for the error path below.
                Ok(()) => match req.clone() {
                    Ok(copy) => assets::serve(copy, env).await.map(|r| (r, Cors::None)),
                    Err(e) => Err(e.into()),
                },
                Err(e) => Err(e),
            }
        }
        // `/admin/` is how many will type it. Built by hand: `Response::redirect`'s headers are
        // immutable, and every answer gets headers added in `route`. Relative, so a forged Host
        // header cannot send the merchant anywhere else.
        ["admin", ""] => Response::empty()
            .map(|r| r.with_status(308))
            .and_then(|mut r| {
                r.headers_mut().set("Location", "/admin")?;
                Ok((r, Cors::None))
            })
            .map_err(ApiError::from),
        ["admin"] => match only(&method, Method::Get, "GET, HEAD") {
            Ok(()) => match req.clone() {
                Ok(copy) => assets::admin_page(copy, env).await.map(|r| (r, Cors::None)),
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e),
        },
        ["v1", "shops", shop, "reviews"] => public_write(req, env, shop, PublicWrite::Review).await,
        ["v1", "shops", shop, "reviews", review, "votes"] => {
            public_write(req, env, shop, PublicWrite::Vote(review)).await
        }
        ["v1", "shops", shop, "reviews", review, "reports"] => {
            public_write(req, env, shop, PublicWrite::Report(review)).await
        }
        ["v1", "shops", shop, "orders", "lookup"] => {
            public_write(req, env, shop, PublicWrite::OrderLookup).await
        }
        ["v1", "shops", shop, "orders", "track"] => {
            public_write(req, env, shop, PublicWrite::OrderTrack).await
        }
        ["v1", "shops", shop, "events"] => public_write(req, env, shop, PublicWrite::Events).await,
        ["v1", "shops", shop, "survey", "open"] => {
            public_write(req, env, shop, PublicWrite::SurveyOpen).await
        }
        ["v1", "shops", shop, "survey", "answers"] => {
            public_write(req, env, shop, PublicWrite::SurveyAnswer).await
        }
        ["v1", "shops", shop, "catalog"] => match method {
            Method::Get | Method::Head => match (parse_id("shop", shop), database(env)) {
                (Ok(shop), Ok(db)) => recommend::recently_viewed(req, &db, &shop).await,
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
            Method::Options => preflight_public(),
            _ => Err(ApiError::MethodNotAllowed("GET, HEAD, OPTIONS")),
        }
        .map(|r| (r, Cors::Public)),
        ["v1", "shops", shop, "products", product, resource] => match method {
            Method::Get | Method::Head => public_read(req, env, shop, product, resource).await,
            Method::Options => preflight_public(),
            _ => Err(ApiError::MethodNotAllowed("GET, HEAD, OPTIONS")),
        }
        .map(|r| (r, Cors::Public)),
        ["v1", "admin", rest @ ..] => admin(req, env, &method, rest)
            .await
            .map(|r| (r, Cors::None)),
        _ => Err(ApiError::NotFound("route")),
    };
    if outcome
        .as_ref()
        .map_or(true, |(resp, _)| resp.status_code() >= 400)
    {
        http::drain_unread_body(req).await;
    }
    match outcome {
        Ok((mut resp, cors)) => match cors.apply(&mut resp) {
            Ok(()) => resp,
            Err(e) => e.into_response(),
        },
        // Errors on public reads stay readable by any page, so widgets can show them.
        Err(e) => {
            let public = matches!(
                segments.as_slice(),
                ["v1", "shops", _, "products", ..] | ["v1", "shops", _, "catalog"]
            );
            let mut resp = e.into_response();
            if public {
                let _ = Cors::Public.apply(&mut resp);
            }
            resp
        }
    }
}

/// `GET /v1/health`: the worker answers and D1 reads its schema (how many migrations it has),
/// or 503 when the database does not answer, so a monitor sees the outage, not a green worker.
async fn health(env: &Env) -> Result<Response, ApiError> {
    let outcome = match env.d1("DB") {
        Ok(db) => store::health::migrations_applied(&db)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match outcome {
        Ok(Some(migrations)) => http::json(
            200,
            &serde_json::json!({ "ok": true, "database": "ok", "migrations": migrations }),
        ),
        Ok(None) | Err(_) => {
            let detail = outcome.err().unwrap_or_default();
            let mut resp = http::json(
                503,
                &serde_json::json!({ "ok": false, "database": "unavailable" }),
            )?;
            // Logged in `route` with the request id, like every internal error.
            error::attach_detail(
                resp.headers_mut(),
                &format!("health: the database did not answer: {detail}"),
            );
            Ok(resp)
        }
    }
}

/// Accepts `expected`, and HEAD wherever GET is accepted (the runtime drops the body).
fn only(method: &Method, expected: Method, allow: &'static str) -> Result<(), ApiError> {
    let head_for_get = expected == Method::Get && *method == Method::Head;
    if *method == expected || head_for_get {
        Ok(())
    } else {
        Err(ApiError::MethodNotAllowed(allow))
    }
}

fn parse_id(what: &str, raw: &str) -> Result<Id, ApiError> {
    Id::parse(raw).map_err(|e| ApiError::InvalidParameter(format!("{what} id {e}")))
}

fn database(env: &Env) -> Result<D1Database, ApiError> {
    let db = env.d1("DB")?;
    Ok(if statement_count::enabled(env) {
        statement_count::counting(db)
    } else {
        db
    })
}

async fn public_read(
    req: &Request,
    env: &Env,
    shop: &str,
    product: &str,
    resource: &str,
) -> Result<Response, ApiError> {
    let shop = parse_id("shop", shop)?;
    let product = parse_id("product", product)?;
    let db = database(env)?;
    match resource {
        "reviews" => reviews::list(req, &db, &shop, &product).await,
        "reviews.jsonld" => reviews::snippet(req, &db, &shop, &product, false).await,
        "reviews.html" => reviews::snippet(req, &db, &shop, &product, true).await,
        "recommendations" => recommend::list(req, &db, &shop, &product).await,
        _ => Err(ApiError::NotFound("route")),
    }
}

/// What a shopper's page sends. The order requests read, but they carry private data, so they
/// come as POSTs from the shop's own origins (the token or email in the body, not the URL).
enum PublicWrite<'a> {
    Review,
    Vote(&'a str),
    Report(&'a str),
    OrderLookup,
    OrderTrack,
    SurveyOpen,
    SurveyAnswer,
    Events,
}

/// A shopper's write: the shop must exist and the page's `Origin` must be one it allows. Once
/// the origin is known to be allowed, every answer (errors included) is readable by it. Every
/// write counts against the shop's own limit, whoever sends it.
async fn public_write(
    req: &mut Request,
    env: &Env,
    shop: &str,
    write: PublicWrite<'_>,
) -> Result<(Response, Cors), ApiError> {
    let method = req.method();
    if method != Method::Post && method != Method::Options {
        return Err(ApiError::MethodNotAllowed("POST, OPTIONS"));
    }
    let shop = parse_id("shop", shop)?;
    let db = database(env)?;
    let cors = shops::authorize_write(&db, &shop, http::origin(req)).await?;
    let now = clock::now_ms(req, env);
    let result = match write {
        _ if method == Method::Options => preflight_write(),
        // Reads with their own limits (per client, per order number), not the shop's writes.
        PublicWrite::OrderLookup => orders::lookup(req, env, &db, &shop, now).await,
        PublicWrite::OrderTrack => orders::track(req, env, &db, &shop, now).await,
        // Beacons from every consenting page view: their own limits (per client, per shop), so a
        // busy shop's events never crowd out its shoppers' reviews and answers.
        PublicWrite::Events => recommend::receive(req, env, &db, &shop, now).await,
        _ => match http::rate_limit(env, "SHOP_WRITES", shop.to_string()).await {
            Err(e) => Err(e),
            Ok(()) => match write {
                PublicWrite::Vote(review) => {
                    feedback::vote(req, env, &db, &shop, review, now).await
                }
                PublicWrite::Report(review) => {
                    feedback::report(req, env, &db, &shop, review, now).await
                }
                PublicWrite::SurveyOpen => survey::open(req, env, &db, &shop, now).await,
                PublicWrite::SurveyAnswer => survey::answer(req, env, &db, &shop, now).await,
                _ => reviews::create(req, env, &db, &shop).await,
            },
        },
    };
    Ok((result.unwrap_or_else(ApiError::into_response), cors))
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

/// What a merchant request needs of its key's scope: reading is for every key, deciding on and
/// replying to reviews for `moderate` keys too, and everything else that changes something
/// (or exports a shopper's data) for `full` keys only.
fn scope_needed(path: &[&str], method: &Method) -> memnun_protocol::shop::ApiKeyScope {
    use memnun_protocol::shop::ApiKeyScope;
    match (path, method) {
        (_, Method::Get | Method::Head) => ApiKeyScope::Read,
        (["reviews", _, "approve" | "reject"], Method::Post)
        | (["reviews", _, "reply"], Method::Put | Method::Delete) => ApiKeyScope::Moderate,
        _ => ApiKeyScope::Full,
    }
}

/// The merchant API: authenticated first (so an unknown route answers 401, not 404, to a caller
/// without a key), then routed within the key's shop.
async fn admin(
    req: &mut Request,
    env: &Env,
    method: &Method,
    path: &[&str],
) -> Result<Response, ApiError> {
    let db = database(env)?;
    let now = clock::now_ms(req, env);
    let merchant = api_keys::authenticate(req, env, &db, now).await?;
    merchant.may(scope_needed(path, method))?;
    let shop = &merchant.shop;
    let actor = moderation::Actor(&merchant.key_name);
    use memnun_protocol::merchant::ModerationAction::{Approved, Rejected};
    match (path, method) {
        (["reviews"], Method::Get) => moderation::list(req, &db, shop).await,
        (["reviews"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["reviews.csv"], Method::Get) => review_csv::export(&db, shop).await,
        (["reviews.csv"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["reviews", "import"], Method::Post) => review_csv::import(req, env, &db, shop, now).await,
        (["reviews", "import"], _) => Err(ApiError::MethodNotAllowed("POST")),
        (["reviews", review], Method::Get) => moderation::get(&db, shop, review).await,
        (["reviews", _], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["reviews", review, "approve"], Method::Post) => {
            moderation::decide(req, &db, shop, review, Approved, &actor, now).await
        }
        (["reviews", review, "reject"], Method::Post) => {
            moderation::decide(req, &db, shop, review, Rejected, &actor, now).await
        }
        (["reviews", _, "approve" | "reject"], _) => Err(ApiError::MethodNotAllowed("POST")),
        (["reviews", review, "reply"], Method::Put) => {
            moderation::set_reply(req, &db, shop, review, false, &actor, now).await
        }
        (["reviews", review, "reply"], Method::Delete) => {
            moderation::set_reply(req, &db, shop, review, true, &actor, now).await
        }
        (["reviews", _, "reply"], _) => Err(ApiError::MethodNotAllowed("PUT, DELETE")),
        (["moderation"], Method::Get) => moderation::get_policy(&db, shop).await,
        (["moderation"], Method::Put) => moderation::put_policy(req, &db, shop, now).await,
        (["moderation"], _) => Err(ApiError::MethodNotAllowed("GET, PUT")),
        (["moderation-log"], Method::Get) => moderation::log(req, &db, shop).await,
        (["moderation-log"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["tokens"], Method::Post) => tokens::mint(req, &db, shop, now).await,
        (["tokens"], _) => Err(ApiError::MethodNotAllowed("POST")),
        (["secrets"], Method::Get) => tokens::list(&db, shop).await,
        (["secrets"], Method::Post) => tokens::create(&db, shop, now).await,
        (["secrets"], _) => Err(ApiError::MethodNotAllowed("GET, POST")),
        (["secrets", kid], Method::Delete) => tokens::retire(&db, shop, kid, now).await,
        (["secrets", _], _) => Err(ApiError::MethodNotAllowed("DELETE")),
        (["orders"], Method::Get) => order_list::orders(req, &db, shop).await,
        (["orders"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["shipments", "attention"], Method::Get) => {
            order_list::attention(req, &db, shop, now).await
        }
        (["shipments", "attention"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["orders", order], Method::Put) => orders::upsert(req, env, &db, shop, order, now).await,
        (["orders", order], Method::Get) => orders::get(&db, shop, order, now).await,
        (["orders", _], _) => Err(ApiError::MethodNotAllowed("GET, PUT")),
        (["orders", order, "events"], Method::Post) => {
            orders::add_events(req, &db, shop, order, now).await
        }
        (["orders", _, "events"], _) => Err(ApiError::MethodNotAllowed("POST")),
        (["orders", order, "links"], Method::Post) => orders::links(&db, shop, order, now).await,
        (["orders", _, "links"], _) => Err(ApiError::MethodNotAllowed("POST")),
        (["webhook"], Method::Get) => webhooks::get(&db, shop).await,
        (["webhook"], Method::Put) => webhooks::put(req, env, &db, shop, now).await,
        (["webhook"], Method::Delete) => webhooks::delete(&db, shop, now).await,
        (["webhook"], _) => Err(ApiError::MethodNotAllowed("GET, PUT, DELETE")),
        (["webhook", "deliveries"], Method::Get) => webhooks::deliveries(&db, shop).await,
        (["webhook", "deliveries"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["catalog"], Method::Get) => catalog::list(req, &db, shop).await,
        (["catalog"], Method::Put) => catalog::put(req, &db, shop, now).await,
        (["catalog"], _) => Err(ApiError::MethodNotAllowed("GET, PUT")),
        (["survey"], Method::Get) => survey::get_settings(&db, shop).await,
        (["survey"], Method::Put) => survey::put_settings(req, &db, shop, now).await,
        (["survey"], _) => Err(ApiError::MethodNotAllowed("GET, PUT")),
        (["survey", "responses"], Method::Get) => survey_responses::list(req, &db, shop, now).await,
        (["survey", "responses"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["survey", "responses.csv"], Method::Get) => survey::export(&db, shop).await,
        (["survey", "responses.csv"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["reports", "satisfaction"], Method::Get) => survey::report(req, &db, shop, now).await,
        (["reports", "satisfaction"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["reports", "recommendations"], Method::Get) => {
            recommend::report(req, &db, shop, now).await
        }
        (["reports", "recommendations"], _) => Err(ApiError::MethodNotAllowed("GET")),
        (["shop"], Method::Get) => shops::get_settings(&db, shop).await,
        (["shop"], Method::Put) => shops::put_settings(req, &db, shop).await,
        (["shop"], _) => Err(ApiError::MethodNotAllowed("GET, PUT")),
        (["shoppers", "export"], Method::Post) => shoppers::export(req, env, &db, shop, now).await,
        (["shoppers", "delete"], Method::Post) => shoppers::delete(req, env, &db, shop, now).await,
        (["shoppers", "export" | "delete"], _) => Err(ApiError::MethodNotAllowed("POST")),
        (["keys"], Method::Get) => api_keys::list(&db, shop).await,
        (["keys"], Method::Post) => api_keys::create(req, &db, shop, now).await,
        (["keys"], _) => Err(ApiError::MethodNotAllowed("GET, POST")),
        (["keys", name], Method::Delete) => api_keys::revoke(&db, shop, name, now).await,
        (["keys", _], _) => Err(ApiError::MethodNotAllowed("DELETE")),
        _ => Err(ApiError::NotFound("route")),
    }
}

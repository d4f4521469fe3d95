//! Counts the D1 statements one request prepares, in the test environment only
//! (`COUNT_D1_STATEMENTS = "true"` in `wrangler.toml [env.test]`), and answers the count in the
//! `X-Memnun-D1-Statements` header, so the tests hold bulk endpoints to Cloudflare's per-request
//! query limit (50 on Workers Free). Every statement this worker prepares runs once, so counting
//! `prepare` counts the queries.

use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use worker::{D1Database, Env, js_sys};

pub const HEADER: &str = "X-Memnun-D1-Statements";

thread_local! {
    static COUNT: Cell<u32> = const { Cell::new(0) };
}

pub fn enabled(env: &Env) -> bool {
    env.var("COUNT_D1_STATEMENTS")
        .is_ok_and(|v| v.to_string() == "true")
}

/// Starts a request's count. Tests send one request at a time, so one counter per isolate is
/// enough; the count is never used outside tests.
pub fn reset() {
    COUNT.with(|c| c.set(0));
}

pub fn count() -> u32 {
    COUNT.with(Cell::get)
}

/// `db` behind a `Proxy` whose `prepare` counts. The closures it makes live as long as the
/// isolate: a test-only cost.
pub fn counting(db: D1Database) -> D1Database {
    let target: JsValue = db.into();
    let get =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|target: JsValue, prop: JsValue| {
            let value = js_sys::Reflect::get(&target, &prop).unwrap_or(JsValue::UNDEFINED);
            let Some(function) = value.dyn_ref::<js_sys::Function>() else {
                return value;
            };
            // Bound to the real database: its methods read internal slots a proxy lacks.
            let bound = function.bind0(&target);
            if prop.as_string().as_deref() != Some("prepare") {
                return bound.into();
            }
            Closure::<dyn Fn(JsValue) -> JsValue>::new(move |sql: JsValue| {
                COUNT.with(|c| c.set(c.get() + 1));
                bound
                    .call1(&JsValue::NULL, &sql)
                    .unwrap_or(JsValue::UNDEFINED)
            })
            .into_js_value()
        });
    let handler = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&handler, &"get".into(), get.as_ref());
    get.forget();
    let proxy = js_sys::Proxy::new(&target, &handler);
    D1Database::unchecked_from_js(proxy.into())
}

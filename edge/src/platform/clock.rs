//! The edge's one clock. Everything that depends on time reads `now_ms`. The test environment
//! (and only it: `CLOCK_SHIFT_ALLOWED = "true"` in `wrangler.toml [env.test]`) may move the clock
//! forward with the `X-Memnun-Clock-Shift-Ms` header, so tests never sleep to let time pass.

use worker::{Env, Request};

pub const SHIFT_HEADER: &str = "X-Memnun-Clock-Shift-Ms";

pub fn now_ms(req: &Request, env: &Env) -> i64 {
    let now = worker::Date::now().as_millis() as i64;
    if !shift_allowed(env) {
        return now;
    }
    let shift = req
        .headers()
        .get(SHIFT_HEADER)
        .ok()
        .flatten()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    now.saturating_add(shift)
}

fn shift_allowed(env: &Env) -> bool {
    env.var("CLOCK_SHIFT_ALLOWED")
        .is_ok_and(|v| v.to_string() == "true")
}

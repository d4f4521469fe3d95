//! Writes the OpenAPI document of `memnun_protocol::api::ROUTES` for the worker to serve at
//! `/v1/openapi.json` (`include_str!` in `src/router.rs`).

fn main() {
    let document = memnun_protocol::api::openapi::document();
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let text = serde_json::to_string(&document).expect("the document is JSON");
    std::fs::write(out.join("openapi.json"), text).expect("OUT_DIR is writable");
    println!("cargo::rerun-if-changed=build.rs");
}

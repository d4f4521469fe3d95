//! `cargo xtask test`: every test. Formatting and lints, native unit tests, the size budget, then the end-to-end
//! tests (`tests/*.test.mjs`): HTTP against the real worker under workerd with a fresh local
//! D1, and the demo pages in a real Chromium (a part of them in Firefox and WebKit too). Each
//! end-to-end file starts and stops its own
//! edge and site on free ports.

use crate::process::run as run_cmd;
use crate::tools::{ensure_browsers, ensure_build_tools, ensure_python_tools};
use crate::{build, root, sizes, step};
use anyhow::{Context, Result};
use std::process::Command;

pub fn run(args: &[String]) -> Result<()> {
    let filter = args.first();
    ensure_build_tools()?;
    let browsers = ensure_browsers()?;
    let python_tools = ensure_python_tools()?;
    let root = root();

    step("Formatting (cargo fmt --check)");
    run_cmd(
        Command::new("cargo")
            .args(["fmt", "--all", "--check"])
            .current_dir(&root),
    )
    .context("the code is not formatted: run `cargo fmt --all`")?;

    // Natively (every crate, every feature) and for the wasm target the edge, the widgets and
    // the dashboard are built for, where `cfg(target_arch)` code only compiles.
    step("Lints (cargo clippy -D warnings, native and wasm)");
    run_cmd(
        Command::new("cargo")
            .args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&root),
    )
    .context("clippy found something (native)")?;
    run_cmd(
        Command::new("cargo")
            .args([
                "clippy",
                "--package",
                "memnun-edge",
                "--package",
                "memnun-widgets",
                "--package",
                "memnun-dashboard",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&root),
    )
    .context("clippy found something (wasm32-unknown-unknown)")?;

    step("Native tests (protocol, dashboard, xtask)");
    run_cmd(
        Command::new("cargo")
            .args([
                "test",
                "--package",
                "memnun-protocol",
                "--all-features",
                "--package",
                "memnun-dashboard",
                "--package",
                "xtask",
            ])
            .current_dir(&root),
    )
    .context("native tests failed")?;

    // wasm-bindgen-cli (installed above) brings the runner; it runs the tests under node.
    step("Widgets' decoders in wasm, against protocol/samples");
    run_cmd(
        Command::new("cargo")
            .args([
                "test",
                "--package",
                "memnun-widgets",
                "--target",
                "wasm32-unknown-unknown",
                "--lib",
                // Not `reviews`: its form is a split function, whose import only wasm-split
                // resolves (`build.rs`); the decoders are compiled without the feature alike.
                "--no-default-features",
                "--features",
                "recommendations,tracker,survey",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .current_dir(&root),
    )
    .context("the widgets' decoders disagree with protocol/samples")?;

    let built = build::all()?;
    step("Size budget");
    sizes::check_budget(&built)?;

    step("End-to-end tests: HTTP against workerd, browsers (Chromium; Firefox and WebKit)");
    let mut node = Command::new("node");
    node.args(["--test", "--test-concurrency=1", "--test-reporter=spec"]);
    match filter {
        Some(f) => node.arg(format!("tests/{f}")),
        None => node.arg("tests/"),
    };
    run_cmd(
        node.current_dir(&root)
            .env("MEMNUN_CHROMIUM", browsers.chromium)
            .env("MEMNUN_FIREFOX", browsers.firefox)
            .env("MEMNUN_WEBKIT_DRIVER", browsers.webkit_driver)
            .env("MEMNUN_SCHEMATHESIS", python_tools.join("bin/schemathesis"))
            .env("MEMNUN_PYTHON", python_tools.join("bin/python")),
    )
    .context("end-to-end tests failed")?;
    step("Bench smoke (tiny counts: every part of `cargo xtask bench` still runs)");
    crate::bench::run(&["--smoke".to_owned()]).context("bench smoke failed")?;
    println!("\nall tests passed");
    Ok(())
}

//! Installs the pieces of the toolchain that a fresh machine lacks, at pinned versions, and
//! reuses them on later runs. Rust itself is pinned by `rust-toolchain.toml` (rustup installs
//! it, with the wasm target, the first time cargo runs in the repository).

use crate::process::{output, run};
use crate::{root, step};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Must equal the workspace's `wasm-bindgen = "=…"` pin (a test checks it).
pub const WASM_BINDGEN_VERSION: &str = "0.2.129";
/// Must match the `worker` crate's version in `edge/Cargo.toml` (a test checks it).
pub const WORKER_BUILD_VERSION: &str = "0.8.7";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Splits a widget module's lazily loaded parts off (`build.rs`); it must understand what the
/// `wasm_split_helpers` that Leptos links emits, so it moves with Leptos.
pub const WASM_SPLIT_VERSION: &str = "0.2.4";

pub fn ensure_build_tools() -> Result<()> {
    ensure_wasm_target()?;
    ensure_rust_src()?;
    ensure_cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        WASM_BINDGEN_VERSION,
        "about 3 minutes",
    )?;
    ensure_wasm_split()?;
    ensure_cargo_tool(
        "worker-build",
        "worker-build",
        WORKER_BUILD_VERSION,
        "about 5 minutes",
    )?;
    ensure_npm_packages()
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output(
        Command::new("rustup")
            .args(["target", "list", "--installed"])
            .current_dir(root()),
    )
    .context("rustup is needed: install it from rustup.rs")?;
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        step(&format!("Adding the Rust target {WASM_TARGET}"));
        run(Command::new("rustup")
            .args(["target", "add", WASM_TARGET])
            .current_dir(root()))?;
    }
    Ok(())
}

/// The standard library's source: the widgets are built with their own copy of it
/// (`build.rs`, `WIDGET_STD`), sized for them, which is what shoppers download.
fn ensure_rust_src() -> Result<()> {
    let installed = output(
        Command::new("rustup")
            .args(["component", "list", "--installed"])
            .current_dir(root()),
    )?;
    if !installed.lines().any(|l| l.trim().starts_with("rust-src")) {
        step("Adding the Rust component rust-src (the widgets build their own standard library)");
        run(Command::new("rustup")
            .args(["component", "add", "rust-src"])
            .current_dir(root()))?;
    }
    Ok(())
}

fn ensure_cargo_tool(bin: &str, krate: &str, version: &str, takes: &str) -> Result<()> {
    let current = Command::new(cargo_bin(bin)).arg("--version").output().ok();
    let current = current.map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if current
        .as_deref()
        .is_some_and(|v| v.split_whitespace().any(|w| w == version))
    {
        return Ok(());
    }
    step(&format!(
        "Installing {krate} {version} with cargo ({takes}, once)"
    ));
    // Not --locked: the registry mirror here lacks a version its lock file names.
    run(Command::new("cargo")
        .args(["install", krate, "--version", version, "--force"])
        .current_dir(root()))
}

/// `wasm-split-cli` has no `--version`: cargo's own list of installed packages says which.
fn ensure_wasm_split() -> Result<()> {
    let listed = output(Command::new("cargo").args(["install", "--list"]))?;
    let installed = format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:");
    if listed.lines().any(|l| l.trim() == installed) && cargo_bin("wasm-split-cli").exists() {
        return Ok(());
    }
    step(&format!(
        "Installing wasm_split_cli_support {WASM_SPLIT_VERSION} with cargo (about 2 minutes, once)"
    ));
    run(Command::new("cargo")
        .args([
            "install",
            "wasm_split_cli_support",
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
            "--force",
        ])
        .current_dir(root()))
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin(bin: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .unwrap_or_default();
    let path = home.join("bin").join(bin);
    if path.exists() {
        path
    } else {
        PathBuf::from(bin)
    }
}

/// Installs the npm packages from the committed lock file when they are missing or stale.
fn ensure_npm_packages() -> Result<()> {
    let root = root();
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => i.modified()? >= l.modified()?,
        _ => false,
    };
    if fresh && node_bin("wrangler").exists() && node_bin("wasm-opt").exists() {
        return Ok(());
    }
    step(
        "Installing npm packages from package-lock.json (wrangler, binaryen, esbuild, playwright-core, puppeteer-core, axe-core, lighthouse)",
    );
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&root))
    .context("npm (Node.js 20 or newer) is needed")
}

pub fn node_bin(name: &str) -> PathBuf {
    root().join("node_modules/.bin").join(name)
}

/// The browsers the end-to-end tests drive, from Debian's packages: Chromium (the whole browser
/// suite), Firefox ESR and WebKitGTK's WebDriver with its MiniBrowser (the part every engine runs,
/// `tests/engines.test.mjs`), and Xvfb, the display WebKitGTK needs. What is missing is installed
/// with apt-get, once, when we are root; `MEMNUN_CHROMIUM`, `MEMNUN_FIREFOX` and
/// `MEMNUN_WEBKIT_DRIVER` name other binaries.
pub struct Browsers {
    pub chromium: PathBuf,
    pub firefox: PathBuf,
    pub webkit_driver: PathBuf,
}

pub fn ensure_browsers() -> Result<Browsers> {
    // (variable naming another binary, Debian's binary, its package)
    let wanted = [
        (Some("MEMNUN_CHROMIUM"), "/usr/bin/chromium", "chromium"),
        (
            Some("MEMNUN_FIREFOX"),
            "/usr/bin/firefox-esr",
            "firefox-esr",
        ),
        (
            Some("MEMNUN_WEBKIT_DRIVER"),
            "/usr/bin/WebKitWebDriver",
            "webkit2gtk-driver",
        ),
        (None, "/usr/bin/xvfb-run", "xvfb"),
    ];
    let paths: Vec<PathBuf> = wanted
        .iter()
        .map(|(var, path, _)| {
            var.and_then(std::env::var_os)
                .map_or_else(|| PathBuf::from(path), PathBuf::from)
        })
        .collect();
    let missing: Vec<&str> = wanted
        .iter()
        .zip(&paths)
        .filter(|(_, path)| !path.exists())
        .map(|((_, _, package), _)| *package)
        .collect();
    if !missing.is_empty() {
        // SAFETY: geteuid has no preconditions.
        let is_root = unsafe { libc::geteuid() } == 0;
        if !is_root {
            bail!(
                "the browser tests need {}: install them (Debian: `sudo apt-get install {}`) or \
                 name other binaries with MEMNUN_CHROMIUM, MEMNUN_FIREFOX, MEMNUN_WEBKIT_DRIVER",
                missing.join(", "),
                missing.join(" ")
            );
        }
        step(&format!(
            "Installing {} with apt-get (for the browser tests, once)",
            missing.join(", ")
        ));
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    let mut paths = paths.into_iter();
    let mut next = || paths.next().unwrap_or_default();
    Ok(Browsers {
        chromium: next(),
        firefox: next(),
        webkit_driver: next(),
    })
}

/// The Python tools the end-to-end tests run, pinned, from PyPI, in one virtual environment
/// under `target/tools` (installed once per set of versions): schemathesis, the OpenAPI tester
/// pointed at `/v1/openapi.json`, and xmlschema, which validates the review feed against the
/// XML Schema `tests/fixtures/google-product-reviews-2.4.xsd`.
pub const PYTHON_TOOLS: [&str; 2] = ["schemathesis==4.32.5", "xmlschema==4.3.2"];

/// Where the Python tools are; `bin/schemathesis` and `bin/python` inside.
pub fn python_tools_dir() -> PathBuf {
    let name = PYTHON_TOOLS.join("-").replace("==", "-");
    root().join("target/tools").join(format!("python-{name}"))
}

pub fn ensure_python_tools() -> Result<PathBuf> {
    let venv = python_tools_dir();
    // Written last, so an interrupted install is never taken for one.
    let installed = venv.join("installed");
    if installed.exists() {
        return Ok(venv);
    }
    step(&format!(
        "Installing {} from PyPI into {} (once)",
        PYTHON_TOOLS.join(", "),
        venv.display()
    ));
    let _ = std::fs::remove_dir_all(&venv);
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .context("python3 -m venv failed (Debian: `apt-get install python3-venv`)")?;
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet"])
        .args(PYTHON_TOOLS))?;
    std::fs::write(&installed, PYTHON_TOOLS.join("\n"))?;
    Ok(venv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_bindgen_cli_matches_the_workspace_pin() {
        let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("wasm-bindgen = \"={WASM_BINDGEN_VERSION}\"")),
            "Cargo.toml must pin wasm-bindgen = \"={WASM_BINDGEN_VERSION}\""
        );
    }

    #[test]
    fn worker_build_matches_the_worker_crate() {
        let manifest = std::fs::read_to_string(root().join("edge/Cargo.toml")).unwrap();
        assert!(manifest.contains(&format!(
            "worker = {{ version = \"={WORKER_BUILD_VERSION}\""
        )));
    }
}

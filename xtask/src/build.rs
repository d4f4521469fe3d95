//! Release builds of the widgets (cargo with their own std → wasm-split, which moves the parts a
//! shopper fetches later out → wasm-bindgen → wasm-opt → content-hashed files and the loader
//! that names them) and of the worker (worker-build). Each build is skipped when
//! none of its inputs changed since the last one, so a second run starts at once.

use crate::process::{output, run};
use crate::tools::{WASM_TARGET, cargo_bin, node_bin};
use crate::{root, step};
use anyhow::{Context, Result, bail};
use memnun_protocol::digest::sha256_hex;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Inputs of both wasm builds: the shared contract and the toolchain.
const SHARED_INPUTS: [&str; 8] = [
    "protocol/src",
    "protocol/Cargo.toml",
    "Cargo.toml",
    "Cargo.lock",
    "rust-toolchain.toml",
    // How the builds are made and their files named, and the tools' pinned versions.
    "xtask/src/build.rs",
    "xtask/src/tools.rs",
    "package-lock.json",
];

/// One wasm module as built: its glue and wasm, content-hashed, and the parts split off it that
/// it fetches only when a shopper reaches for them (the review form).
#[derive(Clone)]
pub struct Module {
    pub glue: PathBuf,
    pub wasm: PathBuf,
    pub parts: Vec<PathBuf>,
}

/// The loader and the modules: `product` (reviews and recommendations) is what a product page
/// fetches, `tracker` what an order page fetches, `survey` what a survey page fetches; and the
/// merchant dashboard, which no shop page fetches.
pub struct Built {
    pub loader: PathBuf,
    pub product: Module,
    pub tracker: Module,
    pub survey: Module,
    pub dashboard: Dashboard,
}

/// What shop pages load: the loader and the widget modules.
pub struct Widgets {
    pub loader: PathBuf,
    pub product: Module,
    pub tracker: Module,
    pub survey: Module,
}

/// What `/admin` loads after its page: the script that starts the module, the wasm, the CSS.
pub struct Dashboard {
    pub script: PathBuf,
    pub wasm: PathBuf,
    pub css: PathBuf,
}

pub fn all() -> Result<Built> {
    let widgets = widgets()?;
    let dashboard = dashboard()?;
    edge()?;
    Ok(Built {
        loader: widgets.loader,
        product: widgets.product,
        tracker: widgets.tracker,
        survey: widgets.survey,
        dashboard,
    })
}

/// Where the edge serves assets from (`[assets] directory` in `edge/wrangler.toml`).
fn public_v1() -> PathBuf {
    public_root().join("v1")
}

pub fn widgets() -> Result<Widgets> {
    let root = root();
    let work = root.join("target/memnun-widgets");
    // The widgets compile `protocol` in (its rules and wire types): a change there is theirs.
    let inputs = fingerprint(&[
        "widgets/src",
        "widgets/loader",
        "widgets/Cargo.toml",
        "protocol/src",
        "protocol/Cargo.toml",
    ])?;
    let stamp = work.join("fingerprint");
    let manifest = work.join("built.txt");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(&inputs)
        && let Some(built) = read_manifest(&manifest).filter(|b| b.all_exist())
    {
        step("Widgets are up to date");
        write_module_names(&built)?;
        return Ok(built);
    }
    let product = module(&work, Build::Widget("reviews,recommendations"), "product")?;
    let tracker = module(&work, Build::Widget("tracker"), "tracker")?;
    let survey = module(&work, Build::Widget("survey"), "survey")?;

    let out = public_v1();
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let loader_src = fs::read_to_string(root.join("widgets/loader/memnun.js"))?
        .replace("__PRODUCT_GLUE__", &name(&product.glue))
        .replace("__PRODUCT_WASM__", &name(&product.wasm))
        .replace("__TRACKER_GLUE__", &name(&tracker.glue))
        .replace("__TRACKER_WASM__", &name(&tracker.wasm))
        .replace("__SURVEY_GLUE__", &name(&survey.glue))
        .replace("__SURVEY_WASM__", &name(&survey.wasm));
    let loader_tmp = work.join("loader.unminified.js");
    fs::write(&loader_tmp, loader_src)?;
    esbuild(&loader_tmp, &out.join("memnun.js"), false)?;

    let built = Widgets {
        loader: out.join("memnun.js"),
        product,
        tracker,
        survey,
    };
    // The loader, then a line per module: its glue, its wasm and its parts, tab-separated.
    let mut lines = format!("{}\n", built.loader.display());
    for module in [&built.product, &built.tracker, &built.survey] {
        let files: Vec<String> = module.files().map(|p| p.display().to_string()).collect();
        lines.push_str(&files.join("\t"));
        lines.push('\n');
    }
    fs::write(&manifest, lines)?;
    write_module_names(&built)?;
    fs::write(&stamp, inputs)?;
    Ok(built)
}

/// `edge/public/v1/modules.json`: the hashed glue or wasm each stable module name stands for
/// (`/v1/modules/{name}`, `edge/src/handlers/assets.rs`), for the pages whose content is a
/// widget, where a merchant's preload hint saves the module a round trip. Named by the
/// placeholder's kind (`data-memnun`), as in the loader.
fn write_module_names(built: &Widgets) -> Result<()> {
    // A glue finds its parts next to itself (`import.meta.url`): under /v1/modules/ it would not.
    if !built.survey.parts.is_empty() || !built.tracker.parts.is_empty() {
        bail!(
            "the survey or the tracker has split parts: give them stable names in modules.json too"
        );
    }
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let names = serde_json::json!({
        "survey.js": name(&built.survey.glue),
        "survey.wasm": name(&built.survey.wasm),
        "order-tracker.js": name(&built.tracker.glue),
        "order-tracker.wasm": name(&built.tracker.wasm),
    });
    fs::write(public_v1().join("modules.json"), names.to_string())?;
    Ok(())
}

const WIDGETS: &str = "memnun-widgets";
/// Shown on `/admin` when the module cannot start (the words come before any of the module's).
const START_FAILED: &str =
    "The dashboard could not start; reload the page. · Panel başlatılamadı; sayfayı yenileyin.";
const DASHBOARD: &str = "memnun-dashboard";

/// The merchant dashboard's page (`/admin`, from `edge/public/admin.html`), its own module (glue
/// that starts itself, and wasm) and stylesheet, content-hashed under `/v1/assets/`. Shop pages
/// never load any of it: the loader does not know it.
pub fn dashboard() -> Result<Dashboard> {
    let root = root();
    let work = root.join("target/memnun-dashboard");
    let inputs = fingerprint(&[
        "dashboard/src",
        "dashboard/Cargo.toml",
        "dashboard/index.html",
        "dashboard/admin.css",
    ])?;
    let stamp = work.join("fingerprint");
    let manifest = work.join("built.txt");
    let page = public_root().join("admin.html");
    if page.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(&inputs) {
        let text = fs::read_to_string(&manifest).unwrap_or_default();
        let paths: Vec<PathBuf> = text.lines().map(PathBuf::from).collect();
        if let [script, wasm, css] = paths.as_slice()
            && [script, wasm, css].iter().all(|p| p.exists())
        {
            step("Dashboard is up to date");
            return Ok(Dashboard {
                script: script.clone(),
                wasm: wasm.clone(),
                css: css.clone(),
            });
        }
    }
    fs::create_dir_all(&work)?;
    let built = module(&work, Build::Dashboard, "admin")?;
    let assets = public_v1().join("assets");
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    // The page's CSP allows no inline script, so the glue starts the module itself: appended
    // to wasm-bindgen's own output, before minifying renames its init function.
    let glue = fs::read_to_string(work.join("bindgen-admin/glue.js"))?;
    let started = format!(
        "{glue}\n__wbg_init({{module_or_path: new URL(\"./{}\", import.meta.url)}}).catch((e) => {{\n\
         console.error(e);\n\
         const boot = document.querySelector(\".boot\");\n\
         if (boot) boot.textContent = {START_FAILED:?};\n}});\n",
        name(&built.wasm)
    );
    let script_tmp = work.join("admin.started.js");
    fs::write(&script_tmp, started)?;
    let script_min = work.join("admin.started.min.js");
    esbuild(&script_tmp, &script_min, false)?;
    let script = fs::read(&script_min)?;
    let script_name = format!("memnun-admin-start-{}.js", &sha256_hex(&[&script])[..16]);
    fs::write(assets.join(&script_name), &script)?;
    let css = fs::read(root.join("dashboard/admin.css"))?;
    let css_name = format!("memnun-admin-{}.css", &sha256_hex(&[&css])[..16]);
    fs::write(assets.join(&css_name), &css)?;
    let html = fs::read_to_string(root.join("dashboard/index.html"))?
        .replace("__ADMIN_SCRIPT__", &script_name)
        .replace("__ADMIN_CSS__", &css_name);
    fs::write(&page, html)?;
    let dashboard = Dashboard {
        script: assets.join(script_name),
        wasm: built.wasm,
        css: assets.join(css_name),
    };
    let lines: String = [&dashboard.script, &dashboard.wasm, &dashboard.css]
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    fs::write(&manifest, lines)?;
    fs::write(&stamp, inputs)?;
    Ok(dashboard)
}

/// Where the edge serves files from (`[assets] directory` in `edge/wrangler.toml`).
fn public_root() -> PathBuf {
    root().join("edge/public")
}

/// Which module `module` builds, and so how.
#[derive(Clone, Copy)]
enum Build {
    /// The widgets crate with only these features on: what shoppers download.
    Widget(&'static str),
    /// The merchant dashboard.
    Dashboard,
}

/// The widgets are compiled with a standard library of their own, built for size: a panic
/// aborts at once (no message formatted, no source location kept: nobody reads a shopper's
/// console, and the loader reports a module that stops), `Debug` formats to nothing (no widget
/// shows it), and std takes its smaller algorithms. These are unstable options of the pinned
/// compiler, allowed for this build alone with `RUSTC_BOOTSTRAP=1`; they need only `rust-src`
/// (`tools::ensure_rust_src`). Measured in BENCHMARKS.md (issue 21): −12 % on the product page.
/// The dashboard and the worker keep the stock library: a merchant's or the worker's panic
/// message names what broke.
const WIDGET_STD: [&str; 2] = [
    "-Zbuild-std=std,panic_abort",
    "-Zbuild-std-features=optimize_for_size",
];
const WIDGET_RUSTFLAGS: [&str; 5] = [
    "-Zunstable-options",
    "-Cpanic=immediate-abort",
    "-Zlocation-detail=none",
    "-Zfmt-debug=none",
    // What wasm-split needs to move functions between modules.
    "-Clink-args=--emit-relocs",
];
/// Their own target directory: their standard library, and every dependency compiled against
/// it, differ from the dashboard's and the worker's, which share `target/`.
const WIDGET_TARGET_DIR: &str = "target/widgets";

/// Leptos always links `server_fn`'s browser client, whose `wasm-streams` exports three
/// JavaScript classes (stream sources and sinks) that no widget uses; exported, their code
/// survives every optimisation. Removing the exports lets `wasm-opt` drop it, and bundling the
/// glue from the two names the loader calls drops the classes' JavaScript.
const UNUSED_WIDGET_EXPORTS: &str = "*intounderlying*";

/// Builds one module as `name`, and puts its glue and wasm, content-hashed, where the edge
/// serves them. Earlier releases' files stay: a page that loaded the previous loader still
/// finds them.
fn module(work: &Path, build: Build, name: &str) -> Result<Module> {
    let root = root();
    step(&format!("Building the {name} module (release wasm)"));
    let package = match build {
        Build::Widget(_) => WIDGETS,
        Build::Dashboard => DASHBOARD,
    };
    let mut cargo = Command::new("cargo");
    cargo.args([
        "build",
        "--release",
        "--package",
        package,
        "--target",
        WASM_TARGET,
    ]);
    let target_dir = match build {
        Build::Widget(features) => {
            cargo
                .args(["--no-default-features", "--features", features])
                .args(WIDGET_STD)
                .args(["--target-dir", WIDGET_TARGET_DIR])
                .env("RUSTC_BOOTSTRAP", "1")
                .env(
                    "CARGO_ENCODED_RUSTFLAGS",
                    [wasm_rustflags()]
                        .into_iter()
                        .chain(WIDGET_RUSTFLAGS.map(str::to_owned))
                        // No registry (vendored sources): no remapping, and no empty argument.
                        .filter(|flag| !flag.is_empty())
                        .collect::<Vec<_>>()
                        .join("\u{1f}"),
                );
            root.join(WIDGET_TARGET_DIR)
        }
        Build::Dashboard => {
            cargo.env("CARGO_ENCODED_RUSTFLAGS", wasm_rustflags());
            root.join("target")
        }
    };
    run(cargo.current_dir(&root))?;
    let linked = target_dir.join(format!(
        "{WASM_TARGET}/release/{}.wasm",
        package.replace('-', "_")
    ));
    let split_dir = work.join(format!("split-{name}"));
    let bindgen_input = match build {
        Build::Widget(_) => {
            // Functions marked `wasm_split` (widgets/src/reviews/mod.rs) go to parts of their
            // own, with what only they call; the main module imports a loader for each.
            step(&format!(
                "Splitting the {name} module's later parts off (wasm-split)"
            ));
            let _ = fs::remove_dir_all(&split_dir);
            run(Command::new(cargo_bin("wasm-split-cli"))
                .arg(&linked)
                .arg(&split_dir)
                .args(["--out-name", "glue", "--target", "web"]))?;
            split_dir.join("glue.wasm")
        }
        Build::Dashboard => linked,
    };
    let part_paths = match build {
        Build::Widget(_) => part_files(&split_dir)?,
        Build::Dashboard => Vec::new(),
    };
    let has_parts = !part_paths.is_empty();
    let bindgen_dir = work.join(format!("bindgen-{name}"));
    let _ = fs::remove_dir_all(&bindgen_dir);
    step(&format!(
        "Generating the {name} module's JavaScript glue (wasm-bindgen)"
    ));
    // Named "glue", not "memnun": these intermediates are not what shoppers download (the
    // hashed, wasm-opt'd, minified files in edge/public are) and must not be taken for the loader.
    let mut bindgen = Command::new(cargo_bin("wasm-bindgen"));
    bindgen.arg(&bindgen_input).args([
        "--target",
        "web",
        "--no-typescript",
        "--out-name",
        "glue",
        "--out-dir",
    ]);
    bindgen.arg(&bindgen_dir);
    if has_parts {
        // The split parts reach the main module's memory and functions through these.
        bindgen.arg("--keep-lld-exports");
    }
    run(&mut bindgen)?;
    step(&format!("Shrinking the {name} module (wasm-opt -Oz)"));
    let optimized = work.join(format!("glue_bg.{name}.opt.wasm"));
    let mut wasm_opt = Command::new(node_bin("wasm-opt"));
    wasm_opt.arg(bindgen_dir.join("glue_bg.wasm"));
    if let Build::Widget(_) = build {
        wasm_opt.args([
            "--remove-exports",
            &format!("--pass-arg=remove-exports@{UNUSED_WIDGET_EXPORTS}"),
        ]);
    }
    wasm_opt
        .args(["-Oz", "--strip-debug", "--strip-producers", "-o"])
        .arg(&optimized);
    let shorten_names = matches!(build, Build::Widget(_));
    if shorten_names {
        wasm_opt.arg(MINIFY_NAMES);
    }
    let names = output(&mut wasm_opt)?;
    let exports = if shorten_names {
        shorten_glue_names(&bindgen_dir.join("glue.js"), &names)?
    } else {
        Vec::new()
    };
    let parts = if has_parts {
        let parts = split_parts(&split_dir, part_paths, &bindgen_dir, name)?;
        shorten_part_loader_names(&bindgen_dir.join("__wasm_split.js"), &exports)?;
        parts
    } else {
        Vec::new()
    };

    let assets = public_v1().join("assets");
    fs::create_dir_all(&assets)?;
    let wasm_bytes = fs::read(&optimized)?;
    let wasm_name = format!("memnun-{name}-{}.wasm", content_hash(&wasm_bytes));
    fs::write(assets.join(&wasm_name), &wasm_bytes)?;
    let glue_min = work.join(format!("glue.{name}.min.js"));
    match build {
        Build::Widget(_) => {
            // What the loader calls (`mount.rs`, `loader/memnun.js`); the bundle keeps only what
            // these reach. And the wasm it was built with: the loader takes a glue fetched by its
            // stable name (`/v1/modules/`) only if it is its own release's.
            let entry = work.join(format!("glue.{name}.entry.js"));
            fs::write(
                &entry,
                format!(
                    "export {{ default, mount }} from \"./bindgen-{name}/glue.js\";\n\
                     export const wasm = \"{wasm_name}\";\n"
                ),
            )?;
            esbuild(&entry, &glue_min, true)?;
        }
        Build::Dashboard => esbuild(&bindgen_dir.join("glue.js"), &glue_min, false)?,
    }
    let glue_bytes = fs::read(&glue_min)?;
    let glue_name = format!("memnun-{name}-{}.js", content_hash(&glue_bytes));
    fs::copy(&glue_min, assets.join(&glue_name))?;
    Ok(Module {
        glue: assets.join(glue_name),
        wasm: assets.join(wasm_name),
        parts,
    })
}

/// wasm-bindgen names each import after its JavaScript function plus a 16-digit hash, and each
/// closure export after its whole Rust type; hashes do not compress, and the names are in the
/// wasm and again in the glue. Binaryen renames them all (every import's module to "a") and
/// prints what it did; `shorten_glue_names` and `shorten_part_loader_names` write the same into
/// the JavaScript. 3.4–4.1 KB brotli off each module (BENCHMARKS.md).
const MINIFY_NAMES: &str = "--minify-imports-and-exports-and-modules";
const MINIFIED_MODULE: &str = "a";
/// The module wasm-bindgen's glue hands its own imports over as.
const GLUE_MODULE: &str = "./glue_bg.js";

/// Writes wasm-opt's renaming (`names`, its JSON report of [`MINIFY_NAMES`]) into wasm-bindgen's
/// glue: the import object's module and keys, and every `wasm.EXPORT`; answers the exports'
/// renaming. Fails on an import the glue does not define exactly once, so a glue of another
/// shape is never shipped half renamed.
fn shorten_glue_names(glue_path: &Path, names: &str) -> Result<Vec<(String, String)>> {
    let start = names
        .find('{')
        .context("wasm-opt printed no renaming of imports and exports")?;
    let report: serde_json::Value =
        serde_json::from_str(&names[start..]).context("wasm-opt's renaming report")?;
    // Imports as [module, old, new], exports as [old, new].
    let rows = |key: &str| -> Vec<Vec<String>> {
        report[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                entry
                    .as_array()?
                    .iter()
                    .map(|name| name.as_str().map(str::to_owned))
                    .collect()
            })
            .collect()
    };
    let (imports, exports): (Vec<_>, Vec<_>) = (
        rows("imports")
            .into_iter()
            .filter_map(|row| <[String; 3]>::try_from(row).ok())
            .map(|[module, old, new]| (module, (old, new)))
            .collect(),
        rows("exports")
            .into_iter()
            .filter_map(|row| <[String; 2]>::try_from(row).ok())
            .map(|[old, new]| (old, new))
            .collect(),
    );
    if imports.is_empty() || exports.is_empty() {
        bail!("wasm-opt's renaming report names no imports or no exports: {names}");
    }
    // The renames below run one after another: a new name that is also an old one would be
    // renamed twice.
    let renames = || imports.iter().map(|(_, rename)| rename).chain(&exports);
    let old_names: std::collections::HashSet<&str> =
        renames().map(|(old, _)| old.as_str()).collect();
    if let Some((_, new)) = renames().find(|(_, new)| old_names.contains(new.as_str())) {
        bail!("wasm-opt renamed something to {new}, which is also an old name");
    }
    let mut glue = fs::read_to_string(glue_path)?;
    let module_key = format!("\"{GLUE_MODULE}\": import0");
    if glue.matches(&module_key).count() != 1 {
        bail!("the glue does not hand its imports over as {module_key}");
    }
    glue = glue.replace(&module_key, &format!("\"{MINIFIED_MODULE}\": import0"));
    let own_keys = "const import0 = {\n        __proto__: null,";
    if glue.matches(own_keys).count() != 1 {
        bail!("the glue does not build its imports as {own_keys}");
    }
    for (module, (old, new)) in &imports {
        if module == GLUE_MODULE {
            let key = format!("\n        {old}: ");
            if glue.matches(&key).count() != 1 {
                bail!("the glue does not define the import {old} exactly once");
            }
            glue = glue.replace(&key, &format!("\n        {new}: "));
        } else {
            // An import from another file (the part loader): now one more key of module "a",
            // taken from the namespace the glue already imports that file as.
            let handed = format!("\"{module}\": ");
            let namespace = glue
                .split(&handed)
                .nth(1)
                .and_then(|rest| rest.split(',').next())
                .filter(|ns| ns.starts_with("import"))
                .with_context(|| format!("the glue does not hand over {module}"))?
                .to_owned();
            glue = glue.replace(
                own_keys,
                &format!("{own_keys}\n        {new}: {namespace}.{old},"),
            );
        }
    }
    for (old, new) in &exports {
        glue = replace_identifier(&glue, &format!("wasm.{old}"), &format!("wasm.{new}"));
    }
    fs::write(glue_path, glue)?;
    Ok(exports)
}

/// The part loader takes the main module's memory, table and shared functions from its exports
/// by name (`const { memory, … } = initSync(…)`); after [`MINIFY_NAMES`] it reads them under
/// their new names and hands them to the parts under the old ones, which the parts import.
fn shorten_part_loader_names(loader_path: &Path, exports: &[(String, String)]) -> Result<()> {
    let loader = fs::read_to_string(loader_path)?;
    let (head, rest) = loader
        .split_once("const { ")
        .context("the part loader does not take the main module's exports as `const { … }`")?;
    let (taken, tail) = rest
        .split_once(" } = initSync(")
        .context("the part loader does not take its exports from initSync")?;
    let renamed = taken
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            let (_, new) = exports
                .iter()
                .find(|(old, _)| old == name)
                .with_context(|| format!("the main module exports no {name} for its parts"))?;
            Ok(format!("{new}: {name}"))
        })
        .collect::<Result<Vec<_>>>()?;
    fs::write(
        loader_path,
        format!("{head}const {{ {} }} = initSync({tail}", renamed.join(", ")),
    )?;
    Ok(())
}

/// `text` with every `old` that is not the start of a longer identifier replaced by `new`.
fn replace_identifier(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let after = &rest[at + old.len()..];
        let continues = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        out.push_str(&rest[..at]);
        out.push_str(if continues { old } else { new });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The parts wasm-split wrote to `split_dir`: each shrunk, content-hashed into the assets, and
/// its new name written into the part loader (`__wasm_split.js`, which the glue imports and the
/// bundle takes in).
fn split_parts(
    split_dir: &Path,
    found: Vec<PathBuf>,
    bindgen_dir: &Path,
    name: &str,
) -> Result<Vec<PathBuf>> {
    let loader_path = split_dir.join("__wasm_split.js");
    let mut loader = fs::read_to_string(&loader_path)
        .with_context(|| format!("wasm-split wrote no {}", loader_path.display()))?;
    let assets = public_v1().join("assets");
    fs::create_dir_all(&assets)?;
    let mut parts = Vec::new();
    for part in found {
        let file = part
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let stem = file
            .trim_start_matches("split_")
            .trim_end_matches(".wasm")
            .replace('_', "-");
        step(&format!(
            "Shrinking the {name} module's part {stem} (wasm-opt -Oz)"
        ));
        let optimized = split_dir.join(format!("{stem}.opt.wasm"));
        run(Command::new(node_bin("wasm-opt"))
            .arg(&part)
            .args(["-Oz", "--strip-debug", "--strip-producers", "-o"])
            .arg(&optimized))?;
        let bytes = fs::read(&optimized)?;
        let hashed = format!("memnun-{name}-{stem}-{}.wasm", content_hash(&bytes));
        let quoted = format!("\"./{file}\"");
        if !loader.contains(&quoted) {
            bail!("the part loader does not name {file}");
        }
        loader = loader.replace(&quoted, &format!("\"./{hashed}\""));
        fs::write(assets.join(&hashed), &bytes)?;
        parts.push(assets.join(hashed));
    }
    if loader.contains("\"./split_") || loader.contains("\"./chunk_") {
        bail!("the part loader names a part that was not hashed: {loader}");
    }
    fs::write(bindgen_dir.join("__wasm_split.js"), loader)?;
    Ok(parts)
}

/// The parts wasm-split wrote, in name order: a `split_NAME.wasm` per split function and a
/// `chunk_N.wasm` for code several of them share; `glue.wasm` is the main module.
fn part_files(split_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = fs::read_dir(split_dir)?
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".wasm") && n != "glue.wasm")
        })
        .collect();
    found.sort();
    Ok(found)
}

impl Module {
    /// Everything of it that is served: glue, wasm, parts.
    pub fn files(&self) -> impl Iterator<Item = &PathBuf> {
        [&self.glue, &self.wasm].into_iter().chain(&self.parts)
    }
}

impl Widgets {
    fn all_exist(&self) -> bool {
        std::iter::once(&self.loader)
            .chain(self.product.files())
            .chain(self.tracker.files())
            .chain(self.survey.files())
            .all(|p| p.exists())
    }
}

fn read_manifest(path: &Path) -> Option<Widgets> {
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let loader = PathBuf::from(lines.next()?);
    let mut module = || {
        let mut files = lines.next()?.split('\t').map(PathBuf::from);
        Some(Module {
            glue: files.next()?,
            wasm: files.next()?,
            parts: files.collect(),
        })
    };
    Some(Widgets {
        loader,
        product: module()?,
        tracker: module()?,
        survey: module()?,
    })
}

/// `minify`, for an entry that re-exports part of a module: unused exports are left out.
/// `input` minified into `output`, with what it imports taken in (only what is reached) when
/// `bundle`.
fn esbuild(input: &Path, output: &Path, bundle: bool) -> Result<()> {
    let mut esbuild = Command::new(node_bin("esbuild"));
    esbuild.arg(input);
    if bundle {
        esbuild.arg("--bundle");
    }
    run(esbuild
        .args([
            "--minify",
            "--format=esm",
            "--target=es2020",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", output.display())))
}

pub fn edge() -> Result<()> {
    let root = root();
    // The worker compiles `protocol` in too: a change there is the worker's.
    let inputs = fingerprint(&[
        "edge/src",
        "edge/Cargo.toml",
        "edge/build.rs",
        "protocol/src",
        "protocol/Cargo.toml",
    ])?;
    let stamp = root.join("target/memnun-edge.fingerprint");
    let bundle = root.join("edge/build/index.js");
    if bundle.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(&inputs) {
        step("Worker is up to date");
        return Ok(());
    }
    step("Building the worker (worker-build --release, about a minute)");
    run(Command::new(cargo_bin("worker-build"))
        .arg("--release")
        .current_dir(root.join("edge"))
        // worker-build would download these; point it at the pinned local ones.
        .env("ESBUILD_BIN", node_bin("esbuild"))
        .env("WASM_BINDGEN_BIN", cargo_bin("wasm-bindgen"))
        .env("WASM_OPT_BIN", node_bin("wasm-opt"))
        .env("CARGO_ENCODED_RUSTFLAGS", wasm_rustflags()))
    .context("worker-build failed")?;
    fs::create_dir_all(root.join("target"))?;
    fs::write(&stamp, inputs)?;
    Ok(())
}

/// A widget file's name part: 12 hex digits (48 bits) tell releases apart as surely as more, and
/// every name is in the loader, which every shop page downloads (its budget has no byte to spare).
fn content_hash(bytes: &[u8]) -> String {
    sha256_hex(&[bytes])[..12].to_owned()
}

/// A hash of every file under `paths` and the shared inputs (relative to the root), names and
/// contents.
fn fingerprint(paths: &[&str]) -> Result<String> {
    let root = root();
    let mut files = Vec::new();
    for path in paths.iter().chain(SHARED_INPUTS.iter()) {
        collect(&root.join(path), &mut files)?;
    }
    files.sort();
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for file in &files {
        parts.push(
            file.strip_prefix(&root)
                .unwrap_or(file)
                .to_string_lossy()
                .as_bytes()
                .to_vec(),
        );
        parts.push(fs::read(file)?);
    }
    parts.push(wasm_rustflags().into_bytes());
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Ok(sha256_hex(&refs))
}

/// The compiler flags of every release wasm build, the widgets' and the worker's alike (so they
/// share compiled dependencies), as `CARGO_ENCODED_RUSTFLAGS`. A dependency's panic messages
/// name its source file; without this they would name it under this machine's cargo home
/// (`/root/.cargo/registry/src/index.crates.io-…/leptos_dom-0.8.8/src/helpers.rs`), so what
/// shoppers download would differ between machines and carry that prefix dozens of times.
fn wasm_rustflags() -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let mut registries: Vec<PathBuf> = cargo_home
        .and_then(|home| fs::read_dir(home.join("registry/src")).ok())
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    registries.sort();
    registries
        .iter()
        .map(|registry| format!("--remap-path-prefix={}/=", registry.display()))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_dir() {
        for entry in fs::read_dir(path)? {
            collect(&entry?.path(), files)?;
        }
    } else if path.exists() {
        files.push(path.to_path_buf());
    }
    Ok(())
}

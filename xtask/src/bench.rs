//! `cargo xtask bench [--smoke]`: what we promise merchants, measured in one run against real
//! peers. Weight per kind of page (ours against Isso's embed, Nosto's web components and
//! Formbricks' loader and survey UI, installed from the registries into `target/bench-peers`),
//! page cost in Chromium, Lighthouse without the widgets, with them and with them in the first
//! screen, the worker's compressed size against Cloudflare's limits, edge
//! speed against a minimal JavaScript Worker running the same D1 statements, and growth to 10^5
//! reviews (the `bench/*.mjs` scripts). The full run writes its report into BENCHMARKS.md;
//! `--smoke` (tiny counts, run by `cargo xtask test`) only checks that every part still runs and
//! that every accepted write was stored.

use crate::build::{self, Built};
use crate::process::{output, run as run_cmd};
use crate::sizes::{Size, measure};
use crate::tools::ensure_build_tools;
use crate::{root, step};
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const NOSTO: &str = "@nosto/web-components@11.6.0";
const FORMBRICKS: &str = "@formbricks/js@5.1.0";
/// The survey UI Formbricks' SDK fetches to draw a survey (npm's `latest`); its SDK core in
/// between is not published, so the Formbricks figure is a lower bound.
const FORMBRICKS_SURVEYS: &str = "@formbricks/surveys@1.99.0";
const ISSO: &str = "isso==0.14.0";
/// Cloudflare Workers' limits on a worker's compressed (gzip) size.
const WORKER_LIMIT_FREE: usize = 3 * 1024 * 1024;
const WORKER_LIMIT_PAID: usize = 10 * 1024 * 1024;
const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

pub fn run(args: &[String]) -> Result<()> {
    let smoke = match args {
        [] => false,
        [flag] if flag == "--smoke" => true,
        _ => bail!("usage: cargo xtask bench [--smoke]"),
    };
    ensure_build_tools()?;
    let built = build::all()?;
    let report = report(&built, smoke)?;
    if smoke {
        let path = root().join("target/bench/smoke.md");
        fs::create_dir_all(path.parent().unwrap_or(&root()))?;
        fs::write(&path, &report)?;
        println!("bench smoke: every part ran; report in {}", path.display());
    } else {
        write_into_benchmarks(&report)?;
        println!("{report}");
        println!("Written to BENCHMARKS.md.");
    }
    Ok(())
}

fn report(built: &Built, smoke: bool) -> Result<String> {
    let mut md = String::new();
    let date = output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))?;
    writeln!(md, "## `cargo xtask bench` — {}", date.trim())?;
    writeln!(md)?;
    writeln!(
        md,
        "Written by `cargo xtask bench` on this machine (2 cores); do not edit by hand."
    )?;
    writeln!(md)?;

    step("Bench: weight against peers");
    md.push_str(&weight(built)?);
    step("Bench: worker size");
    md.push_str(&worker_size()?);
    step("Bench: page cost in Chromium");
    md.push_str(&page_cost(smoke)?);
    step("Bench: time to first content per kind of widget");
    md.push_str(&first_content(smoke)?);
    step("Bench: Lighthouse on the product, survey and tracker pages, with and without widgets");
    md.push_str(&lighthouse(smoke)?);
    step("Bench: edge speed (memnun and the JavaScript baseline under workerd)");
    md.push_str(&edge_speed(smoke)?);
    step("Bench: growth to 10^5 reviews");
    md.push_str(&growth(smoke)?);
    step("Bench: the overview as a shop grows to 10^5 orders and 10^6 events");
    md.push_str(&overview_growth(smoke)?);
    step("Bench: capacity of a data database, the event queue, two databases");
    md.push_str(&capacity(smoke)?);
    Ok(md)
}

fn row(md: &mut String, name: &str, s: Size) -> Result<()> {
    writeln!(md, "| {name} | {} | {} | {} |", s.raw, s.gzip, s.brotli)?;
    Ok(())
}

fn add(a: Size, b: Size) -> Size {
    Size {
        raw: a.raw + b.raw,
        gzip: a.gzip + b.gzip,
        brotli: a.brotli + b.brotli,
    }
}

fn weight(built: &Built) -> Result<String> {
    let peers = peers()?;
    let size = |p: &Path| -> Result<Size> {
        measure(&fs::read(p).with_context(|| p.display().to_string())?)
    };
    let loader = size(&built.loader)?;
    let glue = size(&built.product.glue)?;
    let wasm = size(&built.product.wasm)?;
    let page = add(loader, add(glue, wasm));
    let mut page_all = page;
    for part in &built.product.parts {
        page_all = add(page_all, size(part)?);
    }
    let order_page = add(
        loader,
        add(size(&built.tracker.glue)?, size(&built.tracker.wasm)?),
    );
    let survey_page = add(
        loader,
        add(size(&built.survey.glue)?, size(&built.survey.wasm)?),
    );
    let isso = size(&peers.isso)?;
    let nosto = size(&peers.nosto)?;
    let formbricks = size(&peers.formbricks)?;
    let formbricks_surveys = size(&peers.formbricks_surveys)?;
    let isso_nosto = add(isso, nosto);
    let formbricks_survey = add(formbricks, formbricks_surveys);

    let mut md = String::new();
    writeln!(md, "### Weight (bytes: raw, gzip -9, brotli -q 11)")?;
    writeln!(md)?;
    writeln!(md, "| file | raw | gzip | brotli |")?;
    writeln!(md, "|---|---:|---:|---:|")?;
    row(&mut md, "memnun loader (`memnun.js`)", loader)?;
    row(&mut md, "memnun product glue (`memnun-product-*.js`)", glue)?;
    row(&mut md, "memnun product wasm (CSS inside)", wasm)?;
    for part in &built.product.parts {
        let name = part.file_name().unwrap_or_default().to_string_lossy();
        row(
            &mut md,
            &format!("memnun product part `{name}` (the review form)"),
            size(part)?,
        )?;
    }
    row(
        &mut md,
        "memnun tracker glue + wasm",
        add(size(&built.tracker.glue)?, size(&built.tracker.wasm)?),
    )?;
    row(
        &mut md,
        "memnun survey glue + wasm",
        add(size(&built.survey.glue)?, size(&built.survey.wasm)?),
    )?;
    row(&mut md, "Isso `embed.min.js` (PyPI isso 0.14.0)", isso)?;
    row(
        &mut md,
        "Nosto `main.es.bundle.js` (@nosto/web-components 11.6.0)",
        nosto,
    )?;
    row(
        &mut md,
        "Formbricks loader `dist/index.js` (@formbricks/js 5.1.0)",
        formbricks,
    )?;
    row(
        &mut md,
        "Formbricks survey UI `dist/index.umd.js` (@formbricks/surveys 1.99.0)",
        formbricks_surveys,
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "Per kind of page (brotli, the loader included): what is fetched before the shopper \
         interacts, everything the shopper can load there, and the peer doing the same job."
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "| page | before interaction | target | everything | target | peer | peer brotli | ours / peer (before, everything) |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|---|---:|---:|")?;
    let ratio = |a: Size, b: Size| a.brotli as f64 / b.brotli as f64;
    for (name, before, everything, targets, peer) in [
        (
            "product (reviews + strip)",
            page,
            page_all,
            (73_728, 98_304),
            Some(("Isso embed + Nosto components", isso_nosto)),
        ),
        (
            "order (tracker)",
            order_page,
            order_page,
            (61_440, 61_440),
            None,
        ),
        (
            "survey",
            survey_page,
            survey_page,
            (65_536, 65_536),
            Some(("Formbricks loader + survey UI", formbricks_survey)),
        ),
    ] {
        let (peer_name, peer_size, ratios) = match peer {
            Some((peer_name, peer)) => (
                peer_name.to_owned(),
                peer.brotli.to_string(),
                format!("{:.2}, {:.2}", ratio(before, peer), ratio(everything, peer)),
            ),
            None => ("none measured".to_owned(), "–".to_owned(), "–".to_owned()),
        };
        writeln!(
            md,
            "| {name} | {} | ≤ {} | {} | ≤ {} | {peer_name} | {peer_size} | {ratios} |",
            before.brotli, targets.0, everything.brotli, targets.1
        )?;
    }
    writeln!(md)?;
    writeln!(
        md,
        "Formbricks' SDK core (`formbricks.umd.cjs`, served by a Formbricks server between the \
         two) is not published to npm, so the Formbricks figure is a lower bound. The loader \
         alone against Formbricks' loader: {:.2}.",
        ratio(loader, formbricks)
    )?;
    writeln!(md)?;
    Ok(md)
}

struct Peers {
    isso: PathBuf,
    nosto: PathBuf,
    formbricks: PathBuf,
    formbricks_surveys: PathBuf,
}

/// Isso's server, installed from PyPI into its own virtual environment (once).
fn isso_server() -> Result<PathBuf> {
    let venv = root().join("target/bench-peers/isso-venv");
    let binary = venv.join("bin/isso");
    if binary.exists() {
        return Ok(binary);
    }
    step("Installing Isso's server from PyPI into target/bench-peers/isso-venv (once)");
    run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run_cmd(Command::new(venv.join("bin/pip")).args(["install", "--quiet", ISSO]))?;
    Ok(binary)
}

/// Installs the peers' published files into `target/bench-peers` (once).
fn peers() -> Result<Peers> {
    let dir = root().join("target/bench-peers");
    let peers = Peers {
        isso: dir.join("isso-0.14.0/isso/js/embed.min.js"),
        nosto: dir.join("nosto/package/dist/main.es.bundle.js"),
        formbricks: dir.join("formbricks/package/dist/index.js"),
        formbricks_surveys: dir.join("formbricks-surveys/package/dist/index.umd.js"),
    };
    if [
        &peers.isso,
        &peers.nosto,
        &peers.formbricks,
        &peers.formbricks_surveys,
    ]
    .iter()
    .all(|p| p.exists())
    {
        return Ok(peers);
    }
    step("Fetching the peers from npm and PyPI into target/bench-peers (once)");
    fs::create_dir_all(&dir)?;
    for (spec, sub) in [
        (NOSTO, "nosto"),
        (FORMBRICKS, "formbricks"),
        (FORMBRICKS_SURVEYS, "formbricks-surveys"),
    ] {
        let tarball = output(
            Command::new("npm")
                .args(["pack", spec, "--silent", "--pack-destination"])
                .arg(&dir),
        )?;
        let tarball = dir.join(tarball.trim().lines().last().unwrap_or_default());
        fs::create_dir_all(dir.join(sub))?;
        run_cmd(
            Command::new("tar")
                .arg("xzf")
                .arg(&tarball)
                .arg("-C")
                .arg(dir.join(sub)),
        )?;
    }
    run_cmd(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                ISSO,
                "-d",
            ])
            .arg(&dir),
    )?;
    run_cmd(
        Command::new("tar")
            .arg("xzf")
            .arg(dir.join("isso-0.14.0.tar.gz"))
            .arg("-C")
            .arg(&dir)
            .arg("isso-0.14.0/isso/js/embed.min.js"),
    )?;
    Ok(peers)
}

fn worker_size() -> Result<String> {
    let build = root().join("edge/build");
    let wasm = measure(&fs::read(build.join("index_bg.wasm"))?)?;
    let js = measure(&fs::read(build.join("index.js"))?)?;
    let total = add(wasm, js);
    let mut md = String::new();
    writeln!(md, "### Worker size")?;
    writeln!(md)?;
    writeln!(
        md,
        "`edge/build` (wasm + JS shim): {} B raw, **{} B gzip**: {:.1}% of the Workers Free limit \
         (3 MiB compressed), {:.1}% of Paid (10 MiB).",
        total.raw,
        total.gzip,
        total.gzip as f64 * 100.0 / WORKER_LIMIT_FREE as f64,
        total.gzip as f64 * 100.0 / WORKER_LIMIT_PAID as f64
    )?;
    writeln!(md)?;
    Ok(md)
}

/// Runs one of the bench's node scripts and reads the JSON it prints.
fn node_report(script: &str, smoke: bool) -> Result<Value> {
    let mut cmd = Command::new("node");
    cmd.arg(root().join("bench").join(script))
        .current_dir(root());
    if let Ok(browsers) = crate::tools::ensure_browsers() {
        cmd.env("MEMNUN_CHROMIUM", browsers.chromium);
    }
    if script == "edge-load.mjs" {
        cmd.env("MEMNUN_ISSO", isso_server()?);
    }
    if smoke {
        cmd.arg("--smoke");
    }
    let raw = output(&mut cmd)?;
    serde_json::from_str(raw.trim()).with_context(|| format!("the report of bench/{script}"))
}

fn page_cost(smoke: bool) -> Result<String> {
    let r = node_report("page-cost.mjs", smoke)?;
    let before = &r["before_view"];
    let paths: Vec<String> = before["paths"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if r["before_view_requests_max"].as_u64() != Some(1) || paths != ["/v1/memnun.js"] {
        bail!(
            "before a placeholder is in view the page fetched {paths:?} from the edge; only the loader may be"
        );
    }
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = String::new();
    writeln!(
        md,
        "### Page cost (headless Chromium, 390×844, median of {} runs)",
        r["runs"]
    )?;
    writeln!(md)?;
    writeln!(md, "| measure | figure | budget |")?;
    writeln!(md, "|---|---:|---|")?;
    writeln!(
        md,
        "| fetched from the edge before the placeholder is in view | {} request, {} B (the loader) | nothing but the loader |",
        before["requests"], before["bytes"]
    )?;
    writeln!(
        md,
        "| long tasks before the placeholder is in view (max over runs) | {} | 0 |",
        r["before_view_long_tasks_max"]
    )?;
    writeln!(
        md,
        "| ms from scrolling to it until the widget is interactive | {:.0} | ≤ 100 |",
        f(&r["interactive_ms_median"])
    )?;
    writeln!(
        md,
        "| layout shift on the demo product page (CLS) | {:.3} | ≤ 0.01 |",
        f(&r["cls_median"])
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "Interactive means the summary and \"Write a review\" are in the shadow root (the form's \
         own code is a part fetched on that press, not counted); it includes fetching glue and \
         wasm from the local edge, compiling, and the first API call. Long tasks after \
         scrolling, per run (ms): {}.",
        r["long_tasks_after_ms"]
    )?;
    writeln!(md)?;
    Ok(md)
}

fn lighthouse(smoke: bool) -> Result<String> {
    let r = node_report("lighthouse.mjs", smoke)?;
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let without = &r["without_widgets"];
    let mut md = String::new();
    writeln!(
        md,
        "### Lighthouse (12.8.2, default mobile settings, median of {} runs each)",
        r["runs"]
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "| demo product page | performance score (runs) | TBT ms | LCP ms | CLS | cost in points | TBT added ms |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|---:|---:|")?;
    for (label, v) in [
        ("without the widgets", without),
        (
            "with the widgets (as the demo places them)",
            &r["with_widgets"],
        ),
        (
            "with the widgets in the first screen (right under the price)",
            &r["first_screen"],
        ),
    ] {
        writeln!(
            md,
            "| {label} | {} ({}) | {:.0} | {:.0} | {:.3} | {} | {:+.0} |",
            v["score_median"],
            v["scores"],
            f(&v["tbt_ms_median"]),
            f(&v["lcp_ms_median"]),
            f(&v["cls_median"]),
            f(&without["score_median"]) - f(&v["score_median"]),
            f(&v["tbt_ms_median"]) - f(&without["tbt_ms_median"])
        )?;
    }
    writeln!(md)?;
    writeln!(
        md,
        "Budget: at most 1 point and +40 ms of TBT on either page (Shopify refuses apps that cost \
         more than 10 points). The pages are rotated in each run; the two variants are made from \
         the demo page by the bench, so they differ only in where the widget lines are."
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "| where the widget is the page | performance score (runs) | TBT ms | LCP ms (runs) | CLS | LCP element |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|---|")?;
    for (label, key, budgeted) in [
        ("survey page, from a survey link", "survey_link", true),
        ("survey page without a link", "survey_no_link", true),
        (
            "survey page without the widget",
            "survey_without_widget",
            false,
        ),
        ("tracker page, from a tracker link", "tracker_link", true),
        ("tracker page, its lookup form", "tracker_lookup", true),
        (
            "tracker page without the widget",
            "tracker_without_widget",
            false,
        ),
        (
            "survey page, from a link, gzip (as the local edge answers)",
            "survey_link_gzip",
            false,
        ),
        (
            "tracker page, from a link, gzip (as the local edge answers)",
            "tracker_link_gzip",
            false,
        ),
    ] {
        let v = &r[key];
        let (lcp, cls) = (f(&v["lcp_ms_median"]), f(&v["cls_median"]));
        let over = |over: bool| if budgeted && over { " (over)" } else { "" };
        let element = v["lcp_element"].as_str().unwrap_or("").replace('|', "\\|");
        writeln!(
            md,
            "| {label} | {} ({}) | {:.0} | {lcp:.0}{} ({}) | {cls:.3}{} | `{}` |",
            v["score_median"],
            v["scores"],
            f(&v["tbt_ms_median"]),
            over(lcp > 1_500.0),
            v["lcp_ms"]
                .as_array()
                .map(|a| a
                    .iter()
                    .map(|x| format!("{:.0}", f(x)))
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default(),
            over(cls > 0.01),
            element.chars().take(60).collect::<String>()
        )?;
    }
    writeln!(md)?;
    writeln!(
        md,
        "Budget: LCP at most 1,500 ms and CLS at most 0.01 with the widget (issue 24; \"over\" marks \
         a figure beyond it). The survey and tracker pages preload their module, as README \
         shows merchants. Every page is asked for with brotli first, as Cloudflare answers \
         Chromium (miniflare answers with the first coding a browser lists, gzip for Chromium, \
         where Cloudflare prefers brotli); the last two rows are the link pages as the local \
         edge answers them. Lighthouse \
         simulates a phone on a slow network from one trace of each load (150 ms round trips, \
         1.6 Mbit/s, a 4× slower CPU), so its LCP is its model of that phone, not a time \
         measured here."
    )?;
    writeln!(md)?;
    Ok(md)
}

fn first_content(smoke: bool) -> Result<String> {
    let r = node_report("first-content.mjs", smoke)?;
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = String::new();
    writeln!(
        md,
        "### Time to first content (headless Chromium at Lighthouse's mobile network and CPU, median of {} runs)",
        r["runs"]
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "| widget | before: wasm after glue, data after the module (ms) | wasm beside its glue | glue, wasm and data at once (as shipped) | as shipped against before |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|")?;
    for (label, key) in [
        ("review list (product page)", "reviews"),
        ("recommendation strip (product page)", "recommendations"),
        ("survey (from a survey link)", "survey"),
        ("order tracker (from a tracker link)", "order-tracker"),
    ] {
        let k = &r["kinds"][key];
        let (before, beside, shipped) = (
            f(&k["before"]["median_ms"]),
            f(&k["wasm_beside_glue"]["median_ms"]),
            f(&k["as_shipped"]["median_ms"]),
        );
        writeln!(
            md,
            "| {label} | {before:.0} | {beside:.0} | {shipped:.0} | {:.2}× |",
            shipped / before
        )?;
    }
    writeln!(md)?;
    writeln!(
        md,
        "From the first frame in which the loader has run with the placeholder in view to the \
         first in which the widget's data is drawn (the summary, a card, the first question, the \
         order's state), at 150 ms round trips, 1.6 Mbit/s down and a 4× slower CPU (Chromium's \
         own throttling). Each variant is the shipped loader with what it starts at once held \
         back: the wasm until its glue has arrived, and the loader's first request failed at \
         once, so the widget sends its own after the module, as before issue 24."
    )?;
    writeln!(md)?;
    Ok(md)
}

fn edge_speed(smoke: bool) -> Result<String> {
    let report = node_report("edge-load.mjs", smoke)?;
    let target = |name: &str| report["targets"][name].clone();
    let ours = target("memnun");
    let base = target("js-baseline");
    let isso = target("isso");

    for (name, t) in [("memnun", &ours), ("js-baseline", &base), ("isso", &isso)] {
        let accepted = t["accepted"].as_u64().unwrap_or(0);
        let stored = t["stored"].as_u64().unwrap_or(u64::MAX);
        if accepted != stored || accepted == 0 {
            bail!("{name}: {accepted} POSTs were accepted but {stored} reviews are stored");
        }
        for (kind, ok) in [("post", "201"), ("get", "200")] {
            let statuses = t[kind]["statuses"].as_object().cloned().unwrap_or_default();
            if statuses.keys().any(|s| s != ok) {
                bail!("{name} {kind}: unexpected answers {statuses:?}");
            }
        }
    }

    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = String::new();
    writeln!(md, "### Edge speed")?;
    writeln!(md)?;
    writeln!(
        md,
        "Each worker under workerd (miniflare's API, no dev-server proxy) with its own fresh local \
         D1; {} rounds, targets alternating, {} ms per phase, {} concurrent clients on 127.0.0.1, \
         from the same node process. Medians over rounds; the range is min–max. CPU is the workerd \
         process's user+system time from /proc over the phase, per request.",
        report["rounds"], report["phase_ms"], report["concurrency"]
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "| target | req/s (range) | p50 ms | p99 ms | workerd CPU ms/req |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|")?;
    for (label, t, kind) in [
        ("memnun review POST", &ours, "post"),
        ("JS baseline POST", &base, "post"),
        ("Isso `POST /new`", &isso, "post"),
        ("memnun product-reviews GET", &ours, "get"),
        ("JS baseline GET", &base, "get"),
        ("Isso `GET /?uri=`", &isso, "get"),
    ] {
        let k = &t[kind];
        writeln!(
            md,
            "| {label} | {:.0} ({:.0}–{:.0}) | {:.1} | {:.1} | {:.2} |",
            f(&k["per_second"]),
            f(&k["per_second_min"]),
            f(&k["per_second_max"]),
            f(&k["p50_ms"]),
            f(&k["p99_ms"]),
            f(&k["cpu_ms_per_request"])
        )?;
    }
    writeln!(md)?;
    writeln!(md, "| ratio memnun / JS baseline | POST | GET | budget |")?;
    writeln!(md, "|---|---:|---:|---|")?;
    let ratio = |key: &str, kind: &str| f(&ours[kind][key]) / f(&base[kind][key]);
    writeln!(
        md,
        "| throughput | {:.2} | {:.2} | ≥ 0.95 |",
        ratio("per_second", "post"),
        ratio("per_second", "get")
    )?;
    writeln!(
        md,
        "| p99 latency | {:.2} | {:.2} | ≤ 1.20 |",
        ratio("p99_ms", "post"),
        ratio("p99_ms", "get")
    )?;
    writeln!(
        md,
        "| CPU per request | {:.2} | {:.2} | ≤ 1.10 |",
        ratio("cpu_ms_per_request", "post"),
        ratio("cpu_ms_per_request", "get")
    )?;
    let over_isso = |kind: &str| f(&ours[kind]["per_second"]) / f(&isso[kind]["per_second"]);
    writeln!(
        md,
        "| throughput against Isso's server | {:.2} | {:.2} | several times |",
        over_isso("post"),
        over_isso("get")
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "Isso's CPU column is its Python process. Every accepted POST was counted in the database \
         afterwards: memnun {} accepted, {} stored; JS baseline {} accepted, {} stored; Isso {} \
         accepted, {} stored.",
        ours["accepted"],
        ours["stored"],
        base["accepted"],
        base["stored"],
        isso["accepted"],
        isso["stored"]
    )?;
    writeln!(md)?;
    Ok(md)
}

fn growth(smoke: bool) -> Result<String> {
    let r = node_report("growth.mjs", smoke)?;
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = String::new();
    writeln!(
        md,
        "### Growth (median of {} sequential requests per row; rows seeded in bulk)",
        r["samples"]
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "| reviews | where | product-reviews GET ms | review POST ms |"
    )?;
    writeln!(md, "|---:|---|---:|---:|")?;
    for row in r["rows"].as_array().cloned().unwrap_or_default() {
        writeln!(
            md,
            "| {} | {} | {:.1} | {:.1} |",
            row["reviews"],
            row["scenario"].as_str().unwrap_or(""),
            f(&row["get_ms"]),
            f(&row["post_ms"])
        )?;
    }
    writeln!(md)?;
    writeln!(
        md,
        "Flat is the goal: the summary is one maintained row and a page is an index range by cursor."
    )?;
    writeln!(md)?;
    Ok(md)
}

fn capacity(smoke: bool) -> Result<String> {
    let r = node_report("capacity.mjs", smoke)?;
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = String::new();
    writeln!(
        md,
        "### Capacity ({} requests of each kind, {} in flight; docs/CAPACITY.md reads these)",
        r["requests"], r["concurrency"]
    )?;
    writeln!(md)?;
    writeln!(md, "| what | per second | × baseline |")?;
    writeln!(md, "|---|---:|---:|")?;
    // Each group's first row is its baseline.
    let groups: [&[(&str, &Value)]; 4] = [
        &[
            ("review POSTs (baseline)", &r["writes_per_second"]["review"]),
            ("order PUTs", &r["writes_per_second"]["order"]),
            (
                "event batches of 20",
                &r["writes_per_second"]["event_batch"],
            ),
        ],
        &[
            (
                "events stored as they come (baseline)",
                &r["events_direct_per_second"],
            ),
            (
                "events accepted through the queue",
                &r["events_queued_per_second"],
            ),
            (
                "events through the queue, accepted to stored",
                &r["events_drained_per_second"],
            ),
        ],
        &[
            (
                "two shops' review POSTs, one data database (baseline)",
                &r["reviews_per_second_one_database"],
            ),
            (
                "two shops' review POSTs, one data database each",
                &r["reviews_per_second_two_database"],
            ),
        ],
        &[
            (
                "recommendation strip GETs from D1 (baseline)",
                &r["strip_reads_per_second"]["database"],
            ),
            (
                "recommendation strip GETs from Cloudflare's cache",
                &r["strip_reads_per_second"]["cache"],
            ),
        ],
    ];
    for group in groups {
        let base = f(group[0].1);
        for (what, value) in group {
            let value = f(value);
            writeln!(md, "| {what} | {value:.0} | {:.2} |", value / base)?;
        }
    }
    writeln!(md)?;
    writeln!(
        md,
        "Bytes each adds to its database (D1's `size_after`, indexes and idempotency records \
         included): review {:.0}, order {:.0}, event {:.0}.",
        f(&r["bytes"]["review"]),
        f(&r["bytes"]["order"]),
        f(&r["bytes"]["event"])
    )?;
    writeln!(md)?;
    Ok(md)
}

fn overview_growth(smoke: bool) -> Result<String> {
    let r = node_report("overview-growth.mjs", smoke)?;
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut md = String::new();
    writeln!(
        md,
        "### The overview as a shop grows (median of {} sequential requests; rows seeded in bulk)",
        r["samples"]
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "| orders | events | baseline `GET /v1/admin/shop` ms | overview, 12 weeks ms (× baseline) | overview, a year by month ms (× baseline) | roll-up runs, slowest ms |"
    )?;
    writeln!(md, "|---:|---:|---:|---:|---:|---:|")?;
    for row in r["rows"].as_array().cloned().unwrap_or_default() {
        let base = f(&row["baseline_ms"]);
        writeln!(
            md,
            "| {} | {} | {:.1} | {:.1} (× {:.0}) | {:.1} (× {:.0}) | {}, {:.0} |",
            row["orders"],
            row["events"],
            base,
            f(&row["weeks_ms"]),
            f(&row["weeks_ms"]) / base,
            f(&row["year_ms"]),
            f(&row["year_ms"]) / base,
            row["rollup_runs"],
            f(&row["rollup_max_ms"])
        )?;
    }
    writeln!(md)?;
    writeln!(
        md,
        "One overview is 17 D1 statements in two round trips besides the key check (`tests/statement-counts.json`), under \
         the free plan's 50 per request; the longest is D1's per-query limit (30 s) that this table \
         is measured against."
    )?;
    writeln!(md)?;
    Ok(md)
}

fn write_into_benchmarks(report: &str) -> Result<()> {
    let path = root().join("BENCHMARKS.md");
    let text = fs::read_to_string(&path)?;
    let section = format!("{BEGIN}\n{report}{END}");
    let updated = match (text.find(BEGIN), text.find(END)) {
        (Some(a), Some(b)) if b > a => format!("{}{section}{}", &text[..a], &text[b + END.len()..]),
        _ => format!("{}\n{section}\n", text.trim_end()),
    };
    fs::write(&path, updated)?;
    Ok(())
}

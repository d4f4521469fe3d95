//! What shoppers download, measured as they receive it (raw, gzip -9, brotli -q 11), and the
//! size budget that `cargo xtask test` enforces like a test, as Remark42's size-limit does.
//! Raising a budget needs a line in BENCHMARKS.md saying why, with the figures.

use crate::build::{Built, Module};
use anyhow::{Result, bail};
use std::io::Write;
use std::path::Path;

/// The loader, brotli: it is on every page of every shop. 1,521 B before issue 24; 1,922 B once
/// it fetches a module's wasm beside its glue and starts the widget's first request with them
/// (each kind's URL and body, and the `fetch` the widgets take it through): 16–30 % sooner to
/// every widget's content (BENCHMARKS.md, "Time to first content"); about 2,000 B once it fetches
/// the survey's and the tracker's glue and wasm by the stable names their pages preload, checking
/// that they are its own release's (0.3–0.4 s off those pages' LCP in Lighthouse).
pub const LOADER_BUDGET_BROTLI: usize = 2_048;
/// What a product page fetches after the loader (the product module: reviews and the
/// recommendation strip; glue + wasm, the CSS is inside the wasm), brotli. The starting
/// budget was 61,440 B; the first complete reviews widget measured 84,004 B, the trust features
/// of issue 5 97,783 B, and the recommendation strip (issue 8) brought the module to 105,453 B.
/// 106,017 B on 2026-12-05; 92,510 B with the widgets' own standard library built for size
/// (issue 21); 84,237 B once the review form became a part fetched when the shopper asks for
/// it; 80,162 B with short import and export names. Photo reviews (issue 22) kept it: their code
/// is in parts, the form's words moved into the form's part, and the default review notice to the
/// edge (80,230 B). Questions and answers (issue 22) took the search engines' markup into their
/// part, fetched with the list's first page: 78,860 to 79,171 B over five builds of nearly the
/// same sources (each build moves it by up to ±150 B). Lower it as it shrinks.
pub const PRODUCT_PAGE_BUDGET_BROTLI: usize = 79_872;
/// The same with every part a shopper can fetch on the page (the review form, its photos'
/// preparation, the list's photos and viewer, and the chunks they share): splitting costs bytes,
/// as each part is compressed alone and reaches the main module through its exports, but only a
/// shopper who writes, adds a photo or sees one pays them. 104,957 B, then 100,882 B with short
/// names; 118,512 B with photo reviews (issue 22: the form's photo field 6.9 KB, the list's
/// photos and viewer 6.7 KB, their preparation 1.8 KB, the shared chunks 1.3 KB); 129,204 B
/// with questions and answers (their part 10.2 KB: the list, its search, votes, the ask form,
/// and the search engines' markup moved out of the main module).
pub const PRODUCT_PAGE_ALL_BUDGET_BROTLI: usize = 131_072;
/// What an order page fetches after the loader (the tracker module), brotli. Set from its first
/// build, 72,974 B on 2026-12-04; 79,189 B with "Something wrong?" (issue 20), the tracker's
/// first write, which brings the outbox's sending into the module; 66,837 B with the widgets'
/// own standard library (issue 21), 66,422 B without the reviews' CSS, 63,002 B with short
/// import and export names; 63,977 B with the items' names, pictures and pages (issue 24) and
/// the requests through the loader's `fetch`; 64,364 B with idempotency keys made where
/// `crypto.randomUUID` is missing (a shop on plain http: the widgets stopped there, issue 25).
/// Lower it as it shrinks.
pub const ORDER_PAGE_BUDGET_BROTLI: usize = 64_512;
/// What a survey page fetches after the loader (the survey module), brotli. Its first build
/// measured 81,268 B, 79,653 B as it ships (BENCHMARKS.md), 79,883 B on 2026-12-04. Changes to
/// `protocol` the survey never calls move it by up to ±110 B (where the linker puts shared
/// strings, and brotli's contexts with them); 65,724 B with the widgets' own standard library
/// (issue 21), 65,508 B without the reviews' CSS, 61,945 B with short import and export names
/// (issue 21's target, 64 KiB with the loader, is met); 62,321 B with its requests through the
/// loader's `fetch` (issue 24); 62,579 B with idempotency keys made where `crypto.randomUUID` is
/// missing (issue 25). Lower it as it shrinks.
pub const SURVEY_PAGE_BUDGET_BROTLI: usize = 62_720;

/// What `/admin` fetches after its page (start script, wasm, CSS), brotli. Merchants only, never a
/// shopper, so it is not held to the widgets' weight; the budget catches a dependency that would
/// double it. Its first build measured 271,294 B; 281,714 B before Settings showed the platform
/// connections (issue 18), about 293,500 B with them; 324,870 B with the outreach settings and
/// their preview (issue 19), 330,359 B with the other kinds of message and the digest; 379,924 B
/// with the Cases page (issue 20), whose views are most of the growth; 408,652 B with the
/// Overview (issue 20's business numbers: figures, two charts, six tables and their CSV);
/// 414,427 B when the review import named the tool a file came from and followed its photos'
/// copies (issue 22); 422,784 B with each review's photos to approve or reject, fetched with
/// the key (issue 22); 433,508 B with the Questions page and the answer notice's settings
/// (issue 22).
pub const DASHBOARD_BUDGET_BROTLI: usize = 440_320;

#[derive(Clone, Copy)]
pub struct Size {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

pub fn measure(bytes: &[u8]) -> Result<Size> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?.len();
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
    Ok(Size {
        raw: bytes.len(),
        gzip,
        brotli: br.len(),
    })
}

fn measure_file(path: &Path) -> Result<Size> {
    measure(&std::fs::read(path)?)
}

/// The loader's size, and what a product page and an order page fetch after it.
pub struct Pages {
    pub loader: Size,
    pub product: Size,
    /// With the parts fetched when the shopper reaches for them.
    pub product_all: Size,
    pub order: Size,
    pub survey: Size,
    pub dashboard: Size,
}

fn add(a: Size, b: Size) -> Size {
    Size {
        raw: a.raw + b.raw,
        gzip: a.gzip + b.gzip,
        brotli: a.brotli + b.brotli,
    }
}

/// A module's glue, its wasm, the two together (what a page fetches before the shopper does
/// anything), and its parts fetched later, together (each compressed on its own, as served).
fn module_size(module: &Module) -> Result<(Size, Size, Size, Size)> {
    let glue = measure_file(&module.glue)?;
    let wasm = measure_file(&module.wasm)?;
    let mut parts = Size {
        raw: 0,
        gzip: 0,
        brotli: 0,
    };
    for part in &module.parts {
        parts = add(parts, measure_file(part)?);
    }
    Ok((glue, wasm, add(glue, wasm), parts))
}

/// Prints the sizes.
pub fn report(built: &Built) -> Result<Pages> {
    let loader = measure_file(&built.loader)?;
    let (reviews_glue, reviews_wasm, product, product_parts) = module_size(&built.product)?;
    let product_all = add(product, product_parts);
    let (tracker_glue, tracker_wasm, order, _) = module_size(&built.tracker)?;
    let (survey_glue, survey_wasm, survey, _) = module_size(&built.survey)?;
    let admin_script = measure_file(&built.dashboard.script)?;
    let admin_wasm = measure_file(&built.dashboard.wasm)?;
    let admin_css = measure_file(&built.dashboard.css)?;
    let dashboard = add(admin_script, add(admin_wasm, admin_css));
    println!(
        "{:<38} {:>9} {:>9} {:>9}",
        "file", "raw B", "gzip B", "brotli B"
    );
    for (name, s) in [
        ("loader (memnun.js)", loader),
        ("product glue (memnun-product-*.js)", reviews_glue),
        ("product wasm (incl. CSS)", reviews_wasm),
        ("product page after loader", product),
        ("product parts, fetched on use (form)", product_parts),
        ("product page, everything", product_all),
        ("tracker glue (memnun-tracker-*.js)", tracker_glue),
        ("tracker wasm (incl. CSS)", tracker_wasm),
        ("order page after loader", order),
        ("survey glue (memnun-survey-*.js)", survey_glue),
        ("survey wasm (incl. CSS)", survey_wasm),
        ("survey page after loader", survey),
        ("dashboard start script", admin_script),
        ("dashboard wasm", admin_wasm),
        ("dashboard CSS", admin_css),
        ("dashboard (/admin, merchants only)", dashboard),
    ] {
        println!("{name:<38} {:>9} {:>9} {:>9}", s.raw, s.gzip, s.brotli);
    }
    Ok(Pages {
        loader,
        product,
        product_all,
        order,
        survey,
        dashboard,
    })
}

/// The size budget, run as a test: fails when a file outgrows its budget.
pub fn check_budget(built: &Built) -> Result<()> {
    let pages = report(built)?;
    let mut failures = Vec::new();
    for (what, size, budget) in [
        ("the loader", pages.loader.brotli, LOADER_BUDGET_BROTLI),
        (
            "a product page (after the loader)",
            pages.product.brotli,
            PRODUCT_PAGE_BUDGET_BROTLI,
        ),
        (
            "a product page with every part (after the loader)",
            pages.product_all.brotli,
            PRODUCT_PAGE_ALL_BUDGET_BROTLI,
        ),
        (
            "an order page (after the loader)",
            pages.order.brotli,
            ORDER_PAGE_BUDGET_BROTLI,
        ),
        (
            "a survey page (after the loader)",
            pages.survey.brotli,
            SURVEY_PAGE_BUDGET_BROTLI,
        ),
        (
            "the dashboard (after its page)",
            pages.dashboard.brotli,
            DASHBOARD_BUDGET_BROTLI,
        ),
    ] {
        if size > budget {
            failures.push(format!(
                "{what} is {size} B brotli, over its budget of {budget} B"
            ));
        }
    }
    println!(
        "size budget: loader {} / {LOADER_BUDGET_BROTLI} B, product page {} / \
         {PRODUCT_PAGE_BUDGET_BROTLI} B (everything {} / {PRODUCT_PAGE_ALL_BUDGET_BROTLI} B), order page {} / {ORDER_PAGE_BUDGET_BROTLI} B, \
         survey page {} / {SURVEY_PAGE_BUDGET_BROTLI} B, dashboard {} / \
         {DASHBOARD_BUDGET_BROTLI} B (brotli)",
        pages.loader.brotli,
        pages.product.brotli,
        pages.product_all.brotli,
        pages.order.brotli,
        pages.survey.brotli,
        pages.dashboard.brotli
    );
    if !failures.is_empty() {
        bail!("size budget exceeded:\n  {}", failures.join("\n  "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_is_measured_not_guessed() {
        let text = "memnun ".repeat(1000);
        let s = measure(text.as_bytes()).unwrap();
        assert_eq!(s.raw, 7000);
        assert!(s.gzip < 200 && s.brotli < 100, "{} {}", s.gzip, s.brotli);
    }
}

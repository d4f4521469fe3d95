//! memnun's widgets: what shoppers see and use on a shop's pages. The hand-written loader
//! (`loader/memnun.js`) finds `[data-memnun]` placeholders and calls [`mount`] for each one
//! that comes near the viewport.
//!
//! Architecture invariant: this crate knows no SQL and no server internals; it talks to the edge
//! only through the wire types and rules of `memnun_protocol`. Nothing a shopper or the edge
//! sends is ever inserted as HTML: every piece of text becomes a text node.
//!
//! One module per kind of page: `product` (features `reviews` and `recommendations`), `tracker` and
//! `survey` are built one at a time (`xtask/src/build.rs`), and the loader maps a placeholder's
//! `data-memnun` to its module. A page pays Leptos' base once for the one widget it shows; a page
//! with both kinds (rare) downloads both. Measured with the tracker's first build: sharing one
//! module would have put the tracker's code on every product page (BENCHMARKS.md). Inside a
//! module, what a shopper uses only later is a split function (`wasm_split`, as the review form):
//! `cargo xtask build` moves it into a part of its own, which the module fetches when it is
//! first needed (the review form: when the shopper heads for "Write a review").

// A build with one widget leaves the other's shared words and helpers unused; the linker drops
// them, so only the full build (the default, which `cargo check` and clippy see) is held to it.
#![cfg_attr(
    not(all(
        feature = "reviews",
        feature = "recommendations",
        feature = "tracker",
        feature = "survey"
    )),
    allow(dead_code)
)]

mod api;
#[cfg(feature = "reviews")]
mod browser;
mod i18n;
mod mount;
mod outbox;
#[cfg(feature = "recommendations")]
mod recommendations;
#[cfg(feature = "reviews")]
mod reviews;
#[cfg(feature = "reviews")]
mod seo;
mod style;
#[cfg(feature = "survey")]
mod survey;
#[cfg(feature = "tracker")]
mod tracker;
mod wire;

pub use mount::mount;

//! memnun's widgets: what shoppers see and use on a shop's pages. The hand-written loader
//! (`loader/memnun.js`) finds `[data-memnun]` placeholders and calls [`mount`] for each one
//! that comes near the viewport.
//!
//! Architecture invariant: this crate knows no SQL and no server internals; it talks to the edge
//! only through the wire types and rules of `memnun_protocol`. Nothing a shopper or the edge
//! sends is ever inserted as HTML: every piece of text becomes a text node.

mod api;
mod browser;
mod i18n;
mod mount;
mod outbox;
mod reviews;
mod seo;
mod style;
mod wire;

pub use mount::mount;

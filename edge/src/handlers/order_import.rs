//! `POST /v1/admin/orders/import?format=`: past orders as JSON lines (memnun's shape, or a
//! platform's Order resources as its REST API lists them), read as they arrive and stored in
//! chunks of a few statements each, answering a row report like the review import's.
//!
//! An import only adds: an order memnun has already (from the API, a connector or an earlier
//! import of the same file) is left as it is, and one whose shopper had it erased stays erased.
//! Sending a file again is therefore safe, which is also the answer to a request cut short: what
//! was stored stays, the rest comes with the next try. History sends no webhooks: an order
//! delivered before it was imported is stored as delivered at its delivery time.

use crate::handlers::Context;
use crate::handlers::recommend::ingest;
use crate::platform::error::ApiError;
use crate::platform::http;
use crate::platform::pseudonyms;
use crate::store::catalog;
use crate::store::orders::{self as store, ImportedOrder, ImportedShipment};
use memnun_protocol::merchant::RefusedRow;
use memnun_protocol::order::{self, NewEvents, ShipmentView, TrackingStatus};
use memnun_protocol::order_import::{
    self, ImportFormat, ImportLine, MAX_IMPORT_BYTES, MAX_IMPORT_ORDERS, MAX_LINE_BYTES,
    OrderImportQuery, OrderImportReport,
};
use memnun_protocol::{FieldErrors, Id};
use std::collections::{BTreeMap, HashMap, HashSet};
use worker::{Request, Response};

/// Orders stored per batch: each batch is about nine statements, and a request's whole import
/// stays within the 50 queries of a Workers Free invocation.
const CHUNK: usize = 500;
/// The most of the file's bytes one batch carries: D1 takes a bound value of up to 2 MB, and
/// the batch's orders go as one JSON value.
const CHUNK_BYTES: usize = 1_000_000;
/// Refusals one report lists; a file with more is not the kind the import takes.
const MAX_REFUSALS: usize = 1000;

/// The media types taken for JSON lines.
const JSON_LINES: [&str; 2] = ["application/x-ndjson", "application/jsonl"];

pub async fn import(req: &mut Request, cx: &Context<'_>) -> Result<Response, ApiError> {
    let query: OrderImportQuery = http::query(req)?;
    let mut reader = Reader {
        format: query.format,
        line: 0,
        seen: HashSet::new(),
        pending: Vec::new(),
        pending_bytes: 0,
        report: OrderImportReport {
            imported: 0,
            already_there: 0,
            refused: Vec::new(),
        },
    };
    if query.format == ImportFormat::ShopifyCsv {
        return import_shopify_csv(req, cx, reader).await;
    }
    let mut rest: Vec<u8> = Vec::new();
    // Inside a line too long to keep: its bytes go until its end.
    let mut skipping = false;
    let mut body = http::body_stream(req, MAX_IMPORT_BYTES, &JSON_LINES)?;
    while let Some(bytes) = body.next_chunk().await? {
        rest.extend_from_slice(&bytes);
        // The complete lines, read in place; what follows the last one waits for more.
        let mut start = 0;
        while let Some(length) = rest[start..].iter().position(|b| *b == b'\n') {
            let line = &rest[start..start + length];
            start += length + 1;
            if std::mem::take(&mut skipping) {
                continue;
            }
            if line.len() > MAX_LINE_BYTES {
                reader.refuse_long_line();
                continue;
            }
            reader.take(cx, line)?;
            if reader.full() {
                reader.flush(cx).await?;
            }
        }
        rest.drain(..start);
        if rest.len() > MAX_LINE_BYTES {
            if !skipping {
                reader.refuse_long_line();
            }
            skipping = true;
            rest.clear();
        }
    }
    if !skipping && rest.len() > MAX_LINE_BYTES {
        reader.refuse_long_line();
    } else if !skipping {
        reader.take(cx, &rest)?;
    }
    reader.flush(cx).await?;
    http::json(200, &reader.report)
}

/// Shopify's order export, read whole (it is a CSV: an order's rows follow one another), its
/// lines' products found by name in the shop's catalog.
async fn import_shopify_csv(
    req: &mut Request,
    cx: &Context<'_>,
    mut reader: Reader,
) -> Result<Response, ApiError> {
    let body = http::read_body(req, MAX_IMPORT_BYTES, &["text/csv"]).await?;
    // A name two products share names neither.
    let mut by_name: HashMap<String, Option<String>> = HashMap::new();
    for (product, names) in catalog::names(&cx.db, &cx.shop).await? {
        for name in names.into_values() {
            by_name
                .entry(name.trim().to_owned())
                .and_modify(|found| {
                    if found.as_deref() != Some(product.as_str()) {
                        *found = None;
                    }
                })
                .or_insert_with(|| Some(product.clone()));
        }
    }
    let named = |name: &str| by_name.get(name.trim()).cloned().flatten();
    let export =
        order_import::read_shopify_csv(&body, named).map_err(ApiError::InvalidParameter)?;
    reader.report.refused = export.refused;
    for (line, order) in export.read {
        reader.line = line;
        reader.add(cx, Ok(order));
        if reader.full() {
            reader.flush(cx).await?;
        }
    }
    reader.flush(cx).await?;
    reader.report.refused.sort_by_key(|r| r.line);
    http::json(200, &reader.report)
}

struct Reader {
    format: order_import::ImportFormat,
    line: usize,
    seen: HashSet<String>,
    pending: Vec<ImportedOrder>,
    /// About how many bytes the pending orders take as JSON.
    pending_bytes: usize,
    report: OrderImportReport,
}

impl Reader {
    fn refuse(&mut self, errors: BTreeMap<String, String>) {
        if self.report.refused.len() < MAX_REFUSALS {
            self.report.refused.push(RefusedRow {
                line: self.line,
                errors,
            });
        }
    }

    /// Whether the pending orders make a batch.
    fn full(&self) -> bool {
        self.pending.len() >= CHUNK || self.pending_bytes >= CHUNK_BYTES
    }

    fn refuse_long_line(&mut self) {
        self.line += 1;
        let problem = format!("longer than {MAX_LINE_BYTES} bytes");
        self.refuse(BTreeMap::from([("row".to_owned(), problem)]));
    }

    /// Reads one line into the pending orders, or into the report's refusals.
    fn take(&mut self, cx: &Context<'_>, line: &[u8]) -> Result<(), ApiError> {
        self.line += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let read = order_import::read_line(self.format, line);
        self.add(cx, read);
        Ok(())
    }

    /// Checks one order read (at `self.line`) into the pending ones, or into the refusals.
    fn add(&mut self, cx: &Context<'_>, read: Result<ImportLine, BTreeMap<String, String>>) {
        if self.seen.len() >= MAX_IMPORT_ORDERS {
            let problem = format!(
                "past the {MAX_IMPORT_ORDERS} orders one import takes: send the rest in another file"
            );
            self.refuse(BTreeMap::from([("row".to_owned(), problem)]));
            return;
        }
        match read.and_then(|l| prepare(cx, l).map_err(|e| field_map(&e))) {
            Ok(order) => {
                if self.seen.insert(order.id.clone()) {
                    self.pending_bytes += serde_json::to_string(&order).map_or(0, |j| j.len());
                    self.pending.push(order);
                } else {
                    self.report.already_there += 1;
                }
            }
            Err(errors) => self.refuse(errors),
        }
    }

    /// Stores the pending orders memnun does not have yet, with their baskets.
    async fn flush(&mut self, cx: &Context<'_>) -> Result<(), ApiError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let ids: Vec<(&str, &str)> = pending
            .iter()
            .map(|o| (o.id.as_str(), o.erased_key.as_str()))
            .collect();
        let known: HashSet<String> = store::known(&cx.db, &cx.shop, &ids).await?;
        let new: Vec<ImportedOrder> = pending
            .into_iter()
            .filter(|o| !known.contains(&o.id))
            .collect();
        self.report.already_there += known.len() as u32;
        let baskets = new
            .iter()
            .map(|o| {
                let products = o.items.iter().map(|i| i.product.clone()).collect();
                (format!("order:{}", o.id), products)
            })
            .collect();
        let also = ingest::new_baskets(&cx.db, &cx.shop, baskets, cx.now).await?;
        store::import(&cx.db, &cx.shop, &new, cx.now, also).await?;
        self.report.imported += new.len() as u32;
        Ok(())
    }
}

fn field_map(error: &ApiError) -> BTreeMap<String, String> {
    match error {
        ApiError::Validation(fields) => fields.by_field(),
        other => BTreeMap::from([("row".to_owned(), other.to_string())]),
    }
}

/// The order a line says, checked as the merchant API checks it.
fn prepare(cx: &Context<'_>, line: ImportLine) -> Result<ImportedOrder, ApiError> {
    let id = Id::parse(&line.id).map_err(|_| {
        let mut errors = FieldErrors::default();
        errors.push("id", memnun_protocol::FieldProblem::InvalidId);
        ApiError::Validation(errors)
    })?;
    let upsert = order::OrderUpsert {
        number: line
            .order
            .number
            .as_deref()
            .map(memnun_protocol::text::normalize),
        ..line.order
    };
    let valid = upsert.validate().map_err(ApiError::Validation)?;
    let events = match line.events.is_empty() {
        true => Vec::new(),
        false => NewEvents {
            events: Some(line.events),
        }
        .validate()
        .map_err(ApiError::Validation)?,
    };
    if events
        .iter()
        .any(|e| !valid.shipments.iter().any(|s| s.id.as_str() == e.shipment))
    {
        let mut errors = FieldErrors::default();
        errors.push("events.shipment", memnun_protocol::FieldProblem::NotAChoice);
        return Err(ApiError::Validation(errors));
    }
    let email_hash = valid
        .email
        .as_deref()
        .map(|e| pseudonyms::order_email(cx.env, e))
        .transpose()?;
    // Delivered when every parcel is, at the last delivery: as the tracker reads it.
    let views: Vec<ShipmentView> = valid
        .shipments
        .iter()
        .map(|s| {
            let timeline: Vec<_> = events
                .iter()
                .filter(|e| e.shipment == s.id.as_str())
                .cloned()
                .collect();
            ShipmentView {
                id: s.id.to_string(),
                carrier: s.carrier.clone(),
                tracking_number: None,
                tracking_url: None,
                status: order::current_status(&timeline),
                estimated_delivery: None,
                events: timeline,
            }
        })
        .collect();
    let delivered = !views.is_empty()
        && order::order_status(&views, valid.cancelled_at.is_some()) == TrackingStatus::Delivered;
    let delivered_at = delivered.then(|| order::delivery_time(&views, cx.now));
    let salt = pseudonyms::salt(cx.env)?;
    Ok(ImportedOrder {
        erased_key: pseudonyms::erased_order(&salt, &cx.shop, id.as_str()),
        id: id.to_string(),
        number: valid.number,
        email_hash,
        placed_at: valid.placed_at,
        cancelled_at: valid.cancelled_at,
        refunded_minor: valid.refunded_minor,
        delivered_at,
        items: valid.items,
        shipments: valid
            .shipments
            .into_iter()
            .map(|s| ImportedShipment {
                id: s.id.to_string(),
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                tracking_url: s.tracking_url,
                estimate_at: s.estimated_delivery.as_ref().map(|e| e.date),
                estimate_source: s.estimated_delivery.map(|e| e.source),
            })
            .collect(),
        events,
    })
}

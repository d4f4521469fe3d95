//! The shop's catalog as the merchant API takes it (`PUT /v1/admin/catalog`): what the
//! recommendation strip shows (names per language, price, image, link, category, stock) and what
//! it may recommend (never an item out of stock or unknown).
//!
//! An upload is checked item by item: good items are stored, refused ones are reported with
//! their position and problems, so one bad row in a feed of a thousand does not stop the rest.

use crate::Id;
use crate::api::query::{Bounded, Cursor};
use crate::order::is_web_url;
use crate::text::{FieldErrors, FieldProblem, TextRule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Items one request takes; a larger catalog is sent in several `upsert` requests.
pub const MAX_ITEMS: usize = 500;
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;
pub const NAME_RULE: TextRule = TextRule {
    required: true,
    max_chars: 200,
    multiline: false,
};
pub const CATEGORY_RULE: TextRule = TextRule {
    required: false,
    max_chars: 100,
    multiline: false,
};
/// A brand, MPN or SKU: what Google's product data takes (70 characters).
pub const IDENTIFIER_RULE: TextRule = TextRule {
    required: false,
    max_chars: 70,
    multiline: false,
};
/// GTINs, MPNs or SKUs one item may list: one per variant of a product that has many.
pub const MAX_IDENTIFIERS: usize = 100;
/// The highest price in minor units a catalog item may have (a billion lira is not a product).
pub const PRICE_MINOR_MAX: i64 = 100_000_000_000;

/// How an upload meets the stored catalog.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The upload is the whole catalog: items not in it are removed.
    Replace,
    /// Items in the upload are added or changed; the others stay.
    #[default]
    Upsert,
}

/// One item as the merchant sends it. Loosely typed, so a wrong value is a problem of that
/// item, not of the whole request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ItemInput {
    #[serde(default)]
    pub id: Option<String>,
    /// The name per language: `{"tr": "Kahve fincanı", "en": "Coffee cup"}`.
    #[serde(default)]
    pub name: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub price_minor: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub in_stock: Option<bool>,
    /// What Google Shopping matches the product's reviews by (the review feed): its GTINs (EAN,
    /// UPC, ISBN; one per variant), manufacturer part numbers, the shop's SKUs, and its brand.
    #[serde(default)]
    pub gtins: Option<Vec<String>>,
    #[serde(default)]
    pub mpns: Option<Vec<String>>,
    #[serde(default)]
    pub skus: Option<Vec<String>>,
    #[serde(default)]
    pub brand: Option<String>,
}

/// The body of `PUT /v1/admin/catalog`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CatalogUpload {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub items: Vec<serde_json::Value>,
}

/// An item that passed every rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CatalogItem {
    pub id: String,
    pub name: BTreeMap<String, String>,
    pub price_minor: i64,
    pub currency: String,
    pub image_url: Option<String>,
    pub url: String,
    pub category: Option<String>,
    pub in_stock: bool,
    pub gtins: Vec<String>,
    pub mpns: Vec<String>,
    pub skus: Vec<String>,
    pub brand: Option<String>,
}

impl CatalogItem {
    /// The name in `locale`, else in the other language.
    pub fn name_in(&self, locale: &str) -> &str {
        name_in(&self.name, locale).unwrap_or("")
    }
}

/// Of an item's names (language → name), the one in `locale`, else the one in the other language.
pub fn name_in<'a>(names: &'a BTreeMap<String, String>, locale: &str) -> Option<&'a str> {
    names
        .get(locale)
        .or_else(|| names.values().next())
        .map(String::as_str)
}

/// An item the upload left out: its position in `items`, its id if it had a readable one, and
/// field → problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RefusedItem {
    pub index: usize,
    pub id: Option<String>,
    pub errors: BTreeMap<String, String>,
}

/// The answer to an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CatalogReport {
    pub mode: Mode,
    pub stored: usize,
    /// Items removed because a `replace` upload did not name them.
    pub removed: usize,
    pub refused: Vec<RefusedItem>,
}

impl ItemInput {
    pub fn validate(&self) -> Result<CatalogItem, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id = match self.id.as_deref().map(Id::parse) {
            Some(Ok(id)) => Some(id.to_string()),
            Some(Err(_)) => {
                errors.push("id", FieldProblem::InvalidId);
                None
            }
            None => {
                errors.push("id", FieldProblem::Required);
                None
            }
        };
        let mut name = BTreeMap::new();
        match &self.name {
            None => errors.push("name", FieldProblem::Required),
            Some(names) if names.is_empty() => errors.push("name", FieldProblem::Required),
            Some(names) => {
                for (locale, text) in names {
                    if !crate::review::LOCALES.contains(&locale.as_str()) {
                        errors.push("name", FieldProblem::NotAChoice);
                        break;
                    }
                    if let Err(problem) = NAME_RULE.check(text) {
                        errors.push("name", problem);
                        break;
                    }
                    name.insert(locale.clone(), text.trim().to_owned());
                }
            }
        }
        let price_minor = match self.price_minor {
            Some(p) if (0..=PRICE_MINOR_MAX).contains(&p) => p,
            Some(_) => {
                errors.push(
                    "price_minor",
                    FieldProblem::OutOfRange {
                        min: 0,
                        max: PRICE_MINOR_MAX,
                    },
                );
                0
            }
            None => {
                errors.push("price_minor", FieldProblem::Required);
                0
            }
        };
        let currency = match self.currency.as_deref() {
            Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => c.to_owned(),
            Some(_) => {
                errors.push("currency", FieldProblem::NotAChoice);
                String::new()
            }
            None => {
                errors.push("currency", FieldProblem::Required);
                String::new()
            }
        };
        let url = match self.url.as_deref() {
            Some(u) if is_web_url(u) => u.to_owned(),
            Some(_) => {
                errors.push("url", FieldProblem::NotAUrl);
                String::new()
            }
            None => {
                errors.push("url", FieldProblem::Required);
                String::new()
            }
        };
        let image_url = match self.image_url.as_deref() {
            None | Some("") => None,
            Some(u) if is_web_url(u) => Some(u.to_owned()),
            Some(_) => {
                errors.push("image_url", FieldProblem::NotAUrl);
                None
            }
        };
        let category = match self.category.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => match CATEGORY_RULE.check(c) {
                Ok(()) => Some(c.to_owned()),
                Err(problem) => {
                    errors.push("category", problem);
                    None
                }
            },
        };
        let mut identifiers = |field: &'static str, given: &Option<Vec<String>>, gtin: bool| {
            let given = given.as_deref().unwrap_or_default();
            if given.len() > MAX_IDENTIFIERS {
                errors.push(
                    field,
                    FieldProblem::TooMany {
                        max: MAX_IDENTIFIERS,
                    },
                );
                return Vec::new();
            }
            let mut kept: Vec<String> = Vec::new();
            for value in given {
                let value = value.trim();
                let problem = if gtin {
                    (!is_gtin(value)).then_some(FieldProblem::NotAGtin)
                } else if value.is_empty() {
                    Some(FieldProblem::Required)
                } else {
                    IDENTIFIER_RULE.check(value).err()
                };
                if let Some(problem) = problem {
                    errors.push(field, problem);
                    return Vec::new();
                }
                if !kept.iter().any(|k| k == value) {
                    kept.push(value.to_owned());
                }
            }
            kept
        };
        let gtins = identifiers("gtins", &self.gtins, true);
        let mpns = identifiers("mpns", &self.mpns, false);
        let skus = identifiers("skus", &self.skus, false);
        let brand = match self.brand.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(b) => match IDENTIFIER_RULE.check(b) {
                Ok(()) => Some(b.to_owned()),
                Err(problem) => {
                    errors.push("brand", problem);
                    None
                }
            },
        };
        match id {
            Some(id) if errors.is_empty() => Ok(CatalogItem {
                id,
                name,
                price_minor,
                currency,
                image_url,
                url,
                category,
                in_stock: self.in_stock.unwrap_or(true),
                gtins,
                mpns,
                skus,
                brand,
            }),
            _ => Err(errors),
        }
    }
}

/// A GTIN as GS1 defines it: 8 (EAN-8), 12 (UPC-A), 13 (EAN-13, ISBN-13) or 14 digits, the last
/// the check digit of the others (weights 3 and 1 alternating from the right).
pub fn is_gtin(value: &str) -> bool {
    let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != value.len() || ![8, 12, 13, 14].contains(&digits.len()) {
        return false;
    }
    let (check, body) = digits.split_last().expect("8 or more digits");
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10 == *check
}

impl CatalogUpload {
    /// The good items (the last one wins when an id repeats) and the refused ones.
    pub fn check(&self) -> (Vec<CatalogItem>, Vec<RefusedItem>) {
        let mut good: Vec<CatalogItem> = Vec::new();
        let mut refused = Vec::new();
        for (index, raw) in self.items.iter().enumerate() {
            let id = raw.get("id").and_then(|v| v.as_str()).map(str::to_owned);
            let parsed: Result<ItemInput, _> = serde_json::from_value(raw.clone());
            let outcome = match parsed {
                Ok(input) => input.validate().map_err(|e| {
                    e.0.iter()
                        .map(|(f, p)| ((*f).to_owned(), p.to_string()))
                        .collect()
                }),
                Err(e) => Err(BTreeMap::from([(
                    "item".to_owned(),
                    format!("is not an item of the documented shape: {e}"),
                )])),
            };
            match outcome {
                Ok(item) => {
                    good.retain(|g| g.id != item.id);
                    good.push(item);
                }
                Err(errors) => refused.push(RefusedItem { index, id, errors }),
            }
        }
        (good, refused)
    }
}

/// `GET /v1/admin/catalog`: a page of the catalog in id order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CatalogPage {
    pub items: Vec<CatalogItem>,
    /// The last id of this page when there may be more; pass it as `cursor`.
    pub next_cursor: Option<String>,
}

/// Items on a page of `GET /v1/admin/catalog`, unless the merchant asks for fewer.
pub const PAGE_SIZE_DEFAULT: u32 = 50;
pub const PAGE_SIZE_MAX: u32 = 200;

/// `GET /v1/admin/catalog`: the stored items by id, paged.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct CatalogQuery {
    pub limit: Bounded<PAGE_SIZE_MAX>,
    /// The last product id of the page before.
    pub cursor: Option<Cursor<Id>>,
}

impl Default for CatalogQuery {
    fn default() -> Self {
        CatalogQuery {
            limit: Bounded(PAGE_SIZE_DEFAULT),
            cursor: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(json: &str) -> CatalogUpload {
        serde_json::from_str(json).expect("test JSON")
    }

    #[test]
    fn good_items_are_kept_and_bad_ones_reported_by_position() {
        let (good, refused) = upload(
            r#"{"mode":"replace","items":[
                {"id":"cup","name":{"tr":"Kahve fincanı","en":"Coffee cup"},"price_minor":45000,
                 "currency":"TRY","url":"https://shop.example/cup","image_url":"https://shop.example/cup.jpg",
                 "category":"Mutfak"},
                {"id":"bad id!","name":{"tr":"x"},"price_minor":-1,"currency":"try","url":"javascript:alert(1)"},
                "not an object",
                {"id":"shirt","name":{"en":"Linen shirt"},"price_minor":99000,"currency":"TRY",
                 "url":"https://shop.example/shirt","in_stock":false}
            ]}"#,
        )
        .check();
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].name_in("en"), "Coffee cup");
        assert_eq!(
            good[1].name_in("tr"),
            "Linen shirt",
            "falls back to the other language"
        );
        assert!(!good[1].in_stock);
        assert!(good[0].in_stock, "in stock unless said");
        assert_eq!(refused.len(), 2);
        assert_eq!(refused[0].index, 1);
        assert_eq!(refused[0].id.as_deref(), Some("bad id!"));
        for field in ["id", "price_minor", "currency", "url"] {
            assert!(refused[0].errors.contains_key(field), "{field}");
        }
        assert_eq!(refused[1].index, 2);
        assert!(refused[1].errors.contains_key("item"));
    }

    #[test]
    fn identifiers_google_matches_on_are_checked() {
        let item = |extra: &str| -> Result<CatalogItem, FieldErrors> {
            let json = format!(
                r#"{{"id":"x","name":{{"tr":"Fincan"}},"price_minor":1,"currency":"TRY","url":"https://s.example/x"{extra}}}"#
            );
            serde_json::from_str::<ItemInput>(&json)
                .expect("json")
                .validate()
        };
        let good = item(
            r#","gtins":["4006381333931"," 036000291452","96385074","4006381333931"],"mpns":["FN-12"],"skus":["fincan-mavi"],"brand":" Kütahya Porselen ""#,
        )
        .expect("valid identifiers");
        assert_eq!(
            good.gtins,
            ["4006381333931", "036000291452", "96385074"],
            "trimmed, once each"
        );
        assert_eq!(good.brand.as_deref(), Some("Kütahya Porselen"));
        assert!(item("").expect("none needed").gtins.is_empty());
        for (extra, field) in [
            (r#","gtins":["4006381333932"]"#, "gtins"),
            (r#","gtins":["400638133393"]"#, "gtins"),
            (r#","gtins":["４００６３８１３３３９３１"]"#, "gtins"),
            (r#","mpns":[""]"#, "mpns"),
            (r#","skus":["a\nb"]"#, "skus"),
        ] {
            assert!(
                item(extra).expect_err(extra).get(field).is_some(),
                "{extra}"
            );
        }
        let many = format!(
            r#","skus":[{}]"#,
            vec!["\"s\""; MAX_IDENTIFIERS + 1].join(",")
        );
        assert!(item(&many).expect_err("too many").get("skus").is_some());
        assert!(is_gtin("00012345600012"), "GTIN-14");
    }

    #[test]
    fn a_repeated_id_keeps_the_last() {
        let (good, refused) = upload(
            r#"{"items":[
                {"id":"cup","name":{"tr":"Eski"},"price_minor":1,"currency":"TRY","url":"https://s.example/a"},
                {"id":"cup","name":{"tr":"Yeni"},"price_minor":2,"currency":"TRY","url":"https://s.example/a"}
            ]}"#,
        )
        .check();
        assert!(refused.is_empty());
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].name_in("tr"), "Yeni");
    }

    #[test]
    fn names_are_required_in_a_known_language_and_checked() {
        for name in [
            r#"{}"#,
            r#"{"de":"Tasse"}"#,
            r#"{"tr":"a\u202Eb"}"#,
            r#"{"tr":"  "}"#,
        ] {
            let json = format!(
                r#"{{"id":"x","name":{name},"price_minor":1,"currency":"TRY","url":"https://s.example/x"}}"#
            );
            let input: ItemInput = serde_json::from_str(&json).expect("json");
            assert!(
                input.validate().expect_err(name).get("name").is_some(),
                "{name}"
            );
        }
    }
}

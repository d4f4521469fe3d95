//! The Google Shopping product-ratings feed: a shop's published reviews in the XML of Google's
//! Product Review Feeds, schema 2.4 (<https://developers.google.com/product-review-feeds/schema>),
//! which the edge serves at `GET /v1/shops/{shop}/feeds/google-product-reviews.xml` for Merchant
//! Center's scheduled fetch.
//!
//! The document is written in pieces ([`FeedWriter`]) so the edge can stream a large shop's
//! feed page by page. What the schema asks, and where it is
//! kept:
//! - every group is a sequence, so each element is written in the schema's order (which is not
//!   the order of Google's sample file: the sample puts `is_verified_purchase` before
//!   `review_timestamp`, which the schema refuses);
//! - strings must hold a non-space character: an empty title is left out, and a review whose
//!   text is blank is not written at all;
//! - a container (`<gtins>`, `<reviews>`) holds at least one child or is left out;
//! - `review_url` and `product_url` are required: a review of a product with no page is left
//!   out by the edge, which finds the page in the catalog or the shop's `product_page`;
//! - `review_id` is unique in the feed: reviews are written once each, by their id.
//!
//! Text is escaped for XML and stripped of the characters XML 1.0 cannot carry at all (most
//! control characters), so no review text can break the document or add elements to it.

use crate::time::format_rfc3339_ms;

/// The schema version the feed declares; Google takes only this one.
pub const SCHEMA_VERSION: &str = "2.4";
const SCHEMA_LOCATION: &str =
    "http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.xsd";

/// A published review as the feed writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedReview<'a> {
    pub id: &'a str,
    pub author: &'a str,
    /// The review's language (`tr`, `en`), when known.
    pub locale: Option<&'a str>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub title: &'a str,
    pub body: &'a str,
    /// 1 to 5 stars.
    pub rating: u8,
    /// Written by the buyer of an order the shop knows (a review link from that order).
    pub verified: bool,
    /// How the review came: `None` when memnun cannot know (an imported review).
    pub collection: Option<Collection>,
    /// The addresses of the review's photos, in order.
    pub images: &'a [String],
    pub product: FeedProduct<'a>,
}

/// What Google matches the review's product by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedProduct<'a> {
    pub name: Option<&'a str>,
    /// The product's page: also the review's page, which shows it among the others.
    pub url: &'a str,
    pub gtins: &'a [String],
    pub mpns: &'a [String],
    pub skus: &'a [String],
    pub brand: Option<&'a str>,
}

/// Google's `collection_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// The shopper wrote it unasked, from the product page.
    Unsolicited,
    /// The shopper answered the shop's request after the order arrived (a review link).
    PostFulfillment,
}

/// Writes the document in pieces: [`FeedWriter::head`], then [`FeedWriter::review`] for each
/// review, then [`FeedWriter::tail`]. `<reviews>` is opened before the first review written,
/// so a feed whose reviews were all left out is still valid (the schema wants one or more
/// reviews inside it, or no `<reviews>` at all).
#[derive(Debug, Default)]
pub struct FeedWriter {
    reviews_open: bool,
}

impl FeedWriter {
    /// The writer and the document's beginning: the XML declaration, `<feed>`, `<version>`, and
    /// the publisher (the shop, by `publisher`'s name).
    pub fn head(publisher: &str) -> (FeedWriter, String) {
        let mut out = String::with_capacity(512);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(
            "<feed xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:noNamespaceSchemaLocation=\"",
        );
        out.push_str(SCHEMA_LOCATION);
        out.push_str("\">\n<version>");
        out.push_str(SCHEMA_VERSION);
        out.push_str("</version>\n<publisher>");
        element(&mut out, "name", publisher);
        out.push_str("</publisher>\n");
        (FeedWriter::default(), out)
    }

    /// Appends `review` as a `<review>`; false, and nothing appended, when it cannot be a
    /// valid one (blank text, no product page).
    pub fn review(&mut self, out: &mut String, review: &FeedReview<'_>) -> bool {
        if is_blank(review.body) || is_blank(review.product.url) || is_blank(review.id) {
            return false;
        }
        if !self.reviews_open {
            out.push_str("<reviews>\n");
            self.reviews_open = true;
        }
        write_review(out, review);
        true
    }

    /// The end of the document.
    pub fn tail(self) -> &'static str {
        if self.reviews_open {
            "</reviews>\n</feed>\n"
        } else {
            "</feed>\n"
        }
    }
}

fn write_review(out: &mut String, review: &FeedReview<'_>) {
    out.push_str("<review>");
    element(out, "review_id", review.id);
    out.push_str("<reviewer>");
    if is_blank(review.author) {
        out.push_str("<name is_anonymous=\"true\">Anonymous</name>");
    } else {
        element(out, "name", review.author);
    }
    out.push_str("</reviewer>");
    if let Some(locale) = review.locale.filter(|l| is_language(l)) {
        element(out, "review_language", locale);
    }
    element(
        out,
        "review_timestamp",
        &format_rfc3339_ms(review.created_at),
    );
    if !is_blank(review.title) {
        element(out, "title", review.title);
    }
    element(out, "content", review.body);
    out.push_str("<review_url type=\"group\">");
    escape_into(out, review.product.url);
    out.push_str("</review_url>");
    let images: Vec<&String> = review.images.iter().filter(|u| !is_blank(u)).collect();
    if !images.is_empty() {
        out.push_str("<reviewer_images>");
        for url in images {
            out.push_str("<reviewer_image>");
            element(out, "url", url);
            out.push_str("</reviewer_image>");
        }
        out.push_str("</reviewer_images>");
    }
    out.push_str("<ratings><overall min=\"1\" max=\"5\">");
    out.push(char::from(b'0' + review.rating.clamp(1, 5)));
    out.push_str("</overall></ratings>");
    out.push_str("<products><product>");
    write_product_ids(out, &review.product);
    if let Some(name) = review.product.name.filter(|n| !is_blank(n)) {
        element(out, "product_name", name);
    }
    element(out, "product_url", review.product.url);
    out.push_str("</product></products>");
    element(
        out,
        "is_verified_purchase",
        if review.verified { "true" } else { "false" },
    );
    if let Some(collection) = review.collection {
        element(
            out,
            "collection_method",
            match collection {
                Collection::Unsolicited => "unsolicited",
                Collection::PostFulfillment => "post_fulfillment",
            },
        );
    }
    out.push_str("</review>\n");
}

/// `<product_ids>` with the containers that have something in them, in the schema's order.
fn write_product_ids(out: &mut String, product: &FeedProduct<'_>) {
    let lists: [(&str, &str, Vec<&str>); 4] = [
        (
            "gtins",
            "gtin",
            product.gtins.iter().map(String::as_str).collect(),
        ),
        (
            "mpns",
            "mpn",
            product.mpns.iter().map(String::as_str).collect(),
        ),
        (
            "skus",
            "sku",
            product.skus.iter().map(String::as_str).collect(),
        ),
        ("brands", "brand", product.brand.into_iter().collect()),
    ];
    let lists: Vec<_> = lists
        .into_iter()
        .map(|(outer, inner, values)| {
            let values: Vec<&str> = values.into_iter().filter(|v| !is_blank(v)).collect();
            (outer, inner, values)
        })
        .filter(|(_, _, values)| !values.is_empty())
        .collect();
    if lists.is_empty() {
        return;
    }
    out.push_str("<product_ids>");
    for (outer, inner, values) in lists {
        out.push('<');
        out.push_str(outer);
        out.push('>');
        for value in values {
            element(out, inner, value);
        }
        out.push_str("</");
        out.push_str(outer);
        out.push('>');
    }
    out.push_str("</product_ids>");
}

fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Whether the schema's `nonEmptyStringType` would refuse `text` once escaped: nothing but
/// white space and characters [`escape_into`] drops.
fn is_blank(text: &str) -> bool {
    !text.chars().any(|c| !c.is_whitespace() && is_xml_char(c))
}

/// `xs:language`'s shape: letters, then dash-separated letters or digits, 1-8 each.
fn is_language(tag: &str) -> bool {
    tag.split('-').enumerate().all(|(i, part)| {
        (1..=8).contains(&part.len())
            && part
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()))
    })
}

/// XML 1.0's `Char`: what a document may contain at all, escaped or not.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `text` as XML character data: markup characters escaped, a carriage return kept as
/// one (a parser would turn a bare one into a line feed), and characters XML cannot carry
/// dropped.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GTINS: &[String] = &[];

    fn review<'a>(body: &'a str, product: FeedProduct<'a>) -> FeedReview<'a> {
        FeedReview {
            id: "r1",
            author: "Ayşe Y.",
            locale: Some("tr"),
            created_at: 1_764_000_000_123,
            title: "Çok güzel",
            body,
            rating: 5,
            verified: true,
            collection: Some(Collection::PostFulfillment),
            images: &[],
            product,
        }
    }

    fn product(url: &str) -> FeedProduct<'_> {
        FeedProduct {
            name: Some("Kahve fincanı"),
            url,
            ..FeedProduct::default()
        }
    }

    fn document(reviews: &[FeedReview<'_>]) -> String {
        let (mut writer, mut out) = FeedWriter::head("Moda & Fincan");
        for r in reviews {
            writer.review(&mut out, r);
        }
        out.push_str(writer.tail());
        out
    }

    /// Each element's children by name, in document order.
    fn children<'a>(node: roxmltree::Node<'a, 'a>) -> Vec<&'a str> {
        node.children()
            .filter(|c| c.is_element())
            .map(|c| c.tag_name().name())
            .collect()
    }

    #[test]
    fn a_review_has_the_schemas_elements_in_its_order() {
        let gtins = vec!["8690000000012".to_owned()];
        let skus = vec!["FNC-1".to_owned()];
        let images = vec![
            "https://edge.example/v1/shops/s/photos/p1".to_owned(),
            "https://edge.example/v1/shops/s/photos/p2".to_owned(),
        ];
        let xml = document(&[FeedReview {
            images: &images,
            ..review(
                "Harika.",
                FeedProduct {
                    gtins: &gtins,
                    skus: &skus,
                    brand: Some("Kütahya"),
                    ..product("https://moda.example/urun/fincan?renk=mavi&boy=2")
                },
            )
        }]);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        let feed = doc.root_element();
        assert_eq!(children(feed), ["version", "publisher", "reviews"]);
        let review = feed
            .last_element_child()
            .unwrap()
            .first_element_child()
            .unwrap();
        assert_eq!(
            children(review),
            [
                "review_id",
                "reviewer",
                "review_language",
                "review_timestamp",
                "title",
                "content",
                "review_url",
                "reviewer_images",
                "ratings",
                "products",
                "is_verified_purchase",
                "collection_method"
            ]
        );
        let text = |name: &str| {
            review
                .descendants()
                .find(|n| n.has_tag_name(name))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(text("review_timestamp"), "2025-11-24T16:00:00.123Z");
        assert_eq!(text("overall"), "5");
        assert_eq!(
            text("review_url"),
            "https://moda.example/urun/fincan?renk=mavi&boy=2"
        );
        assert_eq!(text("collection_method"), "post_fulfillment");
        let ids = review
            .descendants()
            .find(|n| n.has_tag_name("product_ids"))
            .unwrap();
        assert_eq!(
            children(ids),
            ["gtins", "skus", "brands"],
            "no empty container"
        );
        let product = ids.parent().unwrap();
        assert_eq!(
            children(product),
            ["product_ids", "product_name", "product_url"]
        );
        assert_eq!(
            doc.descendants()
                .find(|n| n.has_tag_name("publisher"))
                .and_then(|p| p.first_element_child())
                .and_then(|n| n.text()),
            Some("Moda & Fincan")
        );
    }

    #[test]
    fn hostile_text_stays_text() {
        let hostile =
            "</content><is_spam>true</is_spam><![CDATA[ & ]]> \"'\u{0}\u{1b}\u{FFFE}\r\n😀";
        let r = FeedReview {
            author: hostile,
            title: hostile,
            ..review(hostile, product("https://moda.example/u/x"))
        };
        let xml = document(&[r]);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed for any text");
        let review = doc
            .descendants()
            .find(|n| n.has_tag_name("review"))
            .unwrap();
        assert!(
            !children(review).contains(&"is_spam"),
            "no element from the text"
        );
        let content = review
            .children()
            .find(|n| n.has_tag_name("content"))
            .and_then(|n| n.text())
            .unwrap();
        assert_eq!(
            content, "</content><is_spam>true</is_spam><![CDATA[ & ]]> \"'\r\n😀",
            "what XML can carry comes back exactly; the rest is dropped"
        );
    }

    #[test]
    fn what_the_schema_would_refuse_is_left_out() {
        let (mut writer, head) = FeedWriter::head("m");
        let mut out = String::new();
        assert!(!writer.review(
            &mut out,
            &review(" \n\u{1}", product("https://m.example/x"))
        ));
        assert!(!writer.review(&mut out, &review("İyi", product(""))));
        assert!(out.is_empty());
        let xml = format!("{head}{}", writer.tail());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(
            children(doc.root_element()),
            ["version", "publisher"],
            "no empty <reviews>"
        );
        let r = FeedReview {
            title: "  ",
            author: "",
            locale: Some("not a language"),
            collection: None,
            product: FeedProduct {
                name: Some(" "),
                gtins: GTINS,
                ..product("https://m.example/x")
            },
            ..review("İyi", product(""))
        };
        let xml = document(&[r]);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let review = doc
            .descendants()
            .find(|n| n.has_tag_name("review"))
            .unwrap();
        let names = children(review);
        for absent in ["title", "review_language", "collection_method"] {
            assert!(!names.contains(&absent), "{absent}");
        }
        let product = doc
            .descendants()
            .find(|n| n.has_tag_name("product"))
            .unwrap();
        assert_eq!(children(product), ["product_url"]);
        let name = review
            .descendants()
            .find(|n| n.has_tag_name("name"))
            .unwrap();
        assert_eq!(name.attribute("is_anonymous"), Some("true"));
    }
}

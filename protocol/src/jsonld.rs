//! What a shop's product page embeds for search engines and for visitors without JavaScript:
//! schema.org `Product` JSON-LD with its rating and reviews (Google's review snippets), and a
//! one-line HTML summary of the rating.
//!
//! Both go into HTML the shop serves, so both are built to be safe there whatever shoppers
//! wrote: the JSON escapes every character that could end its `<script>` element, and the HTML
//! holds numbers only.

use crate::review::{RatingSummary, Review};
use crate::time::format_date;
use serde_json::{Map, Value, json};

/// The `<script type="application/ld+json">` content for a product page, or `None` when the
/// product has no reviews: Google's review-snippet rules forbid an `aggregateRating` that no
/// review backs. `reviews` are embedded as given (pass the latest few; 10 is plenty).
pub fn product_jsonld(
    product_name: &str,
    product_url: Option<&str>,
    summary: &RatingSummary,
    reviews: &[Review],
) -> Option<String> {
    if summary.count == 0 {
        return None;
    }
    let mut product = Map::new();
    product.insert("@context".into(), "https://schema.org".into());
    product.insert("@type".into(), "Product".into());
    product.insert("name".into(), product_name.into());
    if let Some(url) = product_url {
        product.insert("url".into(), url.into());
    }
    product.insert(
        "aggregateRating".into(),
        json!({
            "@type": "AggregateRating",
            "ratingValue": summary.average,
            "bestRating": 5,
            "worstRating": 1,
            "ratingCount": summary.count,
            "reviewCount": summary.count,
        }),
    );
    let reviews: Vec<Value> = reviews.iter().map(review_jsonld).collect();
    if !reviews.is_empty() {
        product.insert("review".into(), reviews.into());
    }
    Some(script_safe(&Value::Object(product).to_string()))
}

fn review_jsonld(review: &Review) -> Value {
    let mut r = Map::new();
    r.insert("@type".into(), "Review".into());
    r.insert(
        "reviewRating".into(),
        json!({
            "@type": "Rating",
            "ratingValue": review.rating,
            "bestRating": 5,
            "worstRating": 1,
        }),
    );
    r.insert(
        "author".into(),
        json!({ "@type": "Person", "name": review.author }),
    );
    r.insert(
        "datePublished".into(),
        format_date(review.created_at).into(),
    );
    if !review.title.trim().is_empty() {
        r.insert("name".into(), review.title.as_str().into());
    }
    r.insert("reviewBody".into(), review.body.as_str().into());
    Value::Object(r)
}

/// Serialised JSON made safe inside an HTML `<script>` element: `<`, `>` and `&` cannot open
/// `</script>` or `<!--`, and U+2028/U+2029 cannot break older JavaScript parsers. Outside
/// strings JSON has none of these characters, and inside strings their `\u` escapes are valid
/// JSON for the same text, so the value parses back unchanged.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A product's rating as one line of HTML, for pages that show it before (or without) the
/// widget: stars, the average to one decimal and the count, in Turkish (`"tr"`) or English
/// (anything else). Only numbers go in, so nothing in it needs escaping.
pub fn summary_html(summary: &RatingSummary, locale: &str) -> String {
    let turkish = locale == "tr";
    let average = if summary.average.is_finite() {
        summary.average.clamp(0.0, 5.0)
    } else {
        0.0
    };
    let open = format!(
        r#"<div class="memnun-rating-summary" data-rating="{average}" data-count="{}">"#,
        summary.count
    );
    if summary.count == 0 {
        let none = if turkish {
            "Henüz değerlendirme yok"
        } else {
            "No reviews yet"
        };
        return format!("{open}{none}</div>");
    }
    let filled = average.round() as usize;
    let stars = format!("{}{}", "★".repeat(filled), "☆".repeat(5 - filled));
    let shown = format!("{average:.1}");
    let (shown, reviews) = if turkish {
        // Turkish writes a decimal comma and does not pluralise after a number.
        (shown.replace('.', ","), "değerlendirme")
    } else if summary.count == 1 {
        (shown, "review")
    } else {
        (shown, "reviews")
    };
    format!(
        r#"{open}<span aria-hidden="true">{stars}</span> {shown} / 5 · {} {reviews}</div>"#,
        summary.count
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(rating: u8, title: &str, body: &str) -> Review {
        Review {
            id: format!("r{}", "0".repeat(24)),
            product: "sku-1".into(),
            rating,
            title: title.into(),
            body: body.into(),
            author: "Ayşe Y.".into(),
            locale: Some("tr".into()),
            // 2026-11-23T15:06:52.123Z
            created_at: 1_795_446_412_123,
            verified: false,
            helpful: 0,
            reply: None,
            photos: Default::default(),
        }
    }

    #[test]
    fn no_reviews_no_json_ld() {
        let empty = RatingSummary::from_histogram([0; 5]);
        assert_eq!(product_jsonld("Kazak", None, &empty, &[]), None);
    }

    #[test]
    fn product_with_rating_and_reviews() {
        let summary = RatingSummary::from_histogram([0, 0, 0, 1, 2]);
        let reviews = [
            review(5, "Çok güzel", "Kumaşı yumuşak."),
            review(4, " ", "İyi"),
        ];
        let out = product_jsonld(
            "Yün Kazak",
            Some("https://shop.example/kazak"),
            &summary,
            &reviews,
        )
        .unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v,
            json!({
                "@context": "https://schema.org",
                "@type": "Product",
                "name": "Yün Kazak",
                "url": "https://shop.example/kazak",
                "aggregateRating": {
                    "@type": "AggregateRating",
                    "ratingValue": 4.67,
                    "bestRating": 5,
                    "worstRating": 1,
                    "ratingCount": 3,
                    "reviewCount": 3
                },
                "review": [
                    {
                        "@type": "Review",
                        "reviewRating": {"@type": "Rating", "ratingValue": 5, "bestRating": 5, "worstRating": 1},
                        "author": {"@type": "Person", "name": "Ayşe Y."},
                        "datePublished": "2026-11-23",
                        "name": "Çok güzel",
                        "reviewBody": "Kumaşı yumuşak."
                    },
                    {
                        "@type": "Review",
                        "reviewRating": {"@type": "Rating", "ratingValue": 4, "bestRating": 5, "worstRating": 1},
                        "author": {"@type": "Person", "name": "Ayşe Y."},
                        "datePublished": "2026-11-23",
                        "reviewBody": "İyi"
                    }
                ]
            })
        );
        // Without a URL there is no "url"; without reviews given, no "review".
        let v: Value =
            serde_json::from_str(&product_jsonld("K", None, &summary, &[]).unwrap()).unwrap();
        assert!(v.get("url").is_none() && v.get("review").is_none());
        assert_eq!(v["aggregateRating"]["reviewCount"], 3);
    }

    #[test]
    fn cannot_close_its_script_element() {
        let body = "</script><script>alert(1)</script> <!-- a & b > c \u{2028}\u{2029}";
        let summary = RatingSummary::from_histogram([1, 0, 0, 0, 0]);
        let mut r = review(1, "<b>Title</b>", body);
        r.author = "</SCRIPT>".into();
        let out = product_jsonld(
            "<Kazak>",
            Some("https://s.example/?a=1&b=2"),
            &summary,
            &[r],
        )
        .unwrap();
        for c in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!out.contains(c), "{c:?} in {out}");
        }
        assert!(out.contains(r"\u003c/script\u003e"));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["review"][0]["reviewBody"], body);
        assert_eq!(v["review"][0]["name"], "<b>Title</b>");
        assert_eq!(v["review"][0]["author"]["name"], "</SCRIPT>");
        assert_eq!(v["name"], "<Kazak>");
        assert_eq!(v["url"], "https://s.example/?a=1&b=2");
    }

    #[test]
    fn summary_in_turkish() {
        let mut s = RatingSummary::from_histogram([0, 0, 1, 4, 14]);
        assert_eq!((s.count, s.average), (19, 4.68));
        s.average = 4.63;
        assert_eq!(
            summary_html(&s, "tr"),
            r#"<div class="memnun-rating-summary" data-rating="4.63" data-count="19"><span aria-hidden="true">★★★★★</span> 4,6 / 5 · 19 değerlendirme</div>"#
        );
        let one = RatingSummary::from_histogram([0, 0, 1, 0, 0]);
        assert_eq!(
            summary_html(&one, "tr"),
            r#"<div class="memnun-rating-summary" data-rating="3" data-count="1"><span aria-hidden="true">★★★☆☆</span> 3,0 / 5 · 1 değerlendirme</div>"#
        );
        assert_eq!(
            summary_html(&RatingSummary::from_histogram([0; 5]), "tr"),
            r#"<div class="memnun-rating-summary" data-rating="0" data-count="0">Henüz değerlendirme yok</div>"#
        );
    }

    #[test]
    fn summary_in_english() {
        let s = RatingSummary::from_histogram([1, 0, 0, 0, 2]);
        assert_eq!(
            summary_html(&s, "en"),
            r#"<div class="memnun-rating-summary" data-rating="3.67" data-count="3"><span aria-hidden="true">★★★★☆</span> 3.7 / 5 · 3 reviews</div>"#
        );
        let one = RatingSummary::from_histogram([0, 0, 0, 0, 1]);
        assert!(summary_html(&one, "en").ends_with("★★★★★</span> 5.0 / 5 · 1 review</div>"));
        assert_eq!(
            summary_html(&RatingSummary::from_histogram([0; 5]), "en"),
            r#"<div class="memnun-rating-summary" data-rating="0" data-count="0">No reviews yet</div>"#
        );
    }
}

//! The messages memnun sends shoppers by itself (issue 19): each kind written in Turkish and
//! English, as an HTML part and a plain-text part, with the one-click unsubscribe headers of
//! RFC 8058. No I/O here: the edge fills a message's facts (the shop, the order, the links with
//! their tokens) and hands the rendered [`Email`] to the shop's provider.
//!
//! Everything that comes from outside memnun's own words (a shop's name, a product's name, the
//! merchant's opening line, a reply) is escaped in the HTML part: nothing anyone types becomes
//! markup in a shopper's inbox. Links are memnun's own (the shop's pages with a token in the
//! fragment, the unsubscribe address); they are checked to be http(s) before they are written.
//!
//! So far: the review request and its reminder. The other kinds follow (issue 19).

pub mod provider_events;
pub mod providers;
#[cfg(feature = "seal")]
pub mod seal;
pub mod settings;

use crate::review::Locale;
use serde::{Deserialize, Serialize};

/// What memnun sends. The names are the API's, the provider's tags and the outbox's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Days after delivery: the order's products, five star links each.
    ReviewRequest,
    /// Once, days after the request, if no review came.
    ReviewReminder,
}

impl MessageKind {
    pub const ALL: [MessageKind; 2] = [MessageKind::ReviewRequest, MessageKind::ReviewReminder];

    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::ReviewRequest => "review_request",
            MessageKind::ReviewReminder => "review_reminder",
        }
    }

    pub fn parse(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Waiting for its time (or for the quiet hours to end, or for a retry).
    Scheduled,
    Sent,
    /// The provider refused it, or its retries ran out: `outcome` says why.
    Failed,
    /// Not sent, by a rule: `outcome` names it (`reviewed`, `suppressed`, `capped`, `sending off`).
    Skipped,
}

/// One message in the merchant's list. Never its address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OutreachMessage {
    pub id: String,
    pub kind: MessageKind,
    pub order: String,
    pub state: MessageState,
    /// When it is (or was) due, ms.
    pub due_at: i64,
    pub attempts: u32,
    pub sent_at: Option<i64>,
    /// The provider's reason for a failure, or the rule that skipped it.
    pub outcome: Option<String>,
}

/// How one kind went, over the messages still kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct KindFigures {
    pub kind: MessageKind,
    pub scheduled: u64,
    pub sent: u64,
    pub failed: u64,
    pub skipped: u64,
    /// Sent messages of this kind whose order then got a review within 14 days.
    pub reviewed_within_14_days: u64,
}

/// `GET /v1/admin/outreach/messages`: figures per kind, the shop's suppressed addresses by
/// reason, and the newest 50 messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OutreachReport {
    pub kinds: Vec<KindFigures>,
    pub unsubscribed: u64,
    pub bounced: u64,
    pub complained: u64,
    pub messages: Vec<OutreachMessage>,
}

/// The longest opening line a shop may set for a kind (longer ones are cut there).
pub const OPENING_MAX_CHARS: usize = 400;

/// A message ready for a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Headers the provider must add as they are (`List-Unsubscribe`, `List-Unsubscribe-Post`).
    pub headers: Vec<(&'static str, String)>,
}

/// One product to review, with its page's address (the review form's token in the fragment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductToReview {
    pub name: String,
    /// The product page with `#memnun-review=<token>`: a star's link adds the rating to it.
    pub review_url: String,
}

/// What a review request says: whose shop, which order, what to review, how to stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub shop_name: String,
    pub order_number: String,
    pub products: Vec<ProductToReview>,
    /// The shop's own first line, in place of memnun's.
    pub opening: Option<String>,
    /// The shop's own subject, in place of memnun's.
    pub subject: Option<String>,
    /// Opens the one-click unsubscribe (RFC 8058): `https`, with its token in the query.
    pub unsubscribe_url: String,
    /// A reminder: the same request again, worded as one.
    pub reminder: bool,
}

/// The `token` of an unsubscribe link for the shopper whose address hashes to `address_key`:
/// the key and an HMAC of it and the shop under the deployment's `secret`. It names no address
/// and does not expire (a message in an inbox is read years later).
pub fn unsubscribe_token(secret: &[u8], shop: &str, address_key: &str) -> String {
    format!(
        "{address_key}.{}",
        crate::digest::hex(&unsubscribe_mac(secret, shop, address_key))
    )
}

fn unsubscribe_mac(secret: &[u8], shop: &str, address_key: &str) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    // HMAC takes keys of any length.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(b"memnun-unsubscribe\n");
    mac.update(shop.as_bytes());
    mac.update(b"\n");
    mac.update(address_key.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The address key `token` stands for, if this deployment made it for `shop`.
pub fn verify_unsubscribe_token(secret: &[u8], shop: &str, token: &str) -> Option<String> {
    let (address_key, mac_hex) = token.split_once('.')?;
    if address_key.len() != 64 || !address_key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let expected = crate::digest::hex(&unsubscribe_mac(secret, shop, address_key));
    // Compared whole, in constant time: no early exit tells how much of a guess was right.
    let same = expected.len() == mac_hex.len()
        && expected
            .bytes()
            .zip(mac_hex.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0;
    same.then(|| address_key.to_owned())
}

/// The query of an unsubscribe link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct UnsubscribeQuery {
    /// The shopper's key and its HMAC, as the message's link carries it.
    #[serde(default)]
    pub token: Option<String>,
}

/// The page an unsubscribe link opens, in Turkish and English (the link does not know the
/// shopper's language): `done` says it is done; otherwise it asks, with a button that posts the
/// same address. Opening the link changes nothing: mail scanners open every link.
pub fn unsubscribe_page(shop_name: &str, done: bool) -> String {
    let shop = escape_html(&one_line(shop_name));
    let body = if done {
        format!(
            "<h1>Abonelikten çıktınız</h1><p>{shop} size artık e-posta göndermeyecek.</p>\
             <h1 lang=\"en\">You are unsubscribed</h1><p lang=\"en\">{shop} will send you no more emails.</p>"
        )
    } else {
        format!(
            "<h1>{shop}</h1><p>Bu mağazadan e-posta almak istemiyor musunuz?</p>\
             <p lang=\"en\">Stop emails from this shop?</p>\
             <form method=\"post\"><button type=\"submit\">Abonelikten çık · Unsubscribe</button></form>"
        )
    };
    format!(
        "<!doctype html><html lang=\"tr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{shop}</title><style>body{{font-family:sans-serif;max-width:32em;margin:2em auto;\
         padding:0 1em;line-height:1.5}}button{{font-size:1.1em;padding:.6em 1.2em}}</style>\
         </head><body><main>{body}</main></body></html>"
    )
}

/// The rating a star's link chooses, in the fragment beside the review token: the review form
/// opens with that many stars chosen (`widgets/src/reviews/form.rs`).
pub const RATING_PARAMETER: &str = "memnun-rating";

/// `text` safe anywhere in HTML text or a double-quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A link memnun writes: only http(s), and no character that could end the attribute.
fn link(url: &str) -> Option<String> {
    let web = url.starts_with("https://") || url.starts_with("http://");
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (web && clean).then(|| escape_html(url))
}

/// One line: the merchant's text without line breaks (a subject must not carry a header).
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

struct Words {
    subject: &'static str,
    subject_reminder: &'static str,
    opening: &'static str,
    opening_reminder: &'static str,
    rate: &'static str,
    star: &'static str,
    stars: &'static str,
    why: &'static str,
    unsubscribe: &'static str,
}

fn words(locale: Locale) -> Words {
    match locale {
        Locale::Tr => Words {
            subject: "{shop} siparişiniz nasıldı?",
            subject_reminder: "Hatırlatma: {shop} siparişinizi değerlendirir misiniz?",
            opening: "{order} numaralı siparişiniz elinize ulaştı. Birkaç saniyenizi ayırıp ürünleri değerlendirir misiniz?",
            opening_reminder: "{order} numaralı siparişinizi değerlendirmeye henüz fırsat bulamadınız. Görüşünüz diğer alışverişçilere yol gösterir.",
            rate: "Puanınızı seçin:",
            star: "1 yıldız",
            stars: "{n} yıldız",
            why: "Bu e-postayı {shop} mağazasından alışveriş yaptığınız için aldınız.",
            unsubscribe: "Bu mağazadan değerlendirme e-postaları almak istemiyorum",
        },
        Locale::En => Words {
            subject: "How was your order from {shop}?",
            subject_reminder: "Reminder: would you rate your order from {shop}?",
            opening: "Your order {order} has arrived. Would you take a few seconds to rate what you bought?",
            opening_reminder: "You have not rated your order {order} yet. Your view helps other shoppers choose.",
            rate: "Choose your rating:",
            star: "1 star",
            stars: "{n} stars",
            why: "You receive this email because you shopped at {shop}.",
            unsubscribe: "Stop review emails from this shop",
        },
    }
}

impl ReviewRequest {
    /// The subject and the opening line in `locale`: the shop's own when it set them (where
    /// `{shop}` and `{order}` stand for the shop's name and the order's number), memnun's
    /// otherwise. What the dashboard previews.
    pub fn subject_and_opening(&self, locale: Locale) -> (String, String) {
        let w = words(locale);
        let shop = one_line(&self.shop_name);
        let order = one_line(&self.order_number);
        let fill = |template: &str| template.replace("{shop}", &shop).replace("{order}", &order);
        let subject = match (&self.subject, self.reminder) {
            (Some(own), _) if !one_line(own).is_empty() => fill(&one_line(own)),
            (_, false) => fill(w.subject),
            (_, true) => fill(w.subject_reminder),
        };
        let opening = match (&self.opening, self.reminder) {
            (Some(own), _) if !own.trim().is_empty() => fill(
                &own.trim()
                    .chars()
                    .take(OPENING_MAX_CHARS)
                    .collect::<String>(),
            ),
            (_, false) => fill(w.opening),
            (_, true) => fill(w.opening_reminder),
        };
        (subject, opening)
    }

    /// The request in `locale`; `None` when a link is not one memnun writes (never sent broken).
    pub fn render(&self, locale: Locale) -> Option<Email> {
        let w = words(locale);
        let shop = one_line(&self.shop_name);
        let fill = |template: &str| template.replace("{shop}", &shop);
        let (subject, opening) = self.subject_and_opening(locale);
        let unsubscribe = link(&self.unsubscribe_url)?;
        let star_label = |n: usize| match n {
            1 => w.star.to_owned(),
            n => w.stars.replace("{n}", &n.to_string()),
        };
        let mut html = format!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:sans-serif;line-height:1.5;color:#1c1917\">\
             <p>{}</p>",
            locale.as_str(),
            escape_html(&subject),
            escape_html(&opening).replace('\n', "<br>")
        );
        let mut text = format!("{opening}\n");
        for product in &self.products {
            let name = one_line(&product.name);
            html.push_str(&format!(
                "<h2 style=\"font-size:1.1em\">{}</h2><p>{}</p><p>",
                escape_html(&name),
                escape_html(w.rate)
            ));
            text.push_str(&format!("\n{name}\n{}\n", w.rate));
            for n in 1..=5 {
                let url = format!("{}&{RATING_PARAMETER}={n}", product.review_url);
                let href = link(&url)?;
                let label = star_label(n);
                html.push_str(&format!(
                    "<a href=\"{href}\" style=\"font-size:1.6em;text-decoration:none;color:#b45309\" \
                     aria-label=\"{}\" title=\"{}\">{}</a> ",
                    escape_html(&label),
                    escape_html(&label),
                    // One star each, the nth giving n: a row of five, as on the product page.
                    "★"
                ));
                text.push_str(&format!("{label}: {url}\n"));
            }
            html.push_str("</p>");
        }
        let why = fill(w.why);
        html.push_str(&format!(
            "<p style=\"color:#57534e;font-size:.85em\">{}<br><a href=\"{unsubscribe}\">{}</a></p>\
             </body></html>",
            escape_html(&why),
            escape_html(w.unsubscribe)
        ));
        text.push_str(&format!(
            "\n{why}\n{}: {}\n",
            w.unsubscribe, self.unsubscribe_url
        ));
        Some(Email {
            subject,
            html,
            text,
            headers: vec![
                ("List-Unsubscribe", format!("<{}>", self.unsubscribe_url)),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ReviewRequest {
        ReviewRequest {
            shop_name: "Atölye <Fincan> & Co".into(),
            order_number: "1042".into(),
            products: vec![ProductToReview {
                name: "El yapımı \"kahve\" fincanı <script>alert(1)</script>".into(),
                review_url: "https://shop.example/urun/fincan#memnun-review=v1.abc.def".into(),
            }],
            opening: None,
            subject: None,
            unsubscribe_url: "https://edge.example/v1/shops/demo/unsubscribe?token=v1.u.v".into(),
            reminder: false,
        }
    }

    #[test]
    fn five_stars_link_to_the_form_with_that_rating_in_both_parts() {
        let email = request().render(Locale::Tr).expect("rendered");
        for n in 1..=5 {
            let url = format!(
                "https://shop.example/urun/fincan#memnun-review=v1.abc.def&memnun-rating={n}"
            );
            let href = url.replace('&', "&amp;");
            assert!(email.html.contains(&format!("href=\"{href}\"")), "{n}");
            assert!(email.text.contains(&url), "{n}");
        }
        assert!(email.html.contains("aria-label=\"4 yıldız\""));
        assert_eq!(email.subject, "Atölye <Fincan> & Co siparişiniz nasıldı?");
    }

    #[test]
    fn what_others_typed_never_becomes_markup() {
        let email = request().render(Locale::En).expect("rendered");
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(email.html.contains("Atölye &lt;Fincan&gt; &amp; Co"));
        let mut own = request();
        own.opening = Some("Merhaba!\n<b>Teşekkürler</b>".into());
        own.subject = Some("Yorum\r\nBcc: someone@example.com".into());
        let email = own.render(Locale::Tr).expect("rendered");
        assert!(
            email
                .html
                .contains("Merhaba!<br>&lt;b&gt;Teşekkürler&lt;/b&gt;")
        );
        assert_eq!(
            email.subject, "Yorum Bcc: someone@example.com",
            "no header injection"
        );
    }

    #[test]
    fn a_link_memnun_would_not_write_stops_the_message() {
        let mut bad = request();
        bad.products[0].review_url = "javascript:alert(1)#memnun-review=x".into();
        assert_eq!(bad.render(Locale::En), None);
        let mut spaced = request();
        spaced.unsubscribe_url = "https://edge.example/un subscribe".into();
        assert_eq!(spaced.render(Locale::En), None);
    }

    #[test]
    fn one_click_unsubscribe_headers_and_a_visible_link() {
        let email = request().render(Locale::En).expect("rendered");
        assert_eq!(
            email.headers,
            [
                (
                    "List-Unsubscribe",
                    "<https://edge.example/v1/shops/demo/unsubscribe?token=v1.u.v>".to_owned()
                ),
                (
                    "List-Unsubscribe-Post",
                    "List-Unsubscribe=One-Click".to_owned()
                ),
            ]
        );
        assert!(email.html.contains(
            "<a href=\"https://edge.example/v1/shops/demo/unsubscribe?token=v1.u.v\">Stop review emails"
        ));
        assert!(
            email
                .text
                .contains("Stop review emails from this shop: https://edge.example/")
        );
    }

    #[test]
    fn an_unsubscribe_token_holds_for_its_shop_and_shopper_only() {
        let key = "a".repeat(64);
        let token = unsubscribe_token(b"salt", "demo", &key);
        assert_eq!(
            verify_unsubscribe_token(b"salt", "demo", &token).as_deref(),
            Some(key.as_str())
        );
        assert_eq!(verify_unsubscribe_token(b"salt", "other", &token), None);
        assert_eq!(verify_unsubscribe_token(b"pepper", "demo", &token), None);
        let other = format!("{}{}", "b".repeat(64), &token[64..]);
        assert_eq!(verify_unsubscribe_token(b"salt", "demo", &other), None);
        assert_eq!(verify_unsubscribe_token(b"salt", "demo", "x.y"), None);
    }

    #[test]
    fn the_shops_own_words_may_name_the_order() {
        let mut own = request();
        own.subject = Some("{order} numaralı siparişiniz".into());
        own.opening = Some("Merhaba, {shop} ailesi olarak teşekkürler.".into());
        let (subject, opening) = own.subject_and_opening(Locale::Tr);
        assert_eq!(subject, "1042 numaralı siparişiniz");
        assert_eq!(
            opening,
            "Merhaba, Atölye <Fincan> & Co ailesi olarak teşekkürler."
        );
    }

    #[test]
    fn a_reminder_is_worded_as_one() {
        let mut reminder = request();
        reminder.reminder = true;
        let email = reminder.render(Locale::En).expect("rendered");
        assert!(email.subject.starts_with("Reminder:"));
        assert!(
            email
                .text
                .starts_with("You have not rated your order 1042 yet.")
        );
    }
}

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
//! So far: the review request and its reminder ([`ReviewRequest`]), the survey invitation and
//! the shipment notices ([`Notice`]). The reply notice and the merchant's digest follow (issue 19).

pub mod provider_events;
pub mod providers;
#[cfg(feature = "seal")]
pub mod seal;
pub mod settings;

use crate::order::TrackingStatus;
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
    /// Days after delivery, when the shop's survey is on: the survey's link.
    SurveyInvitation,
    /// A parcel left: the carrier's tracking link and the shop's tracker.
    ShipmentShipped,
    ShipmentOutForDelivery,
    /// A parcel is delayed, held by an exception or missed on a delivery attempt.
    ShipmentDelayed,
    ShipmentDelivered,
    /// The merchant answered a review: its author (who left an email) gets the reply.
    ReplyNotice,
    /// To the merchant, on Monday morning in the shop's time zone: the week's numbers.
    MerchantDigest,
    /// The merchant's answer to a shopper's case (`cases`), in the merchant's words.
    CaseAnswer,
    /// The merchant answered a product question: its author (who left an email) gets the answer.
    AnswerNotice,
}

impl MessageKind {
    pub const ALL: [MessageKind; 11] = [
        MessageKind::ReviewRequest,
        MessageKind::ReviewReminder,
        MessageKind::SurveyInvitation,
        MessageKind::ShipmentShipped,
        MessageKind::ShipmentOutForDelivery,
        MessageKind::ShipmentDelayed,
        MessageKind::ShipmentDelivered,
        MessageKind::ReplyNotice,
        MessageKind::MerchantDigest,
        MessageKind::CaseAnswer,
        MessageKind::AnswerNotice,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::ReviewRequest => "review_request",
            MessageKind::ReviewReminder => "review_reminder",
            MessageKind::SurveyInvitation => "survey_invitation",
            MessageKind::ShipmentShipped => "shipment_shipped",
            MessageKind::ShipmentOutForDelivery => "shipment_out_for_delivery",
            MessageKind::ShipmentDelayed => "shipment_delayed",
            MessageKind::ShipmentDelivered => "shipment_delivered",
            MessageKind::ReplyNotice => "reply_notice",
            MessageKind::MerchantDigest => "merchant_digest",
            MessageKind::CaseAnswer => "case_answer",
            MessageKind::AnswerNotice => "answer_notice",
        }
    }

    pub fn parse(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// A shipment notice: about one parcel, sent when it happens, outside the per-shopper cap.
    pub const fn is_shipment_notice(self) -> bool {
        matches!(
            self,
            MessageKind::ShipmentShipped
                | MessageKind::ShipmentOutForDelivery
                | MessageKind::ShipmentDelayed
                | MessageKind::ShipmentDelivered
        )
    }

    /// Held by the per-shopper cap, and counted by it: what memnun asks of shoppers (reviews, the
    /// survey). Not a parcel's news (it cannot wait), nor the answer to a shopper's own review,
    /// nor the merchant's own digest.
    pub const fn is_capped(self) -> bool {
        matches!(
            self,
            MessageKind::ReviewRequest
                | MessageKind::ReviewReminder
                | MessageKind::SurveyInvitation
        )
    }

    /// The notice a parcel in `status` is due, if any. A notice is sent only while its parcel
    /// is still where the notice says (one overtaken by a later event is not sent).
    pub const fn shipment_notice_for(status: TrackingStatus) -> Option<MessageKind> {
        match status {
            TrackingStatus::Shipped | TrackingStatus::InTransit => {
                Some(MessageKind::ShipmentShipped)
            }
            TrackingStatus::OutForDelivery => Some(MessageKind::ShipmentOutForDelivery),
            TrackingStatus::Delayed
            | TrackingStatus::Exception
            | TrackingStatus::DeliveryAttemptFailed => Some(MessageKind::ShipmentDelayed),
            TrackingStatus::Delivered => Some(MessageKind::ShipmentDelivered),
            _ => None,
        }
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
    /// The order it is about; `None` for a reply notice.
    pub order: Option<String>,
    /// The review a reply notice is about.
    pub review: Option<String>,
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
        let memnuns = match self.reminder {
            false => (w.subject, w.opening),
            true => (w.subject_reminder, w.opening_reminder),
        };
        subject_and_opening(
            &self.shop_name,
            &self.order_number,
            (&self.subject, &self.opening),
            memnuns,
        )
    }

    /// The request in `locale`; `None` when a link is not one memnun writes (never sent broken).
    pub fn render(&self, locale: Locale) -> Option<Email> {
        let w = words(locale);
        let (subject, opening) = self.subject_and_opening(locale);
        let star_label = |n: usize| match n {
            1 => w.star.to_owned(),
            n => w.stars.replace("{n}", &n.to_string()),
        };
        let mut html = String::new();
        let mut text = String::new();
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
        framed(
            if self.reminder {
                MessageKind::ReviewReminder
            } else {
                MessageKind::ReviewRequest
            },
            locale,
            subject,
            &opening,
            (html, text),
            &self.shop_name,
            (&self.unsubscribe_url, w.unsubscribe),
        )
    }
}

/// A message with one thing to say and one place to go: the survey invitation, the shipment
/// notices and the reply notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Not a review request or reminder ([`ReviewRequest`] writes those).
    pub kind: MessageKind,
    pub shop_name: String,
    /// Empty for a reply notice (a review need not have an order).
    pub order_number: String,
    /// The product a reply notice's review is about.
    pub product: Option<String>,
    /// What the merchant wrote (a reply notice), quoted as it is.
    pub quote: Option<String>,
    /// The parcel's carrier and tracking number (shipment notices).
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// The carrier's own tracking page, when it gives one (shipment notices).
    pub carrier_url: Option<String>,
    /// How many parcels the order has, when a shipment notice is about one of several.
    pub parcels: Option<usize>,
    /// The shop's page the message leads to: the survey page for an invitation and the tracker
    /// for a shipment notice (the order's token in the fragment), the product page for a reply.
    pub url: Option<String>,
    pub opening: Option<String>,
    pub subject: Option<String>,
    pub unsubscribe_url: String,
}

struct NoticeWords {
    subject: &'static str,
    opening: &'static str,
    /// The label of the link to the shop's page.
    action: &'static str,
}

fn notice_words(kind: MessageKind, locale: Locale) -> NoticeWords {
    let (subject, opening, action) = match (kind, locale) {
        (MessageKind::SurveyInvitation, Locale::Tr) => (
            "{shop}: siparişiniz hakkında birkaç soru",
            "{order} numaralı siparişiniz elinize ulaştı. Nasıl geçtiğini iki dakikada anlatır mısınız?",
            "Ankete başlayın",
        ),
        (MessageKind::SurveyInvitation, Locale::En) => (
            "{shop}: a few questions about your order",
            "Your order {order} has arrived. Would you tell us in two minutes how it went?",
            "Start the survey",
        ),
        (MessageKind::ShipmentShipped, Locale::Tr) => (
            "{shop} siparişiniz kargoya verildi",
            "{order} numaralı siparişiniz yola çıktı.",
            "Siparişinizi izleyin",
        ),
        (MessageKind::ShipmentShipped, Locale::En) => (
            "Your order from {shop} is on its way",
            "Your order {order} has shipped.",
            "Track your order",
        ),
        (MessageKind::ShipmentOutForDelivery, Locale::Tr) => (
            "{shop} siparişiniz bugün dağıtımda",
            "{order} numaralı siparişiniz dağıtıma çıktı; bugün teslim edilmesi bekleniyor.",
            "Siparişinizi izleyin",
        ),
        (MessageKind::ShipmentOutForDelivery, Locale::En) => (
            "Your order from {shop} is out for delivery",
            "Your order {order} is out for delivery and should arrive today.",
            "Track your order",
        ),
        (MessageKind::ShipmentDelayed, Locale::Tr) => (
            "{shop} siparişinizin teslimatı gecikiyor",
            "{order} numaralı siparişinizin teslimatında bir aksaklık var. Son durumu aşağıdan izleyebilirsiniz; sorunuz olursa bu e-postayı yanıtlayın.",
            "Son durumu görün",
        ),
        (MessageKind::ShipmentDelayed, Locale::En) => (
            "Your order from {shop} is delayed",
            "Something is holding up the delivery of your order {order}. Follow the latest below; if you have a question, reply to this email.",
            "See the latest",
        ),
        (MessageKind::ReplyNotice, Locale::Tr) => (
            "{shop} değerlendirmenizi yanıtladı",
            "{shop}, yazdığınız değerlendirmeye yanıt verdi:",
            "Ürün sayfasında görün",
        ),
        (MessageKind::ReplyNotice, Locale::En) => (
            "{shop} replied to your review",
            "{shop} replied to the review you wrote:",
            "See it on the product page",
        ),
        (MessageKind::AnswerNotice, Locale::Tr) => (
            "{shop} sorunuzu yanıtladı",
            "{shop}, ürünle ilgili sorduğunuz soruyu yanıtladı:",
            "Ürün sayfasında görün",
        ),
        (MessageKind::AnswerNotice, Locale::En) => (
            "{shop} answered your question",
            "{shop} answered the question you asked about a product:",
            "See it on the product page",
        ),
        (MessageKind::CaseAnswer, Locale::Tr) => (
            "{shop} size yanıt verdi",
            "{shop}, bize ilettiğiniz konuyla ilgili yazdı:",
            "Siparişinizi görün",
        ),
        (MessageKind::CaseAnswer, Locale::En) => (
            "An answer from {shop}",
            "{shop} wrote to you about what you told them:",
            "See your order",
        ),
        (_, Locale::Tr) => (
            "{shop} siparişiniz teslim edildi",
            "{order} numaralı siparişiniz teslim edildi. Güle güle kullanın!",
            "Siparişinizi görün",
        ),
        (_, Locale::En) => (
            "Your order from {shop} was delivered",
            "Your order {order} was delivered. Enjoy it!",
            "See your order",
        ),
    };
    NoticeWords {
        subject,
        opening,
        action,
    }
}

/// The subject and opening: the shop's own words where it set them (`{shop}` and `{order}` filled
/// in), memnun's otherwise.
fn subject_and_opening(
    shop_name: &str,
    order_number: &str,
    own: (&Option<String>, &Option<String>),
    memnuns: (&str, &str),
) -> (String, String) {
    let shop = one_line(shop_name);
    let order = one_line(order_number);
    let fill = |template: &str| template.replace("{shop}", &shop).replace("{order}", &order);
    let subject = match own.0 {
        Some(own) if !one_line(own).is_empty() => fill(&one_line(own)),
        _ => fill(memnuns.0),
    };
    let opening = match own.1 {
        Some(own) if !own.trim().is_empty() => fill(
            &own.trim()
                .chars()
                .take(OPENING_MAX_CHARS)
                .collect::<String>(),
        ),
        _ => fill(memnuns.1),
    };
    (subject, opening)
}

/// The email's head, and its foot with why it came and the unsubscribe link in both parts.
fn framed(
    kind: MessageKind,
    locale: Locale,
    subject: String,
    opening: &str,
    body: (String, String),
    shop_name: &str,
    // The link, and what it says.
    (unsubscribe_url, unsubscribe_label): (&str, &str),
) -> Option<Email> {
    let unsubscribe = link(unsubscribe_url)?;
    let why = match (kind, locale) {
        (MessageKind::ReplyNotice, Locale::Tr) => {
            "Bu e-postayı {shop} mağazasında bir değerlendirme yazdığınız için aldınız."
        }
        (MessageKind::ReplyNotice, Locale::En) => {
            "You receive this email because you wrote a review at {shop}."
        }
        (MessageKind::AnswerNotice, Locale::Tr) => {
            "Bu e-postayı {shop} mağazasında bir soru sorup yanıtı istediğiniz için aldınız."
        }
        (MessageKind::AnswerNotice, Locale::En) => {
            "You receive this email because you asked a question at {shop} and wanted its answer."
        }
        (MessageKind::CaseAnswer, Locale::Tr) => {
            "Bu e-postayı {shop} ile paylaştığınız bir konuya yanıt olarak aldınız."
        }
        (MessageKind::CaseAnswer, Locale::En) => {
            "You receive this email in answer to something you told {shop}."
        }
        (MessageKind::MerchantDigest, Locale::Tr) => {
            "Bu özeti {shop} için memnun ayarlarında istediğiniz için aldınız."
        }
        (MessageKind::MerchantDigest, Locale::En) => {
            "You receive this digest because you asked for it in the memnun settings of {shop}."
        }
        _ => words(locale).why,
    }
    .replace("{shop}", &one_line(shop_name));
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.5;color:#1c1917\">\
         <p>{}</p>{}<p style=\"color:#57534e;font-size:.85em\">{}<br><a href=\"{unsubscribe}\">{}</a></p>\
         </body></html>",
        locale.as_str(),
        escape_html(&subject),
        escape_html(opening).replace('\n', "<br>"),
        body.0,
        escape_html(&why),
        escape_html(unsubscribe_label)
    );
    let text = format!(
        "{opening}\n{}\n{why}\n{unsubscribe_label}: {unsubscribe_url}\n",
        body.1
    );
    Some(Email {
        subject,
        html,
        text,
        headers: vec![
            ("List-Unsubscribe", format!("<{unsubscribe_url}>")),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()),
        ],
    })
}

impl Notice {
    /// The subject and opening line in `locale` (the shop's own words where it set them).
    pub fn subject_and_opening(&self, locale: Locale) -> (String, String) {
        let w = notice_words(self.kind, locale);
        subject_and_opening(
            &self.shop_name,
            &self.order_number,
            (&self.subject, &self.opening),
            (w.subject, w.opening),
        )
    }

    /// The notice in `locale`; `None` when a link is not one memnun writes, or when an invitation
    /// has no page to lead to.
    pub fn render(&self, locale: Locale) -> Option<Email> {
        let w = notice_words(self.kind, locale);
        let (subject, opening) = self.subject_and_opening(locale);
        let mut html = String::new();
        let mut text = String::new();
        if let Some(product) = &self.product {
            let product = one_line(product);
            html.push_str(&format!(
                "<h2 style=\"font-size:1.1em\">{}</h2>",
                escape_html(&product)
            ));
            text.push_str(&format!("\n{product}\n"));
        }
        if let Some(quote) = &self.quote {
            html.push_str(&format!(
                "<blockquote style=\"margin:0;padding:.2em 1em;border-left:3px solid #d6d3d1\">\
                 <p>{}</p></blockquote>",
                escape_html(quote.trim()).replace('\n', "<br>")
            ));
            for line in quote.trim().lines() {
                text.push_str(&format!("> {line}\n"));
            }
        }
        if let Some(n) = self.parcels.filter(|n| *n > 1) {
            let line = match locale {
                Locale::Tr => format!(
                    "Siparişiniz {n} paket hâlinde geliyor; bu e-posta onlardan biri hakkında."
                ),
                Locale::En => {
                    format!("Your order comes in {n} parcels; this email is about one of them.")
                }
            };
            html.push_str(&format!("<p>{}</p>", escape_html(&line)));
            text.push_str(&format!("\n{line}\n"));
        }
        if let (Some(carrier), Some(number)) = (&self.carrier, &self.tracking_number) {
            let line = match locale {
                Locale::Tr => format!(
                    "Kargo: {}, takip numarası {}",
                    one_line(carrier),
                    one_line(number)
                ),
                Locale::En => format!(
                    "Carrier: {}, tracking number {}",
                    one_line(carrier),
                    one_line(number)
                ),
            };
            html.push_str(&format!("<p>{}</p>", escape_html(&line)));
            text.push_str(&format!("\n{line}\n"));
        }
        let button = "display:inline-block;padding:.6em 1.2em;background:#1c1917;color:#fff;\
                      text-decoration:none;border-radius:.3em";
        match &self.url {
            Some(url) => {
                let href = link(url)?;
                html.push_str(&format!(
                    "<p><a href=\"{href}\" style=\"{button}\">{}</a></p>",
                    escape_html(w.action)
                ));
                text.push_str(&format!("\n{}: {url}\n", w.action));
            }
            None if self.kind == MessageKind::SurveyInvitation => return None,
            None => {}
        }
        if let Some(url) = &self.carrier_url {
            let href = link(url)?;
            let label = match (locale, &self.carrier) {
                (Locale::Tr, Some(c)) => format!("{} sayfasında izleyin", one_line(c)),
                (Locale::Tr, None) => "Kargo firmasının sayfasında izleyin".to_owned(),
                (Locale::En, Some(c)) => format!("Track with {}", one_line(c)),
                (Locale::En, None) => "Track on the carrier's site".to_owned(),
            };
            html.push_str(&format!(
                "<p><a href=\"{href}\">{}</a></p>",
                escape_html(&label)
            ));
            text.push_str(&format!("\n{label}: {url}\n"));
        }
        let unsubscribe = match locale {
            Locale::Tr => "Bu mağazadan e-posta almak istemiyorum",
            Locale::En => "Stop emails from this shop",
        };
        framed(
            self.kind,
            locale,
            subject,
            &opening,
            (html, text),
            &self.shop_name,
            (&self.unsubscribe_url, unsubscribe),
        )
    }
}

/// A week of a shop, for its digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestFigures {
    pub new_reviews: u64,
    /// The new reviews' average rating, in tenths of a star.
    pub average_rating_tenths: Option<i64>,
    pub waiting_for_moderation: u64,
    /// NPS in tenths (−1000 to 1000) of the orders delivered this week and the week before.
    pub nps_tenths: Option<i64>,
    pub nps_before_tenths: Option<i64>,
    /// CSAT (the share of 4 and 5) in tenths of a percent, this week and the week before.
    pub csat_tenths: Option<i64>,
    pub csat_before_tenths: Option<i64>,
    /// Parcels with an exception or with nothing new for days (the dashboard's list).
    pub shipments_needing_attention: u64,
}

/// The merchant's weekly digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub shop_name: String,
    pub figures: DigestFigures,
    /// The dashboard (`/admin` at the edge).
    pub dashboard_url: String,
    pub unsubscribe_url: String,
}

/// `tenths` as a number with one decimal, in `locale`'s way (`42,5` or `42.5`); `–` for none.
fn tenths(value: Option<i64>, locale: Locale) -> String {
    let Some(v) = value else {
        return "–".into();
    };
    let sign = if v < 0 { "-" } else { "" };
    let mark = match locale {
        Locale::Tr => ',',
        Locale::En => '.',
    };
    format!("{sign}{}{mark}{}", v.abs() / 10, v.abs() % 10)
}

impl Digest {
    pub fn render(&self, locale: Locale) -> Option<Email> {
        let f = &self.figures;
        let n = |v: Option<i64>| tenths(v, locale);
        let percent = |v: Option<i64>| match (v, locale) {
            (None, _) => "–".to_owned(),
            (v, Locale::Tr) => format!("%{}", n(v)),
            (v, Locale::En) => format!("{}%", n(v)),
        };
        let shop = one_line(&self.shop_name);
        let (subject, opening, lines, action) = match locale {
            Locale::Tr => (
                format!("{shop}: haftanın özeti"),
                "Son yedi günde mağazanızda olanlar:".to_owned(),
                [
                    format!(
                        "Yeni değerlendirme: {} (ortalama {} yıldız)",
                        f.new_reviews,
                        n(f.average_rating_tenths)
                    ),
                    format!("Onay bekleyen değerlendirme: {}", f.waiting_for_moderation),
                    format!(
                        "NPS: {} (önceki hafta {})",
                        n(f.nps_tenths),
                        n(f.nps_before_tenths)
                    ),
                    format!(
                        "Memnuniyet (CSAT): {} (önceki hafta {})",
                        percent(f.csat_tenths),
                        percent(f.csat_before_tenths)
                    ),
                    format!("İlgi bekleyen kargo: {}", f.shipments_needing_attention),
                ],
                "Panele gidin",
            ),
            Locale::En => (
                format!("{shop}: your week"),
                "What happened in your shop in the last seven days:".to_owned(),
                [
                    format!(
                        "New reviews: {} (average {} stars)",
                        f.new_reviews,
                        n(f.average_rating_tenths)
                    ),
                    format!(
                        "Reviews waiting for moderation: {}",
                        f.waiting_for_moderation
                    ),
                    format!(
                        "NPS: {} (the week before: {})",
                        n(f.nps_tenths),
                        n(f.nps_before_tenths)
                    ),
                    format!(
                        "Satisfaction (CSAT): {} (the week before: {})",
                        percent(f.csat_tenths),
                        percent(f.csat_before_tenths)
                    ),
                    format!(
                        "Shipments that need attention: {}",
                        f.shipments_needing_attention
                    ),
                ],
                "Open the dashboard",
            ),
        };
        let href = link(&self.dashboard_url)?;
        let mut html = String::from("<ul>");
        let mut text = String::from("\n");
        for line in &lines {
            html.push_str(&format!("<li>{}</li>", escape_html(line)));
            text.push_str(&format!("- {line}\n"));
        }
        html.push_str(&format!(
            "</ul><p><a href=\"{href}\">{}</a></p>",
            escape_html(action)
        ));
        text.push_str(&format!("\n{action}: {}\n", self.dashboard_url));
        let unsubscribe = match locale {
            Locale::Tr => "Bu özeti almak istemiyorum",
            Locale::En => "Stop this digest",
        };
        framed(
            MessageKind::MerchantDigest,
            locale,
            subject,
            &opening,
            (html, text),
            &self.shop_name,
            (&self.unsubscribe_url, unsubscribe),
        )
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

    fn notice(kind: MessageKind) -> Notice {
        Notice {
            kind,
            shop_name: "Atölye".into(),
            order_number: "1042".into(),
            product: None,
            quote: None,
            parcels: None,
            carrier: Some("Yurtiçi <Kargo>".into()),
            tracking_number: Some("YK123".into()),
            carrier_url: Some("https://kargo.example/takip?no=YK123&x=1".into()),
            url: Some("https://shop.example/siparis#memnun=v1.t.s".into()),
            opening: None,
            subject: None,
            unsubscribe_url: "https://edge.example/v1/outreach/demo/unsubscribe?token=k.m".into(),
        }
    }

    #[test]
    fn a_shipment_notice_gives_the_carrier_and_both_links() {
        let email = notice(MessageKind::ShipmentShipped)
            .render(Locale::Tr)
            .expect("rendered");
        assert_eq!(email.subject, "Atölye siparişiniz kargoya verildi");
        assert!(
            email
                .text
                .starts_with("1042 numaralı siparişiniz yola çıktı.")
        );
        assert!(
            email
                .text
                .contains("Kargo: Yurtiçi <Kargo>, takip numarası YK123")
        );
        assert!(email.html.contains("Yurtiçi &lt;Kargo&gt;"), "escaped");
        assert!(
            email
                .html
                .contains("href=\"https://kargo.example/takip?no=YK123&amp;x=1\"")
        );
        assert!(
            email
                .text
                .contains("Siparişinizi izleyin: https://shop.example/siparis#memnun=v1.t.s")
        );
        assert!(
            email
                .text
                .contains("Bu mağazadan e-posta almak istemiyorum: https://edge.example/")
        );
        assert_eq!(email.headers.len(), 2, "one-click unsubscribe headers");
        let mut one_of_two = notice(MessageKind::ShipmentDelayed);
        one_of_two.parcels = Some(2);
        let delayed = one_of_two.render(Locale::En).expect("rendered");
        assert!(
            delayed
                .text
                .contains("Your order comes in 2 parcels; this email is about one of them.")
        );
        assert_eq!(delayed.subject, "Your order from Atölye is delayed");
        assert!(
            delayed
                .text
                .contains("Track with Yurtiçi <Kargo>: https://kargo.example/")
        );
    }

    #[test]
    fn an_invitation_needs_its_page_and_a_notice_its_links_to_be_web_addresses() {
        let mut invitation = notice(MessageKind::SurveyInvitation);
        invitation.carrier = None;
        invitation.carrier_url = None;
        let email = invitation.render(Locale::En).expect("rendered");
        assert!(
            email
                .text
                .contains("Start the survey: https://shop.example/siparis#memnun=")
        );
        invitation.url = None;
        assert_eq!(invitation.render(Locale::En), None, "nowhere to answer");
        let mut pageless = notice(MessageKind::ShipmentDelivered);
        pageless.url = None;
        assert!(
            pageless.render(Locale::En).is_some(),
            "the carrier's link is enough"
        );
        pageless.carrier_url = Some("javascript:alert(1)".into());
        assert_eq!(pageless.render(Locale::En), None);
    }

    #[test]
    fn a_reply_notice_quotes_the_merchant_as_text() {
        let mut reply = notice(MessageKind::ReplyNotice);
        reply.order_number = String::new();
        reply.carrier = None;
        reply.tracking_number = None;
        reply.carrier_url = None;
        reply.product = Some("El yapımı fincan".into());
        reply.quote = Some("Teşekkürler!\n<a href=\"https://evil.example\">Kupon</a>".into());
        reply.url = Some("https://shop.example/urun/fincan".into());
        let email = reply.render(Locale::Tr).expect("rendered");
        assert_eq!(email.subject, "Atölye değerlendirmenizi yanıtladı");
        assert!(email.html.contains(
            "<p>Teşekkürler!<br>&lt;a href=&quot;https://evil.example&quot;&gt;Kupon&lt;/a&gt;</p>"
        ));
        assert!(!email.html.contains("href=\"https://evil.example"));
        assert!(email.text.contains("> Teşekkürler!\n> <a href="));
        assert!(
            email
                .text
                .contains("Ürün sayfasında görün: https://shop.example/urun/fincan")
        );
    }

    #[test]
    fn a_case_answer_says_the_merchants_words_as_text() {
        let mut answer = notice(MessageKind::CaseAnswer);
        answer.carrier = None;
        answer.tracking_number = None;
        answer.carrier_url = None;
        answer.quote = Some("Yenisini yolladık.\n<script>x</script>".into());
        answer.url = Some("https://shop.example/siparis#track=t".into());
        let email = answer.render(Locale::Tr).expect("rendered");
        assert_eq!(email.subject, "Atölye size yanıt verdi");
        assert!(email.html.contains("&lt;script&gt;"));
        assert!(!email.html.contains("<script>"));
        assert!(email.text.contains("> Yenisini yolladık."));
        assert!(email.text.contains("yanıt olarak aldınız"));
        assert!(!MessageKind::CaseAnswer.is_capped());
    }

    #[test]
    fn the_digest_sets_each_figure_against_the_week_before() {
        let digest = Digest {
            shop_name: "Atölye <b>".into(),
            figures: DigestFigures {
                new_reviews: 12,
                average_rating_tenths: Some(46),
                waiting_for_moderation: 3,
                nps_tenths: Some(425),
                nps_before_tenths: Some(-50),
                csat_tenths: Some(875),
                csat_before_tenths: None,
                shipments_needing_attention: 2,
            },
            dashboard_url: "https://edge.example/admin".into(),
            unsubscribe_url: "https://edge.example/v1/outreach/demo/unsubscribe?token=k.m".into(),
        };
        let tr = digest.render(Locale::Tr).expect("rendered");
        assert_eq!(tr.subject, "Atölye <b>: haftanın özeti");
        assert!(
            tr.text
                .contains("- Yeni değerlendirme: 12 (ortalama 4,6 yıldız)")
        );
        assert!(tr.text.contains("- NPS: 42,5 (önceki hafta -5,0)"));
        assert!(
            tr.text
                .contains("- Memnuniyet (CSAT): %87,5 (önceki hafta –)")
        );
        assert!(tr.html.contains("Atölye &lt;b&gt;"));
        let en = digest.render(Locale::En).expect("rendered");
        assert!(
            en.text
                .contains("- Satisfaction (CSAT): 87.5% (the week before: –)")
        );
        assert!(
            en.text
                .contains("Open the dashboard: https://edge.example/admin")
        );
        assert!(!MessageKind::MerchantDigest.is_capped());
        assert!(!MessageKind::ReplyNotice.is_capped());
        assert!(MessageKind::SurveyInvitation.is_capped());
        assert!(
            tr.text
                .contains("Bu özeti Atölye <b> için memnun ayarlarında istediğiniz")
        );
    }

    #[test]
    fn a_parcel_gets_the_notice_of_where_it_is() {
        use TrackingStatus as S;
        let kinds: Vec<_> = [
            S::Packed,
            S::InTransit,
            S::DeliveryAttemptFailed,
            S::Delivered,
        ]
        .into_iter()
        .map(MessageKind::shipment_notice_for)
        .collect();
        assert_eq!(
            kinds,
            [
                None,
                Some(MessageKind::ShipmentShipped),
                Some(MessageKind::ShipmentDelayed),
                Some(MessageKind::ShipmentDelivered)
            ]
        );
        assert!(MessageKind::ShipmentDelivered.is_shipment_notice());
        assert!(!MessageKind::SurveyInvitation.is_shipment_notice());
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

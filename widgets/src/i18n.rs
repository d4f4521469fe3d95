//! The widgets' words in Turkish and English. The locale comes from the placeholder's
//! `data-locale`, else the page's `<html lang>`, else English.

use memnun_protocol::FieldProblem;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    Tr,
    En,
}

impl Locale {
    pub fn detect(data_locale: Option<String>) -> Locale {
        let page = || {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
        };
        let tag = data_locale
            .filter(|l| !l.is_empty())
            .or_else(page)
            .unwrap_or_default();
        if tag.to_ascii_lowercase().starts_with("tr") {
            Locale::Tr
        } else {
            Locale::En
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::Tr => "tr",
            Locale::En => "en",
        }
    }

    pub fn form_strings(self) -> &'static FormStrings {
        match self {
            Locale::Tr => &FORM_TR,
            Locale::En => &FORM_EN,
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::Tr => &TR,
            Locale::En => &EN,
        }
    }

    /// A count with its noun: "1 review", "12 reviews", "12 değerlendirme".
    pub fn reviews_count(self, n: u32) -> String {
        match (self, n) {
            (Locale::Tr, n) => format!("{n} değerlendirme"),
            (Locale::En, 1) => "1 review".to_owned(),
            (Locale::En, n) => format!("{n} reviews"),
        }
    }

    /// "4 stars" / "4 yıldız": the accessible name of a rating choice.
    pub fn stars(self, n: u8) -> String {
        match (self, n) {
            (Locale::Tr, n) => format!("{n} yıldız"),
            (Locale::En, 1) => "1 star".to_owned(),
            (Locale::En, n) => format!("{n} stars"),
        }
    }

    /// "Rated 4 out of 5" for a review's stars.
    pub fn rated(self, n: u8) -> String {
        match self {
            Locale::Tr => format!("5 üzerinden {n} puan"),
            Locale::En => format!("Rated {n} out of 5"),
        }
    }

    /// An average rating as people of this locale write it, to one decimal: "4.3", "4,3".
    /// Integer arithmetic on purpose: float formatting would add ~15 KB of code to the module.
    /// Half rounds up, as people (and JavaScript's toFixed) expect: 4.25 shows as 4.3.
    pub fn average(self, average: f64) -> String {
        let tenths = (average * 10.0).round() as u32;
        let separator = match self {
            Locale::Tr => ',',
            Locale::En => '.',
        };
        format!("{}{separator}{}", tenths / 10, tenths % 10)
    }

    pub fn problem(self, field: &str, problem: FieldProblem) -> String {
        let s = self.form_strings();
        match problem {
            FieldProblem::Required if field == "rating" => s.rating_required.to_owned(),
            FieldProblem::Required => s.required.to_owned(),
            FieldProblem::TooLong { max } => match self {
                Locale::Tr => format!("En çok {max} karakter olabilir."),
                Locale::En => format!("Use at most {max} characters."),
            },
            FieldProblem::OutOfRange { .. } => s.rating_required.to_owned(),
            FieldProblem::NotAnEmail => s.email_invalid.to_owned(),
            FieldProblem::ControlCharacter => s.control_character.to_owned(),
            FieldProblem::InvalidToken(_) => s.token_invalid.to_owned(),
            _ => s.failed.to_owned(),
        }
    }
}

pub struct Strings {
    pub heading: &'static str,
    pub no_reviews: &'static str,
    pub loading: &'static str,
    pub load_failed: &'static str,
    pub show_more: &'static str,
    pub histogram_label: &'static str,
    pub out_of_five: &'static str,
    pub form_heading: &'static str,
    pub form_unavailable: &'static str,
    pub verified: &'static str,
    pub shop_reply: &'static str,
    pub helpful: &'static str,
    pub report: &'static str,
    pub report_reason: &'static str,
    pub report_send: &'static str,
    pub reported: &'static str,
    /// In the order of `ReportReason::ALL`.
    pub report_reasons: [&'static str; 5],
    pub sort_label: &'static str,
    /// In the order of `ReviewSort::ALL`.
    pub sort_names: [&'static str; 4],
    pub filter_label: &'static str,
    pub all_ratings: &'static str,
    pub none_with_rating: &'static str,
    pub notice_heading: &'static str,
}

pub static EN: Strings = Strings {
    heading: "Customer reviews",
    no_reviews: "No reviews yet. Be the first to write one.",
    loading: "Loading reviews…",
    load_failed: "Reviews could not be loaded. Please try again later.",
    show_more: "Show more reviews",
    histogram_label: "Ratings by number of stars",
    out_of_five: "out of 5",
    form_heading: "Write a review",
    form_unavailable: "The form could not be loaded. Check your connection and try again.",
    verified: "Verified purchase",
    shop_reply: "Reply from the shop",
    helpful: "Helpful",
    report: "Report",
    report_reason: "Reason",
    report_send: "Send report",
    reported: "Thank you. The shop will check this review.",
    report_reasons: [
        "Spam or advertising",
        "Offensive",
        "Not about this product",
        "Not a real customer",
        "Something else",
    ],
    sort_label: "Sort by",
    sort_names: ["Newest", "Highest rating", "Lowest rating", "Most helpful"],
    filter_label: "Show",
    all_ratings: "All ratings",
    none_with_rating: "No reviews match this choice yet.",
    notice_heading: "How reviews are collected and checked",
};

pub static TR: Strings = Strings {
    heading: "Müşteri değerlendirmeleri",
    no_reviews: "Henüz değerlendirme yok. İlk yorumu siz yazın.",
    loading: "Değerlendirmeler yükleniyor…",
    load_failed: "Değerlendirmeler yüklenemedi. Lütfen daha sonra tekrar deneyin.",
    show_more: "Daha fazla değerlendirme göster",
    histogram_label: "Yıldız sayısına göre puanlar",
    out_of_five: "/ 5",
    form_heading: "Değerlendirme yazın",
    form_unavailable: "Form yüklenemedi. Bağlantınızı kontrol edip tekrar deneyin.",
    verified: "Doğrulanmış alışveriş",
    shop_reply: "Mağazanın yanıtı",
    helpful: "Faydalı",
    report: "Bildir",
    report_reason: "Neden",
    report_send: "Bildirimi gönder",
    reported: "Teşekkürler. Mağaza bu değerlendirmeyi kontrol edecek.",
    report_reasons: [
        "Spam veya reklam",
        "Saldırgan",
        "Bu ürünle ilgili değil",
        "Gerçek bir müşteri değil",
        "Başka bir neden",
    ],
    sort_label: "Sırala",
    sort_names: ["En yeni", "En yüksek puan", "En düşük puan", "En faydalı"],
    filter_label: "Göster",
    all_ratings: "Tüm puanlar",
    none_with_rating: "Bu seçime uyan değerlendirme henüz yok.",
    notice_heading: "Değerlendirmeler nasıl toplanıyor ve kontrol ediliyor",
};

/// The review form's words: only the form's part uses them, so they are in a static of their own
/// that only its code reads, and `cargo xtask build` puts them in that part rather than in the
/// module every shopper downloads.
pub struct FormStrings {
    pub rating_legend: &'static str,
    pub no_rating: &'static str,
    pub title_label: &'static str,
    pub body_label: &'static str,
    pub author_label: &'static str,
    pub email_label: &'static str,
    pub email_hint: &'static str,
    pub optional: &'static str,
    pub submit: &'static str,
    pub sending: &'static str,
    pub thanks: &'static str,
    pub queued: &'static str,
    pub fix_fields: &'static str,
    pub failed: &'static str,
    pub required: &'static str,
    pub rating_required: &'static str,
    pub email_invalid: &'static str,
    pub control_character: &'static str,
    pub held: &'static str,
    pub verified_note: &'static str,
    pub token_invalid: &'static str,
    pub queued_photos: &'static str,
    pub photos_label: &'static str,
    pub photos_hint: &'static str,
    pub photo_chosen: &'static str,
    pub photo_remove: &'static str,
    pub photos_preparing: &'static str,
    pub photo_unusable: &'static str,
}

pub static FORM_EN: FormStrings = FormStrings {
    rating_legend: "Your rating",
    no_rating: "No rating",
    title_label: "Title",
    body_label: "Your review",
    author_label: "Name shown with your review",
    email_label: "Email",
    email_hint: "Never shown; only the shop may contact you about your review.",
    optional: "(optional)",
    submit: "Submit review",
    sending: "Sending…",
    thanks: "Thank you! Your review has been received.",
    queued: "Your review could not be sent just now. It is saved and will be sent automatically.",
    fix_fields: "Please correct the marked fields.",
    failed: "Your review could not be sent. Please try again.",
    required: "Please fill in this field.",
    rating_required: "Please choose from 1 to 5 stars.",
    email_invalid: "Please enter an email address like name@example.com.",
    control_character: "Please remove the special control characters.",
    held: "Thank you! Your review will appear once the shop has checked it.",
    verified_note: "Your review will be marked as a verified purchase.",
    token_invalid: "This review link is not valid any more. Your review can still be sent without it: reload the page without the link.",
    queued_photos: "Your review could not be sent just now. It is saved and will be sent automatically; keep this page open until your photos are sent too.",
    photos_label: "Photos",
    photos_hint: "Up to 4. Where a photo was taken is removed before it is sent; the shop may check photos before they are shown.",
    photo_chosen: "Your photo",
    photo_remove: "Remove photo",
    photos_preparing: "Preparing your photos…",
    photo_unusable: "A file could not be read as a photo. Choose a JPEG, PNG, WebP or HEIC photo.",
};

pub static FORM_TR: FormStrings = FormStrings {
    rating_legend: "Puanınız",
    no_rating: "Puan yok",
    title_label: "Başlık",
    body_label: "Yorumunuz",
    author_label: "Yorumunuzla görünecek ad",
    email_label: "E-posta",
    email_hint: "Asla gösterilmez; yalnızca mağaza yorumunuzla ilgili size ulaşabilir.",
    optional: "(isteğe bağlı)",
    submit: "Değerlendirmeyi gönder",
    sending: "Gönderiliyor…",
    thanks: "Teşekkürler! Değerlendirmeniz alındı.",
    queued: "Şu an gönderilemedi. Değerlendirmeniz kaydedildi ve otomatik olarak gönderilecek.",
    fix_fields: "Lütfen işaretli alanları düzeltin.",
    failed: "Değerlendirmeniz gönderilemedi. Lütfen tekrar deneyin.",
    required: "Lütfen bu alanı doldurun.",
    rating_required: "Lütfen 1 ile 5 arasında yıldız seçin.",
    email_invalid: "Lütfen ad@ornek.com gibi bir e-posta adresi girin.",
    control_character: "Lütfen özel kontrol karakterlerini kaldırın.",
    held: "Teşekkürler! Değerlendirmeniz mağaza kontrol ettikten sonra yayımlanacak.",
    verified_note: "Değerlendirmeniz doğrulanmış alışveriş olarak işaretlenecek.",
    token_invalid: "Bu değerlendirme bağlantısı artık geçerli değil. Değerlendirmenizi bağlantısız da gönderebilirsiniz: sayfayı bağlantı olmadan yeniden açın.",
    queued_photos: "Şu an gönderilemedi. Değerlendirmeniz kaydedildi ve otomatik olarak gönderilecek; fotoğraflarınız da gönderilene kadar bu sayfayı açık tutun.",
    photos_label: "Fotoğraflar",
    photos_hint: "En çok 4 tane. Fotoğrafın çekildiği yer gönderilmeden önce silinir; mağaza fotoğrafları yayımlamadan önce inceleyebilir.",
    photo_chosen: "Fotoğrafınız",
    photo_remove: "Fotoğrafı kaldır",
    photos_preparing: "Fotoğraflarınız hazırlanıyor…",
    photo_unusable: "Bir dosya fotoğraf olarak okunamadı. JPEG, PNG, WebP ya da HEIC bir fotoğraf seçin.",
};

/// The order tracker's words.
pub struct TrackerStrings {
    pub heading: &'static str,
    pub lookup_intro: &'static str,
    pub number_label: &'static str,
    pub email_label: &'static str,
    pub find: &'static str,
    pub finding: &'static str,
    pub not_found: &'static str,
    pub too_many: &'static str,
    pub failed: &'static str,
    pub order: &'static str,
    pub placed: &'static str,
    pub estimated: &'static str,
    pub by_carrier: &'static str,
    pub by_shop: &'static str,
    pub carrier_link: &'static str,
    pub tracking_number: &'static str,
    pub history: &'static str,
    pub no_events: &'static str,
    pub steps_label: &'static str,
    pub invite_heading: &'static str,
    pub invite_review: &'static str,
    pub invite_survey: &'static str,
    pub other_order: &'static str,
    pub items: &'static str,
    pub complaint_open: &'static str,
    pub complaint_label: &'static str,
    pub complaint_send: &'static str,
    pub complaint_thanks: &'static str,
    pub complaint_queued: &'static str,
    pub complaint_failed: &'static str,
    /// In the order of `TrackingStatus::ALL`.
    pub statuses: [&'static str; 13],
}

impl Locale {
    pub fn tracker(self) -> &'static TrackerStrings {
        match self {
            Locale::Tr => &TRACKER_TR,
            Locale::En => &TRACKER_EN,
        }
    }
}

pub static TRACKER_EN: TrackerStrings = TrackerStrings {
    heading: "Track your order",
    lookup_intro: "Enter your order number and the email you ordered with.",
    number_label: "Order number",
    email_label: "Email",
    find: "Find my order",
    finding: "Looking…",
    not_found: "We could not find an order with this number and email. Please check both.",
    too_many: "Too many tries. Please wait a minute and try again.",
    failed: "The order could not be loaded. Please try again later.",
    order: "Order",
    placed: "placed",
    estimated: "Estimated delivery",
    by_carrier: "(the carrier's estimate)",
    by_shop: "(the shop's estimate)",
    carrier_link: "Track with the carrier",
    tracking_number: "Tracking number",
    history: "History",
    no_events: "No updates yet.",
    steps_label: "Progress",
    invite_heading: "Delivered. How was it?",
    invite_review: "Review",
    invite_survey: "Tell us about your delivery (1 minute)",
    other_order: "Track another order",
    items: "Items",
    complaint_open: "Something wrong?",
    complaint_label: "Tell the shop what happened",
    complaint_send: "Send to the shop",
    complaint_thanks: "Sent. The shop will look into it.",
    complaint_queued: "Saved on this device: it will be sent when you are back online.",
    complaint_failed: "It could not be sent. Please try again later.",
    statuses: [
        "Ordered",
        "Confirmed",
        "Packed",
        "Shipped",
        "In transit",
        "Out for delivery",
        "Delivery attempt failed",
        "Ready for pickup",
        "Delivered",
        "Problem with the shipment",
        "Delayed",
        "Returned",
        "Cancelled",
    ],
};

pub static TRACKER_TR: TrackerStrings = TrackerStrings {
    heading: "Siparişinizi takip edin",
    lookup_intro: "Sipariş numaranızı ve sipariş verdiğiniz e-posta adresini girin.",
    number_label: "Sipariş numarası",
    email_label: "E-posta",
    find: "Siparişimi bul",
    finding: "Aranıyor…",
    not_found: "Bu numara ve e-posta ile bir sipariş bulamadık. Lütfen ikisini de kontrol edin.",
    too_many: "Çok fazla deneme yapıldı. Lütfen bir dakika bekleyip tekrar deneyin.",
    failed: "Sipariş yüklenemedi. Lütfen daha sonra tekrar deneyin.",
    order: "Sipariş",
    placed: "verildi",
    estimated: "Tahmini teslim",
    by_carrier: "(kargo firmasının tahmini)",
    by_shop: "(mağazanın tahmini)",
    carrier_link: "Kargo firmasında izle",
    tracking_number: "Takip numarası",
    history: "Hareketler",
    no_events: "Henüz hareket yok.",
    steps_label: "Aşamalar",
    invite_heading: "Teslim edildi. Nasıldı?",
    invite_review: "Değerlendir",
    invite_survey: "Teslimatı bize anlatın (1 dakika)",
    other_order: "Başka bir sipariş",
    items: "Ürünler",
    complaint_open: "Bir sorun mu var?",
    complaint_label: "Mağazaya ne olduğunu yazın",
    complaint_send: "Mağazaya gönder",
    complaint_thanks: "İletildi. Mağaza konuyla ilgilenecek.",
    complaint_queued: "Bu cihaza kaydedildi: bağlantı gelince gönderilecek.",
    complaint_failed: "Gönderilemedi. Lütfen daha sonra tekrar deneyin.",
    statuses: [
        "Sipariş alındı",
        "Onaylandı",
        "Paketlendi",
        "Kargoya verildi",
        "Yolda",
        "Dağıtımda",
        "Teslim edilemedi",
        "Şubeden teslim alınabilir",
        "Teslim edildi",
        "Gönderide sorun var",
        "Gecikti",
        "İade edildi",
        "İptal edildi",
    ],
};

/// The survey's words. A shop may word its questions itself (`texts` of its survey settings);
/// these stand for the ones it did not.
pub struct SurveyStrings {
    pub heading: &'static str,
    pub intro: &'static str,
    pub order: &'static str,
    pub nps: &'static str,
    pub nps_low: &'static str,
    pub nps_high: &'static str,
    pub follow_up_detractor: &'static str,
    pub follow_up_passive: &'static str,
    pub follow_up_promoter: &'static str,
    /// In the order of `Reason::ALL`, worded for each group.
    pub reasons_detractor: [&'static str; 7],
    pub reasons_passive: [&'static str; 7],
    pub reasons_promoter: [&'static str; 7],
    pub follow_up_text: &'static str,
    pub csat: &'static str,
    pub csat_low: &'static str,
    pub csat_high: &'static str,
    pub ces: &'static str,
    pub ces_low: &'static str,
    pub ces_high: &'static str,
    pub comment: &'static str,
    pub next: &'static str,
    pub back: &'static str,
    pub send: &'static str,
    pub dismiss: &'static str,
    pub choose: &'static str,
    pub question: &'static str,
    pub of: &'static str,
    pub loading: &'static str,
    pub thanks: &'static str,
    pub completed: &'static str,
    pub dismissed: &'static str,
    pub cooldown: &'static str,
    pub not_delivered: &'static str,
    pub no_token: &'static str,
    pub failed: &'static str,
    pub retry: &'static str,
    pub queued: &'static str,
    pub not_saved: &'static str,
    pub text_invalid: &'static str,
}

impl Locale {
    pub fn survey(self) -> &'static SurveyStrings {
        match self {
            Locale::Tr => &SURVEY_TR,
            Locale::En => &SURVEY_EN,
        }
    }
}

pub static SURVEY_EN: SurveyStrings = SurveyStrings {
    heading: "How was your order?",
    intro: "A few quick questions, about a minute.",
    order: "Order",
    nps: "How likely are you to recommend us to a friend or colleague?",
    nps_low: "0: not at all likely",
    nps_high: "10: extremely likely",
    follow_up_detractor: "We are sorry. What went wrong?",
    follow_up_passive: "What would have made it a 10?",
    follow_up_promoter: "Glad to hear it! What did you like most?",
    reasons_detractor: [
        "Delivery took too long",
        "Packaging",
        "Product quality",
        "Not as described",
        "Price",
        "Customer service",
        "Something else",
    ],
    reasons_passive: [
        "Faster delivery",
        "Better packaging",
        "Better product quality",
        "A more accurate description",
        "A better price",
        "Better customer service",
        "Something else",
    ],
    reasons_promoter: [
        "Fast delivery",
        "Packaging",
        "Product quality",
        "Just as described",
        "Price",
        "Customer service",
        "Something else",
    ],
    follow_up_text: "Tell us more (optional)",
    csat: "How satisfied are you with the delivery?",
    csat_low: "1: very dissatisfied",
    csat_high: "5: very satisfied",
    ces: "How easy was it to get your order?",
    ces_low: "1: very difficult",
    ces_high: "7: very easy",
    comment: "Anything else you would like to tell us? (optional)",
    next: "Next",
    back: "Back",
    send: "Send",
    dismiss: "No thanks",
    choose: "Please choose an answer.",
    question: "Question",
    of: "of",
    loading: "Loading the survey…",
    thanks: "Thank you! Your answers help us do better.",
    completed: "You have already answered this survey. Thank you!",
    dismissed: "All right: we will not ask about this order again.",
    cooldown: "We asked you about another order recently. Thank you: we will not ask again so soon.",
    not_delivered: "The survey opens once your order has been delivered.",
    no_token: "Open this page from the link in your delivery email or message.",
    failed: "The survey could not be loaded. Check your connection and try again.",
    retry: "Try again",
    queued: "Saved on this device: it will be sent when you are back online.",
    not_saved: "Your answer could not be saved. Please open the link from your message again.",
    text_invalid: "Please remove the special control characters from your text.",
};

pub static SURVEY_TR: SurveyStrings = SurveyStrings {
    heading: "Siparişiniz nasıldı?",
    intro: "Birkaç kısa soru, yaklaşık bir dakika.",
    order: "Sipariş",
    nps: "Bizi bir arkadaşınıza ya da iş arkadaşınıza önerme olasılığınız nedir?",
    nps_low: "0: hiç olası değil",
    nps_high: "10: çok olası",
    follow_up_detractor: "Üzgünüz. Ne ters gitti?",
    follow_up_passive: "10 vermeniz için ne olmalıydı?",
    follow_up_promoter: "Buna sevindik! En çok neyi beğendiniz?",
    reasons_detractor: [
        "Teslimat çok uzun sürdü",
        "Paketleme",
        "Ürün kalitesi",
        "Ürün anlatıldığı gibi değil",
        "Fiyat",
        "Müşteri hizmetleri",
        "Başka bir şey",
    ],
    reasons_passive: [
        "Daha hızlı teslimat",
        "Daha iyi paketleme",
        "Daha iyi ürün kalitesi",
        "Daha doğru ürün açıklaması",
        "Daha iyi fiyat",
        "Daha iyi müşteri hizmetleri",
        "Başka bir şey",
    ],
    reasons_promoter: [
        "Hızlı teslimat",
        "Paketleme",
        "Ürün kalitesi",
        "Tam anlatıldığı gibi",
        "Fiyat",
        "Müşteri hizmetleri",
        "Başka bir şey",
    ],
    follow_up_text: "Biraz daha anlatır mısınız? (isteğe bağlı)",
    csat: "Teslimattan ne kadar memnun kaldınız?",
    csat_low: "1: hiç memnun değilim",
    csat_high: "5: çok memnunum",
    ces: "Siparişinizi almak ne kadar kolaydı?",
    ces_low: "1: çok zor",
    ces_high: "7: çok kolay",
    comment: "Bize söylemek istediğiniz başka bir şey var mı? (isteğe bağlı)",
    next: "İleri",
    back: "Geri",
    send: "Gönder",
    dismiss: "Hayır, teşekkürler",
    choose: "Lütfen bir yanıt seçin.",
    question: "Soru",
    of: "/",
    loading: "Anket yükleniyor…",
    thanks: "Teşekkürler! Yanıtlarınız daha iyi olmamıza yardımcı oluyor.",
    completed: "Bu anketi zaten yanıtladınız. Teşekkürler!",
    dismissed: "Tamam: bu sipariş için bir daha sormayacağız.",
    cooldown: "Kısa süre önce başka bir siparişiniz için sorduk. Teşekkürler: bu kadar sık sormayacağız.",
    not_delivered: "Anket, siparişiniz teslim edildiğinde açılır.",
    no_token: "Bu sayfayı teslimat e-postanızdaki ya da mesajınızdaki bağlantıdan açın.",
    failed: "Anket yüklenemedi. Bağlantınızı kontrol edip yeniden deneyin.",
    retry: "Yeniden dene",
    queued: "Bu cihaza kaydedildi: bağlantı gelince gönderilecek.",
    not_saved: "Yanıtınız kaydedilemedi. Lütfen mesajınızdaki bağlantıyı yeniden açın.",
    text_invalid: "Lütfen metindeki özel denetim karakterlerini kaldırın.",
};

/// The recommendation strip's words.
pub struct RecommendationStrings {
    pub heading: &'static str,
    pub recently_viewed: &'static str,
}

pub static RECOMMENDATIONS_EN: RecommendationStrings = RecommendationStrings {
    heading: "You may also like",
    recently_viewed: "Recently viewed",
};

pub static RECOMMENDATIONS_TR: RecommendationStrings = RecommendationStrings {
    heading: "Bunlar da ilginizi çekebilir",
    recently_viewed: "Son baktıklarınız",
};

impl Locale {
    pub fn recommendations(self) -> &'static RecommendationStrings {
        match self {
            Locale::Tr => &RECOMMENDATIONS_TR,
            Locale::En => &RECOMMENDATIONS_EN,
        }
    }

    /// "Rated 4,5 out of 5 from 12 reviews": a card's rating for screen readers. Integer
    /// arithmetic, as in [`Locale::average`].
    pub fn rated_of(self, hundredths: u32, reviews: u32) -> String {
        let tenths = (hundredths + 5) / 10;
        let separator = match self {
            Locale::Tr => ',',
            Locale::En => '.',
        };
        let average = format!("{}{separator}{}", tenths / 10, tenths % 10);
        match self {
            Locale::Tr => format!("5 üzerinden {average} puan, {reviews} değerlendirme"),
            Locale::En if reviews == 1 => format!("Rated {average} out of 5 from 1 review"),
            Locale::En => format!("Rated {average} out of 5 from {reviews} reviews"),
        }
    }
}

/// Five stars, as many filled as the rating rounds to: "★★★★☆".
pub fn stars_text(hundredths: u32) -> String {
    let filled = ((hundredths + 50) / 100).min(5) as usize;
    "★".repeat(filled) + &"☆".repeat(5 - filled)
}

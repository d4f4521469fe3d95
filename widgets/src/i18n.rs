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
        let s = self.strings();
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
            FieldProblem::InvalidId
            | FieldProblem::NotAnOrigin
            | FieldProblem::InUse
            | FieldProblem::LastKey => s.failed.to_owned(),
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
    queued: "You seem to be offline. Your review is saved and will be sent automatically.",
    fix_fields: "Please correct the marked fields.",
    failed: "Your review could not be sent. Please try again.",
    required: "Please fill in this field.",
    rating_required: "Please choose from 1 to 5 stars.",
    email_invalid: "Please enter an email address like name@example.com.",
    control_character: "Please remove the special control characters.",
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
    queued: "Çevrimdışı görünüyorsunuz. Değerlendirmeniz kaydedildi ve otomatik olarak gönderilecek.",
    fix_fields: "Lütfen işaretli alanları düzeltin.",
    failed: "Değerlendirmeniz gönderilemedi. Lütfen tekrar deneyin.",
    required: "Lütfen bu alanı doldurun.",
    rating_required: "Lütfen 1 ile 5 arasında yıldız seçin.",
    email_invalid: "Lütfen ad@ornek.com gibi bir e-posta adresi girin.",
    control_character: "Lütfen özel kontrol karakterlerini kaldırın.",
};

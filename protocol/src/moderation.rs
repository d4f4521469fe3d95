//! A shop's moderation policy (`/v1/admin/moderation`), and the rules that decide whether a new
//! review is published at once or held for the merchant to look at first.
//!
//! Holding is never refusing: a held review waits in the merchant's queue with the reason it
//! was held, and the shopper is told it will appear once checked. So the word lists err on the
//! side of holding; a false match costs the merchant one click, not the shopper their review.
//!
//! Words are compared after case folding by the review's language, because Turkish pairs its
//! capitals differently from English: `I`/`ı` and `İ`/`i`.

use crate::text::{FieldErrors, FieldProblem, TextRule};
use serde::{Deserialize, Serialize};

/// The largest body `PUT /v1/admin/moderation` reads: 200 block-list entries of up to 60
/// characters and two notices of up to 600 fit, in Turkish letters escaped as JSON.
pub const MAX_REQUEST_BYTES: usize = 32 * 1024;

pub const HOLD_AT_OR_BELOW_MIN: i64 = 1;
pub const HOLD_AT_OR_BELOW_MAX: i64 = 4;
pub const REPORT_THRESHOLD_MIN: i64 = 1;
pub const REPORT_THRESHOLD_MAX: i64 = 100;
/// Each entry is read against every new review, so the list stays short.
pub const BLOCK_LIST_MAX_ENTRIES: usize = 200;
pub const BLOCK_ENTRY_RULE: TextRule = TextRule {
    required: true,
    max_chars: 60,
    multiline: false,
};
pub const NOTICE_RULE: TextRule = TextRule {
    required: false,
    max_chars: 600,
    multiline: true,
};

/// What happens to a new review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModerationMode {
    /// Published at once (unless a blocked word holds it).
    Publish,
    /// Every review waits for the merchant.
    HoldAll,
    /// Reviews of `hold_at_or_below` stars or fewer wait for the merchant; the rest are
    /// published at once.
    HoldLow,
}

/// A shop's moderation settings, as stored and as the merchant API returns them. Fields missing
/// from stored JSON take their defaults, so settings saved before a field existed still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ModerationPolicy {
    pub mode: ModerationMode,
    /// With [`ModerationMode::HoldLow`]: the highest rating that is held (1–4).
    pub hold_at_or_below: u8,
    /// The shop's own words and phrases that hold a review, as the merchant spelled them.
    pub block_list: Vec<String>,
    /// Whether [`DEFAULT_BLOCK_LIST_TR`] and [`DEFAULT_BLOCK_LIST_EN`] hold reviews too.
    pub use_default_block_list: bool,
    /// How many distinct shoppers must report a published review before it is held (1–100).
    pub report_threshold: u32,
    /// The shop's note on how its reviews are collected and checked, shown with them (the EU
    /// Omnibus directive asks shops to say so). At most 600 characters each; may be empty.
    pub notice_tr: String,
    pub notice_en: String,
    /// Whether shoppers' photos are shown without the merchant looking at each first (with
    /// their review, once it is published). Off: each waits in the queue.
    pub publish_photos: bool,
    /// Whether product pages take shoppers' questions (`questions`): on, the reviews widget
    /// shows the answered ones and "Ask a question".
    pub take_questions: bool,
}

impl Default for ModerationPolicy {
    fn default() -> ModerationPolicy {
        ModerationPolicy {
            mode: ModerationMode::Publish,
            hold_at_or_below: 2,
            block_list: Vec::new(),
            use_default_block_list: true,
            report_threshold: 3,
            notice_tr: String::new(),
            notice_en: String::new(),
            publish_photos: false,
            take_questions: true,
        }
    }
}

/// What the reviews' `notice` says when the shop has written none: how memnun's reviews are
/// collected and checked, as the widget shows it under "How reviews are collected and checked".
pub const DEFAULT_NOTICE_EN: &str = "Reviews are written by shoppers with this form. Those marked “Verified purchase” were written from a personal link the shop sent after an order; the others are not checked against orders. Reviews may be checked for spam and abuse before they appear.";
pub const DEFAULT_NOTICE_TR: &str = "Değerlendirmeler müşteriler tarafından bu formla yazılır. “Doğrulanmış alışveriş” işaretli olanlar, mağazanın siparişten sonra gönderdiği kişisel bağlantıyla yazılmıştır; diğerleri siparişlerle karşılaştırılmaz. Değerlendirmeler yayımlanmadan önce spam ve kötüye kullanım açısından kontrol edilebilir.";

/// The body of `PUT /v1/admin/moderation`: the fields to change; absent ones keep their value.
/// Numbers are read wide so that an out-of-range one is reported as such (422), not as
/// malformed JSON (400).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ModerationPolicyUpdate {
    #[serde(default)]
    pub mode: Option<ModerationMode>,
    #[serde(default)]
    pub hold_at_or_below: Option<i64>,
    #[serde(default)]
    pub block_list: Option<Vec<String>>,
    #[serde(default)]
    pub use_default_block_list: Option<bool>,
    #[serde(default)]
    pub report_threshold: Option<i64>,
    #[serde(default)]
    pub notice_tr: Option<String>,
    #[serde(default)]
    pub notice_en: Option<String>,
    #[serde(default)]
    pub publish_photos: Option<bool>,
    #[serde(default)]
    pub take_questions: Option<bool>,
}

impl ModerationPolicyUpdate {
    /// `current` with this update's fields applied, after checking them all and reporting all
    /// problems at once. Block-list entries are trimmed, and later entries that would hold
    /// exactly the same reviews as an earlier one (the same words after folding, in Turkish and
    /// in English alike) are dropped, keeping the first spelling.
    pub fn apply(&self, current: &ModerationPolicy) -> Result<ModerationPolicy, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut next = current.clone();

        if let Some(mode) = self.mode {
            next.mode = mode;
        }
        if let Some(use_default) = self.use_default_block_list {
            next.use_default_block_list = use_default;
        }
        if let Some(publish) = self.publish_photos {
            next.publish_photos = publish;
        }
        if let Some(take) = self.take_questions {
            next.take_questions = take;
        }
        if let Some(n) = self.hold_at_or_below {
            match u8::try_from(n) {
                Ok(n) if (HOLD_AT_OR_BELOW_MIN..=HOLD_AT_OR_BELOW_MAX).contains(&i64::from(n)) => {
                    next.hold_at_or_below = n;
                }
                _ => errors.push(
                    "hold_at_or_below",
                    FieldProblem::OutOfRange {
                        min: HOLD_AT_OR_BELOW_MIN,
                        max: HOLD_AT_OR_BELOW_MAX,
                    },
                ),
            }
        }
        if let Some(list) = &self.block_list {
            match check_block_list(list) {
                Ok(list) => next.block_list = list,
                Err(problem) => errors.push("block_list", problem),
            }
        }
        if let Some(n) = self.report_threshold {
            match u32::try_from(n) {
                Ok(n) if (REPORT_THRESHOLD_MIN..=REPORT_THRESHOLD_MAX).contains(&i64::from(n)) => {
                    next.report_threshold = n;
                }
                _ => errors.push(
                    "report_threshold",
                    FieldProblem::OutOfRange {
                        min: REPORT_THRESHOLD_MIN,
                        max: REPORT_THRESHOLD_MAX,
                    },
                ),
            }
        }
        for (field, value, slot) in [
            ("notice_tr", &self.notice_tr, &mut next.notice_tr),
            ("notice_en", &self.notice_en, &mut next.notice_en),
        ] {
            if let Some(value) = value {
                match NOTICE_RULE.check(value) {
                    Ok(()) => value.clone_into(slot),
                    Err(problem) => errors.push(field, problem),
                }
            }
        }

        if errors.is_empty() {
            Ok(next)
        } else {
            Err(errors)
        }
    }
}

/// The list trimmed and deduplicated, or the first problem found in it.
fn check_block_list(list: &[String]) -> Result<Vec<String>, FieldProblem> {
    if list.len() > BLOCK_LIST_MAX_ENTRIES {
        return Err(FieldProblem::TooMany {
            max: BLOCK_LIST_MAX_ENTRIES,
        });
    }
    let mut kept: Vec<String> = Vec::with_capacity(list.len());
    let mut keys: Vec<(Vec<String>, Vec<String>)> = Vec::with_capacity(list.len());
    for entry in list {
        let entry = entry.trim();
        BLOCK_ENTRY_RULE.check(entry)?;
        // Two entries hold the same reviews only if their words agree under both foldings:
        // "KIRMIZI" and "kırmızı" are one word in Turkish but two in English.
        let key = (fold_words(entry, Some("tr")), fold_words(entry, None));
        if !keys.contains(&key) {
            keys.push(key);
            kept.push(entry.to_owned());
        }
    }
    Ok(kept)
}

fn fold_words(text: &str, locale: Option<&str>) -> Vec<String> {
    words(&fold(text, locale)).map(str::to_owned).collect()
}

/// Why a review waits in the merchant's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// The shop holds every review.
    HoldAll,
    /// The shop holds low ratings, and this is one.
    LowRating,
    /// It contains a word or phrase from the shop's or the default block list.
    BlockedWord,
    /// The same text was already posted (decided by the edge, which sees other reviews).
    Duplicate,
    /// Enough shoppers reported it after it was published (decided by the edge).
    Reported,
}

impl HoldReason {
    pub const ALL: [HoldReason; 5] = [
        HoldReason::HoldAll,
        HoldReason::LowRating,
        HoldReason::BlockedWord,
        HoldReason::Duplicate,
        HoldReason::Reported,
    ];

    /// The reason as it appears on the wire and in the table (what serde writes).
    pub const fn as_str(self) -> &'static str {
        match self {
            HoldReason::HoldAll => "hold_all",
            HoldReason::LowRating => "low_rating",
            HoldReason::BlockedWord => "blocked_word",
            HoldReason::Duplicate => "duplicate",
            HoldReason::Reported => "reported",
        }
    }

    pub fn parse(s: &str) -> Option<HoldReason> {
        HoldReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Lower-cases `text` the way its language pairs letters. In Turkish (`Some("tr")`) `I` is the
/// capital of `ı` and `İ` of `i`; elsewhere Unicode's default applies, so `I` becomes `i` and
/// `İ` becomes `i` followed by a combining dot. Input is expected to be NFC already.
pub fn fold(text: &str, locale: Option<&str>) -> String {
    if locale == Some("tr") {
        // Map the two Turkish capitals first: Rust's default would give `i` and `i̇`.
        let mapped: String = text
            .chars()
            .map(|c| match c {
                'I' => 'ı',
                '\u{130}' => 'i',
                c => c,
            })
            .collect();
        mapped.to_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// The words of `text`: maximal runs of letters and digits. Apostrophes split words, so the
/// Turkish suffix in "salak'sın" leaves "salak" whole.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Spam and abuse markers a Turkish shop would not publish unseen; already folded. Terms that
/// honest reviews use ("kredi kartı", "dolandırıcı") are left out or narrowed to spam phrases:
/// a complaint must never wait because it names the problem.
pub const DEFAULT_BLOCK_LIST_TR: &[&str] = &[
    "bahis",
    "kumar",
    "kumarhane",
    "casino",
    "iddaa",
    "deneme bonusu",
    "hızlı kredi",
    "kolay kredi",
    "bedava para",
    "tıkla",
    "tıklayın",
    "whatsapp",
    "telegram",
    "bitcoin",
    "kripto",
    "escort",
    "takipçi satın al",
    "siktir",
    "sikerim",
    "orospu",
    "piç",
    "amk",
    "aq",
    "yavşak",
    "pezevenk",
    "şerefsiz",
    "gerizekalı",
    "salak",
    "ibne",
    "kahpe",
];

/// Spam and abuse markers an English-speaking shop would not publish unseen; already folded.
pub const DEFAULT_BLOCK_LIST_EN: &[&str] = &[
    "viagra",
    "cialis",
    "casino",
    "gambling",
    "betting",
    "crypto",
    "bitcoin",
    "forex",
    "loan",
    "payday loan",
    "click here",
    "free money",
    "make money",
    "work from home",
    "whatsapp",
    "telegram",
    "escort",
    "porn",
    "fuck",
    "fucking",
    "motherfucker",
    "shit",
    "bullshit",
    "bitch",
    "bastard",
    "asshole",
    "cunt",
];

/// The first of `words` (as given) found in `text` as whole words: each entry and the text are
/// folded alike by `locale`, split into words, and the entry's words must appear in a row.
/// "class" does not hold a review for "ass", and a phrase matches across any spacing or
/// punctuation between its words. Entries without letters or digits never match.
pub fn find_blocked<'a>(
    text: &str,
    locale: Option<&str>,
    words: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let folded = fold(text, locale);
    let text_words: Vec<&str> = self::words(&folded).collect();
    words.into_iter().find_map(|entry| {
        let folded_entry = fold(entry, locale);
        let entry_words: Vec<&str> = self::words(&folded_entry).collect();
        let found = !entry_words.is_empty()
            && text_words
                .windows(entry_words.len())
                .any(|run| run == entry_words.as_slice());
        found.then(|| entry.to_owned())
    })
}

/// Whether a new review of `rating` stars with these texts (title, body, name) is held, and
/// why. Blocked words come before low ratings, so the merchant sees the more telling reason.
/// `Duplicate` and `Reported` are the edge's to decide: they depend on other reviews.
pub fn hold_reason(
    policy: &ModerationPolicy,
    rating: u8,
    texts: &[&str],
    locale: Option<&str>,
) -> Option<HoldReason> {
    if policy.mode == ModerationMode::HoldAll {
        return Some(HoldReason::HoldAll);
    }
    let defaults: &[&[&str]] = if policy.use_default_block_list {
        &[DEFAULT_BLOCK_LIST_TR, DEFAULT_BLOCK_LIST_EN]
    } else {
        &[]
    };
    let blocked = texts.iter().any(|text| {
        let entries = policy
            .block_list
            .iter()
            .map(String::as_str)
            .chain(defaults.iter().flat_map(|list| list.iter().copied()));
        find_blocked(text, locale, entries).is_some()
    });
    if blocked {
        return Some(HoldReason::BlockedWord);
    }
    if policy.mode == ModerationMode::HoldLow && rating <= policy.hold_at_or_below {
        return Some(HoldReason::LowRating);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turkish_folds_dotted_and_dotless_i_apart() {
        assert_eq!(fold("I", Some("tr")), "ı");
        assert_eq!(fold("İ", Some("tr")), "i");
        assert_eq!(fold("ISPARTA İZMİR", Some("tr")), "ısparta izmir");
        assert_eq!(fold("KIRMIZI", Some("tr")), "kırmızı");
        assert_eq!(fold("BAHİS", Some("tr")), "bahis");
        assert_eq!(fold("ÇĞÖŞÜ", Some("tr")), "çğöşü");
        // Already lower case stays as it is.
        assert_eq!(fold("ıi", Some("tr")), "ıi");
    }

    #[test]
    fn english_and_unknown_languages_fold_by_unicode_default() {
        for locale in [Some("en"), None] {
            assert_eq!(fold("I", locale), "i");
            assert_eq!(fold("KIRMIZI", locale), "kirmizi");
            assert_eq!(fold("İ", locale), "i\u{307}");
            // Dotless ı is already lower case and is not turned into i.
            assert_eq!(fold("ı", locale), "ı");
            assert_eq!(fold("Click HERE", locale), "click here");
        }
    }

    #[test]
    fn matches_whole_words_only() {
        let list = ["ass", "bahis"];
        assert_eq!(find_blocked("A first-class product", None, list), None);
        assert_eq!(find_blocked("Bahisçi değilim", Some("tr"), list), None);
        assert_eq!(
            find_blocked("what an ASS!", Some("en"), list),
            Some("ass".into())
        );
        assert_eq!(
            find_blocked("Kaliteli.(ass)", Some("en"), list),
            Some("ass".into())
        );
        assert_eq!(find_blocked("", None, list), None);
    }

    #[test]
    fn matches_by_the_reviews_language() {
        assert_eq!(
            find_blocked("EN İYİ BAHİS SİTESİ", Some("tr"), ["Bahis"]),
            Some("Bahis".into())
        );
        assert_eq!(
            find_blocked("KIRMIZI kazak", Some("tr"), ["kırmızı"]),
            Some("kırmızı".into())
        );
        // In English KIRMIZI folds to "kirmizi", which is not "kırmızı".
        assert_eq!(find_blocked("KIRMIZI kazak", Some("en"), ["kırmızı"]), None);
        // And in Turkish "Istanbul" is "ıstanbul", not "istanbul".
        assert_eq!(find_blocked("Istanbul", Some("tr"), ["istanbul"]), None);
        assert_eq!(
            find_blocked("Istanbul", Some("en"), ["istanbul"]),
            Some("istanbul".into())
        );
        // An apostrophe ends a word, so a suffixed name is still found.
        assert_eq!(
            find_blocked("Satıcı salak'mış", Some("tr"), ["salak"]),
            Some("salak".into())
        );
    }

    #[test]
    fn phrases_match_as_runs_of_words() {
        let list = ["click here", "free money"];
        assert_eq!(
            find_blocked("Great! CLICK   here: x.y", None, list),
            Some("click here".into())
        );
        assert_eq!(
            find_blocked("click-here", None, list),
            Some("click here".into())
        );
        assert_eq!(find_blocked("here click", None, list), None);
        assert_eq!(find_blocked("click there", None, list), None);
        assert_eq!(find_blocked("free moneybags", None, list), None);
        // The first entry of the list that matches is the one reported.
        assert_eq!(
            find_blocked("free money, click here", None, list),
            Some("click here".into())
        );
        // An entry without letters or digits matches nothing.
        assert_eq!(find_blocked("!!! a", None, ["!!!"]), None);
    }

    #[test]
    fn default_lists_are_folded_short_and_valid() {
        for (list, locale) in [
            (DEFAULT_BLOCK_LIST_TR, Some("tr")),
            (DEFAULT_BLOCK_LIST_EN, Some("en")),
        ] {
            assert!((15..=30).contains(&list.len()));
            for entry in list {
                assert_eq!(fold(entry, locale), *entry);
                assert_eq!(BLOCK_ENTRY_RULE.check(entry), Ok(()));
                assert_eq!(
                    find_blocked(entry, locale, [*entry]),
                    Some(entry.to_string())
                );
            }
        }
    }

    #[test]
    fn default_policy() {
        let p = ModerationPolicy::default();
        assert_eq!(p.mode, ModerationMode::Publish);
        assert_eq!(p.hold_at_or_below, 2);
        assert!(p.block_list.is_empty());
        assert!(p.use_default_block_list);
        assert_eq!(p.report_threshold, 3);
        assert_eq!((p.notice_tr.as_str(), p.notice_en.as_str()), ("", ""));
        // Stored settings missing fields read as the defaults.
        let read: ModerationPolicy = serde_json::from_str(r#"{"mode":"hold_low"}"#).unwrap();
        assert_eq!(
            read,
            ModerationPolicy {
                mode: ModerationMode::HoldLow,
                ..ModerationPolicy::default()
            }
        );
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["mode"], "publish");
        assert_eq!(json["use_default_block_list"], true);
    }

    #[test]
    fn hold_reasons() {
        let publish = ModerationPolicy::default();
        assert_eq!(
            hold_reason(&publish, 1, &["Berbat", "Hiç beğenmedim"], Some("tr")),
            None
        );
        assert_eq!(
            hold_reason(&publish, 5, &["Harika", "BAHİS için tıklayın"], Some("tr")),
            Some(HoldReason::BlockedWord)
        );
        // The default lists apply to reviews in either language.
        assert_eq!(
            hold_reason(&publish, 5, &["", "Bedava para!"], Some("en")),
            Some(HoldReason::BlockedWord)
        );
        let no_defaults = ModerationPolicy {
            use_default_block_list: false,
            block_list: vec!["Rakip Mağaza".into()],
            ..ModerationPolicy::default()
        };
        assert_eq!(hold_reason(&no_defaults, 5, &["casino"], None), None);
        assert_eq!(
            hold_reason(&no_defaults, 5, &["rakip mağaza daha ucuz"], Some("tr")),
            Some(HoldReason::BlockedWord)
        );
        // Title and body are searched apart: a phrase does not run from one into the other.
        assert_eq!(
            hold_reason(&no_defaults, 5, &["Rakip", "Mağaza"], Some("tr")),
            None
        );

        let low = ModerationPolicy {
            mode: ModerationMode::HoldLow,
            hold_at_or_below: 2,
            ..ModerationPolicy::default()
        };
        assert_eq!(
            hold_reason(&low, 2, &["Olmadı"], Some("tr")),
            Some(HoldReason::LowRating)
        );
        assert_eq!(hold_reason(&low, 3, &["Fena değil"], Some("tr")), None);
        assert_eq!(
            hold_reason(&low, 1, &["viagra"], None),
            Some(HoldReason::BlockedWord)
        );

        let all = ModerationPolicy {
            mode: ModerationMode::HoldAll,
            ..ModerationPolicy::default()
        };
        assert_eq!(
            hold_reason(&all, 5, &["Harika"], None),
            Some(HoldReason::HoldAll)
        );
    }

    #[test]
    fn hold_reasons_have_their_wire_names() {
        for r in HoldReason::ALL {
            assert_eq!(HoldReason::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert_eq!(HoldReason::parse("low_rating"), Some(HoldReason::LowRating));
        assert_eq!(HoldReason::parse("LowRating"), None);
        assert_eq!(HoldReason::parse(""), None);
    }

    #[test]
    fn update_merges_and_keeps_what_it_does_not_name() {
        let current = ModerationPolicy {
            notice_tr: "Tüm yorumlar yayından önce okunur.".into(),
            ..ModerationPolicy::default()
        };
        let update: ModerationPolicyUpdate =
            serde_json::from_str(r#"{"mode":"hold_low","hold_at_or_below":3}"#).unwrap();
        let next = update.apply(&current).unwrap();
        assert_eq!(next.mode, ModerationMode::HoldLow);
        assert_eq!(next.hold_at_or_below, 3);
        assert_eq!(next.notice_tr, current.notice_tr);
        assert_eq!(next.report_threshold, 3);
        assert_eq!(
            ModerationPolicyUpdate::default().apply(&current),
            Ok(current)
        );

        let cleared = ModerationPolicyUpdate {
            notice_tr: Some(String::new()),
            use_default_block_list: Some(false),
            report_threshold: Some(100),
            ..ModerationPolicyUpdate::default()
        }
        .apply(&next)
        .unwrap();
        assert_eq!(cleared.notice_tr, "");
        assert!(!cleared.use_default_block_list);
        assert_eq!(cleared.report_threshold, 100);
    }

    #[test]
    fn unknown_mode_is_malformed_json() {
        assert!(serde_json::from_str::<ModerationPolicyUpdate>(r#"{"mode":"hold"}"#).is_err());
    }

    #[test]
    fn update_reports_every_problem_at_once() {
        let update = ModerationPolicyUpdate {
            mode: Some(ModerationMode::HoldLow),
            hold_at_or_below: Some(5),
            block_list: Some(vec!["ok".into(), "  ".into()]),
            use_default_block_list: Some(false),
            report_threshold: Some(0),
            notice_tr: Some("a".repeat(601)),
            notice_en: Some("bad\u{7}bell".into()),
            publish_photos: Some(true),
            take_questions: Some(false),
        };
        let current = ModerationPolicy::default();
        let errors = update.apply(&current).unwrap_err();
        assert_eq!(
            errors.0,
            vec![
                (
                    "hold_at_or_below",
                    FieldProblem::OutOfRange { min: 1, max: 4 }
                ),
                ("block_list", FieldProblem::Required),
                (
                    "report_threshold",
                    FieldProblem::OutOfRange { min: 1, max: 100 }
                ),
                ("notice_tr", FieldProblem::TooLong { max: 600 }),
                ("notice_en", FieldProblem::ControlCharacter),
            ]
        );
        for (field, n) in [
            ("hold_at_or_below", 0),
            ("hold_at_or_below", 256),
            ("report_threshold", 101),
            ("report_threshold", -1),
        ] {
            let mut u = ModerationPolicyUpdate::default();
            if field == "hold_at_or_below" {
                u.hold_at_or_below = Some(n);
            } else {
                u.report_threshold = Some(n);
            }
            assert!(
                u.apply(&current).unwrap_err().get(field).is_some(),
                "{field} {n}"
            );
        }
    }

    #[test]
    fn block_list_entries_are_checked_trimmed_and_deduplicated() {
        let apply = |list: Vec<String>| {
            ModerationPolicyUpdate {
                block_list: Some(list),
                ..ModerationPolicyUpdate::default()
            }
            .apply(&ModerationPolicy::default())
        };
        let next = apply(
            [
                "Rakip",
                " rakip ",
                "RAKIP",
                "Click  Here",
                "click here",
                "KIRMIZI",
                "kırmızı",
            ]
            .map(String::from)
            .to_vec(),
        )
        .unwrap();
        // "RAKIP" is "rakıp" in Turkish, so it is kept; "kırmızı" is "KIRMIZI" only in Turkish.
        assert_eq!(
            next.block_list,
            vec!["Rakip", "RAKIP", "Click  Here", "KIRMIZI", "kırmızı"]
        );
        let err = |list: Vec<String>| apply(list).unwrap_err().get("block_list");
        assert_eq!(
            err(vec!["a".repeat(61)]),
            Some(FieldProblem::TooLong { max: 60 })
        );
        assert!(apply(vec!["ş".repeat(60)]).is_ok());
        assert_eq!(
            err(vec!["a\tb".into()]),
            Some(FieldProblem::ControlCharacter)
        );
        assert_eq!(err(vec![String::new()]), Some(FieldProblem::Required));
        assert_eq!(
            err((0..201).map(|i| format!("w{i}")).collect()),
            Some(FieldProblem::TooMany { max: 200 })
        );
        assert_eq!(
            apply((0..200).map(|i| format!("w{i}")).collect())
                .unwrap()
                .block_list
                .len(),
            200
        );
    }
}

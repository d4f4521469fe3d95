//! Topics of shoppers' survey comments ("delivery", "price", …), so that a merchant's report
//! can say what people write about without anyone reading every comment.
//!
//! Tagging is by keyword rules rather than a model: the rules must run the same in the widget,
//! the edge and the tests, in a few kilobytes of wasm, and a merchant must be able to see why a
//! comment was counted and add the words their own shoppers use. The rules are data: the
//! built-in [`DEFAULT_TOPICS`] plus the shop's own [`TopicRules`].
//!
//! Text and keywords are compared after a search fold, so capitals,
//! Turkish letters and their absence do not matter: "KARGO", "kargo" and "Kargo'nun" are the
//! same word to a rule, and so are "geç" and "gec".

use crate::text::{FieldProblem, TextRule};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The topics the defaults know, in report order, with their keywords in Turkish and English.
///
/// A one-word keyword is a stem, not a whole word: Turkish glues suffixes on ("kargo",
/// "kargonun", "kargoya", "kargodan", "kargocu"), and English inflects ("deliver", "delivered",
/// "delivery"), so one stem stands for every form a shopper may write, where a list of whole
/// words would always miss some. The price of stems is that they also match unrelated words
/// that start the same way, so they are kept long enough to be specific ("kar" would catch
/// "kar" = profit or snow; "late" would catch "later"; Turkish "size" means "to you"), and where
/// a short word is the only clear one it is used in a phrase instead ("box was", "too small").
/// Turkish softens a final k, p or t before a vowel ("destek" → "desteği", "cevap" → "cevabı"),
/// so some stems stop before that letter or come in both spellings.
///
/// Keywords are written already search-folded (lower case ASCII, single spaces), so tagging
/// compares them as they are; a test keeps them so.
pub const DEFAULT_TOPICS: &[(&str, &[&str])] = &[
    (
        "delivery",
        &[
            "kargo",
            "teslim",
            "kurye",
            "gecik",
            "gonderi",
            "sevkiyat",
            "gec geldi",
            "gec kaldi",
            "hala gelmedi",
            "elime ulas",
            "hizli geldi",
            "cabuk geldi",
            "erken geldi",
            "zamaninda geldi",
            "deliver",
            "shipping",
            "shipped",
            "shipment",
            "courier",
            "arriv",
            "delay",
            "dispatch",
            "tracking",
            "days late",
            "came late",
        ],
    ),
    (
        "packaging",
        &[
            "paket",
            "ambalaj",
            "kutu",
            "koli",
            "poset",
            "balonlu",
            "sarilmis",
            "jelatin",
            // Not "package": in English that is usually the parcel, a delivery matter.
            "packaging",
            "packing",
            // Not "packed" alone: "packed with features".
            "well packed",
            "poorly packed",
            "badly packed",
            "packed well",
            "gift wrap",
            "bubble wrap",
            // Not "box" alone: "works out of the box", "boxing gloves".
            "box was",
            "damaged box",
            "unbox",
            "sealed",
        ],
    ),
    (
        "quality",
        &[
            "kalite",
            "kirik",
            "kiril",
            "bozuk",
            "bozul",
            "dayanik",
            "malzeme",
            "kumas",
            "dikis",
            "defolu",
            "yirtik",
            "yirtil",
            "quality",
            "broke",
            "defect",
            "sturdy",
            "flimsy",
            "durab",
            "well made",
            "cheaply made",
            "material",
            "fabric",
            "fell apart",
            "falling apart",
            "stitching",
        ],
    ),
    (
        "price",
        &[
            "fiyat",
            "pahal",
            "ucuz",
            "indirim",
            "kampanya",
            "ucret",
            "parasina",
            "paraya",
            "butce",
            "kazik",
            "ekonomik",
            "price",
            "cheap",
            "expensive",
            "overpriced",
            "value for money",
            "worth the money",
            "waste of money",
            "discount",
            "bargain",
            "afford",
            // Not "cost": "costume".
            "costly",
            "costs",
        ],
    ),
    (
        "service",
        &[
            "hizmet",
            // Not "ilgi": "ürünle ilgili" (about the product).
            "ilgilen",
            "ilgisiz",
            "satici",
            // "destek" softens to "desteği"; alone it would catch "destekliyor" (supports).
            "musteri deste",
            "canli deste",
            "iletisim",
            "cevap",
            "cevab",
            "yanit",
            "ulasama",
            "saygisiz",
            "nazik",
            "service",
            "customer support",
            "seller",
            "staff",
            "helpful",
            "unhelpful",
            "rude",
            "respond",
            "response",
            "replied",
            // Not "contact": "contact lenses".
            "contacted",
            "communicat",
        ],
    ),
    (
        "description",
        &[
            "aciklama",
            "ilan",
            "resimde",
            "fotografta",
            "gorselde",
            "yanlis urun",
            "farkli urun",
            "yanlis renk",
            "yanlis gonder",
            "uyusmuyor",
            "yaniltici",
            "yazdigi gibi",
            "description",
            // "describ" and "descrip" part at the sixth letter.
            "describ",
            "pictured",
            "in the picture",
            "in the photo",
            "wrong item",
            "wrong product",
            "wrong color",
            "wrong colour",
            "as advertised",
            "misleading",
            "listing",
            "what i ordered",
        ],
    ),
    (
        "size",
        &[
            "beden",
            "kalip",
            "kalib",
            "olcu",
            "dar geldi",
            "bol geldi",
            "kucuk geldi",
            "buyuk geldi",
            "numara buyuk",
            "numara kucuk",
            "tam oturdu",
            // Not "size" alone: in Turkish it means "to you" ("size ulaşamadım").
            "sizing",
            "sizes",
            "the size",
            "true to size",
            "wrong size",
            "a size",
            // Not "fit" alone: "fitness".
            "fits",
            "fit well",
            // "doesn't" is two words, as apostrophes split words.
            "doesn t fit",
            "too small",
            "too big",
            "too tight",
            "runs small",
            "runs large",
        ],
    ),
    (
        "returns",
        &[
            "iade",
            "geri gonder",
            "geri odeme",
            "geri al",
            "degisim",
            "cayma",
            "iptal",
            "parami",
            "return",
            "refund",
            "exchange",
            "money back",
            "send back",
            "sent back",
            "send it back",
            "sent it back",
            "cancel",
            "replacement",
        ],
    ),
];

/// The shop's rules are read against every comment of every report, so they stay bounded.
pub const MAX_TOPICS: usize = 40;
pub const MAX_KEYWORDS_PER_TOPIC: usize = 50;
/// Shorter stems match too many unrelated words to tell a topic.
pub const KEYWORD_MIN_CHARS: usize = 3;
pub const KEYWORD_MAX_CHARS: usize = 40;
pub const TOPIC_MAX_CHARS: usize = 32;

/// A shop's own rules: topic → keywords. Keywords for a default topic add to its defaults.
pub type TopicRules = BTreeMap<String, Vec<String>>;

const KEYWORD_RULE: TextRule = TextRule {
    required: true,
    max_chars: KEYWORD_MAX_CHARS,
    multiline: false,
};

/// Checks a merchant's rules and returns them as [`tag`] reads them, or the first problem.
///
/// Keywords are stored search-folded and with single spaces, so that the merchant sees what is
/// actually compared, and two spellings that match the same comments ("Geç  geldi",
/// "gec geldi", "t-shirt", "t shirt") are kept once, in the first spelling's folded form.
/// A keyword without letters or digits, which could never match, is reported as required.
pub fn validate_rules(rules: &TopicRules) -> Result<TopicRules, FieldProblem> {
    if rules.len() > MAX_TOPICS {
        return Err(FieldProblem::TooMany { max: MAX_TOPICS });
    }
    let mut valid = TopicRules::new();
    for (topic, keywords) in rules {
        if !is_topic_name(topic) {
            return Err(FieldProblem::NotATopicName);
        }
        if keywords.len() > MAX_KEYWORDS_PER_TOPIC {
            return Err(FieldProblem::TooMany {
                max: MAX_KEYWORDS_PER_TOPIC,
            });
        }
        if keywords.is_empty() {
            return Err(FieldProblem::Required);
        }
        let mut kept: Vec<String> = Vec::with_capacity(keywords.len());
        for keyword in keywords {
            let keyword = normalise_keyword(keyword)?;
            if !kept.iter().any(|k| same_words(k, &keyword)) {
                kept.push(keyword);
            }
        }
        valid.insert(topic.clone(), kept);
    }
    Ok(valid)
}

/// Topic names are keys in stored reports and in the dashboard's URLs, so they stay plain.
pub fn is_topic_name(name: &str) -> bool {
    (1..=TOPIC_MAX_CHARS).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn normalise_keyword(keyword: &str) -> Result<String, FieldProblem> {
    // Checked before trimming: a tab or line break at either end is refused, not dropped.
    if keyword.chars().any(char::is_control) {
        return Err(FieldProblem::ControlCharacter);
    }
    let trimmed = keyword.trim();
    KEYWORD_RULE.check(trimmed)?;
    if trimmed.chars().count() < KEYWORD_MIN_CHARS {
        return Err(FieldProblem::TooShort {
            min: KEYWORD_MIN_CHARS,
        });
    }
    let folded = search_fold(trimmed);
    if words(&folded).next().is_none() {
        return Err(FieldProblem::Required);
    }
    Ok(folded.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn same_words(a: &str, b: &str) -> bool {
    words(a).eq(words(b))
}

/// The topics `text` touches under the defaults plus `extra` (already validated), sorted and
/// unique, so that counting them in a report never counts a comment twice for one topic.
pub fn tag(text: &str, extra: &TopicRules) -> Vec<String> {
    let folded = search_fold(text);
    let text_words: Vec<&str> = words(&folded).collect();
    let touches = |keyword: &str| {
        // Extra keywords are folded again (a no-op once validated) so that rules which
        // skipped validation still compare like the text.
        phrase_matches(&search_fold(keyword), &text_words)
    };

    let mut topics: Vec<String> = Vec::new();
    for (topic, keywords) in DEFAULT_TOPICS {
        if keywords.iter().any(|k| touches(k)) {
            topics.push((*topic).to_owned());
        }
    }
    for (topic, keywords) in extra {
        if !topics.contains(topic) && keywords.iter().any(|k| touches(k)) {
            topics.push(topic.clone());
        }
    }
    topics.sort();
    topics
}

/// Whether the keyword's words occur in a row in the text: all but the last exactly, the last
/// as a stem. Only the last is a stem because a phrase's earlier words are the ones that pin
/// its meaning ("geç geldi" must not match "gecelik geldi"), while its last still takes
/// suffixes ("geç geldiler", "late delivery").
fn phrase_matches(keyword: &str, text: &[&str]) -> bool {
    let n = words(keyword).count();
    n > 0
        && text.windows(n).any(|run| {
            words(keyword).zip(run).enumerate().all(|(i, (k, w))| {
                if i + 1 == n {
                    w.starts_with(k)
                } else {
                    *w == k
                }
            })
        })
}

/// Lower-cases the Turkish way, then maps Turkish letters to ASCII.
///
/// Turkish lower-casing comes first so that "KARGO" and "İADE" fold right; the ASCII mapping
/// then lets shoppers who type without Turkish letters ("kargo gec geldi", "urun kirik") match
/// the same rules. The Turkish fold suits English text too: its "I" becomes "ı", which the
/// mapping turns into "i", so "DELIVERED" still reads "delivered". Combining marks are dropped
/// as well, so text in decomposed form ("s" + cedilla, "I" + dot above) folds like its
/// composed form; without that, a combining mark, being neither letter nor digit, would split
/// the word in two.
fn search_fold(text: &str) -> Cow<'_, str> {
    // Most text already is lower-case ASCII; it needs no copy.
    if !text
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        return Cow::Borrowed(text);
    }
    let lowered = crate::moderation::fold(text, Some("tr"));
    Cow::Owned(
        lowered
            .chars()
            .filter(|c| !matches!(c, '\u{300}'..='\u{36F}'))
            .map(|c| match c {
                'ç' => 'c',
                'ğ' => 'g',
                'ı' | 'î' => 'i',
                'ö' => 'o',
                'ş' => 's',
                'ü' | 'û' => 'u',
                'â' => 'a',
                c => c,
            })
            .collect(),
    )
}

/// The words of `text`: maximal runs of letters and digits, so punctuation and apostrophes
/// split them ("kargo'nun" is "kargo" and "nun", and "kargo" still matches).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A topic's name given as a parameter (`?topic=`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TopicName(
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = "^[a-z0-9_-]{1,32}$")))] pub String,
);

impl<'de> serde::Deserialize<'de> for TopicName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <String as serde::Deserialize>::deserialize(deserializer)?;
        if !is_topic_name(&raw) {
            return Err(serde::de::Error::custom(format!(
                "must be 1 to {TOPIC_MAX_CHARS} characters of a-z 0-9 _ -"
            )));
        }
        Ok(TopicName(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> TopicRules {
        TopicRules::new()
    }

    fn rules(entries: &[(&str, &[&str])]) -> TopicRules {
        entries
            .iter()
            .map(|(t, ks)| {
                (
                    (*t).to_owned(),
                    ks.iter().map(|k| (*k).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn turkish_with_suffixes_and_capitals() {
        assert_eq!(tag("KARGO çok geç geldi", &none()), ["delivery"]);
        assert_eq!(tag("Ürünün paketi ezikti", &none()), ["packaging"]);
        assert_eq!(
            tag("Fiyatı biraz pahalı ama kaliteli", &none()),
            ["price", "quality"]
        );
        assert_eq!(tag("İADE süreci zordu", &none()), ["returns"]);
        assert_eq!(tag("Kargo'nun takibi yoktu", &none()), ["delivery"]);
        assert_eq!(
            tag(
                "Müşteri desteğine ulaşamadım, bedeni de küçük geldi",
                &none()
            ),
            ["service", "size"]
        );
    }

    #[test]
    fn turkish_typed_without_turkish_letters() {
        assert_eq!(
            tag("kargo gec geldi, urun kirik cikti", &none()),
            ["delivery", "quality"]
        );
        assert_eq!(tag("Fiyati cok pahali", &none()), ["price"]);
        assert_eq!(tag("iade ettim parami alamadim", &none()), ["returns"]);
    }

    #[test]
    fn english() {
        assert_eq!(tag("The package arrived late", &none()), ["delivery"]);
        assert_eq!(
            tag("Great quality, cheap price", &none()),
            ["price", "quality"]
        );
        // Capital I folds to dotless ı, then to i: English capitals still match.
        assert_eq!(
            tag("DELIVERED IN A DAMAGED BOX", &none()),
            ["delivery", "packaging"]
        );
        assert_eq!(tag("Runs small, order a size up", &none()), ["size"]);
    }

    #[test]
    fn decomposed_text_folds_like_composed() {
        // "İADE" with I + combining dot above, "kumaşı" with s + combining cedilla.
        assert_eq!(tag("I\u{307}ADE", &none()), ["returns"]);
        assert_eq!(tag("kumas\u{327}\u{131} ince", &none()), ["quality"]);
    }

    #[test]
    fn text_touching_no_topic() {
        assert!(tag("Çok beğendim, herkese tavsiye ederim", &none()).is_empty());
        assert!(tag("Love it!", &none()).is_empty());
        assert!(tag("", &none()).is_empty());
    }

    #[test]
    fn stems_do_not_catch_unrelated_words() {
        // "size" is Turkish for "to you": not the size topic, but "ulaşamadım" is service.
        assert_eq!(tag("Size ulaşamadım", &none()), ["service"]);
        assert!(tag("Size teşekkür ederim", &none()).is_empty());
        // "ilgili" (about) is not "ilgilendiler" (they took care).
        assert!(tag("Ürünle ilgili sorum yoktu", &none()).is_empty());
        // "later" is not "late"; "out of the box" and "packed with" are no packaging.
        assert!(tag("Later I bought a second one", &none()).is_empty());
        assert!(tag("Works right out of the box", &none()).is_empty());
        assert!(tag("Packed with features", &none()).is_empty());
        assert!(tag("Contact lenses for my sister", &none()).is_empty());
    }

    #[test]
    fn phrases_match_exact_words_then_a_stem() {
        let text = |s: &'static str| words(s).collect::<Vec<_>>();
        assert!(phrase_matches("gec geldi", &text("gec geldiler")));
        assert!(phrase_matches("late deliver", &text("very late delivery!")));
        assert!(phrase_matches("late deliver", &text("late, delivery")));
        assert!(!phrase_matches("late deliver", &text("lately delivered")));
        assert!(!phrase_matches("gec geldi", &text("gecelik geldi")));
        assert!(!phrase_matches("gec geldi", &text("gec saatte geldi")));
        assert!(!phrase_matches("gec geldi", &text("gec")));
        assert!(!phrase_matches("", &text("gec geldi")));
        assert!(phrase_matches("kargo", &text("kargodan")));
        assert!(!phrase_matches("kargodan", &text("kargo")));
        // Through tag, with folding on both sides.
        assert_eq!(tag("Siparişim HÂLÂ gelmedi", &none()), ["delivery"]);
        assert!(tag("Hâlâ bekliyorum, gelmedi", &none()).is_empty());
    }

    #[test]
    fn merchant_rules_add_topics_and_keywords() {
        let extra = validate_rules(&rules(&[
            ("assembly", &["Montaj", "kurulum", "assembl"]),
            ("delivery", &["HepsiJet"]),
        ]))
        .expect("valid rules");
        assert_eq!(tag("Montajı çok zordu", &extra), ["assembly"]);
        assert_eq!(tag("Easy to assemble", &extra), ["assembly"]);
        assert_eq!(tag("Hepsijet ile geldi", &extra), ["delivery"]);
        assert!(tag("Hepsijet ile geldi", &none()).is_empty());
        // The defaults still apply, and a topic is listed once, sorted.
        assert_eq!(
            tag("Kargo ve HepsiJet, montaj kolay", &extra),
            ["assembly", "delivery"]
        );
        // Unvalidated rules are folded at tagging too.
        assert_eq!(
            tag("hepsijet", &rules(&[("delivery", &["HEPSİJET"])])),
            ["delivery"]
        );
    }

    #[test]
    fn validate_rules_refuses_bad_rules() {
        let check = |entries: &[(&str, &[&str])]| validate_rules(&rules(entries));
        for name in [
            "",
            "Delivery",
            "teslimat süresi",
            "a.b",
            "a".repeat(33).as_str(),
        ] {
            assert_eq!(
                check(&[(name, &["kargo"])]),
                Err(FieldProblem::NotATopicName),
                "{name:?}"
            );
        }
        assert!(check(&[(&"a".repeat(32), &["kargo"])]).is_ok());
        assert!(check(&[("a_b-1", &["kargo"])]).is_ok());

        let many: TopicRules = (0..=MAX_TOPICS)
            .map(|i| (format!("t{i}"), vec!["kargo".to_owned()]))
            .collect();
        assert_eq!(
            validate_rules(&many),
            Err(FieldProblem::TooMany { max: MAX_TOPICS })
        );
        let fewer: TopicRules = many.into_iter().take(MAX_TOPICS).collect();
        assert!(validate_rules(&fewer).is_ok());

        let keywords: Vec<String> = (0..=MAX_KEYWORDS_PER_TOPIC)
            .map(|i| format!("word{i}"))
            .collect();
        let mut one = TopicRules::new();
        one.insert("t".into(), keywords.clone());
        assert_eq!(
            validate_rules(&one),
            Err(FieldProblem::TooMany {
                max: MAX_KEYWORDS_PER_TOPIC
            })
        );
        one.insert("t".into(), keywords[..MAX_KEYWORDS_PER_TOPIC].to_vec());
        assert!(validate_rules(&one).is_ok());

        assert_eq!(check(&[("t", &[])]), Err(FieldProblem::Required));
        assert_eq!(
            check(&[("t", &["kar\tgo"])]),
            Err(FieldProblem::ControlCharacter)
        );
        assert_eq!(
            check(&[("t", &["kargo\n"])]),
            Err(FieldProblem::ControlCharacter)
        );
        assert_eq!(
            check(&[("t", &["kar\u{202E}go"])]),
            Err(FieldProblem::ControlCharacter)
        );
        assert_eq!(check(&[("t", &["   "])]), Err(FieldProblem::Required));
        assert_eq!(check(&[("t", &["!?!"])]), Err(FieldProblem::Required));
        let range = FieldProblem::TooShort {
            min: KEYWORD_MIN_CHARS,
        };
        assert_eq!(check(&[("t", &[" ab "])]), Err(range));
        assert!(check(&[("t", &[" abc "])]).is_ok());
        assert_eq!(
            check(&[("t", &[&"ş".repeat(KEYWORD_MAX_CHARS + 1)])]),
            Err(FieldProblem::TooLong {
                max: KEYWORD_MAX_CHARS
            })
        );
        assert!(check(&[("t", &[&"ş".repeat(KEYWORD_MAX_CHARS)])]).is_ok());
    }

    #[test]
    fn validate_rules_folds_trims_and_deduplicates() {
        let valid = validate_rules(&rules(&[(
            "delivery",
            &[
                "  Geç   Geldi ",
                "gec geldi",
                "GEÇ GELDİ",
                "HepsiJet",
                "hepsijet",
                "T-Shirt",
                "t shirt",
                "DIŞ KUTU",
            ],
        )]))
        .expect("valid rules");
        assert_eq!(
            valid.get("delivery").map(Vec::as_slice),
            Some(
                &[
                    "gec geldi".to_owned(),
                    "hepsijet".to_owned(),
                    "t-shirt".to_owned(),
                    "dis kutu".to_owned(),
                ][..]
            )
        );
        // Validating what validation returned changes nothing.
        assert_eq!(validate_rules(&valid), Ok(valid));
    }

    #[test]
    fn search_fold_is_turkish_then_ascii() {
        assert_eq!(search_fold("KIRIK"), "kirik");
        assert_eq!(search_fold("İADE"), "iade");
        assert_eq!(search_fold("ÇĞIİÖŞÜ çğıiöşü âîû"), "cgiiosu cgiiosu aiu");
        assert_eq!(search_fold("DELIVERED"), "delivered");
        assert!(matches!(search_fold("kargo gec"), Cow::Borrowed(_)));
    }

    #[test]
    fn defaults_are_folded_valid_and_distinct() {
        let names: Vec<&str> = DEFAULT_TOPICS.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            names,
            [
                "delivery",
                "packaging",
                "quality",
                "price",
                "service",
                "description",
                "size",
                "returns"
            ]
        );
        let as_rules = rules(DEFAULT_TOPICS);
        // Already in the form validation gives, so tag may compare them unfolded.
        assert_eq!(validate_rules(&as_rules), Ok(as_rules));
        let mut seen: Vec<&str> = Vec::new();
        for (topic, keywords) in DEFAULT_TOPICS {
            assert!((10..=25).contains(&keywords.len()), "{topic}");
            for k in *keywords {
                assert_eq!(search_fold(k), *k, "{topic}: {k}");
                assert!(!seen.contains(k), "{topic}: {k} twice");
                seen.push(k);
                // A lone stem of under four letters catches too much.
                if !k.contains(' ') {
                    assert!(k.len() >= 4, "{topic}: {k}");
                }
                // Each keyword reaches its topic.
                assert!(tag(k, &none()).iter().any(|t| t == topic), "{topic}: {k}");
            }
        }
    }
}

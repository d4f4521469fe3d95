//! Rules for text a shopper types, and the per-field problems they report.
//!
//! Lengths are counted in Unicode scalar values (what a shopper thinks of as characters, near
//! enough), after NFC normalisation on the edge. Control characters are refused, except line
//! breaks and tabs in multi-line fields, and so are bidirectional overrides. Text is never trimmed or escaped here: it is stored as
//! given and always rendered as text.

use std::borrow::Cow;
use std::fmt;

/// What is wrong with one field. The edge words these in English in its `fields` map; the
/// widgets word them in the shopper's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    /// A list longer than its limit (items, not characters).
    TooMany {
        max: usize,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    NotAnEmail,
    NotAnOrigin,
    ControlCharacter,
    InvalidId,
    /// A name that must be unique is already taken.
    InUse,
    /// The shop's last active `full` API key cannot be revoked.
    LastKey,
    /// Not a date or time in a form the merchant API reads (see `time::parse_timestamp`).
    NotATime,
    /// Not a UUID (browser ids, like idempotency keys, are).
    NotAUuid,
    /// Not one of the documented choices.
    NotAChoice,
    /// A review token that does not open this review: forged, expired, for another purpose,
    /// shop or product, or already used.
    InvalidToken(&'static str),
    /// The secret that signs new links cannot be retired before another one replaces it.
    SigningSecret,
    /// Not an http(s) address.
    NotAUrl,
    /// Given together with another field that names the same thing another way.
    OnlyOneOf(&'static str),
    /// Not a survey topic's name (see `topics::is_topic_name`).
    NotATopicName,
    /// A URL template without the placeholder the edge fills in.
    MissingPlaceholder(&'static str),
    /// An address the edge will not send to: this machine, a private network, or one carrying
    /// a user name or password.
    NotPublic,
    /// An `http://` address where only `https://` is taken.
    NotHttps,
    /// Not a GTIN (see `catalog::is_gtin`).
    NotAGtin,
    /// Not an image the edge takes there, and why (see `photos::NewPhoto`).
    NotAPhoto(&'static str),
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldProblem::Required => f.write_str("is required"),
            FieldProblem::TooLong { max } => write!(f, "must be at most {max} characters"),
            FieldProblem::TooShort { min } => write!(f, "must be at least {min} characters"),
            FieldProblem::TooMany { max } => write!(f, "must list at most {max}"),
            FieldProblem::OutOfRange { min, max } => {
                write!(f, "must be a whole number from {min} to {max}")
            }
            FieldProblem::NotAnEmail => f.write_str("must be an email address"),
            FieldProblem::NotAnOrigin => f.write_str(
                "must list origins like https://shop.example (scheme, host, optional port)",
            ),
            FieldProblem::ControlCharacter => f.write_str("must not contain control characters"),
            FieldProblem::InvalidId => {
                f.write_str("must be 1-64 characters of letters A-Z a-z, digits, '.', '_' and '-'")
            }
            FieldProblem::InUse => f.write_str("is already in use"),
            FieldProblem::LastKey => {
                f.write_str("is the shop's last active key with the full scope; create another before revoking it")
            }
            FieldProblem::NotATime => {
                f.write_str("must be a date like 2026-11-23 or 2026-11-23T15:06:52Z")
            }
            FieldProblem::NotAUuid => f.write_str("must be a UUID"),
            FieldProblem::NotAChoice => f.write_str("is not one of the documented choices"),
            FieldProblem::InvalidToken(why) => f.write_str(why),
            FieldProblem::NotAUrl => f.write_str("must be an http:// or https:// address"),
            FieldProblem::SigningSecret => f.write_str(
                "is the secret that signs new links; create a new secret before retiring it",
            ),
            FieldProblem::OnlyOneOf(other) => write!(f, "must not be given together with {other}"),
            FieldProblem::NotATopicName => write!(
                f,
                "must name topics with 1-{} characters of a-z, digits, '_' and '-'",
                crate::topics::TOPIC_MAX_CHARS
            ),
            FieldProblem::MissingPlaceholder(placeholder) => {
                write!(f, "must contain {placeholder}, where the id goes")
            }
            FieldProblem::NotPublic => f.write_str(
                "must be a public address: not localhost, a private or link-local network, \
                 nor one with a user name or password",
            ),
            FieldProblem::NotHttps => f.write_str("must be an https:// address"),
            FieldProblem::NotAGtin => f.write_str(
                "must list GTINs: 8, 12, 13 or 14 digits ending in their check digit",
            ),
            FieldProblem::NotAPhoto(why) => f.write_str(why),
        }
    }
}

/// The problems found in one request, field by field, in the order the fields were checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, FieldProblem)>);

impl FieldErrors {
    pub fn push(&mut self, field: &'static str, problem: FieldProblem) {
        self.0.push((field, problem));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<FieldProblem> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| *p)
    }

    /// Field → problem in words, as an error answer's `fields` and a row report list them.
    pub fn by_field(&self) -> std::collections::BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(field, problem)| ((*field).to_owned(), problem.to_string()))
            .collect()
    }
}

/// How long a text field may be and whether it may be empty or span lines.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub required: bool,
    pub max_chars: usize,
    pub multiline: bool,
}

impl TextRule {
    /// Checks `value`; blank (only white space and invisible characters) counts as empty.
    pub fn check(&self, value: &str) -> Result<(), FieldProblem> {
        if value.chars().all(is_invisible) {
            return if self.required {
                Err(FieldProblem::Required)
            } else {
                Ok(())
            };
        }
        if value.chars().any(|c| {
            (c.is_control() && !(self.multiline && matches!(c, '\n' | '\r' | '\t')))
                || is_bidi_override(c)
                // Line and paragraph separators break a one-line value as '\n' would.
                || (!self.multiline && matches!(c, '\u{2028}' | '\u{2029}'))
        }) {
            return Err(FieldProblem::ControlCharacter);
        }
        if value.chars().count() > self.max_chars {
            return Err(FieldProblem::TooLong {
                max: self.max_chars,
            });
        }
        Ok(())
    }
}

/// White space, and the characters that take no room: zero-width space, non-joiner and joiner,
/// word joiner, byte-order mark, soft hyphen, Mongolian vowel separator. A name made only of them
/// shows as nothing.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
        )
}

/// Bidirectional embeddings, overrides and isolates: invisible, and able to make a name or a
/// review read differently from what is stored ("Trojan Source").
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A deliberately simple email check: one `@`, something before it, a dotted domain after it,
/// no white space or control characters. Whether the address exists is not ours to know.
pub fn is_plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    value.chars().count() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// NFC-normalises text before it is checked and stored, so that the same words typed on two
/// keyboards are stored, counted and compared alike.
#[cfg(feature = "normalize")]
pub fn normalize(value: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    value.nfc().collect()
}

// Spreadsheets run formulas: every CSV memnun writes (reviews, survey answers, the dashboard's
// tables) neutralises its text cells the same way.

/// The characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `cell` is some apostrophes (perhaps none) and then a formula character.
fn is_apostrophes_then_formula(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A cell a spreadsheet will show as text: one starting with `=`, `+`, `-`, `@`, tab or
/// carriage return gets a leading `'`. So that [`unneutralise`] can undo it exactly, a cell
/// that is apostrophes followed by one of those gets one more `'` too (else `'=1` and a
/// neutralised `=1` would read alike). Every other cell is left as it is.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if is_apostrophes_then_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralise`] for every string: removes the one `'` it added, from a cell
/// that is one or more apostrophes followed by a formula character, and leaves any other cell
/// alone. A cell someone typed as `'=1` in a spreadsheet therefore imports as `=1`.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if is_apostrophes_then_formula(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: TextRule = TextRule {
        required: true,
        max_chars: 5,
        multiline: false,
    };
    const MULTI: TextRule = TextRule {
        required: false,
        max_chars: 5,
        multiline: true,
    };

    #[test]
    fn required_refuses_empty_and_blank() {
        assert_eq!(SINGLE.check(""), Err(FieldProblem::Required));
        assert_eq!(SINGLE.check("  \n "), Err(FieldProblem::Required));
        assert_eq!(MULTI.check(""), Ok(()));
    }

    #[test]
    fn a_value_of_invisible_characters_only_is_blank() {
        // The hostile corpus published a review whose author was three zero-width joiners.
        for invisible in [
            "\u{200D}\u{200D}\u{200D}",
            "\u{200B}",
            " \u{FEFF}\u{2060} ",
            "\u{00AD}",
        ] {
            assert_eq!(
                SINGLE.check(invisible),
                Err(FieldProblem::Required),
                "{invisible:?}"
            );
        }
        // Joiners inside visible text (emoji sequences, Persian names) are text.
        assert_eq!(SINGLE.check("👩\u{200D}💻"), Ok(()));
    }

    #[test]
    fn line_separators_break_one_line_values_only() {
        for separator in ['\u{2028}', '\u{2029}'] {
            let value = format!("ab{separator}c");
            assert_eq!(SINGLE.check(&value), Err(FieldProblem::ControlCharacter));
            assert_eq!(MULTI.check(&value), Ok(()));
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(SINGLE.check("şğüıö"), Ok(()));
        assert_eq!(
            SINGLE.check("şğüıöç"),
            Err(FieldProblem::TooLong { max: 5 })
        );
    }

    #[test]
    fn control_characters_are_refused_but_multiline_keeps_line_breaks() {
        assert_eq!(SINGLE.check("a\nb"), Err(FieldProblem::ControlCharacter));
        assert_eq!(SINGLE.check("a\u{7}"), Err(FieldProblem::ControlCharacter));
        assert_eq!(MULTI.check("a\r\nb"), Ok(()));
        assert_eq!(MULTI.check("a\u{0}b"), Err(FieldProblem::ControlCharacter));
        assert_eq!(
            MULTI.check("a\u{1b}[31m"),
            Err(FieldProblem::ControlCharacter)
        );
    }

    #[test]
    fn bidi_overrides_are_refused_but_right_to_left_text_is_not() {
        let rule = TextRule {
            required: true,
            max_chars: 100,
            multiline: true,
        };
        assert_eq!(
            rule.check("abc\u{202E}fed"),
            Err(FieldProblem::ControlCharacter)
        );
        assert_eq!(
            rule.check("x\u{2067}y"),
            Err(FieldProblem::ControlCharacter)
        );
        assert_eq!(rule.check("مرحبا شكرا"), Ok(()));
        assert_eq!(rule.check("a\u{200F}b"), Ok(()));
    }

    #[test]
    fn markup_is_just_text() {
        let rule = TextRule {
            required: true,
            max_chars: 100,
            multiline: false,
        };
        assert_eq!(rule.check("<img src=x onerror=alert(1)>"), Ok(()));
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "ayşe.yılmaz@örnek.com.tr", "x+tag@shop.example"] {
            assert!(is_plausible_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.co", "a@b.co.", "a@.co",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
        assert!(!is_plausible_email(&format!("{}@b.co", "a".repeat(250))));
    }

    #[cfg(feature = "normalize")]
    #[test]
    fn normalize_composes_decomposed_turkish_letters() {
        // "ş" typed as s + combining cedilla becomes the single precomposed letter.
        assert_eq!(normalize("s\u{327}"), "ş");
        assert_eq!(normalize("s\u{327}").chars().count(), 1);
    }
}

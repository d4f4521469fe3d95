//! One shopper's data, for a merchant answering an access or erasure request (KVKK art. 11,
//! GDPR art. 15 and 17): `POST /v1/admin/shoppers/export` and `POST /v1/admin/shoppers/delete`.
//! A shopper is named by email (reviews written with it, orders placed with it, and what hangs
//! on those orders) or by an anonymous browser id the widgets keep (events, product views,
//! helpful votes and reports), one way per request.
//!
//! Both are POSTs with the shopper in the body, so an email never sits in a URL (and so in an
//! access log or a browser's history).

use crate::idempotency::is_valid_key;
use crate::review::EMAIL_MAX_CHARS;
use crate::text::{FieldErrors, FieldProblem, is_plausible_email};
use serde::{Deserialize, Serialize};

pub const MAX_REQUEST_BYTES: usize = 1024;

/// The body of both requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShopperRequest {
    #[serde(default)]
    pub email: Option<String>,
    /// The random id (a UUID) the widgets keep in the shopper's `localStorage` as
    /// `memnun:browser:v1`: the review widget's on helpful votes and reports, and the loader's on
    /// events and product views (with consent). One id names everything the browser sent.
    #[serde(default)]
    pub browser: Option<String>,
}

/// Who the request is about, normalised the way the edge stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shopper {
    /// Trimmed and lower-cased, as orders and reviews hash it.
    Email(String),
    /// Lower-cased.
    Browser(String),
}

impl ShopperRequest {
    pub fn validate(&self) -> Result<Shopper, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        let browser = self
            .browser
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty());
        match (email, browser) {
            (None, None) => errors.push("email", FieldProblem::Required),
            (Some(_), Some(_)) => errors.push("browser", FieldProblem::OnlyOneOf("email")),
            (Some(email), None) => {
                if email.chars().count() > EMAIL_MAX_CHARS || !is_plausible_email(email) {
                    errors.push("email", FieldProblem::NotAnEmail);
                } else {
                    return Ok(Shopper::Email(email.to_lowercase()));
                }
            }
            (None, Some(browser)) => {
                if is_valid_key(browser) {
                    return Ok(Shopper::Browser(browser.to_ascii_lowercase()));
                }
                errors.push("browser", FieldProblem::NotAUuid);
            }
        }
        Err(errors)
    }
}

/// What `POST /v1/admin/shoppers/delete` removed, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeletionReport {
    pub reviews: u32,
    pub orders: u32,
    pub survey_responses: u32,
    pub events: u32,
    pub product_views: u32,
    pub votes: u32,
    pub reports: u32,
    /// Their questions (`questions`), with their answers.
    pub questions: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn req(email: Option<&str>, browser: Option<&str>) -> ShopperRequest {
        ShopperRequest {
            email: email.map(Into::into),
            browser: browser.map(Into::into),
        }
    }

    #[test]
    fn a_shopper_is_an_email_or_a_browser_id() {
        assert_eq!(
            req(Some("  Ayse@Example.COM "), None).validate(),
            Ok(Shopper::Email("ayse@example.com".into()))
        );
        assert_eq!(
            req(None, Some(&ID.to_uppercase())).validate(),
            Ok(Shopper::Browser(ID.into()))
        );
        assert_eq!(
            req(Some(""), Some(ID)).validate(),
            Ok(Shopper::Browser(ID.into())),
            "an empty field is not given"
        );
    }

    #[test]
    fn one_way_only_and_well_formed() {
        let e = |r: ShopperRequest| r.validate().unwrap_err();
        assert_eq!(
            e(req(None, None)).get("email"),
            Some(FieldProblem::Required)
        );
        assert_eq!(
            e(req(Some("a@b.co"), Some(ID))).get("browser"),
            Some(FieldProblem::OnlyOneOf("email"))
        );
        assert_eq!(
            e(req(Some("not an email"), None)).get("email"),
            Some(FieldProblem::NotAnEmail)
        );
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            e(req(Some(&long), None)).get("email"),
            Some(FieldProblem::NotAnEmail)
        );
        assert_eq!(
            e(req(None, Some("../../etc/passwd"))).get("browser"),
            Some(FieldProblem::NotAUuid)
        );
    }
}

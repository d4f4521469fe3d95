//! A shop's settings as the merchant API reads and writes them (`/v1/admin/shop`).

use crate::text::{FieldErrors, FieldProblem};
use serde::{Deserialize, Serialize};

/// How many origins one shop may allow (each is a row the edge reads on every write).
pub const MAX_ALLOWED_ORIGINS: usize = 20;
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// How long a shop may keep its shoppers' browsing events, in days: a month at least (the
/// recommendation reports need that much), three years at most.
pub const EVENT_RETENTION_DAYS_MIN: u32 = 30;
pub const EVENT_RETENTION_DAYS_MAX: u32 = 1095;
/// Thirteen months: a year can be compared with the year before. The schema's default too.
pub const EVENT_RETENTION_DAYS_DEFAULT: u32 = 395;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShopSettings {
    pub id: String,
    /// The shop's name, as its messages to shoppers say it.
    #[serde(default)]
    pub name: String,
    /// Origins whose pages may write to the shop's public endpoints, e.g. `https://shop.example`.
    pub allowed_origins: Vec<String>,
    #[serde(flatten)]
    pub pages: ShopPages,
    /// Days the shop keeps browsing events before the scheduled purge deletes them.
    pub event_retention_days: u32,
}

/// Where the shop's pages are, so links in emails and invitations point there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShopPages {
    /// The page with the order tracker, e.g. `https://shop.example/siparis-takip`.
    pub tracker_page: Option<String>,
    /// The page with the survey.
    pub survey_page: Option<String>,
    /// A product's page, with `{product}` where the product id goes:
    /// `https://shop.example/urun/{product}`.
    pub product_page: Option<String>,
}

impl ShopPages {
    /// `product`'s page, when the shop has said where its product pages are.
    pub fn product_url(&self, product: &str) -> Option<String> {
        self.product_page
            .as_deref()
            .map(|template| template.replace("{product}", product))
    }
}

/// The body of `PUT /v1/admin/shop`: the fields given change, the others stay. A page given as
/// `""` is cleared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShopUpdate {
    #[serde(default)]
    pub allowed_origins: Option<Vec<String>>,
    #[serde(default)]
    pub tracker_page: Option<String>,
    #[serde(default)]
    pub survey_page: Option<String>,
    #[serde(default)]
    pub product_page: Option<String>,
    #[serde(default)]
    pub event_retention_days: Option<u32>,
}

/// A checked update: `None` keeps a field, `Some(None)` clears a page.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidShopUpdate {
    pub allowed_origins: Option<Vec<String>>,
    pub tracker_page: Option<Option<String>>,
    pub survey_page: Option<Option<String>>,
    pub product_page: Option<Option<String>>,
    pub event_retention_days: Option<u32>,
}

impl ShopUpdate {
    pub fn validate(&self) -> Result<ValidShopUpdate, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut page = |field: &'static str, value: &Option<String>, template: bool| {
            let value = value.as_deref()?;
            if value.is_empty() {
                return Some(None);
            }
            if !crate::order::is_web_url(value) {
                errors.push(field, FieldProblem::NotAUrl);
            } else if template && !value.contains("{product}") {
                errors.push(field, FieldProblem::MissingPlaceholder("{product}"));
            }
            Some(Some(value.to_owned()))
        };
        let tracker_page = page("tracker_page", &self.tracker_page, false);
        let survey_page = page("survey_page", &self.survey_page, false);
        let product_page = page("product_page", &self.product_page, true);
        let allowed_origins = match &self.allowed_origins {
            None => None,
            Some(origins) => match validate_origins(origins) {
                Ok(o) => Some(o),
                Err(problem) => {
                    errors.push("allowed_origins", problem);
                    None
                }
            },
        };
        if let Some(days) = self.event_retention_days
            && !(EVENT_RETENTION_DAYS_MIN..=EVENT_RETENTION_DAYS_MAX).contains(&days)
        {
            errors.push(
                "event_retention_days",
                FieldProblem::OutOfRange {
                    min: EVENT_RETENTION_DAYS_MIN.into(),
                    max: EVENT_RETENTION_DAYS_MAX.into(),
                },
            );
        }
        let nothing = self == &ShopUpdate::default();
        if nothing {
            errors.push("allowed_origins", FieldProblem::Required);
        }
        if errors.is_empty() {
            Ok(ValidShopUpdate {
                allowed_origins,
                tracker_page,
                survey_page,
                product_page,
                event_retention_days: self.event_retention_days,
            })
        } else {
            Err(errors)
        }
    }
}

/// The origins to allow, deduplicated, in the order given.
fn validate_origins(origins: &[String]) -> Result<Vec<String>, FieldProblem> {
    if origins.len() > MAX_ALLOWED_ORIGINS {
        return Err(FieldProblem::TooMany {
            max: MAX_ALLOWED_ORIGINS,
        });
    }
    if !origins.iter().all(|o| is_valid_origin(o)) {
        return Err(FieldProblem::NotAnOrigin);
    }
    let mut unique: Vec<String> = Vec::with_capacity(origins.len());
    for o in origins {
        if !unique.contains(o) {
            unique.push(o.clone());
        }
    }
    Ok(unique)
}

/// An origin as browsers send it in the `Origin` header: `http` or `https`, a lowercase host,
/// an optional port, and nothing after (no path, no trailing slash).
pub fn is_valid_origin(origin: &str) -> bool {
    let rest = if let Some(r) = origin.strip_prefix("https://") {
        r
    } else if let Some(r) = origin.strip_prefix("http://") {
        r
    } else {
        return false;
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'));
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n))
    });
    host_ok && port_ok
}

/// `GET /v1/admin/keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApiKeyList {
    pub keys: Vec<ApiKeyInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_as_browsers_send_them() {
        for ok in [
            "https://shop.example",
            "http://127.0.0.1:8080",
            "https://xn--rn-fka.com.tr",
        ] {
            assert!(is_valid_origin(ok), "{ok}");
        }
        for bad in [
            "",
            "shop.example",
            "https://",
            "https://shop.example/",
            "ftp://a.b",
            "https://Shop.example",
            "https://a.b:0",
            "https://a.b:99999",
            "https://a.b:x",
            "javascript:alert(1)",
            "https://a b",
            "null",
            "*",
        ] {
            assert!(!is_valid_origin(bad), "{bad:?}");
        }
    }

    #[test]
    fn update_deduplicates_and_limits() {
        let u = ShopUpdate {
            allowed_origins: Some(vec!["https://a.b".into(), "https://a.b".into()]),
            ..ShopUpdate::default()
        };
        assert_eq!(
            u.validate().unwrap().allowed_origins,
            Some(vec!["https://a.b".to_string()])
        );
        let many = ShopUpdate {
            allowed_origins: Some((0..21).map(|i| format!("https://s{i}.b")).collect()),
            ..ShopUpdate::default()
        };
        assert!(many.validate().is_err());
        assert_eq!(
            ShopUpdate::default()
                .validate()
                .unwrap_err()
                .get("allowed_origins"),
            Some(FieldProblem::Required)
        );
        let bad = ShopUpdate {
            allowed_origins: Some(vec!["https://a.b/path".into()]),
            ..ShopUpdate::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().get("allowed_origins"),
            Some(FieldProblem::NotAnOrigin)
        );
    }

    #[test]
    fn event_retention_is_a_month_to_three_years() {
        for (days, ok) in [
            (29, false),
            (30, true),
            (395, true),
            (1095, true),
            (1096, false),
        ] {
            let u = ShopUpdate {
                event_retention_days: Some(days),
                ..ShopUpdate::default()
            };
            match u.validate() {
                Ok(v) => assert!(ok && v.event_retention_days == Some(days), "{days}"),
                Err(e) => assert!(
                    !ok && matches!(
                        e.get("event_retention_days"),
                        Some(FieldProblem::OutOfRange { .. })
                    ),
                    "{days}"
                ),
            }
        }
    }

    #[test]
    fn pages_are_web_addresses_and_the_product_page_names_the_product() {
        let u = ShopUpdate {
            tracker_page: Some("https://shop.example/siparis".into()),
            survey_page: Some(String::new()),
            product_page: Some("https://shop.example/urun/{product}".into()),
            ..ShopUpdate::default()
        }
        .validate()
        .unwrap();
        assert_eq!(u.allowed_origins, None, "kept");
        assert_eq!(u.survey_page, Some(None), "cleared");
        let e = ShopUpdate {
            tracker_page: Some("javascript:alert(1)".into()),
            product_page: Some("https://shop.example/urun".into()),
            ..ShopUpdate::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("tracker_page"), Some(FieldProblem::NotAUrl));
        assert_eq!(
            e.get("product_page"),
            Some(FieldProblem::MissingPlaceholder("{product}"))
        );
        let pages = ShopPages {
            product_page: Some("https://s.example/p/{product}?ref=mail".into()),
            ..ShopPages::default()
        };
        assert_eq!(
            pages.product_url("mug-1").as_deref(),
            Some("https://s.example/p/mug-1?ref=mail")
        );
    }
}

/// What a merchant API key may do. A key handed to a helper (a reporting job, a moderator) need
/// not hold the shop: `read` keys only read, `moderate` keys also decide and reply to reviews;
/// only `full` keys change settings, orders, secrets, webhooks and keys, or export a shopper.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyScope {
    #[default]
    Full,
    Read,
    Moderate,
}

impl ApiKeyScope {
    pub const ALL: [ApiKeyScope; 3] = [ApiKeyScope::Full, ApiKeyScope::Read, ApiKeyScope::Moderate];

    pub const fn as_str(self) -> &'static str {
        match self {
            ApiKeyScope::Full => "full",
            ApiKeyScope::Read => "read",
            ApiKeyScope::Moderate => "moderate",
        }
    }

    pub fn parse(s: &str) -> Option<ApiKeyScope> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    /// Whether a key of this scope may make a request that needs `needed`.
    pub const fn allows(self, needed: ApiKeyScope) -> bool {
        matches!(
            (self, needed),
            (ApiKeyScope::Full, _)
                | (_, ApiKeyScope::Read)
                | (ApiKeyScope::Moderate, ApiKeyScope::Moderate)
        )
    }
}

/// A merchant API key as the merchant API lists it: never the key itself, which is stored only
/// as a hash and shown once, when created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApiKeyInfo {
    pub name: String,
    #[serde(default)]
    pub scope: ApiKeyScope,
    /// Unix milliseconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The body of `POST /v1/admin/keys`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewApiKey {
    #[serde(default)]
    pub name: Option<String>,
    /// `full` (the default), `read` or `moderate`.
    #[serde(default)]
    pub scope: Option<String>,
}

impl NewApiKey {
    /// Key names follow the id rule (1–64 characters of `[A-Za-z0-9._-]`); the scope is one of
    /// [`ApiKeyScope`]'s, `full` when left out.
    pub fn validate(&self) -> Result<(crate::Id, ApiKeyScope), FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = match self.name.as_deref().map(crate::Id::parse) {
            Some(Ok(name)) => Some(name),
            Some(Err(_)) => {
                errors.push("name", FieldProblem::InvalidId);
                None
            }
            None => {
                errors.push("name", FieldProblem::Required);
                None
            }
        };
        let scope = match self.scope.as_deref() {
            None => Some(ApiKeyScope::Full),
            Some(given) => {
                let scope = ApiKeyScope::parse(given);
                if scope.is_none() {
                    errors.push("scope", FieldProblem::NotAChoice);
                }
                scope
            }
        };
        match (name, scope) {
            (Some(name), Some(scope)) => Ok((name, scope)),
            _ => Err(errors),
        }
    }
}

/// The answer to `POST /v1/admin/keys` (201): the only time the key is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreatedApiKey {
    pub name: String,
    #[serde(default)]
    pub scope: ApiKeyScope,
    pub key: String,
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn key_names_follow_the_id_rule() {
        assert!(
            NewApiKey {
                name: Some("ci-deploy".into()),
                scope: None,
            }
            .validate()
            .map(|(_, scope)| scope)
                == Ok(ApiKeyScope::Full)
        );
        assert_eq!(
            NewApiKey {
                name: None,
                scope: None
            }
            .validate()
            .unwrap_err()
            .get("name"),
            Some(FieldProblem::Required)
        );
        assert_eq!(
            NewApiKey {
                name: Some("two words".into()),
                scope: None,
            }
            .validate()
            .unwrap_err()
            .get("name"),
            Some(FieldProblem::InvalidId)
        );
    }

    #[test]
    fn scopes_allow_what_they_say() {
        use ApiKeyScope::*;
        assert!(Full.allows(Full) && Full.allows(Moderate) && Full.allows(Read));
        assert!(Moderate.allows(Moderate) && Moderate.allows(Read) && !Moderate.allows(Full));
        assert!(Read.allows(Read) && !Read.allows(Moderate) && !Read.allows(Full));
        let scoped = |scope: &str| {
            NewApiKey {
                name: Some("helper".into()),
                scope: Some(scope.into()),
            }
            .validate()
        };
        assert_eq!(scoped("read").map(|(_, s)| s), Ok(Read));
        assert_eq!(scoped("moderate").map(|(_, s)| s), Ok(Moderate));
        assert_eq!(
            scoped("admin").unwrap_err().get("scope"),
            Some(FieldProblem::NotAChoice)
        );
    }
}

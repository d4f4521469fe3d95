//! A shop's settings as the merchant API reads and writes them (`/v1/admin/shop`).

use crate::text::{FieldErrors, FieldProblem};
use serde::{Deserialize, Serialize};

/// How many origins one shop may allow (each is a row the edge reads on every write).
pub const MAX_ALLOWED_ORIGINS: usize = 20;
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopSettings {
    pub id: String,
    /// Origins whose pages may write to the shop's public endpoints, e.g. `https://shop.example`.
    pub allowed_origins: Vec<String>,
}

/// The body of `PUT /v1/admin/shop`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShopUpdate {
    #[serde(default)]
    pub allowed_origins: Option<Vec<String>>,
}

impl ShopUpdate {
    /// Returns the origins to allow, deduplicated, in the order given.
    pub fn validate(&self) -> Result<Vec<String>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let Some(origins) = &self.allowed_origins else {
            errors.push("allowed_origins", FieldProblem::Required);
            return Err(errors);
        };
        if origins.len() > MAX_ALLOWED_ORIGINS {
            errors.push(
                "allowed_origins",
                FieldProblem::TooLong {
                    max: MAX_ALLOWED_ORIGINS,
                },
            );
            return Err(errors);
        }
        if !origins.iter().all(|o| is_valid_origin(o)) {
            errors.push("allowed_origins", FieldProblem::NotAnOrigin);
            return Err(errors);
        }
        let mut unique: Vec<String> = Vec::with_capacity(origins.len());
        for o in origins {
            if !unique.contains(o) {
                unique.push(o.clone());
            }
        }
        Ok(unique)
    }
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
        };
        assert_eq!(u.validate().unwrap(), vec!["https://a.b".to_string()]);
        let many = ShopUpdate {
            allowed_origins: Some((0..21).map(|i| format!("https://s{i}.b")).collect()),
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
        };
        assert_eq!(
            bad.validate().unwrap_err().get("allowed_origins"),
            Some(FieldProblem::NotAnOrigin)
        );
    }
}

/// A merchant API key as the merchant API lists it: never the key itself, which is stored only
/// as a hash and shown once, when created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The body of `POST /v1/admin/keys`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewApiKey {
    #[serde(default)]
    pub name: Option<String>,
}

impl NewApiKey {
    /// Key names follow the id rule (1–64 characters of `[A-Za-z0-9._-]`).
    pub fn validate(&self) -> Result<crate::Id, FieldErrors> {
        let mut errors = FieldErrors::default();
        match self.name.as_deref().map(crate::Id::parse) {
            Some(Ok(name)) => return Ok(name),
            Some(Err(_)) => errors.push("name", FieldProblem::InvalidId),
            None => errors.push("name", FieldProblem::Required),
        }
        Err(errors)
    }
}

/// The answer to `POST /v1/admin/keys` (201): the only time the key is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub name: String,
    pub key: String,
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn key_names_follow_the_id_rule() {
        assert!(
            NewApiKey {
                name: Some("ci-deploy".into())
            }
            .validate()
            .is_ok()
        );
        assert_eq!(
            NewApiKey { name: None }.validate().unwrap_err().get("name"),
            Some(FieldProblem::Required)
        );
        assert_eq!(
            NewApiKey {
                name: Some("two words".into())
            }
            .validate()
            .unwrap_err()
            .get("name"),
            Some(FieldProblem::InvalidId)
        );
    }
}

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
            errors.push("allowed_origins", FieldProblem::TooLong { max: MAX_ALLOWED_ORIGINS });
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
        !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n))
    });
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_as_browsers_send_them() {
        for ok in ["https://shop.example", "http://127.0.0.1:8080", "https://xn--rn-fka.com.tr"] {
            assert!(is_valid_origin(ok), "{ok}");
        }
        for bad in ["", "shop.example", "https://", "https://shop.example/", "ftp://a.b",
            "https://Shop.example", "https://a.b:0", "https://a.b:99999", "https://a.b:x",
            "javascript:alert(1)", "https://a b", "null", "*"] {
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
            ShopUpdate::default().validate().unwrap_err().get("allowed_origins"),
            Some(FieldProblem::Required)
        );
        let bad = ShopUpdate { allowed_origins: Some(vec!["https://a.b/path".into()]) };
        assert_eq!(
            bad.validate().unwrap_err().get("allowed_origins"),
            Some(FieldProblem::NotAnOrigin)
        );
    }
}

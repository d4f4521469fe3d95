//! Merchant ids (shop, product, order): the merchant's own, 1–64 characters of `[A-Za-z0-9._-]`.

use std::fmt;

pub const ID_MAX_LEN: usize = 64;

/// A validated merchant id. Construct with [`Id::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    Empty,
    TooLong,
    BadCharacter,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdError::Empty => "must not be empty",
            IdError::TooLong => "must be at most 64 characters",
            IdError::BadCharacter => "may contain only letters A-Z a-z, digits, '.', '_' and '-'",
        })
    }
}

impl Id {
    pub fn parse(raw: &str) -> Result<Id, IdError> {
        if raw.is_empty() {
            return Err(IdError::Empty);
        }
        if raw.len() > ID_MAX_LEN {
            return Err(IdError::TooLong);
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(IdError::BadCharacter);
        }
        Ok(Id(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_merchant_style_ids() {
        for ok in ["a", "SKU-123", "shoe_42.blue", &"x".repeat(64)] {
            assert_eq!(Id::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_empty_long_and_foreign_characters() {
        assert_eq!(Id::parse(""), Err(IdError::Empty));
        assert_eq!(Id::parse(&"x".repeat(65)), Err(IdError::TooLong));
        for bad in ["a b", "a/b", "ürün", "a%2Fb", "<script>", "a\0", "..\\x"] {
            assert_eq!(Id::parse(bad), Err(IdError::BadCharacter), "{bad:?}");
        }
    }
}

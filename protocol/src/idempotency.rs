//! Idempotency keys: every write carries an `Idempotency-Key` header, a UUID chosen by the
//! client, so that a retry after a lost answer stores nothing twice.

pub const HEADER: &str = "Idempotency-Key";

/// How long the edge remembers a key and its first answer, in milliseconds (at least 24 hours).
pub const RETENTION_MS: i64 = 48 * 60 * 60 * 1000;

/// Whether `key` is a UUID in its canonical text form (any version, either case).
pub fn is_valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_keys() {
        assert!(is_valid_key("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(is_valid_key("0F8FAD5B-D9CB-469F-A165-70867728950E"));
    }

    #[test]
    fn other_strings_are_not() {
        for bad in [
            "",
            "retry-1",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "0f8fad5b-d9cb-469f-a165-70867728950e1",
            "0f8fad5bxd9cb-469f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-a165-70867728950g",
        ] {
            assert!(!is_valid_key(bad), "{bad:?}");
        }
    }
}

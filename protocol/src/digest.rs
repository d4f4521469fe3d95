//! The one hashing scheme both the edge and `cargo xtask` use for values they must agree on
//! (API key hashes above all): SHA-256 over length-prefixed parts, written as lowercase hex.

use sha2::{Digest, Sha256};

/// Hashes `parts`, each prefixed with its length so that ("ab","c") and ("a","bc") differ.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hex(&hasher.finalize())
}

/// How a merchant API key is stored. Keys are long random strings, so one unsalted hash is
/// enough to make a stolen table useless.
pub fn api_key_hash(key: &str) -> String {
    sha256_hex(&[b"memnun-api-key", key.as_bytes()])
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        assert_ne!(sha256_hex(&[b"ab", b"c"]), sha256_hex(&[b"a", b"bc"]));
        assert_eq!(sha256_hex(&[b"x"]).len(), 64);
    }

    #[test]
    fn api_key_hash_is_stable() {
        // Stored hashes must survive releases: this value is what the edge looks up.
        assert_eq!(
            api_key_hash("mk_test"),
            sha256_hex(&[b"memnun-api-key", b"mk_test"])
        );
        assert_ne!(api_key_hash("mk_test"), api_key_hash("mk_tesT"));
    }

    #[test]
    fn hex_is_lowercase_two_digits_per_byte() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}

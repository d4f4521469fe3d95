//! Sealing what memnun must not keep readable: a shopper's email address (kept only while a
//! message may still go to it) and a shop's provider key. AES-256-GCM with a key the deployment
//! holds as a Worker secret (`OUTREACH_KEY`, 32 random bytes in base64), never in D1: a copy of
//! the database alone reads no address.
//!
//! A sealed value names its key (`v1.<key id>.<nonce and ciphertext, base64url>`), so the key can
//! be rotated: the new key seals, the previous one (`OUTREACH_KEY_PREVIOUS`) still opens until
//! what it sealed is gone or sealed again. Each value is bound to where it is kept (`context`,
//! e.g. the shop and order): a sealed address copied onto another order does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

const VERSION: &str = "v1";
pub const NONCE_BYTES: usize = 12;

/// Why a key could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// Not base64 of exactly 32 bytes.
    NotAKey,
}

/// The keys a deployment holds: the first seals, every one opens.
pub struct Keyring {
    keys: Vec<(String, Aes256Gcm)>,
}

fn key_id(key: &[u8]) -> String {
    crate::digest::sha256_hex(&[b"memnun-seal", key])[..8].to_owned()
}

fn read_key(secret: &str) -> Result<(String, Aes256Gcm), KeyProblem> {
    let bytes = STANDARD
        .decode(secret.trim())
        .map_err(|_| KeyProblem::NotAKey)?;
    if bytes.len() != 32 {
        return Err(KeyProblem::NotAKey);
    }
    let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| KeyProblem::NotAKey)?;
    Ok((key_id(&bytes), cipher))
}

impl Keyring {
    /// The current key, and the one it replaced while values it sealed remain.
    pub fn new(current: &str, previous: Option<&str>) -> Result<Keyring, KeyProblem> {
        let mut keys = vec![read_key(current)?];
        if let Some(previous) = previous.filter(|p| !p.trim().is_empty()) {
            keys.push(read_key(previous)?);
        }
        Ok(Keyring { keys })
    }

    /// `plain` sealed with the current key for `context`, with a fresh random `nonce` (the
    /// caller's CSPRNG: never the same twice under one key).
    pub fn seal(&self, plain: &str, context: &str, nonce: [u8; NONCE_BYTES]) -> String {
        let (id, cipher) = &self.keys[0];
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: context.as_bytes(),
        };
        // Encryption fails only for inputs past GCM's 64 GiB limit.
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{VERSION}.{id}.{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// What `sealed` holds, if a key of this ring sealed it for `context` and nothing changed it.
    pub fn open(&self, sealed: &str, context: &str) -> Option<String> {
        let mut parts = sealed.splitn(3, '.');
        let (version, id, body) = (parts.next()?, parts.next()?, parts.next()?);
        if version != VERSION {
            return None;
        }
        let (_, cipher) = self.keys.iter().find(|(k, _)| k == id)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let payload = Payload {
            msg: sealed,
            aad: context.as_bytes(),
        };
        let plain = cipher.decrypt(Nonce::from_slice(nonce), payload).ok()?;
        String::from_utf8(plain).ok()
    }

    /// How every value the current key seals begins: anything else is to be sealed again.
    pub fn current_prefix(&self) -> String {
        format!("{VERSION}.{}.", self.keys[0].0)
    }

    /// How every value the previous key sealed begins, while there is one.
    pub fn previous_prefix(&self) -> Option<String> {
        self.keys.get(1).map(|(id, _)| format!("{VERSION}.{id}."))
    }

    /// Whether there is a previous key, whose values are to be sealed again.
    pub fn rotating(&self) -> bool {
        self.keys.len() > 1
    }

    /// Whether `sealed` was sealed with a key other than the current one (to seal it again).
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.keys[0].0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const NEW: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    #[test]
    fn a_sealed_address_opens_only_where_it_was_sealed() {
        let ring = Keyring::new(OLD, None).expect("key");
        let sealed = ring.seal("ayse@example.com", "shop-a/1001", [7; NONCE_BYTES]);
        assert!(!sealed.contains("ayse"));
        assert_eq!(
            ring.open(&sealed, "shop-a/1001").as_deref(),
            Some("ayse@example.com")
        );
        assert_eq!(ring.open(&sealed, "shop-a/1002"), None, "another order");
        assert_eq!(ring.open(&sealed, "shop-b/1001"), None, "another shop");
        let mut changed = sealed.clone().into_bytes();
        let last = changed.len() - 3;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).expect("ascii");
        assert_eq!(ring.open(&changed, "shop-a/1001"), None, "tampered");
    }

    #[test]
    fn a_rotated_key_still_opens_what_the_previous_one_sealed() {
        let before = Keyring::new(OLD, None).expect("key");
        let sealed = before.seal("can@example.com", "c", [1; NONCE_BYTES]);
        let after = Keyring::new(NEW, Some(OLD)).expect("keys");
        assert_eq!(after.open(&sealed, "c").as_deref(), Some("can@example.com"));
        assert!(after.is_stale(&sealed));
        assert!(after.rotating() && !before.rotating());
        assert!(!sealed.starts_with(&after.current_prefix()));
        assert!(sealed.starts_with(&after.previous_prefix().expect("rotating")));
        assert_eq!(before.previous_prefix(), None);
        let resealed = after.seal("can@example.com", "c", [2; NONCE_BYTES]);
        assert!(!after.is_stale(&resealed));
        assert!(resealed.starts_with(&after.current_prefix()));
        let only_new = Keyring::new(NEW, None).expect("key");
        assert_eq!(only_new.open(&sealed, "c"), None, "the old key retired");
        assert_eq!(
            only_new.open(&resealed, "c").as_deref(),
            Some("can@example.com")
        );
    }

    #[test]
    fn a_key_is_32_bytes_of_base64() {
        assert_eq!(
            Keyring::new("c2hvcnQ=", None).err(),
            Some(KeyProblem::NotAKey)
        );
        assert_eq!(
            Keyring::new("not base64!", None).err(),
            Some(KeyProblem::NotAKey)
        );
        assert_eq!(
            Keyring::new(NEW, Some("x")).err(),
            Some(KeyProblem::NotAKey)
        );
        assert!(Keyring::new(NEW, Some("")).is_ok());
    }
}

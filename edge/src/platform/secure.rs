//! Hashing and randomness: SHA-256 for API keys, client addresses and request bodies; the
//! runtime's CSPRNG for ids.

use crate::platform::error::ApiError;
use memnun_protocol::digest::hex;
pub use memnun_protocol::digest::sha256_hex;

pub fn random_hex(bytes: usize) -> Result<String, ApiError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(hex(&buf))
}

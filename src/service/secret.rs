//! Unguessable secrets (session ids, API tokens, progress links) and their stored digests.
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// 244 random bits as 64 hex digits.
pub fn new_secret() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// SHA-256, hex. Enough for high-entropy secrets (unlike passwords, they cannot be guessed).
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 of `value` under `key`, hex: a stable way to match a value (a citizen ID number)
/// without keeping it. Without the key, the stored hash cannot be turned back into the number by
/// trying every possible one.
pub fn keyed_hash(key: &[u8], value: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_long_and_distinct_and_digests_are_stable() {
        let a = super::new_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, super::new_secret());
        assert_eq!(super::digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        // RFC 4231, test case 2.
        assert_eq!(
            super::keyed_hash(b"Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

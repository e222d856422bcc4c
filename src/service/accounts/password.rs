//! Passwords: parsed at the boundary (length, not among common ones), hashed with argon2id off the
//! async threads, and checked in the same time whether or not the user exists.
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::i18n::Text;
use crate::{Error, Result};

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// A password that passed the rules. Its text never reaches a log (Debug hides it).
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    pub fn parse(text: &str) -> Result<Password> {
        let length = text.chars().count();
        if length < 8 {
            return Err(Error::invalid("password", Text::PasswordTooShort));
        }
        // argon2 hashes anything, but a megabyte password is an attack, not a password.
        if length > 128 {
            return Err(Error::invalid("password", Text::PasswordTooLong));
        }
        let lower = text.to_lowercase();
        let common = COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .any(|common| common == lower);
        if common {
            return Err(Error::invalid("password", Text::PasswordTooCommon));
        }
        Ok(Password(text.to_string()))
    }

    /// The argon2id hash (PHC string), computed on a blocking thread.
    pub async fn hash(self) -> Result<String> {
        let _permit = hashing_permit().await?;
        tokio::task::spawn_blocking(move || hash_blocking(&self.0)).await.map_err(|_| Error::Internal)?
    }
}

/// Hashes computed at once, process-wide: each argon2id hash takes 19 MiB and a core for a while,
/// so an anonymous burst of sign-ins must queue rather than take gigabytes.
pub const MAX_HASHES_IN_FLIGHT: usize = 4;
/// How long a sign-in waits for a turn before it is told to come back (503 with Retry-After).
const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_HASHES_IN_FLIGHT);

/// A turn to hash, or `Error::Busy` when none comes within HASH_WAIT.
pub async fn hashing_permit() -> Result<tokio::sync::SemaphorePermit<'static>> {
    turn(&HASHING, HASH_WAIT).await
}

async fn turn(
    turns: &'static tokio::sync::Semaphore,
    wait: std::time::Duration,
) -> Result<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(wait, turns.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(Error::Busy(wait.as_secs().max(1) as u32)),
    }
}

fn hash_blocking(password: &str) -> Result<String> {
    // 16 bytes from the OS generator (uuid v4), as argon2 recommends.
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes()).map_err(|_| Error::Internal)?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(|err| {
        tracing::error!(error = %err, "argon2 hashing failed");
        Error::Internal
    })
}

/// Hash of a password nobody knows, checked when the user does not exist, so both answers take as long.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&uuid::Uuid::new_v4().to_string()).unwrap_or_default());

/// True when `password` matches `hash`; with `None` it checks the dummy hash and answers false.
/// The caller holds a `hashing_permit` (taken before the attempt is recorded, so a busy server
/// does not spend anyone's attempts).
pub async fn verify(_permit: &tokio::sync::SemaphorePermit<'static>, password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_common_passwords_are_refused() {
        assert_eq!(Password::parse("1234567").unwrap_err().field_problem("password"), Some(Text::PasswordTooShort));
        assert_eq!(
            Password::parse(&"a".repeat(129)).unwrap_err().field_problem("password"),
            Some(Text::PasswordTooLong)
        );
        assert_eq!(Password::parse("MatKhau123").unwrap_err().field_problem("password"), Some(Text::PasswordTooCommon));
        assert_eq!(Password::parse("12345678").unwrap_err().field_problem("password"), Some(Text::PasswordTooCommon));
        assert!(Password::parse("đồng-lúa-xanh-2026").is_ok());
        assert_eq!(format!("{:?}", Password::parse("đồng-lúa-xanh-2026").unwrap()), "Password(…)");
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let hash = Password::parse("đồng-lúa-xanh-2026").unwrap().hash().await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let permit = hashing_permit().await.unwrap();
        assert!(verify(&permit, "đồng-lúa-xanh-2026".into(), Some(hash.clone())).await);
        assert!(!verify(&permit, "dong-lua-xanh-2026".into(), Some(hash)).await);
        assert!(!verify(&permit, "anything".into(), None).await);
    }

    #[tokio::test]
    async fn hashes_in_flight_are_capped_and_the_next_is_told_to_come_back() {
        static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_HASHES_IN_FLIGHT);
        let wait = std::time::Duration::from_millis(50);
        let mut held = Vec::new();
        for _ in 0..MAX_HASHES_IN_FLIGHT {
            held.push(turn(&TURNS, wait).await.unwrap());
        }
        // A fifth hash waits its while, then is answered 503 with Retry-After.
        assert_eq!(turn(&TURNS, wait).await.unwrap_err(), Error::Busy(1));
        drop(held);
        assert!(turn(&TURNS, wait).await.is_ok());
    }
}

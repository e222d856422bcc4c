//! Personal progress links. The database keeps only each link's digest, as for sessions and API
//! tokens: a copy of it opens nobody's page. So a link is shown once, when it is made — at
//! registration or renewal — and a lookup by phone and birth date opens the page through a grant
//! of its own that lasts GRANT_LIFETIME, never by revealing the printed link.
use chrono::Duration;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::Result;
use crate::entity::{learner, progress_grant};
use crate::service::now;
use crate::service::secret::{digest, new_secret};

/// How long the page a lookup opens stays open; the lookup can be made again at any time.
pub const GRANT_LIFETIME: Duration = Duration::hours(24);

/// The absolute address of a learner's own page.
pub fn url(public_url: &str, secret: &str) -> String {
    format!("{}/p/{secret}", public_url.trim_end_matches('/'))
}

/// The secret of a progress link as `url` writes it (what the QR code on a learner's card holds),
/// read from any text ending in `/p/<secret>`; None for anything else.
pub fn secret_in(text: &str) -> Option<&str> {
    let (_, secret) = text.trim().rsplit_once("/p/")?;
    let secret = secret.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    (secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())).then_some(secret)
}

/// Where a learner opens their own page without their link, by phone and birth date: what a message
/// to them can carry, since their link is kept hashed and cannot be shown again.
pub fn lookup_url(public_url: &str) -> String {
    format!("{}/tra-cuu", public_url.trim_end_matches('/'))
}

/// Gives the learner a new link and returns it, this once. Their former link and every grant stop working.
pub async fn issue(txn: &impl ConnectionTrait, learner_id: Uuid) -> Result<String> {
    let secret = new_secret();
    learner::Entity::update_many()
        .col_expr(learner::Column::AccessToken, sea_orm::sea_query::Expr::value(Some(digest(&secret))))
        .col_expr(learner::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now()))
        .filter(learner::Column::Id.eq(learner_id))
        .exec(txn)
        .await?;
    revoke_grants(txn, learner_id).await?;
    Ok(secret)
}

/// Ends every page a lookup opened for the learner (a lost card, an erasure).
pub async fn revoke_grants(txn: &impl ConnectionTrait, learner_id: Uuid) -> Result<()> {
    progress_grant::Entity::delete_many().filter(progress_grant::Column::LearnerId.eq(learner_id)).exec(txn).await?;
    Ok(())
}

/// Opens the learner's page for GRANT_LIFETIME and returns its secret. Expired grants go on the way.
pub async fn grant(txn: &impl ConnectionTrait, learner_id: Uuid) -> Result<String> {
    let at = now();
    progress_grant::Entity::delete_many().filter(progress_grant::Column::ExpiresAt.lte(at)).exec(txn).await?;
    let secret = new_secret();
    progress_grant::Entity::insert(progress_grant::ActiveModel {
        digest: Set(digest(&secret)),
        learner_id: Set(learner_id),
        expires_at: Set(at + GRANT_LIFETIME),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(secret)
}

/// The active learner whose page `secret` opens: their link, or a grant that has not expired.
pub async fn learner_of(db: &impl ConnectionTrait, secret: &str) -> Result<Option<learner::Model>> {
    // Secrets are 64 hex digits; anything else is not looked up at all.
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hashed = digest(secret);
    let by_link = learner::Entity::find().filter(learner::Column::AccessToken.eq(&hashed));
    let found = match by_link.filter(learner::Column::Active.eq(true)).one(db).await? {
        Some(found) => Some(found),
        None => match progress_grant::Entity::find_by_id(hashed).one(db).await? {
            Some(grant) if grant.expires_at > now() => {
                learner::Entity::find_by_id(grant.learner_id).filter(learner::Column::Active.eq(true)).one(db).await?
            }
            _ => None,
        },
    };
    Ok(found)
}

/// Whether `secret` is the learner's current link: a card shows a link only to whoever just made it.
pub fn is_link_of(learner: &learner::Model, secret: &str) -> bool {
    learner.access_token.as_deref() == Some(digest(secret).as_str())
}

#[cfg(test)]
mod tests {
    use super::{secret_in, url};

    #[test]
    fn the_secret_is_read_back_from_a_scanned_link_only() {
        let secret = "ab".repeat(32);
        assert_eq!(secret_in(&url("https://hocvuso.vn/", &secret)), Some(secret.as_str()));
        assert_eq!(secret_in(&format!(" http://x/p/{secret}?lang=en ")), Some(secret.as_str()));
        assert_eq!(secret_in("HV-ABC234"), None);
        assert_eq!(secret_in("https://hocvuso.vn/p/abc"), None);
        assert_eq!(secret_in(&format!("https://hocvuso.vn/p/{}", "zz".repeat(32))), None);
    }
}

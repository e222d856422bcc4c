//! People's data on request (Decree 13/2023/NĐ-CP, Law 91/2025/QH15): a learner's data handed over,
//! and erased when they withdraw consent. Erasure keeps the row (placement, enrolments, completions)
//! anonymous, so every count and rate stays exactly as it was, and nobody can find the person again.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;

use crate::auth::Actor;
use crate::entity::{enrolment, learner};
use crate::model::PersonalData;
use crate::service::{audit, enrolments::progress, learners::registration, now};
use crate::{Error, Result};

/// Everything held about a learner in the actor's scope (404 outside it or once erased).
pub async fn export(db: &impl ConnectionTrait, actor: &Actor, code: &str) -> Result<PersonalData> {
    let card = registration::card(db, actor, code, "", None).await?;
    let row = learner::Entity::find_by_id(card.learner.id).one(db).await?.ok_or(Error::NotFound)?;
    let courses = progress::learner_progress(db, actor, code).await?.courses;
    Ok(PersonalData {
        consent_at: row.consent_at,
        citizen_id_hashed: row.citizen_id_hash.is_some(),
        has_progress_link: card.has_progress_link,
        courses,
        history: audit::about(db, "learner", &row.code).await?,
        exported_at: now(),
        learner: card.learner,
    })
}

/// Forgets a learner: name, phone, birth date, personal link, matching keys and certificate numbers
/// go; commune, organisation, team, gender and their enrolments stay, anonymous, and still count.
/// Records who erased and when. 404 outside the actor's scope or when already erased.
pub async fn erase(db: &DatabaseConnection, actor: &Actor, code: &str) -> Result<()> {
    let found = registration::find(db, actor, code).await?;
    let txn = crate::db::write(db).await?;
    let row = learner::Entity::find_by_id(found.id).one(&txn).await?.ok_or(Error::NotFound)?;
    if row.erased_at.is_some() {
        return Err(Error::NotFound);
    }
    let at = now();
    let mut change = row.into_active_model();
    change.full_name = Set(String::new());
    change.name_folded = Set(String::new());
    change.birth_date = Set(None);
    change.phone = Set(None);
    change.access_token = Set(None);
    change.dedup_key = Set(None);
    change.citizen_id_hash = Set(None);
    change.consent_version = Set(None);
    change.consent_at = Set(None);
    change.erased_at = Set(Some(at));
    change.erased_by = Set(Some(actor.label()));
    change.updated_at = Set(at);
    change.update(&txn).await?;
    crate::service::learners::progress_link::revoke_grants(&txn, found.id).await?;
    // A certificate number leads back to a certificate with the person's name on it.
    enrolment::Entity::update_many()
        .col_expr(enrolment::Column::CertificateNo, sea_orm::sea_query::Expr::value(Option::<String>::None))
        .filter(enrolment::Column::LearnerId.eq(found.id))
        .exec(&txn)
        .await?;
    // Statements from MOOC platforms keep nothing of them either, and their platform accounts go.
    crate::service::lrs::statements::forget_learner(&txn, found.id, &found.code).await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::ErasePersonalData,
        audit::Entity::Learner,
        Some(found.code.clone()),
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

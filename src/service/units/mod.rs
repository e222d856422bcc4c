//! Organisations and teams (đội hình): created, edited and deactivated by organisers inside their scope.
pub mod reference;

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::{commune, organisation, team};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{Area, ORGANISATION_KINDS, UnitForm, UnitKind, UnitView};
use crate::service::learners::registration::Directory;
use crate::service::{audit, now};
use crate::text::fold;
use crate::{Error, Result};

/// Trimmed, spaces collapsed, 2–150 characters.
fn parse_unit_name(text: &str) -> Option<String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (2..=150).contains(&name.chars().count()).then_some(name)
}

use crate::week::parse_date;

struct ValidUnit {
    name: String,
    commune: i32,
    kind: Option<String>,
    organisation: Option<organisation::Model>,
    leader_name: Option<String>,
    member_count: i32,
    founded_on: Option<NaiveDate>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Organisation,
    Team,
}

async fn validate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    landing: Area,
    unit: Unit,
    form: &UnitForm,
) -> Result<ValidUnit> {
    actor.account()?;
    let directory = Directory::load(db, actor, landing).await?;
    let mut errors = Vec::new();
    let mut problem = |field: &str, problem: Text| errors.push(FieldError { field: field.into(), problem });
    let name = parse_unit_name(&form.name);
    if name.is_none() {
        problem("name", Text::UnitNameInvalid);
    }
    let commune = directory.commune(&form.commune, None).map_err(|r| problem("commune", r.field_error().problem)).ok();
    let kind = form.kind.as_deref().map(str::trim).filter(|k| !k.is_empty());
    if unit == Unit::Organisation && !kind.is_some_and(|k| ORGANISATION_KINDS.contains(&k)) {
        problem("kind", Text::OrganisationKindInvalid);
    }
    let organisation = match form.organisation.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => {
            let found = directory.organisation(text).cloned();
            if found.is_none() {
                problem("organisation", Text::UnknownOrganisation);
            }
            found
        }
    };
    let member_count = match form.member_count.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(text) => match text.parse::<i32>() {
            Ok(n) if (0..=10_000).contains(&n) => n,
            _ => {
                problem("member_count", Text::MemberCountInvalid);
                0
            }
        },
    };
    let today = now().with_timezone(&crate::week::vietnam()).date_naive();
    let founded_on = match form.founded_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match parse_date(text) {
            Some(date) if date <= today => Some(date),
            _ => {
                problem("founded_on", Text::FoundedOnInvalid);
                None
            }
        },
    };
    let leader_name = form
        .leader_name
        .as_deref()
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty());
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (Some(name), Some(commune)) = (name, commune) else { return Err(Error::Internal) };
    let allowed = actor.may_manage(commune, None)
        || organisation.as_ref().is_some_and(|o| actor.may_manage(o.commune_code, Some(o.id)));
    if !allowed {
        return Err(Error::Forbidden);
    }
    Ok(ValidUnit { name, commune, kind: kind.map(str::to_string), organisation, leader_name, member_count, founded_on })
}

pub async fn create_organisation(
    db: &DatabaseConnection,
    actor: &Actor,
    landing: Area,
    form: &UnitForm,
) -> Result<UnitView> {
    let valid = validate(db, actor, landing, Unit::Organisation, form).await?;
    let at = now();
    let txn = crate::db::write(db).await?;
    let row = organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        name_folded: Set(fold(&valid.name)),
        name: Set(valid.name),
        kind: Set(valid.kind.unwrap_or_default()),
        commune_code: Set(valid.commune),
        parent_id: Set(valid.organisation.map(|o| o.id)),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Create,
        audit::Entity::Organisation,
        Some(row.id.to_string()),
        json!({"after": {"name": row.name, "commune": row.commune_code, "kind": row.kind}}),
    )
    .await?;
    txn.commit().await?;
    Ok(organisation_views(db, vec![row]).await?.remove(0))
}

pub async fn create_team(db: &DatabaseConnection, actor: &Actor, landing: Area, form: &UnitForm) -> Result<UnitView> {
    let valid = validate(db, actor, landing, Unit::Team, form).await?;
    let at = now();
    let txn = crate::db::write(db).await?;
    let row = team::ActiveModel {
        id: Set(Uuid::now_v7()),
        name_folded: Set(fold(&valid.name)),
        name: Set(valid.name),
        commune_code: Set(valid.commune),
        organisation_id: Set(valid.organisation.map(|o| o.id)),
        leader_name: Set(valid.leader_name),
        member_count: Set(valid.member_count),
        founded_on: Set(valid.founded_on),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Create,
        audit::Entity::Team,
        Some(row.id.to_string()),
        json!({"after": {"name": row.name, "commune": row.commune_code}}),
    )
    .await?;
    txn.commit().await?;
    Ok(team_views(db, vec![row]).await?.remove(0))
}

/// Deactivates or reactivates an organisation or a team (nothing is deleted); 404 outside the actor's scope.
pub async fn set_active(db: &DatabaseConnection, actor: &Actor, kind: UnitKind, id: Uuid, active: bool) -> Result<()> {
    actor.account()?;
    let txn = crate::db::write(db).await?;
    let before = match kind {
        UnitKind::Organisation => {
            let row = organisation::Entity::find_by_id(id).one(&txn).await?;
            let row = row.filter(|o| actor.may_manage(o.commune_code, Some(o.id))).ok_or(Error::NotFound)?;
            let before = row.active;
            let mut change = row.into_active_model();
            change.active = Set(active);
            change.updated_at = Set(now());
            change.update(&txn).await?;
            before
        }
        UnitKind::Team => {
            let row = team::Entity::find_by_id(id).one(&txn).await?;
            let row = row.filter(|t| actor.may_manage(t.commune_code, t.organisation_id)).ok_or(Error::NotFound)?;
            let before = row.active;
            let mut change = row.into_active_model();
            change.active = Set(active);
            change.updated_at = Set(now());
            change.update(&txn).await?;
            before
        }
        _ => return Err(Error::NotFound),
    };
    let action = if active { audit::Action::Reactivate } else { audit::Action::Deactivate };
    let detail = json!({"before": {"active": before}, "after": {"active": active}});
    let entity = if kind == UnitKind::Team { audit::Entity::Team } else { audit::Entity::Organisation };
    audit::record(&txn, &actor.label(), action, entity, Some(id.to_string()), detail).await?;
    txn.commit().await?;
    Ok(())
}

/// Rows inside the actor's scope: all for admins; by commune or organisation for organisers.
fn scope<C: ColumnTrait>(actor: &Actor, commune: C, organisation: C) -> Result<Condition> {
    let account = actor.account()?;
    if actor.sees_everything() {
        return Ok(Condition::all());
    }
    Ok(Condition::any()
        .add(commune.is_in(account.scope.communes.iter().copied()))
        .add(organisation.is_in(account.scope.organisations.iter().copied())))
}

pub async fn list_organisations(
    db: &impl ConnectionTrait,
    actor: &Actor,
    commune: Option<i32>,
) -> Result<Vec<UnitView>> {
    let mut query = organisation::Entity::find()
        .filter(scope(actor, organisation::Column::CommuneCode, organisation::Column::Id)?)
        .filter(organisation::Column::Active.eq(true));
    if let Some(code) = commune {
        query = query.filter(organisation::Column::CommuneCode.eq(code));
    }
    organisation_views(db, query.order_by_asc(organisation::Column::NameFolded).all(db).await?).await
}

pub async fn list_teams(db: &impl ConnectionTrait, actor: &Actor, commune: Option<i32>) -> Result<Vec<UnitView>> {
    let mut query = team::Entity::find()
        .filter(scope(actor, team::Column::CommuneCode, team::Column::OrganisationId)?)
        .filter(team::Column::Active.eq(true));
    if let Some(code) = commune {
        query = query.filter(team::Column::CommuneCode.eq(code));
    }
    team_views(db, query.order_by_asc(team::Column::NameFolded).all(db).await?).await
}

async fn names(
    db: &impl ConnectionTrait,
    communes: Vec<i32>,
    organisations: Vec<Uuid>,
) -> Result<(HashMap<i32, String>, HashMap<Uuid, String>)> {
    let communes = commune::Entity::find()
        .filter(commune::Column::Code.is_in(communes))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let organisations = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(organisations))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok((communes, organisations))
}

async fn organisation_views(db: &impl ConnectionTrait, rows: Vec<organisation::Model>) -> Result<Vec<UnitView>> {
    let (communes, parents) =
        names(db, rows.iter().map(|r| r.commune_code).collect(), rows.iter().filter_map(|r| r.parent_id).collect())
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| UnitView {
            id: r.id,
            commune_name: communes.get(&r.commune_code).cloned().unwrap_or_default(),
            organisation_name: r.parent_id.and_then(|p| parents.get(&p).cloned()),
            organisation_id: r.parent_id,
            name: r.name,
            commune_code: r.commune_code,
            kind: Some(r.kind),
            leader_name: None,
            member_count: None,
            founded_on: None,
            active: r.active,
        })
        .collect())
}

async fn team_views(db: &impl ConnectionTrait, rows: Vec<team::Model>) -> Result<Vec<UnitView>> {
    let (communes, organisations) = names(
        db,
        rows.iter().map(|r| r.commune_code).collect(),
        rows.iter().filter_map(|r| r.organisation_id).collect(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| UnitView {
            id: r.id,
            commune_name: communes.get(&r.commune_code).cloned().unwrap_or_default(),
            organisation_name: r.organisation_id.and_then(|o| organisations.get(&o).cloned()),
            organisation_id: r.organisation_id,
            name: r.name,
            commune_code: r.commune_code,
            kind: None,
            leader_name: r.leader_name,
            member_count: Some(r.member_count),
            founded_on: r.founded_on,
            active: r.active,
        })
        .collect())
}

/// Edits an organisation inside the actor's scope (404 outside it); its new place must be in scope too.
pub async fn update_organisation(
    db: &DatabaseConnection,
    actor: &Actor,
    landing: Area,
    id: Uuid,
    form: &UnitForm,
) -> Result<UnitView> {
    let valid = validate(db, actor, landing, Unit::Organisation, form).await?;
    if valid.organisation.as_ref().is_some_and(|parent| parent.id == id) {
        return Err(Error::invalid("organisation", Text::UnknownOrganisation));
    }
    let txn = crate::db::write(db).await?;
    let row = organisation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|o| actor.may_manage(o.commune_code, Some(o.id)))
        .ok_or(Error::NotFound)?;
    let before = json!({"name": row.name, "commune": row.commune_code, "kind": row.kind, "parent": row.parent_id});
    let mut change = row.into_active_model();
    change.name_folded = Set(fold(&valid.name));
    change.name = Set(valid.name);
    change.kind = Set(valid.kind.unwrap_or_default());
    change.commune_code = Set(valid.commune);
    change.parent_id = Set(valid.organisation.map(|o| o.id));
    change.updated_at = Set(now());
    let row = change.update(&txn).await?;
    let after = json!({"name": row.name, "commune": row.commune_code, "kind": row.kind, "parent": row.parent_id});
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Update,
        audit::Entity::Organisation,
        Some(id.to_string()),
        json!({"before": before, "after": after}),
    )
    .await?;
    txn.commit().await?;
    Ok(organisation_views(db, vec![row]).await?.remove(0))
}

/// Edits a team inside the actor's scope (404 outside it). Learners keep counting under the team.
pub async fn update_team(
    db: &DatabaseConnection,
    actor: &Actor,
    landing: Area,
    id: Uuid,
    form: &UnitForm,
) -> Result<UnitView> {
    let valid = validate(db, actor, landing, Unit::Team, form).await?;
    let txn = crate::db::write(db).await?;
    let row = team::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|t| actor.may_manage(t.commune_code, t.organisation_id))
        .ok_or(Error::NotFound)?;
    let before = json!({"name": row.name, "commune": row.commune_code, "organisation": row.organisation_id,
        "leader": row.leader_name, "members": row.member_count, "founded_on": row.founded_on});
    let mut change = row.into_active_model();
    change.name_folded = Set(fold(&valid.name));
    change.name = Set(valid.name);
    change.commune_code = Set(valid.commune);
    change.organisation_id = Set(valid.organisation.map(|o| o.id));
    change.leader_name = Set(valid.leader_name);
    change.member_count = Set(valid.member_count);
    change.founded_on = Set(valid.founded_on);
    change.updated_at = Set(now());
    let row = change.update(&txn).await?;
    let after = json!({"name": row.name, "commune": row.commune_code, "organisation": row.organisation_id,
        "leader": row.leader_name, "members": row.member_count, "founded_on": row.founded_on});
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Update,
        audit::Entity::Team,
        Some(id.to_string()),
        json!({"before": before, "after": after}),
    )
    .await?;
    txn.commit().await?;
    Ok(team_views(db, vec![row]).await?.remove(0))
}

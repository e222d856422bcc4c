//! The course catalogue: MOOC courses the campaign counts. Admins manage it; everyone signed in reads it.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::entity::course;
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{CourseForm, CourseView};
use crate::service::{audit, now};
use crate::{Error, Result};

struct ValidCourse {
    code: String,
    title: String,
    title_en: Option<String>,
    platform: String,
    url: Option<String>,
    hours: i32,
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn validate(form: &CourseForm) -> Result<ValidCourse> {
    let mut errors = Vec::new();
    let mut problem = |field: &str, problem: Text| errors.push(FieldError { field: field.into(), problem });
    let code = form.code.trim().to_uppercase();
    if !(2..=30).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        problem("code", Text::CourseCodeInvalid);
    }
    let title = collapse(&form.title);
    if !(2..=200).contains(&title.chars().count()) {
        problem("title", Text::UnitNameInvalid);
    }
    let platform = collapse(&form.platform);
    if !(2..=100).contains(&platform.chars().count()) {
        problem("platform", Text::UnitNameInvalid);
    }
    let url = form.url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
    if url.as_deref().is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 500) {
        problem("url", Text::CourseUrlInvalid);
    }
    let hours = match form.hours.trim().parse::<i32>() {
        Ok(h) if (0..=1000).contains(&h) => h,
        _ => {
            problem("hours", Text::CourseHoursInvalid);
            0
        }
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let title_en = form.title_en.as_deref().map(collapse).filter(|t| !t.is_empty());
    Ok(ValidCourse { code, title, title_en, platform, url, hours })
}

fn view(row: course::Model) -> CourseView {
    CourseView {
        id: row.id,
        code: row.code,
        title: row.title,
        title_en: row.title_en,
        platform: row.platform,
        url: row.url,
        hours: row.hours,
        active: row.active,
    }
}

pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<CourseView>> {
    if *actor == Actor::Anonymous {
        return Err(Error::Unauthorized);
    }
    Ok(course::Entity::find().order_by_asc(course::Column::Code).all(db).await?.into_iter().map(view).collect())
}

pub async fn find_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<course::Model>> {
    Ok(course::Entity::find().filter(course::Column::Code.eq(code.trim().to_uppercase())).one(db).await?)
}

/// Creates a course (admins only); a code in use is a field problem.
pub async fn create(db: &DatabaseConnection, actor: &Actor, form: &CourseForm) -> Result<CourseView> {
    actor.require_country_admin()?;
    let valid = validate(form)?;
    let txn = crate::db::write(db).await?;
    if find_by_code(&txn, &valid.code).await?.is_some() {
        return Err(Error::invalid("code", Text::CourseCodeTaken));
    }
    let row = course::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(valid.code),
        title: Set(valid.title),
        title_en: Set(valid.title_en),
        platform: Set(valid.platform),
        url: Set(valid.url),
        hours: Set(valid.hours),
        active: Set(form.active.unwrap_or(true)),
        created_at: Set(now()),
        activity_iri: Set(form.activity_iri.as_deref().map(str::trim).filter(|i| !i.is_empty()).map(str::to_string)),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Create,
        audit::Entity::Course,
        Some(row.code.clone()),
        json!({"after": {"title": row.title, "hours": row.hours}}),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row))
}

/// Edits a course (admins only); the code stays.
pub async fn update(db: &DatabaseConnection, actor: &Actor, code: &str, form: &CourseForm) -> Result<CourseView> {
    actor.require_country_admin()?;
    let valid = validate(&CourseForm { code: code.to_string(), ..form.clone() })?;
    let txn = crate::db::write(db).await?;
    let row = find_by_code(&txn, code).await?.ok_or(Error::NotFound)?;
    let before = json!({"title": row.title, "hours": row.hours, "active": row.active, "url": row.url});
    let mut change = row.into_active_model();
    change.title = Set(valid.title);
    change.title_en = Set(valid.title_en);
    change.platform = Set(valid.platform);
    change.url = Set(valid.url);
    change.hours = Set(valid.hours);
    if let Some(active) = form.active {
        change.active = Set(active);
    }
    if let Some(iri) = form.activity_iri.as_deref() {
        change.activity_iri = Set(Some(iri.trim().to_string()).filter(|i| !i.is_empty()));
    }
    let row = change.update(&txn).await?;
    let after = json!({"title": row.title, "hours": row.hours, "active": row.active, "url": row.url});
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Update,
        audit::Entity::Course,
        Some(row.code.clone()),
        json!({"before": before, "after": after}),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row))
}

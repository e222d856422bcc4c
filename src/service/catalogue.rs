//! Courses, organisations and teams: the things learners are counted under.
use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::Result;
use crate::entity::{course, organisation, team};
use crate::service::now;
use crate::text::fold;

pub struct NewCourse {
    pub code: String,
    pub title: String,
    pub title_en: Option<String>,
    pub platform: String,
    pub url: Option<String>,
    pub hours: i32,
}

pub async fn create_course(db: &impl ConnectionTrait, new: NewCourse) -> Result<course::Model> {
    Ok(course::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(new.code),
        title: Set(new.title),
        title_en: Set(new.title_en),
        platform: Set(new.platform),
        url: Set(new.url),
        hours: Set(new.hours),
        active: Set(true),
        created_at: Set(now()),
        activity_iri: Set(None),
    }
    .insert(db)
    .await?)
}

pub struct NewOrganisation {
    pub name: String,
    pub kind: String,
    pub commune: i32,
    pub parent: Option<Uuid>,
}

pub async fn create_organisation(db: &impl ConnectionTrait, new: NewOrganisation) -> Result<organisation::Model> {
    let at = now();
    Ok(organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        name_folded: Set(fold(&new.name)),
        name: Set(new.name),
        kind: Set(new.kind),
        commune_code: Set(new.commune),
        parent_id: Set(new.parent),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?)
}

pub struct NewTeam {
    pub name: String,
    pub commune: i32,
    pub organisation: Option<Uuid>,
    pub leader_name: Option<String>,
    pub member_count: i32,
    pub founded_on: Option<NaiveDate>,
}

pub async fn create_team(db: &impl ConnectionTrait, new: NewTeam) -> Result<team::Model> {
    let at = now();
    Ok(team::ActiveModel {
        id: Set(Uuid::now_v7()),
        name_folded: Set(fold(&new.name)),
        name: Set(new.name),
        commune_code: Set(new.commune),
        organisation_id: Set(new.organisation),
        leader_name: Set(new.leader_name),
        member_count: Set(new.member_count),
        founded_on: Set(new.founded_on),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?)
}

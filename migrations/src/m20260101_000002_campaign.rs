//! The campaign: organisations, teams (đội hình), learners, courses, enrolments, targets,
//! the audit log and the statistics counters that dashboards read.
use sea_orm_migration::prelude::*;

use crate::m20260101_000001_admin_units::Commune;

#[derive(DeriveIden)]
enum Organisation {
    Table,
    Id,
    Name,
    NameFolded,
    Kind,
    CommuneCode,
    ParentId,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Team {
    Table,
    Id,
    Name,
    NameFolded,
    CommuneCode,
    OrganisationId,
    LeaderName,
    MemberCount,
    FoundedOn,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Learner {
    Table,
    Id,
    Code,
    FullName,
    NameFolded,
    BirthDate,
    Gender,
    Phone,
    CommuneCode,
    OrganisationId,
    TeamId,
    AccessToken,
    ConsentVersion,
    ConsentAt,
    RegisteredBy,
    DedupKey,
    Active,
    CreatedAt,
    CreatedWeek,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Course {
    Table,
    Id,
    Code,
    Title,
    TitleEn,
    Platform,
    Url,
    Hours,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Enrolment {
    Table,
    Id,
    LearnerId,
    CourseId,
    Status,
    Progress,
    EnrolledAt,
    EnrolledWeek,
    CompletedAt,
    CompletedWeek,
    Score,
    CertificateNo,
    Source,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Target {
    Table,
    Id,
    UnitKind,
    UnitId,
    Period,
    Metric,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Actor,
    Action,
    Entity,
    EntityId,
    Detail,
}

#[derive(DeriveIden)]
enum StatCounter {
    Table,
    UnitKind,
    UnitId,
    CourseId,
    Week,
    Enrolled,
    Completed,
    Learners,
}

#[derive(DeriveIden)]
enum AppMeta {
    Table,
    Key,
    Value,
}

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000002_campaign"
    }
}

fn created_at<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).to_owned();
    for col in cols {
        index.col(Alias::new(*col));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisation::Table)
                    .col(ColumnDef::new(Organisation::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Organisation::Name).string().not_null())
                    .col(ColumnDef::new(Organisation::NameFolded).string().not_null())
                    .col(ColumnDef::new(Organisation::Kind).string().not_null())
                    .col(ColumnDef::new(Organisation::CommuneCode).integer().not_null())
                    .col(ColumnDef::new(Organisation::ParentId).uuid().null())
                    .col(ColumnDef::new(Organisation::Active).boolean().not_null())
                    .col(created_at(Organisation::CreatedAt))
                    .col(created_at(Organisation::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Organisation::Table, Organisation::CommuneCode)
                            .to(Commune::Table, Commune::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Organisation::Table, Organisation::ParentId)
                            .to(Organisation::Table, Organisation::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_organisation_commune", Organisation::Table, &["commune_code"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Team::Table)
                    .col(ColumnDef::new(Team::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Team::Name).string().not_null())
                    .col(ColumnDef::new(Team::NameFolded).string().not_null())
                    .col(ColumnDef::new(Team::CommuneCode).integer().not_null())
                    .col(ColumnDef::new(Team::OrganisationId).uuid().null())
                    .col(ColumnDef::new(Team::LeaderName).string().null())
                    .col(ColumnDef::new(Team::MemberCount).integer().not_null())
                    .col(ColumnDef::new(Team::FoundedOn).date().null())
                    .col(ColumnDef::new(Team::Active).boolean().not_null())
                    .col(created_at(Team::CreatedAt))
                    .col(created_at(Team::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create().from(Team::Table, Team::CommuneCode).to(Commune::Table, Commune::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Team::Table, Team::OrganisationId)
                            .to(Organisation::Table, Organisation::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_team_commune", Team::Table, &["commune_code"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Learner::Table)
                    .col(ColumnDef::new(Learner::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Learner::Code).string().not_null().unique_key())
                    .col(ColumnDef::new(Learner::FullName).string().not_null())
                    .col(ColumnDef::new(Learner::NameFolded).string().not_null())
                    .col(ColumnDef::new(Learner::BirthDate).date().null())
                    .col(ColumnDef::new(Learner::Gender).string().not_null())
                    .col(ColumnDef::new(Learner::Phone).string().null())
                    .col(ColumnDef::new(Learner::CommuneCode).integer().not_null())
                    .col(ColumnDef::new(Learner::OrganisationId).uuid().null())
                    .col(ColumnDef::new(Learner::TeamId).uuid().null())
                    .col(ColumnDef::new(Learner::AccessToken).string().null().unique_key())
                    .col(ColumnDef::new(Learner::ConsentVersion).string().null())
                    .col(ColumnDef::new(Learner::ConsentAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Learner::RegisteredBy).uuid().null())
                    // phone + folded name + birth date: one person is never registered twice.
                    .col(ColumnDef::new(Learner::DedupKey).string().null().unique_key())
                    .col(ColumnDef::new(Learner::Active).boolean().not_null())
                    .col(created_at(Learner::CreatedAt))
                    .col(ColumnDef::new(Learner::CreatedWeek).integer().not_null())
                    .col(created_at(Learner::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Learner::Table, Learner::CommuneCode)
                            .to(Commune::Table, Commune::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Learner::Table, Learner::OrganisationId)
                            .to(Organisation::Table, Organisation::Id),
                    )
                    .foreign_key(ForeignKey::create().from(Learner::Table, Learner::TeamId).to(Team::Table, Team::Id))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_learner_commune", Learner::Table, &["commune_code"])).await?;
        manager.create_index(index("idx_learner_team", Learner::Table, &["team_id"])).await?;
        manager.create_index(index("idx_learner_organisation", Learner::Table, &["organisation_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Course::Table)
                    .col(ColumnDef::new(Course::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Course::Code).string().not_null().unique_key())
                    .col(ColumnDef::new(Course::Title).string().not_null())
                    .col(ColumnDef::new(Course::TitleEn).string().null())
                    .col(ColumnDef::new(Course::Platform).string().not_null())
                    .col(ColumnDef::new(Course::Url).string().null())
                    .col(ColumnDef::new(Course::Hours).integer().not_null())
                    .col(ColumnDef::new(Course::Active).boolean().not_null())
                    .col(created_at(Course::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Enrolment::Table)
                    .col(ColumnDef::new(Enrolment::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Enrolment::LearnerId).uuid().not_null())
                    .col(ColumnDef::new(Enrolment::CourseId).uuid().not_null())
                    .col(ColumnDef::new(Enrolment::Status).string().not_null())
                    .col(ColumnDef::new(Enrolment::Progress).integer().not_null())
                    .col(created_at(Enrolment::EnrolledAt))
                    // ISO week (Vietnam time) as yyyyww, kept beside the timestamp so counters group cheaply.
                    .col(ColumnDef::new(Enrolment::EnrolledWeek).integer().not_null())
                    .col(ColumnDef::new(Enrolment::CompletedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Enrolment::CompletedWeek).integer().null())
                    .col(ColumnDef::new(Enrolment::Score).double().null())
                    .col(ColumnDef::new(Enrolment::CertificateNo).string().null())
                    .col(ColumnDef::new(Enrolment::Source).string().not_null())
                    .col(created_at(Enrolment::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrolment::Table, Enrolment::LearnerId)
                            .to(Learner::Table, Learner::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(Enrolment::Table, Enrolment::CourseId).to(Course::Table, Course::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_enrolment_learner_course", Enrolment::Table, &["learner_id", "course_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_enrolment_course", Enrolment::Table, &["course_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Target::Table)
                    .col(ColumnDef::new(Target::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Target::UnitKind).string().not_null())
                    .col(ColumnDef::new(Target::UnitId).string().not_null())
                    .col(ColumnDef::new(Target::Period).string().not_null())
                    .col(ColumnDef::new(Target::Metric).string().not_null())
                    .col(ColumnDef::new(Target::Value).big_integer().not_null())
                    .col(created_at(Target::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_target_unit_period_metric", Target::Table, &["unit_kind", "unit_id", "period", "metric"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    .col(created_at(AuditLog::At))
                    .col(ColumnDef::new(AuditLog::Actor).string().null())
                    .col(ColumnDef::new(AuditLog::Action).string().not_null())
                    .col(ColumnDef::new(AuditLog::Entity).string().not_null())
                    .col(ColumnDef::new(AuditLog::EntityId).string().null())
                    .col(ColumnDef::new(AuditLog::Detail).text().null())
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_audit_log_at", AuditLog::Table, &["at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(StatCounter::Table)
                    .col(ColumnDef::new(StatCounter::UnitKind).string().not_null())
                    .col(ColumnDef::new(StatCounter::UnitId).string().not_null())
                    // '' = all courses; week 0 = all time.
                    .col(ColumnDef::new(StatCounter::CourseId).string().not_null())
                    .col(ColumnDef::new(StatCounter::Week).integer().not_null())
                    .col(ColumnDef::new(StatCounter::Enrolled).big_integer().not_null())
                    .col(ColumnDef::new(StatCounter::Completed).big_integer().not_null())
                    .col(ColumnDef::new(StatCounter::Learners).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(StatCounter::UnitKind)
                            .col(StatCounter::UnitId)
                            .col(StatCounter::CourseId)
                            .col(StatCounter::Week),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppMeta::Table)
                    .col(ColumnDef::new(AppMeta::Key).string().not_null().primary_key())
                    .col(ColumnDef::new(AppMeta::Value).string().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AppMeta::Table.into_iden(),
            StatCounter::Table.into_iden(),
            AuditLog::Table.into_iden(),
            Target::Table.into_iden(),
            Enrolment::Table.into_iden(),
            Course::Table.into_iden(),
            Learner::Table.into_iden(),
            Team::Table.into_iden(),
            Organisation::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

//! Enrolments and completions as organisers and platforms record them: each moves the counters by exactly one.
use hocvuso::Error;
use hocvuso::auth::{Actor, TokenActor, TokenScope};
use hocvuso::i18n::Text;
use hocvuso::model::{CompletionReport, CourseForm, EnrolmentStatus, Source, UnitKind};
use hocvuso::on_both_databases;
use hocvuso::service::statistics::{CounterKey, Tally};
use hocvuso::service::{enrolments::courses, enrolments::progress, learners::registration, statistics};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::registration::{admin, form, organiser};

fn token(scope: TokenScope) -> Actor {
    Actor::Token(TokenActor { id: Uuid::now_v7(), name: "moodle".into(), scope })
}

/// Enrolled and completed for a unit, all courses, all time.
async fn tally(db: &DatabaseConnection, unit_kind: UnitKind, unit_id: &str) -> (i64, i64) {
    let key = CounterKey {
        unit_kind,
        unit_id: unit_id.into(),
        course_id: String::new(),
        week: 0,
        learner_group: String::new(),
    };
    let Tally { enrolled, completed, .. } =
        statistics::stored(db).await.unwrap().get(&key).copied().unwrap_or_default();
    (enrolled, completed)
}

/// The course KNS-01 and Lò Văn Pao in Xã Khao Mang; his learner code.
pub async fn setup(db: &DatabaseConnection) -> String {
    let course = CourseForm {
        code: "kns-01".into(),
        title: "Kỹ năng số cơ bản".into(),
        platform: "onething.vn".into(),
        hours: "8".into(),
        ..CourseForm::default()
    };
    courses::create(db, &admin(), &course).await.unwrap();
    registration::register(
        db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Lò Văn Pao", "0362 000 111", "4465"),
    )
    .await
    .unwrap()
    .learner
    .code
}

fn report(code: &str, at: &str) -> CompletionReport {
    CompletionReport {
        learner_code: code.into(),
        course_code: "KNS-01".into(),
        completed_at: at.into(),
        score: Some(86.5),
        certificate_no: Some("CC-1".into()),
    }
}

async fn every_way_of_recording_moves_the_counters_by_exactly_one(db: DatabaseConnection) {
    let code = setup(&db).await;
    let khao_mang = organiser(&[4465]);
    let (enrolled, created) = progress::enrol(&db, &khao_mang, &code, "kns-01", Source::Form).await.unwrap();
    assert!(created);
    assert_eq!(enrolled.status, EnrolmentStatus::Enrolled);
    assert_eq!(tally(&db, UnitKind::Commune, "4465").await, (1, 0));
    let (_, again) = progress::enrol(&db, &khao_mang, &code, "KNS-01", Source::Form).await.unwrap();
    assert!(!again, "enrolling twice changes nothing");
    assert_eq!(tally(&db, UnitKind::Commune, "4465").await, (1, 0));

    let done = progress::record_completion(&db, &khao_mang, &report(&code, "20/11/2026"), Source::Form).await.unwrap();
    assert_eq!(
        (done.status, done.score, done.certificate_no.as_deref()),
        (EnrolmentStatus::Completed, Some(86.5), Some("CC-1"))
    );
    assert_eq!(tally(&db, UnitKind::Commune, "4465").await, (1, 1));
    assert_eq!(tally(&db, UnitKind::Province, "15").await, (1, 1));
    // A platform reporting the same completion again: nothing moves.
    progress::record_completion(&db, &token(TokenScope::Ingest), &report(&code, "2026-11-20"), Source::Api)
        .await
        .unwrap();
    assert_eq!(tally(&db, UnitKind::Commune, "4465").await, (1, 1));

    progress::undo_completion(&db, &khao_mang, &code, "KNS-01").await.unwrap();
    assert_eq!(tally(&db, UnitKind::Commune, "4465").await, (1, 0));
    let learner = progress::learner_progress(&db, &khao_mang, &code).await.unwrap();
    assert_eq!((learner.courses[0].status, learner.completion.completed), (EnrolmentStatus::InProgress, 0));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // Who may: not an organiser of another commune (404), not a read-stats token, not the future.
    let other = organiser(&[4456]);
    assert_eq!(
        progress::record_completion(&db, &other, &report(&code, "20/11/2026"), Source::Form).await.unwrap_err(),
        Error::NotFound
    );
    assert_eq!(
        progress::record_completion(&db, &token(TokenScope::ReadStats), &report(&code, "20/11/2026"), Source::Api)
            .await
            .unwrap_err(),
        Error::Forbidden
    );
    let future =
        progress::record_completion(&db, &khao_mang, &report(&code, "01/01/2099"), Source::Form).await.unwrap_err();
    assert_eq!(future.field_problem("completed_at"), Some(Text::CompletedAtInvalid));
    let mut high = report(&code, "20/11/2026");
    high.score = Some(101.0);
    assert_eq!(
        progress::record_completion(&db, &khao_mang, &high, Source::Form).await.unwrap_err().field_problem("score"),
        Some(Text::ScoreInvalid)
    );
    let mut unknown = report(&code, "20/11/2026");
    unknown.course_code = "KHONG-CO".into();
    assert_eq!(
        progress::record_completion(&db, &khao_mang, &unknown, Source::Form)
            .await
            .unwrap_err()
            .field_problem("course_code"),
        Some(Text::UnknownCourse)
    );
    assert_eq!(tally(&db, UnitKind::Commune, "4465").await, (1, 0), "refusals change nothing");
}

on_both_databases!(counters_by_one, every_way_of_recording_moves_the_counters_by_exactly_one);

async fn concurrent_completions_of_one_enrolment_count_once(db: DatabaseConnection) {
    let code = setup(&db).await;
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (db, code) = (db.clone(), code.clone());
            tokio::spawn(async move {
                let actor = if i % 2 == 0 { admin() } else { token(TokenScope::Ingest) };
                progress::record_completion(&db, &actor, &report(&code, "2026-11-20"), Source::Api).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(tally(&db, UnitKind::Commune, "4465").await, (1, 1));
    let learner = progress::learner_progress(&db, &admin(), &code).await.unwrap();
    assert_eq!((learner.courses.len(), learner.completion.completed), (1, 1));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(concurrent_completions, concurrent_completions_of_one_enrolment_count_once);

async fn completion_files_import_once_and_refuse_whole_on_a_bad_row(db: DatabaseConnection) {
    use hocvuso::model::ImportReport;
    use hocvuso::service::imports::completions::import_completions;
    use hocvuso::service::imports::learners::ImportOptions;
    let pao = setup(&db).await;
    let sinh = registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Lò Văn Sính", "0362 000 222", "4465"),
    )
    .await
    .unwrap()
    .learner
    .code;
    registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Giàng Thị Mai", "0362 000 333", "4456"),
    )
    .await
    .unwrap();
    let file = format!(
        "Mã học viên;Số điện thoại;Họ và tên;Mã khóa học;Trạng thái;Tiến độ;Ngày hoàn thành;Điểm;Số chứng chỉ\n\
{pao};;;KNS-01;Hoàn thành;;20/11/2026;8,5;CC-7\n\
{sinh};;;kns-01;đang học;40%;;;\n\
;0362 000 333;giang thi mai;KNS-01;đã đăng ký;;;;\n"
    );
    let options = ImportOptions::default();
    let dry = import_completions(&db, &admin(), file.as_bytes(), &ImportOptions { dry_run: true, ..options.clone() })
        .await
        .unwrap();
    assert_eq!((dry.created, dry.dry_run), (3, true));
    assert_eq!(tally(&db, UnitKind::Province, "15").await, (0, 0), "a dry run writes nothing");
    let done = import_completions(&db, &admin(), file.as_bytes(), &options).await.unwrap();
    assert_eq!(done, ImportReport { created: 3, ..ImportReport::default() });
    assert_eq!(tally(&db, UnitKind::Province, "15").await, (3, 1));
    assert_eq!(tally(&db, UnitKind::Commune, "4456").await, (1, 0));
    let again = import_completions(&db, &admin(), file.as_bytes(), &options).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    let progress = progress::learner_progress(&db, &admin(), &sinh).await.unwrap();
    assert_eq!((progress.courses[0].status, progress.courses[0].progress), (EnrolmentStatus::InProgress, 40));

    let bad = format!(
        "learner_code,course_code,status,completed_at\n\
{sinh},KNS-01,completed,20/11/2026\n\
HV-NOSUCH,KNS-01,completed,20/11/2026\n\
{pao},KHONG-CO,completed,20/11/2026\n\
{sinh},KNS-01,completed,01/01/2099\n\
{sinh},KNS-01,finished,20/11/2026\n"
    );
    let Err(Error::InvalidRows(errors)) = import_completions(&db, &admin(), bad.as_bytes(), &options).await else {
        panic!("expected bad rows");
    };
    let listed: Vec<(u64, &str, Text)> = errors.iter().map(|e| (e.line, e.column.as_str(), e.problem)).collect();
    assert_eq!(
        listed,
        [
            (3, "learner_code", Text::UnknownLearner),
            (4, "course_code", Text::UnknownCourse),
            (5, "completed_at", Text::CompletedAtInvalid),
            (6, "status", Text::StatusInvalid),
        ]
    );
    assert_eq!(tally(&db, UnitKind::Province, "15").await, (3, 1), "the good first row was not written either");
    let out_of_scope = import_completions(&db, &organiser(&[4456]), file.as_bytes(), &options).await.unwrap_err();
    // Learners outside the organiser's scope are answered exactly as learners that do not exist.
    assert!(
        matches!(out_of_scope, Error::InvalidRows(rows) if rows.len() == 2 && rows[0].problem == Text::UnknownLearner)
    );
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(completion_import, completion_files_import_once_and_refuse_whole_on_a_bad_row);

async fn a_whole_team_is_enrolled_at_once_with_counts(db: DatabaseConnection) {
    use hocvuso::model::UnitForm;
    use hocvuso::service::enrolments::progress::{Group, enrol_group};
    use hocvuso::service::units;
    let pao = setup(&db).await;
    let khao_mang = organiser(&[4465]);
    let team = units::create_team(
        &db,
        &khao_mang,
        hocvuso::model::Area::Province(15),
        &UnitForm { name: "Đội hình Khao Mang".into(), commune: "4465".into(), ..UnitForm::default() },
    )
    .await
    .unwrap();
    let mut members = Vec::new();
    for (i, name) in ["Lò Thị Dơ", "Sùng A Páo", "Vàng Thị Chi"].into_iter().enumerate() {
        let mut f = form(name, &format!("0363 000 00{i}"), "4465");
        f.team = Some(team.id.to_string());
        members.push(
            registration::register(&db, &khao_mang, hocvuso::model::Area::Province(15), &f).await.unwrap().learner.code,
        );
    }
    // A member an admin placed in the team from Xã Mù Cang Chải: outside this organiser's scope.
    let mut outside = form("Hờ Thị Mỷ", "0363 000 009", "4456");
    outside.team = Some(team.id.to_string());
    let outside =
        registration::register(&db, &admin(), hocvuso::model::Area::Province(15), &outside).await.unwrap().learner.code;
    progress::enrol(&db, &khao_mang, &members[0], "KNS-01", Source::Form).await.unwrap();
    assert_eq!(enrol_group(&db, &khao_mang, Group::Team(team.id), "KNS-01").await.unwrap(), (2, 1));
    assert!(
        progress::learner_progress(&db, &admin(), &outside).await.unwrap().courses.is_empty(),
        "the organiser enrolled only the members in their scope"
    );
    assert_eq!(enrol_group(&db, &khao_mang, Group::Team(team.id), "KNS-01").await.unwrap(), (0, 3));
    assert_eq!(tally(&db, UnitKind::Team, &team.id.to_string()).await, (3, 0));
    assert_eq!(
        enrol_group(&db, &organiser(&[4456]), Group::Team(team.id), "KNS-01").await.unwrap_err(),
        Error::NotFound
    );
    assert!(progress::learner_progress(&db, &khao_mang, &pao).await.unwrap().courses.is_empty(), "not in the team");
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(team_enrolment, a_whole_team_is_enrolled_at_once_with_counts);

/// Imports "`code` completed KNS-01 on 20/11/2026" while `other` holds an uncommitted change, and
/// commits `other` while the import waits to write (on PostgreSQL it then meets the committed change).
async fn import_completing_while_uncommitted(db: &DatabaseConnection, code: &str, other: sea_orm::DatabaseTransaction) {
    use hocvuso::service::imports::completions::import_completions;
    use hocvuso::service::imports::learners::ImportOptions;
    let file = format!("learner_code,course_code,status,completed_at\n{code},KNS-01,completed,20/11/2026\n");
    let import = {
        let db = db.clone();
        tokio::spawn(async move { import_completions(&db, &admin(), file.as_bytes(), &ImportOptions::default()).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    other.commit().await.unwrap();
    import.await.unwrap().unwrap();
}

async fn an_enrolment_made_during_a_completion_import_is_counted_once(db: DatabaseConnection) {
    use hocvuso::entity::{course, enrolment, learner};
    use sea_orm::{EntityTrait, PaginatorTrait};
    let pao = setup(&db).await;
    let learner = learner::Entity::find().one(&db).await.unwrap().unwrap();
    let course = course::Entity::find().one(&db).await.unwrap().unwrap();
    // An organiser enrols Pao and has not committed yet when the import writes the same enrolment.
    let other = hocvuso::db::write(&db).await.unwrap();
    hocvuso::service::enrolments::enrol_in(&other, learner.id, course.id, chrono::Utc::now(), Source::Form)
        .await
        .unwrap();
    import_completing_while_uncommitted(&db, &pao, other).await;
    assert_eq!(enrolment::Entity::find().count(&db).await.unwrap(), 1);
    assert_eq!(tally(&db, UnitKind::Province, "15").await, (1, 1));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(enrolled_meanwhile, an_enrolment_made_during_a_completion_import_is_counted_once);

async fn a_completion_changed_during_an_import_is_counted_once(db: DatabaseConnection) {
    use hocvuso::entity::enrolment;
    use hocvuso::service::enrolments::{change_in, not_completed};
    use sea_orm::EntityTrait;
    let pao = setup(&db).await;
    progress::record_completion(&db, &token(TokenScope::Ingest), &report(&pao, "2026-11-02"), Source::Api)
        .await
        .unwrap();
    let recorded = enrolment::Entity::find().one(&db).await.unwrap().unwrap();
    // An organiser undoes the completion and has not committed yet when the import (which says
    // "completed on 20/11/2026", another week) writes the same enrolment.
    let other = hocvuso::db::write(&db).await.unwrap();
    change_in(&other, recorded.id, not_completed).await.unwrap();
    import_completing_while_uncommitted(&db, &pao, other).await;
    // The import came last: completed in the week of 20/11, counted once, in that week only.
    let now = enrolment::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!((now.status.as_str(), now.completed_week), ("completed", Some(202647)));
    assert_eq!(tally(&db, UnitKind::Province, "15").await, (1, 1));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(completed_meanwhile, a_completion_changed_during_an_import_is_counted_once);

async fn bulk_updates_write_only_rows_still_as_read(db: DatabaseConnection) {
    use hocvuso::entity::enrolment;
    use hocvuso::service::enrolments::update_many;
    use sea_orm::EntityTrait;
    let pao = setup(&db).await;
    progress::enrol(&db, &admin(), &pao, "kns-01", Source::Form).await.unwrap();
    let was = enrolment::Entity::find().one(&db).await.unwrap().unwrap();
    let new = enrolment::Model { status: hocvuso::model::EnrolmentStatus::InProgress, progress: 40, ..was.clone() };
    let stale = enrolment::Model { updated_at: was.updated_at - chrono::Duration::seconds(1), ..was.clone() };
    let txn = hocvuso::db::write(&db).await.unwrap();
    assert!(update_many(&txn, &[(new.clone(), stale)]).await.unwrap().is_empty(), "changed since: not written");
    assert_eq!(
        update_many(&txn, &[(new.clone(), was.clone())]).await.unwrap().into_iter().collect::<Vec<_>>(),
        [was.id]
    );
    txn.commit().await.unwrap();
    let now = enrolment::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!((now.status.as_str(), now.progress), ("in_progress", 40));
}

on_both_databases!(bulk_updates, bulk_updates_write_only_rows_still_as_read);

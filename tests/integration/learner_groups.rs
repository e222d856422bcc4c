//! Learner groups (đối tượng): set at registration, on edit and by import, by code or by label;
//! an unknown group is refused; a change of group moves the learner's counts.
use chrono::{TimeZone, Utc};
use hocvuso::Error;
use hocvuso::entity::learner;
use hocvuso::i18n::Text;
use hocvuso::model::{Area, CourseForm, LearnerFilter, LearnerForm, LearnerGroup, RowError, Source, UnitKind};
use hocvuso::on_both_databases;
use hocvuso::service::enrolments::{self, Completion};
use hocvuso::service::imports::learners::{Format, ImportOptions, export_learners, import_learners};
use hocvuso::service::learners::registration;
use hocvuso::service::statistics::{self, CounterKey, Tally};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::registration::{admin, form};

const LAO_CAI: Area = Area::Province(15);

fn in_group(group: &str, name: &str, phone: &str) -> LearnerForm {
    LearnerForm { group: Some(group.into()), ..form(name, phone, "4465") }
}

async fn group_of(db: &DatabaseConnection, phone: &str) -> Option<LearnerGroup> {
    let rows = learner::Entity::find().all(db).await.unwrap();
    rows.into_iter().find(|l| l.phone.as_deref() == Some(phone)).expect("the learner").learner_group
}

/// Lào Cai's all-time, all-courses counter of `group` ("" for every learner).
async fn lao_cai_counter(db: &DatabaseConnection, group: &str) -> Tally {
    let key = CounterKey {
        unit_kind: UnitKind::Province,
        unit_id: "15".into(),
        course_id: String::new(),
        week: 0,
        learner_group: group.into(),
    };
    statistics::stored(db).await.unwrap().get(&key).copied().unwrap_or_default()
}

async fn a_group_is_registered_by_label_or_code_and_shown(db: DatabaseConnection) {
    let cadre = registration::register(
        &db,
        &admin(),
        LAO_CAI,
        &in_group("Cán bộ, công chức, viên chức", "Nguyễn Thị Đức", "0912 345 678"),
    )
    .await
    .unwrap()
    .learner;
    let pupil = registration::register(&db, &admin(), LAO_CAI, &in_group("hoc_sinh", "Lò Văn Pao", "0912 345 679"))
        .await
        .unwrap()
        .learner;
    let unset = registration::register(&db, &admin(), LAO_CAI, &in_group(" ", "Giàng Seo Súa", "0912 345 670"))
        .await
        .unwrap()
        .learner;
    assert_eq!((cadre.group, pupil.group, unset.group), (Some(LearnerGroup::CanBo), Some(LearnerGroup::HocSinh), None));
    assert_eq!(group_of(&db, "+84912345678").await, Some(LearnerGroup::CanBo));
    assert_eq!(group_of(&db, "+84912345679").await, Some(LearnerGroup::HocSinh));
    assert_eq!(group_of(&db, "+84912345670").await, None);
    // As REST shows a learner: the code, or null while unclassified.
    let shown = registration::find(&db, &admin(), &pupil.code).await.unwrap();
    assert_eq!(serde_json::to_value(&shown).unwrap()["group"], "hoc_sinh");
    let shown = registration::find(&db, &admin(), &unset.code).await.unwrap();
    assert!(serde_json::to_value(&shown).unwrap()["group"].is_null());
    assert_eq!((lao_cai_counter(&db, "can_bo").await.learners, lao_cai_counter(&db, "").await.learners), (1, 3));

    // An unknown group is a field error, reported with the form's other problems; nothing is written.
    let bad = LearnerForm { phone: "12345".into(), ..in_group("Khong co", "Vàng A Pao", "0912 345 671") };
    let Err(Error::Invalid(errors)) = registration::register(&db, &admin(), LAO_CAI, &bad).await else {
        panic!("expected field errors");
    };
    let fields: Vec<(&str, Text)> = errors.iter().map(|e| (e.field.as_str(), e.problem)).collect();
    assert_eq!(fields, [("phone", Text::PhoneInvalid), ("group", Text::LearnerGroupUnknown)]);
    assert_eq!(learner::Entity::find().count(&db).await.unwrap(), 3);
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(register_with_group, a_group_is_registered_by_label_or_code_and_shown);

fn stated() -> ImportOptions {
    ImportOptions { consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()), ..Default::default() }
}

async fn an_import_sets_each_rows_group_and_a_bad_group_refuses_the_file(db: DatabaseConnection) {
    let file = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Đối tượng\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,4465,\"can bo, cong chuc, vien chuc\"\n\
Lò Thị Dơ,05/03/1990,Nữ,0912 000 002,4465,HỌC SINH\n\
Giàng Seo Súa,05/03/1990,Nam,0912 000 003,4465,nguoi_lao_dong\n\
Vàng A Pao,05/03/1990,Nam,0912 000 004,4465,\n";
    let bad = format!("{file}Hoàng Thị Mỷ,05/03/1990,Nữ,0912 000 005,4465,bo doi\n");
    let Err(Error::InvalidRows(errors)) = import_learners(&db, &admin(), LAO_CAI, bad.as_bytes(), &stated()).await
    else {
        panic!("expected bad rows");
    };
    assert_eq!(
        errors,
        [RowError {
            line: 6, column: "Đối tượng".into(), value: "bo doi".into(), problem: Text::LearnerGroupUnknown
        }]
    );
    assert_eq!(learner::Entity::find().count(&db).await.unwrap(), 0, "nothing written");

    let report = import_learners(&db, &admin(), LAO_CAI, file.as_bytes(), &stated()).await.unwrap();
    assert_eq!((report.created, report.updated, report.unchanged), (4, 0, 0));
    assert_eq!(group_of(&db, "+84912000001").await, Some(LearnerGroup::CanBo));
    assert_eq!(group_of(&db, "+84912000002").await, Some(LearnerGroup::HocSinh));
    assert_eq!(group_of(&db, "+84912000003").await, Some(LearnerGroup::NguoiLaoDong));
    assert_eq!(group_of(&db, "+84912000004").await, None);
    assert_eq!(lao_cai_counter(&db, "hoc_sinh").await.learners, 1);

    // A file without the column leaves groups as they are; one with it (header `group`) changes them.
    let without = "full_name,birth_date,gender,phone,commune\nLò Thị Dơ,05/03/1990,Nữ,0912 000 002,4465\n";
    let report = import_learners(&db, &admin(), LAO_CAI, without.as_bytes(), &stated()).await.unwrap();
    assert_eq!((report.created, report.updated, report.unchanged), (0, 0, 1));
    assert_eq!(group_of(&db, "+84912000002").await, Some(LearnerGroup::HocSinh));
    let with = "full_name,birth_date,gender,phone,commune,group\n\
Lò Thị Dơ,05/03/1990,Nữ,0912 000 002,4465,Người dân\n\
Vàng A Pao,05/03/1990,Nam,0912 000 004,4465,\n";
    let report = import_learners(&db, &admin(), LAO_CAI, with.as_bytes(), &stated()).await.unwrap();
    assert_eq!((report.created, report.updated, report.unchanged), (0, 1, 1));
    assert_eq!(group_of(&db, "+84912000002").await, Some(LearnerGroup::NguoiDan));
    assert_eq!(
        (lao_cai_counter(&db, "hoc_sinh").await.learners, lao_cai_counter(&db, "nguoi_dan").await.learners),
        (0, 1)
    );
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // The export says each group by its Vietnamese name, and imports again as the same learners.
    let csv = export_learners(&db, &admin(), &LearnerFilter::default(), Format::Csv).await.unwrap();
    let csv = String::from_utf8(csv).unwrap().replace("'+84", "+84");
    assert!(csv.lines().next().unwrap().ends_with(",Đội hình,Đối tượng"));
    assert!(csv.contains(",4465,,,\"Cán bộ, công chức, viên chức\"\n"), "{csv}");
    assert!(csv.contains(",4465,,,Người dân\n") && csv.contains(",4465,,,\n"), "{csv}");
    let report = import_learners(&db, &admin(), LAO_CAI, csv.as_bytes(), &stated()).await.unwrap();
    assert_eq!((report.created, report.updated, report.unchanged), (0, 0, 4));
}

on_both_databases!(import_with_group, an_import_sets_each_rows_group_and_a_bad_group_refuses_the_file);

async fn editing_a_learners_group_moves_their_counts(db: DatabaseConnection) {
    let course = CourseForm {
        code: "KNS-01".into(),
        title: "Kỹ năng số cơ bản".into(),
        platform: "onething.vn".into(),
        hours: "4".into(),
        ..Default::default()
    };
    let course = enrolments::courses::create(&db, &admin(), &course).await.unwrap().id;
    let typed = in_group("can bo", "Nguyễn Thị Đức", "0912 345 678");
    let learner = registration::register(&db, &admin(), LAO_CAI, &typed).await.unwrap().learner;
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
    let txn = hocvuso::db::write(&db).await.unwrap();
    let (enrolment, _) = enrolments::enrol_in(&txn, learner.id, course, at, Source::Form).await.unwrap();
    let done = Completion { at, score: None, certificate_no: None, source: Source::Form };
    enrolments::change_in(&txn, enrolment.id, enrolments::completed(done)).await.unwrap();
    txn.commit().await.unwrap();
    let counted = Tally { enrolled: 1, completed: 1, learners: 1, trained: 1 };
    assert_eq!(lao_cai_counter(&db, "can_bo").await, counted);

    let edited = LearnerForm { group: Some("nguoi_dan".into()), ..typed.clone() };
    let view = registration::update(&db, &admin(), LAO_CAI, &learner.code, &edited).await.unwrap();
    assert_eq!(view.group, Some(LearnerGroup::NguoiDan));
    assert_eq!(lao_cai_counter(&db, "can_bo").await, Tally::default());
    assert_eq!(lao_cai_counter(&db, "nguoi_dan").await, counted);
    assert_eq!(lao_cai_counter(&db, "").await, counted, "every learner's counter stays");
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // An empty choice (the form's "Chưa phân loại") makes them unclassified again; a bad one changes nothing.
    let refused = LearnerForm { group: Some("khong_co".into()), ..typed.clone() };
    assert_eq!(
        registration::update(&db, &admin(), LAO_CAI, &learner.code, &refused).await.unwrap_err().field_problem("group"),
        Some(Text::LearnerGroupUnknown)
    );
    assert_eq!(group_of(&db, "+84912345678").await, Some(LearnerGroup::NguoiDan));
    let cleared = LearnerForm { group: Some(String::new()), ..typed };
    assert_eq!(registration::update(&db, &admin(), LAO_CAI, &learner.code, &cleared).await.unwrap().group, None);
    assert_eq!(lao_cai_counter(&db, "nguoi_dan").await, Tally::default());
    assert_eq!(lao_cai_counter(&db, "").await, counted);
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(edit_group, editing_a_learners_group_moves_their_counts);

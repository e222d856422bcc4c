//! People's data: erasure keeps every statistic while the person can no longer be found; citizen ID
//! numbers are kept only as keyed hashes.
use hocvuso::Error;
use hocvuso::entity::learner;
use hocvuso::i18n::Text;
use hocvuso::model::{CompletionReport, LearnerFilter, Source};
use hocvuso::on_both_databases;
use hocvuso::service::imports::learners::{ImportOptions, import_learners};
use hocvuso::service::{
    enrolments::progress, learners::lookup, learners::privacy, learners::registration, statistics, statistics::overview,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::registration::{admin, form, organiser};

async fn find_anywhere(db: &DatabaseConnection, q: &str) -> u64 {
    registration::search(db, &admin(), &LearnerFilter { q: Some(q.into()), ..Default::default() }).await.unwrap().total
}

async fn erasure_keeps_every_figure_and_the_person_cannot_be_found(db: DatabaseConnection) {
    let admin = admin();
    let course = hocvuso::model::CourseForm {
        code: "KNS-01".into(),
        title: "Kỹ năng số".into(),
        platform: "mooc".into(),
        hours: "8".into(),
        ..Default::default()
    };
    hocvuso::service::enrolments::courses::create(&db, &admin, &course).await.unwrap();
    let mut codes = Vec::new();
    for (name, phone) in
        [("Vàng Thị Mai", "0977 100 001"), ("Sùng A Páo", "0977 100 002"), ("Lò Văn Ín", "0977 100 003")]
    {
        codes.push(
            registration::register(&db, &admin, hocvuso::model::Area::Province(15), &form(name, phone, "4465"))
                .await
                .unwrap()
                .learner
                .code,
        );
    }
    for code in &codes {
        progress::enrol(&db, &admin, code, "KNS-01", Source::Form).await.unwrap();
    }
    for code in &codes[..2] {
        let report = CompletionReport {
            learner_code: code.clone(),
            course_code: "KNS-01".into(),
            completed_at: "2026-11-20".into(),
            score: Some(9.0),
            certificate_no: Some(format!("CC-{code}")),
        };
        progress::record_completion(&db, &admin, &report, Source::Form).await.unwrap();
    }
    let mai = learner::Entity::find().filter(learner::Column::Code.eq(&codes[0])).one(&db).await.unwrap().unwrap();
    let counters_before = statistics::stored(&db).await.unwrap();
    let overview_before =
        overview::overview(&db, &admin, hocvuso::model::Area::Province(15), None, None).await.unwrap();

    // Out of scope: refused, nothing changes.
    assert_eq!(privacy::erase(&db, &organiser(&[70]), &codes[0]).await, Err(Error::NotFound));
    privacy::erase(&db, &organiser(&[4465]), &codes[0]).await.unwrap();

    // Every figure is the same, stored and recomputed.
    assert_eq!(statistics::stored(&db).await.unwrap(), counters_before);
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
    statistics::rebuild(&db).await.unwrap();
    assert_eq!(statistics::stored(&db).await.unwrap(), counters_before);
    assert_eq!(
        overview::overview(&db, &admin, hocvuso::model::Area::Province(15), None, None).await.unwrap(),
        overview_before
    );

    // The row stays, anonymous, with who erased it and when.
    let row = learner::Entity::find_by_id(mai.id).one(&db).await.unwrap().unwrap();
    assert_eq!((row.full_name.as_str(), row.name_folded.as_str()), ("", ""));
    assert_eq!((row.phone, row.birth_date, row.access_token, row.dedup_key), (None, None, None, None));
    assert_eq!(row.erased_by.as_deref(), Some("tochuc"));
    assert!(row.erased_at.is_some() && row.active);
    let certificates: Vec<Option<String>> = hocvuso::entity::enrolment::Entity::find()
        .filter(hocvuso::entity::enrolment::Column::LearnerId.eq(mai.id))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.certificate_no)
        .collect();
    assert_eq!(certificates, vec![None], "the completion stays, its certificate number goes");

    // Nobody finds the person any more: search by name, phone or code, the card, the export, the
    // lookup, the old link, a completion pushed for the code.
    for q in ["Vàng Thị Mai", "vang thi mai", "0977 100 001", codes[0].as_str()] {
        assert_eq!(find_anywhere(&db, q).await, 0, "{q}");
    }
    assert_eq!(find_anywhere(&db, "Sùng A Páo").await, 1, "the others are still there");
    assert_eq!(registration::find(&db, &admin, &codes[0]).await, Err(Error::NotFound));
    assert_eq!(privacy::export(&db, &admin, &codes[0]).await.map(|_| ()), Err(Error::NotFound));
    assert_eq!(
        lookup::own_page(&db, "0977100001", "05/03/1990", "10.0.0.9").await,
        Err(Error::invalid("lookup", Text::LookupNoMatch))
    );
    assert_eq!(progress::by_token(&db, mai.access_token.as_deref().unwrap()).await.map(|_| ()), Err(Error::NotFound));
    assert_eq!(progress::enrol(&db, &admin, &codes[0], "KNS-01", Source::Form).await.map(|_| ()), Err(Error::NotFound));
    assert_eq!(privacy::erase(&db, &admin, &codes[0]).await, Err(Error::NotFound), "erased once");

    // The erasure is on record, without anything personal.
    let entries = hocvuso::service::audit::about(&db, "learner", &codes[0]).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!((last.action.as_str(), last.actor.as_str()), ("erase_personal_data", "tochuc"));
    let all = format!("{entries:?}");
    assert!(!all.contains("Mai") && !all.contains("977100001"), "{all}");
}

on_both_databases!(erasure, erasure_keeps_every_figure_and_the_person_cannot_be_found);

async fn the_export_holds_everything_about_the_learner(db: DatabaseConnection) {
    let code = registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Vàng Thị Mai", "0977 100 001", "4465"),
    )
    .await
    .unwrap()
    .learner
    .code;
    let data = privacy::export(&db, &organiser(&[4465]), &code).await.unwrap();
    assert_eq!(data.learner.full_name, "Vàng Thị Mai");
    assert_eq!(data.learner.phone.as_deref(), Some("+84977100001"));
    assert_eq!(data.learner.birth_date.map(|d| d.to_string()).as_deref(), Some("1990-03-05"));
    assert!(data.has_progress_link);
    assert!(data.consent_at.is_some());
    assert_eq!(data.history.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(), ["create"]);
    assert_eq!(privacy::export(&db, &organiser(&[70]), &code).await.map(|_| ()), Err(Error::NotFound));
}

on_both_databases!(personal_export, the_export_holds_everything_about_the_learner);

const KEY: &str = "a-key-of-at-least-thirty-two-characters";

fn with_key(key: Option<&str>) -> ImportOptions {
    ImportOptions {
        consent_version: Some(hocvuso::consent::CONSENT_VERSION.into()),
        citizen_id_key: key.map(str::to_string),
        ..Default::default()
    }
}

async fn citizen_ids_are_kept_only_as_keyed_hashes(db: DatabaseConnection) {
    let file = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Số CCCD\n\
                Vàng Thị Mai,05/03/1990,Nữ,0977 100 001,4465,010 090 001 234\n";
    // Without a configured key the column is refused, whole file, nothing written.
    let refused = import_learners(&db, &admin(), hocvuso::model::Area::Province(15), file.as_bytes(), &with_key(None))
        .await
        .unwrap_err();
    assert_eq!(refused, Error::invalid("citizen_id", Text::CitizenIdNoKey));
    assert_eq!(find_anywhere(&db, "Mai").await, 0);

    let report =
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), file.as_bytes(), &with_key(Some(KEY)))
            .await
            .unwrap();
    assert_eq!(report.created, 1);
    let row = learner::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(row.citizen_id_hash, Some(hocvuso::service::secret::keyed_hash(KEY.as_bytes(), "010090001234")));
    assert!(!format!("{row:?}").contains("010090001234"), "the number itself is nowhere in the row");

    // The same citizen ID with a new phone is the same person: updated, not created twice.
    let moved = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,CCCD\n\
                 Vàng Thị Mai,05/03/1990,Nữ,0977 999 999,4465,010090001234\n";
    let report =
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), moved.as_bytes(), &with_key(Some(KEY)))
            .await
            .unwrap();
    assert_eq!((report.created, report.unchanged), (0, 1));
    assert_eq!(find_anywhere(&db, "Mai").await, 1);

    // A malformed number is a row error naming the column.
    let bad = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Số CCCD\n\
               Lò Văn Ín,05/03/1990,Nam,0977 100 003,4465,12345\n";
    match import_learners(&db, &admin(), hocvuso::model::Area::Province(15), bad.as_bytes(), &with_key(Some(KEY))).await
    {
        Err(Error::InvalidRows(rows)) => {
            assert_eq!((rows[0].line, rows[0].column.as_str(), rows[0].problem), (2, "Số CCCD", Text::CitizenIdInvalid))
        }
        other => panic!("{other:?}"),
    }
}

on_both_databases!(citizen_id, citizen_ids_are_kept_only_as_keyed_hashes);

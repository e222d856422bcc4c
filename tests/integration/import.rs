//! Learner import: whole-file validation, every bad row listed, nothing written on error, dry run,
//! idempotent re-import, header aliases, XLSX and formula-safe export.
use hocvuso::Error;
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::entity::learner;
use hocvuso::i18n::Text;
use hocvuso::model::{ImportReport, LearnerFilter, RowError};
use hocvuso::on_both_databases;
use hocvuso::service::imports::learners::{Format, ImportOptions, export_learners, import_learners};
use hocvuso::service::imports::table;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::registration::{admin, organiser};

fn stated() -> ImportOptions {
    ImportOptions { dry_run: false, consent_version: Some(CONSENT_VERSION.into()), ..Default::default() }
}

const GOOD: &str = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,Xã Khao Mang\n\
Lò Thị Dơ,1985-12-01,Nữ,0912 000 002,4456\n\
Giàng Seo Súa,1/1/2000,Nam,+84 912 000 003,mu cang chai\n";

async fn learners(db: &DatabaseConnection) -> u64 {
    learner::Entity::find().count(db).await.unwrap()
}

fn report(created: u64, updated: u64, unchanged: u64) -> ImportReport {
    ImportReport { created, updated, unchanged, dry_run: false, unknown_columns: vec![] }
}

async fn a_bad_last_row_writes_nothing_and_every_bad_row_is_listed(db: DatabaseConnection) {
    let file = format!("{GOOD}Vàng A Pao,31/02/1990,Nam,0912 000 004,Xã Khao Mang\n");
    let Err(Error::InvalidRows(errors)) =
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), file.as_bytes(), &stated()).await
    else {
        panic!("expected bad rows");
    };
    assert_eq!(
        errors,
        [RowError { line: 5, column: "Ngày sinh".into(), value: "31/02/1990".into(), problem: Text::BirthDateFormat }]
    );
    assert_eq!(learners(&db).await, 0, "nothing written");

    let two_bad = "full_name,birth_date,gender,phone,commune\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,4465\n\
Lò Thị Dơ,05/03/1990,?,0243 825 1234,4465\n\
Giàng Seo Súa,05/03/1990,Nam,0912 000 003,Xã Không Có\n";
    let Err(Error::InvalidRows(errors)) =
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), two_bad.as_bytes(), &stated()).await
    else {
        panic!("expected bad rows");
    };
    let listed: Vec<(u64, &str, &str, Text)> =
        errors.iter().map(|e| (e.line, e.column.as_str(), e.value.as_str(), e.problem)).collect();
    assert_eq!(
        listed,
        [
            (3, "gender", "?", Text::GenderInvalid),
            (3, "phone", "0243 825 1234", Text::PhoneInvalid),
            (4, "commune", "Xã Không Có", Text::UnknownCommune),
        ]
    );
    assert_eq!(learners(&db).await, 0);
}

on_both_databases!(all_or_nothing, a_bad_last_row_writes_nothing_and_every_bad_row_is_listed);

async fn importing_the_same_file_again_creates_nothing(db: DatabaseConnection) {
    let dry = import_learners(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        GOOD.as_bytes(),
        &ImportOptions { dry_run: true, ..stated() },
    )
    .await
    .unwrap();
    assert_eq!(dry, ImportReport { dry_run: true, ..report(3, 0, 0) });
    assert_eq!(learners(&db).await, 0, "a dry run writes nothing");

    assert_eq!(
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), GOOD.as_bytes(), &stated()).await.unwrap(),
        report(3, 0, 0)
    );
    assert_eq!(
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), GOOD.as_bytes(), &stated()).await.unwrap(),
        report(0, 0, 3)
    );
    assert_eq!(learners(&db).await, 3);
    // One person moved to another commune: updated, and the counters follow.
    let moved = GOOD.replace(
        "Giàng Seo Súa,1/1/2000,Nam,+84 912 000 003,mu cang chai",
        "Giàng Seo Súa,1/1/2000,Nam,0912000003,4465",
    );
    assert_eq!(
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), moved.as_bytes(), &stated()).await.unwrap(),
        report(0, 1, 2)
    );
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
    let overview = hocvuso::service::statistics::overview::overview(
        &db,
        &hocvuso::auth::Actor::Anonymous,
        hocvuso::model::Area::Province(15),
        None,
        None,
    )
    .await
    .unwrap();
    let khao_mang = overview.units.iter().find(|c| c.id == "4465").unwrap();
    assert_eq!(khao_mang.learners, 2);
}

on_both_databases!(re_import, importing_the_same_file_again_creates_nothing);

async fn headers_match_in_either_language_and_unknown_columns_are_reported(db: DatabaseConnection) {
    let file = "\u{feff}HỌ VÀ TÊN;ngay sinh;GENDER;SĐT;Mã xã;Ghi chú;Đồng ý\n\
Nguyễn Văn An;05/03/1990;male;0912 000 001;4465;đội trưởng;có\n\
Lò Thị Dơ;05/03/1991;female;0912 000 002;4465;;Yes\n";
    let done =
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), file.as_bytes(), &ImportOptions::default())
            .await
            .unwrap();
    assert_eq!(done, ImportReport { unknown_columns: vec!["Ghi chú".into()], ..report(2, 0, 0) });

    let refused = file.replace(";có\n", ";không\n");
    let Err(Error::InvalidRows(errors)) = import_learners(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        refused.as_bytes(),
        &ImportOptions::default(),
    )
    .await
    else {
        panic!("expected bad rows");
    };
    assert_eq!((errors[0].line, errors[0].column.as_str(), errors[0].problem), (2, "Đồng ý", Text::ConsentColumnNo));
}

on_both_databases!(header_aliases, headers_match_in_either_language_and_unknown_columns_are_reported);

async fn without_consent_or_required_columns_the_file_is_refused_whole(db: DatabaseConnection) {
    let unstated =
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), GOOD.as_bytes(), &ImportOptions::default())
            .await
            .unwrap_err();
    assert_eq!(unstated.field_problem("consent_version"), Some(Text::ConsentNotStated));
    let old = ImportOptions { dry_run: false, consent_version: Some("2020-01".into()), ..Default::default() };
    assert!(import_learners(&db, &admin(), hocvuso::model::Area::Province(15), GOOD.as_bytes(), &old).await.is_err());
    let missing = import_learners(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        "Họ và tên,Ngày sinh\nA B,01/01/1990\n".as_bytes(),
        &stated(),
    )
    .await
    .unwrap_err();
    assert_eq!(missing.field_problem("phone"), Some(Text::ColumnMissing));
    assert_eq!(missing.field_problem("commune"), Some(Text::ColumnMissing));
    let not_a_table =
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), b"PK\x03\x04garbage", &stated())
            .await
            .unwrap_err();
    assert_eq!(not_a_table.field_problem("file"), Some(Text::FileNotReadable));
    assert_eq!(learners(&db).await, 0);
}

on_both_databases!(consent_and_columns, without_consent_or_required_columns_the_file_is_refused_whole);

async fn organisers_import_only_inside_their_scope(db: DatabaseConnection) {
    let Err(Error::InvalidRows(errors)) =
        import_learners(&db, &organiser(&[4465]), hocvuso::model::Area::Province(15), GOOD.as_bytes(), &stated()).await
    else {
        panic!("expected bad rows");
    };
    assert_eq!(
        errors.iter().map(|e| (e.line, e.problem)).collect::<Vec<_>>(),
        [(3, Text::OutOfScope), (4, Text::OutOfScope)]
    );
    assert_eq!(learners(&db).await, 0);
}

on_both_databases!(import_scope, organisers_import_only_inside_their_scope);

async fn xlsx_imports_and_exports_are_formula_safe(db: DatabaseConnection) {
    let rows = vec![
        vec!["Nguyễn Văn An".to_string(), "05/03/1990".into(), "Nam".into(), "0912 000 001".into(), "4465".into()],
        vec![
            "Lò Thị Dơ".to_string(),
            "05/03/1991".into(),
            "Nữ".into(),
            "0912 000 002".into(),
            "Xã Mù Cang Chải".into(),
        ],
    ];
    let xlsx =
        table::write_xlsx("Sheet1", &["Họ và tên", "Ngày sinh", "Giới tính", "Số điện thoại", "Xã/Phường"], &rows)
            .unwrap();
    assert_eq!(
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), &xlsx, &stated()).await.unwrap(),
        report(2, 0, 0)
    );

    let csv = String::from_utf8(export_learners(&db, &admin(), &LearnerFilter::default(), Format::Csv).await.unwrap())
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}Mã học viên,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Cơ quan/Đơn vị,Đội hình,Đối tượng"
    );
    assert_eq!(lines.len(), 3);
    assert!(csv.contains(",'+84912000001,4465,,"), "a leading + is neutralised: {csv}");
    // The export imports again as the same learners.
    let again = csv.replace("'+84", "+84");
    assert_eq!(
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), again.as_bytes(), &stated()).await.unwrap(),
        report(0, 0, 2)
    );

    let xlsx = export_learners(&db, &organiser(&[4456]), &LearnerFilter::default(), Format::Xlsx).await.unwrap();
    let sheet = table::read(&xlsx).unwrap();
    assert_eq!(sheet.len(), 2, "an organiser exports only their scope");
    assert_eq!(sheet[1][1], "Lò Thị Dơ");
    assert_eq!(sheet[1][4], "'+84912000002");
}

on_both_databases!(xlsx_and_export, xlsx_imports_and_exports_are_formula_safe);

/// A name made of letters only, distinct for each `i`.
fn name(i: usize) -> String {
    let letters: String = i.to_string().chars().map(|d| (b'a' + d.to_digit(10).unwrap() as u8) as char).collect();
    format!("Nguyễn Văn {letters}")
}

async fn large_files_are_written_many_rows_a_statement_with_exact_counts(db: DatabaseConnection) {
    use hocvuso::service::imports::completions::import_completions;
    use hocvuso::service::{enrolments::courses, statistics};
    for code in ["KNS-01", "KNS-02"] {
        let course = hocvuso::model::CourseForm {
            code: code.into(),
            title: code.into(),
            platform: "onething.vn".into(),
            hours: "4".into(),
            ..Default::default()
        };
        courses::create(&db, &admin(), &course).await.unwrap();
    }
    // 2,500 people: three statements of up to 1,000 rows.
    let mut file = String::from("full_name,birth_date,gender,phone,commune\n");
    for i in 0..2_500 {
        let commune = if i % 3 == 0 { 4456 } else { 4465 };
        file.push_str(&format!("{},05/03/1990,nu,0912{i:06},{commune}\n", name(i)));
    }
    assert_eq!(
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), file.as_bytes(), &stated()).await.unwrap(),
        report(2_500, 0, 0)
    );
    let rows = learner::Entity::find().all(&db).await.unwrap();
    let codes: std::collections::HashSet<_> = rows.iter().map(|l| l.code.clone()).collect();
    let tokens: std::collections::HashSet<_> = rows.iter().filter_map(|l| l.access_token.clone()).collect();
    // Links are kept hashed, so they are made where they can be shown (registration, renewal), not in bulk.
    assert_eq!((rows.len(), codes.len(), tokens.len()), (2_500, 2_500, 0), "a code each, no link yet");
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
    let overview = hocvuso::service::statistics::overview::overview(
        &db,
        &hocvuso::auth::Actor::Anonymous,
        hocvuso::model::Area::Province(15),
        None,
        None,
    )
    .await
    .unwrap();
    let learners_in = |id: &str| overview.units.iter().find(|c| c.id == id).unwrap().learners;
    assert_eq!((learners_in("4456"), learners_in("4465")), (834, 1_666));

    // Everyone enrolled in KNS-01 (a third completed), then a second file that completes, reopens,
    // leaves alone, adds KNS-02 and names one enrolment twice (the later row wins).
    let code_of: std::collections::HashMap<String, String> =
        rows.iter().map(|l| (l.phone.clone().unwrap(), l.code.clone())).collect();
    let code = |i: usize| code_of[&format!("+84912{i:06}")].clone();
    let mut first = String::from("learner_code,course_code,status,completed_at\n");
    for i in 0..2_500 {
        let status = if i % 3 == 0 { "completed,20/11/2026" } else { "enrolled," };
        first.push_str(&format!("{},KNS-01,{status}\n", code(i)));
    }
    let done = import_completions(&db, &admin(), first.as_bytes(), &ImportOptions::default()).await.unwrap();
    assert_eq!((done.created, done.updated, done.unchanged), (2_500, 0, 0));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
    let mut second = String::from("learner_code,course_code,status,completed_at\n");
    for i in 0..1_200 {
        let status = match i % 4 {
            0 => "in progress,",
            1 => "completed,21/11/2026",
            _ => "enrolled,", // unchanged, or a completion undone
        };
        second.push_str(&format!("{},KNS-01,{status}\n", code(i)));
        second.push_str(&format!("{},KNS-02,completed,22/11/2026\n", code(i)));
    }
    second.push_str(&format!("{},KNS-02,in progress,\n", code(7)));
    let done = import_completions(&db, &admin(), second.as_bytes(), &ImportOptions::default()).await.unwrap();
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![], "counters equal the raw rows");
    // KNS-02: 1,200 new, the last row for learner 7 is "in progress"; KNS-01: 2,500 enrolments.
    let enrolments = hocvuso::entity::enrolment::Entity::find().all(&db).await.unwrap();
    let completed = enrolments.iter().filter(|e| e.status == hocvuso::model::EnrolmentStatus::Completed).count();
    // KNS-01: rows below 1,200 completed when i % 4 == 1, the rest as the first file left them.
    let kns01 = (0..1_200).filter(|i| i % 4 == 1).count() + (1_200..2_500).filter(|i| i % 3 == 0).count();
    assert_eq!(enrolments.len(), 3_700);
    assert_eq!((kns01, completed), (734, 734 + 1_199));
    assert_eq!(done.created, 1_201, "KNS-02 rows, the repeated one included");
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Imports this size refresh the planner's statistics, so the next one's lookups use the indexes.
        let sql = "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL ORDER BY relname";
        let rows = db.query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
        let analysed: Vec<String> = rows.iter().map(|r| r.try_get("", "relname").unwrap()).collect();
        assert_eq!(analysed, ["enrolment", "learner"]);
    }
}

/// Every kind of value a model holds comes back exactly as written: quotes, backslashes, line
/// breaks and Vietnamese in text, nulls, dates, instants to the microsecond, numbers and booleans.
async fn bulk_inserts_keep_every_value_exactly(db: DatabaseConnection) {
    use hocvuso::entity::{course, enrolment};
    use hocvuso::model::LearnerGroup;
    let now = hocvuso::service::now();
    let learners: Vec<learner::Model> = (0..1_700)
        .map(|i| learner::Model {
            id: uuid::Uuid::now_v7(),
            code: format!("HV-T{i:05}"),
            full_name: format!("Nguyễn \"Tí\" O'Brien \\ {i}\nđời 🌾"),
            name_folded: format!("nguyen ti {i}"),
            birth_date: (i % 2 == 0).then(|| chrono::NaiveDate::from_ymd_opt(1990, 3, 5).unwrap()),
            gender: "nu".into(),
            phone: (i % 3 != 0).then(|| format!("+84912{i:06}")),
            commune_code: 4465,
            organisation_id: None,
            team_id: None,
            access_token: Some(format!("token-{i}")),
            consent_version: Some(CONSENT_VERSION.into()),
            consent_at: Some(now - chrono::Duration::microseconds(i as i64)),
            registered_by: (i % 5 == 0).then(uuid::Uuid::now_v7),
            dedup_key: Some(format!("key-{i}")),
            active: i % 7 != 0,
            created_at: now,
            created_week: 202_649,
            updated_at: now,
            citizen_id_hash: None,
            learner_group: LearnerGroup::ALL.get(i % 5).copied(),
            trained_week: (i % 4 == 0).then_some(202_650),
            erased_at: None,
            erased_by: None,
        })
        .collect();
    // 1,700 rows: two statements on SQLite (32,766 values at most each).
    hocvuso::db::insert_models(&db, &learners).await.unwrap();
    let mut found = learner::Entity::find().all(&db).await.unwrap();
    found.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(found, learners);

    let form = hocvuso::model::CourseForm {
        code: "KNS-01".into(),
        title: "Kỹ năng số".into(),
        platform: "onething.vn".into(),
        hours: "4".into(),
        ..Default::default()
    };
    hocvuso::service::enrolments::courses::create(&db, &admin(), &form).await.unwrap();
    let course = course::Entity::find().one(&db).await.unwrap().unwrap();
    let enrolments: Vec<enrolment::Model> = learners
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, l)| enrolment::Model {
            id: uuid::Uuid::now_v7(),
            learner_id: l.id,
            course_id: course.id,
            status: hocvuso::model::EnrolmentStatus::Completed,
            progress: 100,
            enrolled_at: now,
            enrolled_week: 202_649,
            completed_at: Some(now),
            completed_week: Some(202_649),
            score: [Some(87.5), None, Some(0.1)][i],
            certificate_no: Some(format!("CC/{i}")),
            source: hocvuso::model::Source::Import,
            updated_at: now,
            progress_changed_at: now,
        })
        .collect();
    hocvuso::db::insert_models(&db, &enrolments).await.unwrap();
    let mut found = enrolment::Entity::find().all(&db).await.unwrap();
    found.sort_by_key(|e| e.id);
    assert_eq!(found, enrolments);
}

on_both_databases!(bulk_values, bulk_inserts_keep_every_value_exactly);

async fn codes_already_taken_are_drawn_again_before_writing(db: DatabaseConnection) {
    let mut taken = Vec::new();
    for (name, phone) in [("Lò Văn Pao", "0362 000 111"), ("Lò Thị Dơ", "0362 000 222")] {
        let form = crate::registration::form(name, phone, "4465");
        taken.push(
            hocvuso::service::learners::registration::register(
                &db,
                &admin(),
                hocvuso::model::Area::Province(15),
                &form,
            )
            .await
            .unwrap()
            .learner
            .code,
        );
    }
    let existing = learner::Entity::find().one(&db).await.unwrap().unwrap();
    // Three new rows drawn with the two codes in use and one free one.
    let mut rows: Vec<learner::Model> = [taken[0].clone(), taken[1].clone(), "HV-FREE22".to_string()]
        .into_iter()
        .map(|code| learner::Model { code, ..existing.clone() })
        .collect();
    let mut drawn: std::collections::HashSet<String> = rows.iter().map(|r| r.code.clone()).collect();
    let txn = hocvuso::db::write(&db).await.unwrap();
    hocvuso::service::learners::draw_again_where_taken(&txn, &mut rows, &mut drawn).await.unwrap();
    drop(txn);
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    assert!(!codes.contains(&taken[0].as_str()) && !codes.contains(&taken[1].as_str()), "{codes:?}");
    assert_eq!(codes[2], "HV-FREE22", "a free code is kept");
    assert!(codes.iter().all(|c| c.starts_with("HV-") && c.len() == 9));
    assert_eq!(rows.iter().map(|r| &r.code).collect::<std::collections::HashSet<_>>().len(), 3);
    assert!(rows.iter().all(|r| drawn.contains(&r.code)), "new draws are remembered");
}

on_both_databases!(codes_redrawn, codes_already_taken_are_drawn_again_before_writing);

on_both_databases!(large_files, large_files_are_written_many_rows_a_statement_with_exact_counts);

async fn a_person_registered_meanwhile_fails_the_import_and_writes_nothing(db: DatabaseConnection) {
    use hocvuso::service::learners::{InsertError, NewLearner, insert_many_counted};
    use hocvuso::service::statistics::Deltas;
    let registered = hocvuso::service::learners::registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &crate::registration::form("Lò Thị Dơ", "0912 000 002", "4456"),
    )
    .await
    .unwrap()
    .learner;
    let person = |name: &str, phone: &str| NewLearner {
        full_name: name.into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 3, 5),
        gender: "nu".into(),
        phone: Some(phone.into()),
        commune: 4456,
        organisation: None,
        team: None,
        group: None,
        consent_version: Some(CONSENT_VERSION.into()),
        registered_by: None,
        registered_at: chrono::Utc::now(),
        citizen_id_hash: None,
    };
    // As if the import had checked before the other organiser's registration landed.
    let txn = hocvuso::db::write(&db).await.unwrap();
    let batch = vec![person("Nguyễn Văn An", "+84912000001"), person("Lò Thị Dơ", "+84912000002")];
    let mut deltas = Deltas::default();
    let Err(InsertError::Duplicate(code)) = insert_many_counted(&txn, batch, &mut deltas).await else {
        panic!("expected the person registered meanwhile");
    };
    assert_eq!(code, registered.code);
    drop(txn);
    assert_eq!(learners(&db).await, 1, "nothing of the batch was written");

    let txn = hocvuso::db::write(&db).await.unwrap();
    let batch = vec![person("Nguyễn Văn An", "+84912000001"), person("Lò Văn Sính", "+84912000003")];
    let mut deltas = Deltas::default();
    assert!(matches!(insert_many_counted(&txn, batch, &mut deltas).await, Ok(2)));
    deltas.apply(&txn).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(learners(&db).await, 3);
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(registered_meanwhile, a_person_registered_meanwhile_fails_the_import_and_writes_nothing);

async fn people_outside_the_scope_are_not_revealed(db: DatabaseConnection) {
    use hocvuso::service::learners::registration;
    // Nguyễn Văn An is registered in Xã Mù Cang Chải (4456) by someone else.
    let elsewhere = crate::registration::form("Nguyễn Văn An", "0912 000 001", "4456");
    let elsewhere = hocvuso::model::LearnerForm { birth_date: "05/03/1990".into(), ..elsewhere };
    let code = registration::register(&db, &admin(), hocvuso::model::Area::Province(15), &elsewhere)
        .await
        .unwrap()
        .learner
        .code;
    let inside = organiser(&[4465]);
    let file = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
        Nguyễn Văn An,05/03/1990,Nam,0912 000 001,Xã Khao Mang\n";
    let new_person = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
        Nguyễn Văn An,06/03/1990,Nam,0912 000 001,Xã Khao Mang\n";
    // A dry run answers the same whether or not this phone, name and birth date exist elsewhere.
    let dry = ImportOptions { dry_run: true, ..stated() };
    let known = import_learners(&db, &inside, hocvuso::model::Area::Province(15), file.as_bytes(), &dry).await.unwrap();
    let unknown =
        import_learners(&db, &inside, hocvuso::model::Area::Province(15), new_person.as_bytes(), &dry).await.unwrap();
    assert_eq!(known, unknown);
    assert_eq!(known, ImportReport { dry_run: true, ..report(1, 0, 0) });
    // The real import cannot register the person twice: the row is refused without their code.
    let Err(Error::InvalidRows(errors)) =
        import_learners(&db, &inside, hocvuso::model::Area::Province(15), file.as_bytes(), &stated()).await
    else {
        panic!("expected the row refused");
    };
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].line, errors[0].problem), (2, Text::AlreadyRegisteredElsewhere));
    assert!(!format!("{errors:?}").contains(&code), "another scope's learner code is not told");
    // Their code in a file is answered exactly as a code that does not exist.
    let by_code = format!(
        "Mã học viên,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
        {code},Nguyễn Văn An,05/03/1990,Nam,0912 000 001,Xã Khao Mang\n"
    );
    let missing = "Mã học viên,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
        HV-ZZZZZZ,Nguyễn Văn An,05/03/1990,Nam,0912 000 001,Xã Khao Mang\n";
    let problem = |err: Error| match err {
        Error::InvalidRows(rows) => rows.iter().map(|r| (r.line, r.problem)).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        problem(
            import_learners(&db, &inside, hocvuso::model::Area::Province(15), by_code.as_bytes(), &dry)
                .await
                .unwrap_err()
        ),
        problem(
            import_learners(&db, &inside, hocvuso::model::Area::Province(15), missing.as_bytes(), &dry)
                .await
                .unwrap_err()
        ),
    );
    // The registration form says the person exists, but not their code.
    let form = hocvuso::model::LearnerForm { commune: "4465".into(), ..elsewhere.clone() };
    assert_eq!(
        registration::register(&db, &inside, hocvuso::model::Area::Province(15), &form).await.unwrap_err(),
        Error::Conflict(None)
    );
    assert_eq!(
        registration::register(&db, &admin(), hocvuso::model::Area::Province(15), &form).await.unwrap_err(),
        Error::Conflict(Some(code))
    );
    assert_eq!(learners(&db).await, 1);
    // Dry runs answer like lookups, so they are limited like lookups: four so far, six more, then no.
    for _ in 0..6 {
        assert!(
            import_learners(&db, &inside, hocvuso::model::Area::Province(15), new_person.as_bytes(), &dry)
                .await
                .is_ok()
        );
    }
    let refused = import_learners(&db, &inside, hocvuso::model::Area::Province(15), new_person.as_bytes(), &dry).await;
    assert!(matches!(refused, Err(Error::RateLimited(_))), "{refused:?}");
    assert!(
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), new_person.as_bytes(), &dry).await.is_ok(),
        "another account is not held back"
    );
}

on_both_databases!(scope_secrets, people_outside_the_scope_are_not_revealed);

async fn a_column_named_twice_is_refused_naming_both_in_every_import(db: DatabaseConnection) {
    use hocvuso::service::imports::completions::import_completions;
    let learners_file = "Họ và tên,Số điện thoại,Ngày sinh,Giới tính,SĐT,Xã/Phường\n\
        Nguyễn Văn An,0912 000 001,05/03/1990,Nam,0912 000 009,4465\n";
    let err = import_learners(&db, &admin(), hocvuso::model::Area::Province(15), learners_file.as_bytes(), &stated())
        .await
        .unwrap_err();
    assert_eq!(err.field_problem("Số điện thoại, SĐT"), Some(Text::ColumnRepeated));
    let completions = "learner_code,course_code,Mã khóa học,status\nHV-1,KNS-01,KNS-02,completed\n";
    let err = import_completions(&db, &admin(), completions.as_bytes(), &ImportOptions::default()).await.unwrap_err();
    assert_eq!(err.field_problem("course_code, Mã khóa học"), Some(Text::ColumnRepeated));
    let targets = "unit_kind,unit,period,metric,value,Value\ncommune,4465,,enrolments,10,20\n";
    let err = hocvuso::service::statistics::targets::import(&db, &admin(), targets.as_bytes()).await.unwrap_err();
    assert_eq!(err.field_problem("value, Value"), Some(Text::ColumnRepeated));
    assert_eq!(learners(&db).await, 0);
}

on_both_databases!(repeated_columns, a_column_named_twice_is_refused_naming_both_in_every_import);

async fn completions_find_learners_by_citizen_id_through_its_keyed_hash(db: DatabaseConnection) {
    use hocvuso::service::imports::completions::import_completions;
    let course = hocvuso::model::CourseForm {
        code: "KNS-01".into(),
        title: "Kỹ năng số".into(),
        platform: "onething.vn".into(),
        hours: "4".into(),
        ..Default::default()
    };
    hocvuso::service::enrolments::courses::create(&db, &admin(), &course).await.unwrap();
    let key = Some("test-key-for-citizen-id-numbers-0001".to_string());
    let people = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Số CCCD\n\
        Nguyễn Văn An,05/03/1990,Nam,0912 000 001,4465,001 090 000 123\n";
    let with_key = ImportOptions { citizen_id_key: key.clone(), ..stated() };
    assert_eq!(
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), people.as_bytes(), &with_key).await.unwrap(),
        report(1, 0, 0)
    );

    let file =
        "Số định danh cá nhân,Mã khoá học,Trạng thái,Ngày hoàn thành\n001090000123,KNS-01,hoàn thành,20/11/2026\n";
    let options = ImportOptions { citizen_id_key: key.clone(), ..ImportOptions::default() };
    let done = import_completions(&db, &admin(), file.as_bytes(), &options).await.unwrap();
    assert_eq!((done.created, done.unchanged), (1, 0));
    let overview = hocvuso::service::statistics::overview::overview(
        &db,
        &hocvuso::auth::Actor::Anonymous,
        hocvuso::model::Area::Province(15),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!((overview.completion.enrolled, overview.completion.completed), (1, 1));
    let again = import_completions(&db, &admin(), file.as_bytes(), &options).await.unwrap();
    assert_eq!((again.created, again.unchanged), (0, 1));

    // Without a key the column is refused with the learner import's own words.
    let unkeyed = import_completions(&db, &admin(), file.as_bytes(), &ImportOptions::default()).await.unwrap_err();
    assert_eq!(unkeyed.field_problem("citizen_id"), Some(Text::CitizenIdNoKey));
    let unkeyed_learners =
        import_learners(&db, &admin(), hocvuso::model::Area::Province(15), people.as_bytes(), &stated())
            .await
            .unwrap_err();
    assert_eq!(unkeyed_learners.field_problem("citizen_id"), Some(Text::CitizenIdNoKey));

    // A bad or unknown number is listed by its line, and never said back.
    let bad = "citizen_id,course_code,status\n12345,KNS-01,completed\n001 090 000 999,KNS-01,completed\n";
    let Err(Error::InvalidRows(errors)) = import_completions(&db, &admin(), bad.as_bytes(), &options).await else {
        panic!("expected bad rows");
    };
    assert_eq!(
        errors,
        [
            RowError { line: 2, column: "citizen_id".into(), value: String::new(), problem: Text::CitizenIdInvalid },
            RowError { line: 3, column: "citizen_id".into(), value: String::new(), problem: Text::UnknownLearner },
        ]
    );
    // Kept nowhere in clear: only the keyed hash is on the learner, and the audit log has counts.
    let learner = learner::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(learner.citizen_id_hash.as_ref().map(String::len), Some(64));
    let audit = hocvuso::entity::audit_log::Entity::find().all(&db).await.unwrap();
    assert!(!format!("{audit:?}{learner:?}").contains("090000123"));
}

on_both_databases!(citizen_id_completions, completions_find_learners_by_citizen_id_through_its_keyed_hash);

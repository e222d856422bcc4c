//! Learner import: whole-file validation, every bad row listed, nothing written on error, dry run,
//! idempotent re-import, header aliases, XLSX and formula-safe export.
use hocvuso::Error;
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::entity::learner;
use hocvuso::i18n::Text;
use hocvuso::model::{ImportReport, LearnerFilter, RowError};
use hocvuso::on_both_databases;
use hocvuso::service::import::{Format, ImportOptions, export_learners, import_learners};
use hocvuso::service::table;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

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
    let Err(Error::InvalidRows(errors)) = import_learners(&db, &admin(), 15, file.as_bytes(), &stated()).await else {
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
    let Err(Error::InvalidRows(errors)) = import_learners(&db, &admin(), 15, two_bad.as_bytes(), &stated()).await
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
    let dry = import_learners(&db, &admin(), 15, GOOD.as_bytes(), &ImportOptions { dry_run: true, ..stated() })
        .await
        .unwrap();
    assert_eq!(dry, ImportReport { dry_run: true, ..report(3, 0, 0) });
    assert_eq!(learners(&db).await, 0, "a dry run writes nothing");

    assert_eq!(import_learners(&db, &admin(), 15, GOOD.as_bytes(), &stated()).await.unwrap(), report(3, 0, 0));
    assert_eq!(import_learners(&db, &admin(), 15, GOOD.as_bytes(), &stated()).await.unwrap(), report(0, 0, 3));
    assert_eq!(learners(&db).await, 3);
    // One person moved to another commune: updated, and the counters follow.
    let moved = GOOD.replace(
        "Giàng Seo Súa,1/1/2000,Nam,+84 912 000 003,mu cang chai",
        "Giàng Seo Súa,1/1/2000,Nam,0912000003,4465",
    );
    assert_eq!(import_learners(&db, &admin(), 15, moved.as_bytes(), &stated()).await.unwrap(), report(0, 1, 2));
    assert_eq!(hocvuso::service::stats::verify(&db).await.unwrap(), vec![]);
    let overview = hocvuso::service::overview::overview(&db, 15, &hocvuso::auth::Actor::Anonymous).await.unwrap();
    let khao_mang = overview.communes.iter().find(|c| c.id == "4465").unwrap();
    assert_eq!(khao_mang.learners, 2);
}

on_both_databases!(re_import, importing_the_same_file_again_creates_nothing);

async fn headers_match_in_either_language_and_unknown_columns_are_reported(db: DatabaseConnection) {
    let file = "\u{feff}HỌ VÀ TÊN;ngay sinh;GENDER;SĐT;Mã xã;Ghi chú;Đồng ý\n\
Nguyễn Văn An;05/03/1990;male;0912 000 001;4465;đội trưởng;có\n\
Lò Thị Dơ;05/03/1991;female;0912 000 002;4465;;Yes\n";
    let done = import_learners(&db, &admin(), 15, file.as_bytes(), &ImportOptions::default()).await.unwrap();
    assert_eq!(done, ImportReport { unknown_columns: vec!["Ghi chú".into()], ..report(2, 0, 0) });

    let refused = file.replace(";có\n", ";không\n");
    let Err(Error::InvalidRows(errors)) =
        import_learners(&db, &admin(), 15, refused.as_bytes(), &ImportOptions::default()).await
    else {
        panic!("expected bad rows");
    };
    assert_eq!((errors[0].line, errors[0].column.as_str(), errors[0].problem), (2, "Đồng ý", Text::ConsentColumnNo));
}

on_both_databases!(header_aliases, headers_match_in_either_language_and_unknown_columns_are_reported);

async fn without_consent_or_required_columns_the_file_is_refused_whole(db: DatabaseConnection) {
    let unstated = import_learners(&db, &admin(), 15, GOOD.as_bytes(), &ImportOptions::default()).await.unwrap_err();
    assert_eq!(unstated.field_problem("consent_version"), Some(Text::ConsentNotStated));
    let old = ImportOptions { dry_run: false, consent_version: Some("2020-01".into()), ..Default::default() };
    assert!(import_learners(&db, &admin(), 15, GOOD.as_bytes(), &old).await.is_err());
    let missing = import_learners(&db, &admin(), 15, "Họ và tên,Ngày sinh\nA B,01/01/1990\n".as_bytes(), &stated())
        .await
        .unwrap_err();
    assert_eq!(missing.field_problem("phone"), Some(Text::ColumnMissing));
    assert_eq!(missing.field_problem("commune"), Some(Text::ColumnMissing));
    let not_a_table = import_learners(&db, &admin(), 15, b"PK\x03\x04garbage", &stated()).await.unwrap_err();
    assert_eq!(not_a_table.field_problem("file"), Some(Text::FileNotReadable));
    assert_eq!(learners(&db).await, 0);
}

on_both_databases!(consent_and_columns, without_consent_or_required_columns_the_file_is_refused_whole);

async fn organisers_import_only_inside_their_scope(db: DatabaseConnection) {
    let Err(Error::InvalidRows(errors)) =
        import_learners(&db, &organiser(&[4465]), 15, GOOD.as_bytes(), &stated()).await
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
    assert_eq!(import_learners(&db, &admin(), 15, &xlsx, &stated()).await.unwrap(), report(2, 0, 0));

    let csv = String::from_utf8(export_learners(&db, &admin(), &LearnerFilter::default(), Format::Csv).await.unwrap())
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}Mã học viên,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Cơ quan/Đơn vị,Đội hình"
    );
    assert_eq!(lines.len(), 3);
    assert!(csv.contains(",'+84912000001,4465,,"), "a leading + is neutralised: {csv}");
    // The export imports again as the same learners.
    let again = csv.replace("'+84", "+84");
    assert_eq!(import_learners(&db, &admin(), 15, again.as_bytes(), &stated()).await.unwrap(), report(0, 0, 2));

    let xlsx = export_learners(&db, &organiser(&[4456]), &LearnerFilter::default(), Format::Xlsx).await.unwrap();
    let sheet = table::read(&xlsx).unwrap();
    assert_eq!(sheet.len(), 2, "an organiser exports only their scope");
    assert_eq!(sheet[1][1], "Lò Thị Dơ");
    assert_eq!(sheet[1][4], "'+84912000002");
}

on_both_databases!(xlsx_and_export, xlsx_imports_and_exports_are_formula_safe);

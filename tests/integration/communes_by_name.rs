//! Communes by name across provinces: a province column (or form field) says where a name is
//! looked for, else the uploader's province; a name several provinces share is refused with
//! every commune it may mean, and their codes.
use hocvuso::Error;
use hocvuso::auth::Actor;
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::entity::learner;
use hocvuso::i18n::Text;
use hocvuso::model::{Area, LearnerForm, RowError};
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use hocvuso::service::imports::learners::{ImportOptions, import_learners};
use hocvuso::service::learners::registration::{self, ProvinceIndex};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::registration::{admin, form, organiser};

/// Seven communes bear this name, in Tuyên Quang, Lạng Sơn, Hưng Yên, Thanh Hóa, Đắk Lắk, Đồng Nai and Cà Mau.
const TAN_TIEN: &str = "Xã Tân Tiến";
const TAN_TIEN_EVERYWHERE: &str = "Xã Tân Tiến: 1051 (Tuyên Quang), 6019 (Lạng Sơn), 12478 (Hưng Yên), \
16108 (Thanh Hóa), 24526 (Đắk Lắk), 25318 (Đồng Nai), 32188 (Cà Mau)";

fn stated() -> ImportOptions {
    ImportOptions { consent_version: Some(CONSENT_VERSION.into()), ..Default::default() }
}

/// (full name, commune code) of every learner, by name.
async fn placed(db: &DatabaseConnection) -> Vec<(String, i32)> {
    let mut rows: Vec<(String, i32)> =
        learner::Entity::find().all(db).await.unwrap().into_iter().map(|l| (l.full_name, l.commune_code)).collect();
    rows.sort();
    rows
}

async fn learners(db: &DatabaseConnection) -> u64 {
    learner::Entity::find().count(db).await.unwrap()
}

async fn province_admin(db: &DatabaseConnection, province: i32) -> Actor {
    let row = accounts::create_admin(db, "quantri.tinh", "Quản trị tỉnh", "ruong-bac-thang-2026", Some(province))
        .await
        .unwrap();
    Actor::Account(accounts::actor_for(db, row.id).await.unwrap().unwrap())
}

fn refused(outcome: hocvuso::Result<hocvuso::model::ImportReport>) -> Vec<RowError> {
    match outcome {
        Err(Error::InvalidRows(errors)) => errors,
        other => panic!("expected bad rows, got {other:?}"),
    }
}

async fn a_province_column_places_a_shared_name_in_each_rows_province(db: DatabaseConnection) {
    let file = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Tỉnh/Thành phố\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,{TAN_TIEN},Tuyên Quang\n\
Lò Thị Dơ,05/03/1990,Nữ,0912 000 002,tan tien,Tỉnh Lạng Sơn\n\
Giàng Seo Súa,05/03/1990,Nam,0912 000 003,{TAN_TIEN},33\n\
Hà Thị Mai,05/03/1990,Nữ,0912 000 004,Tân Tiến,dong nai\n\
Vàng A Pao,05/03/1990,Nam,0912 000 005,4465,Lào Cai\n"
    );
    let report = import_learners(&db, &admin(), Area::Country, file.as_bytes(), &stated()).await.unwrap();
    assert_eq!((report.created, report.updated, report.unchanged), (5, 0, 0));
    assert_eq!(
        placed(&db).await,
        [
            ("Giàng Seo Súa".to_string(), 12478),
            ("Hà Thị Mai".to_string(), 25318),
            ("Lò Thị Dơ".to_string(), 6019),
            ("Nguyễn Văn An".to_string(), 1051),
            ("Vàng A Pao".to_string(), 4465),
        ]
    );
}

on_both_databases!(province_column, a_province_column_places_a_shared_name_in_each_rows_province);

async fn a_shared_name_without_a_province_is_a_row_error_naming_every_candidate(db: DatabaseConnection) {
    let file = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,4465\n\
Lò Thị Dơ,05/03/1990,Nữ,0912 000 002,{TAN_TIEN}\n"
    );
    let errors = refused(import_learners(&db, &admin(), Area::Country, file.as_bytes(), &stated()).await);
    assert_eq!(
        errors,
        [RowError {
            line: 3,
            column: "Xã/Phường".into(),
            value: TAN_TIEN_EVERYWHERE.into(),
            problem: Text::CommuneAmbiguous
        }]
    );
    assert_eq!(learners(&db).await, 0, "nothing written");
    // A deployment for Lào Cai does not make the name any less ambiguous: it has no Xã Tân Tiến.
    let errors = refused(import_learners(&db, &admin(), Area::Province(15), file.as_bytes(), &stated()).await);
    assert_eq!((errors[0].value.as_str(), errors[0].problem), (TAN_TIEN_EVERYWHERE, Text::CommuneAmbiguous));
}

on_both_databases!(ambiguous_name, a_shared_name_without_a_province_is_a_row_error_naming_every_candidate);

async fn a_name_is_looked_for_in_the_uploaders_province_first(db: DatabaseConnection) {
    // "Xã Hạnh Phúc" is in Cao Bằng (1618) and Lào Cai (4585); "Xã Yên Bình" in Lào Cai (4714),
    // Thái Nguyên and Lạng Sơn.
    let file = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,Xã Hạnh Phúc\n\
Lò Thị Dơ,05/03/1990,Nữ,0912 000 002,yen binh\n";
    let errors = refused(import_learners(&db, &admin(), Area::Country, file.as_bytes(), &stated()).await);
    let ambiguous: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.value.as_str())).collect();
    assert_eq!(
        ambiguous,
        [
            (2, "Xã Hạnh Phúc: 1618 (Cao Bằng), 4585 (Lào Cai)"),
            (3, "Xã Yên Bình: 2116 (Thái Nguyên), 4714 (Lào Cai), 6391 (Lạng Sơn)")
        ]
    );

    let laocai = province_admin(&db, 15).await;
    let report = import_learners(&db, &laocai, Area::Country, file.as_bytes(), &stated()).await.unwrap();
    assert_eq!(report.created, 2);
    assert_eq!(placed(&db).await, [("Lò Thị Dơ".to_string(), 4714), ("Nguyễn Văn An".to_string(), 4585)]);

    // The landing province of a deployment, and the provinces of an organiser's scope, do the same.
    let landed =
        registration::register(&db, &admin(), Area::Province(15), &form("Hà Thị Mai", "0912 000 003", "Hạnh Phúc"))
            .await
            .unwrap();
    assert_eq!(landed.learner.commune_code, 4585);
    let caobang = organiser(&[1618]);
    let scoped =
        registration::register(&db, &caobang, Area::Country, &form("Vàng Thị Mỷ", "0912 000 004", "Xã Hạnh Phúc"))
            .await
            .unwrap();
    assert_eq!(scoped.learner.commune_code, 1618);
}

on_both_databases!(uploaders_province, a_name_is_looked_for_in_the_uploaders_province_first);

async fn an_unknown_province_or_one_the_commune_is_not_in_is_a_row_error(db: DatabaseConnection) {
    let file = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,province\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,{TAN_TIEN},Tỉnh Không Có\n\
Lò Thị Dơ,05/03/1990,Nữ,0912 000 002,4465,Thành phố Hà Nội\n\
Giàng Seo Súa,05/03/1990,Nam,0912 000 003,Xã Khao Mang,Tuyên Quang\n\
Hà Thị Mai,05/03/1990,Nữ,0912 000 004,{TAN_TIEN},Thanh Hóa\n"
    );
    let errors = refused(import_learners(&db, &admin(), Area::Country, file.as_bytes(), &stated()).await);
    let listed: Vec<(u64, &str, &str, Text)> =
        errors.iter().map(|e| (e.line, e.column.as_str(), e.value.as_str(), e.problem)).collect();
    assert_eq!(
        listed,
        [
            (2, "province", "Tỉnh Không Có", Text::UnknownProvince),
            (3, "Xã/Phường", "4465", Text::CommuneNotInProvince),
            (4, "Xã/Phường", "Xã Khao Mang", Text::CommuneNotInProvince),
        ]
    );
    assert_eq!(learners(&db).await, 0, "nothing written");
}

on_both_databases!(unknown_province, an_unknown_province_or_one_the_commune_is_not_in_is_a_row_error);

async fn a_form_with_a_province_registers_in_it(db: DatabaseConnection) {
    let in_thanh_hoa =
        LearnerForm { province: Some("Thanh Hóa".into()), ..form("Nguyễn Thị Đức", "0912 345 678", TAN_TIEN) };
    let view = registration::register(&db, &admin(), Area::Country, &in_thanh_hoa).await.unwrap().learner;
    assert_eq!((view.commune_code, view.commune_name.as_str()), (16108, TAN_TIEN));

    let nowhere = form("Lò Văn Pao", "0912 345 679", TAN_TIEN);
    let err = registration::register(&db, &admin(), Area::Country, &nowhere).await.unwrap_err();
    assert_eq!(err.field_problem("commune"), Some(Text::CommuneAmbiguous));
    let unknown = LearnerForm { province: Some("Tỉnh Không Có".into()), ..nowhere.clone() };
    let err = registration::register(&db, &admin(), Area::Country, &unknown).await.unwrap_err();
    assert_eq!(err, Error::invalid("province", Text::UnknownProvince));
    let elsewhere = LearnerForm { province: Some("1".into()), commune: "16108".into(), ..nowhere.clone() };
    let err = registration::register(&db, &admin(), Area::Country, &elsewhere).await.unwrap_err();
    assert_eq!(err, Error::invalid("commune", Text::CommuneNotInProvince));
    // An empty province (the form's field left blank) is no province.
    let blank = LearnerForm { province: Some(" ".into()), commune: "16108".into(), ..nowhere };
    let view = registration::register(&db, &admin(), Area::Country, &blank).await.unwrap().learner;
    assert_eq!(view.commune_code, 16108);
    assert_eq!(learners(&db).await, 2);
}

on_both_databases!(form_province, a_form_with_a_province_registers_in_it);

async fn provinces_are_found_by_code_and_by_name_with_or_without_their_prefix(db: DatabaseConnection) {
    let provinces = ProvinceIndex::load(&db).await.unwrap();
    for (text, code) in [
        ("Lào Cai", Some(15)),
        ("lao cai", Some(15)),
        ("Tỉnh Lào Cai", Some(15)),
        (" 15 ", Some(15)),
        ("Hà Nội", Some(1)),
        ("Thành phố Hà Nội", Some(1)),
        ("TP Hồ Chí Minh", Some(79)),
        ("Thừa Thiên Huế", None),
        ("16", None),
    ] {
        assert_eq!(provinces.resolve(text), code, "{text}");
    }
}

on_both_databases!(province_index, provinces_are_found_by_code_and_by_name_with_or_without_their_prefix);

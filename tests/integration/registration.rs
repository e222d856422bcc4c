//! Registering learners: parsing, consent, scope, duplicates (also concurrent ones) and search.
use hocvuso::Error;
use hocvuso::auth::{AccountActor, Actor, Role, Scope};
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::entity::{audit_log, learner};
use hocvuso::i18n::Text;
use hocvuso::model::{LearnerFilter, LearnerForm};
use hocvuso::on_both_databases;
use hocvuso::service::learners::registration;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

pub fn admin() -> Actor {
    Actor::Account(AccountActor {
        id: Uuid::now_v7(),
        username: "quantri".into(),
        display_name: "Quản trị".into(),
        role: Role::Admin,
        province: None,
        scope: Scope::default(),
    })
}

pub fn organiser(communes: &[i32]) -> Actor {
    Actor::Account(AccountActor {
        id: Uuid::now_v7(),
        username: "tochuc".into(),
        display_name: "Tổ chức".into(),
        role: Role::Organiser,
        province: None,
        scope: Scope { communes: communes.iter().copied().collect(), organisations: Default::default() },
    })
}

pub fn form(name: &str, phone: &str, commune: &str) -> LearnerForm {
    LearnerForm {
        full_name: name.into(),
        birth_date: "05/03/1990".into(),
        gender: "Nữ".into(),
        phone: phone.into(),
        commune: commune.into(),
        province: None,
        organisation: None,
        team: None,
        group: None,
        consent_version: Some(CONSENT_VERSION.into()),
    }
}

async fn learners(db: &DatabaseConnection) -> u64 {
    learner::Entity::find().count(db).await.unwrap()
}

async fn a_learner_is_registered_from_raw_input(db: DatabaseConnection) {
    let view = registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("  Nguyễn   Thị Đức ", "0912 345 678", "Mù Cang Chải"),
    )
    .await
    .unwrap()
    .learner;
    assert!(view.code.starts_with("HV-") && view.code.len() == 9, "{}", view.code);
    assert_eq!(view.full_name, "Nguyễn Thị Đức");
    assert_eq!(view.phone.as_deref(), Some("+84912345678"));
    assert_eq!(view.birth_date, chrono::NaiveDate::from_ymd_opt(1990, 3, 5));
    assert_eq!(view.gender, hocvuso::person::Gender::Female);
    assert_eq!((view.commune_code, view.commune_name.as_str()), (4456, "Xã Mù Cang Chải"));
    assert_eq!(view.consent_version.as_deref(), Some(CONSENT_VERSION));
    let row = learner::Entity::find_by_id(view.id).one(&db).await.unwrap().unwrap();
    assert!(row.consent_at.is_some());
    assert_eq!(row.access_token.as_ref().map(String::len), Some(64));
    let overview = hocvuso::service::statistics::overview::overview(
        &db,
        &Actor::Anonymous,
        hocvuso::model::Area::Province(15),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(overview.learners, 1);
    let audit = audit_log::Entity::find().all(&db).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!((audit[0].action.as_str(), audit[0].entity.as_str()), ("create", "learner"));
    assert!(!audit[0].detail.clone().unwrap_or_default().contains("912"), "no phone in the audit log");
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(register_one, a_learner_is_registered_from_raw_input);

async fn every_problem_is_reported_at_once_and_nothing_is_written(db: DatabaseConnection) {
    let bad = LearnerForm {
        full_name: "A".into(),
        birth_date: "31/02/1990".into(),
        gender: "?".into(),
        phone: "024 3825 1234".into(),
        commune: "Không có xã này".into(),
        province: None,
        organisation: Some("Cơ quan ma".into()),
        team: Some(Uuid::now_v7().to_string()),
        group: None,
        consent_version: None,
    };
    let Err(Error::Invalid(errors)) =
        registration::register(&db, &admin(), hocvuso::model::Area::Province(15), &bad).await
    else {
        panic!("expected field errors");
    };
    let fields: Vec<(&str, Text)> = errors.iter().map(|e| (e.field.as_str(), e.problem)).collect();
    assert_eq!(
        fields,
        [
            ("full_name", Text::FullNameLength),
            ("birth_date", Text::BirthDateFormat),
            ("gender", Text::GenderInvalid),
            ("phone", Text::PhoneInvalid),
            ("commune", Text::UnknownCommune),
            ("organisation", Text::UnknownOrganisation),
            ("team", Text::UnknownTeam),
            ("consent_version", Text::ConsentRequired),
        ]
    );
    let mut old_notice = form("Lò Văn Pao", "0362 000 111", "4465");
    old_notice.consent_version = Some("2020-01".into());
    assert_eq!(
        registration::register(&db, &admin(), hocvuso::model::Area::Province(15), &old_notice)
            .await
            .unwrap_err()
            .field_problem("consent_version"),
        Some(Text::ConsentRequired),
        "silence, or an old notice, is not consent"
    );
    assert_eq!(learners(&db).await, 0);
    assert_eq!(audit_log::Entity::find().count(&db).await.unwrap(), 0);
}

on_both_databases!(all_problems_at_once, every_problem_is_reported_at_once_and_nothing_is_written);

async fn organisers_register_and_see_only_inside_their_scope(db: DatabaseConnection) {
    let khao_mang = organiser(&[4465]);
    assert_eq!(
        registration::register(
            &db,
            &khao_mang,
            hocvuso::model::Area::Province(15),
            &form("Lò Văn Pao", "0362 000 111", "4456")
        )
        .await
        .unwrap_err(),
        Error::Forbidden
    );
    assert_eq!(
        registration::register(
            &db,
            &Actor::Anonymous,
            hocvuso::model::Area::Province(15),
            &form("Lò Văn Pao", "0362 000 111", "4465")
        )
        .await
        .unwrap_err(),
        Error::Unauthorized
    );
    let mine = registration::register(
        &db,
        &khao_mang,
        hocvuso::model::Area::Province(15),
        &form("Lò Văn Pao", "0362 000 111", "4465"),
    )
    .await
    .unwrap()
    .learner;
    let theirs = registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Giàng Seo Súa", "0363 000 222", "4456"),
    )
    .await
    .unwrap()
    .learner;
    assert_eq!(registration::find(&db, &khao_mang, &mine.code).await.unwrap().id, mine.id);
    assert_eq!(
        registration::find(&db, &khao_mang, &theirs.code).await.unwrap_err(),
        Error::NotFound,
        "out of scope is 404"
    );
    let listed = registration::search(&db, &khao_mang, &LearnerFilter::default()).await.unwrap();
    assert_eq!(listed.rows.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(), [mine.code.as_str()]);
    assert_eq!(registration::search(&db, &admin(), &LearnerFilter::default()).await.unwrap().total, 2);
}

on_both_databases!(scope, organisers_register_and_see_only_inside_their_scope);

async fn one_person_is_never_registered_twice(db: DatabaseConnection) {
    let first = registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Nguyễn Văn Đức", "0912 345 678", "4465"),
    )
    .await
    .unwrap()
    .learner;
    // The same person, typed differently: no marks, another phone form, another commune.
    let again = registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("nguyen van  duc", "+84 912345678", "4456"),
    )
    .await;
    assert_eq!(again.unwrap_err(), Error::Conflict(Some(first.code.clone())));
    // Same phone and name, another birth date: another person.
    let mut other = form("Nguyễn Văn Đức", "0912 345 678", "4465");
    other.birth_date = "1991-03-05".into();
    assert!(registration::register(&db, &admin(), hocvuso::model::Area::Province(15), &other).await.is_ok());
    assert_eq!(learners(&db).await, 2);
}

on_both_databases!(duplicates, one_person_is_never_registered_twice);

async fn the_same_person_submitted_at_once_becomes_one_learner(db: DatabaseConnection) {
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                registration::register(
                    &db,
                    &admin(),
                    hocvuso::model::Area::Province(15),
                    &form("Vàng Thị Mai", "0987 654 321", "4465"),
                )
                .await
            })
        })
        .collect();
    let mut created = Vec::new();
    let mut conflicts = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(view) => created.push(view.learner.code),
            Err(Error::Conflict(Some(code))) => conflicts.push(code),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(created.len(), 1);
    assert_eq!(conflicts, vec![created[0].clone(); 7], "the others are pointed to the existing learner");
    assert_eq!(learners(&db).await, 1);
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(concurrent_duplicate, the_same_person_submitted_at_once_becomes_one_learner);

async fn search_ignores_marks_and_pages(db: DatabaseConnection) {
    let duc = registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Nguyễn Văn Đức", "0912 345 678", "4465"),
    )
    .await
    .unwrap()
    .learner;
    registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Nguyễn Thị Hoa", "0912 345 679", "4465"),
    )
    .await
    .unwrap();
    for i in 0..21 {
        let name = format!("Học Viên {}", ["An", "Bình", "Chi"][i % 3]);
        let mut f = form(&name, &format!("0913 000 {i:03}"), "4456");
        f.birth_date = format!("01/01/{}", 1980 + i);
        registration::register(&db, &admin(), hocvuso::model::Area::Province(15), &f).await.unwrap();
    }
    let find = |q: &str| LearnerFilter { q: Some(q.into()), ..LearnerFilter::default() };
    let found = registration::search(&db, &admin(), &find("nguyen van duc")).await.unwrap();
    assert_eq!(found.rows.iter().map(|l| l.id).collect::<Vec<_>>(), [duc.id]);
    assert_eq!(registration::search(&db, &admin(), &find("NGUYỄN")).await.unwrap().total, 2);
    assert_eq!(registration::search(&db, &admin(), &find(&duc.code.to_lowercase())).await.unwrap().total, 1);
    assert_eq!(registration::search(&db, &admin(), &find("+84 912 345 678")).await.unwrap().rows[0].id, duc.id);
    let hoc_vien = registration::search(&db, &admin(), &find("hoc vien")).await.unwrap();
    assert_eq!((hoc_vien.total, hoc_vien.rows.len()), (21, 20));
    let second =
        registration::search(&db, &admin(), &LearnerFilter { page: Some(2), ..find("hoc vien") }).await.unwrap();
    assert_eq!(second.rows.len(), 1);
    let in_commune = LearnerFilter { commune: Some(4465), ..LearnerFilter::default() };
    assert_eq!(registration::search(&db, &admin(), &in_commune).await.unwrap().total, 2);
}

on_both_databases!(search, search_ignores_marks_and_pages);

async fn learners_are_edited_and_deactivated_inside_scope_with_counters_following(db: DatabaseConnection) {
    let khao_mang = organiser(&[4465, 4456]);
    let a = registration::register(
        &db,
        &khao_mang,
        hocvuso::model::Area::Province(15),
        &form("Lò Văn Pao", "0362 000 111", "4465"),
    )
    .await
    .unwrap()
    .learner;
    let b = registration::register(
        &db,
        &khao_mang,
        hocvuso::model::Area::Province(15),
        &form("Lò Văn Sính", "0362 000 222", "4465"),
    )
    .await
    .unwrap()
    .learner;
    // Move to Mù Cang Chải, fix the name's spelling.
    let moved = registration::update(
        &db,
        &khao_mang,
        hocvuso::model::Area::Province(15),
        &a.code,
        &form("Lò Văn Páo", "0362 000 111", "4456"),
    )
    .await
    .unwrap();
    assert_eq!((moved.commune_code, moved.full_name.as_str()), (4456, "Lò Văn Páo"));
    // Becoming the same person as another learner is refused, naming them.
    let clash = registration::update(
        &db,
        &khao_mang,
        hocvuso::model::Area::Province(15),
        &a.code,
        &form("Lò Văn Sính", "0362 000 222", "4456"),
    )
    .await;
    assert_eq!(clash.unwrap_err(), Error::Conflict(Some(b.code.clone())));
    // Out of scope: not found, whatever the code.
    assert_eq!(
        registration::update(
            &db,
            &organiser(&[70]),
            hocvuso::model::Area::Province(15),
            &a.code,
            &form("X Y", "0362 000 111", "70")
        )
        .await
        .unwrap_err(),
        Error::NotFound
    );
    registration::set_active(&db, &khao_mang, &b.code, false).await.unwrap();
    let overview = hocvuso::service::statistics::overview::overview(
        &db,
        &Actor::Anonymous,
        hocvuso::model::Area::Province(15),
        None,
        None,
    )
    .await
    .unwrap();
    let learners_in = |code: &str| overview.units.iter().find(|c| c.id == code).unwrap().learners;
    assert_eq!((learners_in("4465"), learners_in("4456"), overview.learners), (0, 1, 1));
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
    assert_eq!(
        registration::search(&db, &khao_mang, &LearnerFilter::default()).await.unwrap().total,
        1,
        "inactive learners leave the list"
    );
    registration::set_active(&db, &khao_mang, &b.code, true).await.unwrap();
    assert_eq!(registration::search(&db, &khao_mang, &LearnerFilter::default()).await.unwrap().total, 2);
    let actions: Vec<String> =
        audit_log::Entity::find().all(&db).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["create", "create", "update", "deactivate", "reactivate"]);
}

on_both_databases!(edit_and_deactivate, learners_are_edited_and_deactivated_inside_scope_with_counters_following);

async fn organisations_and_teams_are_created_edited_and_deactivated_in_scope(db: DatabaseConnection) {
    use hocvuso::model::UnitForm;
    use hocvuso::service::units;
    let khao_mang = organiser(&[4465]);
    let school = UnitForm {
        name: "Trường  THCS Khao Mang".into(),
        commune: "4465".into(),
        kind: Some("truong_hoc".into()),
        ..UnitForm::default()
    };
    let created =
        units::create_organisation(&db, &khao_mang, hocvuso::model::Area::Province(15), &school).await.unwrap();
    assert_eq!((created.name.as_str(), created.commune_name.as_str()), ("Trường THCS Khao Mang", "Xã Khao Mang"));
    let elsewhere = UnitForm { commune: "4456".into(), ..school.clone() };
    assert_eq!(
        units::create_organisation(&db, &khao_mang, hocvuso::model::Area::Province(15), &elsewhere).await.unwrap_err(),
        Error::Forbidden
    );
    let no_kind = UnitForm { kind: None, ..school.clone() };
    assert_eq!(
        units::create_organisation(&db, &khao_mang, hocvuso::model::Area::Province(15), &no_kind)
            .await
            .unwrap_err()
            .field_problem("kind"),
        Some(Text::OrganisationKindInvalid)
    );
    let team = UnitForm {
        name: "Đội hình BDHVS Khao Mang".into(),
        commune: "Xã Khao Mang".into(),
        organisation: Some(created.id.to_string()),
        leader_name: Some("Vàng A Dơ".into()),
        member_count: Some("12".into()),
        founded_on: Some("01/03/2025".into()),
        ..UnitForm::default()
    };
    let team = units::create_team(&db, &khao_mang, hocvuso::model::Area::Province(15), &team).await.unwrap();
    assert_eq!((team.member_count, team.organisation_name.as_deref()), (Some(12), Some("Trường THCS Khao Mang")));
    let future = UnitForm {
        founded_on: Some("01/01/2099".into()),
        name: "Đội khác".into(),
        commune: "4465".into(),
        ..UnitForm::default()
    };
    assert_eq!(
        units::create_team(&db, &khao_mang, hocvuso::model::Area::Province(15), &future)
            .await
            .unwrap_err()
            .field_problem("founded_on"),
        Some(Text::FoundedOnInvalid)
    );

    let renamed = UnitForm { name: "Trường PTDTBT THCS Khao Mang".into(), ..school.clone() };
    assert_eq!(
        units::update_organisation(&db, &khao_mang, hocvuso::model::Area::Province(15), created.id, &renamed)
            .await
            .unwrap()
            .name,
        "Trường PTDTBT THCS Khao Mang"
    );
    let bigger = UnitForm {
        name: "Đội hình BDHVS Khao Mang".into(),
        commune: "4465".into(),
        member_count: Some("15".into()),
        ..UnitForm::default()
    };
    assert_eq!(
        units::update_team(&db, &khao_mang, hocvuso::model::Area::Province(15), team.id, &bigger)
            .await
            .unwrap()
            .member_count,
        Some(15)
    );
    assert_eq!(
        units::update_team(
            &db,
            &organiser(&[4456]),
            hocvuso::model::Area::Province(15),
            team.id,
            &UnitForm { commune: "4456".into(), ..bigger.clone() }
        )
        .await
        .unwrap_err(),
        Error::NotFound
    );
    units::set_active(&db, &khao_mang, hocvuso::model::UnitKind::Team, team.id, false).await.unwrap();
    assert!(units::list_teams(&db, &khao_mang, None).await.unwrap().is_empty());
    assert_eq!(
        units::list_organisations(&db, &organiser(&[70]), None).await.unwrap().len(),
        0,
        "other scopes see none"
    );
    assert_eq!(units::list_organisations(&db, &admin(), None).await.unwrap().len(), 1);
    let actions: Vec<(String, String)> =
        audit_log::Entity::find().all(&db).await.unwrap().into_iter().map(|e| (e.entity, e.action)).collect();
    assert_eq!(
        actions,
        [
            ("organisation".to_string(), "create".to_string()),
            ("team".into(), "create".into()),
            ("organisation".into(), "update".into()),
            ("team".into(), "update".into()),
            ("team".into(), "deactivate".into()),
        ]
    );
}

on_both_databases!(units, organisations_and_teams_are_created_edited_and_deactivated_in_scope);

use hocvuso::on_both_databases;
use migration::{Migrator, MigratorTrait};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use hocvuso::entity::{commune, province};

async fn admin_units_load_and_migrations_go_down_and_up_again(db: DatabaseConnection) {
    assert_eq!(province::Entity::find().count(&db).await.unwrap(), 34);
    assert_eq!(commune::Entity::find().count(&db).await.unwrap(), 3321);
    let lao_cai = province::Entity::find_by_id(15).one(&db).await.unwrap().unwrap();
    assert_eq!(lao_cai.name, "Lào Cai");

    Migrator::down(&db, None).await.unwrap();
    assert!(province::Entity::find().count(&db).await.is_err(), "tables are gone after down");
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(commune::Entity::find().count(&db).await.unwrap(), 3321);
}

on_both_databases!(admin_units_and_down_up, admin_units_load_and_migrations_go_down_and_up_again);

/// Runs one statement; Ok when the database took it.
async fn run(db: &DatabaseConnection, sql: &str) -> Result<(), sea_orm::DbErr> {
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(sql).await.map(|_| ())
}

async fn kind_status_and_source_columns_take_only_known_values(db: DatabaseConnection) {
    use hocvuso::model::{EnrolmentStatus, Source, TargetMetric, UnitKind};
    let code = crate::progress::setup(&db).await;
    hocvuso::service::enrolments::progress::enrol(&db, &crate::registration::admin(), &code, "KNS-01", Source::Form)
        .await
        .unwrap();
    // Every value the code writes is taken; an unknown one is refused, on insert and on update.
    for status in EnrolmentStatus::ALL {
        run(&db, &format!("UPDATE enrolment SET status = '{}'", status.as_str())).await.unwrap();
    }
    for source in Source::ALL {
        run(&db, &format!("UPDATE enrolment SET source = '{}'", source.as_str())).await.unwrap();
    }
    assert!(run(&db, "UPDATE enrolment SET status = 'finished'").await.is_err());
    assert!(run(&db, "UPDATE enrolment SET source = 'rumour'").await.is_err());
    let id = uuid::Uuid::now_v7();
    let target = |kind: &str, metric: &str| {
        format!(
            "INSERT INTO target (id, unit_kind, unit_id, period, metric, value, created_at) \
             VALUES ('{id}', '{kind}', '4465', '', '{metric}', 1, '2026-12-01T00:00:00Z')"
        )
    };
    assert!(run(&db, &target("planet", "enrolments")).await.is_err());
    assert!(run(&db, &target("commune", "speed")).await.is_err());
    for metric in TargetMetric::ALL {
        for kind in [UnitKind::Province, UnitKind::Commune, UnitKind::Organisation, UnitKind::Team] {
            run(&db, &target(kind.as_str(), metric.as_str())).await.unwrap();
            run(&db, &format!("DELETE FROM target WHERE id = '{id}'")).await.unwrap();
        }
    }
    assert!(run(&db, "UPDATE stat_counter SET unit_kind = 'planet'").await.is_err());
    hocvuso::service::accounts::create_admin(&db, "quantri", "Quản trị", "ruong-bac-thang-2026", None).await.unwrap();
    assert!(run(&db, "UPDATE account SET role = 'owner'").await.is_err());
}

on_both_databases!(typed_columns, kind_status_and_source_columns_take_only_known_values);

async fn links_kept_in_clear_before_are_hashed_in_place_and_keep_working(db: DatabaseConnection) {
    use hocvuso::entity::learner;
    use hocvuso::service::{learners::progress_link, secret};
    use sea_orm::{ColumnTrait, QueryFilter};
    let code = crate::progress::setup(&db).await;
    let form = crate::registration::form("Lò Văn Sính", "0362 000 222", "4465");
    let other = hocvuso::service::learners::registration::register(
        &db,
        &crate::registration::admin(),
        hocvuso::model::Area::Province(15),
        &form,
    )
    .await
    .unwrap();
    let unlinked = hocvuso::service::learners::registration::register(
        &db,
        &crate::registration::admin(),
        hocvuso::model::Area::Province(15),
        &crate::registration::form("Giàng Thị Mai", "0362 000 333", "4465"),
    )
    .await
    .unwrap()
    .learner
    .code;
    // The database as the release before left it: links in clear, and one learner without any.
    let since_hashing = Migrator::migrations().iter().rev().position(|m| m.name() == "m20260107_000001_hashed_links");
    Migrator::down(&db, Some(since_hashing.unwrap() as u32 + 1)).await.unwrap();
    let printed = ["a".repeat(64), "b".repeat(64)];
    run(&db, &format!("UPDATE learner SET access_token = '{}' WHERE code = '{code}'", printed[0])).await.unwrap();
    let other_code = &other.learner.code;
    run(&db, &format!("UPDATE learner SET access_token = '{}' WHERE code = '{other_code}'", printed[1])).await.unwrap();
    run(&db, &format!("UPDATE learner SET access_token = NULL WHERE code = '{unlinked}'")).await.unwrap();

    Migrator::up(&db, None).await.unwrap();
    for (code, printed) in [(&code, &printed[0]), (other_code, &printed[1])] {
        let row = learner::Entity::find().filter(learner::Column::Code.eq(code)).one(&db).await.unwrap().unwrap();
        assert_eq!(row.access_token, Some(secret::digest(printed)));
        // A card printed before still opens its learner's page.
        assert_eq!(progress_link::learner_of(&db, printed).await.unwrap().map(|l| l.code), Some(code.clone()));
    }
    let row = learner::Entity::find().filter(learner::Column::Code.eq(&unlinked)).one(&db).await.unwrap().unwrap();
    assert_eq!(row.access_token, None);
}

on_both_databases!(hashed_links, links_kept_in_clear_before_are_hashed_in_place_and_keep_working);

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

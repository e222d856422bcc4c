//! The weekly report: units behind target listed furthest first (completions still needed), and the
//! learners at risk per commune at the end of the week, equal to the at-risk list's rows.
use std::collections::HashMap;

use hocvuso::entity::organisation;
use hocvuso::model::{Area, TargetForm, UnitKind};
use hocvuso::on_both_databases;
use hocvuso::service::learners::at_risk::{self, Days, Filter};
use hocvuso::service::statistics::{report, targets};
use hocvuso::week::IsoWeek;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::at_risk::campaign;
use crate::registration::{admin, organiser};

async fn target(db: &DatabaseConnection, kind: &str, unit: &str, trained: i64) {
    let form = TargetForm {
        unit_kind: kind.into(),
        unit: unit.into(),
        period: String::new(),
        metric: "learners_trained".into(),
        value: trained.to_string(),
        group: String::new(),
    };
    targets::set(db, &admin(), &form).await.unwrap();
}

async fn units_behind_target_are_listed_by_completions_still_needed(db: DatabaseConnection) {
    campaign(&db).await;
    let school = organisation::Entity::find()
        .filter(organisation::Column::Name.eq("Trường THCS Khao Mang"))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    // Each unit has at most 20 learners: these targets are all missed, by different amounts.
    target(&db, "commune", "4465", 100).await;
    target(&db, "commune", "4456", 300).await;
    target(&db, "commune", "4492", 200).await;
    target(&db, "organisation", &school, 250).await;
    let weekly = report::weekly(&db, &admin(), Area::Province(15), None, None, IsoWeek(202649)).await.unwrap();
    let order: Vec<(UnitKind, &str)> = weekly.behind_target.iter().map(|(k, r)| (*k, r.id.as_str())).collect();
    assert_eq!(
        order,
        vec![
            (UnitKind::Commune, "4456"),
            (UnitKind::Organisation, school.as_str()),
            (UnitKind::Commune, "4492"),
            (UnitKind::Commune, "4465")
        ]
    );
    let wanted: HashMap<&str, i64> = [("4465", 100), ("4456", 300), ("4492", 200), (school.as_str(), 250)].into();
    for (_, row) in &weekly.behind_target {
        assert!(row.trained < 20, "{}: {}", row.id, row.trained);
        assert_eq!(row.needed, Some(wanted[row.id.as_str()] - row.trained), "{}", row.id);
    }
}

on_both_databases!(report_behind_target_by_needed, units_behind_target_are_listed_by_completions_still_needed);

async fn at_risk_counts_per_commune_are_the_at_risk_lists_rows_at_the_end_of_the_week(db: DatabaseConnection) {
    campaign(&db).await;
    let week_default = Days::new(7).unwrap();
    let mut counted_in_all = 0;
    for (actor, area) in [(admin(), Area::Province(15)), (organiser(&[4465]), Area::Province(15))] {
        for week in [IsoWeek(202646), IsoWeek(202647), IsoWeek(202648)] {
            let weekly = report::weekly(&db, &actor, area, None, None, week).await.unwrap();
            let counted: HashMap<i32, i64> = weekly.at_risk.iter().map(|c| (c.commune, c.count)).collect();
            assert_eq!(counted.len(), weekly.at_risk.len(), "one entry a commune");
            assert!(weekly.at_risk.windows(2).all(|w| w[0].count >= w[1].count), "most first");
            for row in &weekly.communes {
                let code: i32 = row.id.parse().unwrap();
                let filter = Filter { commune: Some(code), ..Filter::new(week_default, week_default) };
                let listed = match at_risk::list(&db, &actor, &filter, "https://hocvuso.vn", week.end()).await {
                    Ok(list) => list.total as i64,
                    // An organiser's report lists only their communes; the list refuses others.
                    Err(hocvuso::Error::NotFound) => 0,
                    Err(err) => panic!("{err}"),
                };
                assert_eq!(counted.get(&code).copied().unwrap_or(0), listed, "{week}, commune {code}");
                counted_in_all += listed;
            }
            assert!(counted.keys().all(|c| weekly.communes.iter().any(|r| r.id == c.to_string())));
        }
    }
    assert!(counted_in_all > 0, "some learners were at risk in those weeks");
}

on_both_databases!(
    report_at_risk_per_commune,
    at_risk_counts_per_commune_are_the_at_risk_lists_rows_at_the_end_of_the_week
);

/// A claim retaken while its first writer is still writing (STALE_CLAIM passed): both write the
/// files, but the week and its e-mail are recorded once, by whichever finishes first.
async fn a_week_written_twice_at_once_is_recorded_and_mailed_once(db: DatabaseConnection) {
    use hocvuso::entity::{report_delivery, report_run};
    use hocvuso::service::statistics::scheduled::{self, Mailing, STALE_CLAIM};
    use sea_orm::PaginatorTrait;
    let dir = std::env::temp_dir().join(format!("hocvuso-reports-{}", uuid::Uuid::now_v7()));
    let week = IsoWeek::parse("2026-W48").unwrap();
    let first_at = chrono::DateTime::parse_from_rfc3339("2026-11-30T00:05:00Z").unwrap().to_utc();
    let retaken_at = first_at + STALE_CLAIM + chrono::Duration::minutes(1);
    assert!(scheduled::claim(&db, week, first_at).await.unwrap());
    assert!(!scheduled::claim(&db, week, first_at + chrono::Duration::minutes(1)).await.unwrap(), "held");
    assert!(scheduled::claim(&db, week, retaken_at).await.unwrap(), "a stale claim is retaken");
    let mailing = Mailing { recipients: vec!["bandaodao@laocai.gov.vn".into()], area: Area::Country };
    let second = scheduled::write_week(&db, &dir, week, Area::Country, Some(&mailing), retaken_at).await.unwrap();
    assert_eq!(second.len(), 2, "the country's XLSX and CSV");
    let first = scheduled::write_week(&db, &dir, week, Area::Country, Some(&mailing), first_at).await.unwrap();
    assert!(first.is_empty(), "the slower writer records nothing");
    assert_eq!(report_delivery::Entity::find().count(&db).await.unwrap(), 1, "one e-mail");
    let run = report_run::Entity::find_by_id(week.0).one(&db).await.unwrap().unwrap();
    assert_eq!(run.written_at, Some(retaken_at));
    assert!(scheduled::is_written(&db, week).await.unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

on_both_databases!(report_written_once_at_once, a_week_written_twice_at_once_is_recorded_and_mailed_once);

use hocvuso::on_both_databases;
use sea_orm::DatabaseConnection;

use hocvuso::service::{demo, statistics, statistics::overview};

async fn demo_campaign_has_the_reported_totals(db: DatabaseConnection) {
    let summary = demo::seed_demo(&db).await.unwrap();
    assert_eq!(summary.enrolments, 7678);
    assert_eq!(summary.completed, 5835);
    assert_eq!(summary.teams, 152);
    assert_eq!(summary.organisations, 30);

    let overview =
        overview::overview(&db, &hocvuso::auth::Actor::Anonymous, hocvuso::model::Area::Province(15), None, None)
            .await
            .unwrap();
    assert_eq!(overview.completion.enrolled, 7678);
    assert_eq!(overview.completion.completed, 5835);
    assert_eq!(overview.completion.rate_tenths(), Some(760));
    assert_eq!(overview.teams, 152);
    assert_eq!(overview.learners, summary.learners as i64);
    assert_eq!(overview.units.len(), 99);
    assert!(overview.demo);
    let commune_total: i64 = overview.units.iter().map(|c| c.completion.enrolled).sum();
    assert_eq!(commune_total, 7678);
    // Ranked first (numbered 1, 2, …, with at least the minimum of enrolments), rates never increasing;
    // the rest after, unranked.
    let ranked: Vec<_> = overview.units.iter().take_while(|c| c.rank.is_some()).collect();
    assert!(ranked.iter().enumerate().all(|(i, c)| c.rank == Some(i as u32 + 1)));
    assert!(ranked.iter().all(|c| c.completion.enrolled >= overview.min_enrolled));
    assert!(
        overview.units[ranked.len()..]
            .iter()
            .all(|c| c.rank.is_none() && c.completion.enrolled < overview.min_enrolled)
    );
    let rates: Vec<_> = ranked.iter().filter_map(|c| c.completion.rate()).collect();
    assert!(rates.windows(2).all(|w| w[0] >= w[1]));
    // Spread unevenly, so the ranking means something.
    assert!(rates.first().unwrap() - rates.last().unwrap() > 0.2, "rates {rates:?}");

    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
    // A second seed refuses and changes nothing.
    assert!(matches!(demo::seed_demo(&db).await, Err(hocvuso::Error::Conflict(_))));
    assert_eq!(
        overview::overview(&db, &hocvuso::auth::Actor::Anonymous, hocvuso::model::Area::Province(15), None, None)
            .await
            .unwrap()
            .completion
            .enrolled,
        7678
    );
    // In the demo, its logins work.
    let admin = hocvuso::service::accounts::authenticate(&db, demo::DEMO_ADMIN, demo::DEMO_PASSWORD, "10.0.0.1").await;
    assert_eq!(admin.unwrap().username, demo::DEMO_ADMIN);
}

on_both_databases!(demo_totals, demo_campaign_has_the_reported_totals);

async fn the_demo_goes_only_into_an_empty_database_and_its_password_only_opens_the_demo(db: DatabaseConnection) {
    use hocvuso::service::accounts;
    // A real campaign that has accounts but no learners yet: `make run` must not seed it.
    accounts::create_admin(&db, demo::DEMO_ADMIN, "Quản trị", demo::DEMO_PASSWORD, None).await.unwrap();
    assert!(!demo::is_empty(&db).await.unwrap());
    assert!(matches!(demo::seed_demo(&db).await, Err(hocvuso::Error::Conflict(_))));
    assert!(!demo::is_demo(&db).await.unwrap());
    // Someone gave a real account the README's password: it does not open a database that is not the demo.
    let refused = accounts::authenticate(&db, demo::DEMO_ADMIN, demo::DEMO_PASSWORD, "10.0.0.1").await;
    assert_eq!(refused.unwrap_err(), hocvuso::Error::BadCredentials);
}

on_both_databases!(
    demo_only_when_empty,
    the_demo_goes_only_into_an_empty_database_and_its_password_only_opens_the_demo
);

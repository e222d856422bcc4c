use hocvuso::on_both_databases;
use sea_orm::DatabaseConnection;

use hocvuso::service::{demo, overview, stats};

async fn demo_campaign_has_the_reported_totals(db: DatabaseConnection) {
    let summary = demo::seed_demo(&db).await.unwrap();
    assert_eq!(summary.enrolments, 7678);
    assert_eq!(summary.completed, 5835);
    assert_eq!(summary.teams, 152);
    assert_eq!(summary.organisations, 30);

    let overview = overview::overview(&db, 15, &hocvuso::auth::Actor::Anonymous).await.unwrap();
    assert_eq!(overview.completion.enrolled, 7678);
    assert_eq!(overview.completion.completed, 5835);
    assert_eq!(overview.completion.rate_tenths(), Some(760));
    assert_eq!(overview.teams, 152);
    assert_eq!(overview.learners, summary.learners as i64);
    assert_eq!(overview.communes.len(), 99);
    assert!(overview.demo);
    let commune_total: i64 = overview.communes.iter().map(|c| c.completion.enrolled).sum();
    assert_eq!(commune_total, 7678);
    // Ranked: rates never increase down the table.
    let rates: Vec<_> = overview.communes.iter().filter_map(|c| c.completion.rate()).collect();
    assert!(rates.windows(2).all(|w| w[0] >= w[1]));
    // Spread unevenly, so the ranking means something.
    assert!(rates.first().unwrap() - rates.last().unwrap() > 0.2, "rates {rates:?}");

    assert_eq!(stats::verify(&db).await.unwrap(), vec![]);
    // A second seed refuses and changes nothing.
    assert!(matches!(demo::seed_demo(&db).await, Err(hocvuso::Error::Conflict(_))));
    assert_eq!(overview::overview(&db, 15, &hocvuso::auth::Actor::Anonymous).await.unwrap().completion.enrolled, 7678);
}

on_both_databases!(demo_totals, demo_campaign_has_the_reported_totals);

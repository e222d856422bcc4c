//! Kept figures: computed once while the database is unchanged, afresh after any commit, never
//! shared between people who may see different things.
use std::sync::atomic::{AtomicUsize, Ordering};

use hocvuso::auth::Actor;
use hocvuso::model::DashboardFilter;
use hocvuso::on_both_databases;
use hocvuso::service::statistics::figures::Figures;
use hocvuso::service::{learners::registration, statistics::overview};
use sea_orm::DatabaseConnection;

use crate::registration::{admin, form, organiser};

/// The overview's learner count through `figures`, counting in `computed` each time it is computed.
async fn counted_learners(db: &DatabaseConnection, figures: &Figures, computed: &AtomicUsize) -> i64 {
    let compute = async {
        computed.fetch_add(1, Ordering::SeqCst);
        overview::overview(db, &Actor::Anonymous, hocvuso::model::Area::Province(15), None, None).await
    };
    figures.get(db, "overview".into(), compute).await.unwrap().learners
}

async fn figures_are_kept_until_anything_is_committed(db: DatabaseConnection) {
    let figures = Figures::new(&db);
    let computed = AtomicUsize::new(0);
    let learners = || counted_learners(&db, &figures, &computed);
    // PostgreSQL's snapshot moves with every database of the server (other tests run beside this
    // one), so there a kept answer may be computed again: the counts are exact on SQLite only.
    let exact = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let times = |n: usize| {
        let done = computed.load(Ordering::SeqCst);
        assert!(if exact { done == n } else { done >= n }, "computed {done} times, expected {n}");
    };
    assert_eq!((learners().await, learners().await, learners().await), (0, 0, 0));
    times(1);

    registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Lò Văn Pao", "0362 000 111", "4465"),
    )
    .await
    .unwrap();
    assert_eq!(learners().await, 1, "a commit is seen at once");
    assert_eq!(learners().await, 1);
    times(2);

    // A transaction that changes nothing it reads still counts as a change: computed again, same answer.
    let txn = hocvuso::db::write(&db).await.unwrap();
    hocvuso::service::audit::record(
        &txn,
        "test",
        hocvuso::service::audit::Action::Update,
        hocvuso::service::audit::Entity::Learner,
        None,
        serde_json::json!({}),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(learners().await, 1);
    times(3);

    // Errors are not kept.
    let failing = figures.get::<i64, _>(&db, "failing".into(), async { Err(hocvuso::Error::Forbidden) }).await;
    assert!(matches!(failing, Err(hocvuso::Error::Forbidden)));
    let later = figures.get(&db, "failing".into(), async { Ok(7_i64) }).await.unwrap();
    assert_eq!(later, 7);
}

on_both_databases!(kept_until_commit, figures_are_kept_until_anything_is_committed);

async fn people_who_see_different_things_get_their_own_figures(db: DatabaseConnection) {
    let figures = Figures::new(&db);
    registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Lò Văn Pao", "0362 000 111", "4465"),
    )
    .await
    .unwrap();
    registration::register(
        &db,
        &admin(),
        hocvuso::model::Area::Province(15),
        &form("Lò Thị Dơ", "0362 000 222", "4456"),
    )
    .await
    .unwrap();
    let filter = DashboardFilter::default();
    let rows = |table: hocvuso::model::CompletionTable| table.rows.len();
    let everyone = figures.completion(&db, &admin(), hocvuso::model::Area::Province(15), &filter).await.unwrap();
    let khao_mang =
        figures.completion(&db, &organiser(&[4465]), hocvuso::model::Area::Province(15), &filter).await.unwrap();
    let again = figures.completion(&db, &admin(), hocvuso::model::Area::Province(15), &filter).await.unwrap();
    assert_eq!((rows(everyone.clone()), rows(khao_mang), rows(again.clone())), (99, 1, 99));
    assert_eq!(everyone, again);
    assert!(matches!(
        figures.completion(&db, &Actor::Anonymous, hocvuso::model::Area::Province(15), &filter).await,
        Err(hocvuso::Error::Unauthorized)
    ));
}

on_both_databases!(own_figures, people_who_see_different_things_get_their_own_figures);

async fn readers_who_wait_share_a_read_and_never_miss_a_commit(db: DatabaseConnection) {
    let figures = Figures::new(&db);
    let learners = || async {
        let compute = overview::overview(&db, &Actor::Anonymous, hocvuso::model::Area::Province(15), None, None);
        figures.get(&db, "overview".into(), compute).await.unwrap().learners
    };
    // Thirty readers at once (join_all polls up to 30 in turn): the first reads the state, the second
    // finds that read began before it asked and reads again, and the other 28 asked before that
    // second read began: they share it.
    let before = figures.state_reads();
    let answers = futures::future::join_all((0..30).map(|_| learners())).await;
    assert_eq!(answers, vec![0; 30]);
    // Exact on SQLite; on PostgreSQL a read can fail for a moment under the load of the tests running
    // beside this one (then the next reader reads again), so there the reads are only far fewer.
    let reads = figures.state_reads() - before;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        assert_eq!(reads, 2, "30 readers, 2 reads");
    } else {
        assert!(reads <= 5, "30 readers, {reads} reads");
    }

    // Whoever asks after a commit has returned sees it, however many read beside them.
    for n in 1..=4_i64 {
        let phone = format!("0362 000 11{n}");
        registration::register(&db, &admin(), hocvuso::model::Area::Province(15), &form("Lò Văn Pao", &phone, "4465"))
            .await
            .unwrap();
        let seen = futures::future::join_all((0..10).map(|_| learners())).await;
        assert_eq!(seen, vec![n; 10], "after commit {n}");
    }
}

on_both_databases!(shared_reads, readers_who_wait_share_a_read_and_never_miss_a_commit);

async fn readers_who_come_while_a_figure_is_computed_wait_for_it(db: DatabaseConnection) {
    let figures = Figures::new(&db);
    let computed = AtomicUsize::new(0);
    let learners = || counted_learners(&db, &figures, &computed);
    let answers = futures::future::join_all((0..20).map(|_| learners())).await;
    assert_eq!(answers, vec![0; 20]);
    // PostgreSQL's snapshot moves with the other tests' databases: exact on SQLite only.
    let done = computed.load(Ordering::SeqCst);
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        assert_eq!(done, 1, "twenty readers at once, one computation");
    } else {
        assert!(done >= 1);
    }
}

on_both_databases!(one_computation, readers_who_come_while_a_figure_is_computed_wait_for_it);

async fn a_flood_of_new_addresses_pushes_out_only_its_own_kind(db: DatabaseConnection) {
    use hocvuso::service::statistics::figures::MAX_PER_KIND;
    let figures = Figures::new(&db);
    let state = "state-1".to_string();
    figures.keep(state.clone(), "leaderboard|15|all|week".into(), 7_i64);
    figures.keep(state.clone(), "page /|/|vi|anonymous|day".into(), 1_i64);
    // Someone asks for `/?x=0`, `/?x=1`, … : each is a new page of the kind "page /".
    for n in 0..(3 * MAX_PER_KIND) {
        figures.keep(state.clone(), format!("page /|/?x={n}|vi|anonymous|day"), n as i64);
        // The plain overview page is still read now and then, so it stays among the recently used.
        if n % 16 == 0 {
            assert_eq!(figures.kept::<i64>(&state, "page /|/|vi|anonymous|day"), Some(1), "after {n}");
        }
    }
    assert_eq!(figures.kept::<i64>(&state, "leaderboard|15|all|week"), Some(7), "another kind is untouched");
    assert_eq!(figures.kept::<i64>(&state, "page /|/|vi|anonymous|day"), Some(1), "recently used, kept");
    assert_eq!(figures.kept::<i64>(&state, "page /|/?x=0|vi|anonymous|day"), None, "the least recently used went");
    let last = 3 * MAX_PER_KIND - 1;
    assert_eq!(figures.kept::<i64>(&state, &format!("page /|/?x={last}|vi|anonymous|day")), Some(last as i64));
    let kept_of_kind = (0..3 * MAX_PER_KIND)
        .filter(|n| figures.kept::<i64>(&state, &format!("page /|/?x={n}|vi|anonymous|day")).is_some())
        .count();
    assert_eq!(kept_of_kind, MAX_PER_KIND - 1, "at most MAX_PER_KIND of a kind, the plain page among them");
}

on_both_databases!(kept_per_kind, a_flood_of_new_addresses_pushes_out_only_its_own_kind);

async fn unknown_bearer_secrets_are_never_kept(db: DatabaseConnection) {
    let figures = Figures::new(&db);
    let before = figures.kept_count();
    for n in 0..20 {
        assert_eq!(figures.token(&db, &format!("hvs_not-a-token-{n}")).await.unwrap(), None);
    }
    assert_eq!(figures.kept_count(), before, "nothing kept for secrets that name no token");
    let (_, secret) =
        hocvuso::service::accounts::tokens::create(&db, "moodle", "ingest", hocvuso::auth::TokenScope::Ingest)
            .await
            .unwrap();
    assert!(figures.token(&db, &secret).await.unwrap().is_some());
}

on_both_databases!(unknown_tokens, unknown_bearer_secrets_are_never_kept);

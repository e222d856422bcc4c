//! Guidance sessions (buổi hướng dẫn) and idempotency keys: sessions recorded, listed and counted
//! exactly, refused whole when any field is wrong, scoped; keyed writes applied once.
use std::collections::HashMap;

use hocvuso::Error;
use hocvuso::auth::{AccountActor, Actor, Role, Scope};
use hocvuso::entity::{audit_log, enrolment, guidance_attendance, guidance_session, idempotency_key, learner};
use hocvuso::i18n::Text;
use hocvuso::model::{
    Area, CompletionReport, GuidanceFigures, GuidanceRow, GuidanceSessionForm, LearnerForm, UnitForm,
};
use hocvuso::on_both_databases;
use hocvuso::service::guidance::{self, Per, Within};
use hocvuso::service::idempotency::{self, HEADER, IdempotencyKey};
use hocvuso::service::statistics::report;
use hocvuso::service::{enrolments::progress, learners::registration, units};
use hocvuso::week::{IsoWeek, vietnam_today, week_of_date};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

use crate::registration::{admin, form, organiser};

fn key() -> IdempotencyKey {
    IdempotencyKey::parse(&Uuid::now_v7().to_string()).unwrap()
}

async fn rows<E: EntityTrait<Model: Sync>>(db: &DatabaseConnection, _: E) -> u64 {
    E::find().count(db).await.unwrap()
}

/// Everything a write may leave behind, to show a refusal or a replay left nothing.
async fn footprint(db: &DatabaseConnection) -> [u64; 6] {
    [
        rows(db, learner::Entity).await,
        rows(db, enrolment::Entity).await,
        rows(db, guidance_session::Entity).await,
        rows(db, guidance_attendance::Entity).await,
        rows(db, audit_log::Entity).await,
        rows(db, idempotency_key::Entity).await,
    ]
}

struct Place {
    team: Uuid,
    /// A team of Hà Nội, outside the organiser's scope.
    far_team: Uuid,
    pao: String,
    mai: String,
    /// A learner of Hà Nội.
    far: String,
}

/// The course KNS-01; teams in Xã Khao Mang (Lào Cai) and Phường Hoàn Kiếm (Hà Nội); two learners
/// in Khao Mang, one in Hoàn Kiếm.
async fn place(db: &DatabaseConnection) -> Place {
    let pao = crate::progress::setup(db).await;
    let admin = admin();
    let mai = registration::register(db, &admin, Area::Province(15), &form("Hà Thị Mai", "0362 000 222", "4465"))
        .await
        .unwrap()
        .learner
        .code;
    let far = registration::register(db, &admin, Area::Country, &form("Trần Văn Nam", "0362 000 333", "70"))
        .await
        .unwrap()
        .learner
        .code;
    let team =
        |name: &str, commune: &str| UnitForm { name: name.into(), commune: commune.into(), ..Default::default() };
    let far_team = units::create_team(db, &admin, Area::Country, &team("Đội hình Hoàn Kiếm", "70")).await.unwrap().id;
    let team =
        units::create_team(db, &admin, Area::Province(15), &team("Đội hình Khao Mang", "4465")).await.unwrap().id;
    Place { team, far_team, pao, mai, far }
}

fn session(team: Uuid, date: &str, attendees: &[&str], unregistered: i64) -> GuidanceSessionForm {
    GuidanceSessionForm {
        team: team.to_string(),
        date: date.into(),
        commune: None,
        village: "Thôn Nà Hẩu".into(),
        course: Some("kns-01".into()),
        topic: None,
        attendees: attendees.iter().map(|c| c.to_string()).collect(),
        guided_unregistered: unregistered,
    }
}

fn day(days_ago: u64) -> String {
    (vietnam_today() - chrono::Days::new(days_ago)).format("%d/%m/%Y").to_string()
}

async fn sessions_are_recorded_listed_and_counted_exactly(db: DatabaseConnection) {
    let p = place(&db).await;
    let khao_mang = organiser(&[4465]);
    let today = vietnam_today();
    let first = guidance::record_once(
        &db,
        &khao_mang,
        &session(p.team, &day(0), &[&p.pao, &p.mai, &p.pao.to_lowercase()], 7),
        None,
    )
    .await
    .unwrap();
    assert!(!first.replayed);
    let first = first.outcome.unwrap();
    let mut codes = vec![p.pao.clone(), p.mai.clone()];
    codes.sort();
    assert_eq!(first.attendees, codes, "a learner listed twice attended once");
    assert_eq!((first.course.as_deref(), first.topic.as_str()), (Some("KNS-01"), "Kỹ năng số cơ bản"));
    assert_eq!((first.commune, first.commune_name.as_str(), first.date), (4465, "Xã Khao Mang", today));
    assert_eq!(first.week, IsoWeek(week_of_date(today)));
    // A skill in words, a week earlier, in another commune of the admin's choosing.
    let mut skill = session(p.team, &day(7), &[&p.mai], 3);
    (skill.course, skill.topic, skill.commune) = (None, Some("  Cài   VNeID ".into()), Some("4456".into()));
    let second = guidance::record_once(&db, &admin(), &skill, None).await.unwrap().outcome.unwrap();
    assert_eq!((second.course.as_deref(), second.topic.as_str(), second.commune), (None, "Cài VNeID", 4456));
    let far = guidance::record_once(&db, &admin(), &session(p.far_team, &day(0), &[&p.far], 20), None)
        .await
        .unwrap()
        .outcome
        .unwrap();

    let listed = guidance::list(&db, &khao_mang, p.team).await.unwrap();
    assert_eq!(listed, vec![first.clone(), second.clone()], "latest first, as recorded");
    assert_eq!(guidance::list(&db, &khao_mang, p.far_team).await.unwrap_err(), Error::NotFound);
    assert_eq!(guidance::list(&db, &khao_mang, Uuid::now_v7()).await.unwrap_err(), Error::NotFound);
    assert_eq!(guidance::list(&db, &Actor::Anonymous, p.team).await.unwrap_err(), Error::Unauthorized);

    let this_week = week_of_date(today);
    let figures =
        |sessions, attendances, guided_unregistered| GuidanceFigures { sessions, attendances, guided_unregistered };
    let by_team: HashMap<Uuid, GuidanceFigures> =
        guidance::figures(&db, Per::Team, Some((this_week, this_week)), &Within::Everywhere).await.unwrap();
    assert_eq!(by_team, HashMap::from([(p.team, figures(1, 2, 7)), (p.far_team, figures(1, 1, 20))]));
    let all: HashMap<Uuid, GuidanceFigures> =
        guidance::figures(&db, Per::Team, None, &Within::Everywhere).await.unwrap();
    assert_eq!(all[&p.team], figures(2, 3, 10));
    assert_eq!(all[&p.team].people_guided(), 13);
    let by_commune: HashMap<i32, GuidanceFigures> =
        guidance::figures(&db, Per::Commune, None, &Within::Everywhere).await.unwrap();
    assert_eq!(
        by_commune,
        HashMap::from([(4465, figures(1, 2, 7)), (4456, figures(1, 1, 3)), (70, figures(1, 1, 20))])
    );
    let last_week = IsoWeek(this_week).previous().0;
    let by_commune: HashMap<i32, GuidanceFigures> =
        guidance::figures(&db, Per::Commune, Some((last_week, last_week)), &Within::Everywhere).await.unwrap();
    assert_eq!(by_commune, HashMap::from([(4456, figures(1, 1, 3))]));

    // The weekly report ranks the teams of its area by sessions, then people guided.
    let week = IsoWeek(this_week);
    let ranked = |r: &hocvuso::model::WeeklyReport| {
        r.active_teams.iter().map(|t| (t.team, t.figures, t.people_guided)).collect::<Vec<_>>()
    };
    let country = report::weekly(&db, &admin(), Area::Country, None, None, week).await.unwrap();
    assert_eq!(
        ranked(&country),
        vec![(p.far_team, figures(1, 1, 20), 21), (p.team, figures(1, 2, 7), 9)],
        "one session each: the team that guided more people first"
    );
    let lao_cai = report::weekly(&db, &admin(), Area::Country, Some("15"), None, week).await.unwrap();
    assert_eq!(ranked(&lao_cai), vec![(p.team, figures(1, 2, 7), 9)]);
    assert_eq!(lao_cai.active_teams[0].team_name, "Đội hình Khao Mang");
    let mine = report::weekly(&db, &khao_mang, Area::Country, None, None, week).await.unwrap();
    assert_eq!(ranked(&mine), vec![(p.team, figures(1, 2, 7), 9)], "an organiser's report is of their scope");
    let before = report::weekly(&db, &admin(), Area::Country, None, None, week.previous()).await.unwrap();
    assert_eq!(ranked(&before), vec![(p.team, figures(1, 1, 3), 4)]);
    // The workbook's sheet of most active teams, read back: the same ranking and figures.
    let workbook = report::xlsx(&country, hocvuso::i18n::Lang::Vi).unwrap();
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(workbook)).unwrap();
    let sheet = book.worksheet_range("Đội hình tích cực").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().skip(1).map(|r| r.to_vec()).collect();
    let row = |team: Uuid, name: &str, commune: &str, f: [f64; 4]| {
        let mut cells = vec![Data::String(team.to_string()), Data::String(name.into()), Data::String(commune.into())];
        cells.extend(f.map(Data::Float));
        cells
    };
    assert_eq!(
        rows,
        vec![
            row(p.far_team, "Đội hình Hoàn Kiếm", "Phường Hoàn Kiếm", [1.0, 1.0, 20.0, 21.0]),
            row(p.team, "Đội hình Khao Mang", "Xã Khao Mang", [1.0, 2.0, 7.0, 9.0]),
        ]
    );

    let page = guidance::of_my_teams(&db, &khao_mang).await.unwrap();
    assert_eq!(page.len(), 1, "only the teams in scope");
    assert_eq!((page[0].team, page[0].this_week, page[0].all_time), (p.team, figures(1, 2, 7), figures(2, 3, 10)));
    assert_eq!(page[0].latest, listed);
    assert!(far.attendees == vec![p.far.clone()]);
    let audited = hocvuso::service::audit::about(&db, "guidance_session", &first.id.to_string()).await.unwrap();
    assert_eq!((audited.len(), audited[0].actor.as_str()), (1, "tochuc"));
}

on_both_databases!(guidance_sessions, sessions_are_recorded_listed_and_counted_exactly);

async fn refused_sessions_change_nothing(db: DatabaseConnection) {
    let p = place(&db).await;
    let khao_mang = organiser(&[4465]);
    let before = footprint(&db).await;
    let problem = async |form: GuidanceSessionForm, field: &str| {
        let err = guidance::record_once(&db, &khao_mang, &form, Some(key())).await.unwrap_err();
        err.field_problem(field).unwrap_or_else(|| panic!("{field}: {err:?}"))
    };
    let ok = || session(p.team, &day(1), &[&p.pao], 2);
    let tomorrow = (vietnam_today() + chrono::Days::new(1)).format("%d/%m/%Y").to_string();
    for date in [tomorrow.as_str(), "31/12/2024", "01/01/1900", "31/02/2026", "", "hôm qua"] {
        assert_eq!(problem(GuidanceSessionForm { date: date.into(), ..ok() }, "date").await, Text::GuidanceDateInvalid);
    }
    for village in ["   ".to_string(), "a".repeat(101)] {
        assert_eq!(problem(GuidanceSessionForm { village, ..ok() }, "village").await, Text::VillageInvalid);
    }
    let both = GuidanceSessionForm { topic: Some("VNeID".into()), ..ok() };
    assert_eq!(problem(both, "topic").await, Text::GuidanceTopicRequired);
    let neither = GuidanceSessionForm { course: None, topic: Some(" ".into()), ..ok() };
    assert_eq!(problem(neither, "topic").await, Text::GuidanceTopicRequired);
    let long = GuidanceSessionForm { course: None, topic: Some("x".repeat(201)), ..ok() };
    assert_eq!(problem(long, "topic").await, Text::GuidanceTopicRequired);
    let unknown_course = GuidanceSessionForm { course: Some("KHONG-CO".into()), ..ok() };
    assert_eq!(problem(unknown_course, "course").await, Text::UnknownCourse);
    for n in [-1, 1001, i64::MAX, i64::MIN] {
        let form = GuidanceSessionForm { guided_unregistered: n, ..ok() };
        assert_eq!(problem(form, "guided_unregistered").await, Text::GuidedUnregisteredInvalid);
    }
    let crowd = GuidanceSessionForm { attendees: vec![p.pao.clone(); 501], ..ok() };
    assert_eq!(problem(crowd, "attendees").await, Text::TooManyAttendees);
    assert_eq!(
        problem(GuidanceSessionForm { commune: Some("999999".into()), ..ok() }, "commune").await,
        Text::UnknownCommune
    );
    // Every attendee who is not a learner in scope, each named by its place in the list.
    let strangers = session(p.team, &day(1), &[&p.pao, "HV-XXXXXX", &p.far, &p.mai], 0);
    let Err(Error::Invalid(errors)) = guidance::record_once(&db, &khao_mang, &strangers, None).await else {
        panic!("refused");
    };
    let named: Vec<(&str, Text)> = errors.iter().map(|e| (e.field.as_str(), e.problem)).collect();
    assert_eq!(named, vec![("attendees.1", Text::AttendeeUnknown), ("attendees.2", Text::AttendeeUnknown)]);
    // Several problems at once.
    let Err(Error::Invalid(errors)) = guidance::record_once(
        &db,
        &khao_mang,
        &GuidanceSessionForm { date: "x".into(), village: "".into(), ..ok() },
        None,
    )
    .await
    else {
        panic!("refused");
    };
    assert_eq!(errors.len(), 2);
    // Outside the scope: the team, and a commune of another province.
    let far = session(p.far_team, &day(1), &[], 1);
    assert_eq!(guidance::record_once(&db, &khao_mang, &far, None).await.unwrap_err(), Error::NotFound);
    let elsewhere = GuidanceSessionForm { commune: Some("70".into()), ..ok() };
    assert_eq!(guidance::record_once(&db, &khao_mang, &elsewhere, None).await.unwrap_err(), Error::NotFound);
    let bad_team = GuidanceSessionForm { team: "đội 1".into(), ..ok() };
    assert_eq!(problem(bad_team, "team").await, Text::UnknownTeam);
    let reader = Actor::Token(hocvuso::auth::TokenActor {
        id: Uuid::now_v7(),
        name: "moodle".into(),
        scope: hocvuso::auth::TokenScope::Ingest,
    });
    assert_eq!(guidance::record_once(&db, &reader, &ok(), None).await.unwrap_err(), Error::Forbidden);
    assert_eq!(
        guidance::record_once(&db, &Actor::Anonymous, &ok(), Some(key())).await.unwrap_err(),
        Error::Unauthorized
    );
    assert_eq!(footprint(&db).await, before, "nothing written, no key kept");
}

on_both_databases!(guidance_refusals, refused_sessions_change_nothing);

/// The same account, as a phone's two tabs are.
fn same_organiser() -> Actor {
    Actor::Account(AccountActor {
        id: Uuid::now_v7(),
        username: "tochuc".into(),
        display_name: "Tổ chức".into(),
        role: Role::Organiser,
        province: None,
        scope: Scope { communes: [4465].into_iter().collect(), organisations: Default::default() },
    })
}

async fn a_keyed_registration_is_applied_once(db: DatabaseConnection) {
    place(&db).await;
    let me = same_organiser();
    let k = key();
    let lan = form("Lò Thị Lan", "0362 000 444", "4465");
    let first = registration::register_once(&db, &me, Area::Province(15), &lan, Some(k)).await.unwrap();
    assert!(!first.replayed);
    let first = first.outcome.unwrap();
    assert!(first.link.is_some());
    let after = footprint(&db).await;
    let again = registration::register_once(&db, &me, Area::Province(15), &lan, Some(k)).await.unwrap();
    assert!(again.replayed);
    let again = again.outcome.unwrap();
    assert_eq!((again.learner, again.link), (first.learner.clone(), None), "the same learner; the link shown once");
    assert_eq!(footprint(&db).await, after, "a replay changes nothing");
    // Another body with the key: refused, naming the header.
    let other = form("Lò Thị Hoa", "0362 000 555", "4465");
    let err = registration::register_once(&db, &me, Area::Province(15), &other, Some(k)).await.unwrap_err();
    assert_eq!(err.field_problem(HEADER), Some(Text::IdempotencyKeyReused));
    // The key of another account is theirs: the same value registers anew (here: registered already).
    let someone = same_organiser();
    let theirs = registration::register_once(&db, &someone, Area::Province(15), &lan, Some(k)).await.unwrap();
    assert_eq!(
        (theirs.replayed, theirs.outcome.unwrap_err()),
        (false, Error::Conflict(Some(first.learner.code.clone())))
    );
    // "Registered already" is kept and replayed too.
    let again = registration::register_once(&db, &someone, Area::Province(15), &lan, Some(k)).await.unwrap();
    assert_eq!((again.replayed, again.outcome.unwrap_err()), (true, Error::Conflict(Some(first.learner.code.clone()))));
    // A refusal is not kept: corrected, the entry goes again with its key.
    let k2 = key();
    let bad = form("Lò Thị Hoa", "0362", "4465");
    assert!(registration::register_once(&db, &me, Area::Province(15), &bad, Some(k2)).await.is_err());
    let fixed = registration::register_once(&db, &me, Area::Province(15), &other, Some(k2)).await.unwrap();
    assert!(!fixed.replayed && fixed.outcome.is_ok());
    // The same key sent to another write is refused.
    let reports = vec![completion(&learner_code(&db, "Lò Thị Hoa").await)];
    let err =
        progress::record_completions(&db, &me, &reports, hocvuso::model::Source::Api, Some(k2)).await.unwrap_err();
    assert_eq!(err.field_problem(HEADER), Some(Text::IdempotencyKeyReused));
}

on_both_databases!(keyed_registration, a_keyed_registration_is_applied_once);

async fn learner_code(db: &DatabaseConnection, name: &str) -> String {
    learner::Entity::find().all(db).await.unwrap().into_iter().find(|l| l.full_name == name).unwrap().code
}

fn completion(code: &str) -> CompletionReport {
    CompletionReport {
        learner_code: code.into(),
        course_code: "KNS-01".into(),
        completed_at: day(1),
        score: Some(90.0),
        certificate_no: None,
    }
}

async fn keyed_completions_and_sessions_are_applied_once(db: DatabaseConnection) {
    let p = place(&db).await;
    let me = same_organiser();
    let source = hocvuso::model::Source::Api;
    let k = key();
    let reports = vec![completion(&p.pao), completion("HV-XXXXXX")];
    let first = progress::record_completions(&db, &me, &reports, source, Some(k)).await.unwrap();
    assert!(!first.replayed);
    let first = first.outcome.unwrap();
    assert!(first[0].is_ok() && first[1] == Err(Error::NotFound));
    let after = footprint(&db).await;
    let again = progress::record_completions(&db, &me, &reports, source, Some(k)).await.unwrap();
    assert_eq!((again.replayed, again.outcome.unwrap()), (true, first));
    assert_eq!(footprint(&db).await, after);
    // A list refused whole keeps no key: corrected, it goes again with the same key.
    let k2 = key();
    let refused = progress::record_completions(&db, &me, &[completion("HV-XXXXXX")], source, Some(k2)).await.unwrap();
    assert!(refused.outcome.unwrap()[0].is_err());
    let fixed = progress::record_completions(&db, &me, &[completion(&p.mai)], source, Some(k2)).await.unwrap();
    assert!(!fixed.replayed && fixed.outcome.unwrap()[0].is_ok());

    let k = key();
    let form = session(p.team, &day(0), &[&p.pao], 4);
    let first = guidance::record_once(&db, &me, &form, Some(k)).await.unwrap().outcome.unwrap();
    let after = footprint(&db).await;
    let again = guidance::record_once(&db, &me, &form, Some(k)).await.unwrap();
    assert_eq!((again.replayed, again.outcome.unwrap()), (true, first.clone()));
    assert_eq!(footprint(&db).await, after);
    let changed = GuidanceSessionForm { guided_unregistered: 5, ..form.clone() };
    let err = guidance::record_once(&db, &me, &changed, Some(k)).await.unwrap_err();
    assert_eq!(err.field_problem(HEADER), Some(Text::IdempotencyKeyReused));
    // Another account's key of the same value is independent.
    let theirs = guidance::record_once(&db, &same_organiser(), &form, Some(k)).await.unwrap();
    assert!(!theirs.replayed);
    assert_ne!(theirs.outcome.unwrap().id, first.id);
    assert_eq!(rows(&db, guidance_session::Entity).await, 2);
}

on_both_databases!(keyed_completions_and_sessions, keyed_completions_and_sessions_are_applied_once);

async fn two_concurrent_sends_of_one_key_apply_once(db: DatabaseConnection) {
    let p = place(&db).await;
    let me = same_organiser();
    let source = hocvuso::model::Source::Api;
    let before = footprint(&db).await;

    let k = key();
    let lan = form("Lò Thị Lan", "0362 000 444", "4465");
    let (a, b) = tokio::join!(
        registration::register_once(&db, &me, Area::Province(15), &lan, Some(k)),
        registration::register_once(&db, &me, Area::Province(15), &lan, Some(k)),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!([a.replayed, b.replayed].iter().filter(|r| **r).count(), 1, "one applied, one replayed");
    assert_eq!(a.outcome.unwrap().learner, b.outcome.unwrap().learner);

    let k = key();
    let reports = vec![completion(&p.pao)];
    let (a, b) = tokio::join!(
        progress::record_completions(&db, &me, &reports, source, Some(k)),
        progress::record_completions(&db, &me, &reports, source, Some(k)),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!([a.replayed, b.replayed].iter().filter(|r| **r).count(), 1);
    assert_eq!(a.outcome.unwrap(), b.outcome.unwrap());

    let k = key();
    let form = session(p.team, &day(0), &[&p.pao, &p.mai], 4);
    let (a, b) =
        tokio::join!(guidance::record_once(&db, &me, &form, Some(k)), guidance::record_once(&db, &me, &form, Some(k)),);
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!([a.replayed, b.replayed].iter().filter(|r| **r).count(), 1);
    assert_eq!(a.outcome.unwrap(), b.outcome.unwrap());

    let [learners, enrolments, sessions, attendances, audit, keys] = footprint(&db).await;
    assert_eq!(
        [learners, enrolments, sessions, attendances, audit, keys],
        [before[0] + 1, before[1] + 1, 1, 2, before[4] + 3, 3],
        "each effect once: one learner, one completion, one session; one audit entry and one key each"
    );
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(concurrent_keyed_sends, two_concurrent_sends_of_one_key_apply_once);

/// The dashboard's guidance table and `GET /api/v1/stats/guidance`: per commune, team or week, of
/// what each actor sees, equal to the sessions recorded.
async fn guidance_tables_count_what_each_actor_sees(db: DatabaseConnection) {
    let p = place(&db).await;
    let khao_mang = organiser(&[4465]);
    guidance::record_once(&db, &khao_mang, &session(p.team, &day(0), &[&p.pao, &p.mai], 7), None).await.unwrap();
    guidance::record_once(&db, &khao_mang, &session(p.team, &day(7), &[&p.pao], 1), None).await.unwrap();
    guidance::record_once(&db, &admin(), &session(p.far_team, &day(0), &[&p.far], 20), None).await.unwrap();
    let figures =
        |sessions, attendances, guided_unregistered| GuidanceFigures { sessions, attendances, guided_unregistered };
    let row = |id: &str, name: &str, f: GuidanceFigures| GuidanceRow::new(id.into(), Some(name.into()), f);
    let this_week = IsoWeek(week_of_date(vietnam_today()));
    let period = |week: IsoWeek| Some(hocvuso::week::Period { first: week, last: week });

    let country = guidance::table(&db, &admin(), Area::Country, Per::Commune, None).await.unwrap();
    assert_eq!(
        country,
        vec![row("4465", "Xã Khao Mang", figures(2, 3, 8)), row("70", "Phường Hoàn Kiếm", figures(1, 1, 20))],
        "most sessions first"
    );
    let week = guidance::table(&db, &admin(), Area::Country, Per::Commune, period(this_week)).await.unwrap();
    assert_eq!(
        week,
        vec![row("70", "Phường Hoàn Kiếm", figures(1, 1, 20)), row("4465", "Xã Khao Mang", figures(1, 2, 7))],
        "one session each: more people guided first"
    );
    let lao_cai = guidance::table(&db, &admin(), Area::Province(15), Per::Team, None).await.unwrap();
    assert_eq!(lao_cai, vec![row(&p.team.to_string(), "Đội hình Khao Mang", figures(2, 3, 8))]);
    let weeks = guidance::table(&db, &admin(), Area::Country, Per::Week, None).await.unwrap();
    let ids: Vec<&str> = weeks.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec![this_week.previous().to_string(), this_week.to_string()], "in time order");
    assert_eq!((weeks[0].figures, weeks[1].figures), (figures(1, 1, 1), figures(2, 3, 27)));
    assert_eq!(weeks[1].people_guided, 30);

    // An organiser sees their teams' sessions only, whatever the area asked.
    let mine = guidance::table(&db, &khao_mang, Area::Country, Per::Commune, None).await.unwrap();
    assert_eq!(mine, vec![row("4465", "Xã Khao Mang", figures(2, 3, 8))]);
    let week_text = this_week.to_string();
    let stats = guidance::stats(&db, &khao_mang, Area::Country, Some("team"), None, Some(&week_text));
    assert_eq!(stats.await.unwrap(), vec![row(&p.team.to_string(), "Đội hình Khao Mang", figures(1, 2, 7))]);

    let admin = admin();
    let refused = |by: Option<&'static str>, province: Option<&'static str>, period: Option<&'static str>| {
        guidance::stats(&db, &admin, Area::Country, by, province, period)
    };
    assert_eq!(refused(Some("village"), None, None).await.unwrap_err().field_problem("by"), Some(Text::InvalidInput));
    assert_eq!(
        refused(None, None, Some("tuần 48")).await.unwrap_err().field_problem("period"),
        Some(Text::PeriodInvalid)
    );
    assert_eq!(refused(None, Some("99"), None).await.unwrap_err(), Error::NotFound);
    assert_eq!(
        guidance::stats(&db, &Actor::Anonymous, Area::Country, None, None, None).await.unwrap_err(),
        Error::Unauthorized
    );
}

on_both_databases!(guidance_tables, guidance_tables_count_what_each_actor_sees);

/// Attendees are ticked on their team's list or scanned from the QR code on their card (their
/// progress link); a link that opens nobody's page is named as the attendee it could not find.
async fn attendees_come_from_the_team_list_or_a_scanned_card(db: DatabaseConnection) {
    let p = place(&db).await;
    let khao_mang = organiser(&[4465]);
    let in_team = |name: &str, phone: &str| LearnerForm {
        team: Some(p.team.to_string()),
        ..crate::registration::form(name, phone, "4465")
    };
    let son = registration::register(&db, &admin(), Area::Province(15), &in_team("Lò Văn Sơn", "0362 000 444"))
        .await
        .unwrap();
    let an = registration::register(&db, &admin(), Area::Province(15), &in_team("Giàng A Páo", "0362 000 555"))
        .await
        .unwrap()
        .learner;
    let rosters = guidance::rosters(&db, &khao_mang).await.unwrap();
    assert_eq!(rosters.len(), 1, "the organiser's one team");
    assert_eq!(rosters[0].team, p.team);
    assert_eq!(
        rosters[0].learners,
        vec![(an.code.clone(), "Giàng A Páo".to_string()), (son.learner.code.clone(), "Lò Văn Sơn".to_string())],
        "by name"
    );

    let scanned = hocvuso::service::learners::progress_link::url("https://hocvuso.example.vn", &son.link);
    let recorded = guidance::record_once(&db, &khao_mang, &session(p.team, &day(0), &[&scanned, &an.code], 0), None)
        .await
        .unwrap()
        .outcome
        .unwrap();
    let mut codes = vec![son.learner.code.clone(), an.code.clone()];
    codes.sort();
    assert_eq!(recorded.attendees, codes);

    let stale = hocvuso::service::learners::progress_link::url("https://hocvuso.example.vn", &"ab".repeat(32));
    let err = guidance::record_once(&db, &khao_mang, &session(p.team, &day(0), &[&an.code, &stale], 0), None)
        .await
        .unwrap_err();
    assert_eq!(err.field_problem("attendees.1"), Some(Text::AttendeeUnknown));
}

on_both_databases!(guidance_attendees, attendees_come_from_the_team_list_or_a_scanned_card);

/// Keys are kept KEPT_DAYS: a repeat within them is a replay, and older keys are forgotten by the
/// weekly run, after which the same key would be a new entry.
async fn keys_are_forgotten_after_their_time(db: DatabaseConnection) {
    let p = place(&db).await;
    let khao_mang = organiser(&[4465]);
    let k = key();
    let form = session(p.team, &day(0), &[&p.pao], 1);
    guidance::record_once(&db, &khao_mang, &form, Some(k)).await.unwrap().outcome.unwrap();
    let now = hocvuso::service::now();
    let days = |n: i64| now + chrono::Duration::days(n);
    assert_eq!(idempotency::forget_expired(&db, days(idempotency::KEPT_DAYS - 1)).await.unwrap(), 0);
    assert!(guidance::record_once(&db, &khao_mang, &form, Some(k)).await.unwrap().replayed);
    assert_eq!(idempotency::forget_expired(&db, days(idempotency::KEPT_DAYS + 1)).await.unwrap(), 1);
    assert_eq!(rows(&db, idempotency_key::Entity).await, 0);
    assert!(!guidance::record_once(&db, &khao_mang, &form, Some(k)).await.unwrap().replayed);
    assert_eq!(rows(&db, guidance_session::Entity).await, 2);
}

on_both_databases!(idempotency_expiry, keys_are_forgotten_after_their_time);

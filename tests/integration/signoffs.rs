//! Sign-off of a commune's week: the snapshot equals the report's figures when signed; on time by
//! Tuesday 12:00 in Vietnam, late after; approval and return by the province's admin only; a returned
//! week signed again; the on-time rate and what changed since a sign-off exact; every step audited.
use chrono::{DateTime, Duration, Utc};
use hocvuso::Error;
use hocvuso::auth::{Actor, TokenActor, TokenScope};
use hocvuso::entity::{commune, signoff as signoff_row};
use hocvuso::i18n::Text;
use hocvuso::model::{
    Area, CompletionReport, SignoffFigures, SignoffForm, SignoffReview, SignoffState, SignoffView, Source, WeeklyReport,
};
use hocvuso::on_both_databases;
use hocvuso::service::statistics::report;
use hocvuso::service::statistics::signoff::{self, Review, deadline, week_end};
use hocvuso::service::{accounts, audit, enrolments::progress, learners::registration};
use hocvuso::week::{IsoWeek, vietnam_today};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::registration::{admin, form, organiser};

const KHAO_MANG: i32 = 4465;
const MU_CANG_CHAI: i32 = 4456;
const PUNG_LUONG: i32 = 4492;

fn completion(code: &str) -> CompletionReport {
    CompletionReport {
        learner_code: code.into(),
        course_code: "KNS-01".into(),
        completed_at: vietnam_today().format("%d/%m/%Y").to_string(),
        score: None,
        certificate_no: None,
    }
}

fn sign_form(commune: i32, note: Option<&str>) -> SignoffForm {
    SignoffForm { commune: commune.to_string(), note: note.map(str::to_string) }
}

fn comment(text: Option<&str>) -> SignoffReview {
    SignoffReview { comment: text.map(str::to_string) }
}

async fn province_admin(db: &DatabaseConnection, username: &str, province: i32) -> Actor {
    let row =
        accounts::create_admin(db, username, "Quản trị tỉnh", "ruong-bac-thang-2026", Some(province)).await.unwrap();
    Actor::Account(accounts::actor_for(db, row.id).await.unwrap().unwrap())
}

/// This week (the learners' registrations, enrolments and completions fall in it): Pao and Mai
/// in Khao Mang, both enrolled in KNS-01, Pao completed; Dính in Mù Cang Chải, enrolled. Returns
/// Mai's code, whose completion comes late.
async fn campaign(db: &DatabaseConnection) -> String {
    let pao = crate::progress::setup(db).await;
    let admin = admin();
    let register = async |name: &str, phone: &str, commune: &str| {
        registration::register(db, &admin, Area::Province(15), &form(name, phone, commune)).await.unwrap().learner.code
    };
    let mai = register("Hà Thị Mai", "0362 000 222", "4465").await;
    let dinh = register("Vàng A Dính", "0362 000 333", "4456").await;
    for code in [&pao, &mai, &dinh] {
        progress::enrol(db, &admin, code, "KNS-01", Source::Form).await.unwrap();
    }
    progress::record_completion(db, &admin, &completion(&pao), Source::Form).await.unwrap();
    mai
}

async fn weekly(db: &DatabaseConnection, actor: &Actor, week: IsoWeek, group: Option<&str>) -> WeeklyReport {
    report::weekly(db, actor, Area::Province(15), None, group, week).await.unwrap()
}

fn entry(report: &WeeklyReport, commune: i32) -> &SignoffView {
    report.signoffs.iter().find(|s| s.commune == commune).unwrap_or_else(|| panic!("no sign-off entry for {commune}"))
}

fn figures(enrolled: i64, completed: i64, learners: i64, trained: i64) -> SignoffFigures {
    // Everything happened this week: new in the week equals cumulative at its end.
    SignoffFigures { enrolled, completed, new_enrolled: enrolled, new_completed: completed, learners, trained }
}

async fn audit_actions(db: &DatabaseConnection, week: IsoWeek, commune: i32) -> Vec<String> {
    let entries = audit::about(db, "signoff", &format!("{week}:{commune}")).await.unwrap();
    entries.into_iter().map(|e| e.action).collect()
}

async fn signoff_is_a_snapshot_approved_or_returned_and_signed_again(db: DatabaseConnection) {
    let mai = campaign(&db).await;
    let week = IsoWeek::current();
    let on_time: DateTime<Utc> = deadline(week);
    let khao_mang = organiser(&[KHAO_MANG]);
    let mu_cang_chai = organiser(&[MU_CANG_CHAI]);

    // The deadline is Tuesday 12:00 in Hà Nội (05:00 UTC) after the Sunday that ends the week.
    let tuesday = week.sunday() + chrono::Days::new(2);
    assert_eq!(on_time, tuesday.and_hms_opt(5, 0, 0).unwrap().and_utc());
    assert_eq!(week_end(week), week.sunday().and_hms_opt(17, 0, 0).unwrap().and_utc());

    // Not before the week has ended: a clear 422 on `week`, and nothing written.
    let early = week_end(week) - Duration::seconds(1);
    let refused = signoff::sign(&db, &khao_mang, week, &sign_form(KHAO_MANG, None), early).await.unwrap_err();
    assert_eq!(refused.field_problem("week"), Some(Text::SignoffWeekNotEnded));
    assert_eq!(signoff_row::Entity::find().count(&db).await.unwrap(), 0);

    // Signed at the deadline exactly: on time; the snapshot is the report's row for the commune.
    let signed =
        signoff::sign(&db, &khao_mang, week, &sign_form(KHAO_MANG, Some("  Đủ số liệu  ")), on_time).await.unwrap();
    assert_eq!((signed.state, signed.on_time, signed.signed_at), (SignoffState::Signed, Some(true), Some(on_time)));
    assert_eq!((signed.signed_by.as_deref(), signed.note.as_deref()), (Some("tochuc"), Some("Đủ số liệu")));
    assert_eq!(signed.snapshot, Some(figures(2, 1, 2, 1)));
    let report = weekly(&db, &admin(), week, None).await;
    let row = report.communes.iter().find(|r| r.id == KHAO_MANG.to_string()).unwrap();
    assert_eq!(signed.snapshot, Some(SignoffFigures::of(row)), "the snapshot is what the report shows");
    // One second after the deadline: late.
    let late = signoff::sign(&db, &mu_cang_chai, week, &sign_form(MU_CANG_CHAI, None), on_time + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!((late.state, late.on_time, late.snapshot), (SignoffState::Late, Some(false), Some(figures(1, 0, 1, 0))));

    // Signed (or late) is final until reviewed: 409; outside one's communes 404; tokens 403.
    for (actor, commune) in [(&khao_mang, KHAO_MANG), (&mu_cang_chai, MU_CANG_CHAI), (&admin(), KHAO_MANG)] {
        let again = signoff::sign(&db, actor, week, &sign_form(commune, None), on_time).await.unwrap_err();
        assert_eq!(again, Error::Conflict(None));
    }
    let outside = signoff::sign(&db, &mu_cang_chai, week, &sign_form(PUNG_LUONG, None), on_time).await.unwrap_err();
    assert_eq!(outside, Error::NotFound);
    let token = Actor::Token(TokenActor { id: uuid::Uuid::nil(), name: "moodle".into(), scope: TokenScope::ReadStats });
    assert_eq!(signoff::sign(&db, &token, week, &sign_form(PUNG_LUONG, None), on_time).await, Err(Error::Forbidden));

    // The report: every commune of Lào Cai, one on time (Khao Mang) of all of them.
    let communes = commune::Entity::find().filter(commune::Column::ProvinceCode.eq(15)).count(&db).await.unwrap();
    let report = weekly(&db, &admin(), week, None).await;
    assert_eq!(report.signoffs.len() as u64, communes);
    assert_eq!(
        report.signoffs.iter().map(|s| s.commune.to_string()).collect::<Vec<_>>(),
        report.communes.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        "one entry per commune, in the report's order"
    );
    assert_eq!(report.signoffs_on_time, 1);
    assert_eq!(report.signoff_on_time_rate, Some(1.0 / communes as f64));
    assert_eq!(entry(&report, KHAO_MANG).changed_since_signoff, Some(SignoffFigures::default()));
    let missing = entry(&report, PUNG_LUONG);
    assert_eq!((missing.state, missing.on_time, &missing.snapshot), (SignoffState::Missing, None, &None));
    assert_eq!(missing.changed_since_signoff, None);

    // A completion of the signed week recorded after the sign-off counts in the week; the snapshot stays.
    progress::record_completion(&db, &khao_mang, &completion(&mai), Source::Form).await.unwrap();
    let report = weekly(&db, &admin(), week, None).await;
    let khao = entry(&report, KHAO_MANG);
    assert_eq!(khao.snapshot, Some(figures(2, 1, 2, 1)), "never rewritten");
    let one_more = SignoffFigures { completed: 1, new_completed: 1, trained: 1, ..Default::default() };
    assert_eq!(khao.changed_since_signoff, Some(one_more));
    assert_eq!(entry(&report, MU_CANG_CHAI).changed_since_signoff, Some(SignoffFigures::default()));
    // A report of one learner group still says what changed for every learner.
    let cadres = weekly(&db, &admin(), week, Some("can_bo")).await;
    assert_eq!(entry(&cadres, KHAO_MANG).changed_since_signoff, Some(one_more));
    // Organisers see their own communes only.
    let own = weekly(&db, &khao_mang, week, None).await;
    assert_eq!(
        own.signoffs.iter().map(|s| (s.commune, s.state)).collect::<Vec<_>>(),
        [(KHAO_MANG, SignoffState::Signed)]
    );
    assert_eq!((own.signoffs_on_time, own.signoff_on_time_rate), (1, Some(1.0)));

    // Review: admins only (403), of the commune's province (404), of a week signed (404).
    let lao_cai = province_admin(&db, "quantri.laocai", 15).await;
    let ha_noi = province_admin(&db, "quantri.hanoi", 1).await;
    let reviewed_at = on_time + Duration::hours(3);
    let review = async |actor: &Actor, commune: i32, decision: Review, text: Option<&str>| {
        signoff::review(&db, actor, week, commune, decision, &comment(text), reviewed_at).await
    };
    assert_eq!(review(&khao_mang, KHAO_MANG, Review::Approve, None).await, Err(Error::Forbidden));
    assert_eq!(review(&ha_noi, KHAO_MANG, Review::Approve, None).await, Err(Error::NotFound));
    assert_eq!(review(&lao_cai, PUNG_LUONG, Review::Approve, None).await, Err(Error::NotFound));
    let approved = review(&lao_cai, KHAO_MANG, Review::Approve, None).await.unwrap();
    assert_eq!((approved.state, approved.on_time), (SignoffState::Approved, Some(true)));
    assert_eq!((approved.reviewed_at, approved.reviewed_by.as_deref()), (Some(reviewed_at), Some("quantri.laocai")));
    assert_eq!(approved.snapshot, Some(figures(2, 1, 2, 1)));
    assert_eq!(review(&admin(), KHAO_MANG, Review::Return, Some("Sai")).await, Err(Error::Conflict(None)));

    // Returning needs a reason; a returned week no longer stands and is signed again, late now.
    let no_reason = review(&lao_cai, MU_CANG_CHAI, Review::Return, Some("  ")).await.unwrap_err();
    assert_eq!(no_reason.field_problem("comment"), Some(Text::SignoffCommentRequired));
    let returned = review(&lao_cai, MU_CANG_CHAI, Review::Return, Some("Thiếu 2 học viên")).await.unwrap();
    assert_eq!((returned.state, returned.comment.as_deref()), (SignoffState::Returned, Some("Thiếu 2 học viên")));
    let report = weekly(&db, &admin(), week, None).await;
    let back = entry(&report, MU_CANG_CHAI);
    assert_eq!((back.state, back.on_time, back.changed_since_signoff), (SignoffState::Returned, Some(false), None));
    let khao = entry(&report, KHAO_MANG);
    assert_eq!((khao.state, khao.changed_since_signoff), (SignoffState::Approved, Some(one_more)));
    assert_eq!((report.signoffs_on_time, report.signoff_on_time_rate), (1, Some(1.0 / communes as f64)));

    registration::register(&db, &admin(), Area::Province(15), &form("Giàng Thị Sua", "0362 000 444", "4456"))
        .await
        .unwrap();
    let again_at = on_time + Duration::days(1);
    let again =
        signoff::sign(&db, &mu_cang_chai, week, &sign_form(MU_CANG_CHAI, Some("Đã bổ sung")), again_at).await.unwrap();
    assert_eq!((again.state, again.on_time, again.signed_at), (SignoffState::Late, Some(false), Some(again_at)));
    assert_eq!((again.snapshot, again.comment.as_deref()), (Some(figures(1, 0, 2, 0)), None), "a new snapshot");
    let rows = signoff_row::Entity::find().filter(signoff_row::Column::CommuneCode.eq(MU_CANG_CHAI)).count(&db);
    assert_eq!(rows.await.unwrap(), 1, "the new sign-off replaces the returned one");

    // The history is in the audit log, the returned sign-off whole.
    assert_eq!(audit_actions(&db, week, KHAO_MANG).await, ["sign_off", "approve_sign_off"]);
    assert_eq!(audit_actions(&db, week, MU_CANG_CHAI).await, ["sign_off", "return_sign_off", "sign_off"]);
    let entries = audit::about(&db, "signoff", &format!("{week}:{MU_CANG_CHAI}")).await.unwrap();
    let resigned: serde_json::Value = serde_json::from_str(entries[2].detail.as_deref().unwrap()).unwrap();
    assert_eq!(resigned["before"]["state"], "returned");
    assert_eq!(resigned["before"]["comment"], "Thiếu 2 học viên");
    assert_eq!(resigned["before"]["snapshot"]["learners"], 1);
    assert_eq!(resigned["after"]["snapshot"]["learners"], 2);
    assert_eq!(entries[1].actor, "quantri.laocai");
}

on_both_databases!(signoff_lifecycle, signoff_is_a_snapshot_approved_or_returned_and_signed_again);

async fn the_on_time_rate_counts_signed_and_approved_on_time_only(db: DatabaseConnection) {
    campaign(&db).await;
    let week = IsoWeek::current();
    let on_time = deadline(week);
    let organiser = organiser(&[KHAO_MANG, MU_CANG_CHAI, PUNG_LUONG]);
    for (commune, at) in [
        (KHAO_MANG, on_time - Duration::hours(30)),
        (MU_CANG_CHAI, on_time),
        (PUNG_LUONG, on_time + Duration::minutes(1)),
    ] {
        signoff::sign(&db, &organiser, week, &sign_form(commune, None), at).await.unwrap();
    }
    let rate = |r: &WeeklyReport| (r.signoffs.len(), r.signoffs_on_time, r.signoff_on_time_rate);
    assert_eq!(rate(&weekly(&db, &organiser, week, None).await), (3, 2, Some(2.0 / 3.0)));
    let states = |r: &WeeklyReport| r.signoffs.iter().map(|s| (s.commune, s.state)).collect::<Vec<_>>();
    let report = weekly(&db, &organiser, week, None).await;
    let mut seen = states(&report);
    seen.sort_by_key(|(commune, _)| *commune);
    assert_eq!(
        seen,
        [(MU_CANG_CHAI, SignoffState::Signed), (KHAO_MANG, SignoffState::Signed), (PUNG_LUONG, SignoffState::Late)]
    );
    // Approved on time still counts; returned does not, until signed again (late, then).
    signoff::review(&db, &admin(), week, KHAO_MANG, Review::Approve, &comment(Some("Tốt")), on_time).await.unwrap();
    signoff::review(&db, &admin(), week, MU_CANG_CHAI, Review::Return, &comment(Some("Sai")), on_time).await.unwrap();
    assert_eq!(rate(&weekly(&db, &organiser, week, None).await), (3, 1, Some(1.0 / 3.0)));
    signoff::sign(&db, &organiser, week, &sign_form(MU_CANG_CHAI, None), on_time + Duration::days(2)).await.unwrap();
    assert_eq!(rate(&weekly(&db, &organiser, week, None).await), (3, 1, Some(1.0 / 3.0)));
    // The week after: nobody has signed it.
    assert_eq!(rate(&weekly(&db, &organiser, week.next(), None).await), (3, 0, Some(0.0)));
    // An organiser of an organisation only answers for no commune: no entry, no rate.
    let nobody = Actor::Account(hocvuso::auth::AccountActor {
        id: uuid::Uuid::now_v7(),
        username: "truong".into(),
        display_name: "Trường".into(),
        role: hocvuso::auth::Role::Organiser,
        province: None,
        scope: hocvuso::auth::Scope { communes: Default::default(), organisations: [uuid::Uuid::now_v7()].into() },
    });
    assert_eq!(rate(&weekly(&db, &nobody, week, None).await), (0, 0, None));
}

on_both_databases!(signoff_on_time_rate, the_on_time_rate_counts_signed_and_approved_on_time_only);

async fn the_table_takes_only_states_that_can_be(db: DatabaseConnection) {
    use sea_orm::ConnectionTrait;
    campaign(&db).await;
    let week = IsoWeek::current();
    signoff::sign(&db, &organiser(&[KHAO_MANG]), week, &sign_form(KHAO_MANG, None), deadline(week)).await.unwrap();
    let run = async |sql: &str| db.execute_unprepared(sql).await.map(drop);
    for refused in [
        "UPDATE signoff SET state = 'missing'",
        "UPDATE signoff SET state = 'finished'",
        "UPDATE signoff SET state = 'late'",
        "UPDATE signoff SET on_time = FALSE",
        "UPDATE signoff SET state = 'approved'",
    ] {
        assert!(run(refused).await.is_err(), "{refused}");
    }
    run("UPDATE signoff SET state = 'late', on_time = FALSE").await.unwrap();
    run("UPDATE signoff SET state = 'returned', reviewed_at = signed_at").await.unwrap();
    // One row per week and commune.
    let id = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "'00000000-0000-7000-8000-000000000001'::uuid",
        _ => "'00000000-0000-7000-8000-000000000001'",
    };
    let copy = format!(
        "INSERT INTO signoff SELECT {id}, week, commune_code, state, on_time, signed_at, signed_by, note, reviewed_at, \
         reviewed_by, comment, enrolled, completed, new_enrolled, new_completed, learners, trained FROM signoff"
    );
    let refused = run(&copy).await.unwrap_err().to_string();
    assert!(
        refused.contains("uq_signoff_week_commune") || refused.contains("UNIQUE constraint failed"),
        "a second row for the same week and commune: {refused}"
    );
}

on_both_databases!(signoff_columns, the_table_takes_only_states_that_can_be);

//! Files from MOOC platforms: learners' platform accounts in bulk, Open edX grade reports and
//! Moodle course completion reports, kept as the statements the platforms would have sent.
use hocvuso::Error;
use hocvuso::auth::Actor;
use hocvuso::entity::{learner_link, lrs_statement};
use hocvuso::i18n::Text;
use hocvuso::model::{ImportReport, PlatformImportReport};
use hocvuso::on_both_databases;
use hocvuso::service::imports::platform_accounts::import_platform_accounts;
use hocvuso::service::imports::platform_reports::{ReportFormat, ReportOptions, import_report};
use hocvuso::service::learners::registration;
use hocvuso::service::lrs::links;
use hocvuso::service::statistics;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::registration::{admin, form, organiser};

const EDX: &str = "https://mooc.example.edu.vn";
const COURSE_KEY: &str = "course-v1:MOET+KNS-ND+2026-1";
const MOODLE: &str = "https://moodle.example.edu.vn";
const MOODLE_COURSE: &str = "https://moodle.example.edu.vn/course/view.php?id=7";

/// Enrolments and completions in the province.
async fn completed(db: &DatabaseConnection) -> (i64, i64) {
    let o = statistics::overview::overview(db, &Actor::Anonymous, hocvuso::model::Area::Province(15), None, None)
        .await
        .unwrap();
    (o.completion.enrolled, o.completion.completed)
}

async fn links_made(db: &DatabaseConnection) -> u64 {
    learner_link::Entity::find().count(db).await.unwrap()
}

async fn statements_kept(db: &DatabaseConnection) -> u64 {
    lrs_statement::Entity::find().count(db).await.unwrap()
}

/// The courses KNS-ND (Open edX, by its course URL) and MOODLE-7, and the platform connections
/// "MOOC Lào Cai" (Open edX) and "Moodle tỉnh".
async fn setup(db: &DatabaseConnection) {
    for (code, url) in [("KNS-ND", format!("{EDX}/courses/{COURSE_KEY}/about")), ("MOODLE-7", MOODLE_COURSE.into())] {
        let course = hocvuso::model::CourseForm {
            code: code.into(),
            title: format!("Khoá {code}"),
            platform: "mooc".into(),
            hours: "8".into(),
            url: Some(url),
            ..Default::default()
        };
        hocvuso::service::enrolments::courses::create(db, &admin(), &course).await.unwrap();
    }
    hocvuso::service::lrs::platforms::create(db, "test", "MOOC Lào Cai", &[EDX.to_string()]).await.unwrap();
    hocvuso::service::lrs::platforms::create(db, "test", "Moodle tỉnh", &[MOODLE.to_string()]).await.unwrap();
}

/// Registers someone in Xã Khao Mang (4465) and returns their code.
async fn learner(db: &DatabaseConnection, name: &str, phone: &str, born: &str) -> String {
    let form = hocvuso::model::LearnerForm { birth_date: born.into(), ..form(name, phone, "4465") };
    registration::register(db, &admin(), hocvuso::model::Area::Province(15), &form).await.unwrap().learner.code
}

fn rows_of(err: Error) -> Vec<(u64, String, Text)> {
    match err {
        Error::InvalidRows(rows) => rows.into_iter().map(|r| (r.line, r.column, r.problem)).collect(),
        other => panic!("expected bad rows, got {other:?}"),
    }
}

async fn platform_accounts_link_in_bulk_and_apply_what_waited_once(db: DatabaseConnection) {
    setup(&db).await;
    let pao = learner(&db, "Lò Văn Pao", "0362 000 111", "05/03/1990").await;
    let mai = learner(&db, "Vàng Thị Mai", "0362 000 999", "01/02/1995").await;
    // Open edX and Moodle reported a completion each before anyone was linked: both wait.
    let waiting = vec![
        json!({"id": "1a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", "actor": {"account": {"homePage": EDX, "name": "pao-edx"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}, "object": {"id": format!("{EDX}/course/{COURSE_KEY}")},
            "timestamp": "2026-11-20T08:00:00Z"}),
        json!({"id": "2a5b3a4e-7c1d-4e2a-9b7f-1a2b3c4d5e6f", "actor": {"mbox": "mailto:mai@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}, "object": {"id": MOODLE_COURSE},
            "timestamp": "2026-11-21T09:30:00+07:00"}),
    ];
    hocvuso::service::lrs::statements::keep_imported(&db, &admin(), waiting).await.unwrap();
    assert_eq!(completed(&db).await, (0, 0));
    assert_eq!(links::unmatched(&db, &admin()).await.unwrap().len(), 2);

    // By connection name, by e-mail address with phone and birth date, by address with a slash.
    let file = format!(
        "Nền tảng,Tài khoản,Mã học viên,Số điện thoại,Ngày sinh\n\
mooc lào cai,pao-edx,{pao},,\n\
,Mai@Example.com,,0362 000 999,01/02/1995\n\
{EDX}/,pao-second,{},,\n",
        pao.to_lowercase()
    );
    let dry = import_platform_accounts(&db, &admin(), file.as_bytes(), true).await.unwrap();
    assert_eq!(dry, ImportReport { created: 3, dry_run: true, ..ImportReport::default() });
    assert_eq!((links_made(&db).await, completed(&db).await), (0, (0, 0)), "a dry run writes nothing");

    let done = import_platform_accounts(&db, &admin(), file.as_bytes(), false).await.unwrap();
    assert_eq!(done, ImportReport { created: 3, ..ImportReport::default() });
    assert_eq!(links_made(&db).await, 3);
    assert_eq!(completed(&db).await, (2, 2), "what waited counts, once");
    assert!(links::unmatched(&db, &admin()).await.unwrap().is_empty());
    let of_mai = links::of_learner(&db, registration::find(&db, &admin(), &mai).await.unwrap().id).await.unwrap();
    assert_eq!((of_mai.len(), of_mai[0].kind.as_str(), of_mai[0].name.as_deref()), (1, "mbox", None));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    let again = import_platform_accounts(&db, &admin(), file.as_bytes(), false).await.unwrap();
    assert_eq!(again, ImportReport { unchanged: 3, ..ImportReport::default() });
    assert_eq!((links_made(&db).await, completed(&db).await), (3, (2, 2)));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(platform_accounts_bulk, platform_accounts_link_in_bulk_and_apply_what_waited_once);

async fn a_bad_platform_account_row_writes_nothing_and_every_bad_row_is_listed(db: DatabaseConnection) {
    setup(&db).await;
    let pao = learner(&db, "Lò Văn Pao", "0362 000 111", "05/03/1990").await;
    let mai = learner(&db, "Vàng Thị Mai", "0362 000 999", "01/02/1995").await;
    // Two people with one phone and birth date: that pair names neither.
    learner(&db, "Vàng Thị Dơ", "0362 000 999", "01/02/1995").await;
    let first = format!("platform,account,learner_code\n{EDX},pao-edx,{pao}\n");
    assert_eq!(import_platform_accounts(&db, &admin(), first.as_bytes(), false).await.unwrap().created, 1);

    let bad = format!(
        "platform,account,learner_code,phone,birth_date\n\
{EDX},new-one,{mai},,\n\
{EDX},pao-edx,{mai},,\n\
Không có,mai-x,{mai},,\n\
{EDX},mai-y,HV-NOSUCH,,\n\
{EDX},mai-z,,0362 000 999,01/02/1995\n\
{EDX},mai-w,,0362 000 888,01/02/1995\n\
,not-an-address@,{mai},,\n\
{EDX},twice,{pao},,\n\
{EDX},twice,{mai},,\n\
{EDX},mai-v,,0362 000 999,31/02/1995\n"
    );
    let errors = rows_of(import_platform_accounts(&db, &admin(), bad.as_bytes(), false).await.unwrap_err());
    let problems: Vec<(u64, &str, Text)> = errors.iter().map(|(l, c, p)| (*l, c.as_str(), *p)).collect();
    assert_eq!(
        problems,
        [
            (3, "account", Text::AccountLinkedElsewhere),
            (4, "platform", Text::UnknownPlatform),
            (5, "learner_code", Text::UnknownLearner),
            (6, "phone", Text::LearnerAmbiguous),
            (7, "phone", Text::UnknownLearner),
            (8, "account", Text::LinkEmailInvalid),
            (10, "account", Text::AccountRepeatedInFile),
            (11, "birth_date", Text::BirthDateFormat),
        ]
    );
    assert_eq!(links_made(&db).await, 1, "the good rows were not written either");

    // Learners outside an organiser's scope are answered exactly as learners that do not exist.
    let other = format!("platform,account,learner_code\n{EDX},mai-edx,{mai}\n");
    let errors =
        rows_of(import_platform_accounts(&db, &organiser(&[4456]), other.as_bytes(), false).await.unwrap_err());
    assert_eq!(errors, [(2, "learner_code".to_string(), Text::UnknownLearner)]);
    assert_eq!(import_platform_accounts(&db, &organiser(&[4465]), other.as_bytes(), false).await.unwrap().created, 1);
    let missing = import_platform_accounts(&db, &admin(), b"platform,account\nx,y\n", false).await.unwrap_err();
    assert_eq!(missing.field_problem("learner_code"), Some(Text::ColumnMissing));
}

on_both_databases!(platform_accounts_bad_rows, a_bad_platform_account_row_writes_nothing_and_every_bad_row_is_listed);

/// Open edX's grade report as Instructor → Data Download writes it.
const GRADE_REPORT: &str = "Student ID,Email,Username,Grade,Homework 1: Giới thiệu,Homework 2: Thực hành,Homework (Avg),Final Exam,Enrollment Track,Verification Status,Certificate Eligible,Certificate Delivered,Certificate Type,Enrollment Status
11,pao@example.com,pao_lo,0.92,1.0,0.8,0.9,0.95,audit,N/A,Y,N,N/A,enrolled
12,Mai@Example.com,mai_vt,0.81,0.7,0.9,0.8,0.82,audit,N/A,Y,N,N/A,enrolled
13,sinh@example.com,sinh_hv,0.3,0.6,Not Attempted,0.3,0.0,audit,N/A,N,N,N/A,enrolled
14,ghost@example.com,ghost,0.77,0.8,0.7,0.75,0.8,audit,N/A,Y,N,N/A,enrolled
15,lan@example.com,lan,0.4,0.4,Not Attempted,0.2,0.5,audit,N/A,N,N,N/A,enrolled
16,vang@example.com,vang,0.0,Not Attempted,Not Attempted,0.0,0.0,audit,N/A,N,N,N/A,unenrolled
";

fn openedx(dry_run: bool) -> ReportOptions {
    ReportOptions { format: ReportFormat::OpenEdx, platform: EDX.into(), course: "kns-nd".into(), dry_run }
}

async fn an_open_edx_grade_report_counts_for_linked_learners_and_waits_for_others(db: DatabaseConnection) {
    setup(&db).await;
    let pao = learner(&db, "Lò Văn Pao", "0362 000 111", "05/03/1990").await;
    let mai = learner(&db, "Vàng Thị Mai", "0362 000 999", "01/02/1995").await;
    let sinh = learner(&db, "Hoàng Văn Sinh", "0362 000 222", "01/01/2000").await;
    // Pao and Sinh by their Open edX accounts, Mai only by her e-mail address.
    let accounts = format!(
        "platform,account,learner_code\nMOOC Lào Cai,pao_lo,{pao}\nMOOC Lào Cai,sinh_hv,{sinh}\n,mai@example.com,{mai}\n"
    );
    import_platform_accounts(&db, &admin(), accounts.as_bytes(), false).await.unwrap();

    let expected =
        PlatformImportReport { rows: 6, completions: 2, progress: 1, waiting: 2, skipped: 1, ..Default::default() };
    let dry = import_report(&db, &admin(), GRADE_REPORT.as_bytes(), &openedx(true)).await.unwrap();
    assert_eq!(dry, PlatformImportReport { dry_run: true, ..expected.clone() });
    assert_eq!((statements_kept(&db).await, completed(&db).await), (0, (0, 0)), "a dry run writes nothing");

    let done = import_report(&db, &admin(), GRADE_REPORT.as_bytes(), &openedx(false)).await.unwrap();
    assert_eq!(done, expected);
    assert_eq!(statements_kept(&db).await, 5, "a statement for each row with an outcome");
    assert_eq!(completed(&db).await, (3, 2), "Pao and Mai completed, Sinh at work");
    let card = hocvuso::service::enrolments::progress::learner_progress(&db, &admin(), &pao).await.unwrap();
    assert_eq!((card.courses[0].course_code.as_str(), card.courses[0].score), ("KNS-ND", Some(92.0)));
    let waiting = links::unmatched(&db, &admin()).await.unwrap();
    let mut names: Vec<_> = waiting.iter().map(|w| (w.name.clone().unwrap(), w.completions)).collect();
    names.sort();
    assert_eq!(names, [("ghost".to_string(), 1), ("lan".to_string(), 0)]);
    assert!(waiting.iter().all(|w| w.home_page.as_deref() == Some(EDX) && w.courses == ["KNS-ND"]));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // The same report again changes nothing.
    let again = import_report(&db, &admin(), GRADE_REPORT.as_bytes(), &openedx(false)).await.unwrap();
    assert_eq!(again, PlatformImportReport { rows: 6, skipped: 1, unchanged: 5, ..Default::default() });
    assert_eq!((statements_kept(&db).await, completed(&db).await), (5, (3, 2)));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // Linking the waiting account applies its completion; the report again still changes nothing.
    let ghost = learner(&db, "Giàng A Dính", "0362 000 333", "02/02/1992").await;
    let form = links::PlatformAccountForm { home_page: Some(EDX.into()), name: Some("ghost".into()), mbox: None };
    assert_eq!(links::link(&db, &admin(), &ghost, &form).await.unwrap().applied, 1);
    assert_eq!(completed(&db).await, (4, 3));
    let again = import_report(&db, &admin(), GRADE_REPORT.as_bytes(), &openedx(false)).await.unwrap();
    assert_eq!((again.unchanged, again.completions), (5, 0));
    assert_eq!(completed(&db).await, (4, 3));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // An organiser's import records their own learners only: new progress for Sinh (outside
    // Xã Mù Cang Chải) is not kept; Lan's waits as anyone's would.
    let later = GRADE_REPORT.replace("lan,0.4", "lan,0.5").replace("sinh_hv,0.3", "sinh_hv,0.35");
    let outside = import_report(&db, &organiser(&[4456]), later.as_bytes(), &openedx(false)).await.unwrap();
    assert_eq!(
        outside,
        PlatformImportReport { rows: 6, waiting: 1, skipped: 1, unchanged: 3, outside_scope: 1, ..Default::default() }
    );
    assert_eq!(statements_kept(&db).await, 6);
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);
}

on_both_databases!(openedx_report, an_open_edx_grade_report_counts_for_linked_learners_and_waits_for_others);

/// Moodle's course completion report as Reports → Course completion → "Download in spreadsheet format (UTF-8 .csv)" writes it.
const COMPLETION_REPORT: &str = "\u{feff}ID,Name,Email address,Bài 1,Bài 1 - Completion date,Course complete
2,Lò Văn Pao,Pao.Lo@example.com,Completed,\"20/11/26, 14:05\",\"20/11/26, 14:10\"
3,Vàng Thị Mai,mai@example.com,Not completed,,
4,Giàng A Dính,dinh@example.com,Completed,\"21/11/26, 08:55\",\"21/11/26, 09:00\"
";

fn moodle(dry_run: bool) -> ReportOptions {
    ReportOptions { format: ReportFormat::Moodle, platform: "Moodle tỉnh".into(), course: "MOODLE-7".into(), dry_run }
}

async fn a_moodle_completion_report_completes_linked_learners_at_its_dates(db: DatabaseConnection) {
    setup(&db).await;
    let pao = learner(&db, "Lò Văn Pao", "0362 000 111", "05/03/1990").await;
    let accounts = format!("account,learner_code\npao.lo@example.com,{pao}\n");
    import_platform_accounts(&db, &admin(), accounts.as_bytes(), false).await.unwrap();

    let expected = PlatformImportReport { rows: 3, completions: 1, waiting: 1, skipped: 1, ..Default::default() };
    let dry = import_report(&db, &admin(), COMPLETION_REPORT.as_bytes(), &moodle(true)).await.unwrap();
    assert_eq!(dry, PlatformImportReport { dry_run: true, ..expected.clone() });
    assert_eq!(statements_kept(&db).await, 0);
    let done = import_report(&db, &admin(), COMPLETION_REPORT.as_bytes(), &moodle(false)).await.unwrap();
    assert_eq!(done, expected);
    assert_eq!(completed(&db).await, (1, 1));
    let card = hocvuso::service::enrolments::progress::learner_progress(&db, &admin(), &pao).await.unwrap();
    let at = card.courses[0].completed_at.unwrap();
    assert_eq!(at.to_rfc3339(), "2026-11-20T07:10:00+00:00", "14:10 in Vietnam");
    let waiting = links::unmatched(&db, &admin()).await.unwrap();
    assert_eq!((waiting.len(), waiting[0].actor.as_str(), waiting[0].completions), (1, "d***@example.com", 1));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    let again = import_report(&db, &admin(), COMPLETION_REPORT.as_bytes(), &moodle(false)).await.unwrap();
    assert_eq!(again, PlatformImportReport { rows: 3, skipped: 1, unchanged: 2, ..Default::default() });
    assert_eq!((statements_kept(&db).await, completed(&db).await), (2, (1, 1)));
    assert_eq!(statistics::verify(&db).await.unwrap(), vec![]);

    // Bad rows are listed; wrong options and missing columns are said before any row.
    let bad = "ID,Name,Email address,Course complete\n5,A,not-an-address,\n6,B,b@example.com,01/01/2099\n";
    let errors = rows_of(import_report(&db, &admin(), bad.as_bytes(), &moodle(false)).await.unwrap_err());
    assert_eq!(
        errors,
        [
            (2, "Email address".to_string(), Text::LinkEmailInvalid),
            (3, "Course complete".to_string(), Text::CompletedAtInvalid)
        ]
    );
    let options = ReportOptions { platform: "Không có".into(), course: "KHONG-CO".into(), ..moodle(false) };
    let refused = import_report(&db, &admin(), b"ID,Name\n1,A\n", &options).await.unwrap_err();
    assert_eq!(refused.field_problem("platform"), Some(Text::UnknownPlatform));
    assert_eq!(refused.field_problem("course"), Some(Text::UnknownCourse));
    assert_eq!(refused.field_problem("email"), Some(Text::ColumnMissing));
    assert_eq!(refused.field_problem("course_complete"), Some(Text::ColumnMissing));
    assert_eq!(statements_kept(&db).await, 2);
}

on_both_databases!(moodle_report, a_moodle_completion_report_completes_linked_learners_at_its_dates);

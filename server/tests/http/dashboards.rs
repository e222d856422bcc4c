//! Dashboards, leaderboards, targets and the weekly report over HTTP, on the demo campaign: every
//! REST figure against the raw rows, targets shown as actual/target, the report as a real workbook.
use std::collections::HashMap;

use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::Value;

use crate::access::session_cookie;
use crate::{TestApp, figure, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

/// (enrolled, completed) per key, counted from the raw rows of active learners.
async fn raw(db: &DatabaseConnection, key: &str) -> HashMap<String, (i64, i64)> {
    let sql = format!(
        "SELECT CAST({key} AS TEXT) AS k, COUNT(*) AS n, \
         SUM(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END) AS c \
         FROM enrolment e JOIN learner l ON l.id = e.learner_id JOIN course c ON c.id = e.course_id \
         WHERE l.active = true GROUP BY {key}"
    );
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.into_iter()
        .map(|r| {
            let k: String = r.try_get("", "k").unwrap();
            let n: i64 = r.try_get("", "n").unwrap();
            let c: i64 = r.try_get("", "c").unwrap();
            (k, (n, c))
        })
        .collect()
}

async fn get_json(app: &TestApp, cookie: &str, path: &str) -> (u16, Value) {
    let response = app.client.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn demo_app(db: DatabaseConnection) -> (TestApp, String) {
    hocvuso::service::demo::seed_demo(&db).await.unwrap();
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    (app, cookie)
}

/// The rate is the full-precision fraction (far more than 4 decimals); JSON parsing may differ in the last bit.
fn assert_close(actual: Option<f64>, expected: Option<f64>) {
    match (actual, expected) {
        (Some(a), Some(e)) => assert!((a - e).abs() < 1e-12, "{a} is not {e}"),
        (a, e) => assert_eq!(a, e),
    }
}

fn pair(row: &Value) -> (i64, i64) {
    (row["enrolled"].as_i64().unwrap(), row["completed"].as_i64().unwrap())
}

async fn rest_figures_equal_the_raw_rows(db: DatabaseConnection) {
    let (app, cookie) = demo_app(db).await;
    let by_commune = raw(&app.db, "l.commune_code").await;
    let by_course = raw(&app.db, "c.code").await;

    let (status, body) = get_json(&app, &cookie, "/api/v1/stats/completion?by=commune").await;
    assert_eq!(status, 200, "{body}");
    // The unit kind reads back as it was asked for.
    assert_eq!(body["by"], "commune");
    assert_eq!(pair(&body["total"]), (7678, 5835));
    assert_close(body["total"]["rate"].as_f64(), Some(5835.0 / 7678.0));
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 99);
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let expected = by_commune.get(id).copied().unwrap_or((0, 0));
        assert_eq!(pair(row), expected, "commune {id}");
        assert_close(row["rate"].as_f64(), (expected.0 > 0).then(|| expected.1 as f64 / expected.0 as f64));
    }
    let (_, body) = get_json(&app, &cookie, "/api/v1/stats/completion?by=course").await;
    for row in body["rows"].as_array().unwrap() {
        // A course row is named "CODE · title".
        let code = row["name"].as_str().unwrap().split(" · ").next().unwrap();
        assert_eq!(pair(row), by_course.get(code).copied().unwrap_or((0, 0)), "course {code}");
    }

    // The leaderboard: ranks 1..n without gaps, the small units apart, movement against last week.
    let (status, board) = get_json(&app, &cookie, "/api/v1/leaderboard?by=commune&week=2026-W47").await;
    assert_eq!(status, 200, "{board}");
    let ranked = board["ranked"].as_array().unwrap();
    let ranks: Vec<i64> = ranked.iter().map(|r| r["rank"].as_i64().unwrap()).collect();
    assert_eq!(ranks, (1..=ranked.len() as i64).collect::<Vec<_>>());
    assert!(ranked.iter().all(|r| r["enrolled"].as_i64().unwrap() >= 20));
    assert!(board["unranked"].as_array().unwrap().iter().all(|r| r["enrolled"].as_i64().unwrap() < 20));
    for r in ranked {
        if let (Some(rank), Some(previous)) = (r["rank"].as_i64(), r["previous_rank"].as_i64()) {
            assert_eq!(r["movement"].as_i64(), Some(previous - rank));
        }
    }
    let (status, wrong) = get_json(&app, &cookie, "/api/v1/stats/completion?by=commune&period=tu%E1%BA%A7n").await;
    assert_eq!((status, wrong["errors"][0]["field"].as_str()), (422, Some("period")));

    // The dashboard page shows the same figures.
    let page = app.client.get(format!("{}/dashboard", app.address)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert_eq!(figure(&html, "enrolled"), "7.678");
    assert_eq!(figure(&html, "rate"), "76,0%");
    assert!(html.contains(r#"data-testid="rate-chart""#) && html.contains(r#"data-testid="trend-chart""#));
}

on_both_databases!(rest_exact, rest_figures_equal_the_raw_rows);

async fn targets_are_shown_against_the_actual_figures(db: DatabaseConnection) {
    let (app, cookie) = demo_app(db).await;
    let post = |path: &str, body: String, content_type: &'static str| {
        app.client
            .post(format!("{}{path}", app.address))
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let target = r#"{"unit_kind":"commune","unit":"4465","period":"","metric":"completion_rate","value":"95"}"#;
    assert_eq!(post("/api/v1/targets", target.into(), "application/json").await.unwrap().status(), 204);
    let bad = post(
        "/api/v1/targets",
        r#"{"unit_kind":"xa","unit":"4465","period":"tuần 1","metric":"completion_rate","value":"120"}"#.into(),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["unit_kind", "period", "value"]);

    let (_, table) = get_json(&app, &cookie, "/api/v1/stats/completion?by=commune&commune=4465").await;
    let row = &table["rows"][0];
    let (enrolled, completed) = pair(row);
    let actual = (completed * 2000 + enrolled) / (2 * enrolled);
    assert_eq!(row["target"]["metric"], "completion_rate");
    assert_eq!(row["target"]["target"], 950);
    assert_eq!(row["target"]["actual"], actual);
    assert_eq!(row["target"]["met"], actual >= 950);

    // A file with one bad row changes nothing; a good one changes what it names.
    let file = "unit_kind,unit,period,metric,value\ncommune,4465,,completion_rate,80\ncommune,9999999,,enrolments,10\n";
    let refused = post("/api/v1/imports/targets", file.into(), "text/csv").await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["line"], 3);
    let (_, table) = get_json(&app, &cookie, "/api/v1/stats/completion?by=commune&commune=4465").await;
    assert_eq!(table["rows"][0]["target"]["target"], 950, "unchanged");
    let file = "unit_kind,unit,period,metric,value\ncommune,4465,,completion_rate,\"80,5\"\nprovince,15,2026-W47,enrolments,8000\n";
    let done = post("/api/v1/imports/targets", file.into(), "text/csv").await.unwrap();
    assert_eq!(done.json::<Value>().await.unwrap()["changed"], 2);
    let (_, table) = get_json(&app, &cookie, "/api/v1/stats/completion?by=commune&period=2026-W47").await;
    // The province: the demo's campaign rate target, and this week's enrolment target.
    let targets = table["total"]["targets"].as_array().unwrap();
    assert_eq!(targets[0]["metric"], "completion_rate");
    assert_eq!(targets[0]["target"], 800);
    assert_eq!((targets[1]["metric"].as_str(), targets[1]["target"].as_i64()), (Some("enrolments"), Some(8000)));
    assert_eq!(targets[1]["met"], false);
    let row = table["rows"].as_array().unwrap().iter().find(|r| r["id"] == "4465").unwrap().clone();
    assert_eq!(row["target"]["target"], 805, "the campaign target applies to any period");

    // Pages show it as actual/target, met or behind in words.
    let page = app.client.get(format!("{}/dashboard?commune=4465", app.address)).header("cookie", &cookie).send();
    let html = page.await.unwrap().text().await.unwrap();
    let shown = figure(&html, "target");
    assert!(shown.starts_with(&format!("{},{}/80,5%", actual / 10, actual % 10)), "{shown}");

    // Organisers may not set targets.
    let admin = crate::admin_actor();
    let scope = hocvuso::auth::Scope { communes: [4465].into(), organisations: Default::default() };
    accounts::create_organiser(&app.db, &admin, "trong", "Trong", PASSWORD, &scope).await.unwrap();
    let organiser = session_cookie(&app, "trong", PASSWORD).await;
    let refused = app
        .client
        .post(format!("{}/api/v1/targets", app.address))
        .header("cookie", organiser)
        .json(&serde_json::from_str::<Value>(target).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

on_both_databases!(targets, targets_are_shown_against_the_actual_figures);

async fn the_weekly_report_is_exact_and_downloads_as_a_workbook(db: DatabaseConnection) {
    let (app, cookie) = demo_app(db).await;
    let (status, report) = get_json(&app, &cookie, "/api/v1/reports/weekly?week=2026-W47").await;
    assert_eq!(status, 200, "{report}");
    // This week's and last week's new enrolments, from the raw rows.
    for (week, field) in [(202647, "total"), (202646, "total_before")] {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM enrolment e JOIN learner l ON l.id = e.learner_id \
             WHERE l.active = true AND e.enrolled_week = {week}"
        );
        let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
        let n: i64 = row.unwrap().try_get("", "n").unwrap();
        assert_eq!(report[field]["new_enrolled"].as_i64(), Some(n), "{field}");
    }
    assert_eq!(report["communes"].as_array().unwrap().len(), 99);

    let xlsx = app
        .client
        .get(format!("{}/api/v1/reports/weekly?week=2026-W47&format=xlsx", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert_eq!(xlsx.headers()["content-disposition"], "attachment; filename=\"bao-cao-tuan-2026-W47.xlsx\"");
    let bytes = xlsx.bytes().await.unwrap();
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    // Numbers are numbers, not text: new enrolments this week, the cumulative rate as a fraction.
    assert_eq!(summary.get((2, 1)), Some(&Data::Float(report["total"]["new_enrolled"].as_i64().unwrap() as f64)));
    let enrolled = report["total"]["completion"]["enrolled"].as_i64().unwrap() as f64;
    let completed = report["total"]["completion"]["completed"].as_i64().unwrap() as f64;
    match summary.get((6, 1)) {
        Some(Data::Float(rate)) => assert_close(Some(*rate), Some(completed / enrolled)),
        other => panic!("the rate is not a number: {other:?}"),
    }

    let csv = app
        .client
        .get(format!("{}/api/v1/reports/weekly?week=2026-W47&format=csv", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.text().await.unwrap().lines().count(), 100);

    let page = app.client.get(format!("{}/reports/weekly?week=2026-W47", app.address)).header("cookie", &cookie).send();
    let html = page.await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"data-testid="weekly-report""#));
    assert!(figure(&html, "week-enrolled").starts_with(&report["total"]["new_enrolled"].to_string()));
}

on_both_databases!(weekly_report, the_weekly_report_is_exact_and_downloads_as_a_workbook);

//! Learner import and export over REST.
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use sea_orm::DatabaseConnection;

use crate::access::session_cookie;
use crate::spawn_app;

const PASSWORD: &str = "ruong-bac-thang-2026";

async fn bad_rows_are_listed_and_good_files_import_once(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let post = |query: String, body: &'static str| {
        app.client
            .post(format!("{}/api/v1/imports/learners?{query}", app.address))
            .header("cookie", &cookie)
            .header("accept-language", "en")
            .body(body)
            .send()
    };
    let bad = "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n\
Nguyễn Văn An,05/03/1990,Nam,0912 000 001,4465\n\
Lò Thị Dơ,05/03/1990,Nữ,12345,4465\n";
    let response = post(format!("consent_version={CONSENT_VERSION}"), bad).await.unwrap();
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_rows");
    assert_eq!(
        body["errors"],
        serde_json::json!([{"line": 3, "column": "Số điện thoại", "value": "12345",
            "message": "The phone number is not valid (e.g. 0912 345 678 or +84 912 345 678)."}])
    );

    let unstated = post(String::new(), bad).await.unwrap();
    assert_eq!(unstated.status(), 422);
    let body: serde_json::Value = unstated.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "consent_version");

    let good = "full_name,birth_date,gender,phone,commune\nNguyễn Văn An,05/03/1990,Nam,0912 000 001,4465\n";
    let dry: serde_json::Value =
        post(format!("dry_run=true&consent_version={CONSENT_VERSION}"), good).await.unwrap().json().await.unwrap();
    assert_eq!(
        dry,
        serde_json::json!({"created": 1, "updated": 0, "unchanged": 0, "dry_run": true, "unknown_columns": []})
    );
    let first: serde_json::Value =
        post(format!("consent_version={CONSENT_VERSION}"), good).await.unwrap().json().await.unwrap();
    assert_eq!(first["created"], 1);
    let again: serde_json::Value =
        post(format!("consent_version={CONSENT_VERSION}"), good).await.unwrap().json().await.unwrap();
    assert_eq!((again["created"].clone(), again["unchanged"].clone()), (0.into(), 1.into()));

    // The same path takes a multipart upload, as the upload page sends it.
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(good.as_bytes().to_vec()).file_name("hoc-vien.csv"));
    let multipart: serde_json::Value = app
        .client
        .post(format!("{}/api/v1/imports/learners?consent_version={CONSENT_VERSION}", app.address))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(multipart["unchanged"], 1);

    let export = app
        .client
        .get(format!("{}/api/v1/learners/export?format=xlsx", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert_eq!(export.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let rows = hocvuso::service::imports::table::read(&export.bytes().await.unwrap()).unwrap();
    assert_eq!(rows[1][1], "Nguyễn Văn An");
    let wrong_format = app
        .client
        .get(format!("{}/api/v1/learners/export?format=pdf", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_format.status(), 422);
}

on_both_databases!(rest_import, bad_rows_are_listed_and_good_files_import_once);

/// Lowers this test process's address-space limit (the soft one), so a reader that tries to build a
/// huge range fails here rather than taking the machine's memory. nextest runs each test in its own
/// process.
fn cap_address_space(bytes: u64) {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit read or write only the struct they are given.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_AS, &mut limit), 0);
        limit.rlim_cur = limit.rlim_cur.min(bytes);
        assert_eq!(libc::setrlimit(libc::RLIMIT_AS, &limit), 0);
    }
}

/// The workbook that aborted the server (1.5 KB): one sheet holding only A1 and XFD1048576, a used
/// range of 17 billion cells, written by hand.
fn far_cell_workbook() -> Vec<u8> {
    use std::io::Write;
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>full_name</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#,
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, xml) in parts {
        zip.start_file(path, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

async fn a_workbook_with_one_far_cell_is_refused_and_the_server_stays_up(db: DatabaseConnection) {
    // The reader before this test aborted the process asking for 549,755,813,888 bytes at once.
    cap_address_space(4 << 30);
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let workbook = far_cell_workbook();
    assert!(workbook.len() < 2_000, "{} bytes", workbook.len());
    for path in
        ["imports/completions?dry_run=true", "imports/learners?dry_run=true", "imports/targets", "imports/population"]
    {
        let response = app
            .client
            .post(format!("{}/api/v1/{path}", app.address))
            .header("cookie", &cookie)
            .header("accept-language", "en")
            .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .body(workbook.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "file", "{path}");
        assert_eq!(body["errors"][0]["message"], "The file has too many rows (at most 1,000,000).", "{path}");
    }
    assert_eq!(app.get("/healthz").await.status(), 200);
}

on_both_databases!(far_cell_workbook_refused, a_workbook_with_one_far_cell_is_refused_and_the_server_stays_up);

/// The OpenAPI document is generated from the handlers, and the router is built from the same
/// registration; this walks both. Every documented operation is answered by the router (never its
/// "no such route" 404 or a 405), every method a path does not document is refused with 405, and
/// the served document is the generated one.
async fn openapi_document_is_the_router(db: DatabaseConnection) {
    let app = spawn_app(db).await;
    let doc = serde_json::to_value(hocvuso_server::api::openapi_document()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    // Credentials everywhere but where anyone may ask.
    assert_eq!(doc["security"], serde_json::json!([{"session": []}, {"token": []}]));
    let public: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().iter().map(move |(method, op)| (path, method, op)))
        .filter(|(_, _, op)| op["security"] == serde_json::json!([{}]))
        .map(|(path, method, _)| format!("{method} {path}"))
        .collect();
    assert_eq!(
        public,
        ["get /consent-notice", "post /lookup", "get /openapi.json", "delete /session", "post /session"],
        "public operations"
    );
    let served: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert_eq!(served, doc, "the served document is the generated one");

    let paths = doc["paths"].as_object().unwrap();
    let mut names: Vec<&str> = paths.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "/at-risk",
            "/communes",
            "/completions",
            "/consent-notice",
            "/courses",
            "/enrolments",
            "/guidance-sessions",
            "/imports/completions",
            "/imports/learners",
            "/imports/platform-accounts",
            "/imports/population",
            "/imports/targets",
            "/leaderboard",
            "/learners",
            "/learners/export",
            "/learners/{code}",
            "/learners/{code}/personal-data",
            "/learners/{code}/platform-accounts",
            "/learners/{code}/progress",
            "/learners/{code}/progress-link",
            "/lookup",
            "/me",
            "/openapi.json",
            "/organisations",
            "/reports/files",
            "/reports/files/{name}",
            "/reports/weekly",
            "/reports/weekly/{week}/signoff",
            "/reports/weekly/{week}/signoff/{commune}/approve",
            "/reports/weekly/{week}/signoff/{commune}/return",
            "/session",
            "/stats/completion",
            "/stats/guidance",
            "/stats/overview",
            "/targets",
            "/teams",
            "/xapi/unmatched",
        ]
    );
    let mut operations = 0;
    let mut wrong = Vec::new();
    for (path, item) in paths {
        let url = format!("{}/api/v1{}", app.address, path.replace("{code}", "HV-NOSUCH"));
        for method in ["get", "post", "put", "patch", "delete"] {
            let documented = item.get(method).is_some();
            let operation = &item[method];
            if documented {
                operations += 1;
                let answers = operation["responses"].as_object().unwrap();
                if !answers.keys().any(|status| status.starts_with('2')) {
                    wrong.push(format!("{method} {path}: no success answer documented"));
                }
            }
            let request = app.client.request(method.to_uppercase().parse().unwrap(), &url);
            let response = request.header("content-type", "application/json").body("{}").send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            let no_route = status == 405 || (status == 404 && body.contains("not_found") && !path.contains("{code}"));
            if documented == no_route {
                wrong.push(format!("{method} {path}: documented {documented}, answered {status} {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(operations, 45);
    // Request bodies and answers are named by their types, not written by hand.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "LearnerForm",
        "LearnerDetail",
        "CompletionReport",
        "CompletionResult",
        "ImportReport",
        "ErrorBody",
        "Overview",
        "GuidanceSessionForm",
        "GuidanceSessionView",
    ] {
        assert!(schemas.contains_key(name), "{name} is among the schemas");
    }
    assert_eq!(
        doc["paths"]["/learners"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/LearnerForm"
    );
}

on_both_databases!(openapi_walk, openapi_document_is_the_router);

const EDX: &str = "https://mooc.example.edu.vn";

async fn platform_accounts_and_platform_reports_import_over_rest_and_the_page(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    hocvuso::service::lrs::platforms::create(&db, "test", "MOOC Lào Cai", &[EDX.to_string()]).await.unwrap();
    let course = hocvuso::model::CourseForm {
        code: "KNS-ND".into(),
        title: "Kỹ năng số".into(),
        platform: "mooc".into(),
        hours: "8".into(),
        url: Some(format!("{EDX}/courses/course-v1:MOET+KNS-ND+2026-1/about")),
        ..Default::default()
    };
    hocvuso::service::enrolments::courses::create(&db, &crate::admin_actor(), &course).await.unwrap();
    let code = crate::register_learner(&db).await;
    let app = spawn_app(db.clone()).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let post = |path: String, body: String| {
        app.client
            .post(format!("{}/api/v1/imports/{path}", app.address))
            .header("cookie", &cookie)
            .header("accept-language", "en")
            .body(body)
            .send()
    };

    let bad = format!("platform,account,learner_code\nNo such platform,pao,{code}\n{EDX},pao,HV-NOSUCH\n");
    let refused = post("platform-accounts".into(), bad).await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(
        body["errors"],
        serde_json::json!([
            {"line": 2, "column": "platform", "value": "No such platform",
                "message": "No such platform: give the platform's web address (https://…) or the name of a platform connection."},
            {"line": 3, "column": "learner_code", "value": "HV-NOSUCH", "message": "No such learner."}
        ])
    );
    let good = format!("platform,account,learner_code\nMOOC Lào Cai,pao_lo,{code}\n");
    let dry: serde_json::Value =
        post("platform-accounts?dry_run=true".into(), good.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(
        dry,
        serde_json::json!({"created": 1, "updated": 0, "unchanged": 0, "dry_run": true, "unknown_columns": []})
    );
    assert_eq!(post("platform-accounts".into(), good.clone()).await.unwrap().status(), 200);
    let again: serde_json::Value = post("platform-accounts".into(), good).await.unwrap().json().await.unwrap();
    assert_eq!((again["created"].clone(), again["unchanged"].clone()), (0.into(), 1.into()));

    // Open edX's grade report, through the completion import with its format.
    let report = "Student ID,Email,Username,Grade,Final Exam,Enrollment Track,Verification Status,Certificate Eligible,Certificate Delivered,Certificate Type,Enrollment Status\n\
        11,pao@example.com,pao_lo,0.9,0.9,audit,N/A,Y,N,N/A,enrolled\n\
        12,an@example.com,an_nv,0.5,0.5,audit,N/A,N,N,N/A,enrolled\n";
    let query = format!("completions?format=openedx&platform={EDX}&course=KNS-ND");
    let done = post(query.clone(), report.into()).await.unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(
        done.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"rows": 2, "completions": 1, "progress": 0, "waiting": 1, "skipped": 0, "unchanged": 0,
            "outside_scope": 0, "dry_run": false})
    );
    assert_eq!(hocvuso::service::statistics::verify(&db).await.unwrap(), vec![]);
    let unknown_format = post("completions?format=canvas".into(), report.into()).await.unwrap();
    assert_eq!(unknown_format.status(), 422);
    let body: serde_json::Value = unknown_format.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "format");
    let half = post("completions?format=moodle".into(), report.into()).await.unwrap();
    let body: serde_json::Value = half.json().await.unwrap();
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["platform", "course", "course_complete"], "its Email column is one Moodle has too");

    // The page: the connections a file may name, and a plain multipart upload.
    let page = app.client.get(format!("{}/learners/import-accounts", app.address)).header("cookie", &cookie).send();
    let page = page.await.unwrap().text().await.unwrap();
    assert!(page.contains("MOOC Lào Cai") && page.contains(EDX), "{page}");
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                format!("platform,account,learner_code\n{EDX},an_nv,{code}\n").into_bytes(),
            )
            .file_name("tai-khoan.csv"),
        )
        .text("dry_run", "true");
    let uploaded = app
        .client
        .post(format!("{}/learners/import-accounts", app.address))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 200);
    assert!(uploaded.text().await.unwrap().contains(r#"data-testid="import-report""#));
}

on_both_databases!(platform_imports_rest, platform_accounts_and_platform_reports_import_over_rest_and_the_page);

//! Learner exports of any size: read in keyset pages, a CSV streamed page by page.
use hocvuso::consent::CONSENT_VERSION;
use hocvuso::on_both_databases;
use hocvuso::service::accounts;
use hocvuso::service::imports::learners::{EXPORT_PAGE_ROWS, ImportOptions, import_learners};
use sea_orm::DatabaseConnection;

use crate::access::session_cookie;
use crate::{admin_actor, spawn_app};

const PASSWORD: &str = "ruong-bac-thang-2026";

/// A file of `n` distinct people in Xã Khao Mang.
fn people(n: usize) -> String {
    let mut file = String::from("Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường\n");
    for i in 0..n {
        file.push_str(&format!("Lò Văn Pao,05/03/1990,Nam,0912{i:06},4465\n"));
    }
    file
}

async fn a_csv_export_streams_every_learner_once_across_pages(db: DatabaseConnection) {
    let n = 2 * EXPORT_PAGE_ROWS as usize + 7;
    let stated = ImportOptions { consent_version: Some(CONSENT_VERSION.into()), ..Default::default() };
    let report =
        import_learners(&db, &admin_actor(), hocvuso::model::Area::Province(15), people(n).as_bytes(), &stated)
            .await
            .unwrap();
    assert_eq!(report.created, n as u64);
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session_cookie(&app, "quantri", PASSWORD).await;
    let export = app
        .client
        .get(format!("{}/api/v1/learners/export?format=csv", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert!(export.headers().get("content-length").is_none(), "sent as it is read");
    let text = export.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}Mã học viên,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường,Cơ quan/Đơn vị,Đội hình,Đối tượng"
    );
    assert_eq!(lines.len(), n + 1, "the header and every learner");
    let codes: std::collections::HashSet<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(codes.len(), n, "no learner twice, none missed at the page edges");
    // Anonymous callers get their error before anything is sent.
    let anonymous = app.get("/api/v1/learners/export?format=csv").await;
    assert_eq!(anonymous.status(), 401);
}

on_both_databases!(csv_export_pages, a_csv_export_streams_every_learner_once_across_pages);

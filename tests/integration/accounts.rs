//! Accounts, sign-in throttling, sessions, API tokens and the audit entries they write.
use chrono::Duration;
use hocvuso::Error;
use hocvuso::auth::{Actor, Role, Scope, TokenScope};
use hocvuso::entity::audit_log;
use hocvuso::i18n::Text;
use hocvuso::on_both_databases;
use hocvuso::service::{accounts, accounts::sessions, accounts::tokens, now};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};

const PASSWORD: &str = "ruong-bac-thang-2026";

async fn admin(db: &DatabaseConnection) -> Actor {
    accounts::create_admin(db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    Actor::Account(accounts::authenticate(db, "quantri", PASSWORD, "10.0.0.1").await.unwrap())
}

fn scope(communes: &[i32]) -> Scope {
    Scope { communes: communes.iter().copied().collect(), organisations: Default::default() }
}

/// The audit log as (actor, action, entity) triples, oldest first.
async fn audit_trail(db: &DatabaseConnection) -> Vec<(String, String, String)> {
    audit_log::Entity::find()
        .order_by_asc(audit_log::Column::At)
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor.unwrap_or_default(), e.action, e.entity))
        .collect()
}

async fn unknown_user_and_wrong_password_get_the_same_answer(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    assert_eq!(accounts::authenticate(&db, "quantri", "sai-mat-khau-1", "10.0.0.1").await, Err(Error::BadCredentials));
    assert_eq!(accounts::authenticate(&db, "khong-co", PASSWORD, "10.0.0.2").await, Err(Error::BadCredentials));
    let actor = accounts::authenticate(&db, " QuanTri ", PASSWORD, "10.0.0.3").await.unwrap();
    assert_eq!(actor.role, Role::Admin);
}

on_both_databases!(same_answer, unknown_user_and_wrong_password_get_the_same_answer);

async fn five_failures_lock_the_account_and_the_address(db: DatabaseConnection) {
    accounts::create_admin(&db, "quantri", "Quản trị", PASSWORD, None).await.unwrap();
    for i in 0..5 {
        let addr = format!("10.0.1.{i}");
        assert_eq!(accounts::authenticate(&db, "quantri", "sai-mat-khau-1", &addr).await, Err(Error::BadCredentials));
    }
    // The right password no longer helps, from any address.
    match accounts::authenticate(&db, "quantri", PASSWORD, "10.0.9.9").await {
        Err(Error::RateLimited(seconds)) => assert!((1..=15 * 60).contains(&seconds), "{seconds}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // One address trying many usernames is stopped as well.
    for i in 0..5 {
        let _ = accounts::authenticate(&db, &format!("user{i}"), "x-password-1", "10.0.2.1").await;
    }
    assert!(matches!(
        accounts::authenticate(&db, "user9", "x-password-1", "10.0.2.1").await,
        Err(Error::RateLimited(_))
    ));
    // Another address and account are not affected.
    accounts::create_admin(&db, "quantri2", "Quản trị 2", PASSWORD, None).await.unwrap();
    assert!(accounts::authenticate(&db, "quantri2", PASSWORD, "10.0.3.1").await.is_ok());
}

on_both_databases!(throttling, five_failures_lock_the_account_and_the_address);

async fn sessions_expire_rotate_and_end(db: DatabaseConnection) {
    let admin = admin(&db).await;
    let id = admin.account().unwrap().id;
    let t0 = now();
    let first = sessions::start(&db, id, t0).await.unwrap();
    let second = sessions::start(&db, id, t0).await.unwrap();
    assert_ne!(first, second, "every sign-in gets a new session id");
    assert!(sessions::resolve(&db, &first, t0 + Duration::minutes(10)).await.unwrap().is_some());
    // Used at +10 min, so idle only from then on.
    assert!(sessions::resolve(&db, &first, t0 + Duration::minutes(39)).await.unwrap().is_some());
    assert!(
        sessions::resolve(&db, &first, t0 + Duration::minutes(39) + sessions::IDLE_TIMEOUT).await.unwrap().is_none()
    );
    assert!(
        sessions::resolve(&db, &first, t0 + Duration::minutes(40)).await.unwrap().is_none(),
        "an expired session is gone"
    );
    // Never past the maximum age, however busy.
    let mut at = t0;
    while at < t0 + sessions::MAX_AGE - Duration::minutes(20) {
        at += Duration::minutes(20);
        assert!(sessions::resolve(&db, &second, at).await.unwrap().is_some());
    }
    assert!(sessions::resolve(&db, &second, t0 + sessions::MAX_AGE).await.unwrap().is_none());

    let third = sessions::start(&db, id, now()).await.unwrap();
    sessions::end(&db, &third).await.unwrap();
    assert!(sessions::resolve(&db, &third, now()).await.unwrap().is_none(), "logout really ends it");
    assert!(sessions::resolve(&db, "not-a-session", now()).await.unwrap().is_none());
}

on_both_databases!(sessions_lifecycle, sessions_expire_rotate_and_end);

async fn admins_manage_organisers_and_every_change_is_audited(db: DatabaseConnection) {
    let admin = admin(&db).await;
    let organiser =
        accounts::create_organiser(&db, &admin, "To.Chuc", "Người Tổ Chức", PASSWORD, &scope(&[4465])).await.unwrap();
    assert_eq!(organiser.username, "to.chuc");
    let organiser_actor = Actor::Account(accounts::authenticate(&db, "to.chuc", PASSWORD, "10.0.0.5").await.unwrap());
    let session = sessions::start(&db, organiser.id, now()).await.unwrap();

    // Bad input: a clear reason, nothing written.
    let refused = [
        accounts::create_organiser(&db, &admin, "to.chuc", "Khác", PASSWORD, &scope(&[4465])).await,
        accounts::create_organiser(&db, &admin, "moi", "Mới", "matkhau123", &scope(&[4465])).await,
        accounts::create_organiser(&db, &admin, "moi", "Mới", PASSWORD, &scope(&[999_999])).await,
        accounts::create_organiser(&db, &admin, "moi", "Mới", PASSWORD, &scope(&[])).await,
        accounts::create_organiser(&db, &admin, "x", "Mới", PASSWORD, &scope(&[4465])).await,
    ];
    let problems: Vec<_> = refused.into_iter().map(|r| r.unwrap_err()).collect();
    assert_eq!(problems[0].field_problem("username"), Some(Text::UsernameTaken));
    assert_eq!(problems[1].field_problem("password"), Some(Text::PasswordTooCommon));
    assert_eq!(problems[2].field_problem("scope"), Some(Text::UnknownCommune));
    assert_eq!(problems[3].field_problem("scope"), Some(Text::ScopeEmpty));
    assert_eq!(problems[4].field_problem("username"), Some(Text::UsernameInvalid));
    // Organisers manage no accounts.
    assert_eq!(
        accounts::create_organiser(&db, &organiser_actor, "moi", "Mới", PASSWORD, &scope(&[4465])).await.unwrap_err(),
        Error::Forbidden
    );
    assert_eq!(accounts::list(&db, &organiser_actor).await.unwrap_err(), Error::Forbidden);
    assert_eq!(accounts::list(&db, &Actor::Anonymous).await.unwrap_err(), Error::Unauthorized);
    assert_eq!(accounts::list(&db, &admin).await.unwrap().len(), 2);

    accounts::set_scope(&db, &admin, organiser.id, &scope(&[4465, 4456])).await.unwrap();
    let listed = accounts::list(&db, &admin).await.unwrap();
    assert_eq!(listed.iter().find(|a| a.username == "to.chuc").unwrap().scope, scope(&[4465, 4456]));

    accounts::reset_password(&db, &admin, organiser.id, "mat-khau-moi-2026").await.unwrap();
    assert!(sessions::resolve(&db, &session, now()).await.unwrap().is_none(), "a reset ends the sessions");
    assert_eq!(accounts::authenticate(&db, "to.chuc", PASSWORD, "10.0.0.6").await, Err(Error::BadCredentials));
    assert!(accounts::authenticate(&db, "to.chuc", "mat-khau-moi-2026", "10.0.0.6").await.is_ok());

    let session = sessions::start(&db, organiser.id, now()).await.unwrap();
    accounts::set_active(&db, &admin, organiser.id, false).await.unwrap();
    assert!(sessions::resolve(&db, &session, now()).await.unwrap().is_none(), "deactivation ends the sessions");
    assert_eq!(
        accounts::authenticate(&db, "to.chuc", "mat-khau-moi-2026", "10.0.0.7").await,
        Err(Error::BadCredentials)
    );
    let admin_id = admin.account().unwrap().id;
    assert_eq!(
        accounts::set_active(&db, &admin, admin_id, false).await.unwrap_err().field_problem("active"),
        Some(Text::CannotDeactivateSelf)
    );
    accounts::set_active(&db, &admin, organiser.id, true).await.unwrap();

    let trail = audit_trail(&db).await;
    let expected: Vec<(String, String, String)> = [
        ("cli", "create", "account"),
        ("quantri", "login", "account"),
        ("quantri", "create", "account"),
        ("to.chuc", "login", "account"),
        ("quantri", "update", "account"),
        ("quantri", "reset_password", "account"),
        ("to.chuc", "login_failed", "account"),
        ("to.chuc", "login", "account"),
        ("quantri", "deactivate", "account"),
        ("to.chuc", "login_failed", "account"),
        ("quantri", "reactivate", "account"),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(trail, expected);
    // Never a password or its hash in the log.
    let details: Vec<_> =
        audit_log::Entity::find().all(&db).await.unwrap().into_iter().filter_map(|e| e.detail).collect();
    assert!(details.iter().all(|d| !d.contains(PASSWORD) && !d.contains("argon2") && !d.contains("mat-khau-moi")));
}

on_both_databases!(account_management, admins_manage_organisers_and_every_change_is_audited);

async fn tokens_resolve_until_revoked(db: DatabaseConnection) {
    let admin = admin(&db).await;
    let (token, secret) = tokens::create_by_admin(&db, &admin, "Nền tảng MOOC", TokenScope::Ingest).await.unwrap();
    assert!(secret.starts_with("hvs_") && secret.len() == 68);
    let resolved = tokens::resolve(&db, &secret).await.unwrap().unwrap();
    assert_eq!((resolved.id, resolved.scope), (token.id, TokenScope::Ingest));
    assert!(tokens::resolve(&db, "hvs_0000").await.unwrap().is_none());
    let listed = tokens::list(&db, &admin).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        tokens::create_by_admin(&db, &Actor::Anonymous, "x y", TokenScope::ReadStats).await.unwrap_err(),
        Error::Unauthorized
    );

    // The server resolves tokens through the kept figures: a revocation is seen at once there too.
    let figures = hocvuso::service::statistics::figures::Figures::new(&db);
    assert_eq!(figures.token(&db, &secret).await.unwrap().map(|t| t.id), Some(token.id));
    assert_eq!(figures.token(&db, &secret).await.unwrap().map(|t| t.id), Some(token.id));
    tokens::revoke(&db, &admin, token.id).await.unwrap();
    assert!(tokens::resolve(&db, &secret).await.unwrap().is_none(), "a revoked token opens nothing");
    assert!(figures.token(&db, &secret).await.unwrap().is_none(), "nor through the kept figures");
    assert!(tokens::list(&db, &admin).await.unwrap()[0].revoked_at.is_some());
    let trail = audit_trail(&db).await;
    assert_eq!(trail[trail.len() - 2..].iter().map(|t| t.1.as_str()).collect::<Vec<_>>(), ["create", "revoke"]);
    assert!(trail.iter().rev().take(2).all(|t| t.2 == "api_token" && t.0 == "quantri"));
}

on_both_databases!(api_tokens, tokens_resolve_until_revoked);

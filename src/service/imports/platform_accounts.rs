//! Platform accounts from a file: which account on a MOOC platform (or which e-mail address) is
//! which learner, many at once, with the rules of every import: the whole file checked first,
//! every bad row listed, nothing written on error, a dry run, the same file twice changing nothing.
//! Each new link applies the statements that waited for it (`links::make_link`), all in one transaction.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Actor, TokenScope};
use crate::entity::learner;
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{ImportReport, RowError};
use crate::person::{BirthDate, PhoneNumber};
use crate::service::lrs::links::{self, PlatformAccount, PlatformAccountForm};
use crate::service::lrs::platforms::HomePages;
use crate::service::{audit, imports::table, now};
use crate::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Platform,
    Account,
    LearnerCode,
    Phone,
    BirthDate,
}

const ALIASES: [(Column, &[&str]); 5] = [
    (Column::Platform, &["platform", "nen tang", "nen tang hoc", "home page", "homepage", "dia chi nen tang"]),
    (
        Column::Account,
        &["account", "tai khoan", "ten tai khoan", "account name", "username", "ten dang nhap", "email", "e mail"],
    ),
    (Column::LearnerCode, &["learner code", "ma hoc vien", "code"]),
    (Column::Phone, &["phone", "so dien thoai", "dien thoai", "sdt", "phone number", "mobile"]),
    (Column::BirthDate, &["birth date", "ngay sinh", "date of birth", "dob"]),
];

impl Column {
    /// The name used in field errors.
    fn field(self) -> &'static str {
        match self {
            Column::Platform => "platform",
            Column::Account => "account",
            Column::LearnerCode => "learner_code",
            Column::Phone => "phone",
            Column::BirthDate => "birth_date",
        }
    }
}

/// What a link needs to know of its learner: who, and where (for the caller's scope).
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
struct Learner {
    id: Uuid,
    code: String,
    phone: Option<String>,
    birth_date: Option<chrono::NaiveDate>,
    commune_code: i32,
    organisation_id: Option<Uuid>,
}

/// The learners `filter` selects that are not erased, as a link needs them.
async fn learners_where(db: &DatabaseConnection, filter: sea_orm::Condition) -> Result<Vec<Learner>> {
    use learner::Column as C;
    let columns = [C::Id, C::Code, C::Phone, C::BirthDate, C::CommuneCode, C::OrganisationId];
    super::learners_as(db, &columns, filter.add(C::ErasedAt.is_null())).await
}

/// Links platform accounts to learners from a CSV or XLSX file; with `dry_run` it reports what
/// would happen and writes nothing. For organisers and admins (learners in their scope) and ingest
/// clients, as `links::link`.
pub async fn import_platform_accounts(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport> {
    actor.require_account_or_token(TokenScope::Ingest)?;
    if dry_run {
        crate::service::imports::spend_dry_run(db, actor).await?;
    }
    let rows = table::read_uploaded(bytes).await?;
    let header = &rows[0];
    let table::Header { columns, unknown: unknown_columns, repeated: mut problems } =
        table::Header::map(header, &ALIASES);
    // A file of e-mail addresses alone needs no platform; an account's row without one is a bad row.
    if !columns.contains_key(&Column::Account) {
        problems.push(FieldError { field: Column::Account.field().into(), problem: Text::ColumnMissing });
    }
    let identifies = columns.contains_key(&Column::LearnerCode)
        || (columns.contains_key(&Column::Phone) && columns.contains_key(&Column::BirthDate));
    if !identifies {
        problems.push(FieldError { field: Column::LearnerCode.field().into(), problem: Text::ColumnMissing });
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let cell = |row: &[String], column: Column| {
        columns.get(&column).and_then(|i| row.get(*i)).map(|s| s.trim().to_string()).unwrap_or_default()
    };
    let title = |column: Column| columns.get(&column).map(|i| header[*i].clone()).unwrap_or_default();

    // Everything the file names, loaded once: platforms, learners by code and by phone.
    let home_pages = HomePages::load(db).await?;
    let codes: std::collections::BTreeSet<String> =
        rows.iter().skip(1).map(|r| cell(r, Column::LearnerCode).to_uppercase()).filter(|c| !c.is_empty()).collect();
    let codes: Vec<String> = codes.into_iter().collect();
    let mut by_code = HashMap::new();
    for chunk in codes.chunks(1000) {
        for l in learners_where(db, sea_orm::Condition::all().add(learner::Column::Code.is_in(chunk.to_vec()))).await? {
            by_code.insert(l.code.clone(), l);
        }
    }
    let phones: std::collections::BTreeSet<String> = rows
        .iter()
        .skip(1)
        .filter(|r| cell(r, Column::LearnerCode).is_empty())
        .filter_map(|r| PhoneNumber::parse(&cell(r, Column::Phone)).ok().map(|p| p.as_str().to_string()))
        .collect();
    let phones: Vec<String> = phones.into_iter().collect();
    let mut by_phone: HashMap<(String, chrono::NaiveDate), Vec<Learner>> = HashMap::new();
    for chunk in phones.chunks(1000) {
        let filter = sea_orm::Condition::all().add(learner::Column::Phone.is_in(chunk.to_vec()));
        for l in learners_where(db, filter).await? {
            if let (Some(phone), Some(born)) = (l.phone.clone(), l.birth_date) {
                by_phone.entry((phone, born)).or_default().push(l);
            }
        }
    }
    // Organisers link only their own learners; an ingest client links anyone, as `links::link`.
    let in_scope =
        |l: &Learner| !matches!(actor, Actor::Account(_)) || actor.may_manage(l.commune_code, l.organisation_id);
    let today = crate::week::vietnam_today();

    let mut errors = Vec::new();
    let mut good: Vec<(u64, Uuid, PlatformAccount)> = Vec::new();
    for (index, row) in rows.iter().enumerate().skip(1) {
        let line = index as u64 + 1;
        let mut bad = |column: Column, problem: Text| {
            errors.push(RowError { line, column: title(column), value: cell(row, column), problem })
        };
        let account = cell(row, Column::Account);
        let platform = cell(row, Column::Platform);
        // An address is a Moodle-style link (kept as its SHA-1); anything else is an account on the platform.
        let form = if account.contains('@') {
            PlatformAccountForm { mbox: Some(account), ..Default::default() }
        } else {
            let Some(home_page) = home_pages.resolve(&platform) else {
                bad(Column::Platform, Text::UnknownPlatform);
                continue;
            };
            PlatformAccountForm { home_page: Some(home_page), name: Some(account), mbox: None }
        };
        let account = match PlatformAccount::parse(&form) {
            Ok(account) => account,
            Err(Error::Invalid(fields)) => {
                for field in fields {
                    bad(if field.field == "home_page" { Column::Platform } else { Column::Account }, field.problem);
                }
                continue;
            }
            Err(other) => return Err(other),
        };
        let code = cell(row, Column::LearnerCode).to_uppercase();
        let learner = if !code.is_empty() {
            match by_code.get(&code).filter(|l| in_scope(l)) {
                Some(learner) => learner.clone(),
                // Outside the caller's scope is answered exactly as no such learner.
                None => {
                    bad(Column::LearnerCode, Text::UnknownLearner);
                    continue;
                }
            }
        } else {
            let phone = match PhoneNumber::parse(&cell(row, Column::Phone)) {
                Ok(phone) => phone,
                Err(problem) => {
                    bad(Column::Phone, problem);
                    continue;
                }
            };
            let born = match BirthDate::parse(&cell(row, Column::BirthDate), today) {
                Ok(born) => born,
                Err(problem) => {
                    bad(Column::BirthDate, problem);
                    continue;
                }
            };
            let found: Vec<&Learner> = by_phone
                .get(&(phone.as_str().to_string(), born.date()))
                .map(|found| found.iter().filter(|l| in_scope(l)).collect())
                .unwrap_or_default();
            match found.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    bad(Column::Phone, Text::UnknownLearner);
                    continue;
                }
                _ => {
                    bad(Column::Phone, Text::LearnerAmbiguous);
                    continue;
                }
            }
        };
        good.push((line, learner.id, account));
    }

    // Each account once: already this learner's, another's (a bad row), or new.
    let keys: Vec<String> = good.iter().map(|(_, _, account)| account.key()).collect();
    let linked = links::linked(db, &keys).await?;
    let mut in_file: HashMap<String, Uuid> = HashMap::new();
    let mut new_links = Vec::new();
    let mut report = ImportReport { dry_run, unknown_columns, ..ImportReport::default() };
    for ((line, learner_id, account), key) in good.into_iter().zip(keys) {
        let owner = linked.get(&key).or_else(|| in_file.get(&key)).copied();
        match owner {
            Some(owner) if owner != learner_id => {
                let problem =
                    if linked.contains_key(&key) { Text::AccountLinkedElsewhere } else { Text::AccountRepeatedInFile };
                let value = cell(&rows[line as usize - 1], Column::Account);
                errors.push(RowError { line, column: title(Column::Account), value, problem });
            }
            Some(_) => report.unchanged += 1,
            None => {
                in_file.insert(key, learner_id);
                report.created += 1;
                new_links.push((learner_id, account));
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(Error::InvalidRows(errors));
    }
    if dry_run {
        return Ok(report);
    }

    let at = now();
    let txn = crate::db::write(db).await?;
    let mut applied = 0;
    for (learner_id, account) in &new_links {
        applied += links::make_link(&txn, actor, *learner_id, account, at).await?.applied;
    }
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Import,
        audit::Entity::Learner,
        None,
        json!({"platform_accounts": report.created, "unchanged": report.unchanged, "applied": applied}),
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

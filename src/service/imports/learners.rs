//! Bulk import of learners from CSV or XLSX. The whole file is checked before anything is written:
//! one bad row and nothing is written, and the answer lists every bad row. Importing the same file
//! again creates nothing new. The UI, the CLI and REST all call `import_learners`.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::auth::Actor;
use crate::consent::CONSENT_VERSION;
use crate::entity::learner;
use crate::i18n::Text;
use crate::model::{Area, ImportReport, LearnerForm, RowError};
use crate::service::learners::registration::{CommuneRefusal, Directory, ValidLearner, today, validate};
use crate::service::learners::{dedup_key, insert_many_counted, update_in};
use crate::service::{audit, imports::table};
use crate::text::fold;
use crate::{Error, Result};

/// An import that writes this many rows refreshes the planner's statistics afterwards.
pub const BULK_ROWS: u64 = 1_000;

/// What the uploader says beside the file.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// The notice version under which the uploader collected consent, when the file has no consent column.
    pub consent_version: Option<String>,
    /// The key citizen ID numbers are hashed with; a file with such a column is refused without it.
    pub citizen_id_key: Option<String>,
}

impl ImportOptions {
    /// The key to hash citizen ID numbers with, when one is configured.
    pub(crate) fn citizen_id_key(&self) -> Option<&str> {
        self.citizen_id_key.as_deref().filter(|k| !k.trim().is_empty())
    }
}

/// How a citizen ID column may be headed, in every import that reads one.
pub(crate) const CITIZEN_ID_ALIASES: &[&str] =
    &["citizen id", "so cccd", "cccd", "can cuoc", "so can cuoc", "so dinh danh", "so dinh danh ca nhan", "cmnd/cccd"];

/// What a citizen ID cell is kept and matched as: its keyed hash (None for an empty cell), never the number.
pub(crate) fn citizen_id_hash(cell: &str, key: &str) -> std::result::Result<Option<String>, Text> {
    Ok(crate::person::citizen_id(cell)?.map(|number| crate::service::secret::keyed_hash(key.as_bytes(), &number)))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    FullName,
    BirthDate,
    Gender,
    Phone,
    Commune,
    Province,
    Organisation,
    Team,
    Group,
    LearnerCode,
    Consent,
    CitizenId,
}

impl Column {
    /// Header names accepted for each column, as `table::header_key` reduces them.
    const ALIASES: [(Column, &'static [&'static str]); 12] = [
        (Column::FullName, &["full name", "ho va ten", "ho ten", "name", "ten"]),
        (Column::BirthDate, &["birth date", "ngay sinh", "date of birth", "dob"]),
        (Column::Gender, &["gender", "gioi tinh", "sex"]),
        (Column::Phone, &["phone", "so dien thoai", "dien thoai", "sdt", "phone number", "mobile"]),
        (Column::Commune, &["commune", "xa/phuong", "xa phuong", "xa", "phuong", "ma xa", "commune code"]),
        (Column::Province, &["tinh/thanh pho", "tinh thanh pho", "province", "tinh", "ma tinh"]),
        (
            Column::Organisation,
            &["organisation", "organization", "co quan/don vi", "co quan", "don vi", "co quan don vi"],
        ),
        (Column::Team, &["team", "doi hinh", "doi"]),
        (Column::Group, &["doi tuong", "group", "learner group"]),
        (Column::LearnerCode, &["learner code", "ma hoc vien", "code"]),
        (Column::Consent, &["consent", "dong y"]),
        (Column::CitizenId, CITIZEN_ID_ALIASES),
    ];

    const REQUIRED: [Column; 5] = [Column::FullName, Column::BirthDate, Column::Gender, Column::Phone, Column::Commune];

    /// The name used in field errors.
    fn field(self) -> &'static str {
        match self {
            Column::FullName => "full_name",
            Column::BirthDate => "birth_date",
            Column::Gender => "gender",
            Column::Phone => "phone",
            Column::Commune => "commune",
            Column::Province => "province",
            Column::Organisation => "organisation",
            Column::Team => "team",
            Column::Group => "group",
            Column::LearnerCode => "learner_code",
            Column::Consent => "consent",
            Column::CitizenId => "citizen_id",
        }
    }
}

/// "có", "yes", "x", "1", "đồng ý"…
pub(crate) fn is_yes(text: &str) -> bool {
    matches!(fold(text).as_str(), "co" | "yes" | "y" | "x" | "1" | "true" | "dong y")
}

/// What one good row will do.
enum Plan {
    /// A new learner, with the keyed hash of their citizen ID if the file had one.
    Create(ValidLearner, Option<String>),
    Update(Box<learner::Model>, ValidLearner, Option<String>),
    Unchanged,
}

/// Imports learners; with `dry_run` it reports what would happen and writes nothing.
pub async fn import_learners(
    db: &DatabaseConnection,
    actor: &Actor,
    landing: Area,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportReport> {
    let account = actor.account()?.clone();
    if options.dry_run {
        crate::service::throttle::spend(db, &[crate::service::throttle::dry_run(account.id)]).await?;
    }
    let started = std::time::Instant::now();
    let rows = table::read_uploaded(bytes).await?;
    let read = started.elapsed();
    let header = &rows[0];

    // Columns: known ones mapped, unknown ones reported, required ones present, none twice.
    let table::Header { columns, unknown: unknown_columns, repeated: mut file_problems } =
        table::Header::map(header, &Column::ALIASES);
    for column in Column::REQUIRED {
        if !columns.contains_key(&column) {
            file_problems.push(crate::error::FieldError { field: column.field().into(), problem: Text::ColumnMissing });
        }
    }
    let citizen_id_key = options.citizen_id_key();
    if columns.contains_key(&Column::CitizenId) && citizen_id_key.is_none() {
        file_problems.push(crate::error::FieldError { field: "citizen_id".into(), problem: Text::CitizenIdNoKey });
    }
    let has_consent_column = columns.contains_key(&Column::Consent);
    // A file without the column leaves the groups of learners it updates as they are.
    let has_group_column = columns.contains_key(&Column::Group);
    if !has_consent_column && options.consent_version.as_deref().map(str::trim) != Some(CONSENT_VERSION) {
        file_problems
            .push(crate::error::FieldError { field: "consent_version".into(), problem: Text::ConsentNotStated });
    }
    if !file_problems.is_empty() {
        return Err(Error::Invalid(file_problems));
    }

    let directory = Directory::load(db, actor, landing).await?;
    let today = today();
    let cell =
        |row: &[String], column: Column| columns.get(&column).and_then(|i| row.get(*i)).cloned().unwrap_or_default();
    let title =
        |column: Column| columns.get(&column).map(|i| header[*i].clone()).unwrap_or_else(|| column.field().into());

    let mut errors: Vec<RowError> = Vec::new();
    let mut valid_rows: Vec<(u64, ValidLearner, String, Option<String>)> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (index, row) in rows.iter().enumerate().skip(1) {
        let line = index as u64 + 1;
        if row.len() > header.len() {
            errors.push(RowError { line, column: String::new(), value: row.join(","), problem: Text::RowLength });
            continue;
        }
        let mut row_error = |column: Column, problem: Text| {
            errors.push(RowError { line, column: title(column), value: cell(row, column), problem });
        };
        let consent = if has_consent_column {
            if !is_yes(&cell(row, Column::Consent)) {
                row_error(Column::Consent, Text::ConsentColumnNo);
                continue;
            }
            CONSENT_VERSION.to_string()
        } else {
            CONSENT_VERSION.to_string()
        };
        let form = LearnerForm {
            full_name: cell(row, Column::FullName),
            birth_date: cell(row, Column::BirthDate),
            gender: cell(row, Column::Gender),
            phone: cell(row, Column::Phone),
            commune: cell(row, Column::Commune),
            province: Some(cell(row, Column::Province)),
            organisation: Some(cell(row, Column::Organisation)),
            team: Some(cell(row, Column::Team)),
            group: Some(cell(row, Column::Group)),
            consent_version: Some(consent),
        };
        let citizen_id = cell(row, Column::CitizenId);
        let citizen_id_hash = match citizen_id_key.map(|key| citizen_id_hash(&citizen_id, key)).transpose() {
            Ok(hash) => hash.flatten(),
            Err(problem) => {
                row_error(Column::CitizenId, problem);
                continue;
            }
        };
        match validate(actor, &directory, &form, today) {
            Ok(valid) => {
                let key = dedup_key(valid.phone.as_str(), &valid.full_name.folded(), valid.birth_date.date());
                if seen.insert(key.clone(), line).is_some() {
                    row_error(Column::FullName, Text::DuplicateInFile);
                    continue;
                }
                valid_rows.push((line, valid, cell(row, Column::LearnerCode).trim().to_uppercase(), citizen_id_hash));
                keys.push(key);
            }
            Err(Error::Invalid(fields)) => {
                for field in fields {
                    let column = Column::ALIASES.iter().map(|(c, _)| *c).find(|c| c.field() == field.field);
                    // An ambiguous name is answered with every commune it may mean, and their codes.
                    let value = if field.problem == Text::CommuneAmbiguous
                        && let Err(CommuneRefusal::Ambiguous(codes)) =
                            directory.commune(&form.commune, form.province.as_deref())
                    {
                        directory.describe(&codes)
                    } else {
                        column.map(|c| cell(row, c)).unwrap_or_default()
                    };
                    errors.push(RowError {
                        line,
                        column: column.map(title).unwrap_or(field.field),
                        value,
                        problem: field.problem,
                    });
                }
            }
            Err(Error::Forbidden) => row_error(Column::Commune, Text::OutOfScope),
            Err(other) => return Err(other),
        }
    }

    let checked = started.elapsed();
    // Match each good row with who is registered already: by learner code, else by the person's key.
    let codes: Vec<String> = valid_rows.iter().map(|(_, _, code, _)| code.clone()).filter(|c| !c.is_empty()).collect();
    let hashes: Vec<String> = valid_rows.iter().filter_map(|(_, _, _, hash)| hash.clone()).collect();
    let mut existing_by_hash: HashMap<String, learner::Model> = HashMap::new();
    for chunk in hashes.chunks(500) {
        let found =
            learner::Entity::find().filter(learner::Column::CitizenIdHash.is_in(chunk.to_vec())).all(db).await?;
        for row in found {
            existing_by_hash.insert(row.citizen_id_hash.clone().unwrap_or_default(), row);
        }
    }
    let mut existing_by_key: HashMap<String, learner::Model> = HashMap::new();
    let mut existing_by_code: HashMap<String, learner::Model> = HashMap::new();
    for chunk in keys.chunks(1000) {
        for row in learner::Entity::find().filter(learner::Column::DedupKey.is_in(chunk.to_vec())).all(db).await? {
            existing_by_key.insert(row.dedup_key.clone().unwrap_or_default(), row);
        }
    }
    for chunk in codes.chunks(500) {
        for row in learner::Entity::find()
            .filter(learner::Column::Code.is_in(chunk.to_vec()))
            .filter(learner::Column::ErasedAt.is_null())
            .all(db)
            .await?
        {
            existing_by_code.insert(row.code.clone(), row);
        }
    }
    let mut plans = Vec::new();
    for ((line, mut valid, code, hash), key) in valid_rows.into_iter().zip(keys) {
        // The same citizen ID is the same person, even with a new phone or a corrected name.
        let by_key = existing_by_key.get(&key).or_else(|| hash.as_ref().and_then(|h| existing_by_hash.get(h)));
        let existing = if code.is_empty() {
            by_key
        } else {
            // A code outside the caller's scope is answered exactly as a code that does not exist.
            let in_scope = |row: &&learner::Model| actor.may_manage(row.commune_code, row.organisation_id);
            match existing_by_code.get(&code).filter(in_scope) {
                None => {
                    errors.push(RowError {
                        line,
                        column: title(Column::LearnerCode),
                        value: code,
                        problem: Text::UnknownLearnerCode,
                    });
                    continue;
                }
                Some(found)
                    if by_key.is_some_and(|k| k.id != found.id)
                        || found.dedup_key.as_deref().is_some_and(|k| k != key) =>
                {
                    errors.push(RowError {
                        line,
                        column: title(Column::LearnerCode),
                        value: code,
                        problem: Text::LearnerCodeMismatch,
                    });
                    continue;
                }
                Some(found) => Some(found),
            }
        };
        if !has_group_column && let Some(row) = existing {
            valid.group = row.learner_group;
        }
        plans.push(match existing {
            None => Plan::Create(valid, hash),
            // The same person registered outside the caller's scope. A dry run answers as for a new
            // person, so it cannot tell whether this phone, name and birth date exist elsewhere; a
            // real import cannot register them twice and refuses the row, without their code.
            Some(row) if !actor.may_manage(row.commune_code, row.organisation_id) => {
                if options.dry_run {
                    Plan::Create(valid, hash)
                } else {
                    errors.push(RowError {
                        line,
                        column: title(Column::FullName),
                        value: String::new(),
                        problem: Text::AlreadyRegisteredElsewhere,
                    });
                    continue;
                }
            }
            Some(row)
                if row.active
                    && row.commune_code == valid.commune
                    && row.organisation_id == valid.organisation
                    && row.team_id == valid.team
                    && row.learner_group == valid.group
                    && row.gender == valid.gender.as_str()
                    && (hash.is_none() || row.citizen_id_hash == hash) =>
            {
                Plan::Unchanged
            }
            Some(row) => Plan::Update(Box::new(row.clone()), valid, hash),
        });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(Error::InvalidRows(errors));
    }

    let mut report = ImportReport { dry_run: options.dry_run, unknown_columns, ..ImportReport::default() };
    for plan in &plans {
        match plan {
            Plan::Create(..) => report.created += 1,
            Plan::Update(..) => report.updated += 1,
            Plan::Unchanged => report.unchanged += 1,
        }
    }
    if options.dry_run {
        return Ok(report);
    }
    let matched = started.elapsed();
    let txn = crate::db::write(db).await?;
    // New learners are written many rows a statement, their counts once at the end.
    let mut created = crate::service::statistics::Deltas::default();
    let mut new_learners = Vec::new();
    for plan in plans {
        match plan {
            Plan::Create(valid, hash) => {
                let mut new = valid.into_new(Some(account.id));
                new.citizen_id_hash = hash;
                new_learners.push(new);
            }
            Plan::Update(row, valid, hash) => {
                update_in(&txn, *row, |change| {
                    if hash.is_some() {
                        change.citizen_id_hash = Set(hash);
                    }
                    change.commune_code = Set(valid.commune);
                    change.organisation_id = Set(valid.organisation);
                    change.team_id = Set(valid.team);
                    change.learner_group = Set(valid.group);
                    change.gender = Set(valid.gender.as_str().to_string());
                    change.active = Set(true);
                })
                .await?;
            }
            Plan::Unchanged => {}
        }
    }
    insert_many_counted(&txn, new_learners, &mut created).await?;
    created.apply(&txn).await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Import,
        audit::Entity::Learner,
        None,
        json!({"created": report.created, "updated": report.updated, "unchanged": report.unchanged}),
    )
    .await?;
    txn.commit().await?;
    let committed = started.elapsed();
    if report.created + report.updated >= BULK_ROWS {
        crate::db::analyze(db, "learner").await;
    }
    // Where an import's time goes (rows, not people's data), for the benchmark's profile.
    tracing::debug!(rows = rows.len() - 1, ?read, ?checked, ?matched, ?committed, analysed = ?started.elapsed(), "learner import");
    Ok(report)
}

/// The file formats of exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// The columns of a learner export, as the learner import reads them back.
pub const EXPORT_HEADER: [&str; 9] = [
    "Mã học viên",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số điện thoại",
    "Xã/Phường",
    "Cơ quan/Đơn vị",
    "Đội hình",
    "Đối tượng",
];

/// Rows an export reads a query.
pub const EXPORT_PAGE_ROWS: u64 = 5_000;

/// Where an export has got to: the last learner written, in the export's order (newest first).
pub type ExportCursor = (chrono::DateTime<chrono::Utc>, uuid::Uuid);

/// The next page of an export after `after`, and the cursor to go on from (None when it was the last).
/// Keyset pages: each query starts where the last ended, with no OFFSET and no COUNT, so a
/// province's million learners take a million rows' work, not a million squared.
pub async fn export_page(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &crate::model::LearnerFilter,
    after: Option<ExportCursor>,
) -> Result<(Vec<Vec<String>>, Option<ExportCursor>)> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{QueryOrder, QuerySelect};
    let mut query = crate::service::learners::registration::filtered(actor, filter)?;
    if let Some((created, id)) = after {
        // A row-value comparison, so both databases walk the (created_at, id) index from the cursor.
        let key = Expr::tuple([
            Expr::col((learner::Entity, learner::Column::CreatedAt)),
            Expr::col((learner::Entity, learner::Column::Id)),
        ]);
        query = query.filter(key.lt(Expr::tuple([Expr::value(created), Expr::value(id)])));
    }
    let found = query
        .order_by_desc(learner::Column::CreatedAt)
        .order_by_desc(learner::Column::Id)
        .limit(EXPORT_PAGE_ROWS)
        .all(db)
        .await?;
    let next = (found.len() as u64 == EXPORT_PAGE_ROWS).then(|| found.last().map(|l| (l.created_at, l.id))).flatten();
    let rows = crate::service::learners::registration::views(db, found)
        .await?
        .into_iter()
        .map(|l| {
            let gender = crate::i18n::Lang::Vi.t(l.gender.text());
            vec![
                l.code,
                l.full_name,
                l.birth_date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
                gender.to_string(),
                l.phone.unwrap_or_default(),
                l.commune_code.to_string(),
                l.organisation_name.unwrap_or_default(),
                l.team_name.unwrap_or_default(),
                l.group.map(|g| crate::i18n::Lang::Vi.t(g.text()).to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok((rows, next))
}

/// The actor's learners (the list's filters apply, not its pages) as a whole spreadsheet that
/// imports again. Cells that a spreadsheet would run as formulas are neutralised. (The REST
/// handler streams a CSV export page by page instead.)
pub async fn export_learners(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &crate::model::LearnerFilter,
    format: Format,
) -> Result<Vec<u8>> {
    let header = EXPORT_HEADER;
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let (page, next) = export_page(db, actor, filter, after).await?;
        rows.extend(page);
        match next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    match format {
        Format::Csv => Ok(table::write_csv(&header, &rows)),
        Format::Xlsx => table::write_xlsx("Học viên", &header, &rows),
    }
}

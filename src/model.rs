//! Plain data the browser and the server share. No database types here: this compiles to wasm.
use serde::{Deserialize, Serialize};

mod signoff;
pub use signoff::{SignoffFigures, SignoffForm, SignoffReview, SignoffState, SignoffView};

/// The units statistics are kept for; in JSON as in the database and the query strings ("commune").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    #[cfg_attr(feature = "server", sea_orm(string_value = "province"))]
    Province,
    #[cfg_attr(feature = "server", sea_orm(string_value = "commune"))]
    Commune,
    #[cfg_attr(feature = "server", sea_orm(string_value = "organisation"))]
    Organisation,
    #[cfg_attr(feature = "server", sea_orm(string_value = "team"))]
    Team,
    #[cfg_attr(feature = "server", sea_orm(string_value = "course"))]
    Course,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] =
        [UnitKind::Province, UnitKind::Commune, UnitKind::Organisation, UnitKind::Team, UnitKind::Course];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::Commune => "commune",
            UnitKind::Organisation => "organisation",
            UnitKind::Team => "team",
            UnitKind::Course => "course",
        }
    }

    pub fn parse(text: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// A learner group (đối tượng) of the basic digital-skills framework (Decision 757/QĐ-BKHCN): the four
/// populations provincial plans report coverage of. In JSON and the database as `as_str` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "snake_case")]
pub enum LearnerGroup {
    /// Cán bộ, công chức, viên chức.
    #[cfg_attr(feature = "server", sea_orm(string_value = "can_bo"))]
    CanBo,
    /// Học sinh, sinh viên.
    #[cfg_attr(feature = "server", sea_orm(string_value = "hoc_sinh"))]
    HocSinh,
    /// Người dân.
    #[cfg_attr(feature = "server", sea_orm(string_value = "nguoi_dan"))]
    NguoiDan,
    /// Người lao động trong doanh nghiệp.
    #[cfg_attr(feature = "server", sea_orm(string_value = "nguoi_lao_dong"))]
    NguoiLaoDong,
}

impl LearnerGroup {
    pub const ALL: [LearnerGroup; 4] =
        [LearnerGroup::CanBo, LearnerGroup::HocSinh, LearnerGroup::NguoiDan, LearnerGroup::NguoiLaoDong];

    pub fn as_str(self) -> &'static str {
        match self {
            LearnerGroup::CanBo => "can_bo",
            LearnerGroup::HocSinh => "hoc_sinh",
            LearnerGroup::NguoiDan => "nguoi_dan",
            LearnerGroup::NguoiLaoDong => "nguoi_lao_dong",
        }
    }

    /// Its name on pages.
    pub fn text(self) -> crate::i18n::Text {
        match self {
            LearnerGroup::CanBo => crate::i18n::Text::GroupCanBo,
            LearnerGroup::HocSinh => crate::i18n::Text::GroupHocSinh,
            LearnerGroup::NguoiDan => crate::i18n::Text::GroupNguoiDan,
            LearnerGroup::NguoiLaoDong => crate::i18n::Text::GroupNguoiLaoDong,
        }
    }

    /// A code (`can_bo`) or a label in Vietnamese or English, matched without marks or case
    /// ("Cán bộ, công chức, viên chức", "can bo", "Học sinh, sinh viên", "Người dân", …).
    pub fn parse(text: &str) -> Option<LearnerGroup> {
        let folded = crate::text::fold(text).replace(['_', '-'], " ");
        let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
        LearnerGroup::ALL.into_iter().find(|g| {
            let labels = [crate::i18n::Lang::Vi.t(g.text()), crate::i18n::Lang::En.t(g.text())];
            g.as_str().replace('_', " ") == folded
                || labels.iter().any(|l| {
                    let l = crate::text::fold(l);
                    // The full label, or its first part ("Cán bộ", "Học sinh").
                    l == folded || l.split(',').next().is_some_and(|first| first.trim() == folded)
                })
        })
    }

    /// A group as a population figure or a target names it: every learner (empty, `all`, "Tất cả")
    /// is `Some(None)`; a group as `parse` reads it is `Some(Some(g))`; anything else is None.
    pub fn parse_or_everyone(text: &str) -> Option<Option<LearnerGroup>> {
        match crate::text::fold(text).trim() {
            "" | "all" | "tat ca" => Some(None),
            _ => LearnerGroup::parse(text).map(Some),
        }
    }

    /// The key counters, populations and targets keep a group under ('' for every learner).
    pub fn key(group: Option<LearnerGroup>) -> &'static str {
        group.map_or("", LearnerGroup::as_str)
    }
}

/// The place a view covers: the whole country, or one province (official code). A deployment's
/// `HOCVUSO_PROVINCE` is where it lands, not a limit; a province admin is limited to theirs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Area {
    #[default]
    Country,
    Province(i32),
}

impl Area {
    pub fn province(self) -> Option<i32> {
        match self {
            Area::Country => None,
            Area::Province(code) => Some(code),
        }
    }

    /// How a request names it: a province code, or `all` for the country.
    pub fn param(self) -> String {
        match self {
            Area::Country => "all".into(),
            Area::Province(code) => code.to_string(),
        }
    }
}

/// Completed enrolments over enrolments, kept as the two counts so every figure stays exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Completion {
    pub enrolled: i64,
    pub completed: i64,
}

impl Completion {
    /// The rate in tenths of a percent, rounded half up (5,835 of 7,678 → 760, i.e. 76.0%); None when nobody is enrolled.
    pub fn rate_tenths(self) -> Option<i64> {
        (self.enrolled > 0).then(|| (self.completed * 2000 + self.enrolled) / (2 * self.enrolled))
    }

    /// The rate as a fraction, for APIs.
    pub fn rate(self) -> Option<f64> {
        (self.enrolled > 0).then(|| self.completed as f64 / self.enrolled as f64)
    }
}

/// Best completion rate first, compared exactly (cross-multiplied, not rounded); ties broken by
/// completions, then name; units with no enrolment last.
pub fn rank_cmp(a: (Completion, &str), b: (Completion, &str)) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ((ca, na), (cb, nb)) = (a, b);
    match (ca.enrolled > 0, cb.enrolled > 0) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => (cb.completed * ca.enrolled.max(1))
            .cmp(&(ca.completed * cb.enrolled.max(1)))
            .then(cb.completed.cmp(&ca.completed))
            .then_with(|| crate::text::fold(na).cmp(&crate::text::fold(nb))),
    }
}

/// One unit's figures, as a row of a dashboard table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UnitFigures {
    pub id: String,
    pub name: String,
    pub completion: Completion,
    pub learners: i64,
    /// Its place by completion rate among units with at least the minimum of enrolments; None below it.
    #[serde(default)]
    pub rank: Option<u32>,
}

/// The overview, the first page: the country by province, or a province by commune.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Overview {
    pub area: Area,
    /// The area's name: the province's, or "Cả nước".
    pub name: String,
    pub completion: Completion,
    pub learners: i64,
    pub teams: i64,
    /// What the units are: provinces (the country) or communes (a province).
    pub unit_kind: UnitKind,
    /// Units with their figures: those with at least `min_enrolled` enrolments ranked first, best
    /// completion rate first; then the others, most enrolments first.
    pub units: Vec<UnitFigures>,
    pub min_enrolled: i64,
    /// True when the table holds only the communes of the organiser's scope.
    pub scoped: bool,
    /// True when the data was made by `hocvuso seed-demo`.
    pub demo: bool,
}

/// Units with fewer enrolments are listed apart on every ranked list, not ranked.
pub const DEFAULT_MIN_ENROLLED: i64 = 20;

/// The fair order of every ranked list: units with at least `min_enrolled` enrolments (one at least)
/// first, by completion rate (`rank_cmp`); the others after them, most enrolments first, then by name.
pub fn fair_rank_cmp(a: (Completion, &str), b: (Completion, &str), min_enrolled: i64) -> std::cmp::Ordering {
    let eligible = |c: Completion| c.enrolled >= min_enrolled.max(1);
    match (eligible(a.0), eligible(b.0)) {
        (true, true) => rank_cmp(a, b),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => {
            b.0.enrolled.cmp(&a.0.enrolled).then_with(|| crate::text::fold(a.1).cmp(&crate::text::fold(b.1)))
        }
    }
}

/// Ranks units fairly (`fair_rank_cmp`): those with enough enrolments numbered 1, 2, …; the others unranked.
pub fn rank_units(units: &mut [UnitFigures], min_enrolled: i64) {
    units.sort_by(|a, b| fair_rank_cmp((a.completion, &a.name), (b.completion, &b.name), min_enrolled));
    let mut next = 1;
    for unit in units.iter_mut() {
        unit.rank = (unit.completion.enrolled >= min_enrolled.max(1)).then(|| {
            next += 1;
            next - 1
        });
    }
}

/// Enrolment status. On the server it is also the type of the `enrolment.status` column (an active
/// enum: a value the code does not know cannot be read or written).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    #[cfg_attr(feature = "server", sea_orm(string_value = "enrolled"))]
    Enrolled,
    #[cfg_attr(feature = "server", sea_orm(string_value = "in_progress"))]
    InProgress,
    #[cfg_attr(feature = "server", sea_orm(string_value = "completed"))]
    Completed,
}

impl EnrolmentStatus {
    pub const ALL: [EnrolmentStatus; 3] =
        [EnrolmentStatus::Enrolled, EnrolmentStatus::InProgress, EnrolmentStatus::Completed];

    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Enrolled => "enrolled",
            EnrolmentStatus::InProgress => "in_progress",
            EnrolmentStatus::Completed => "completed",
        }
    }

    pub fn parse(text: &str) -> Option<EnrolmentStatus> {
        EnrolmentStatus::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// A course score from 0 to 100, as typed ("8,5" or "8.5") or as sent (8.5). The one score rule:
/// the form, REST, the completion import and xAPI all read scores through it.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Score(f64);

impl Score {
    pub fn new(value: f64) -> Result<Score, crate::i18n::Text> {
        if (0.0..=100.0).contains(&value) { Ok(Score(value)) } else { Err(crate::i18n::Text::ScoreInvalid) }
    }

    /// A typed score; an empty cell or field is no score.
    pub fn parse(text: &str) -> Result<Option<Score>, crate::i18n::Text> {
        match text.trim() {
            "" => Ok(None),
            text => text
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| crate::i18n::Text::ScoreInvalid)
                .and_then(Score::new)
                .map(Some),
        }
    }

    pub fn value(self) -> f64 {
        self.0
    }
}

/// Where an enrolment's latest change came from. On the server also the type of `enrolment.source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum Source {
    #[cfg_attr(feature = "server", sea_orm(string_value = "form"))]
    Form,
    #[cfg_attr(feature = "server", sea_orm(string_value = "import"))]
    Import,
    #[cfg_attr(feature = "server", sea_orm(string_value = "api"))]
    Api,
    #[cfg_attr(feature = "server", sea_orm(string_value = "xapi"))]
    Xapi,
    #[cfg_attr(feature = "server", sea_orm(string_value = "demo"))]
    Demo,
}

impl Source {
    pub const ALL: [Source; 5] = [Source::Form, Source::Import, Source::Api, Source::Xapi, Source::Demo];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Form => "form",
            Source::Import => "import",
            Source::Api => "api",
            Source::Xapi => "xapi",
            Source::Demo => "demo",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Completion;

    #[test]
    fn scores_are_read_one_way() {
        use super::Score;
        use crate::i18n::Text;
        assert_eq!(Score::parse("8,5").unwrap().map(Score::value), Some(8.5));
        assert_eq!(Score::parse(" 100 ").unwrap().map(Score::value), Some(100.0));
        assert_eq!(Score::parse("").unwrap(), None);
        for bad in ["-1", "100.5", "NaN", "inf", "tám"] {
            assert_eq!(Score::parse(bad), Err(Text::ScoreInvalid), "{bad}");
        }
        assert_eq!(Score::new(f64::NAN), Err(Text::ScoreInvalid));
    }

    #[test]
    fn rate_is_rounded_half_up_in_tenths() {
        assert_eq!(Completion { enrolled: 7678, completed: 5835 }.rate_tenths(), Some(760));
        assert_eq!(Completion { enrolled: 2000, completed: 1 }.rate_tenths(), Some(1)); // 0.05% → 0.1%
        assert_eq!(Completion { enrolled: 3, completed: 2 }.rate_tenths(), Some(667));
        assert_eq!(Completion { enrolled: 0, completed: 0 }.rate_tenths(), None);
    }
}

/// One line of the audit log, as admins read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// JSON: the values before and after.
    pub detail: Option<String>,
}

/// An account as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    pub id: uuid::Uuid,
    pub username: String,
    pub display_name: String,
    pub role: crate::auth::Role,
    /// A province admin's province.
    #[serde(default)]
    pub province: Option<i32>,
    pub active: bool,
    pub scope: crate::auth::Scope,
}

/// An API token as the admin page lists it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TokenSummary {
    pub id: uuid::Uuid,
    pub name: String,
    pub scope: crate::auth::TokenScope,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: Option<String>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A learner as typed into the form, the REST body or a spreadsheet row: raw text, parsed by the service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LearnerForm {
    pub full_name: String,
    pub birth_date: String,
    pub gender: String,
    pub phone: String,
    /// Official code or name.
    #[serde(deserialize_with = "text_or_number")]
    pub commune: String,
    /// A province name or code, where the commune's name is looked for.
    #[serde(default)]
    pub province: Option<String>,
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    /// A learner group (đối tượng) as code or label; empty or absent means unclassified.
    #[serde(default)]
    pub group: Option<String>,
    /// The consent notice version the learner agreed to; empty means no consent.
    #[serde(default)]
    pub consent_version: Option<String>,
}

/// A learner as organisers in scope see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LearnerView {
    pub id: uuid::Uuid,
    pub code: String,
    pub full_name: String,
    pub birth_date: Option<chrono::NaiveDate>,
    pub gender: crate::person::Gender,
    pub phone: Option<String>,
    pub commune_code: i32,
    pub commune_name: String,
    pub organisation_id: Option<uuid::Uuid>,
    pub organisation_name: Option<String>,
    pub team_id: Option<uuid::Uuid>,
    pub team_name: Option<String>,
    /// None while unclassified.
    pub group: Option<LearnerGroup>,
    pub active: bool,
    pub consent_version: Option<String>,
    pub registered_at: chrono::DateTime<chrono::Utc>,
}

/// Filters of the learner list; `q` matches names without regard to marks, codes and phone numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct LearnerFilter {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub commune: Option<i32>,
    #[serde(default)]
    pub organisation: Option<uuid::Uuid>,
    #[serde(default)]
    pub team: Option<uuid::Uuid>,
    /// From 1.
    #[serde(default)]
    pub page: Option<u64>,
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// An at-risk list as asked in the address (`/at-risk?…`, `GET /api/v1/at-risk?…`), as typed:
/// `service::learners::at_risk::Filter::parse` reads it once, naming every bad value. An empty
/// value is a value left out (a form sends its empty fields).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct AtRiskQuery {
    /// A team's id: only its learners.
    #[serde(default)]
    pub team: Option<String>,
    /// An organisation's id: only its learners.
    #[serde(default)]
    pub organisation: Option<String>,
    /// A commune's code: only the learners registered there.
    #[serde(default)]
    pub commune: Option<String>,
    /// A course's code: only enrolments in it.
    #[serde(default)]
    pub course: Option<String>,
    /// No change of progress or status for at least this many days (0–3650); 7 when left out.
    #[serde(default)]
    pub idle_days: Option<String>,
    /// Enrolled at least this many days ago (0–3650); 7 when left out.
    #[serde(default)]
    pub enrolled_days: Option<String>,
    /// From 1 (to 10000).
    #[serde(default)]
    pub page: Option<String>,
}

/// A learner who stalled in a course: enrolled, not completed, no progress for a while.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AtRiskRow {
    pub learner_code: String,
    pub full_name: String,
    /// In full (+84…): the list holds only learners the caller may see as people.
    pub phone: Option<String>,
    pub course_code: String,
    pub course_title: String,
    pub status: EnrolmentStatus,
    pub progress: i32,
    /// The day of the enrolment, in Vietnam time.
    pub enrolled_on: chrono::NaiveDate,
    /// When the progress or status last changed.
    pub last_change: chrono::DateTime<chrono::Utc>,
    /// Whole days since `last_change`.
    pub days_idle: i64,
    /// A ready text for the learner (Zalo, SMS), in Vietnamese, with the address of their progress page.
    pub message: String,
}

/// One page of an at-risk list, most idle first, with the thresholds it used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AtRiskList {
    pub idle_days: u32,
    pub enrolled_days: u32,
    pub rows: Vec<AtRiskRow>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// Kinds of organisation (cơ quan, trường, doanh nghiệp, chi đoàn…).
pub const ORGANISATION_KINDS: [&str; 5] = ["co_quan", "truong_hoc", "doanh_nghiep", "doan_thanh_nien", "khac"];

/// An organisation or a team as typed into a form or a REST body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UnitForm {
    pub name: String,
    /// Official code or name.
    #[serde(deserialize_with = "text_or_number")]
    pub commune: String,
    /// Organisations: one of `ORGANISATION_KINDS`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Organisations: the parent organisation; teams: the organisation they belong to (id or name).
    #[serde(default)]
    pub organisation: Option<String>,
    /// Teams only.
    #[serde(default)]
    pub leader_name: Option<String>,
    #[serde(default)]
    pub member_count: Option<String>,
    #[serde(default)]
    pub founded_on: Option<String>,
}

/// An organisation or a team as lists show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UnitView {
    pub id: uuid::Uuid,
    pub name: String,
    pub commune_code: i32,
    pub commune_name: String,
    /// Organisations: their kind; teams: None.
    pub kind: Option<String>,
    /// Organisations: the parent; teams: their organisation.
    pub organisation_id: Option<uuid::Uuid>,
    pub organisation_name: Option<String>,
    pub leader_name: Option<String>,
    pub member_count: Option<i32>,
    pub founded_on: Option<chrono::NaiveDate>,
    pub active: bool,
}

/// Accepts `"4465"`, `4465` or `"Xã Khao Mang"` alike, as people and other systems write codes.
fn text_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(i64),
    }
    Ok(match TextOrNumber::deserialize(deserializer)? {
        TextOrNumber::Text(text) => text,
        TextOrNumber::Number(n) => n.to_string(),
    })
}

/// One bad cell of an imported file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The column as written in the file's header.
    pub column: String,
    pub value: String,
    #[cfg_attr(feature = "server", schema(value_type = String))]
    pub problem: crate::i18n::Text,
}

/// What an import did, or would do (dry run).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub dry_run: bool,
    /// Columns the importer does not know; reported, not silently dropped.
    pub unknown_columns: Vec<String>,
}

/// What importing a MOOC platform's own report did, or would do (dry run), row by row: each row
/// with an outcome is a statement the platform could have sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PlatformImportReport {
    /// Rows read (the header not counted).
    pub rows: u64,
    /// Completions that count now, for learners linked to their account.
    pub completions: u64,
    /// Progress that counts now, for learners linked to their account.
    pub progress: u64,
    /// Rows whose account is linked to no learner yet: they wait on the unmatched list and count
    /// once the account is linked.
    pub waiting: u64,
    /// Rows that change nothing: no outcome yet (no grade, no completion date), or a learner no
    /// longer active.
    pub skipped: u64,
    /// Rows imported before (the same file again changes nothing).
    pub unchanged: u64,
    /// Rows about learners outside an organiser's scope: not kept (an administrator's import, or
    /// the platform itself, records them).
    pub outside_scope: u64,
    pub dry_run: bool,
}

/// A learner's printable card: the code and, when it was just made, the personal progress link
/// with its QR code (the database keeps links hashed, so they cannot be shown again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LearnerCard {
    pub learner: LearnerView,
    /// Whether the learner has a link at all (imported and demo learners have none until one is made).
    pub has_progress_link: bool,
    /// Absolute URL of the learner's own progress page: only in the answer that made it.
    pub progress_url: Option<String>,
    /// The QR code of `progress_url`, as an SVG document.
    pub qr_svg: Option<String>,
}

/// A learner as the REST API shows them to those allowed to see them. `progress_url` is there only
/// in the answer that made the link (registration, renewal); otherwise null.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LearnerDetail {
    #[serde(flatten)]
    pub learner: LearnerView,
    pub has_progress_link: bool,
    pub progress_url: Option<String>,
}

impl From<LearnerCard> for LearnerDetail {
    fn from(card: LearnerCard) -> Self {
        LearnerDetail {
            learner: card.learner,
            has_progress_link: card.has_progress_link,
            progress_url: card.progress_url,
        }
    }
}

/// Everything hocvuso holds about one learner, handed over on their request (JSON or printed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PersonalData {
    pub learner: LearnerView,
    pub consent_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether a citizen ID number was matched; the number itself is never kept.
    pub citizen_id_hashed: bool,
    /// Whether a personal progress link was given; the link itself is kept only as a digest.
    pub has_progress_link: bool,
    pub courses: Vec<CourseProgress>,
    /// What was done with their record, and by whom.
    pub history: Vec<AuditEntry>,
    pub exported_at: chrono::DateTime<chrono::Utc>,
}

/// What a registration form may offer an actor: places inside their scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RegistrationChoices {
    pub communes: Vec<(i32, String)>,
    pub organisations: Vec<(uuid::Uuid, String)>,
    pub teams: Vec<(uuid::Uuid, String)>,
}

/// A course as admins type it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CourseForm {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    pub platform: String,
    /// `link` is the name the first REST contract used.
    #[serde(default, alias = "link")]
    pub url: Option<String>,
    #[serde(deserialize_with = "text_or_number")]
    pub hours: String,
    #[serde(default)]
    pub active: Option<bool>,
    /// The xAPI activity id of the course on its platform, when it differs from the link.
    #[serde(default)]
    pub activity_iri: Option<String>,
}

/// A course of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CourseView {
    pub id: uuid::Uuid,
    pub code: String,
    pub title: String,
    pub title_en: Option<String>,
    pub platform: String,
    pub url: Option<String>,
    pub hours: i32,
    pub active: bool,
}

/// One course of a learner, as their progress shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CourseProgress {
    pub course_code: String,
    pub course_title: String,
    pub status: EnrolmentStatus,
    pub progress: i32,
    pub enrolled_at: chrono::DateTime<chrono::Utc>,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub score: Option<f64>,
    pub certificate_no: Option<String>,
}

/// A learner's courses and overall progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LearnerProgress {
    pub learner_code: String,
    pub courses: Vec<CourseProgress>,
    pub completion: Completion,
}

/// A completion as a MOOC platform or a form reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CompletionReport {
    pub learner_code: String,
    pub course_code: String,
    /// dd/mm/yyyy, yyyy-mm-dd or an RFC 3339 timestamp; not in the future.
    pub completed_at: String,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub certificate_no: Option<String>,
}

/// What a learner sees of themselves at their personal link: nothing another person could misuse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicProgress {
    pub given_name: String,
    /// "09xx xxx 678".
    pub masked_phone: Option<String>,
    pub commune_name: String,
    pub team_name: Option<String>,
    pub courses: Vec<CourseProgress>,
    pub completion: Completion,
}

/// What a target measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "snake_case")]
pub enum TargetMetric {
    /// Completion rate, in tenths of a percent (950 = 95.0%).
    #[cfg_attr(feature = "server", sea_orm(string_value = "completion_rate"))]
    CompletionRate,
    #[cfg_attr(feature = "server", sea_orm(string_value = "enrolments"))]
    Enrolments,
    /// Learners trained: completions.
    #[cfg_attr(feature = "server", sea_orm(string_value = "learners_trained"))]
    LearnersTrained,
    /// Coverage: learners with a completed course over the population, in tenths of a percent.
    #[cfg_attr(feature = "server", sea_orm(string_value = "coverage"))]
    Coverage,
}

impl TargetMetric {
    pub const ALL: [TargetMetric; 4] =
        [TargetMetric::CompletionRate, TargetMetric::Coverage, TargetMetric::Enrolments, TargetMetric::LearnersTrained];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetMetric::CompletionRate => "completion_rate",
            TargetMetric::Enrolments => "enrolments",
            TargetMetric::LearnersTrained => "learners_trained",
            TargetMetric::Coverage => "coverage",
        }
    }

    /// True for the metrics given in tenths of a percent ("95" or "95,5" typed).
    pub fn is_percent(self) -> bool {
        matches!(self, TargetMetric::CompletionRate | TargetMetric::Coverage)
    }

    pub fn parse(text: &str) -> Option<TargetMetric> {
        TargetMetric::ALL.into_iter().find(|m| m.as_str() == text.trim())
    }

    /// Its name on pages.
    pub fn text(self) -> crate::i18n::Text {
        match self {
            TargetMetric::CompletionRate => crate::i18n::Text::CompletionRate,
            TargetMetric::Enrolments => crate::i18n::Text::Enrolments,
            TargetMetric::LearnersTrained => crate::i18n::Text::Completions,
            TargetMetric::Coverage => crate::i18n::Text::Coverage,
        }
    }
}

/// A target against the actual figure: "98/95%" when `metric` is the completion rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TargetStatus {
    pub metric: TargetMetric,
    pub target: i64,
    pub actual: i64,
    pub met: bool,
    /// What is still needed to meet it, in what the metric counts: completions for the completion
    /// rate and learners trained, enrolments for enrolments. 0 when met; None when it cannot be said
    /// (a completion rate with nobody enrolled).
    pub needed: Option<i64>,
}

impl TargetStatus {
    /// The target against a row's figures: `actual` as the metric reads them, `needed` as exact as `met`.
    pub fn of(metric: TargetMetric, target: i64, row: &CompletionRow) -> TargetStatus {
        // A rounded percentage (tenths, half up) reaches `target` once part >= (2·whole·target − whole) / 2000.
        let needed_for_share = |part: i64, whole: i64| {
            let at_least = (2 * whole * target - whole + 1999).div_euclid(2000);
            (whole > 0 && at_least <= whole).then(|| (at_least - part).max(0))
        };
        let completion = row.completion;
        let (actual, needed) = match metric {
            TargetMetric::CompletionRate => {
                (completion.rate_tenths().unwrap_or(0), needed_for_share(completion.completed, completion.enrolled))
            }
            TargetMetric::Coverage => match row.population {
                Some(population) => (row.coverage_tenths().unwrap_or(0), needed_for_share(row.trained, population)),
                None => (0, None),
            },
            TargetMetric::Enrolments => (completion.enrolled, Some((target - completion.enrolled).max(0))),
            TargetMetric::LearnersTrained => (completion.completed, Some((target - completion.completed).max(0))),
        };
        let met = actual >= target && (metric != TargetMetric::Coverage || row.population.is_some());
        TargetStatus { metric, target, actual, met, needed: if met { Some(0) } else { needed } }
    }
}

/// One unit's row in a completion table: cumulative figures to the end of the period, and what
/// happened inside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CompletionRow {
    pub id: String,
    pub name: String,
    pub completion: Completion,
    /// Learners registered in the unit (0 when a course is chosen: learners are not counted per course).
    pub learners: i64,
    pub new_enrolled: i64,
    pub new_completed: i64,
    /// Learners with at least one completed course (of the chosen course, when one is chosen).
    #[serde(default)]
    pub trained: i64,
    /// The unit's population (of the group, when one is chosen) for the period's year; None when not uploaded.
    #[serde(default)]
    pub population: Option<i64>,
    pub targets: Vec<TargetStatus>,
    /// The completions (or learners trained, for coverage) still needed to meet its targets (the
    /// most any one needs); None without such a target.
    pub needed: Option<i64>,
}

impl CompletionRow {
    /// Learners trained over the population, exactly; None without a population.
    pub fn coverage(&self) -> Option<f64> {
        self.population.filter(|p| *p > 0).map(|p| self.trained as f64 / p as f64)
    }

    /// Coverage in tenths of a percent, rounded half up (as `Completion::rate_tenths`).
    pub fn coverage_tenths(&self) -> Option<i64> {
        self.population.filter(|p| *p > 0).map(|p| (self.trained * 2000 + p) / (2 * p))
    }
}

/// A week of the trend: completions in the week, and the cumulative figures at its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WeekPoint {
    pub week: i32,
    pub completed: i64,
    pub to_date: Completion,
}

/// A dashboard: rows by one kind of unit, the context's total, and its weekly trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CompletionTable {
    /// The area shown: the country or one province.
    pub area: Area,
    pub by: UnitKind,
    /// True when the rows are learner groups (`by=group`), not units.
    #[serde(default)]
    pub by_group: bool,
    pub period: Option<crate::week::Period>,
    pub rows: Vec<CompletionRow>,
    pub total: CompletionRow,
    /// The whole for every learner, then for each group: the five indicators a provincial plan reports.
    #[serde(default)]
    pub groups: Vec<GroupFigures>,
    pub trend: Vec<WeekPoint>,
}

/// What a dashboard shows: by which units, for which course, period and place.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct DashboardFilter {
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub course: Option<String>,
    /// "2026-W48", "2026-11", "2026-Q4" or "2026"; or `from`/`to` dates.
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub commune: Option<String>,
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub province: Option<String>,
    /// `needed`: rows by the completions still needed, most first (else by name).
    #[serde(default)]
    pub sort: Option<String>,
    /// Only the learners of one group (a code such as `can_bo`, or its label).
    #[serde(default)]
    pub group: Option<String>,
}

/// A leaderboard place: rank by completion rate among units with enough enrolments, and the move
/// since the week before (positive = up).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LeaderboardRow {
    pub id: String,
    pub name: String,
    pub completion: Completion,
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
    pub movement: Option<i32>,
    pub rank_by_completions: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Leaderboard {
    pub area: Area,
    pub by: UnitKind,
    pub week: crate::week::IsoWeek,
    pub min_enrolled: i64,
    /// Ranked by completion rate (ties: completions, then name).
    pub ranked: Vec<LeaderboardRow>,
    /// Fewer enrolments than `min_enrolled`: listed apart, not ranked.
    pub unranked: Vec<LeaderboardRow>,
}

/// How many rows the at-risk list had for a commune at the end of a week.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CommuneAtRisk {
    pub commune: i32,
    pub name: String,
    /// Enrolments at risk (a learner counts once per course).
    pub count: i64,
}

/// Where an e-mailed report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "server", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "server", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not tried yet.
    #[cfg_attr(feature = "server", sea_orm(string_value = "pending"))]
    Pending,
    #[cfg_attr(feature = "server", sea_orm(string_value = "sent"))]
    Sent,
    /// The last attempt failed; another is due at `next_attempt_at`.
    #[cfg_attr(feature = "server", sea_orm(string_value = "retrying"))]
    Retrying,
    /// Every attempt failed; no more are made.
    #[cfg_attr(feature = "server", sea_orm(string_value = "failed"))]
    Failed,
}

/// A report file the scheduler wrote, as `/reports` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ReportFileView {
    pub week: crate::week::IsoWeek,
    pub area: Area,
    /// "xlsx" or "csv".
    pub format: String,
    pub file_name: String,
    pub bytes: i64,
    pub written_at: chrono::DateTime<chrono::Utc>,
}

/// One e-mail of a week's report and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ReportDeliveryView {
    pub week: crate::week::IsoWeek,
    pub area: Area,
    pub recipients: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What `/reports` shows: the written files (newest week first) and the e-mails.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ScheduledReports {
    pub files: Vec<ReportFileView>,
    pub deliveries: Vec<ReportDeliveryView>,
}

/// A unit whose completion rate moved between the two weeks, in tenths of a percent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Mover {
    pub id: String,
    pub name: String,
    pub before: Completion,
    pub now: Completion,
    pub change_tenths: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WeeklyReport {
    pub area: Area,
    pub week: crate::week::IsoWeek,
    /// The whole (country, province, or the organiser's scope) at the end of this week and of the week before.
    pub total: CompletionRow,
    pub total_before: CompletionRow,
    /// Every province, for the country's report (empty for a province's).
    pub provinces: Vec<CompletionRow>,
    /// Every commune: cumulative at the end of the week, new in the week, targets.
    pub communes: Vec<CompletionRow>,
    /// Each commune's sign-off of the week (`communes`' order), and what changed since it was signed.
    #[serde(default)]
    pub signoffs: Vec<SignoffView>,
    /// Communes signed on time (signed or approved) over the communes listed; the exact fraction,
    /// null without a commune.
    #[serde(default)]
    pub signoff_on_time_rate: Option<f64>,
    /// The numerator of `signoff_on_time_rate`.
    #[serde(default)]
    pub signoffs_on_time: i64,
    /// Communes, organisations and teams with a target not met.
    pub behind_target: Vec<(UnitKind, CompletionRow)>,
    /// Communes whose completion rate rose or fell the most.
    pub movers: Vec<Mover>,
    /// The teams that held the most guidance sessions this week (then guided the most people).
    pub active_teams: Vec<TeamGuidance>,
    /// Learners at risk at the end of the week (the at-risk list's rule, 7 and 7 days), per commune, most first.
    #[serde(default)]
    pub at_risk: Vec<CommuneAtRisk>,
}

/// A population figure as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PopulationView {
    pub unit_kind: UnitKind,
    pub unit_id: String,
    /// None: everyone in the unit.
    pub group: Option<LearnerGroup>,
    pub year: i32,
    pub population: i64,
}

/// One learner group's figures (None: every learner) in a view: the rows of `by=group` and the plan's indicators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct GroupFigures {
    pub group: Option<LearnerGroup>,
    pub row: CompletionRow,
}

/// A target as typed: unit kind and id (commune code, organisation or team id or name), period
/// ("" for the whole campaign, else "2026-W48", "2026-11", "2026-Q4", "2026"), metric and value
/// (a percentage such as "95" or "95,5" for the completion rate, else a count).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TargetForm {
    pub unit_kind: String,
    pub unit: String,
    #[serde(default)]
    pub period: String,
    pub metric: String,
    pub value: String,
    /// The learner group it is for: a code or label (`can_bo`, "Cán bộ"); empty or `all` for every learner.
    #[serde(default)]
    pub group: String,
}

/// A target as the admin page lists it; `value` is in tenths of a percent for the completion rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TargetView {
    pub unit_kind: UnitKind,
    pub unit_id: String,
    pub unit_name: String,
    pub period: String,
    pub metric: TargetMetric,
    pub value: i64,
    /// None: every learner.
    pub group: Option<LearnerGroup>,
}

/// A guidance session (buổi hướng dẫn) as the form or the REST body gives it: raw, parsed by the service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct GuidanceSessionForm {
    /// The team's id.
    pub team: String,
    /// The day it was held: yyyy-mm-dd or dd/mm/yyyy, from 2025-01-01 to today (Vietnam).
    pub date: String,
    /// The official code of the commune it was held in; the team's commune when absent.
    #[serde(default, deserialize_with = "optional_text_or_number")]
    pub commune: Option<String>,
    /// Thôn/bản, at most 100 characters.
    pub village: String,
    /// The topic: a course code, or (`topic`) a skill in words (at most 200 characters); exactly one.
    #[serde(default)]
    pub course: Option<String>,
    #[serde(default)]
    pub topic: Option<String>,
    /// The learner codes of the registered learners who attended (at most 500).
    #[serde(default)]
    pub attendees: Vec<String>,
    /// How many people were guided who are not registered (0 to 1,000).
    #[serde(default)]
    pub guided_unregistered: i64,
}

fn optional_text_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "text_or_number")] String);
    Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|w| w.0))
}

/// A guidance session as organisers in scope see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct GuidanceSessionView {
    pub id: uuid::Uuid,
    pub team: uuid::Uuid,
    pub team_name: String,
    pub date: chrono::NaiveDate,
    /// The ISO week of `date`: "2026-W48".
    pub week: crate::week::IsoWeek,
    pub commune: i32,
    pub commune_name: String,
    pub village: String,
    /// The course's code when the topic is a course.
    pub course: Option<String>,
    /// The course's title, or the skill as typed.
    pub topic: String,
    /// The learner codes of the registered learners who attended, in code order.
    pub attendees: Vec<String>,
    pub guided_unregistered: i64,
    pub recorded_by: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// Guidance figures of a unit over some weeks: sessions, registered learners attending, people guided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct GuidanceFigures {
    pub sessions: i64,
    /// Registered learners attending, a learner counted once a session.
    pub attendances: i64,
    pub guided_unregistered: i64,
}

impl GuidanceFigures {
    /// Everyone guided: the registered learners attending and those not registered.
    pub fn people_guided(self) -> i64 {
        self.attendances + self.guided_unregistered
    }
}

/// A unit's (team's, commune's) or week's guidance figures, as the dashboard and
/// `GET /api/v1/stats/guidance` show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct GuidanceRow {
    /// The team's id, the commune's code or the ISO week ("2026-W48").
    pub id: String,
    pub name: String,
    pub figures: GuidanceFigures,
    /// `figures.people_guided()`, for readers of the JSON.
    pub people_guided: i64,
}

impl GuidanceRow {
    pub fn new(id: String, name: Option<String>, figures: GuidanceFigures) -> GuidanceRow {
        let name = name.unwrap_or_else(|| id.clone());
        GuidanceRow { id, name, figures, people_guided: figures.people_guided() }
    }
}

/// A team's learners, as the guidance form lists them to tick who attended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRoster {
    pub team: uuid::Uuid,
    /// (code, full name), by name.
    pub learners: Vec<(String, String)>,
}

/// A team's guidance, as the team page and the weekly report show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TeamGuidance {
    pub team: uuid::Uuid,
    pub team_name: String,
    pub commune_name: String,
    pub figures: GuidanceFigures,
    /// `figures.people_guided()`, for readers of the JSON.
    pub people_guided: i64,
}

/// A team's guidance on the team page: this week's figures, all time's, and its latest sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamGuidanceSummary {
    pub team: uuid::Uuid,
    pub this_week: GuidanceFigures,
    pub all_time: GuidanceFigures,
    pub latest: Vec<GuidanceSessionView>,
}

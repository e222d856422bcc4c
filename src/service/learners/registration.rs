//! Registering learners as organisers do it: raw input parsed into valid types, every problem
//! reported at once, the organiser's scope enforced, consent required, one person never twice.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Actor;
use crate::consent::CONSENT_VERSION;
use crate::entity::{commune, learner, organisation, province, team};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::model::{Area, LearnerFilter, LearnerForm, LearnerGroup, LearnerView, Page};
use crate::person::{BirthDate, FullName, Gender, PhoneNumber};
use crate::service::idempotency::{self, IdempotencyKey, Keyed, KeyedRequest, Route};
use crate::service::learners::{InsertError, NewLearner, insert};
use crate::service::{audit, learners::progress_link, now};
use crate::text::fold;
use crate::{Error, Result};

pub const LEARNER_PAGE_SIZE: u64 = 20;

/// A learner that passed every rule; only the service builds one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidLearner {
    pub full_name: FullName,
    pub birth_date: BirthDate,
    pub gender: Gender,
    pub phone: PhoneNumber,
    pub commune: i32,
    pub organisation: Option<Uuid>,
    pub team: Option<Uuid>,
    /// None: unclassified.
    pub group: Option<LearnerGroup>,
    pub consent_version: String,
}

/// Communes by code and by folded name, for reading forms and spreadsheets: a province's, or the
/// whole country's (where 238 names occur in more than one province).
pub struct CommuneIndex {
    by_code: HashMap<i32, (String, i32)>,
    by_name: HashMap<String, Vec<i32>>,
}

impl CommuneIndex {
    pub async fn load(db: &impl ConnectionTrait, area: Area) -> Result<CommuneIndex> {
        let mut communes = commune::Entity::find();
        if let Some(code) = area.province() {
            communes = communes.filter(commune::Column::ProvinceCode.eq(code));
        }
        let mut index = CommuneIndex { by_code: HashMap::new(), by_name: HashMap::new() };
        for c in communes.all(db).await? {
            let full = fold(&c.name);
            // "Mù Cang Chải" finds "Xã Mù Cang Chải".
            let bare =
                full.trim_start_matches("xa ").trim_start_matches("phuong ").trim_start_matches("dac khu ").to_string();
            for name in [full.clone(), bare].into_iter().collect::<std::collections::BTreeSet<_>>() {
                index.by_name.entry(name).or_default().push(c.code);
            }
            index.by_code.insert(c.code, (c.name, c.province_code));
        }
        Ok(index)
    }

    /// The communes a code or a name (with or without marks and "Xã"/"Phường") may mean, within
    /// `province` when given: none, one, or several (a name found in several provinces).
    pub fn candidates(&self, text: &str, province: Option<i32>) -> Vec<i32> {
        let text = text.trim();
        let found: Vec<i32> = match text.parse::<i32>() {
            Ok(code) => self.by_code.contains_key(&code).then_some(code).into_iter().collect(),
            Err(_) => self.by_name.get(&fold(text)).cloned().unwrap_or_default(),
        };
        let mut found: Vec<i32> =
            found.into_iter().filter(|c| province.is_none_or(|p| self.by_code[c].1 == p)).collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    pub fn name(&self, code: i32) -> Option<&str> {
        self.by_code.get(&code).map(|(name, _)| name.as_str())
    }

    /// The province a commune lies in.
    pub fn province(&self, code: i32) -> Option<i32> {
        self.by_code.get(&code).map(|(_, province)| *province)
    }
}

/// Provinces by code and by folded name, with or without "Tỉnh"/"Thành phố": "Lào Cai", "lao cai",
/// "Tỉnh Lào Cai" and "15" all mean 15.
pub struct ProvinceIndex {
    names: HashMap<i32, String>,
    by_name: HashMap<String, i32>,
}

/// "thanh pho ha noi" → "ha noi"; "tinh lao cai" → "lao cai".
fn without_province_prefix(folded: &str) -> &str {
    ["tinh ", "thanh pho ", "tp. ", "tp "].iter().find_map(|p| folded.strip_prefix(p)).unwrap_or(folded)
}

impl ProvinceIndex {
    pub async fn load(db: &impl ConnectionTrait) -> Result<ProvinceIndex> {
        let mut index = ProvinceIndex { names: HashMap::new(), by_name: HashMap::new() };
        for p in province::Entity::find().all(db).await? {
            let full = fold(&p.name);
            index.by_name.insert(without_province_prefix(&full).to_string(), p.code);
            index.by_name.insert(full, p.code);
            index.names.insert(p.code, p.name);
        }
        Ok(index)
    }

    /// The province a code or a name means.
    pub fn resolve(&self, text: &str) -> Option<i32> {
        let text = text.trim();
        if let Ok(code) = text.parse::<i32>() {
            return self.names.contains_key(&code).then_some(code);
        }
        let folded = fold(text);
        self.by_name.get(&folded).or_else(|| self.by_name.get(without_province_prefix(&folded))).copied()
    }

    pub fn name(&self, code: i32) -> Option<&str> {
        self.names.get(&code).map(String::as_str)
    }
}

/// Why the commune a form or a row names cannot be placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommuneRefusal {
    UnknownProvince,
    Unknown,
    /// A code, or a name, that exists only outside the province given.
    NotInProvince,
    /// A name several communes bear, none of them preferred: these.
    Ambiguous(Vec<i32>),
}

impl CommuneRefusal {
    /// The form field at fault, and the problem said there.
    pub fn field_error(&self) -> FieldError {
        let (field, problem) = match self {
            CommuneRefusal::UnknownProvince => ("province", Text::UnknownProvince),
            CommuneRefusal::Unknown => ("commune", Text::UnknownCommune),
            CommuneRefusal::NotInProvince => ("commune", Text::CommuneNotInProvince),
            CommuneRefusal::Ambiguous(_) => ("commune", Text::CommuneAmbiguous),
        };
        FieldError { field: field.to_string(), problem }
    }
}

/// Everything a form or a spreadsheet row names, loaded once: provinces, communes, organisations and teams.
pub struct Directory {
    pub communes: CommuneIndex,
    pub provinces: ProvinceIndex,
    /// Where a commune named without a province is looked for first: the uploader's province(s);
    /// empty for the whole country.
    home: Vec<i32>,
    organisations: HashMap<String, organisation::Model>,
    teams: HashMap<String, team::Model>,
}

impl Directory {
    /// The country's provinces and communes (a row may name any province; scope is checked after),
    /// and the active organisations and teams of where the actor registers: a province admin's
    /// province, else the deployment's landing area (the whole country when it has none).
    pub async fn load(db: &impl ConnectionTrait, actor: &Actor, landing: Area) -> Result<Directory> {
        let area = actor.province_limit().map_or(landing, Area::Province);
        let communes = CommuneIndex::load(db, Area::Country).await?;
        let provinces = ProvinceIndex::load(db).await?;
        let codes: Vec<i32> = communes
            .by_code
            .iter()
            .filter(|(_, (_, province))| area.province().is_none_or(|p| p == *province))
            .map(|(code, _)| *code)
            .collect();
        let mut organisations = HashMap::new();
        for o in organisation::Entity::find()
            .filter(organisation::Column::Active.eq(true))
            .filter(organisation::Column::CommuneCode.is_in(codes.clone()))
            .all(db)
            .await?
        {
            organisations.insert(o.id.to_string(), o.clone());
            organisations.entry(o.name_folded.clone()).or_insert(o);
        }
        let mut teams = HashMap::new();
        for t in team::Entity::find()
            .filter(team::Column::Active.eq(true))
            .filter(team::Column::CommuneCode.is_in(codes))
            .all(db)
            .await?
        {
            teams.insert(t.id.to_string(), t.clone());
            teams.entry(t.name_folded.clone()).or_insert(t);
        }
        // The uploader's province: a province admin's, else the landing one, else (an organiser on
        // the country) those of the communes and organisations in their scope.
        let mut home: Vec<i32> = match (area.province(), actor.organiser_scope()) {
            (Some(province), _) => vec![province],
            (None, Some(scope)) => scope
                .communes
                .iter()
                .copied()
                .chain(
                    scope
                        .organisations
                        .iter()
                        .filter_map(|id| organisations.get(&id.to_string()))
                        .map(|o| o.commune_code),
                )
                .filter_map(|code| communes.province(code))
                .collect(),
            (None, None) => Vec::new(),
        };
        home.sort_unstable();
        home.dedup();
        Ok(Directory { communes, provinces, home, organisations, teams })
    }

    /// The one commune a code or a name means. A code means its commune, anywhere (and must lie in
    /// `province` when one is given). A name is looked for in `province` when given, else in the
    /// uploader's province first, else in the whole country; several matches are refused.
    pub fn commune(&self, text: &str, province: Option<&str>) -> std::result::Result<i32, CommuneRefusal> {
        let province = match province.map(str::trim).filter(|p| !p.is_empty()) {
            Some(name) => Some(self.provinces.resolve(name).ok_or(CommuneRefusal::UnknownProvince)?),
            None => None,
        };
        let everywhere = self.communes.candidates(text, None);
        let found = match province {
            Some(p) => everywhere.iter().copied().filter(|c| self.communes.province(*c) == Some(p)).collect(),
            None => {
                let at_home: Vec<i32> = everywhere
                    .iter()
                    .copied()
                    .filter(|c| self.communes.province(*c).is_some_and(|p| self.home.contains(&p)))
                    .collect();
                if at_home.is_empty() { everywhere.clone() } else { at_home }
            }
        };
        match found.as_slice() {
            [one] => Ok(*one),
            [] if everywhere.is_empty() => Err(CommuneRefusal::Unknown),
            [] => Err(CommuneRefusal::NotInProvince),
            _ => Err(CommuneRefusal::Ambiguous(found)),
        }
    }

    /// Communes as a row error names them: "Xã Tân Tiến: 1051 (Tuyên Quang), 6019 (Lạng Sơn)".
    pub fn describe(&self, communes: &[i32]) -> String {
        let mut names: Vec<(&str, Vec<String>)> = Vec::new();
        for code in communes {
            let name = self.communes.name(*code).unwrap_or_default();
            let province = self.communes.province(*code).and_then(|p| self.provinces.name(p)).unwrap_or_default();
            let entry = format!("{code} ({province})");
            match names.iter_mut().find(|(n, _)| *n == name) {
                Some((_, codes)) => codes.push(entry),
                None => names.push((name, vec![entry])),
            }
        }
        names.iter().map(|(name, codes)| format!("{name}: {}", codes.join(", "))).collect::<Vec<_>>().join("; ")
    }

    /// An active organisation by id or by name (without regard to marks).
    pub fn organisation(&self, text: &str) -> Option<&organisation::Model> {
        self.organisations.get(&text.trim().to_lowercase()).or_else(|| self.organisations.get(&fold(text)))
    }

    /// An active team by id or by name (without regard to marks).
    pub fn team(&self, text: &str) -> Option<&team::Model> {
        self.teams.get(&text.trim().to_lowercase()).or_else(|| self.teams.get(&fold(text)))
    }
}

fn problem(errors: &mut Vec<FieldError>, field: &str, text: Text) {
    errors.push(FieldError { field: field.to_string(), problem: text });
}

/// Parses and checks a learner form. Every field problem is reported together; a place outside the
/// organiser's scope is Forbidden.
pub fn validate(actor: &Actor, directory: &Directory, form: &LearnerForm, today: NaiveDate) -> Result<ValidLearner> {
    actor.account()?;
    let mut errors = Vec::new();
    let full_name = FullName::parse(&form.full_name).map_err(|t| problem(&mut errors, "full_name", t)).ok();
    let birth_date = BirthDate::parse(&form.birth_date, today).map_err(|t| problem(&mut errors, "birth_date", t)).ok();
    let gender = Gender::parse(&form.gender).map_err(|t| problem(&mut errors, "gender", t)).ok();
    let phone = PhoneNumber::parse(&form.phone).map_err(|t| problem(&mut errors, "phone", t)).ok();
    let commune =
        directory.commune(&form.commune, form.province.as_deref()).map_err(|r| errors.push(r.field_error())).ok();
    let named = |text: &Option<String>| text.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let organisation = named(&form.organisation).and_then(|text| {
        let found = directory.organisation(&text);
        if found.is_none() {
            problem(&mut errors, "organisation", Text::UnknownOrganisation);
        }
        found
    });
    let team = named(&form.team).and_then(|text| {
        let found = directory.team(&text);
        if found.is_none() {
            problem(&mut errors, "team", Text::UnknownTeam);
        }
        found
    });
    let group = named(&form.group).and_then(|text| {
        let found = LearnerGroup::parse(&text);
        if found.is_none() {
            problem(&mut errors, "group", Text::LearnerGroupUnknown);
        }
        found
    });
    let consent = form.consent_version.as_deref().map(str::trim).unwrap_or_default();
    if consent != CONSENT_VERSION {
        problem(&mut errors, "consent_version", Text::ConsentRequired);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (Some(full_name), Some(birth_date), Some(gender), Some(phone), Some(commune)) =
        (full_name, birth_date, gender, phone, commune)
    else {
        return Err(Error::Internal);
    };
    // Organisers register only inside their scope: the place, the organisation and the team.
    let organisation_id = organisation.map(|o| o.id);
    let allowed = actor.may_manage(commune, organisation_id)
        && organisation.is_none_or(|o| actor.may_manage(o.commune_code, Some(o.id)))
        && team.is_none_or(|t| actor.may_manage(t.commune_code, t.organisation_id));
    if !allowed {
        return Err(Error::Forbidden);
    }
    Ok(ValidLearner {
        full_name,
        birth_date,
        gender,
        phone,
        commune,
        organisation: organisation_id,
        team: team.map(|t| t.id),
        group,
        consent_version: consent.to_string(),
    })
}

/// Today in Vietnam.
pub fn today() -> NaiveDate {
    now().with_timezone(&crate::week::vietnam()).date_naive()
}

impl ValidLearner {
    pub fn into_new(self, registered_by: Option<Uuid>) -> NewLearner {
        NewLearner {
            full_name: self.full_name.as_str().to_string(),
            birth_date: Some(self.birth_date.date()),
            gender: self.gender.as_str().to_string(),
            phone: Some(self.phone.as_str().to_string()),
            commune: self.commune,
            organisation: self.organisation,
            team: self.team,
            group: self.group,
            consent_version: Some(self.consent_version),
            registered_by,
            registered_at: now(),
            citizen_id_hash: None,
        }
    }
}

/// The answer for a person registered already: `Conflict` with their learner code when the caller
/// may manage them, else with no code (another scope's learners are not the caller's to learn of).
fn already_registered(actor: &Actor, existing: &learner::Model) -> Error {
    let visible = actor.may_manage(existing.commune_code, existing.organisation_id);
    Error::Conflict(visible.then(|| existing.code.clone()))
}

/// Registers one learner from a form. A person registered already gets `Conflict(their code)`
/// (without the code when they are outside the caller's scope).
pub async fn register(db: &DatabaseConnection, actor: &Actor, landing: Area, form: &LearnerForm) -> Result<Registered> {
    let done = register_once(db, actor, landing, form, None).await?.outcome?;
    Ok(Registered { link: done.link.ok_or(Error::Internal)?, learner: done.learner })
}

/// `register`, applied once per idempotency key: a repeat of a registration, or of its "registered
/// already", gets the same outcome back. A replay has no progress link: the link is kept only
/// hashed, and is shown once (a new one is a click on the card).
pub async fn register_once(
    db: &DatabaseConnection,
    actor: &Actor,
    landing: Area,
    form: &LearnerForm,
    key: Option<IdempotencyKey>,
) -> Result<Keyed<RegisteredOnce>> {
    let send = key.map(|key| KeyedRequest::new(actor, key, Route::RegisterLearner, form)).transpose()?;
    let replay = |done: Keyed<LearnerView>| done.map(|learner| RegisteredOnce { learner, link: None });
    if let Some(done) = idempotency::earlier(db, send.as_ref()).await? {
        return Ok(replay(done));
    }
    let directory = Directory::load(db, actor, landing).await?;
    let valid = validate(actor, &directory, form, today())?;
    let by = actor.account()?.id;
    let mut link = None;
    // "Registered already" is an answer to keep, as a registration is; a refusal is not.
    let keep = |outcome: &Result<LearnerView>| matches!(outcome, Ok(_) | Err(Error::Conflict(_)));
    let done = idempotency::apply(db, send.as_ref(), keep, async |txn| {
        let row = match insert(txn, valid.into_new(Some(by))).await {
            Ok(row) => row,
            Err(InsertError::Duplicate(code)) => {
                let existing = learner::Entity::find().filter(learner::Column::Code.eq(&code)).one(txn).await?;
                return Err(existing.map_or(Error::Conflict(None), |e| already_registered(actor, &e)));
            }
            Err(InsertError::Other(err)) => return Err(err),
        };
        link = Some(progress_link::issue(txn, row.id).await?);
        audit::record(
            txn,
            &actor.label(),
            audit::Action::Create,
            audit::Entity::Learner,
            Some(row.code.clone()),
            json!({"after": {"commune": row.commune_code}}),
        )
        .await?;
        Ok(views(txn, vec![row]).await?.remove(0))
    })
    .await?;
    if done.replayed {
        return Ok(replay(done));
    }
    Ok(done.map(|learner| RegisteredOnce { learner, link }))
}

/// A registration's outcome: the learner, and the secret of their progress link when it was made
/// by this send (a replay has none).
#[derive(Clone, Debug)]
pub struct RegisteredOnce {
    pub learner: LearnerView,
    pub link: Option<String>,
}

/// A learner just registered, with the secret of their progress link: shown this once, then kept hashed.
#[derive(Clone, Debug)]
pub struct Registered {
    pub learner: LearnerView,
    pub link: String,
}

/// Learners as views, with the names of their commune, organisation and team (three small queries).
pub async fn views(db: &impl ConnectionTrait, rows: Vec<learner::Model>) -> Result<Vec<LearnerView>> {
    let communes: HashMap<i32, String> = commune::Entity::find()
        .filter(commune::Column::Code.is_in(rows.iter().map(|r| r.commune_code)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let organisations: HashMap<Uuid, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(rows.iter().filter_map(|r| r.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let teams: HashMap<Uuid, String> = team::Entity::find()
        .filter(team::Column::Id.is_in(rows.iter().filter_map(|r| r.team_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    // The gender column holds only what `Gender::as_str` wrote; anything else is a broken database.
    rows.into_iter()
        .map(|r| {
            Ok(LearnerView {
                id: r.id,
                commune_name: communes.get(&r.commune_code).cloned().unwrap_or_default(),
                organisation_name: r.organisation_id.and_then(|id| organisations.get(&id).cloned()),
                team_name: r.team_id.and_then(|id| teams.get(&id).cloned()),
                group: r.learner_group,
                code: r.code,
                full_name: r.full_name,
                birth_date: r.birth_date,
                gender: Gender::parse(&r.gender).map_err(|_| Error::Internal)?,
                phone: r.phone,
                commune_code: r.commune_code,
                organisation_id: r.organisation_id,
                team_id: r.team_id,
                active: r.active,
                consent_version: r.consent_version,
                registered_at: r.created_at,
            })
        })
        .collect()
}

/// What an actor may see of the learner table: everything for admins, their scope for organisers.
/// The learners an actor may see as people: inside their scope, and not erased (an erased learner
/// is an anonymous row that only counts).
fn scope_condition(actor: &Actor) -> Result<Condition> {
    let account = actor.account()?;
    let not_erased = learner::Column::ErasedAt.is_null();
    if actor.sees_everything() {
        return Ok(Condition::all().add(not_erased));
    }
    Ok(Condition::all().add(not_erased).add(
        Condition::any()
            .add(learner::Column::CommuneCode.is_in(account.scope.communes.iter().copied()))
            .add(learner::Column::OrganisationId.is_in(account.scope.organisations.iter().copied())),
    ))
}

/// One learner by code; 404 when it does not exist or lies outside the actor's scope.
pub async fn find(db: &impl ConnectionTrait, actor: &Actor, code: &str) -> Result<LearnerView> {
    let row = learner::Entity::find()
        .filter(learner::Column::Code.eq(code.trim().to_uppercase()))
        .filter(scope_condition(actor)?)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(views(db, vec![row]).await?.remove(0))
}

/// The actor's active learners that a list's filters select (search text, commune, organisation, team).
pub fn filtered(actor: &Actor, filter: &LearnerFilter) -> Result<sea_orm::Select<learner::Entity>> {
    let mut query = learner::Entity::find().filter(scope_condition(actor)?).filter(learner::Column::Active.eq(true));
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let mut any = Condition::any()
            .add(learner::Column::NameFolded.contains(fold(q)))
            .add(learner::Column::Code.eq(q.to_uppercase()));
        if let Ok(phone) = PhoneNumber::parse(q) {
            any = any.add(learner::Column::Phone.eq(phone.as_str()));
        }
        query = query.filter(any);
    }
    if let Some(commune) = filter.commune {
        query = query.filter(learner::Column::CommuneCode.eq(commune));
    }
    if let Some(organisation) = filter.organisation {
        query = query.filter(learner::Column::OrganisationId.eq(organisation));
    }
    if let Some(team) = filter.team {
        query = query.filter(learner::Column::TeamId.eq(team));
    }
    Ok(query)
}

/// The actor's learners, newest first, searched without regard to marks ("nguyen van duc"), by code or by phone.
pub async fn search(db: &impl ConnectionTrait, actor: &Actor, filter: &LearnerFilter) -> Result<Page<LearnerView>> {
    let query = filtered(actor, filter)?;
    let total = query.clone().count(db).await?;
    let page = filter.page.unwrap_or(1).max(1);
    let rows = query
        .order_by_desc(learner::Column::CreatedAt)
        .order_by_desc(learner::Column::Id)
        .offset((page - 1) * LEARNER_PAGE_SIZE)
        .limit(LEARNER_PAGE_SIZE)
        .all(db)
        .await?;
    Ok(Page { rows: views(db, rows).await?, total, page, page_size: LEARNER_PAGE_SIZE })
}

/// The communes, organisations and teams an actor may register learners in.
pub async fn choices(
    db: &impl ConnectionTrait,
    actor: &Actor,
    landing: Area,
) -> Result<crate::model::RegistrationChoices> {
    let account = actor.account()?;
    let mut communes = commune::Entity::find().order_by_asc(commune::Column::Name);
    if actor.sees_everything()
        && let Some(code) = landing.province()
    {
        communes = communes.filter(commune::Column::ProvinceCode.eq(code));
    } else if !actor.sees_everything() {
        communes = communes.filter(commune::Column::Code.is_in(account.scope.communes.iter().copied()));
    }
    let communes: Vec<commune::Model> = communes
        .all(db)
        .await?
        .into_iter()
        .filter(|c| actor.sees_everything() || account.scope.communes.contains(&c.code))
        .collect();
    let organisations = crate::service::units::list_organisations(db, actor, None).await?;
    let teams = crate::service::units::list_teams(db, actor, None).await?;
    // Seven "Xã Tân Tiến" in one list: each said with its province.
    let mut bearers: HashMap<&str, usize> = HashMap::new();
    for c in &communes {
        *bearers.entry(c.name.as_str()).or_default() += 1;
    }
    let provinces = if bearers.values().any(|n| *n > 1) { Some(ProvinceIndex::load(db).await?) } else { None };
    let label = |c: &commune::Model| match &provinces {
        Some(provinces) if bearers[c.name.as_str()] > 1 => {
            format!("{} ({})", c.name, provinces.name(c.province_code).unwrap_or_default())
        }
        _ => c.name.clone(),
    };
    Ok(crate::model::RegistrationChoices {
        communes: communes.iter().map(|c| (c.code, label(c))).collect(),
        organisations: organisations.into_iter().map(|o| (o.id, o.name)).collect(),
        teams: teams.into_iter().map(|t| (t.id, t.name)).collect(),
    })
}

/// A learner's card, for those in scope. The progress link and its QR code are on it only for
/// whoever holds the link just made (`fresh`: the secret `register` or `renew_progress_link` gave):
/// the database keeps the link hashed.
pub async fn card(
    db: &impl ConnectionTrait,
    actor: &Actor,
    code: &str,
    public_url: &str,
    fresh: Option<&str>,
) -> Result<crate::model::LearnerCard> {
    let learner = find(db, actor, code).await?;
    let row = learner::Entity::find_by_id(learner.id).one(db).await?.ok_or(Error::NotFound)?;
    let progress_url = fresh
        .filter(|secret| progress_link::is_link_of(&row, secret))
        .map(|secret| progress_link::url(public_url, secret));
    let qr_svg = progress_url.as_deref().map(qr_svg).transpose()?;
    Ok(crate::model::LearnerCard { learner, has_progress_link: row.access_token.is_some(), progress_url, qr_svg })
}

/// An SVG QR code; readable by phone cameras when printed at 3 cm or more.
pub fn qr_svg(text: &str) -> Result<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| Error::Internal)?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// Where a learner counts, as the audit log follows an edit: personal values stay out of it, the
/// places and the group are enough to follow a move of their counts.
fn counted_as(row: &learner::Model) -> serde_json::Value {
    json!({
        "commune": row.commune_code,
        "organisation": row.organisation_id,
        "team": row.team_id,
        "group": row.learner_group,
    })
}

/// Edits a learner inside the actor's scope (404 outside it). The same rules as registration apply;
/// a change that makes them the same person as another learner is a conflict naming that learner.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    landing: Area,
    code: &str,
    form: &LearnerForm,
) -> Result<LearnerView> {
    let directory = Directory::load(db, actor, landing).await?;
    let current = find(db, actor, code).await?;
    let mut form = form.clone();
    // Consent was recorded at registration; an edit does not ask again.
    form.consent_version = Some(CONSENT_VERSION.to_string());
    let valid = validate(actor, &directory, &form, today())?;
    let name_folded = valid.full_name.folded();
    let key = crate::service::learners::dedup_key(valid.phone.as_str(), &name_folded, valid.birth_date.date());
    let txn = crate::db::write(db).await?;
    if let Some(other) = learner::Entity::find().filter(learner::Column::DedupKey.eq(&key)).one(&txn).await?
        && other.id != current.id
    {
        return Err(already_registered(actor, &other));
    }
    let row = learner::Entity::find_by_id(current.id).one(&txn).await?.ok_or(Error::NotFound)?;
    let before = counted_as(&row);
    let row = crate::service::learners::update_in(&txn, row, |change| {
        use sea_orm::Set;
        change.full_name = Set(valid.full_name.as_str().to_string());
        change.name_folded = Set(name_folded);
        change.birth_date = Set(Some(valid.birth_date.date()));
        change.gender = Set(valid.gender.as_str().to_string());
        change.phone = Set(Some(valid.phone.as_str().to_string()));
        change.dedup_key = Set(Some(key));
        change.commune_code = Set(valid.commune);
        change.organisation_id = Set(valid.organisation);
        change.team_id = Set(valid.team);
        change.learner_group = Set(valid.group);
    })
    .await?;
    let after = counted_as(&row);
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::Update,
        audit::Entity::Learner,
        Some(row.code.clone()),
        json!({"before": before, "after": after}),
    )
    .await?;
    txn.commit().await?;
    Ok(views(db, vec![row]).await?.remove(0))
}

/// Deactivates or reactivates a learner inside the actor's scope; they leave (or rejoin) every count.
pub async fn set_active(db: &DatabaseConnection, actor: &Actor, code: &str, active: bool) -> Result<LearnerView> {
    let current = find(db, actor, code).await?;
    let txn = crate::db::write(db).await?;
    let row = learner::Entity::find_by_id(current.id).one(&txn).await?.ok_or(Error::NotFound)?;
    let row = crate::service::learners::update_in(&txn, row, |change| change.active = sea_orm::Set(active)).await?;
    let action = if active { audit::Action::Reactivate } else { audit::Action::Deactivate };
    audit::record(
        &txn,
        &actor.label(),
        action,
        audit::Entity::Learner,
        Some(row.code.clone()),
        json!({"after": {"active": active}}),
    )
    .await?;
    txn.commit().await?;
    Ok(views(db, vec![row]).await?.remove(0))
}

/// Gives a learner a new personal link: the old one then shows "no longer valid". For a lost or
/// shared card. Returns the card showing the new link, and the link's secret (shown this once).
/// The audit entry records who did it, never the secret.
pub async fn renew_progress_link(
    db: &DatabaseConnection,
    actor: &Actor,
    code: &str,
    public_url: &str,
) -> Result<(crate::model::LearnerCard, String)> {
    let current = find(db, actor, code).await?;
    let txn = crate::db::write(db).await?;
    let link = progress_link::issue(&txn, current.id).await?;
    audit::record(
        &txn,
        &actor.label(),
        audit::Action::RenewProgressLink,
        audit::Entity::Learner,
        Some(current.code.clone()),
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok((card(db, actor, code, public_url, Some(&link)).await?, link))
}

//! The demo campaign: deterministic, sized like the one the Lào Cai steering committee reported
//! (152 teams, 7,678 enrolments of which 5,835 completed = 76.0%). Names are synthetic.
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::auth::Scope;
use crate::entity::{app_meta, commune, course, enrolment, learner, organisation, team};
use crate::model::{EnrolmentStatus, Source, TargetMetric, UnitKind};
use crate::service::enrolments::{Completion, completed_row, new_row};
use crate::service::statistics::{Deltas, Placement};
use crate::service::{accounts, now};
use crate::text::fold;
use crate::week::week_of;
use crate::{Error, Result};

pub const DEMO_PROVINCE: i32 = 15;
pub const DEMO_TEAMS: usize = 152;
pub const DEMO_ORGANISATIONS: usize = 30;
pub const DEMO_ENROLMENTS: usize = 7_678;
pub const DEMO_COMPLETED: usize = 5_835;
/// The notice version demo learners are recorded as having agreed to.
pub const DEMO_CONSENT_VERSION: &str = "demo";
/// Demo logins, printed by `make run`. Only the demo campaign has them.
pub const DEMO_ADMIN: &str = "admin";
pub const DEMO_ORGANISER: &str = "tochuc.demo";
/// The demo's province admin: Lào Cai only.
pub const DEMO_PROVINCE_ADMIN: &str = "quantri.laocai";
pub const DEMO_PASSWORD: &str = "hocvuso-demo-2026";
/// The demo organiser works in Xã Khao Mang and Xã Mù Cang Chải.
pub const DEMO_ORGANISER_COMMUNES: [i32; 2] = [4465, 4456];

/// SplitMix64: a few lines, no dependency, and the same numbers on every machine.
/// SplitMix64: the same numbers on every run (the demo, the benchmark).
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut pick = self.next() % total;
        for (i, w) in weights.iter().enumerate() {
            if pick < *w {
                return i;
            }
            pick -= w;
        }
        weights.len() - 1
    }
}

const FAMILY: &[&str] =
    &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vàng", "Giàng", "Lò", "Sùng", "Đỗ", "Bùi", "Vũ", "Đặng", "Lý", "Hà"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "A", "Seo", "Quang", "Thanh"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Chi", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương",
    "Sính", "Súa", "Thắng", "Trang", "Tú", "Vân", "Xuân", "Yến", "Dơ", "Pao",
];
const ORGANISATION_KINDS: &[(&str, &str)] = &[
    ("co_quan", "Cơ quan"),
    ("truong_hoc", "Trường"),
    ("doanh_nghiep", "Doanh nghiệp"),
    ("doan_thanh_nien", "Đoàn Thanh niên"),
];
const COURSES: &[(&str, &str, &str, i32)] = &[
    ("KNS-01", "Kỹ năng số cơ bản cho người dân", "Basic digital skills for citizens", 8),
    ("DVC-02", "Sử dụng dịch vụ công trực tuyến", "Using online public services", 6),
    ("ATTT-03", "An toàn thông tin và phòng chống lừa đảo trực tuyến", "Online safety and fraud prevention", 4),
    ("CDS-04", "Chuyển đổi số cho cán bộ, công chức", "Digital transformation for civil servants", 12),
    ("AI-05", "Trí tuệ nhân tạo cơ bản", "Artificial intelligence basics", 6),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    pub organisations: usize,
    pub teams: usize,
    pub learners: usize,
    pub enrolments: usize,
    pub completed: usize,
}

/// True when the database holds no learner and no account yet: the demo, whose logins have a
/// published password, is only ever loaded into an empty database.
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool> {
    Ok(learner::Entity::find().count(db).await? == 0 && crate::entity::account::Entity::find().count(db).await? == 0)
}

/// True when the database holds the demo campaign.
pub async fn is_demo(db: &DatabaseConnection) -> Result<bool> {
    Ok(app_meta::Entity::find_by_id("demo".to_string()).one(db).await?.is_some())
}

fn campaign_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 2, 0, 0).single().expect("a valid date")
}

fn campaign_last_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).single().expect("a valid date")
}

/// A demo learner code; deterministic, so it never collides.
fn demo_code(index: usize) -> String {
    format!("HV-D{index:05}")
}

pub async fn seed_demo(db: &DatabaseConnection) -> Result<DemoSummary> {
    if !is_empty(db).await? {
        // The database already holds accounts or learners: the demo is loaded only into an empty one.
        return Err(Error::Conflict(None));
    }
    let mut rng = Rng(0x00B1_4D4E_2025_0057);
    let txn = crate::db::write(db).await?;
    let created = now();
    let communes = commune::Entity::find().filter(commune::Column::ProvinceCode.eq(DEMO_PROVINCE)).all(&txn).await?;
    if communes.is_empty() {
        return Err(Error::Internal);
    }
    // Uneven on purpose: a few communes carry much of the campaign.
    let commune_weight: Vec<u64> = communes.iter().map(|_| 1 + (rng.below(10) as u64).pow(2)).collect();
    // Each commune's readiness shapes its completion rate.
    let commune_drive: Vec<f64> = communes.iter().map(|_| 0.5 + rng.unit() * 4.0).collect();

    let mut courses = Vec::new();
    for (code, title, title_en, hours) in COURSES {
        let row = course::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(code.to_string()),
            title: Set(title.to_string()),
            title_en: Set(Some(title_en.to_string())),
            platform: Set("onething.vn".to_string()),
            url: Set(Some(format!("https://example.edu.vn/courses/{}", code.to_lowercase()))),
            hours: Set(*hours),
            active: Set(true),
            created_at: Set(created),
            activity_iri: Set(None),
        };
        courses.push(row.insert(&txn).await?);
    }

    let mut organisations = Vec::new();
    for i in 0..DEMO_ORGANISATIONS {
        let c = &communes[rng.weighted(&commune_weight)];
        let (kind, label) = ORGANISATION_KINDS[i % ORGANISATION_KINDS.len()];
        let name = format!("{label} {} số {}", c.name, i + 1);
        organisations.push(organisation::ActiveModel {
            id: Set(Uuid::now_v7()),
            name_folded: Set(fold(&name)),
            name: Set(name),
            kind: Set(kind.to_string()),
            commune_code: Set(c.code),
            parent_id: Set(None),
            active: Set(true),
            created_at: Set(created),
            updated_at: Set(created),
        });
    }
    let organisation_ids: Vec<(Uuid, i32)> =
        organisations.iter().map(|o| (*o.id.as_ref(), *o.commune_code.as_ref())).collect();
    organisation::Entity::insert_many(organisations).exec(&txn).await?;
    let organisation_weight: Vec<u64> = organisation_ids.iter().map(|_| 1 + rng.below(8) as u64).collect();

    // Every commune has a team; the rest go where the campaign is busiest.
    let mut team_communes: Vec<usize> = (0..communes.len()).collect();
    while team_communes.len() < DEMO_TEAMS {
        team_communes.push(rng.weighted(&commune_weight));
    }
    let mut teams = Vec::new();
    let mut teams_of_commune: Vec<Vec<Uuid>> = vec![Vec::new(); communes.len()];
    for (n, ci) in team_communes.into_iter().enumerate() {
        let c = &communes[ci];
        let id = Uuid::now_v7();
        teams_of_commune[ci].push(id);
        let name = format!("Đội hình BDHVS {} {}", c.name, teams_of_commune[ci].len());
        let organisation = organisation_ids.iter().find(|(_, code)| *code == c.code).map(|(id, _)| *id);
        let founded =
            NaiveDate::from_ymd_opt(2025, 3, 1).expect("a valid date") + Duration::days(rng.below(120) as i64);
        teams.push(team::ActiveModel {
            id: Set(id),
            name_folded: Set(fold(&name)),
            name: Set(name),
            commune_code: Set(c.code),
            organisation_id: Set(organisation),
            leader_name: Set(Some(format!(
                "{} {} {}",
                FAMILY[n % FAMILY.len()],
                MIDDLE[n % MIDDLE.len()],
                GIVEN[(n * 7) % GIVEN.len()]
            ))),
            member_count: Set(5 + rng.below(20) as i32),
            founded_on: Set(Some(founded)),
            active: Set(true),
            created_at: Set(created),
            updated_at: Set(created),
        });
    }
    team::Entity::insert_many(teams).exec(&txn).await?;

    // Learners and their enrolments, until exactly DEMO_ENROLMENTS.
    let span_seconds = (campaign_last_day() - campaign_start()).num_seconds();
    let mut learners = Vec::new();
    let mut enrolments: Vec<(enrolment::Model, Placement, f64)> = Vec::new();
    let mut deltas = Deltas::default();
    while enrolments.len() < DEMO_ENROLMENTS {
        let index = learners.len();
        let ci = rng.weighted(&commune_weight);
        let c = &communes[ci];
        let team = teams_of_commune[ci][rng.below(teams_of_commune[ci].len())];
        let organisation = (rng.below(10) < 6).then(|| organisation_ids[rng.weighted(&organisation_weight)].0);
        let full_name = format!(
            "{} {} {}",
            FAMILY[rng.below(FAMILY.len())],
            MIDDLE[rng.below(MIDDLE.len())],
            GIVEN[rng.below(GIVEN.len())]
        );
        let birth =
            NaiveDate::from_ymd_opt(1965, 1, 1).expect("a valid date") + Duration::days(rng.below(40 * 365) as i64);
        let phone = format!("+8498{:07}", 1_000_000 + index);
        // Later weeks are busier, as campaigns grow: the square root skews towards the end.
        let registered = campaign_start() + Duration::seconds((rng.unit().sqrt() * span_seconds as f64 * 0.9) as i64);
        let folded = fold(&full_name);
        // Four in five classified, by turns (no draw: the other figures stay as they were).
        let group = crate::model::LearnerGroup::ALL.get(index % 5).copied();
        let placement = Placement { province: DEMO_PROVINCE, commune: c.code, organisation, team: Some(team), group };
        let learner_id = Uuid::now_v7();
        deltas.learner(&placement, week_of(registered), 1);
        learners.push(learner::ActiveModel {
            id: Set(learner_id),
            code: Set(demo_code(index)),
            dedup_key: Set(Some(format!("{phone}|{folded}|{birth}"))),
            full_name: Set(full_name),
            name_folded: Set(folded),
            birth_date: Set(Some(birth)),
            gender: Set(["nam", "nu"][rng.below(2)].to_string()),
            phone: Set(Some(phone)),
            commune_code: Set(c.code),
            organisation_id: Set(organisation),
            team_id: Set(Some(team)),
            access_token: Set(None),
            consent_version: Set(Some(DEMO_CONSENT_VERSION.to_string())),
            consent_at: Set(Some(registered)),
            registered_by: Set(None),
            active: Set(true),
            created_at: Set(registered),
            created_week: Set(week_of(registered)),
            updated_at: Set(created),
            citizen_id_hash: Set(None),
            erased_at: Set(None),
            erased_by: Set(None),
            learner_group: Set(group),
            // Settled with the counters below, once the enrolments are written.
            trained_week: Set(None),
        });
        let wanted = 1 + rng.below(4);
        let first_course = rng.below(courses.len());
        for k in 0..wanted.min(DEMO_ENROLMENTS - enrolments.len()) {
            let course = &courses[(first_course + k) % courses.len()];
            let remaining = (campaign_last_day() - registered).num_seconds().max(1);
            let enrolled_at = registered + Duration::seconds(rng.below(remaining as usize / 4 + 1) as i64);
            // Efraimidis–Spirakis key: drawing the top keys picks completions in proportion to the commune's drive.
            let key = rng.unit().powf(1.0 / commune_drive[ci]);
            let row = enrolment::Model {
                progress: rng.below(60) as i32,
                ..new_row(learner_id, course.id, enrolled_at, Source::Demo, created)
            };
            enrolments.push((row, placement.clone(), key));
        }
    }

    // Exactly DEMO_COMPLETED completions: the highest keys.
    let mut order: Vec<usize> = (0..enrolments.len()).collect();
    order.sort_by(|a, b| enrolments[*b].2.total_cmp(&enrolments[*a].2).then(a.cmp(b)));
    for (rank, i) in order.into_iter().enumerate() {
        let (row, _, _) = &mut enrolments[i];
        if rank < DEMO_COMPLETED {
            let completed_at = (row.enrolled_at + Duration::days(3 + rng.below(45) as i64)).min(campaign_last_day());
            let completion = Completion {
                at: completed_at,
                score: Some(50.0 + rng.below(51) as f64),
                certificate_no: Some(format!("CC-{:06}", rank + 1)),
                source: Source::Demo,
            };
            *row = completed_row(row, &completion, created);
        } else if rng.below(2) == 0 {
            row.status = EnrolmentStatus::InProgress;
        }
    }
    for (row, placement, _) in &enrolments {
        deltas.enrolment(row.learner_id, placement, row.course_id, row.enrolled_week, row.completed_week, 1);
    }

    let summary = DemoSummary {
        organisations: DEMO_ORGANISATIONS,
        teams: DEMO_TEAMS,
        learners: learners.len(),
        enrolments: enrolments.len(),
        completed: DEMO_COMPLETED,
    };
    for chunk in learners.chunks(500) {
        learner::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    let enrolment_rows: Vec<_> = enrolments.into_iter().map(|(row, _, _)| row).collect();
    crate::db::insert_models(&txn, &enrolment_rows).await?;
    deltas.apply(&txn).await?;
    // Targets, as a steering committee sets them: 80% for the province, 75% for every commune.
    let target = |kind: UnitKind, id: String, value: i64| crate::entity::target::ActiveModel {
        id: Set(Uuid::now_v7()),
        unit_kind: Set(kind),
        unit_id: Set(id),
        period: Set(String::new()),
        metric: Set(TargetMetric::CompletionRate),
        value: Set(value),
        learner_group: Set(String::new()),
        created_at: Set(created),
    };
    let mut targets = vec![target(UnitKind::Province, DEMO_PROVINCE.to_string(), 800)];
    targets.extend(communes.iter().map(|c| target(UnitKind::Commune, c.code.to_string(), 750)));
    crate::entity::target::Entity::insert_many(targets).exec(&txn).await?;
    app_meta::ActiveModel { key: Set("demo".to_string()), value: Set(created.to_rfc3339()) }.insert(&txn).await?;
    txn.commit().await?;

    let seeder = "seed-demo";
    accounts::insert_account(db, seeder, DEMO_ADMIN, "Quản trị viên (demo)", DEMO_PASSWORD, accounts::Reach::Country)
        .await?;
    accounts::insert_account(
        db,
        seeder,
        DEMO_PROVINCE_ADMIN,
        "Quản trị tỉnh Lào Cai (demo)",
        DEMO_PASSWORD,
        accounts::Reach::Province(DEMO_PROVINCE),
    )
    .await?;
    let scope = Scope { communes: DEMO_ORGANISER_COMMUNES.into_iter().collect(), organisations: Default::default() };
    accounts::insert_account(
        db,
        seeder,
        DEMO_ORGANISER,
        "Người tổ chức (demo)",
        DEMO_PASSWORD,
        accounts::Reach::Scope(&scope),
    )
    .await?;
    Ok(summary)
}

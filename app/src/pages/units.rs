//! `/organisations` and `/teams` (đội hình): list, create, edit, enrol whole, and deactivate, inside the
//! organiser's scope. Plain form posts (`server/src/routes/units.rs`), so they work without JavaScript.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{ORGANISATION_KINDS, TeamGuidanceSummary, UnitForm, UnitKind, UnitView};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::forms::{ActionError, SavedNotice, UnitAttempt, posted};
use crate::i18n::use_lang;

pub async fn list_units(kind: UnitKind) -> Result<Vec<UnitView>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        match kind {
            UnitKind::Organisation => hocvuso::service::units::list_organisations(&state.db, &actor, None).await,
            UnitKind::Team => hocvuso::service::units::list_teams(&state.db, &actor, None).await,
            _ => Err(Error::NotFound),
        }
    })
    .await
}

/// The guidance sessions (buổi hướng dẫn) of the actor's teams: figures and the latest of each.
pub async fn team_guidance(kind: UnitKind) -> Result<Vec<TeamGuidanceSummary>, Error> {
    if kind != UnitKind::Team {
        return Ok(Vec::new());
    }
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::guidance::of_my_teams(&state.db, &crate::state::actor()).await
    })
    .await
}

/// A team's guidance: this week's and all time's figures, and its latest sessions.
fn guidance_view(lang: Lang, summary: Option<TeamGuidanceSummary>) -> impl IntoView {
    let summary = summary?;
    let figures = |f: hocvuso::model::GuidanceFigures| {
        format!(
            "{} {} · {} {} · {} {}",
            lang.count(f.sessions),
            lang.t(Text::Sessions).to_lowercase(),
            lang.count(f.attendances),
            lang.t(Text::Attendances).to_lowercase(),
            lang.count(f.people_guided()),
            lang.t(Text::PeopleGuided).to_lowercase(),
        )
    };
    let rows = summary
        .latest
        .into_iter()
        .map(|s| {
            view! {
                <tr>
                    <td>{s.date.format("%d/%m/%Y").to_string()}</td>
                    <td>{format!("{}, {}", s.village, s.commune_name)}</td>
                    <td>{s.topic}</td>
                    <td class="num">{lang.count(s.attendees.len() as i64)}</td>
                    <td class="num">{lang.count(s.guided_unregistered)}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <details data-testid="team-guidance">
            <summary>{format!("{} · {}: {}", lang.t(Text::GuidanceSessions), lang.t(Text::ThisWeek), figures(summary.this_week))}</summary>
            <p class="hint">{format!("{}: {}", lang.t(Text::AllTime), figures(summary.all_time))}</p>
            <table class="units">
                <thead>
                    <tr>
                        <th>{lang.t(Text::SessionDate)}</th>
                        <th>{lang.t(Text::Village)}</th>
                        <th>{lang.t(Text::Topic)}</th>
                        <th class="num">{lang.t(Text::Attendances)}</th>
                        <th class="num">{lang.t(Text::GuidedUnregistered)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    })
}

fn kind_text(kind: &str) -> Text {
    match kind {
        "co_quan" => Text::KindAgency,
        "truong_hoc" => Text::KindSchool,
        "doanh_nghiep" => Text::KindEnterprise,
        "doan_thanh_nien" => Text::KindYouthUnion,
        _ => Text::KindOther,
    }
}

#[component]
pub fn OrganisationsPage() -> impl IntoView {
    view! { <UnitsPage kind=UnitKind::Organisation /> }
}

#[component]
pub fn TeamsPage() -> impl IntoView {
    view! { <UnitsPage kind=UnitKind::Team /> }
}

/// The path of the unit pages: `/organisations` or `/teams`.
fn base(kind: UnitKind) -> &'static str {
    if kind == UnitKind::Organisation { "/organisations" } else { "/teams" }
}

#[component]
fn UnitsPage(kind: UnitKind) -> impl IntoView {
    let lang = use_lang();
    let units = Resource::new(|| (), move |_| list_units(kind));
    let guidance = Resource::new(|| (), move |_| team_guidance(kind));
    let attempt = posted::<UnitAttempt>().unwrap_or_default();
    let query = use_query_map();
    // `?enrolled=3&already=2` after a whole-unit enrolment.
    let enrolled = query.with_untracked(|q| Some((q.get("enrolled")?, q.get("already")?))).map(|(now, already)| {
        view! {
            <p class="notice" role="status" data-testid="group-enrolled">
                {format!("{}: {now} · {}: {already}", lang.t(Text::EnrolledNow), lang.t(Text::EnrolledAlready))}
            </p>
        }
    });
    let title = if kind == UnitKind::Organisation { Text::Organisations } else { Text::Teams };
    // The new unit's form keeps what was typed when it was refused; a row's edit form keeps its own.
    let new = if attempt.id.is_none() { Some(attempt.form.clone()) } else { None };
    view! {
        <h1>{lang.t(title)}</h1>
        <SavedNotice lang />
        <ActionError lang error=attempt.error.clone() />
        {enrolled}
        <Suspense fallback=move || loading(lang)>
            {move || {
                let attempt = attempt.clone();
                Suspend::new(async move {
                match (units.await, guidance.await) {
                    (Ok(list), Ok(guidance)) => {
                        let rows = list
                            .into_iter()
                            .map(|unit| {
                                let detail = if kind == UnitKind::Organisation {
                                    unit.kind.as_deref().map(|k| lang.t(kind_text(k)).to_string()).unwrap_or_default()
                                } else {
                                    format!("{} · {}", unit.leader_name.clone().unwrap_or_default(), unit.member_count.unwrap_or(0))
                                };
                                let refused = attempt.id == Some(unit.id);
                                let typed = if refused { Some(attempt.form.clone()) } else { None };
                                let path = format!("{}/{}", base(kind), unit.id);
                                let sessions = guidance_view(lang, guidance.iter().find(|g| g.team == unit.id).cloned());
                                let unit_param = if kind == UnitKind::Organisation { "organisation" } else { "team" };
                                let at_risk = format!("/at-risk?{unit_param}={}", unit.id);
                                view! {
                                    <tr data-unit=unit.name.clone()>
                                        <td>{unit.name.clone()}</td>
                                        <td>{unit.commune_name.clone()}</td>
                                        <td class="wide-only">{detail}</td>
                                        <td class="actions">
                                            <a href=at_risk data-testid="unit-at-risk">{lang.t(Text::AtRiskNav)}</a>
                                            <details open=refused>
                                                <summary>{lang.t(Text::Edit)}</summary>
                                                <UnitFormView lang kind existing=Some(unit.clone()) typed />
                                            </details>
                                            <details>
                                                <summary>{lang.t(Text::EnrolAll)}</summary>
                                                <form method="post" action=format!("{path}/enrol") class="form">
                                                    <label>{lang.t(Text::CourseCode)} <input name="course_code" required /></label>
                                                    <button type="submit">{lang.t(Text::Enrol)}</button>
                                                </form>
                                            </details>
                                            {sessions}
                                            <form method="post" action=format!("{path}/deactivate") class="inline">
                                                <button type="submit">{lang.t(Text::Deactivate)}</button>
                                            </form>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <ScrollTable label=lang.t(title)>
                                <table class="units" data-testid="units">
                                    <thead>
                                        <tr>
                                            <th>{lang.t(Text::Name)}</th>
                                            <th>{lang.t(Text::Commune)}</th>
                                            <th class="wide-only"></th>
                                            <th></th>
                                        </tr>
                                    </thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </ScrollTable>
                        }
                        .into_any()
                    }
                    (Err(err), _) | (_, Err(err)) => failed(lang, &err),
                }
            })
            }}
        </Suspense>
        <h2>{lang.t(Text::Create)}</h2>
        <UnitFormView lang kind existing=None typed=new />
    }
}

/// The create or edit form of an organisation or a team: what was typed when it was refused, else
/// the unit as it is (or empty).
#[component]
fn UnitFormView(lang: Lang, kind: UnitKind, existing: Option<UnitView>, typed: Option<UnitForm>) -> impl IntoView {
    let action = match &existing {
        Some(unit) => format!("{}/{}", base(kind), unit.id),
        None => base(kind).to_string(),
    };
    let form = typed.unwrap_or_else(|| {
        existing.as_ref().map_or_else(UnitForm::default, |u| UnitForm {
            name: u.name.clone(),
            commune: u.commune_code.to_string(),
            kind: u.kind.clone(),
            organisation: u.organisation_id.map(|o| o.to_string()),
            leader_name: u.leader_name.clone(),
            member_count: u.member_count.map(|m| m.to_string()),
            founded_on: u.founded_on.map(|d| d.format("%d/%m/%Y").to_string()),
        })
    });
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let current_kind = value(&form.kind);
    view! {
        <form method="post" action=action class="form">
            <label>{lang.t(Text::Name)} <input name="name" value=form.name.clone() required /></label>
            <label>{lang.t(Text::CommuneCode)} <input name="commune" value=form.commune.clone() inputmode="numeric" required /></label>
            {(kind == UnitKind::Organisation).then(|| view! {
                <label>
                    {lang.t(Text::KindLabel)}
                    <select name="kind">
                        {ORGANISATION_KINDS.iter().map(|k| view! {
                            <option value=*k selected=current_kind == *k>{lang.t(kind_text(k))}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label>
                {lang.t(if kind == UnitKind::Organisation { Text::ParentOrganisation } else { Text::Organisation })}
                <input name="organisation" value=value(&form.organisation) />
            </label>
            {(kind == UnitKind::Team).then(|| view! {
                <label>{lang.t(Text::Leader)} <input name="leader_name" value=value(&form.leader_name) /></label>
                <label>{lang.t(Text::Members)} <input name="member_count" value=value(&form.member_count) inputmode="numeric" /></label>
                <label>{lang.t(Text::FoundedOn)} <input name="founded_on" value=value(&form.founded_on) placeholder="dd/mm/yyyy" /></label>
            })}
            <button type="submit">{lang.t(Text::Save)}</button>
        </form>
    }
}

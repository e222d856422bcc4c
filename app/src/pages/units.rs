//! `/organisations` and `/teams` (đội hình): list, create, edit, enrol whole, and deactivate, inside the
//! organiser's scope. Plain form posts (`server/src/routes/units.rs`), so they work without JavaScript.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{ORGANISATION_KINDS, UnitForm, UnitKind, UnitView};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::status::{failed, loading};
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
                match units.await {
                    Ok(list) => {
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
                                view! {
                                    <tr data-unit=unit.name.clone()>
                                        <td>{unit.name.clone()}</td>
                                        <td>{unit.commune_name.clone()}</td>
                                        <td class="wide-only">{detail}</td>
                                        <td class="actions">
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
                                            <form method="post" action=format!("{path}/deactivate") class="inline">
                                                <button type="submit">{lang.t(Text::Deactivate)}</button>
                                            </form>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <div class="table-scroll">
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
                            </div>
                        }
                        .into_any()
                    }
                    Err(err) => failed(lang, &err),
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

//! `/organisations` and `/teams` (đội hình): list, create, edit and deactivate, inside the organiser's scope.
use hocvuso::Error;
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::{ORGANISATION_KINDS, UnitForm, UnitKind, UnitView};
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::status::{failed, loading};
use crate::i18n::use_lang;
use crate::pages::admin::ActionError;

#[server(endpoint = "list_units")]
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

/// Creates (no `id`) or edits (with `id`) an organisation or a team.
#[server(endpoint = "save_unit")]
pub async fn save_unit(kind: UnitKind, id: Option<Uuid>, form: UnitForm) -> Result<(), Error> {
    crate::state::respond(async {
        use hocvuso::service::units;
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        let (db, province) = (&state.db, state.province);
        match (kind, id) {
            (UnitKind::Organisation, None) => units::create_organisation(db, &actor, province, &form).await.map(|_| ()),
            (UnitKind::Organisation, Some(id)) => {
                units::update_organisation(db, &actor, province, id, &form).await.map(|_| ())
            }
            (UnitKind::Team, None) => units::create_team(db, &actor, province, &form).await.map(|_| ()),
            (UnitKind::Team, Some(id)) => units::update_team(db, &actor, province, id, &form).await.map(|_| ()),
            _ => Err(Error::NotFound),
        }
    })
    .await
}

/// Enrols every learner of a team or organisation in a course: (enrolled now, enrolled already).
#[server(endpoint = "enrol_unit")]
pub async fn enrol_unit(kind: UnitKind, id: Uuid, course_code: String) -> Result<(u64, u64), Error> {
    crate::state::respond(async {
        use hocvuso::service::progress::{Group, enrol_group};
        let state = crate::state::app_state()?;
        let group = match kind {
            UnitKind::Organisation => Group::Organisation(id),
            UnitKind::Team => Group::Team(id),
            _ => return Err(Error::NotFound),
        };
        enrol_group(&state.db, &crate::state::actor(), group, &course_code).await
    })
    .await
}

#[server(endpoint = "set_unit_active")]
pub async fn set_unit_active(kind: UnitKind, id: Uuid, active: bool) -> Result<(), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        hocvuso::service::units::set_active(&state.db, &actor, kind, id, active).await
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

#[island]
fn UnitsPage(kind: UnitKind) -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SaveUnit>::new();
    let toggle = ServerAction::<SetUnitActive>::new();
    let enrol = ServerAction::<EnrolUnit>::new();
    let units = Resource::new(move || (save.version().get(), toggle.version().get()), move |_| list_units(kind));
    let action_error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| toggle.value().get().and_then(Result::err))
            .or_else(|| enrol.value().get().and_then(Result::err))
    };
    let enrolled = move || {
        enrol.value().get().and_then(Result::ok).map(|(now, already)| {
            view! {
                <p class="notice" role="status" data-testid="group-enrolled">
                    {format!("{}: {now} · {}: {already}", lang.t(Text::EnrolledNow), lang.t(Text::EnrolledAlready))}
                </p>
            }
        })
    };
    let title = if kind == UnitKind::Organisation { Text::Organisations } else { Text::Teams };
    view! {
        <h1>{lang.t(title)}</h1>
        {move || view! { <ActionError lang error=action_error() /> }}
        {enrolled}
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
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
                                view! {
                                    <tr data-unit=unit.name.clone()>
                                        <td>{unit.name.clone()}</td>
                                        <td>{unit.commune_name.clone()}</td>
                                        <td class="wide-only">{detail}</td>
                                        <td class="actions">
                                            <details>
                                                <summary>{lang.t(Text::Edit)}</summary>
                                                <UnitFormView lang kind save existing=Some(unit.clone()) />
                                            </details>
                                            <details>
                                                <summary>{lang.t(Text::EnrolAll)}</summary>
                                                <ActionForm action=enrol attr:class="form">
                                                    <input type="hidden" name="kind" value=format!("{kind:?}") />
                                                    <input type="hidden" name="id" value=unit.id.to_string() />
                                                    <label>{lang.t(Text::CourseCode)} <input name="course_code" required /></label>
                                                    <button type="submit">{lang.t(Text::Enrol)}</button>
                                                </ActionForm>
                                            </details>
                                            <ActionForm action=toggle attr:class="inline">
                                                <input type="hidden" name="kind" value=format!("{kind:?}") />
                                                <input type="hidden" name="id" value=unit.id.to_string() />
                                                <input type="hidden" name="active" value="false" />
                                                <button type="submit">{lang.t(Text::Deactivate)}</button>
                                            </ActionForm>
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
            })}
        </Suspense>
        <h2>{lang.t(Text::Create)}</h2>
        <UnitFormView lang kind save existing=None />
    }
}

/// The create or edit form of an organisation or a team.
#[component]
fn UnitFormView(lang: Lang, kind: UnitKind, save: ServerAction<SaveUnit>, existing: Option<UnitView>) -> impl IntoView {
    let value = |f: fn(&UnitView) -> Option<String>| existing.as_ref().and_then(f).unwrap_or_default();
    let name = value(|u| Some(u.name.clone()));
    let commune = value(|u| Some(u.commune_code.to_string()));
    let organisation = value(|u| u.organisation_id.map(|o| o.to_string()));
    let current_kind = value(|u| u.kind.clone());
    let leader = value(|u| u.leader_name.clone());
    let members = value(|u| u.member_count.map(|m| m.to_string()));
    let founded = value(|u| u.founded_on.map(|d| d.format("%d/%m/%Y").to_string()));
    let id = existing.as_ref().map(|u| u.id.to_string());
    view! {
        <ActionForm action=save attr:class="form">
            <input type="hidden" name="kind" value=format!("{kind:?}") />
            {id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
            <label>{lang.t(Text::Name)} <input name="form[name]" value=name required /></label>
            <label>{lang.t(Text::CommuneCode)} <input name="form[commune]" value=commune inputmode="numeric" required /></label>
            {(kind == UnitKind::Organisation).then(|| view! {
                <label>
                    {lang.t(Text::KindLabel)}
                    <select name="form[kind]">
                        {ORGANISATION_KINDS.iter().map(|k| view! {
                            <option value=*k selected=current_kind == *k>{lang.t(kind_text(k))}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label>
                {lang.t(if kind == UnitKind::Organisation { Text::ParentOrganisation } else { Text::Organisation })}
                <input name="form[organisation]" value=organisation />
            </label>
            {(kind == UnitKind::Team).then(|| view! {
                <label>{lang.t(Text::Leader)} <input name="form[leader_name]" value=leader /></label>
                <label>{lang.t(Text::Members)} <input name="form[member_count]" value=members inputmode="numeric" /></label>
                <label>{lang.t(Text::FoundedOn)} <input name="form[founded_on]" value=founded placeholder="dd/mm/yyyy" /></label>
            })}
            <button type="submit">{lang.t(Text::Save)}</button>
        </ActionForm>
    }
}

//! `/admin/targets`: admins set targets per unit and period, one at a time or from a CSV file, and
//! upload population figures (the denominator of coverage).
//! Plain form posts, so they work without JavaScript; problems come back beside what was typed.
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::{PopulationView, TargetView};
use leptos::prelude::*;

use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::forms::{TargetAttempt, TextField, posted};
use crate::i18n::use_lang;

pub async fn list_targets() -> Result<(Vec<TargetView>, Vec<PopulationView>), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let actor = crate::state::actor();
        let targets = hocvuso::service::statistics::targets::list(&state.db, &actor).await?;
        let population = hocvuso::service::statistics::population::list(&state.db, &actor).await?;
        Ok((targets, population))
    })
    .await
}

#[component]
pub fn TargetsPage() -> impl IntoView {
    let lang = use_lang();
    let targets = Resource::new(|| (), |_| list_targets());
    let attempt = posted::<TargetAttempt>().unwrap_or_default();
    let problem = |field: &str| attempt.error.as_ref().and_then(|e| e.field_problem(field));
    let rows_problems = match &attempt.error {
        Some(Error::InvalidRows(rows)) => rows
            .iter()
            .map(|r| view! { <li>{format!("{} {}, {}: {} — ", lang.t(Text::Line), r.line, r.column, r.value)} {lang.t(r.problem)}</li> })
            .collect_view()
            .into_any(),
        _ => ().into_any(),
    };
    let form = attempt.form.clone();
    let metric = form.metric.clone();
    let group = hocvuso::model::LearnerGroup::parse(&form.group);
    view! {
        <crate::pages::admin::AdminNav lang />
        <h1>{lang.t(Text::Targets)}</h1>
        {attempt.imported.map(|n| view! { <p class="notice" role="status">{lang.t(Text::TargetsSaved)} " " {n}</p> })}
        {attempt.population.map(|n| view! { <p class="notice" role="status" data-testid="population-saved">{lang.t(Text::PopulationTitle)} ": " {n}</p> })}
        {attempt.error.as_ref().filter(|e| !matches!(e, Error::Invalid(_))).map(|e| view! { <p class="error" role="alert">{lang.t(e.text())}</p> })}
        <ul class="error">{rows_problems}</ul>
        <form method="post" action="/admin/targets" class="form">
            <div class="field">
                <label for="unit_kind">{lang.t(Text::GroupBy)}</label>
                <select id="unit_kind" name="unit_kind">
                    {[("commune", Text::Commune), ("organisation", Text::Organisation), ("team", Text::Teams), ("province", Text::WholeProvince)]
                        .into_iter()
                        .map(|(v, t)| view! { <option value=v selected=form.unit_kind == v>{lang.t(t)}</option> })
                        .collect_view()}
                </select>
                {problem("unit_kind").map(|p| view! { <small class="field-error">{lang.t(p)}</small> })}
            </div>
            <TextField lang name="unit" label=Text::TargetUnit value=form.unit.clone() problem=problem("unit") hint=Text::TargetUnitHint />
            <TextField lang name="period" label=Text::Period value=form.period.clone() problem=problem("period") hint=Text::TargetPeriodHint />
            <div class="field">
                <label for="metric">{lang.t(Text::TargetMetricLabel)}</label>
                <select id="metric" name="metric">
                    {hocvuso::model::TargetMetric::ALL
                        .into_iter()
                        .map(|m| view! { <option value=m.as_str() selected=metric == m.as_str()>{lang.t(m.text())}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="group">{lang.t(Text::LearnerGroupLabel)}</label>
                <select id="group" name="group">
                    <option value="" selected=group.is_none()>{lang.t(Text::AllLearners)}</option>
                    {hocvuso::model::LearnerGroup::ALL
                        .into_iter()
                        .map(|g| view! { <option value=g.as_str() selected=group == Some(g)>{lang.t(g.text())}</option> })
                        .collect_view()}
                </select>
                {problem("group").map(|p| view! { <small class="field-error">{lang.t(p)}</small> })}
            </div>
            <TextField lang name="value" label=Text::Target value=form.value.clone() problem=problem("value") inputmode="decimal" />
            <button type="submit">{lang.t(Text::Save)}</button>
        </form>
        <form method="post" action="/admin/targets/import" enctype="multipart/form-data" class="form">
            <label for="targets-file">{lang.t(Text::TargetsFile)}</label>
            <input id="targets-file" type="file" name="file" accept=".csv,.xlsx" />
            <small class="hint">"unit_kind,unit,period,metric,value,group"</small>
            <button type="submit" class="secondary">{lang.t(Text::ImportFromFile)}</button>
        </form>
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match targets.await {
                    Ok((list, population)) => view! {
                        <ScrollTable label=lang.t(Text::Targets)>
                            <table class="units" data-testid="targets">
                                <thead><tr>
                                    <th>{lang.t(Text::Name)}</th><th>{lang.t(Text::Period)}</th>
                                    <th>{lang.t(Text::LearnerGroupLabel)}</th>
                                    <th>{lang.t(Text::TargetMetricLabel)}</th><th class="num">{lang.t(Text::Target)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| {
                                        let value = if t.metric.is_percent() { lang.percent(Some(t.value)) } else { lang.count(t.value) };
                                        let group = lang.t(t.group.map_or(Text::AllLearners, |g| g.text()));
                                        view! { <tr><td>{t.unit_name}</td><td>{t.period}</td><td>{group}</td><td>{lang.t(t.metric.text())}</td><td class="num">{value}</td></tr> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </ScrollTable>
                        <h2>{lang.t(Text::PopulationTitle)}</h2>
                        <form method="post" action="/admin/population/import" enctype="multipart/form-data" class="form">
                            <label for="population-file">{lang.t(Text::PopulationImport)}</label>
                            <input id="population-file" type="file" name="file" accept=".csv,.xlsx" />
                            <small class="hint">"unit_kind,unit,group,year,population"</small>
                            <button type="submit" class="secondary">{lang.t(Text::ImportFromFile)}</button>
                        </form>
                        <ScrollTable label=lang.t(Text::PopulationTitle)>
                            <table class="units" data-testid="population">
                                <thead><tr>
                                    <th>{lang.t(Text::TargetUnit)}</th><th>{lang.t(Text::LearnerGroupLabel)}</th>
                                    <th class="num">{lang.t(Text::Year)}</th><th class="num">{lang.t(Text::Population)}</th>
                                </tr></thead>
                                <tbody>
                                    {population.into_iter().map(|p| view! {
                                        <tr>
                                            <td>{format!("{} {}", p.unit_kind.as_str(), p.unit_id)}</td>
                                            <td>{lang.t(p.group.map_or(Text::AllLearners, |g| g.text()))}</td>
                                            <td class="num">{p.year}</td>
                                            <td class="num">{lang.count(p.population)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </ScrollTable>
                    }.into_any(),
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}

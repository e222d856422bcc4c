//! `/learners/{code}`: the learner's card, to print or show: code, personal progress link and its QR code.
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::LearnerCard;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::i18n::use_lang;

#[server(endpoint = "get_learner_card")]
pub async fn get_learner_card(code: String) -> Result<LearnerCard, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::registration::card(&state.db, &crate::state::actor(), &code, &state.public_url).await
    })
    .await
}

#[component]
pub fn LearnerCardPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let just_registered = move || query.with(|q| q.get("registered").is_some());
    let card = Resource::new(code, get_learner_card);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{lang.t(Text::Loading)}</p> }>
            {move || Suspend::new(async move {
                match card.await {
                    Ok(card) => {
                        let l = card.learner;
                        view! {
                            {just_registered().then(|| view! { <p class="notice" role="status">{lang.t(Text::Registered)}</p> })}
                            <article class="learner-card">
                                <h1>{l.full_name.clone()}</h1>
                                <p class="code">
                                    {lang.t(Text::LearnerCode)} ": "
                                    <strong data-testid="learner-code">{l.code.clone()}</strong>
                                </p>
                                <dl>
                                    <dt>{lang.t(Text::Commune)}</dt>
                                    <dd>{l.commune_name.clone()}</dd>
                                    <dt>{lang.t(Text::Phone)}</dt>
                                    <dd>{l.phone.clone().unwrap_or_default()}</dd>
                                    <dt>{lang.t(Text::Teams)}</dt>
                                    <dd>{l.team_name.clone().unwrap_or_default()}</dd>
                                </dl>
                                {card.qr_svg.map(|svg| view! { <div class="qr" data-testid="qr" inner_html=svg></div> })}
                                {card.progress_url.map(|url| view! {
                                    <p class="progress-link">
                                        {lang.t(Text::ProgressLink)} ": "
                                        <a href=url.clone() rel="noreferrer" data-testid="progress-link">{url.clone()}</a>
                                    </p>
                                })}
                            </article>
                            <p class="no-print actions-row">
                                <a href=format!("/learners/{}/edit", l.code)>{lang.t(Text::EditLearner)}</a>
                                <form method="post" action=format!("/learners/{}/deactivate", l.code) class="inline">
                                    <button type="submit" class="secondary">{lang.t(Text::Deactivate)}</button>
                                </form>
                                <a href="/learners">{lang.t(Text::Learners)}</a>
                                " · "
                                <a href="/learners/new">{lang.t(Text::RegisterLearner)}</a>
                            </p>
                        }
                        .into_any()
                    }
                    Err(err) => view! { <p class="error" role="alert">{lang.t(err.text())}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

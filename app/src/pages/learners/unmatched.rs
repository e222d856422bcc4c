//! `/learners/unmatched`: actors whose statements record outcomes in known courses but who are no
//! learner yet, so organisers can link them on the learner's card.
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::service::lrs::links::UnmatchedActor;
use leptos::prelude::*;

use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::i18n::use_lang;

pub async fn get_unmatched() -> Result<Vec<UnmatchedActor>, Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        hocvuso::service::lrs::links::unmatched(&state.db, &crate::state::actor()).await
    })
    .await
}

#[component]
pub fn UnmatchedPage() -> impl IntoView {
    let lang = use_lang();
    let listed = Resource::new(|| (), |_| get_unmatched());
    view! {
        <h1>{lang.t(Text::Unmatched)}</h1>
        <p class="hint">{lang.t(Text::UnmatchedHint)}</p>
        <p><a href="/learners/import-accounts">{lang.t(Text::ImportPlatformAccounts)}</a></p>
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match listed.await {
                    Ok(list) if list.is_empty() => view! { <p data-testid="unmatched-none">{lang.t(Text::UnmatchedNone)}</p> }.into_any(),
                    Ok(list) => {
                        let rows = list
                            .into_iter()
                            .map(|u| {
                                let first = u.first_seen.with_timezone(&hocvuso::week::vietnam()).format("%d/%m/%Y").to_string();
                                let last = u.last_seen.with_timezone(&hocvuso::week::vietnam()).format("%d/%m/%Y").to_string();
                                view! {
                                <tr data-testid="unmatched-actor">
                                    <td>{u.actor.clone()}</td>
                                    <td>{u.platform.clone()}</td>
                                    <td>{u.courses.join(", ")}</td>
                                    <td class="num">{lang.count(u.statements)}</td>
                                    <td class="num">{lang.count(u.completions)}</td>
                                    <td>{first}</td>
                                    <td>{last}</td>
                                </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <ScrollTable label=lang.t(Text::Unmatched)>
                                <table>
                                    <thead>
                                        <tr>
                                            <th>{lang.t(Text::Actor)}</th>
                                            <th>{lang.t(Text::Platform)}</th>
                                            <th>{lang.t(Text::Courses)}</th>
                                            <th>{lang.t(Text::Statements)}</th>
                                            <th>{lang.t(Text::Completions)}</th>
                                            <th>{lang.t(Text::FirstSeen)}</th>
                                            <th>{lang.t(Text::LastSeen)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </ScrollTable>
                        }
                        .into_any()
                    }
                    Err(err) => failed(lang, &err),
                }
            })}
        </Suspense>
    }
}

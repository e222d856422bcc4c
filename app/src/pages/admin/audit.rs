//! `/admin/audit`: who did what and when, newest first, filtered by the URL (so a view can be shared).
use hocvuso::Error;
use hocvuso::i18n::Text;
use hocvuso::model::AuditEntry;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AdminNav;
use crate::components::status::{failed, loading};
use crate::components::table::ScrollTable;
use crate::i18n::use_lang;

pub async fn list_audit(
    actor: String,
    action: String,
    entity: String,
    page: u64,
) -> Result<(Vec<AuditEntry>, u64), Error> {
    crate::state::respond(async {
        let state = crate::state::app_state()?;
        let filter = hocvuso::service::audit::AuditFilter {
            actor: Some(actor),
            action: Some(action),
            entity: Some(entity),
            from: None,
            to: None,
            page,
        };
        hocvuso::service::audit::list(&state.db, &crate::state::actor(), &filter).await
    })
    .await
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let entries = Resource::new(
        move || (param("actor"), param("action"), param("entity"), param("page").parse::<u64>().unwrap_or(0)),
        |(actor, action, entity, page)| list_audit(actor, action, entity, page),
    );
    view! {
        <h1>{lang.t(Text::AuditLog)}</h1>
        <AdminNav lang />
        <form method="get" action="/admin/audit" class="filters">
            <input name="actor" placeholder=lang.t(Text::Who) value=param("actor") />
            <input name="action" placeholder=lang.t(Text::Action) value=param("action") />
            <input name="entity" placeholder=lang.t(Text::Entity) value=param("entity") />
            <button type="submit">{lang.t(Text::Filter)}</button>
        </form>
        <Suspense fallback=move || loading(lang)>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok((entries, total)) => {
                        let rows = entries
                            .into_iter()
                            .map(|e| {
                                let at = e.at.with_timezone(&hocvuso::week::vietnam()).format("%d/%m/%Y %H:%M:%S").to_string();
                                view! {
                                    <tr>
                                        <td class="num">{at}</td>
                                        <td>{e.actor}</td>
                                        <td>{e.action}</td>
                                        <td>{e.entity} " " <small>{e.entity_id.unwrap_or_default()}</small></td>
                                        <td class="detail">{e.detail.unwrap_or_default()}</td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <p class="hint" data-testid="audit-total">{lang.count(total as i64)}</p>
                            <ScrollTable label=lang.t(Text::AuditLog)>
                                <table class="units" data-testid="audit">
                                    <thead>
                                        <tr>
                                            <th>{lang.t(Text::When)}</th>
                                            <th>{lang.t(Text::Who)}</th>
                                            <th>{lang.t(Text::Action)}</th>
                                            <th>{lang.t(Text::Entity)}</th>
                                            <th>{lang.t(Text::Details)}</th>
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

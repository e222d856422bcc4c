//! The last cell of a row of credentials (API tokens, platform connections).
use hocvuso::i18n::{Lang, Text};
use leptos::prelude::*;

/// "Revoked", or the button that revokes them (a plain post to `action`).
#[component]
pub fn RevokeCell(lang: Lang, action: String, revoked: bool) -> impl IntoView {
    if revoked {
        lang.t(Text::Revoked).into_any()
    } else {
        view! {
            <form method="post" action=action class="inline">
                <button type="submit">{lang.t(Text::Revoke)}</button>
            </form>
        }
        .into_any()
    }
}

use leptos::prelude::*;

/// A wide table that scrolls sideways on a phone. The scrolling box is a named region that a keyboard
/// can reach (Tab, then the arrow keys), or its hidden columns would be out of reach without a mouse
/// (WCAG 2.1.1; axe's `scrollable-region-focusable`).
#[component]
pub fn ScrollTable(#[prop(into)] label: String, children: Children) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
            {children()}
        </div>
    }
}

/// A list filter's choice of one organisation or team ("" = all of them), the chosen one selected.
#[component]
pub fn UnitSelect(
    name: &'static str,
    label: &'static str,
    units: Vec<(uuid::Uuid, String)>,
    selected: String,
) -> impl IntoView {
    view! {
        <select name=name aria-label=label>
            <option value="">{label}</option>
            {units
                .into_iter()
                .map(|(id, unit)| {
                    let id = id.to_string();
                    let is = id == selected;
                    view! { <option value=id selected=is>{unit}</option> }
                })
                .collect_view()}
        </select>
    }
}

use leptos::prelude::*;

/// One headline figure: a label and a value.
#[component]
pub fn StatCard(label: &'static str, value: String, #[prop(into)] testid: String) -> impl IntoView {
    view! {
        <div class="stat-card">
            <div class="stat-label">{label}</div>
            <div class="stat-value" data-testid=testid>
                {value}
            </div>
        </div>
    }
}

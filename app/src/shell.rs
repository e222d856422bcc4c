//! The HTML document and the routes of the pages (server side only).
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::layout::Layout;
use crate::i18n::{current_lang, provide_lang};
use crate::pages::admin::accounts::AccountsPage;
use crate::pages::admin::audit::AuditPage;
use crate::pages::admin::courses::CoursesPage;
use crate::pages::admin::platforms::PlatformsPage;
use crate::pages::admin::targets::TargetsPage;
use crate::pages::admin::tokens::TokensPage;
use crate::pages::at_risk::AtRiskPage;
use crate::pages::dashboard::DashboardPage;
use crate::pages::leaderboard::LeaderboardPage;
use crate::pages::learners::card::LearnerCardPage;
use crate::pages::learners::import::ImportLearnersPage;
use crate::pages::learners::import_accounts::ImportPlatformAccountsPage;
use crate::pages::learners::list::LearnersPage;
use crate::pages::learners::new::{EditLearnerPage, NewLearnerPage};
use crate::pages::learners::personal_data::PersonalDataPage;
use crate::pages::learners::unmatched::UnmatchedPage;
use crate::pages::login::LoginPage;
use crate::pages::lookup::LookupPage;
use crate::pages::my_progress::MyProgressPage;
use crate::pages::not_found::NotFound;
use crate::pages::offline::{GuidanceFormPage, OfflinePage, OutboxPage};
use crate::pages::overview::OverviewPage;
use crate::pages::scheduled_reports::ScheduledReportsPage;
use crate::pages::units::{OrganisationsPage, TeamsPage};
use crate::pages::weekly_report::WeeklyReportPage;

/// The HTML document around the app. It takes the options the router hands it (a page with an
/// island will need them for `HydrationScripts`).
pub fn shell(_options: LeptosOptions) -> impl IntoView {
    let lang = current_lang();
    crate::state::content_security_policy();
    // Nothing outside an island hydrates, so the data pages read is not written into the page for a
    // browser to pick up (as `HydrationScripts` does in islands mode): personal data appears only
    // where the page shows it.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#b91c1c" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Pages render whole on the server (SsrMode::Async): they read without JavaScript and on a slow
/// link the figures arrive in the first response. Every form is a plain post answered by the server,
/// so no page needs code in the browser and none is sent: the shell has no hydration script. A page
/// that gains an island (`#[island]`) adds `HydrationScripts` for itself (README, Performance).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = provide_lang();
    crate::session::provide_session();
    view! {
        <leptos_meta::Stylesheet id="leptos" href="/pkg/hocvuso.css" />
        <Title text=lang.t(hocvuso::i18n::Text::AppName) />
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/p/:token") view=MyProgressPage ssr=SsrMode::Async />
                    <Route path=path!("/tra-cuu") view=LookupPage ssr=SsrMode::Async />
                    <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/leaderboard") view=LeaderboardPage ssr=SsrMode::Async />
                    <Route path=path!("/reports/weekly") view=WeeklyReportPage ssr=SsrMode::Async />
                    <Route path=path!("/reports") view=ScheduledReportsPage ssr=SsrMode::Async />
                    <Route path=path!("/learners") view=LearnersPage ssr=SsrMode::Async />
                    <Route path=path!("/at-risk") view=AtRiskPage ssr=SsrMode::Async />
                    <Route path=path!("/learners/new") view=NewLearnerPage ssr=SsrMode::Async />
                    <Route path=path!("/learners/import") view=ImportLearnersPage ssr=SsrMode::Async />
                    <Route path=path!("/learners/import-accounts") view=ImportPlatformAccountsPage ssr=SsrMode::Async />
                    <Route path=path!("/learners/unmatched") view=UnmatchedPage ssr=SsrMode::Async />
                    <Route path=path!("/learners/:code") view=LearnerCardPage ssr=SsrMode::Async />
                    <Route path=path!("/learners/:code/edit") view=EditLearnerPage ssr=SsrMode::Async />
                    <Route path=path!("/learners/:code/personal-data") view=PersonalDataPage ssr=SsrMode::Async />
                    <Route path=path!("/guidance/new") view=GuidanceFormPage ssr=SsrMode::Async />
                    <Route path=path!("/outbox") view=OutboxPage ssr=SsrMode::Async />
                    <Route path=path!("/offline") view=OfflinePage ssr=SsrMode::Async />
                    <Route path=path!("/organisations") view=OrganisationsPage ssr=SsrMode::Async />
                    <Route path=path!("/teams") view=TeamsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/accounts") view=AccountsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/tokens") view=TokensPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/platforms") view=PlatformsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/courses") view=CoursesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/targets") view=TargetsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=AuditPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

//! Charts drawn as SVG on the server: no chart library, no JavaScript, readable when printed.
use hocvuso::i18n::{Lang, Text};
use hocvuso::model::WeekPoint;
use leptos::prelude::*;

/// One bar: a label, the completion rate in tenths of a percent, and the target if any.
#[derive(Clone, Debug)]
pub struct Bar {
    pub label: String,
    pub tenths: Option<i64>,
    pub target_tenths: Option<i64>,
}

const ROW: i64 = 22;
const LABEL: i64 = 130;
const PLOT: i64 = 200;

/// Horizontal bars of completion rates from 0 to 100%, with the target as a tick.
#[component]
pub fn RateBars(bars: Vec<Bar>, lang: Lang, caption: String) -> impl IntoView {
    let height = ROW * bars.len() as i64 + 20;
    let width = LABEL + PLOT + 56;
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, bar)| {
            let y = i as i64 * ROW;
            let length = bar.tenths.unwrap_or(0) * PLOT / 1000;
            let label: String = if bar.label.chars().count() > 20 {
                bar.label.chars().take(19).chain(std::iter::once('…')).collect()
            } else {
                bar.label.clone()
            };
            view! {
                <g>
                    <title>{format!("{}: {}", bar.label, lang.percent(bar.tenths))}</title>
                    <text x=LABEL - 6 y=y + 15 text-anchor="end" class="chart-label">{label}</text>
                    <rect x=LABEL y=y + 4 width=PLOT height=ROW - 8 class="chart-track"></rect>
                    <rect x=LABEL y=y + 4 width=length height=ROW - 8 class="chart-bar"></rect>
                    {bar.target_tenths.map(|t| {
                        let x = LABEL + t * PLOT / 1000;
                        view! { <line x1=x x2=x y1=y + 1 y2=y + ROW - 1 class="chart-target"></line> }
                    })}
                    <text x=LABEL + PLOT + 4 y=y + 15 class="chart-value">{lang.percent(bar.tenths)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label=caption.clone() data-testid="rate-chart">
                {rows}
            </svg>
            <figcaption>{caption} " · " {lang.t(Text::TargetTick)}</figcaption>
        </figure>
    }
}

/// Completions per week (bars) and the cumulative completion rate at each week's end (line).
#[component]
pub fn TrendChart(points: Vec<WeekPoint>, lang: Lang) -> impl IntoView {
    let (width, height, top) = (400i64, 140i64, 10i64);
    let plot = height - top - 20;
    let n = points.len().max(1) as i64;
    let step = width / n;
    let most = points.iter().map(|p| p.completed).max().unwrap_or(0).max(1);
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let h = p.completed * plot / most;
            view! {
                <rect x=i as i64 * step + 1 y=top + plot - h width=(step - 2).max(1) height=h class="chart-bar">
                    <title>{format!("{}: {}", hocvuso::week::IsoWeek(p.week), lang.count(p.completed))}</title>
                </rect>
            }
        })
        .collect_view();
    let line: String = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let rate = p.to_date.rate_tenths().unwrap_or(0);
            format!("{},{}", i as i64 * step + step / 2, top + plot - rate * plot / 1000)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let first = points.first().map(|p| hocvuso::week::IsoWeek(p.week).to_string()).unwrap_or_default();
    let last = points.last().map(|p| hocvuso::week::IsoWeek(p.week).to_string()).unwrap_or_default();
    let last_rate = points.last().and_then(|p| p.to_date.rate_tenths());
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label=lang.t(Text::Trend) data-testid="trend-chart">
                {bars}
                <polyline points=line class="chart-line"></polyline>
                <text x=0 y=height - 4 class="chart-label">{first}</text>
                <text x=width y=height - 4 text-anchor="end" class="chart-label">{last}</text>
            </svg>
            <figcaption>{lang.t(Text::TrendCaption)} " " {lang.percent(last_rate)}</figcaption>
        </figure>
    }
}

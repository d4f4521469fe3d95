//! A line chart in SVG, drawn from a report's periods. Readable without colour: each series has
//! its own dash pattern and point marker, named in the legend; the figures are also in a table
//! next to it, which is what screen readers get (the SVG is one image with a title).

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    /// One value per label; `None` leaves a gap (a week without answers).
    pub values: Vec<Option<f64>>,
    pub marker: Marker,
    /// `stroke-dasharray`, empty for a solid line.
    pub dash: &'static str,
    pub class: &'static str,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 28.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 40.0;

fn marker(kind: Marker, x: f64, y: f64) -> AnyView {
    match kind {
        Marker::Circle => view! { <circle cx=x cy=y r="4" /> }.into_any(),
        Marker::Square => view! { <rect x=x - 4.0 y=y - 4.0 width="8" height="8" /> }.into_any(),
    }
}

/// Legend sample of a series: its dash and marker, as in the chart.
#[component]
pub fn Sample(series: Series) -> impl IntoView {
    view! {
        <svg class=format!("sample {}", series.class) width="36" height="12" viewBox="0 0 36 12" aria-hidden="true">
            <line x1="0" y1="6" x2="36" y2="6" stroke-dasharray=series.dash />
            {marker(series.marker, 18.0, 6.0)}
        </svg>
    }
}

#[component]
pub fn LineChart(
    title: String,
    labels: Vec<String>,
    series: Vec<Series>,
    min: f64,
    max: f64,
    ticks: Vec<f64>,
) -> impl IntoView {
    let n = labels.len().max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x_at = move |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y_at = move |v: f64| TOP + plot_h * (max - v.clamp(min, max)) / (max - min);
    // At most ~12 axis labels, so weeks of a long period do not overlap.
    let every = n.div_ceil(12).max(1);
    let grid = ticks
        .iter()
        .map(|&v| {
            let y = y_at(v);
            view! {
                <line class="grid" x1=LEFT y1=y x2=WIDTH - RIGHT y2=y />
                <text class="tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{format!("{v}")}</text>
            }
        })
        .collect_view();
    let axis = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, label)| {
            view! { <text class="tick" x=x_at(i) y=HEIGHT - BOTTOM + 18.0 text-anchor="middle">{label.clone()}</text> }
        })
        .collect_view();
    let lines = series
        .iter()
        .map(|s| {
            // A gap splits the line: a week with no answers is not drawn as a slope.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (i, v) in s.values.iter().enumerate() {
                match v {
                    Some(v) => {
                        if let Some(run) = runs.last_mut() {
                            run.push((x_at(i), y_at(*v)));
                        }
                    }
                    None => runs.push(Vec::new()),
                }
            }
            let paths = runs
                .iter()
                .filter(|r| r.len() > 1)
                .map(|r| {
                    let points: Vec<String> =
                        r.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                    view! { <polyline points=points.join(" ") stroke-dasharray=s.dash /> }
                })
                .collect_view();
            let marks = runs
                .iter()
                .flatten()
                .map(|(x, y)| marker(s.marker, *x, *y))
                .collect_view();
            view! { <g class=format!("series {}", s.class)>{paths}{marks}</g> }
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|s| view! { <li><Sample series=s.clone() /> " " {s.name.clone()}</li> })
        .collect_view();
    let label = title.clone();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label>
                <title>{title}</title>
                {grid}
                <line class="axis" x1=LEFT y1=y_at(0.0_f64.clamp(min, max)) x2=WIDTH - RIGHT y2=y_at(0.0_f64.clamp(min, max)) />
                {axis}
                {lines}
            </svg>
            <figcaption><ul class="legend">{legend}</ul></figcaption>
        </figure>
    }
}

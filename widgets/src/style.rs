//! The widgets' stylesheet, adopted by each shadow root as a constructable stylesheet (so it
//! works under a CSP without `unsafe-inline`). Merchants theme it through CSS custom properties,
//! which cross the shadow boundary: `--memnun-accent`, `--memnun-font`, `--memnun-radius`,
//! `--memnun-text`, `--memnun-background`, `--memnun-muted`. The root sets its own colours,
//! font size and line height, so a shop's inherited styles cannot make it unreadable.

pub const STYLESHEET: &str = r#"
:host{display:block!important;contain:layout style}
.memnun-root{all:initial;display:block;box-sizing:border-box;color:var(--memnun-text,#1f2328);background:var(--memnun-background,transparent);font:16px/1.5 var(--memnun-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);text-align:start;max-width:48rem}
/* :where() keeps this reset at zero specificity, so the rules below (h2, legend, …) win. */
:where(.memnun-root *){box-sizing:border-box;font:inherit;color:inherit;letter-spacing:normal;text-transform:none}
h2,h3{margin:0 0 .5rem;font-weight:700;line-height:1.25}
h2{font-size:1.375rem}h3{font-size:1.125rem}
p{margin:0 0 .5rem}
.muted{color:var(--memnun-muted,#59636e)}
.sr{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.stars{color:var(--memnun-accent,#b35900);letter-spacing:.1em}
button{cursor:pointer;border:2px solid var(--memnun-accent,#b35900);border-radius:var(--memnun-radius,.5rem);background:#fff;color:var(--memnun-accent,#b35900);padding:.5rem 1rem;min-height:2.75rem;font-weight:600}
button[type=submit]{background:var(--memnun-accent,#b35900);color:#fff}
button:disabled,button[aria-disabled=true]{opacity:.6;cursor:progress}
:focus-visible{outline:3px solid var(--memnun-focus,#0969da)!important;outline-offset:2px}
form{margin-top:1.5rem;padding-top:1rem;border-top:2px solid #d8dee4}
fieldset{border:0;margin:0 0 1rem;padding:0}
legend{font-weight:600;padding:0;margin-bottom:.25rem}
.field{margin:0 0 1rem;display:flex;flex-direction:column;gap:.25rem}
.field label{font-weight:600}
input:not([type=radio]),textarea{display:block;width:100%;border:1px solid #8c959f;border-radius:var(--memnun-radius,.5rem);background:#fff;color:#1f2328;padding:.5rem .75rem;min-height:2.75rem}
textarea{min-height:7rem;resize:vertical}
.hidden{display:none!important}
.status{min-height:1.5rem;margin:.75rem 0 0;font-weight:600}
.status.ok{color:#1a7f37}.status.bad{color:#cf222e}
button.link{border:0;background:none;padding:0 .25rem;font-weight:400;text-decoration:underline;min-height:2.75rem}
summary{cursor:pointer;padding:.7rem 0}
"#;

/// The reviews widget's rules (the summary, the list, the form), added only to the product
/// module: the order and survey pages do not download them.
#[cfg(feature = "reviews")]
pub const REVIEWS_STYLESHEET: &str = r#"
.summary{display:flex;flex-wrap:wrap;gap:1rem 2rem;align-items:center;margin:0 0 1rem}
.average{font-size:2.5rem;font-weight:700;line-height:1}
.histogram{list-style:none;margin:0;padding:0;min-width:14rem}
.histogram li{display:grid;grid-template-columns:4.5rem 1fr 2.5rem;gap:.5rem;align-items:center;font-size:.875rem}
.bar{display:block;height:.5rem;border-radius:.25rem;background:#e6e8eb;overflow:hidden}
.bar span{display:block;height:100%;background:var(--memnun-accent,#b35900)}
.list{list-style:none;margin:0 0 1rem;padding:0}
.review{border-top:1px solid #d8dee4;padding:.75rem 0}
.review .body{white-space:pre-line;overflow-wrap:anywhere}
.meta{font-size:.875rem}
.write-open{margin-top:1.5rem}
.write .status{min-height:0;margin:.5rem 0 0}
.review h3{font-size:1rem;margin:.25rem 0}
.rating{display:flex;align-items:center;gap:.25rem}
.rating input{position:absolute;opacity:0;width:1px;height:1px;margin:0}
.rating label{display:inline-flex;align-items:center;justify-content:center;min-width:2.75rem;min-height:2.75rem;font-size:1.75rem;line-height:1;color:#8c959f;cursor:pointer;border-radius:.375rem}
.rating label.on{color:var(--memnun-accent,#b35900)}
.rating input:focus-visible+label{outline:3px solid var(--memnun-focus,#0969da);outline-offset:1px}
.rating label.none{font-size:.875rem;min-width:auto;padding:0 .5rem;color:var(--memnun-muted,#59636e)}
[aria-invalid=true]{border-color:#cf222e!important;border-width:2px!important}
.error{color:#cf222e;font-size:.875rem;margin:0}
.hint{font-size:.875rem;margin:0}
.memnun-reviews:not(.settled) :is(.write,.controls,.notice){display:none!important}
.hp{position:absolute!important;left:-10000px;width:1px;height:1px;overflow:hidden}
.controls{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:0 0 .5rem;font-size:.875rem}
.controls label,.actions label{display:flex;align-items:center;gap:.5rem}
select{border:1px solid #8c959f;border-radius:var(--memnun-radius,.5rem);background:#fff;color:#1f2328;padding:.25rem .5rem;min-height:2.75rem}
.verified{color:#1a7f37;font-weight:600}
.reply{margin:.5rem 0 0;padding:.5rem .75rem;border-inline-start:3px solid var(--memnun-accent,#b35900);background:#f6f8fa}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem;font-size:.875rem}
button.link[aria-pressed=true]{font-weight:700;text-decoration:none;cursor:default}
.notice{font-size:.875rem;margin:.5rem 0 0}
.report[open]{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem}
.report summary{text-decoration:underline;padding:0 .25rem}
"#;

/// The order tracker's rules, added only to the module that has the tracker.
#[cfg(feature = "tracker")]
pub const TRACKER_STYLESHEET: &str = r#"
.current-state{font-size:1.25rem;margin:.25rem 0}
.current-state.bad{color:#cf222e}
.steps{list-style:none;margin:1rem 0;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(6.5rem,1fr));gap:.25rem;font-size:.8125rem}
.steps li{border-top:4px solid #d8dee4;padding-top:.25rem;color:var(--memnun-muted,#59636e)}
.steps li.done,.steps li.current{border-color:var(--memnun-accent,#b35900);color:inherit}
.steps li.current{font-weight:700}
.shipment{border-top:1px solid #d8dee4;padding:.75rem 0}
h4{margin:.75rem 0 .25rem;font-size:1rem;font-weight:700}
.events{list-style:none;margin:0;padding:0}
.events li{padding:.375rem 0 .375rem 1rem;border-inline-start:2px solid #d8dee4}
.events li:first-child{border-color:var(--memnun-accent,#b35900)}
.events time{display:block;font-size:.8125rem;color:var(--memnun-muted,#59636e)}
.invite{margin:1rem 0;padding:.75rem 1rem;border:2px solid #1a7f37;border-radius:var(--memnun-radius,.5rem)}
.invite ul{margin:.25rem 0;padding-inline-start:1.25rem}
.items{list-style:none;margin:.25rem 0;padding:0}
.items li{display:flex;align-items:center;gap:.75rem;min-height:3rem;padding:.25rem 0}
.items img{flex:none;width:3rem;height:3rem;object-fit:cover;border-radius:var(--memnun-radius,.5rem);background:#e6e8eb}
.items img:not([src]){visibility:hidden}
a{color:var(--memnun-accent,#b35900);text-underline-offset:2px}
a:not([href]){color:inherit}
"#;

#[cfg(feature = "survey")]
pub const SURVEY_STYLESHEET: &str = r#"
.step{margin-top:.5rem}
progress{display:block;width:100%;height:.5rem;margin:0 0 1rem;accent-color:var(--memnun-accent,#b35900)}
.points{display:flex;flex-wrap:wrap;gap:.25rem}
.point{position:relative;display:inline-flex}
.point input{position:absolute;opacity:0;width:1px;height:1px;margin:0}
.point span{display:inline-flex;align-items:center;justify-content:center;min-width:2.75rem;min-height:2.75rem;border:2px solid #8c959f;border-radius:var(--memnun-radius,.5rem);font-weight:600;cursor:pointer}
.point input:checked+span{background:var(--memnun-accent,#b35900);border-color:var(--memnun-accent,#b35900);color:#fff}
.point input:focus-visible+span{outline:3px solid var(--memnun-focus,#0969da);outline-offset:2px}
.ends{display:flex;justify-content:space-between;gap:1rem;font-size:.875rem;margin-top:.25rem}
.reasons{display:grid;gap:.25rem}
.check{display:flex;align-items:center;gap:.5rem;min-height:2.75rem;cursor:pointer}
.check input{width:1.25rem;height:1.25rem;margin:0;accent-color:var(--memnun-accent,#b35900)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.done{font-size:1.125rem}
"#;

#[cfg(feature = "recommendations")]
pub const RECOMMENDATIONS_STYLESHEET: &str = r#"
:host([data-empty]){display:none!important;min-height:0!important}
.strip{list-style:none;margin:0;padding:.25rem .125rem .75rem;display:flex;gap:.75rem;overflow-x:auto;scroll-snap-type:x mandatory;overscroll-behavior-x:contain}
.strip:focus-visible{outline-offset:4px}
.card{flex:0 0 10rem;scroll-snap-align:start;display:flex;flex-direction:column;gap:.25rem}
.card a{display:flex;flex-direction:column;gap:.25rem;color:inherit;text-decoration:none}
.card a:hover .name{text-decoration:underline}
.card img{width:10rem;height:10rem;object-fit:cover;border-radius:var(--memnun-radius,.5rem);background:#e6e8eb}
.card .name{font-weight:600;line-height:1.3;overflow-wrap:anywhere}
.card .price{font-weight:700}
"#;

/// The stylesheet of this module's widgets.
pub fn stylesheet() -> String {
    let mut css = String::from(STYLESHEET);
    #[cfg(feature = "reviews")]
    css.push_str(REVIEWS_STYLESHEET);
    #[cfg(feature = "tracker")]
    css.push_str(TRACKER_STYLESHEET);
    #[cfg(feature = "recommendations")]
    css.push_str(RECOMMENDATIONS_STYLESHEET);
    #[cfg(feature = "survey")]
    css.push_str(SURVEY_STYLESHEET);
    css
}

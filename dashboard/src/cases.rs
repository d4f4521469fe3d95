//! Cases: the queue of unhappy shoppers (unresolved, oldest first, the overdue marked), filters by
//! state, cause and owner, and one case at a time: what opened it (the order's tracking, the
//! review, the survey answer), its history, and the merchant's moves (owner, note, answer by
//! email or as the review's reply, waiting or open again, resolution). Below, the response times
//! per week against the shop's target, which is set here too.

use crate::Ctx;
use crate::api;
use crate::format;
use crate::i18n::Strings;
use crate::ui::{ErrorLine, More, Page, Paged, Period, focus_after_drawing};
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::cases::{
    Case, CaseAction, CaseCause, CaseEntry, CasePage, CaseReport, CaseSettings, CaseState,
    CaseView, ResolutionCategory,
};
use memnun_protocol::merchant::MerchantReview;
use memnun_protocol::order::OrderView;

impl Page for CasePage {
    type Item = Case;
    fn into_parts(self) -> (Vec<Case>, Option<String>) {
        (self.cases, self.next_cursor)
    }
}

fn cause_word(t: &Strings, cause: CaseCause) -> &'static str {
    match cause {
        CaseCause::Survey => t.cause_survey,
        CaseCause::Review => t.cause_review,
        CaseCause::Report => t.cause_report,
        CaseCause::Shipment => t.cause_shipment,
        CaseCause::Complaint => t.cause_complaint,
    }
}

fn state_word(t: &Strings, state: CaseState) -> &'static str {
    match state {
        CaseState::Open => t.case_open,
        CaseState::Waiting => t.case_waiting,
        CaseState::Resolved => t.case_resolved,
    }
}

fn category_word(t: &Strings, category: ResolutionCategory) -> &'static str {
    match category {
        ResolutionCategory::Refunded => t.res_refunded,
        ResolutionCategory::Replaced => t.res_replaced,
        ResolutionCategory::Reshipped => t.res_reshipped,
        ResolutionCategory::Explained => t.res_explained,
        ResolutionCategory::NoAction => t.res_no_action,
        ResolutionCategory::Other => t.res_other,
    }
}

fn action_word(t: &Strings, action: CaseAction) -> &'static str {
    match action {
        CaseAction::Opened => t.act_opened,
        CaseAction::Signal => t.act_signal,
        CaseAction::State => t.act_state,
        CaseAction::Owner => t.act_owner,
        CaseAction::Note => t.act_note,
        CaseAction::Answer => t.act_answer,
        CaseAction::Resolved => t.act_resolved,
    }
}

/// A duration in hours, one decimal: "5.5 h", "5,5 sa".
fn hours(lang: crate::i18n::Lang, ms: Option<i64>) -> String {
    match ms {
        None => "–".to_owned(),
        Some(ms) => format!(
            "{} {}",
            format::tenths(lang, Some(ms / 360_000)),
            lang.strings().hours_unit
        ),
    }
}

fn email_word(t: &Strings, state: memnun_protocol::outreach::MessageState) -> &'static str {
    use memnun_protocol::outreach::MessageState as S;
    match state {
        S::Scheduled => t.email_scheduled,
        S::Sent => t.email_sent,
        S::Failed => t.email_failed,
        S::Skipped => t.email_skipped,
    }
}

/// What a signal or change said, in a line: its fields as `name: value`.
fn detail_line(detail: &serde_json::Value) -> String {
    let Some(fields) = detail.as_object() else {
        return String::new();
    };
    fields
        .iter()
        .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
        .map(|(k, v)| match v.as_str() {
            Some(s) => format!("{k}: {s}"),
            None => format!("{k}: {v}"),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let open_case = RwSignal::new(None::<String>);
    let list = Paged::<CasePage>::new();
    // Counts the merchant's changes: the queue and the response times are read again after each.
    let changed = RwSignal::new(0_u32);
    view! {
        <h1 tabindex="-1">{move || t().page_cases}</h1>
        <Queue list=list open_case=open_case changed=changed />
        {move || open_case.get().map(|id| view! { <CaseDetail id=id list=list open_case=open_case changed=changed /> })}
        <ResponseTimes changed=changed />
    }
}

#[component]
fn Queue(
    list: Paged<CasePage>,
    open_case: RwSignal<Option<String>>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let state = RwSignal::new("unresolved".to_owned());
    let cause = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let cases = list.items;
    let load = move || {
        let path = format!(
            "cases{}",
            api::query(&[
                ("state", &state.get_untracked()),
                ("cause", &cause.get_untracked()),
                ("owner", owner.get_untracked().trim()),
            ])
        );
        list.load(ctx, path, |_| {});
    };
    // The first load, and again after each change to a case (one may leave the list shown).
    Effect::new(move |_| {
        changed.track();
        load();
    });
    view! {
        <section aria-labelledby="queue-heading">
            <h2 id="queue-heading" tabindex="-1">{move || t().case_queue}</h2>
            <form class="filters" novalidate on:submit=move |ev| { ev.prevent_default(); load(); }>
                <label>{move || t().state}
                    <select name="state" on:change=move |ev| state.set(event_target_value(&ev))>
                        {[("unresolved", t().case_unresolved), ("open", t().case_open), ("waiting", t().case_waiting), ("resolved", t().case_resolved)]
                            .into_iter().map(|(v, word)| view! { <option value=v selected=move || state.get() == v>{word}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t().cause}
                    <select name="cause" on:change=move |ev| cause.set(event_target_value(&ev))>
                        <option value="">{move || t().all}</option>
                        {CaseCause::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{move || cause_word(t(), c)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t().owner}
                    <input type="text" name="owner" maxlength="80" prop:value=move || owner.get()
                        on:input=move |ev| owner.set(event_target_value(&ev)) />
                </label>
                <button type="submit">{move || t().show}</button>
            </form>
            <ErrorLine error=list.error />
            <ul class="cases">
                <For each=move || cases.get() key=|c| (c.id.clone(), c.updated_at, c.state.as_str()) children=move |c| {
                    let (cause, state, overdue, opened, signals) = (c.cause, c.state, c.overdue, c.opened_at, c.signals);
                    let id = c.id.clone();
                    let about = c.order_number.clone().unwrap_or_else(|| c.review.clone().unwrap_or_default());
                    let owner = c.owner.clone();
                    view! {
                        <li class="case-item" class:overdue=overdue>
                            <p class="title">
                                <button type="button" class="link" on:click=move |_| open_case.set(Some(id.clone()))>
                                    {move || format!("{} · {}", cause_word(t(), cause), about)}
                                </button>
                            </p>
                            <p>
                                <span class=format!("badge {}", state.as_str())>{move || state_word(t(), state)}</span>
                                {overdue.then(|| view! { " " <span class="badge warn">{move || t().overdue}</span> })}
                                " · " {move || format::date_time(lang(), opened)}
                                {(signals > 1).then(|| view! { " · " {move || t().signals.replace("{}", &signals.to_string())} })}
                                {owner.map(|o| view! { " · " {o} })}
                            </p>
                        </li>
                    }
                } />
            </ul>
            <Show when=move || !list.loading.get() && cases.with(Vec::is_empty)>
                <p class="empty">{move || t().no_cases}</p>
            </Show>
            <More next=list.next loading=list.loading on_more=move || list.more(ctx) />
        </section>
    }
}

/// Where the case's order is: each parcel's carrier, status and last news.
#[component]
fn Tracking(order: OrderView) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    view! {
        <ul class="tracking">
            {order.shipments.into_iter().map(|s| {
                let status = s.status;
                let last = s.events.last().map(|e| e.time);
                view! {
                    <li>
                        {s.carrier} " · " {move || crate::orders::status_word(t(), status)}
                        {s.tracking_number.map(|n| view! { " · " <span class="mono">{n}</span> })}
                        {last.map(|at| view! { " · " {move || format::date_time(lang(), at)} })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn CaseDetail(
    id: String,
    list: Paged<CasePage>,
    open_case: RwSignal<Option<String>>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let view_of = RwSignal::new(None::<CaseView>);
    let order = RwSignal::new(None::<OrderView>);
    let review = RwSignal::new(None::<MerchantReview>);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let owner = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let answer = RwSignal::new(String::new());
    let by_email = RwSignal::new(true);
    let as_reply = RwSignal::new(false);
    let category = RwSignal::new("explained".to_owned());
    let resolution = RwSignal::new(String::new());
    let id = StoredValue::new(id);
    let path = move |rest: &str| format!("cases/{}{rest}", api::segment(&id.get_value()));

    let show = move |v: CaseView| {
        owner.set(v.case.owner.clone().unwrap_or_default());
        if let Some(r) = &v.case.resolution {
            category.set(r.category.as_str().to_owned());
            resolution.set(r.text.clone().unwrap_or_default());
        }
        by_email.set(v.can_email);
        let case = v.case.clone();
        let case_id = case.id.clone();
        list.replace(|c| c.id == case_id, case);
        view_of.set(Some(v));
    };
    spawn_local(async move {
        match ctx.client().get::<CaseView>(&path("")).await {
            Ok(v) => {
                let (order_id, review_id) = (v.case.order.clone(), v.case.review.clone());
                show(v);
                if let Some(o) = order_id {
                    order.set(
                        ctx.client()
                            .get::<OrderView>(&format!("orders/{}", api::segment(&o)))
                            .await
                            .ok(),
                    );
                }
                if let Some(r) = review_id {
                    review.set(
                        ctx.client()
                            .get::<MerchantReview>(&format!("reviews/{}", api::segment(&r)))
                            .await
                            .ok(),
                    );
                }
                focus_case_heading();
            }
            Err(f) => error.set(Some(ctx.explain(&f))),
        }
    });

    // What the merchant typed is cleared only once the edge took it.
    let act = move |method: &'static str,
                    rest: &'static str,
                    body: serde_json::Value,
                    done: &'static str,
                    typed: Option<RwSignal<String>>| {
        pending.set(true);
        spawn_local(async move {
            match ctx
                .client()
                .send::<CaseView>(method, &path(rest), &body)
                .await
            {
                Ok(v) => {
                    error.set(None);
                    if let Some(typed) = typed {
                        typed.set(String::new());
                    }
                    as_reply.set(false);
                    show(v);
                    changed.update(|n| *n += 1);
                    focus_case_heading();
                    ctx.say(done);
                }
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            pending.set(false);
        });
    };
    view! {
        <section class="case" aria-labelledby="case-heading">
            <ErrorLine error=error />
            {move || view_of.get().map(|v| {
                let case = v.case.clone();
                let (cause, state) = (case.cause, case.state);
                let is_review = case.review.is_some();
                let resolved = state == CaseState::Resolved;
                let about = case.order_number.clone().map(|n| t().order_number.replace("{}", &n));
                let facts = [
                    (t().opened, Some(case.opened_at)),
                    (t().first_response, case.first_response_at),
                    (t().resolved_at, case.resolved_at),
                ];
                view! {
                    <h2 id="case-heading" tabindex="-1">{cause_word(t(), cause)} {about.map(|a| view! { " · " {a} })}</h2>
                    <p>
                        <span class=format!("badge {}", state.as_str())>{state_word(t(), state)}</span>
                        {case.overdue.then(|| view! { " " <span class="badge warn">{t().overdue}</span> })}
                        " · " {t().respond_by.replace("{}", &format::date_time(lang(), case.respond_by))}
                    </p>
                    <dl class="facts">
                        {facts.into_iter().map(|(label, at)| view! {
                            <dt>{label}</dt><dd>{at.map_or_else(|| "–".to_owned(), |at| format::date_time(lang(), at))}</dd>
                        }).collect_view()}
                        <dt>{t().shopper_address}</dt>
                        <dd>{v.address.clone().unwrap_or_else(|| t().address_not_kept.to_owned())}</dd>
                        {case.resolution.clone().map(|r| view! {
                            <dt>{t().resolution}</dt>
                            <dd>{category_word(t(), r.category)} {r.text.map(|x| view! { " · " {x} })}</dd>
                        })}
                    </dl>
                    {v.survey.clone().map(|s| view! {
                        <p class="survey-answer">
                            {format!("NPS {} · CSAT {}", s.nps.map_or("–".into(), |n| n.to_string()), s.csat.map_or("–".into(), |n| n.to_string()))}
                            {s.comment.map(|c| view! { <br /><q>{c}</q> })}
                        </p>
                    })}
                    {move || review.get().map(|r| view! {
                        <blockquote class="case-review">
                            <p><strong>{"★".repeat(r.rating as usize)}</strong> " " {r.title}</p>
                            <p>{r.body}</p>
                        </blockquote>
                    })}
                    {move || order.get().map(|o| view! { <Tracking order=o /> })}
                    <h3>{t().history}</h3>
                    <ol class="history">
                        {v.history.into_iter().map(|h: CaseEntry| {
                            let email = h.email.map(|e| email_word(t(), e.state).to_owned() + &e.outcome.map(|o| format!(": {o}")).unwrap_or_default());
                            view! {
                                <li>
                                    <time>{format::date_time(lang(), h.at)}</time> " · " {h.actor} " · " <strong>{action_word(t(), h.action)}</strong>
                                    {h.text.map(|x| view! { <p class="entry-text">{x}</p> })}
                                    // An answer's detail says only how it went: its email line.
                                    {h.detail.as_ref().filter(|_| h.action != CaseAction::Answer).map(detail_line).filter(|l| !l.is_empty()).map(|l| view! { <p class="muted">{l}</p> })}
                                    {email.map(|e| view! { <p class="muted">{t().email_state} ": " {e}</p> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    <form class="inline" novalidate on:submit=move |ev| {
                        ev.prevent_default();
                        act("PUT", "", serde_json::json!({ "owner": owner.get_untracked() }), ctx.words().saved, None);
                    }>
                        <label>{t().owner}
                            <input type="text" name="owner" maxlength="80" prop:value=move || owner.get()
                                on:input=move |ev| owner.set(event_target_value(&ev)) />
                        </label>
                        <button type="submit" class="secondary" disabled=move || pending.get()>{t().save}</button>
                    </form>
                    <form novalidate on:submit=move |ev| {
                        ev.prevent_default();
                        act("POST", "/answers", serde_json::json!({
                            "text": answer.get_untracked(), "email": by_email.get_untracked(), "reply": as_reply.get_untracked(),
                        }), ctx.words().answer_sent, Some(answer));
                    }>
                        <label for="case-answer">{t().answer_shopper}</label>
                        <textarea id="case-answer" name="answer" maxlength="4000" prop:value=move || answer.get()
                            on:input=move |ev| answer.set(event_target_value(&ev))></textarea>
                        <label class="check">
                            <input type="checkbox" name="email" prop:checked=move || by_email.get() disabled=!v.can_email
                                on:change=move |ev| by_email.set(event_target_checked(&ev)) />
                            {if v.can_email { t().answer_by_email } else { t().answer_no_email }}
                        </label>
                        {is_review.then(|| view! {
                            <label class="check">
                                <input type="checkbox" name="reply" prop:checked=move || as_reply.get()
                                    on:change=move |ev| as_reply.set(event_target_checked(&ev)) />
                                {t().answer_as_reply}
                            </label>
                        })}
                        <button type="submit" disabled=move || pending.get()>{t().send_answer}</button>
                    </form>
                    <form novalidate on:submit=move |ev| {
                        ev.prevent_default();
                        act("POST", "/notes", serde_json::json!({ "text": note.get_untracked() }), ctx.words().note_added, Some(note));
                    }>
                        <label for="case-note">{t().internal_note}</label>
                        <textarea id="case-note" name="note" maxlength="4000" prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                        <button type="submit" class="secondary" disabled=move || pending.get()>{t().add_note}</button>
                    </form>
                    <div class="actions">
                        {(state == CaseState::Open).then(|| view! {
                            <button type="button" class="secondary" disabled=move || pending.get() on:click=move |_| {
                                act("PUT", "", serde_json::json!({ "state": "waiting" }), ctx.words().saved, None);
                            }>{t().mark_waiting}</button>
                        })}
                        {(state != CaseState::Open).then(|| view! {
                            <button type="button" class="secondary" disabled=move || pending.get() on:click=move |_| {
                                act("PUT", "", serde_json::json!({ "state": "open" }), ctx.words().saved, None);
                            }>{t().reopen}</button>
                        })}
                    </div>
                    <form novalidate on:submit=move |ev| {
                        ev.prevent_default();
                        act("PUT", "", serde_json::json!({ "resolution": {
                            "category": category.get_untracked(), "text": resolution.get_untracked(),
                        } }), ctx.words().case_resolved_said, None);
                    }>
                        <fieldset>
                            <legend>{if resolved { t().change_resolution } else { t().resolve }}</legend>
                            <label>{t().resolution_category}
                                <select name="category" on:change=move |ev| category.set(event_target_value(&ev))>
                                    {ResolutionCategory::ALL.into_iter().map(|c| view! {
                                        <option value=c.as_str() selected=move || category.get() == c.as_str()>{category_word(t(), c)}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>{t().resolution_text}
                                <input type="text" name="resolution" maxlength="2000" prop:value=move || resolution.get()
                                    on:input=move |ev| resolution.set(event_target_value(&ev)) />
                            </label>
                            <button type="submit" disabled=move || pending.get()>{if resolved { t().save } else { t().resolve }}</button>
                        </fieldset>
                    </form>
                    <button type="button" class="link" on:click=move |_| {
                        open_case.set(None);
                        focus_after_drawing("queue-heading".into());
                    }>{t().close_case_view}</button>
                }
            })}
        </section>
    }
}

/// The case view is drawn anew after each change: the keyboard goes back to its heading.
fn focus_case_heading() {
    focus_after_drawing("case-heading".into());
}

/// Response times per week of the cases opened in the last 12 weeks, as a table, and the
/// shop's target and stuck days.
#[component]
fn ResponseTimes(changed: RwSignal<u32>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let report = RwSignal::new(None::<CaseReport>);
    let error = RwSignal::new(None::<String>);
    let target = RwSignal::new(String::new());
    let stuck = RwSignal::new(String::new());
    let load = move || {
        spawn_local(async move {
            let period = Period::last_days(84);
            match ctx
                .client()
                .get::<CaseReport>(&format!("reports/cases{}", api::query(&period.query())))
                .await
            {
                Ok(r) => report.set(Some(r)),
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            if let Ok(s) = ctx.client().get::<CaseSettings>("cases/settings").await {
                target.set(s.target_hours.to_string());
                stuck.set(s.stuck_after_days.to_string());
            }
        });
    };
    Effect::new(move |_| {
        changed.track();
        load();
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({
            "target_hours": target.get_untracked().trim().parse::<u32>().unwrap_or(0),
            "stuck_after_days": stuck.get_untracked().trim().parse::<u32>().unwrap_or(0),
        });
        spawn_local(async move {
            match ctx
                .client()
                .send::<CaseSettings>("PUT", "cases/settings", &body)
                .await
            {
                Ok(_) => {
                    error.set(None);
                    ctx.say(ctx.words().saved);
                    load();
                }
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
        });
    };
    view! {
        <section aria-labelledby="times-heading">
            <h2 id="times-heading">{move || t().response_times}</h2>
            <ErrorLine error=error />
            <form class="filters" novalidate on:submit=save>
                <label>{move || t().target_hours}
                    <input type="number" name="target_hours" min="1" max="720" inputmode="numeric" prop:value=move || target.get()
                        on:input=move |ev| target.set(event_target_value(&ev)) />
                </label>
                <label>{move || t().stuck_after_days}
                    <input type="number" name="stuck_after_days" min="1" max="90" inputmode="numeric" prop:value=move || stuck.get()
                        on:input=move |ev| stuck.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="secondary">{move || t().save}</button>
            </form>
            {move || report.get().map(|r| view! {
                <div class="table-wrap">
                    <table class="case-times">
                        <caption>{t().response_times_caption.replace("{}", &r.target_hours.to_string())}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t().week}</th>
                                <th scope="col">{t().cases_opened}</th>
                                <th scope="col">{t().cases_responded}</th>
                                <th scope="col">{t().within_target}</th>
                                <th scope="col">{t().cases_resolved}</th>
                                <th scope="col">{t().median_first_response}</th>
                                <th scope="col">{t().median_resolution}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {r.weeks.into_iter().rev().map(|w| view! {
                                <tr>
                                    <th scope="row">{format::date(lang(), w.week_start)}</th>
                                    <td>{w.opened}</td>
                                    <td>{w.responded}</td>
                                    <td>{w.responded_within_target}</td>
                                    <td>{w.resolved}</td>
                                    <td>{hours(lang(), w.median_first_response_ms)}</td>
                                    <td>{hours(lang(), w.median_resolution_ms)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

//! The post-delivery survey (`data-memnun="survey"`): opened with an order's `survey` token
//! (the page URL's `#memnun=`, or `data-token`), one question per step, with progress shown.
//! NPS first, then a follow-up worded for the shopper's NPS group, then CSAT, CES and an
//! optional comment, as far as the shop asks them.
//!
//! Every answer is saved as it is given, through the outbox: it is kept in `localStorage`
//! until the edge has it, so going offline mid-survey loses nothing. Each save carries every
//! answer so far and a higher `seq`, so the edge keeps the newest state whatever order queued
//! saves arrive in, and a survey resumes where it was left, on this device or another.

use crate::api::{self, Api};
use crate::i18n::{Locale, SurveyStrings};
use crate::outbox::{self, Outcome, Pending};
use crate::wire;
use leptos::either::EitherOf3;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::survey::{
    Answers, COMMENT_RULE, FOLLOW_UP_RULE, NpsGroup, Question, Reason, SurveyOpened, SurveyState,
    SurveyTexts,
};
use wasm_bindgen::JsCast;

#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    /// A message in place of questions, and whether trying again may help.
    Closed(String, bool),
    Asking,
}

/// Whether `question` has an answer in `answers`: a survey resumes after the last one that has.
fn answered(question: Question, answers: &Answers) -> bool {
    match question {
        Question::Nps => answers.nps.is_some(),
        Question::FollowUp => !answers.reasons.is_empty() || answers.follow_up.is_some(),
        Question::Csat => answers.csat.is_some(),
        Question::Ces => answers.ces.is_some(),
        Question::Comment => answers.comment.is_some(),
    }
}

fn closed_message(s: &'static SurveyStrings, state: SurveyState) -> &'static str {
    match state {
        SurveyState::Completed => s.completed,
        SurveyState::Dismissed => s.dismissed,
        SurveyState::Cooldown => s.cooldown,
        SurveyState::NotDelivered => s.not_delivered,
        SurveyState::Open => s.thanks,
    }
}

/// Text typed into a field: blank is no answer.
fn typed(value: String) -> Option<String> {
    (!value.trim().is_empty()).then_some(value)
}

#[component]
pub fn SurveyWidget(api: Api, locale: Locale, token: Option<String>) -> impl IntoView {
    let s = locale.survey();
    let api = StoredValue::new(api);
    let token = StoredValue::new(token.unwrap_or_default());
    let phase = RwSignal::new(Phase::Loading);
    let questions = StoredValue::new(Vec::<Question>::new());
    let texts = StoredValue::new(SurveyTexts::default());
    let number = RwSignal::new(String::new());
    let answers = RwSignal::new(Answers::default());
    let step = RwSignal::new(0usize);
    let seq = StoredValue::new(0u32);
    let queued = RwSignal::new(false);
    let problem = RwSignal::new(None::<&'static str>);
    // Focus follows the shopper's own moves between steps, never the first render.
    let moved = StoredValue::new(false);
    let form = NodeRef::<html::Form>::new();
    let closing = NodeRef::<html::P>::new();

    // The shop's wording of `key`, else ours.
    let text = move |key: &str, ours: &'static str| {
        texts
            .with_value(|t| t.get(key).map(str::to_owned))
            .unwrap_or_else(|| ours.to_owned())
    };

    let apply = move |opened: SurveyOpened| {
        if opened.state != SurveyState::Open || opened.questions.is_empty() {
            phase.set(Phase::Closed(
                closed_message(s, opened.state).to_owned(),
                false,
            ));
            return;
        }
        let resume = opened
            .questions
            .iter()
            .rposition(|q| answered(*q, &opened.answers))
            .map_or(0, |last| (last + 1).min(opened.questions.len() - 1));
        questions.set_value(opened.questions);
        texts.set_value(opened.texts);
        number.set(opened.order_number);
        seq.set_value(opened.seq);
        answers.set(opened.answers);
        step.set(resume);
        phase.set(Phase::Asking);
    };

    let load = move || {
        let token = token.get_value();
        if token.is_empty() {
            phase.set(Phase::Closed(s.no_token.to_owned(), false));
            return;
        }
        phase.set(Phase::Loading);
        spawn_local(async move {
            // The loader sent the same while the module loaded (`loader/memnun.js`): the same
            // fields in the same order, or its answer is not taken.
            let url = api.with_value(|a| a.shop_url("survey/open"));
            let body = wire::stringify(&wire::strings(&[
                ("token", &token),
                ("locale", locale.tag()),
            ]))
            .unwrap_or_default();
            match api::post_json(&url, &body, &api::new_idempotency_key()).await {
                Ok(a) if a.is_success() => match wire::survey_opened(&a.body) {
                    Some(opened) => apply(opened),
                    None => phase.set(Phase::Closed(s.failed.to_owned(), true)),
                },
                // A link that is not (or no longer) valid: only a new link helps.
                Ok(a) if a.status == 422 || a.status == 404 => {
                    phase.set(Phase::Closed(s.no_token.to_owned(), false))
                }
                _ => phase.set(Phase::Closed(s.failed.to_owned(), true)),
            }
        });
    };
    load();

    // What the edge said about a save, now or after a retry: a survey finished or declined
    // elsewhere closes here too; a refusal is said, not taken for a network failure.
    let settle = move |answer: api::Answer| {
        queued.set(false);
        if !answer.is_success() {
            phase.set(Phase::Closed(s.not_saved.to_owned(), false));
            return;
        }
        let closed_elsewhere =
            wire::survey_state(&answer.body).filter(|state| *state != SurveyState::Open);
        if let Some(state) = closed_elsewhere
            && phase.get_untracked() == Phase::Asking
        {
            phase.set(Phase::Closed(closed_message(s, state).to_owned(), false));
        }
    };
    let save = move |complete: bool, dismissed: bool| {
        let next = seq.get_value() + 1;
        seq.set_value(next);
        // A dismissal carries no answers: a choice not confirmed with "Next" is not an answer.
        let given = if dismissed {
            Answers::default()
        } else {
            answers.get_untracked()
        };
        let body = wire::survey_submission(
            &token.get_value(),
            next,
            &given,
            complete,
            dismissed,
            locale.tag(),
        );
        let pending = Pending {
            idempotency_key: api::new_idempotency_key(),
            url: api.with_value(|a| a.shop_url("survey/answers")),
            body,
            queued_at: 0.0,
        };
        spawn_local(async move {
            match outbox::submit(pending, settle).await {
                Outcome::Answered(answer) => settle(answer),
                Outcome::Queued => queued.set(true),
            }
        });
    };

    let current = move || {
        let all = questions.get_value();
        all.get(step.get().min(all.len().saturating_sub(1)))
            .copied()
    };
    let on_next = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(question) = current() else { return };
        let needs_choice = matches!(question, Question::Nps | Question::Csat | Question::Ces);
        let given = answers.get_untracked();
        if needs_choice && !answered(question, &given) {
            problem.set(Some(s.choose));
            return;
        }
        // The edge's rules for text, checked here so a pasted control character is said at once.
        let text_ok = FOLLOW_UP_RULE
            .check(given.follow_up.as_deref().unwrap_or(""))
            .and(COMMENT_RULE.check(given.comment.as_deref().unwrap_or("")));
        if text_ok.is_err() {
            problem.set(Some(s.text_invalid));
            return;
        }
        problem.set(None);
        let last = step.get_untracked() + 1 >= questions.with_value(Vec::len);
        save(last, false);
        moved.set_value(true);
        if last {
            phase.set(Phase::Closed(text("thanks", s.thanks), false));
        } else {
            step.update(|i| *i += 1);
        }
    };
    let back = move |_| {
        problem.set(None);
        moved.set_value(true);
        step.update(|i| *i = i.saturating_sub(1));
    };
    let dismiss = move |_| {
        moved.set_value(true);
        save(false, true);
        phase.set(Phase::Closed(s.dismissed.to_owned(), false));
    };

    Effect::new(move |_| {
        // The step, not only the form: a new step may re-render into the same form element.
        step.track();
        let Some(form) = form.get() else { return };
        if !moved.get_value() {
            return;
        }
        // The chosen answer if there is one (arrows would change it), else the first field.
        let first = form
            .query_selector("input:checked")
            .ok()
            .flatten()
            .or_else(|| form.query_selector("input, textarea").ok().flatten());
        if let Some(first) = first
            && let Ok(first) = first.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = first.focus();
        }
    });
    // When the survey closes under the shopper's hands (sent, declined), the message takes the
    // focus the removed form had, so it is read out.
    Effect::new(move |_| {
        if let Some(message) = closing.get()
            && moved.get_value()
        {
            let _ = message.focus();
        }
    });

    let pick = move |question: Question, n: u8| {
        answers.update(|a| match question {
            Question::Nps => {
                // Reasons answer the group's question: a new group asks a new one.
                if a.nps.and_then(NpsGroup::of) != NpsGroup::of(n) {
                    a.reasons.clear();
                }
                a.nps = Some(n);
            }
            Question::Csat => a.csat = Some(n),
            _ => a.ces = Some(n),
        });
        problem.set(None);
    };

    let step_view = move || {
        let all = questions.get_value();
        let index = step.get().min(all.len().saturating_sub(1));
        let question = all.get(index).copied().unwrap_or(Question::Comment);
        let count = all.len();
        let last = index + 1 >= count;
        let now = answers.get_untracked();
        let body = match question {
            Question::Nps | Question::Csat | Question::Ces => {
                let (key, ours, min, max, ends, value) = match question {
                    Question::Nps => ("nps", s.nps, 0, 10, (s.nps_low, s.nps_high), now.nps),
                    Question::Csat => ("csat", s.csat, 1, 5, (s.csat_low, s.csat_high), now.csat),
                    _ => ("ces", s.ces, 1, 7, (s.ces_low, s.ces_high), now.ces),
                };
                EitherOf3::A(scale(text(key, ours), min..=max, ends, value, move |n| {
                    pick(question, n)
                }))
            }
            Question::FollowUp => {
                let group = now.nps.and_then(NpsGroup::of).unwrap_or(NpsGroup::Passive);
                let (key, ours, labels) = match group {
                    NpsGroup::Detractor => (
                        "follow_up_detractor",
                        s.follow_up_detractor,
                        &s.reasons_detractor,
                    ),
                    NpsGroup::Passive => {
                        ("follow_up_passive", s.follow_up_passive, &s.reasons_passive)
                    }
                    NpsGroup::Promoter => (
                        "follow_up_promoter",
                        s.follow_up_promoter,
                        &s.reasons_promoter,
                    ),
                };
                EitherOf3::B(view! {
                    <fieldset>
                        <legend>{text(key, ours)}</legend>
                        <div class="reasons">
                            {Reason::ALL.into_iter().zip(labels.iter()).map(|(reason, label)| {
                                view! {
                                    <label class="check">
                                        <input type="checkbox" value=reason.as_str()
                                            prop:checked=now.reasons.contains(&reason)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                answers.update(|a| {
                                                    a.reasons.retain(|r| *r != reason);
                                                    if on {
                                                        a.reasons.push(reason);
                                                        a.reasons.sort();
                                                    }
                                                });
                                            } />
                                        <span>{*label}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                    <div class="field">
                        <label for="memnun-follow-up">{s.follow_up_text}</label>
                        <textarea id="memnun-follow-up" rows="3" maxlength="1000"
                            prop:value=now.follow_up.clone().unwrap_or_default()
                            on:input=move |ev| {
                                let value = typed(event_target_value(&ev));
                                answers.update(|a| a.follow_up = value);
                            }></textarea>
                    </div>
                })
            }
            Question::Comment => EitherOf3::C(view! {
                <div class="field">
                    <label for="memnun-comment">{text("comment", s.comment)}</label>
                    <textarea id="memnun-comment" rows="4" maxlength="2000"
                        prop:value=now.comment.clone().unwrap_or_default()
                        on:input=move |ev| {
                            let value = typed(event_target_value(&ev));
                            answers.update(|a| a.comment = value);
                        }></textarea>
                </div>
            }),
        };
        let progress = format!("{} {} {} {}", s.question, index + 1, s.of, count);
        view! {
            <form class="step" novalidate node_ref=form on:submit=on_next>
                <p class="muted progress-text">{progress.clone()}</p>
                <progress max=count value=index + 1 aria-label=progress></progress>
                {body}
                <p class="status bad" role="alert">{move || problem.get()}</p>
                <div class="actions">
                    {(index > 0).then(|| view! {
                        <button type="button" class="secondary" on:click=back>{s.back}</button>
                    })}
                    <button type="submit">{if last { s.send } else { s.next }}</button>
                    {(index == 0).then(|| view! {
                        <button type="button" class="link" on:click=dismiss>{s.dismiss}</button>
                    })}
                </div>
            </form>
        }
    };

    view! {
        <section class="memnun-survey" aria-labelledby="memnun-survey-heading">
            <h2 id="memnun-survey-heading">{s.heading}</h2>
            {move || match phase.get() {
                Phase::Loading => EitherOf3::A(view! { <p class="muted" role="status">{s.loading}</p> }),
                Phase::Closed(message, retry) => EitherOf3::B(view! {
                    <p class="done" role="status" tabindex="-1" node_ref=closing>{message}</p>
                    {retry.then(|| view! {
                        <button type="button" on:click=move |_| load()>{s.retry}</button>
                    })}
                }),
                Phase::Asking => EitherOf3::C(view! {
                    <p class="muted">
                        {move || format!("{} {} · {}", s.order, number.get(), text("intro", s.intro))}
                    </p>
                    {step_view}
                }),
            }}
            <p class="muted" role="status">{move || queued.get().then_some(s.queued)}</p>
        </section>
    }
}

/// A question answered on a scale: one radio per point in a fieldset whose legend is the
/// question, the scale's ends described for screen readers too.
fn scale(
    legend: String,
    points: std::ops::RangeInclusive<u8>,
    (low, high): (&'static str, &'static str),
    value: Option<u8>,
    on_pick: impl Fn(u8) + Copy + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="scale" aria-describedby="memnun-scale-ends">
            <legend>{legend}</legend>
            <div class="points">
                {points.map(|n| view! {
                    <label class="point">
                        // A property, not the attribute: a step re-renders into the same inputs,
                        // and a radio the shopper has touched ignores its `checked` attribute.
                        <input type="radio" name="memnun-scale" value=n.to_string()
                            prop:checked=value == Some(n) on:change=move |_| on_pick(n) />
                        <span>{n}</span>
                    </label>
                }).collect_view()}
            </div>
            <p class="ends muted" id="memnun-scale-ends"><span>{low}</span><span>{high}</span></p>
        </fieldset>
    }
}

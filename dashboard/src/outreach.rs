//! Settings → messages to shoppers: whether and through which provider memnun sends review
//! requests, survey invitations, shipment notices and reply notices, when, and in whose words (the review
//! request's), with a live preview of the subject and opening line in
//! both languages; and what was sent (per kind: scheduled, sent, failed, skipped, and how many
//! requests became reviews), with the latest messages and why any failed or waited.

use crate::Ctx;
use crate::ui::ErrorLine;
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::outreach::settings::{OutreachSettings, ShipmentNotices};
use memnun_protocol::outreach::{MessageKind, MessageState, OutreachReport, ReviewRequest};
use memnun_protocol::review::Locale;

/// The shop's own words for the review request in one language, as typed.
#[derive(Clone, Copy)]
struct OwnFields {
    subject: RwSignal<String>,
    opening: RwSignal<String>,
}

impl OwnFields {
    fn new() -> OwnFields {
        OwnFields {
            subject: RwSignal::new(String::new()),
            opening: RwSignal::new(String::new()),
        }
    }
}

#[component]
pub fn Outreach() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let loaded = RwSignal::new(None::<OutreachSettings>);
    let sending = RwSignal::new(false);
    let provider = RwSignal::new("resend".to_owned());
    let api_key = RwSignal::new(String::new());
    let webhook_secret = RwSignal::new(String::new());
    let sender = RwSignal::new(String::new());
    let reply_to = RwSignal::new(String::new());
    let locale = RwSignal::new("tr".to_owned());
    let time_zone = RwSignal::new(String::new());
    let quiet_start = RwSignal::new(String::new());
    let quiet_end = RwSignal::new(String::new());
    let cap_days = RwSignal::new(String::new());
    let asking = RwSignal::new(true);
    let days = RwSignal::new(String::new());
    let reminder_days = RwSignal::new(String::new());
    let inviting = RwSignal::new(true);
    let survey_days = RwSignal::new(String::new());
    // Shipped, out for delivery, delayed, delivered: `SHIPMENT_NOTICES`' order.
    let notices = [(); 4].map(|_| RwSignal::new(false));
    let replying = RwSignal::new(true);
    let answering = RwSignal::new(true);
    let digest_on = RwSignal::new(false);
    let digest_to = RwSignal::new(String::new());
    let own_tr = OwnFields::new();
    let own_en = OwnFields::new();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let report = RwSignal::new(None::<OutreachReport>);

    let show = move |s: OutreachSettings| {
        sending.set(s.sending);
        provider.set(s.provider.map_or("resend", |p| p.as_str()).to_owned());
        sender.set(s.sender.clone().unwrap_or_default());
        reply_to.set(s.reply_to.clone().unwrap_or_default());
        locale.set(s.locale.clone());
        time_zone.set(s.time_zone.clone());
        quiet_start.set(s.quiet_hours.start.to_string());
        quiet_end.set(s.quiet_hours.end.to_string());
        cap_days.set(s.cap_days.to_string());
        asking.set(s.review_request.on);
        days.set(s.review_request.days.to_string());
        reminder_days.set(s.review_request.reminder_days.to_string());
        inviting.set(s.survey_invitation.on);
        survey_days.set(s.survey_invitation.days.to_string());
        replying.set(s.reply_notice.on);
        answering.set(s.answer_notice.on);
        digest_on.set(s.digest.on);
        digest_to.set(s.digest.to.clone().unwrap_or_default());
        for (on, kind) in notices.iter().zip(SHIPMENT_NOTICES) {
            on.set(s.shipment_notices.sends(kind));
        }
        for (tag, own) in [("tr", own_tr), ("en", own_en)] {
            let words = s.own_words(MessageKind::ReviewRequest, tag);
            own.subject.set(words.subject.unwrap_or_default());
            own.opening.set(words.opening.unwrap_or_default());
        }
        loaded.set(Some(s));
    };
    let load_report = move || {
        spawn_local(async move {
            if let Ok(r) = ctx
                .client()
                .get::<OutreachReport>("outreach/messages")
                .await
            {
                report.set(Some(r));
            }
        });
    };
    crate::settings::load_form::<OutreachSettings>(ctx, "outreach", error, show);
    load_report();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let w = ctx.words();
        let number = |label: &str, typed: RwSignal<String>| {
            crate::settings::whole_number(ctx, label, &typed.get_untracked())
        };
        let numbers = (|| {
            Ok::<_, String>((
                number(w.outreach_quiet_from, quiet_start)?,
                number(w.outreach_quiet_to, quiet_end)?,
                number(w.outreach_cap, cap_days)?,
                number(w.outreach_review_days, days)?,
                number(w.outreach_reminder_days, reminder_days)?,
                number(w.outreach_survey_days, survey_days)?,
            ))
        })();
        let (start, end, cap, after, reminder, survey_after) = match numbers {
            Ok(n) => n,
            Err(problem) => {
                error.set(Some(problem));
                return;
            }
        };
        let own = |f: OwnFields| {
            serde_json::json!({
                "subject": f.subject.get_untracked().trim(),
                "opening": f.opening.get_untracked().trim(),
            })
        };
        // The other kinds' words as stored: the form edits the review request's only.
        let mut texts = loaded
            .with_untracked(|s| s.as_ref().map(|s| serde_json::json!(s.texts)))
            .unwrap_or_else(|| serde_json::json!({}));
        texts["review_request"] = serde_json::json!({ "tr": own(own_tr), "en": own(own_en) });
        let mut body = serde_json::json!({
            "sending": sending.get_untracked(),
            "provider": provider.get_untracked(),
            "sender": sender.get_untracked().trim(),
            "reply_to": reply_to.get_untracked().trim(),
            "locale": locale.get_untracked(),
            "time_zone": time_zone.get_untracked().trim(),
            "quiet_hours": { "start": start, "end": end },
            "cap_days": cap,
            "review_request": { "on": asking.get_untracked(), "days": after, "reminder_days": reminder },
            "survey_invitation": { "on": inviting.get_untracked(), "days": survey_after },
            "reply_notice": { "on": replying.get_untracked() },
            "answer_notice": { "on": answering.get_untracked() },
            "digest": { "on": digest_on.get_untracked(), "to": digest_to.get_untracked().trim() },
            "texts": texts,
        });
        for (on, kind) in notices.iter().zip(SHIPMENT_NOTICES) {
            if let Some(switch) = ShipmentNotices::switch(kind) {
                body["shipment_notices"][switch] = serde_json::Value::from(on.get_untracked());
            }
        }
        // Secrets only when typed: an empty field keeps the one stored.
        for (name, typed) in [("api_key", api_key), ("webhook_secret", webhook_secret)] {
            let typed = typed.get_untracked();
            if !typed.trim().is_empty() {
                body[name] = serde_json::Value::from(typed.trim());
            }
        }
        crate::settings::save(ctx, "outreach", body, error, busy, move |text| {
            api_key.set(String::new());
            webhook_secret.set(String::new());
            if let Ok(s) = serde_json::from_str::<OutreachSettings>(&text) {
                show(s);
            }
            load_report();
        });
    };

    let preview = move |tag: Locale, own: OwnFields| {
        let request = ReviewRequest {
            shop_name: ctx.shop().name,
            order_number: "1001".into(),
            products: Vec::new(),
            opening: Some(own.opening.get()),
            subject: Some(own.subject.get()),
            unsubscribe_url: String::new(),
            reminder: false,
        };
        request.subject_and_opening(tag)
    };
    let words_for = move |tag: Locale, own: OwnFields| {
        let lang_name = match tag {
            Locale::Tr => "Türkçe",
            Locale::En => "English",
        };
        view! {
            <fieldset class="own-words" data-locale=tag.as_str()>
                <legend>{lang_name}</legend>
                <label>{move || t().outreach_subject}
                    <input type="text" name=format!("subject-{}", tag.as_str()) maxlength="150"
                        prop:value=move || own.subject.get() on:input=move |ev| own.subject.set(event_target_value(&ev)) />
                </label>
                <label>{move || t().outreach_opening}
                    <textarea name=format!("opening-{}", tag.as_str()) maxlength="400" rows="2"
                        prop:value=move || own.opening.get() on:input=move |ev| own.opening.set(event_target_value(&ev))></textarea>
                </label>
                <div class="preview" aria-live="polite">
                    <p class="muted">{move || t().outreach_preview}</p>
                    <p class="preview-subject"><strong>{move || preview(tag, own).0}</strong></p>
                    <p class="preview-opening">{move || preview(tag, own).1}</p>
                </div>
            </fieldset>
        }
    };
    let number_field = move |name: &'static str,
                             label: fn(&crate::i18n::Strings) -> &'static str,
                             value: RwSignal<String>,
                             max: &'static str| {
        view! {
            <label>{move || label(t())}
                <input type="number" name=name min="0" max=max prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    let check_field = move |name: &'static str,
                            label: fn(&crate::i18n::Strings) -> &'static str,
                            on: RwSignal<bool>| {
        view! {
            <label class="check">
                <input type="checkbox" name=name prop:checked=move || on.get()
                    on:change=move |ev| on.set(event_target_checked(&ev)) />
                {move || label(t())}
            </label>
        }
    };
    let stored = move |which: fn(&OutreachSettings) -> Option<String>| {
        loaded.with(|s| s.as_ref().and_then(which))
    };
    view! {
        <section class="settings outreach" aria-labelledby="outreach-heading">
            <h2 id="outreach-heading">{move || t().outreach_heading}</h2>
            <p class="muted">{move || t().outreach_help}</p>
            <form novalidate on:submit=submit>
                {check_field("sending", |t| t.outreach_sending, sending)}
                <label>{move || t().outreach_provider}
                    <select name="provider" prop:value=move || provider.get() on:change=move |ev| provider.set(event_target_value(&ev))>
                        <option value="resend">"Resend"</option>
                        <option value="postmark">"Postmark"</option>
                    </select>
                </label>
                <label>{move || t().outreach_api_key}
                    <input type="password" name="api_key" autocomplete="off" prop:value=move || api_key.get()
                        on:input=move |ev| api_key.set(event_target_value(&ev)) />
                </label>
                {move || stored(|s| s.api_key_hint.clone()).map(|hint| view! {
                    <p class="muted key-hint">{t().outreach_key_set.replace("{}", &hint)}</p>
                })}
                <label>{move || t().outreach_webhook_secret}
                    <input type="password" name="webhook_secret" autocomplete="off" prop:value=move || webhook_secret.get()
                        on:input=move |ev| webhook_secret.set(event_target_value(&ev)) />
                </label>
                {move || loaded.with(|s| s.as_ref().is_some_and(|s| s.webhook_secret_set)).then(|| view! {
                    <p class="muted">{t().outreach_secret_set}</p>
                })}
                <label>{move || t().outreach_sender}
                    <input type="text" name="sender" autocomplete="off" placeholder="Atölye <magaza@your-shop.example>"
                        prop:value=move || sender.get() on:input=move |ev| sender.set(event_target_value(&ev)) />
                </label>
                <label>{move || t().outreach_reply_to}
                    <input type="email" name="reply_to" autocomplete="off"
                        prop:value=move || reply_to.get() on:input=move |ev| reply_to.set(event_target_value(&ev)) />
                </label>
                <label>{move || t().outreach_locale}
                    <select name="locale" prop:value=move || locale.get() on:change=move |ev| locale.set(event_target_value(&ev))>
                        <option value="tr">"Türkçe"</option>
                        <option value="en">"English"</option>
                    </select>
                </label>
                <label>{move || t().outreach_time_zone}
                    <input type="text" name="time_zone" autocomplete="off"
                        prop:value=move || time_zone.get() on:input=move |ev| time_zone.set(event_target_value(&ev)) />
                </label>
                {number_field("quiet_start", |t| t.outreach_quiet_from, quiet_start, "23")}
                {number_field("quiet_end", |t| t.outreach_quiet_to, quiet_end, "23")}
                {number_field("cap_days", |t| t.outreach_cap, cap_days, "30")}
                {check_field("review_request", |t| t.outreach_review_on, asking)}
                {number_field("review_days", |t| t.outreach_review_days, days, "60")}
                {number_field("reminder_days", |t| t.outreach_reminder_days, reminder_days, "30")}
                {check_field("survey_invitation", |t| t.outreach_survey_on, inviting)}
                {number_field("survey_days", |t| t.outreach_survey_days, survey_days, "60")}
                {check_field("reply_notice", |t| t.outreach_reply_on, replying)}
                {check_field("answer_notice", |t| t.outreach_answer_on, answering)}
                {check_field("digest", |t| t.outreach_digest_on, digest_on)}
                <label>{move || t().outreach_digest_to}
                    <input type="email" name="digest_to" autocomplete="email"
                        prop:value=move || digest_to.get() on:input=move |ev| digest_to.set(event_target_value(&ev)) />
                </label>
                <fieldset class="shipment-notices">
                    <legend>{move || t().outreach_shipments}</legend>
                    {notices.into_iter().zip(SHIPMENT_NOTICES).map(|(on, kind)| view! {
                        <label class="check">
                            <input type="checkbox" name=kind.as_str() prop:checked=move || on.get()
                                on:change=move |ev| on.set(event_target_checked(&ev)) />
                            {move || kind_name(t(), kind)}
                        </label>
                    }).collect::<Vec<_>>()}
                </fieldset>
                <p class="muted">{move || t().outreach_placeholders}</p>
                {words_for(Locale::Tr, own_tr)}
                {words_for(Locale::En, own_en)}
                <ErrorLine error=error />
                <button type="submit" disabled=move || busy.get()>{move || t().save}</button>
            </form>
            <Figures report />
        </section>
    }
}

const SHIPMENT_NOTICES: [MessageKind; 4] = [
    MessageKind::ShipmentShipped,
    MessageKind::ShipmentOutForDelivery,
    MessageKind::ShipmentDelayed,
    MessageKind::ShipmentDelivered,
];

fn kind_name(t: &crate::i18n::Strings, kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::ReviewRequest => t.outreach_kind_request,
        MessageKind::ReviewReminder => t.outreach_kind_reminder,
        MessageKind::SurveyInvitation => t.outreach_kind_survey,
        MessageKind::ShipmentShipped => t.outreach_kind_shipped,
        MessageKind::ShipmentOutForDelivery => t.outreach_kind_out_for_delivery,
        MessageKind::ShipmentDelayed => t.outreach_kind_delayed,
        MessageKind::ShipmentDelivered => t.outreach_kind_delivered,
        MessageKind::ReplyNotice => t.outreach_kind_reply,
        MessageKind::MerchantDigest => t.outreach_kind_digest,
        MessageKind::CaseAnswer => t.outreach_kind_case_answer,
        MessageKind::AnswerNotice => t.outreach_kind_answer,
    }
}

#[component]
fn Figures(report: RwSignal<Option<OutreachReport>>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let lang = move || ctx.lang.get();
    let kind_name = move |kind: MessageKind| kind_name(t(), kind);
    let state_name = move |state: MessageState| match state {
        MessageState::Scheduled => t().outreach_scheduled,
        MessageState::Sent => t().outreach_sent,
        MessageState::Failed => t().outreach_failed,
        MessageState::Skipped => t().outreach_skipped,
    };
    view! {
        <h3>{move || t().outreach_report_heading}</h3>
        {move || report.get().map(|r| {
            let suppressed = t()
                .outreach_suppressed
                .replacen("{}", &r.unsubscribed.to_string(), 1)
                .replacen("{}", &r.bounced.to_string(), 1)
                .replacen("{}", &r.complained.to_string(), 1);
            view! {
                // Six columns: on a phone the table scrolls, not the page.
                <div class="table-wrap"><table class="outreach-figures">
                    <thead><tr>
                        <th scope="col">{t().outreach_kind}</th>
                        <th scope="col">{t().outreach_scheduled}</th>
                        <th scope="col">{t().outreach_sent}</th>
                        <th scope="col">{t().outreach_failed}</th>
                        <th scope="col">{t().outreach_skipped}</th>
                        <th scope="col">{t().outreach_reviewed}</th>
                    </tr></thead>
                    <tbody>
                        {r.kinds.iter().map(|k| {
                            // Reviews follow review requests and reminders only.
                            let about_reviews = matches!(k.kind, MessageKind::ReviewRequest | MessageKind::ReviewReminder);
                            let share = (k.sent > 0).then(|| (k.reviewed_within_14_days * 1000 / k.sent) as i64);
                            view! {
                                <tr data-kind=k.kind.as_str()>
                                    <th scope="row">{kind_name(k.kind)}</th>
                                    <td>{k.scheduled}</td>
                                    <td>{k.sent}</td>
                                    <td>{k.failed}</td>
                                    <td>{k.skipped}</td>
                                    <td>{if about_reviews { format!("{} ({})", k.reviewed_within_14_days, crate::format::percent(lang(), share)) } else { "–".into() }}</td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table></div>
                <p class="outreach-suppressed">{suppressed}</p>
                <h4>{t().outreach_latest}</h4>
                {if r.messages.is_empty() {
                    view! { <p class="muted">{t().outreach_none}</p> }.into_any()
                } else {
                    view! {
                        <ul class="outreach-messages">
                            {r.messages.iter().map(|m| {
                                let when = crate::format::date_time(lang(), m.sent_at.unwrap_or(m.due_at));
                                view! {
                                    <li data-state=format!("{:?}", m.state).to_lowercase()>
                                        {format!("{} · {} · {} · {}", kind_name(m.kind), m.order.as_ref().or(m.review.as_ref()).map_or("", |about| about.as_str()), state_name(m.state), when)}
                                        {m.outcome.clone().map(|o| view! { <span class="muted">{format!(" — {o}")}</span> })}
                                    </li>
                                }
                            }).collect::<Vec<_>>()}
                        </ul>
                    }.into_any()
                }}
            }
        })}
    }
}

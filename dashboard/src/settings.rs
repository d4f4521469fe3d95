//! Settings: the moderation policy and block list, the survey's questions and cooldown, the
//! messages memnun sends shoppers (`outreach`), the shop's allowed origins, pages and retention,
//! the connected platforms (Shopify, WooCommerce:
//! where to point their webhooks, the signing secret, the latest deliveries), the webhook, the
//! embed snippet for this shop, and one shopper's data (export and deletion).

use crate::Ctx;
use crate::api::Failure;
use crate::ui::ErrorLine;
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::ShopSettings;
use memnun_protocol::connectors::{Connector, ConnectorList, Platform};
use memnun_protocol::moderation::{ModerationMode, ModerationPolicy};
use memnun_protocol::shopper::{DeletionReport, ShopperRequest};
use memnun_protocol::survey::SurveySettings;
use serde::Deserialize;
use serde::de::DeserializeOwned;

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A whole number typed into `label`'s field, or the words saying it is not one.
pub(crate) fn whole_number(ctx: Ctx, label: &str, typed: &str) -> Result<i64, String> {
    typed
        .trim()
        .parse()
        .map_err(|_| ctx.words().whole_number.replace("{}", label))
}

/// Reads a settings form's current values (`GET path`) into it with `show`, or says why not.
pub(crate) fn load_form<T: DeserializeOwned + 'static>(
    ctx: Ctx,
    path: &'static str,
    error: RwSignal<Option<String>>,
    show: impl Fn(T) + 'static,
) {
    spawn_local(async move {
        match ctx.client().get::<T>(path).await {
            Ok(value) => show(value),
            Err(f) => error.set(Some(ctx.explain(&f))),
        }
    });
}

/// Saves one settings form: PUT `path` with `body`, then says so or why not.
pub(crate) fn save(
    ctx: Ctx,
    path: &'static str,
    body: serde_json::Value,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    done: impl FnOnce(String) + 'static,
) {
    busy.set(true);
    spawn_local(async move {
        match ctx
            .client()
            .call("PUT", path, crate::api::Body::Json(body.to_string()))
            .await
        {
            Ok(text) => {
                error.set(None);
                ctx.say(ctx.words().saved);
                done(text);
            }
            Err(f) => error.set(Some(ctx.explain(&f))),
        }
        busy.set(false);
    });
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    view! {
        <h1 tabindex="-1">{move || t().page_settings}</h1>
        <Embed />
        <Moderation />
        <Survey />
        <crate::outreach::Outreach />
        <Shop />
        <Connectors />
        <Webhook />
        <ShopperData />
    }
}

#[component]
fn Embed() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let shop = ctx.shop().id;
    // The loader is an ES module (it finds itself by `import.meta.url`): `type="module"` is
    // what makes it run.
    let snippet = format!(
        "<script type=\"module\" src=\"{origin}/v1/memnun.js\" data-shop=\"{shop}\" async></script>\n\
         <div data-memnun=\"reviews\" data-product=\"PRODUCT-ID\"></div>\n\
         <div data-memnun=\"recommendations\" data-product=\"PRODUCT-ID\"></div>"
    );
    let copied = RwSignal::new(false);
    let text = snippet.clone();
    let copy = move |_| {
        let Some(w) = web_sys::window() else { return };
        let promise = w.navigator().clipboard().write_text(&text);
        spawn_local(async move {
            // Said only once the clipboard has it (a browser may refuse).
            if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                copied.set(true);
                ctx.say(ctx.words().copied);
                set_timeout(move || copied.set(false), std::time::Duration::from_secs(3));
            }
        });
    };
    view! {
        <section class="settings" aria-labelledby="embed-heading">
            <h2 id="embed-heading">{move || t().embed_heading}</h2>
            <p>{move || t().embed_help}</p>
            <pre><code id="embed-snippet">{snippet}</code></pre>
            <button type="button" class="secondary" on:click=copy aria-describedby="embed-snippet">
                {move || if copied.get() { t().copied } else { t().copy }}
            </button>
        </section>
    }
}

#[component]
fn Moderation() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let mode = RwSignal::new("publish".to_owned());
    let hold_at = RwSignal::new("2".to_owned());
    let threshold = RwSignal::new("3".to_owned());
    let block_list = RwSignal::new(String::new());
    let default_list = RwSignal::new(true);
    let publish_photos = RwSignal::new(false);
    let take_questions = RwSignal::new(true);
    let notice_tr = RwSignal::new(String::new());
    let notice_en = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Until the shop's policy is in the form, saving would write the form's defaults over it.
    // Until the stored policy is in, the controls wait: a choice made before it came would be
    // overwritten by it, and saved as it was.
    let loaded = RwSignal::new(false);
    let show = move |p: ModerationPolicy| {
        loaded.set(true);
        mode.set(
            match p.mode {
                ModerationMode::Publish => "publish",
                ModerationMode::HoldAll => "hold_all",
                ModerationMode::HoldLow => "hold_low",
            }
            .into(),
        );
        hold_at.set(p.hold_at_or_below.to_string());
        threshold.set(p.report_threshold.to_string());
        block_list.set(p.block_list.join("\n"));
        default_list.set(p.use_default_block_list);
        publish_photos.set(p.publish_photos);
        take_questions.set(p.take_questions);
        notice_tr.set(p.notice_tr);
        notice_en.set(p.notice_en);
    };
    load_form::<ModerationPolicy>(ctx, "moderation", error, show);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = ctx.words();
        if !loaded.get_untracked() {
            error.set(Some(t.not_loaded.into()));
            return;
        }
        let numbers =
            whole_number(ctx, t.hold_at_or_below, &hold_at.get_untracked()).and_then(|hold| {
                whole_number(ctx, t.report_threshold, &threshold.get_untracked())
                    .map(|reports| (hold, reports))
            });
        let (hold, reports) = match numbers {
            Ok(n) => n,
            Err(problem) => {
                error.set(Some(problem));
                return;
            }
        };
        let body = serde_json::json!({
            "mode": mode.get_untracked(),
            "hold_at_or_below": hold,
            "report_threshold": reports,
            "block_list": lines(&block_list.get_untracked()),
            "use_default_block_list": default_list.get_untracked(),
            "publish_photos": publish_photos.get_untracked(),
            "take_questions": take_questions.get_untracked(),
            "notice_tr": notice_tr.get_untracked(),
            "notice_en": notice_en.get_untracked(),
        });
        save(ctx, "moderation", body, error, busy, move |text| {
            if let Ok(p) = serde_json::from_str::<ModerationPolicy>(&text) {
                show(p);
            }
        });
    };
    view! {
        <section class="settings" aria-labelledby="moderation-heading">
            <h2 id="moderation-heading">{move || t().moderation_heading}</h2>
            <form novalidate on:submit=submit>
                <label>{move || t().moderation_mode}
                    <select name="mode" disabled=move || !loaded.get() prop:value=move || mode.get() on:change=move |ev| mode.set(event_target_value(&ev))>
                        <option value="publish">{move || t().mode_publish}</option>
                        <option value="hold_low">{move || t().mode_hold_low}</option>
                        <option value="hold_all">{move || t().mode_hold_all}</option>
                    </select>
                </label>
                <label>{move || t().hold_at_or_below}
                    <input type="number" name="hold_at_or_below" disabled=move || !loaded.get() min="1" max="4" prop:value=move || hold_at.get()
                        on:input=move |ev| hold_at.set(event_target_value(&ev)) />
                </label>
                <label>{move || t().report_threshold}
                    <input type="number" name="report_threshold" disabled=move || !loaded.get() min="1" max="100" prop:value=move || threshold.get()
                        on:input=move |ev| threshold.set(event_target_value(&ev)) />
                </label>
                <label>{move || t().block_list}
                    <textarea name="block_list" disabled=move || !loaded.get() rows="4" aria-describedby="block-list-help" prop:value=move || block_list.get()
                        on:input=move |ev| block_list.set(event_target_value(&ev))></textarea>
                </label>
                <p id="block-list-help" class="muted">{move || t().block_list_help}</p>
                <label class="check">
                    <input type="checkbox" name="use_default_block_list" disabled=move || !loaded.get() prop:checked=move || default_list.get()
                        on:change=move |ev| default_list.set(event_target_checked(&ev)) />
                    {move || t().use_default_block_list}
                </label>
                <label class="check">
                    <input type="checkbox" name="publish_photos" disabled=move || !loaded.get() prop:checked=move || publish_photos.get()
                        on:change=move |ev| publish_photos.set(event_target_checked(&ev)) />
                    {move || t().publish_photos}
                </label>
                <label class="check">
                    <input type="checkbox" name="take_questions" disabled=move || !loaded.get() prop:checked=move || take_questions.get()
                        on:change=move |ev| take_questions.set(event_target_checked(&ev)) />
                    {move || t().take_questions}
                </label>
                <label>{move || t().notice_tr}
                    <textarea name="notice_tr" disabled=move || !loaded.get() rows="2" maxlength="600" prop:value=move || notice_tr.get()
                        on:input=move |ev| notice_tr.set(event_target_value(&ev))></textarea>
                </label>
                <label>{move || t().notice_en}
                    <textarea name="notice_en" disabled=move || !loaded.get() rows="2" maxlength="600" prop:value=move || notice_en.get()
                        on:input=move |ev| notice_en.set(event_target_value(&ev))></textarea>
                </label>
                <ErrorLine error=error />
                <button type="submit" disabled=move || busy.get() || !loaded.get()>{move || t().save}</button>
            </form>
        </section>
    }
}

#[component]
fn Survey() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let settings = RwSignal::new(None::<SurveySettings>);
    let cooldown = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let show = move |s: SurveySettings| {
        cooldown.set(s.cooldown_days.to_string());
        settings.set(Some(s));
    };
    load_form::<SurveySettings>(ctx, "survey", error, show);
    let toggle = move |which: &'static str, on: bool| {
        settings.update(|s| {
            if let Some(s) = s {
                let q = &mut s.questions;
                match which {
                    "nps" => q.nps = on,
                    "follow_up" => q.follow_up = on,
                    "csat" => q.csat = on,
                    "ces" => q.ces = on,
                    _ => q.comment = on,
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = ctx.words();
        let Some(s) = settings.get_untracked() else {
            error.set(Some(t.not_loaded.into()));
            return;
        };
        let days = match whole_number(ctx, t.cooldown_days, &cooldown.get_untracked()) {
            Ok(days) => days,
            Err(problem) => {
                error.set(Some(problem));
                return;
            }
        };
        let body = serde_json::json!({
            "questions": s.questions,
            "cooldown_days": days,
        });
        save(ctx, "survey", body, error, busy, move |text| {
            if let Ok(s) = serde_json::from_str::<SurveySettings>(&text) {
                show(s);
            }
        });
    };
    let question = move |which: &'static str, label: fn(&crate::i18n::Strings) -> &'static str| {
        view! {
            <label class="check">
                <input type="checkbox" name=which
                    prop:checked=move || settings.with(|s| s.as_ref().is_some_and(|s| {
                        let q = s.questions;
                        match which { "nps" => q.nps, "follow_up" => q.follow_up, "csat" => q.csat, "ces" => q.ces, _ => q.comment }
                    }))
                    on:change=move |ev| toggle(which, event_target_checked(&ev)) />
                {move || label(t())}
            </label>
        }
    };
    view! {
        <section class="settings" aria-labelledby="survey-heading">
            <h2 id="survey-heading">{move || t().survey_heading}</h2>
            <form novalidate on:submit=submit>
                <fieldset>
                    <legend>{move || t().questions_asked}</legend>
                    {question("nps", |t| t.q_nps)}
                    {question("follow_up", |t| t.q_follow_up)}
                    {question("csat", |t| t.q_csat)}
                    {question("ces", |t| t.q_ces)}
                    {question("comment", |t| t.q_comment)}
                </fieldset>
                <label>{move || t().cooldown_days}
                    <input type="number" name="cooldown_days" min="0" max="365" prop:value=move || cooldown.get()
                        on:input=move |ev| cooldown.set(event_target_value(&ev)) />
                </label>
                <ErrorLine error=error />
                <button type="submit" disabled=move || busy.get()>{move || t().save}</button>
            </form>
        </section>
    }
}

#[component]
fn Shop() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let origins = RwSignal::new(String::new());
    let tracker = RwSignal::new(String::new());
    let survey = RwSignal::new(String::new());
    let product = RwSignal::new(String::new());
    let retention = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Until the shop's origins are in the form, saving would send none and lock every widget out.
    let loaded = RwSignal::new(false);
    let show = move |s: ShopSettings| {
        loaded.set(true);
        origins.set(s.allowed_origins.join("\n"));
        tracker.set(s.pages.tracker_page.unwrap_or_default());
        survey.set(s.pages.survey_page.unwrap_or_default());
        product.set(s.pages.product_page.unwrap_or_default());
        retention.set(s.event_retention_days.to_string());
    };
    load_form::<ShopSettings>(ctx, "shop", error, show);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = ctx.words();
        if !loaded.get_untracked() {
            error.set(Some(t.not_loaded.into()));
            return;
        }
        let allowed = lines(&origins.get_untracked());
        let confirmed = || {
            web_sys::window()
                .and_then(|w| w.confirm_with_message(t.confirm_no_origins).ok())
                .unwrap_or(false)
        };
        if allowed.is_empty() && !confirmed() {
            return;
        }
        let days = match whole_number(ctx, t.event_retention_days, &retention.get_untracked()) {
            Ok(days) => days,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let body = serde_json::json!({
            "allowed_origins": allowed,
            "event_retention_days": days,
            "tracker_page": tracker.get_untracked().trim(),
            "survey_page": survey.get_untracked().trim(),
            "product_page": product.get_untracked().trim(),
        });
        save(ctx, "shop", body, error, busy, move |text| {
            if let Ok(s) = serde_json::from_str::<ShopSettings>(&text) {
                show(s);
            }
        });
    };
    let url_field = move |name: &'static str,
                          value: RwSignal<String>,
                          label: fn(&crate::i18n::Strings) -> &'static str| {
        view! {
            <label>{move || label(t())}
                <input type="url" name=name inputmode="url" prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <section class="settings" aria-labelledby="shop-heading">
            <h2 id="shop-heading">{move || t().shop_heading}</h2>
            <form novalidate on:submit=submit>
                <label>{move || t().allowed_origins}
                    <textarea name="allowed_origins" rows="3" aria-describedby="origins-help" prop:value=move || origins.get()
                        on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
                </label>
                <p id="origins-help" class="muted">{move || t().allowed_origins_help}</p>
                {url_field("tracker_page", tracker, |t| t.tracker_page)}
                {url_field("survey_page", survey, |t| t.survey_page)}
                {url_field("product_page", product, |t| t.product_page)}
                <label>{move || t().event_retention_days}
                    <input type="text" inputmode="numeric" name="event_retention_days" prop:value=move || retention.get()
                        on:input=move |ev| retention.set(event_target_value(&ev)) />
                </label>
                <ErrorLine error=error />
                <button type="submit" disabled=move || busy.get()>{move || t().save}</button>
            </form>
        </section>
    }
}

/// Both platforms, each connected or not: what the merchant gives the platform (the address and
/// the topics) is shown before connecting, since the platform's admin comes first.
#[component]
fn Connectors() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let connected = RwSignal::new(Vec::<Connector>::new());
    let error = RwSignal::new(None::<String>);
    let reload = move || {
        spawn_local(async move {
            match ctx.client().get::<ConnectorList>("connectors").await {
                Ok(list) => connected.set(list.connectors),
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
        });
    };
    reload();
    view! {
        <ErrorLine error=error />
        {Platform::ALL.into_iter().map(|platform| view! { <PlatformConnection platform connected reload /> }).collect::<Vec<_>>()}
    }
}

#[component]
fn PlatformConnection(
    platform: Platform,
    connected: RwSignal<Vec<Connector>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let name = platform.as_str();
    let (title, steps): (&str, fn(&crate::i18n::Strings) -> &'static str) = match platform {
        Platform::Shopify => ("Shopify", |t| t.connect_shopify_steps),
        Platform::WooCommerce => ("WooCommerce", |t| t.connect_woocommerce_steps),
    };
    let this = move || connected.with(|all| all.iter().find(|c| c.platform == platform).cloned());
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let webhook_url = format!("{origin}/v1/connectors/{name}/{}", ctx.shop().id);
    let secret = RwSignal::new(String::new());
    let currency = RwSignal::new("TRY".to_owned());
    let locale = RwSignal::new("tr".to_owned());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    Effect::new(move || {
        if let Some(c) = this() {
            currency.set(c.currency);
            locale.set(c.locale);
        }
    });
    let path = match platform {
        Platform::Shopify => "connectors/shopify",
        Platform::WooCommerce => "connectors/woocommerce",
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({
            "secret": secret.get_untracked().trim(),
            "currency": currency.get_untracked().trim().to_ascii_uppercase(),
            "locale": locale.get_untracked(),
        });
        save(ctx, path, body, error, busy, move |_| {
            // The secret is never shown again, not even in the form.
            secret.set(String::new());
            reload();
        });
    };
    let disconnect = move |_| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(ctx.words().connector_confirm_disconnect)
                    .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match ctx
                .client()
                .call("DELETE", path, crate::api::Body::None)
                .await
            {
                Ok(_) => {
                    ctx.say(ctx.words().connector_disconnected);
                    reload();
                }
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            busy.set(false);
        });
    };
    let heading = format!("connect-{name}-heading");
    let labelled_by = heading.clone();
    let topics = platform.topics().join(", ");
    let lang = move || ctx.lang.get();
    view! {
        <section class="settings connector" aria-labelledby=labelled_by data-platform=name>
            <h2 id=heading>{move || t().connect_heading.replace("{}", title)}</h2>
            <p class="muted">{move || steps(t())}</p>
            <dl>
                <dt>{move || t().connector_url}</dt>
                <dd><code class="connector-url">{webhook_url}</code></dd>
                <dt>{move || t().connector_topics}</dt>
                <dd><code>{topics}</code></dd>
            </dl>
            {move || this().map(|c| view! {
                <p class="connector-state" role="status">
                    {t().connector_connected.replace("{}", &crate::format::date_time(lang(), c.connected_at))}
                </p>
                // Told until a delivery with the right signature comes after it.
                {c.signature_refused_at.filter(|at| c.deliveries.first().is_none_or(|d| d.received_at <= *at)).map(|at| view! {
                    <p class="error connector-signature">
                        {t().connector_signature_refused.replace("{}", &crate::format::date_time(lang(), at))}
                    </p>
                })}
                <DeliveryTable deliveries=c.deliveries.clone() />
            })}
            <form novalidate on:submit=submit>
                <label>{move || t().connector_secret}
                    <input type="password" name="secret" autocomplete="off" prop:value=move || secret.get()
                        on:input=move |ev| secret.set(event_target_value(&ev)) />
                </label>
                <label>{move || t().connector_currency}
                    <input type="text" name="currency" maxlength="3" autocomplete="off" prop:value=move || currency.get()
                        on:input=move |ev| currency.set(event_target_value(&ev)) />
                </label>
                <label>{move || t().connector_locale}
                    <select name="locale" prop:value=move || locale.get() on:change=move |ev| locale.set(event_target_value(&ev))>
                        <option value="tr">"Türkçe"</option>
                        <option value="en">"English"</option>
                    </select>
                </label>
                <ErrorLine error=error />
                <button type="submit" disabled=move || busy.get()>
                    {move || if this().is_some() { t().connector_replace.to_owned() } else { t().connect_heading.replace("{}", title) }}
                </button>
                <Show when=move || this().is_some()>
                    <button type="button" class="danger" disabled=move || busy.get() on:click=disconnect>{move || t().connector_disconnect}</button>
                </Show>
            </form>
        </section>
    }
}

/// The latest deliveries: when, what, and what memnun made of it.
#[component]
fn DeliveryTable(deliveries: Vec<memnun_protocol::connectors::ConnectorDelivery>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    if deliveries.is_empty() {
        return view! { <p class="muted">{move || t().connector_no_deliveries}</p> }.into_any();
    }
    let rows = deliveries
        .into_iter()
        .map(|d| {
            let outcome = d.outcome.clone();
            view! {
                <tr data-outcome=d.outcome.clone()>
                    <td>{move || crate::format::date_time(ctx.lang.get(), d.received_at)}</td>
                    <td><code>{d.topic}</code></td>
                    <td>{move || outcome_words(t(), &outcome)}</td>
                    <td>{d.detail.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <div class="table-wrap"><table class="deliveries">
            <caption>{move || t().connector_deliveries}</caption>
            <thead><tr>
                <th scope="col">{move || t().connector_received}</th>
                <th scope="col">{move || t().connector_topic}</th>
                <th scope="col">{move || t().connector_outcome}</th>
                <th scope="col">{move || t().connector_detail}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
    .into_any()
}

fn outcome_words(t: &crate::i18n::Strings, outcome: &str) -> &'static str {
    match outcome {
        "applied" => t.outcome_applied,
        "stale" => t.outcome_stale,
        "ignored" => t.outcome_ignored,
        "erased" => t.outcome_erased,
        "refused" => t.outcome_refused,
        "retry" => t.outcome_retry,
        _ => t.outcome_duplicate,
    }
}

#[derive(Deserialize)]
struct WebhookInfo {
    url: String,
}

#[derive(Deserialize)]
struct WebhookCreated {
    url: String,
    secret: String,
}

#[component]
fn Webhook() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let url = RwSignal::new(String::new());
    let current = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    spawn_local(async move {
        match ctx.client().get::<WebhookInfo>("webhook").await {
            Ok(w) => {
                url.set(w.url.clone());
                current.set(Some(w.url));
            }
            Err(Failure::Refused { status: 404, .. }) => current.set(None),
            Err(f) => error.set(Some(ctx.explain(&f))),
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({ "url": url.get_untracked().trim() });
        save(ctx, "webhook", body, error, busy, move |text| {
            if let Ok(w) = serde_json::from_str::<WebhookCreated>(&text) {
                current.set(Some(w.url));
                secret.set(Some(w.secret));
            }
        });
    };
    let remove = move |_| {
        busy.set(true);
        spawn_local(async move {
            match ctx
                .client()
                .call("DELETE", "webhook", crate::api::Body::None)
                .await
            {
                Ok(_) => {
                    current.set(None);
                    secret.set(None);
                    url.set(String::new());
                    ctx.say(ctx.words().webhook_removed);
                }
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="settings" aria-labelledby="webhook-heading">
            <h2 id="webhook-heading">{move || t().webhook_heading}</h2>
            <p class="muted">{move || t().webhook_help}</p>
            <form novalidate on:submit=submit>
                <label>{move || t().webhook_url}
                    <input type="url" name="webhook_url" inputmode="url" prop:value=move || url.get()
                        on:input=move |ev| url.set(event_target_value(&ev)) />
                </label>
                {move || secret.get().map(|s| view! {
                    <p class="secret" role="status">{t().webhook_secret_once} " " <code>{s}</code></p>
                })}
                <ErrorLine error=error />
                // Every save issues a new signing secret: the button says so.
                <button type="submit" disabled=move || busy.get()>{move || t().webhook_save}</button>
                <Show when=move || current.get().is_some()>
                    <button type="button" class="danger" disabled=move || busy.get() on:click=remove>{move || t().remove}</button>
                </Show>
            </form>
        </section>
    }
}

/// The body naming the shopper typed: an email has an `@`, anything else is taken for a browser
/// id (the edge says which rule it breaks).
fn shopper_body(typed: &str) -> String {
    let typed = typed.trim().to_owned();
    let request = if typed.contains('@') {
        ShopperRequest {
            email: Some(typed),
            browser: None,
        }
    } else {
        ShopperRequest {
            email: None,
            browser: Some(typed),
        }
    };
    serde_json::to_string(&request).unwrap_or_default()
}

#[component]
fn ShopperData() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let who = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let export = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let body = shopper_body(&who.get_untracked());
        spawn_local(async move {
            let outcome = ctx
                .client()
                .download(
                    "POST",
                    "shoppers/export",
                    crate::api::Body::Json(body),
                    "memnun-shopper.json",
                )
                .await;
            match outcome {
                Ok(()) => {
                    error.set(None);
                    ctx.say(ctx.words().shopper_exported);
                }
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            busy.set(false);
        });
    };
    let delete = move |_| {
        let t = ctx.words();
        let confirmed = web_sys::window()
            .and_then(|w| w.confirm_with_message(t.shopper_confirm_delete).ok())
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        busy.set(true);
        let body = shopper_body(&who.get_untracked());
        spawn_local(async move {
            let outcome = ctx
                .client()
                .call("POST", "shoppers/delete", crate::api::Body::Json(body))
                .await;
            match outcome.map(|text| serde_json::from_str::<DeletionReport>(&text)) {
                Ok(Ok(r)) => {
                    error.set(None);
                    let said = ctx
                        .words()
                        .shopper_deleted
                        .replace("{reviews}", &r.reviews.to_string())
                        .replace("{orders}", &r.orders.to_string())
                        .replace("{survey}", &r.survey_responses.to_string())
                        .replace("{events}", &r.events.to_string())
                        .replace("{views}", &r.product_views.to_string())
                        .replace("{votes}", &r.votes.to_string())
                        .replace("{reports}", &r.reports.to_string());
                    ctx.say(said);
                }
                Ok(Err(_)) => error.set(Some(ctx.explain(&Failure::Network))),
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="settings" aria-labelledby="shopper-heading">
            <h2 id="shopper-heading">{move || t().shopper_heading}</h2>
            <p class="muted" id="shopper-help">{move || t().shopper_help}</p>
            <form novalidate on:submit=export>
                <label>{move || t().shopper_who}
                    <input type="text" name="shopper" autocomplete="off" aria-describedby="shopper-help"
                        prop:value=move || who.get() on:input=move |ev| who.set(event_target_value(&ev)) />
                </label>
                <ErrorLine error=error />
                <button type="submit" disabled=move || busy.get()>{move || t().shopper_export}</button>
                <button type="button" class="danger" disabled=move || busy.get() on:click=delete>{move || t().shopper_delete}</button>
            </form>
        </section>
    }
}

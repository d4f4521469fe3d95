//! Reviews: the moderation queue (approve, reject with a reason, one by one or in bulk), search
//! and filters, the shop's reply written in place, and CSV export and import.

use crate::Ctx;
use crate::api::{self, Body, Failure};
use crate::format;
use crate::ui::{ErrorLine, More, Page, Paged};
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::merchant::{
    ImportReport, MerchantPhoto, MerchantReview, MerchantReviewPage, PhotoCopies, Rejection,
    ReplyUpdate,
};
use memnun_protocol::review::ReviewStatus;
use std::collections::BTreeSet;

impl Page for MerchantReviewPage {
    type Item = MerchantReview;
    fn into_parts(self) -> (Vec<MerchantReview>, Option<String>) {
        (self.reviews, self.next_cursor)
    }
}

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let status = RwSignal::new("pending".to_owned());
    let search = RwSignal::new(String::new());
    let product = RwSignal::new(String::new());
    let list = Paged::<MerchantReviewPage>::new();
    let reviews = list.items;
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let bulk_reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);

    let load = move || {
        // "photos" picks the reviews whose photos wait, whatever the reviews' own status.
        let chosen = status.get_untracked();
        let by_photos = chosen == "photos";
        let path = format!(
            "reviews{}",
            api::query(&[
                ("status", if by_photos { "" } else { &chosen }),
                ("photo_status", if by_photos { "pending" } else { "" }),
                ("q", search.get_untracked().trim()),
                ("product", product.get_untracked().trim()),
            ])
        );
        selected.set(BTreeSet::new());
        list.load(ctx, path, move |shown| {
            ctx.say(ctx.words().reviews_shown.replace("{}", &shown.to_string()));
        });
    };
    load();

    let replace = move |updated: MerchantReview| {
        let id = updated.id.clone();
        list.replace(move |r| r.id == id, updated);
    };

    let bulk = move |approve: bool| {
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        let t = ctx.words();
        if ids.is_empty() {
            list.error.set(Some(t.select_first.into()));
            return;
        }
        let reason = bulk_reason.get_untracked();
        if !approve && reason.trim().is_empty() {
            list.error.set(Some(t.reason_required.into()));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let (mut done, mut failed) = (0, 0);
            for id in ids {
                let path = format!(
                    "reviews/{}/{}",
                    api::segment(&id),
                    if approve { "approve" } else { "reject" }
                );
                let body = Rejection {
                    reason: (!approve).then(|| reason.clone()),
                };
                match ctx
                    .client()
                    .send::<MerchantReview>("POST", &path, &body)
                    .await
                {
                    Ok(r) => {
                        done += 1;
                        replace(r);
                    }
                    Err(Failure::Unauthorized) => {
                        ctx.explain(&Failure::Unauthorized);
                        return;
                    }
                    // Already so (409: someone else decided first) is what was asked: not a
                    // failure, but the list should show the review as it is now.
                    Err(Failure::Refused { status: 409, .. }) => {
                        done += 1;
                        let path = format!("reviews/{}", api::segment(&id));
                        if let Ok(r) = ctx.client().get::<MerchantReview>(&path).await {
                            replace(r);
                        }
                    }
                    Err(_) => failed += 1,
                }
            }
            selected.set(BTreeSet::new());
            bulk_reason.set(String::new());
            let message = t.bulk_done.replacen("{}", &done.to_string(), 1).replacen(
                "{}",
                &failed.to_string(),
                1,
            );
            list.error.set((failed > 0).then(|| message.clone()));
            ctx.say(message);
            busy.set(false);
        });
    };

    let t = move || ctx.t();
    view! {
        <h1 tabindex="-1">{move || t().page_reviews}</h1>
        <form class="filters" role="search" novalidate on:submit=move |ev| {
            ev.prevent_default();
            load();
        }>
            <label>{move || t().status}
                <select name="status" on:change=move |ev| { status.set(event_target_value(&ev)); load(); }
                    prop:value=move || status.get()>
                    <option value="pending">{move || t().status_pending}</option>
                    <option value="published">{move || t().status_published}</option>
                    <option value="rejected">{move || t().status_rejected}</option>
                    <option value="photos">{move || t().photos_waiting}</option>
                    <option value="">{move || t().status_all}</option>
                </select>
            </label>
            <label>{move || t().search}
                <input type="search" name="q" maxlength="100" prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev)) />
            </label>
            <label>{move || t().product}
                <input type="text" name="product" maxlength="64" prop:value=move || product.get()
                    on:input=move |ev| product.set(event_target_value(&ev)) />
            </label>
            <button type="submit">{move || t().search_button}</button>
        </form>
        <ErrorLine error=list.error />
        <div class="bulk" role="group" aria-label=move || t().bulk_actions>
            <label class="check">
                <input type="checkbox" name="select-all"
                    prop:checked=move || !reviews.with(Vec::is_empty) && selected.with(|s| s.len()) == reviews.with(Vec::len)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.set(if on { reviews.with_untracked(|r| r.iter().map(|r| r.id.clone()).collect()) } else { BTreeSet::new() });
                    } />
                {move || t().select_all}
            </label>
            <span class="muted">{move || t().selected_count.replace("{}", &selected.with(|s| s.len()).to_string())}</span>
            <button type="button" disabled=move || busy.get() on:click=move |_| bulk(true)>{move || t().approve_selected}</button>
            <label>{move || t().reject_reason}
                <input type="text" name="bulk-reason" maxlength="500" prop:value=move || bulk_reason.get()
                    on:input=move |ev| bulk_reason.set(event_target_value(&ev)) />
            </label>
            <button type="button" class="danger" disabled=move || busy.get() on:click=move |_| bulk(false)>{move || t().reject_selected}</button>
        </div>
        <Show when=move || !list.loading.get() && reviews.with(Vec::is_empty)>
            <p class="empty">{move || t().no_reviews}</p>
        </Show>
        <ul class="reviews">
            <For
                each=move || reviews.get()
                key=|r| (
                    r.id.clone(),
                    r.status.as_str(),
                    r.reply.as_ref().map(|reply| (reply.created_at, reply.body.clone())),
                    r.photos.iter().map(|p| p.status.as_str()).collect::<Vec<_>>(),
                )
                children=move |review| view! { <ReviewItem review=review selected=selected on_change=replace /> }
            />
        </ul>
        <More next=list.next loading=list.loading on_more=move || list.more(ctx) />
        <CsvTools on_imported=load />
    }
}

fn status_word(t: &crate::i18n::Strings, status: ReviewStatus) -> &'static str {
    match status {
        ReviewStatus::Published => t.status_published,
        ReviewStatus::Pending => t.status_pending,
        ReviewStatus::Rejected => t.status_rejected,
    }
}

pub(crate) fn hold_word(t: &crate::i18n::Strings, reason: &str) -> String {
    match reason {
        "hold_all" => t.hold_all.into(),
        "low_rating" => t.hold_low_rating.into(),
        "blocked_word" => t.hold_blocked_word.into(),
        "duplicate" => t.hold_duplicate.into(),
        "reported" => t.hold_reported.into(),
        other => other.into(),
    }
}

/// The id of a review's heading, which names its checkbox and takes focus after an action.
fn heading_of(review: &str) -> String {
    format!("review-{review}")
}

#[component]
fn ReviewItem(
    review: MerchantReview,
    selected: RwSignal<BTreeSet<String>>,
    on_change: impl Fn(MerchantReview) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let id = review.id.clone();
    let rejecting = RwSignal::new(false);
    let replying = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let reply_text = RwSignal::new(
        review
            .reply
            .as_ref()
            .map(|r| r.body.clone())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let heading_id = heading_of(&review.id);
    let labelled_by = heading_id.clone();
    let checkbox_label = heading_id.clone();
    // Read aloud in the shopper's language, whatever the dashboard's.
    let text_lang = review.locale.clone().unwrap_or_default();

    let act =
        move |method: &'static str, action: &'static str, body: serde_json::Value, id: String| {
            pending.set(true);
            spawn_local(async move {
                let path = format!("reviews/{}/{action}", api::segment(&id));
                match ctx
                    .client()
                    .send::<serde_json::Value>(method, &path, &body)
                    .await
                {
                    Ok(value) => {
                        error.set(None);
                        let t = ctx.words();
                        ctx.say(match action {
                            "approve" => t.approved,
                            "reject" => t.rejected,
                            _ if method == "DELETE" => t.reply_removed,
                            _ => t.reply_saved,
                        });
                        // Approve and reject answer the review; a reply answers the review too, or
                        // nothing after a removal: then read it again.
                        let fresh = match serde_json::from_value::<MerchantReview>(value) {
                            Ok(r) => Some(r),
                            Err(_) => ctx
                                .client()
                                .get::<MerchantReview>(&format!("reviews/{}", api::segment(&id)))
                                .await
                                .ok(),
                        };
                        if let Some(r) = fresh {
                            on_change(r);
                            // The item is drawn anew and the pressed button with it: keep the
                            // keyboard on this review, at its heading.
                            crate::ui::focus_after_drawing(heading_of(&id));
                        }
                    }
                    Err(f) => error.set(Some(ctx.explain(&f))),
                }
                pending.set(false);
            });
        };

    let stars: String = (1..=5)
        .map(|n| if n <= review.rating { '★' } else { '☆' })
        .collect();
    let rating = review.rating;
    let status = review.status;
    let has_reply = review.reply.is_some();
    let reply = review.reply.clone();
    let hold = review.hold_reason.clone();
    let created = review.created_at;
    let (id_a, id_r, id_p, id_d, id_s) =
        (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
    let title = if review.title.is_empty() {
        None
    } else {
        Some(review.title.clone())
    };
    view! {
        <li class="review" aria-labelledby=labelled_by>
            <input type="checkbox" class="pick" name="select"
                aria-labelledby=checkbox_label
                prop:checked=move || selected.with(|s| s.contains(&id_s))
                on:change={
                    let id = id.clone();
                    move |ev| {
                        let on = event_target_checked(&ev);
                        selected.update(|s| { if on { s.insert(id.clone()); } else { s.remove(&id); } });
                    }
                } />
            <div class="content">
                <h2 id=heading_id class="title" tabindex="-1">
                    <span class="stars" role="img" aria-label=move || t().stars_label.replace("{}", &rating.to_string())>{stars}</span>
                    " "
                    {match title {
                        Some(title) => view! { <span lang=text_lang.clone()>{title}</span> }.into_any(),
                        None => view! { <span>{move || t().no_title}</span> }.into_any(),
                    }}
                </h2>
                <p class="meta">
                    <span class=format!("badge {}", status.as_str())>{move || status_word(t(), status)}</span>
                    {hold.map(|h| view! { " " <span class="badge hold">{move || hold_word(t(), &h)}</span> })}
                    {review.verified.then(|| view! { " " <span class="badge verified">{move || t().verified_buyer}</span> })}
                    " " {review.author.clone()}
                    {review.email.clone().map(|e| view! { " · " <span class="email">{e}</span> })}
                    " · " <span class="product">{review.product.clone()}</span>
                    " · " {move || format::date_time(ctx.lang.get(), created)}
                    {(review.reports > 0).then(|| { let n = review.reports; view! { " · " {move || t().reports_count.replace("{}", &n.to_string())} } })}
                </p>
                <p class="body" lang=text_lang.clone()>{review.body.clone()}</p>
                {(!review.photos.is_empty()).then(|| view! {
                    <Photos photos=review.photos.clone() on_change=on_change heading=heading_of(&id) />
                })}
                {reply.map(|r| view! {
                    <div class="reply">
                        <p class="muted">{move || t().your_reply}</p>
                        <p>{r.body}</p>
                    </div>
                })}
                <div class="actions">
                    {(status != ReviewStatus::Published).then(|| view! {
                        <button type="button" disabled=move || pending.get()
                            on:click={ let id = id_a.clone(); move |_| act("POST", "approve", serde_json::json!({}), id.clone()) }>
                            {move || t().approve}
                        </button>
                    })}
                    {(status != ReviewStatus::Rejected).then(|| view! {
                        <button type="button" class="danger" aria-expanded=move || rejecting.get().to_string()
                            on:click=move |_| rejecting.update(|r| *r = !*r)>
                            {move || t().reject}
                        </button>
                    })}
                    <button type="button" class="secondary" aria-expanded=move || replying.get().to_string()
                        on:click=move |_| replying.update(|r| *r = !*r)>
                        {move || if has_reply { t().edit_reply } else { t().reply }}
                    </button>
                </div>
                <Show when=move || rejecting.get()>
                    <form class="inline" novalidate on:submit={ let id = id_r.clone(); move |ev| {
                        ev.prevent_default();
                        if reason.get_untracked().trim().is_empty() {
                            error.set(Some(ctx.words().reason_required.into()));
                            return;
                        }
                        act("POST", "reject", serde_json::json!({ "reason": reason.get_untracked() }), id.clone());
                    } }>
                        <label>{move || t().reject_reason}
                            <input type="text" name="reason" maxlength="500" prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev)) />
                        </label>
                        <button type="submit" class="danger" disabled=move || pending.get()>{move || t().confirm_reject}</button>
                    </form>
                </Show>
                <Show when=move || replying.get()>
                    <form class="inline" novalidate on:submit={ let id = id_p.clone(); move |ev| {
                        ev.prevent_default();
                        let body = ReplyUpdate { body: Some(reply_text.get_untracked()) };
                        if let Err(errors) = body.validate() {
                            let problems: Vec<String> = errors.0.iter().map(|(_, p)| p.to_string()).collect();
                            error.set(Some(problems.join("; ")));
                            return;
                        }
                        act("PUT", "reply", serde_json::json!({ "body": body.body }), id.clone());
                    } }>
                        <label>{move || t().your_reply}
                            <textarea name="reply" rows="3" maxlength="5000" prop:value=move || reply_text.get()
                                on:input=move |ev| reply_text.set(event_target_value(&ev))></textarea>
                        </label>
                        <button type="submit" disabled=move || pending.get()>{move || t().save_reply}</button>
                        {has_reply.then(|| view! {
                            <button type="button" class="secondary" disabled=move || pending.get()
                                on:click={ let id = id_d.clone(); move |_| act("DELETE", "reply", serde_json::Value::Null, id.clone()) }>
                                {move || t().remove_reply}
                            </button>
                        })}
                    </form>
                </Show>
                <ErrorLine error=error />
            </div>
        </li>
    }
}

/// A review's photos: each thumbnail (fetched with the key), its status, and the merchant's
/// decision on it.
#[component]
fn Photos(
    photos: Vec<MerchantPhoto>,
    on_change: impl Fn(MerchantReview) + Copy + Send + Sync + 'static,
    heading: String,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let heading = StoredValue::new(heading);
    let decide = move |photo: String, approve: bool| {
        pending.set(true);
        spawn_local(async move {
            let action = if approve { "approve" } else { "reject" };
            let path = format!("photos/{}/{action}", api::segment(&photo));
            match ctx
                .client()
                .send::<MerchantReview>("POST", &path, &serde_json::json!({}))
                .await
            {
                Ok(review) => {
                    let t = ctx.words();
                    ctx.say(if approve {
                        t.photo_approved
                    } else {
                        t.photo_rejected
                    });
                    on_change(review);
                    crate::ui::focus_after_drawing(heading.get_value());
                }
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            pending.try_set(false);
        });
    };
    let items = photos
        .into_iter()
        .enumerate()
        .map(|(i, photo)| {
            let n = (i + 1).to_string();
            let (n_alt, n_ok, n_no, n_wait) = (n.clone(), n.clone(), n.clone(), n);
            // The photo and its thumbnail, both: the list shows the thumbnail and the viewer the
            // photo, and a sender chooses each (the edge checks only that their shapes match).
            let full = RwSignal::new(None::<String>);
            let small = RwSignal::new(None::<String>);
            let shown = photo.state == "ready" && photo.status != ReviewStatus::Rejected;
            if shown {
                for (src, suffix) in [(full, ""), (small, "/thumbnail")] {
                    let path = format!("photos/{}{suffix}", api::segment(&photo.id));
                    spawn_local(async move {
                        if let Ok(url) = ctx.client().object_url(&path).await
                            && src.try_set(Some(url.clone())).is_some()
                        {
                            // The item was drawn anew meanwhile: nothing shows this URL.
                            let _ = web_sys::Url::revoke_object_url(&url);
                        }
                    });
                    on_cleanup(move || {
                        if let Some(Some(url)) = src.try_get_untracked() {
                            let _ = web_sys::Url::revoke_object_url(&url);
                        }
                    });
                }
            }
            let status = photo.status;
            let (id_ok, id_no) = (photo.id.clone(), photo.id.clone());
            view! {
                <li>
                    {if shown {
                        let n_small = n_alt.clone();
                        view! {
                            <span class="shots">
                                <img class="full" alt=move || t().photo_alt.replace("{}", &n_alt)
                                    src=move || full.get().unwrap_or_default()
                                    width=photo.width.unwrap_or(400).min(240)
                                    height=photo.height.zip(photo.width).map_or(180, |(h, w)| h * 240.min(w) / w.max(1)) />
                                <img class="small" alt=move || t().photo_thumbnail_alt.replace("{}", &n_small)
                                    src=move || small.get().unwrap_or_default()
                                    width=photo.width.unwrap_or(400).min(80)
                                    height=photo.height.zip(photo.width).map_or(60, |(h, w)| h * 80.min(w) / w.max(1)) />
                            </span>
                        }.into_any()
                    } else {
                        view! { <span class="muted">{move || t().photo_not_copied.replace("{}", &n_wait)}</span> }.into_any()
                    }}
                    <span class=format!("badge {}", status.as_str())>{move || status_word(t(), status)}</span>
                    {(status == ReviewStatus::Pending).then(|| view! {
                        <button type="button" disabled=move || pending.get()
                            on:click=move |_| decide(id_ok.clone(), true)>
                            {move || t().approve_photo.replace("{}", &n_ok)}
                        </button>
                    })}
                    {(status != ReviewStatus::Rejected).then(|| view! {
                        <button type="button" class="danger" disabled=move || pending.get()
                            on:click=move |_| decide(id_no.clone(), false)>
                            {move || t().reject_photo.replace("{}", &n_no)}
                        </button>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="photos" role="group" aria-label=move || t().photos_of_review>
            <ul>{items}</ul>
            <ErrorLine error=error />
        </div>
    }
}

/// Export every review as CSV, and import a file with the row report.
#[component]
fn CsvTools(on_imported: impl Fn() + Copy + 'static) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move || ctx.t();
    let file = NodeRef::<leptos::html::Input>::new();
    let report = RwSignal::new(None::<ImportReport>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // How the copies of imported photos are getting on: read when the page opens and after an
    // import (the scheduled job copies a few a minute).
    let copies = RwSignal::new(None::<PhotoCopies>);
    let load_copies = move || {
        spawn_local(async move {
            if let Ok(c) = ctx.client().get::<PhotoCopies>("photos").await {
                copies.try_set(Some(c));
            }
        })
    };
    load_copies();
    let export = move |_| {
        busy.set(true);
        spawn_local(async move {
            match ctx
                .client()
                .download(
                    "GET",
                    "reviews.csv",
                    crate::api::Body::None,
                    "memnun-reviews.csv",
                )
                .await
            {
                Ok(()) => {
                    error.set(None);
                    ctx.say(ctx.words().exported);
                }
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            busy.set(false);
        });
    };
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(picked) = file
            .get()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            error.set(Some(ctx.words().choose_file.into()));
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let outcome = ctx
                .client()
                .call("POST", "reviews/import", Body::CsvFile(picked))
                .await;
            match outcome.map(|text| serde_json::from_str::<ImportReport>(&text)) {
                Ok(Ok(r)) => {
                    error.set(None);
                    let t = ctx.words();
                    ctx.say(
                        t.import_result
                            .replacen("{}", &r.imported.to_string(), 1)
                            .replacen("{}", &r.duplicates.to_string(), 1)
                            .replacen("{}", &r.refused.len().to_string(), 1),
                    );
                    report.set(Some(r));
                    // Only if the list is still on screen (the merchant may have moved on).
                    if busy.try_get_untracked().is_some() {
                        on_imported();
                        load_copies();
                    }
                }
                Ok(Err(_)) => error.set(Some(ctx.explain(&Failure::Network))),
                Err(f) => error.set(Some(ctx.explain(&f))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="csv" aria-labelledby="csv-heading">
            <h2 id="csv-heading">{move || t().csv_heading}</h2>
            <button type="button" class="secondary" disabled=move || busy.get() on:click=export>{move || t().export_csv}</button>
            <form novalidate on:submit=import>
                <label>{move || t().import_file}
                    <input type="file" name="csv" accept=".csv,text/csv" node_ref=file />
                </label>
                <button type="submit" disabled=move || busy.get()>{move || t().import_csv}</button>
            </form>
            <ErrorLine error=error />
            {move || copies.get().filter(|c| c.waiting + c.copied + c.failed > 0).map(|c| view! {
                <div class="photo-copies">
                    <p>{t().photo_copies
                        .replacen("{}", &c.waiting.to_string(), 1)
                        .replacen("{}", &c.copied.to_string(), 1)
                        .replacen("{}", &c.failed.to_string(), 1)}</p>
                    {(!c.problems.is_empty()).then(|| view! {
                        <table>
                            <caption>{t().photo_problems}</caption>
                            <thead><tr><th scope="col">{t().photo_address}</th><th scope="col">{t().problems}</th></tr></thead>
                            <tbody>
                                {c.problems.iter().map(|p| view! {
                                    <tr><td>{p.source_url.clone()}</td><td>{p.error.clone()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                </div>
            })}
            {move || report.get().map(|r| view! {
                <div class="import-report">
                    {tool_name(&r.format).map(|tool| view! {
                        <p>{t().import_read_as.replacen("{}", tool, 1)}</p>
                    })}
                    <p>{t().import_result
                        .replacen("{}", &r.imported.to_string(), 1)
                        .replacen("{}", &r.duplicates.to_string(), 1)
                        .replacen("{}", &r.refused.len().to_string(), 1)}</p>
                    {(!r.refused.is_empty()).then(|| view! {
                        <table>
                            <caption>{t().refused_rows}</caption>
                            <thead><tr><th scope="col">{t().line}</th><th scope="col">{t().problems}</th></tr></thead>
                            <tbody>
                                {r.refused.iter().map(|row| view! {
                                    <tr>
                                        <td>{row.line}</td>
                                        <td>{row.errors.iter().map(|(f, p)| format!("{f}: {p}")).collect::<Vec<_>>().join("; ")}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                </div>
            })}
        </section>
    }
}

/// The review tool an import was read as coming from, by its own name; `None` for memnun's own
/// format, which needs no saying.
fn tool_name(format: &str) -> Option<&'static str> {
    match format {
        "judge_me" => Some("Judge.me"),
        "yotpo" => Some("Yotpo"),
        "okendo" => Some("Okendo"),
        "shopify_product_reviews" => Some("Shopify Product Reviews"),
        _ => None,
    }
}

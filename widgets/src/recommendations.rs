//! The recommendation strip (`data-memnun="recommendations"`): product cards (image, name,
//! price in the shop's currency and the shopper's locale, star rating) in a row that scrolls by
//! touch and, once focused, by the arrow keys; images load lazily; its height is reserved.
//!
//! Each card shown and each click is told to the loader's event queue (`window.memnun.track`),
//! which sends them only with the shopper's consent and keeps the click on this browser, so an
//! add to cart or a purchase within 7 days is attributed to the strip without URL parameters.

use crate::api::{self, Api};
use crate::i18n::Locale;
use crate::wire;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

/// One card: the protocol's item, as `wire::recommendations` reads it.
type Card = memnun_protocol::recommend::Recommended;

/// The loader's `window.memnun`, if it is there.
fn loader() -> Option<JsValue> {
    let window: JsValue = web_sys::window()?.into();
    let memnun = js_sys::Reflect::get(&window, &"memnun".into()).ok()?;
    (!memnun.is_undefined()).then_some(memnun)
}

/// The products this browser viewed lately, newest first, from the loader (none without consent).
fn recently_viewed() -> Vec<String> {
    let Some(memnun) = loader() else {
        return Vec::new();
    };
    js_sys::Reflect::get(&memnun, &"recent".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&memnun).ok())
        .and_then(|list| list.dyn_into::<js_sys::Array>().ok())
        .map(|list| list.iter().filter_map(|p| p.as_string()).collect())
        .unwrap_or_default()
}

/// The experiment's arm the loader gives this browser (`a` without consent).
fn arm() -> String {
    loader()
        .and_then(|m| js_sys::Reflect::get(&m, &"arm".into()).ok())
        .and_then(|a| a.as_string())
        .unwrap_or_else(|| "a".to_owned())
}

/// Queues an event in the loader (a no-op without consent).
fn track(kind: &str, product: &str, source: &str, arm: &str) {
    let Some(memnun) = loader() else { return };
    let Ok(track) = js_sys::Reflect::get(&memnun, &"track".into()) else {
        return;
    };
    let Ok(track) = track.dyn_into::<js_sys::Function>() else {
        return;
    };
    let detail = wire::strings(&[("product", product), ("source", source), ("arm", arm)]);
    let _ = track.call2(&memnun, &kind.into(), &detail);
}

/// A price in the shopper's locale and the shop's currency, with the currency's own number of
/// decimals (the browser knows them: kuruş, cents, none for yen).
fn price(locale: Locale, minor: f64, currency: &str) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
    let locales = js_sys::Array::of1(&locale.tag().into());
    let format = js_sys::Intl::NumberFormat::new(&locales, &options);
    let digits = js_sys::Reflect::get(&format.resolved_options(), &"maximumFractionDigits".into())
        .ok()
        .and_then(|d| d.as_f64())
        .unwrap_or(2.0);
    format
        .format()
        .call1(&JsValue::UNDEFINED, &(minor / 10f64.powf(digits)).into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// What a strip shows: what goes with its product, or what this browser viewed lately.
#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    Related,
    RecentlyViewed,
}

#[component]
pub fn RecommendationsWidget(
    api: Api,
    locale: Locale,
    product: String,
    limit: u32,
    mode: Mode,
    /// The placeholder: an empty strip gives back the height the loader reserved for it.
    host: web_sys::HtmlElement,
) -> impl IntoView {
    let s = locale.recommendations();
    let cards = RwSignal::new(None::<Vec<Card>>);
    let arm = arm();
    // The loader asks for the related strip's URL while the module loads (`loader/memnun.js`).
    let url = match mode {
        Mode::Related => Some(api.shop_url(&format!(
            "products/{product}/recommendations?limit={limit}&arm={arm}&locale={}",
            locale.tag()
        ))),
        Mode::RecentlyViewed => {
            let ids: Vec<String> = recently_viewed()
                .into_iter()
                .filter(|p| *p != product)
                .take(limit as usize)
                .collect();
            (!ids.is_empty()).then(|| {
                let ids = String::from(js_sys::encode_uri_component(&ids.join(",")));
                api.shop_url(&format!("catalog?ids={ids}&locale={}", locale.tag()))
            })
        }
    };
    let heading = match mode {
        Mode::Related => s.heading,
        Mode::RecentlyViewed => s.recently_viewed,
    };
    let shown_arm = arm.clone();
    spawn_local(async move {
        let list = match url {
            None => Vec::new(),
            Some(url) => match api::get(&url).await {
                Ok(answer) if answer.is_success() => wire::recommendations(&answer.body),
                _ => Vec::new(),
            },
        };
        for card in &list {
            track(
                "recommendation_shown",
                &card.product,
                card.source.as_str(),
                &shown_arm,
            );
        }
        if list.is_empty() {
            let _ = host.set_attribute("data-empty", "");
        }
        cards.set(Some(list));
    });

    view! {
        <section class="memnun-recs" aria-labelledby="memnun-recs-heading">
            <h2 id="memnun-recs-heading">{heading}</h2>
            <ul class="strip" tabindex="0" aria-label=heading>
                {move || cards.get().unwrap_or_default().into_iter().map(|card| {
                    let arm = arm.clone();
                    let Card { product, source, .. } = card.clone();
                    let rating = card.rating_hundredths.map(|r| {
                        let label = locale.rated_of(r, card.reviews);
                        view! {
                            <span class="stars" role="img" aria-label=label>
                                {crate::i18n::stars_text(r)}
                                <span class="muted" aria-hidden="true">{format!(" ({})", card.reviews)}</span>
                            </span>
                        }
                    });
                    view! {
                        <li class="card">
                            <a href=card.url.clone()
                                on:click=move |_| track("recommendation_clicked", &product, source.as_str(), &arm)>
                                {card.image_url.clone().map(|src| view! {
                                    <img src=src alt="" loading="lazy" decoding="async" width="160" height="160" />
                                })}
                                <span class="name">{card.name.clone()}</span>
                                <span class="price">{price(locale, card.price_minor as f64, &card.currency)}</span>
                            </a>
                            {rating}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

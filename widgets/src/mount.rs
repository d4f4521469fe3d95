//! The seam between the loader and the wasm: [`mount`] gives a placeholder its own shadow root
//! and constructable stylesheet, then renders the widget its `data-memnun` names inside it.

use crate::api::Api;
use crate::i18n::Locale;
#[cfg(feature = "recommendations")]
use crate::recommendations::RecommendationsWidget;
#[cfg(feature = "reviews")]
use crate::reviews::ReviewsWidget;
use crate::style::stylesheet;
#[cfg(feature = "survey")]
use crate::survey::SurveyWidget;
#[cfg(feature = "tracker")]
use crate::tracker::TrackerWidget;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, HtmlElement, ShadowRootInit, ShadowRootMode};

/// Mounts the widget named by `host`'s `data-memnun` inside a new shadow root on `host`.
/// `base` is the edge's `/v1/` URL (from the loader's own URL); `shop` is the loader's
/// `data-shop`; `fetch`, the loader's, which has the widget's first request on its way already.
#[wasm_bindgen]
pub fn mount(
    host: HtmlElement,
    base: String,
    shop: String,
    fetch: js_sys::Function,
) -> Result<(), JsValue> {
    crate::api::fetch_through(fetch);
    let data = host.dataset();
    let kind = data.get("memnun").unwrap_or_default();
    let locale = Locale::detect(data.get("locale"));
    let api = Api::new(base, shop);

    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(&stylesheet())?;
    shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    let document = host.owner_document().ok_or("placeholder has no document")?;
    let root: HtmlElement = document.create_element("div")?.unchecked_into();
    root.set_class_name("memnun-root");
    root.set_attribute("lang", locale.tag())?;
    shadow.append_child(&root)?;

    match kind.as_str() {
        #[cfg(feature = "reviews")]
        "reviews" => {
            let product = data.get("product").unwrap_or_default();
            let product_name = crate::seo::product_name(data.get("productName"));
            let token = data
                .get("token")
                .or_else(|| fragment_token("memnun-review="));
            let handle = leptos::mount::mount_to(root, move || {
                view! {
                    <ReviewsWidget
                        api=api.clone()
                        locale=locale
                        product=product.clone()
                        product_name=product_name.clone()
                        token=token.clone()
                    />
                }
            });
            // The widget lives as long as the page: nothing ever unmounts it.
            handle.forget();
        }
        #[cfg(feature = "recommendations")]
        "recommendations" => {
            let product = data.get("product").unwrap_or_default();
            let limit = data
                .get("limit")
                .and_then(|l| l.parse::<u32>().ok())
                .unwrap_or(memnun_protocol::recommend::LIMIT_DEFAULT)
                .clamp(1, memnun_protocol::recommend::LIMIT_MAX);
            let mode = match data.get("mode").as_deref() {
                Some("recently-viewed") => crate::recommendations::Mode::RecentlyViewed,
                _ => crate::recommendations::Mode::Related,
            };
            let host = host.clone();
            let handle = leptos::mount::mount_to(root, move || {
                view! {
                    <RecommendationsWidget api=api.clone() locale=locale product=product.clone()
                        limit=limit mode=mode host=host.clone() />
                }
            });
            handle.forget();
        }
        #[cfg(feature = "tracker")]
        "order-tracker" => {
            let token = data.get("token").or_else(|| fragment_token("memnun="));
            let handle = leptos::mount::mount_to(root, move || {
                view! { <TrackerWidget api=api.clone() locale=locale token=token.clone() /> }
            });
            handle.forget();
        }
        #[cfg(feature = "survey")]
        "survey" => {
            let token = data.get("token").or_else(|| fragment_token("memnun="));
            let handle = leptos::mount::mount_to(root, move || {
                view! { <SurveyWidget api=api.clone() locale=locale token=token.clone() /> }
            });
            handle.forget();
        }
        other => {
            web_sys::console::warn_1(&format!("memnun: unknown widget \"{other}\"").into());
        }
    }
    crate::outbox::resend_pending();
    Ok(())
}

/// A signed link's token from the page URL's fragment (`#memnun-review=TOKEN` for review links,
/// so a tracker or survey link's `#memnun=` on the same page is never taken for one), which stays
/// out of Referer headers and server logs; or another value the link carries beside it.
pub(crate) fn fragment_token(key: &str) -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.split(['#', '&'])
        .find_map(|part| part.strip_prefix(key))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

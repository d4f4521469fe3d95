//! memnun's merchant dashboard, served by the edge at `/admin`: the overview, moderation, cases, satisfaction,
//! orders, recommendations and settings of one shop, in Turkish and English.
//!
//! Architecture invariant: this crate knows no SQL and no server internals. It calls only the
//! documented admin API (`api.rs`) with the key the merchant typed, which lives in the tab's
//! session storage and nowhere else. Everything shown is text nodes: a review or a comment
//! written by a shopper is never inserted as HTML.

mod api;
mod cases;
mod chart;
mod format;
mod i18n;
mod orders;
mod outreach;
mod overview;
mod questions;
mod recommendations;
mod reviews;
mod satisfaction;
mod settings;
mod table;
mod ui;

use api::{Client, Failure};
use i18n::{Lang, Strings};
use leptos::prelude::*;
use leptos::task::spawn_local;
use memnun_protocol::ShopSettings;
use wasm_bindgen::prelude::*;

const KEY_STORAGE: &str = "memnun:admin:key";

/// The dashboard's pages, each at its own `#fragment` so the browser's back button and a
/// bookmark work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Overview,
    Reviews,
    Questions,
    Cases,
    Satisfaction,
    Orders,
    Recommendations,
    Settings,
}

impl Page {
    const ALL: [Page; 8] = [
        Page::Overview,
        Page::Reviews,
        Page::Questions,
        Page::Cases,
        Page::Satisfaction,
        Page::Orders,
        Page::Recommendations,
        Page::Settings,
    ];

    fn fragment(self) -> &'static str {
        match self {
            Page::Overview => "overview",
            Page::Reviews => "reviews",
            Page::Questions => "questions",
            Page::Cases => "cases",
            Page::Satisfaction => "satisfaction",
            Page::Orders => "orders",
            Page::Recommendations => "recommendations",
            Page::Settings => "settings",
        }
    }

    /// The page the address names, if it names one.
    fn from_location() -> Option<Page> {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        let name = hash.trim_start_matches('#');
        Page::ALL.into_iter().find(|p| p.fragment() == name)
    }

    fn title(self, t: &Strings) -> &'static str {
        match self {
            Page::Overview => t.page_overview,
            Page::Reviews => t.page_reviews,
            Page::Questions => t.page_questions,
            Page::Cases => t.page_cases,
            Page::Satisfaction => t.page_satisfaction,
            Page::Orders => t.page_orders,
            Page::Recommendations => t.page_recommendations,
            Page::Settings => t.page_settings,
        }
    }
}

/// What every page needs: the signed-in client, the words of the chosen language, the live
/// region, and a way out when the key stops working.
#[derive(Clone, Copy)]
pub struct Ctx {
    client: StoredValue<Client>,
    shop: StoredValue<ShopSettings>,
    pub lang: RwSignal<Lang>,
    pub announce: RwSignal<String>,
    /// The signed-in session: `None` signs out.
    session: RwSignal<Option<Session>>,
    /// What the sign-in page says on arrival (why the merchant was signed out).
    sign_in_error: RwSignal<Option<String>>,
}

impl Ctx {
    pub fn client(&self) -> Client {
        self.client.get_value()
    }

    pub fn shop(&self) -> ShopSettings {
        self.shop.get_value()
    }

    /// The words of the chosen language, outside a reactive view.
    pub fn words(&self) -> &'static Strings {
        self.lang.get_untracked().strings()
    }

    pub fn say(&self, message: impl Into<String>) {
        say(self.announce, message.into());
    }

    pub fn t(&self) -> &'static Strings {
        self.lang.get().strings()
    }

    /// The words of a failure, in the chosen language. A 401 signs out: the key was revoked.
    pub fn explain(&self, failure: &Failure) -> String {
        let t = self.lang.get_untracked().strings();
        match failure {
            Failure::Unauthorized => {
                forget_key();
                self.sign_in_error.set(Some(t.key_expired.into()));
                self.session.set(None);
                t.key_expired.to_owned()
            }
            Failure::Network => t.network_failed.to_owned(),
            Failure::Refused {
                message, fields, ..
            } => {
                if fields.is_empty() {
                    message.clone()
                } else {
                    let detail: Vec<String> =
                        fields.iter().map(|(f, p)| format!("{f}: {p}")).collect();
                    format!("{message} ({})", detail.join("; "))
                }
            }
        }
    }
}

/// Puts `message` in the live region. Emptied first, so the same words said twice (a second
/// "Saved.") are announced twice.
fn say(region: RwSignal<String>, message: String) {
    region.set(String::new());
    request_animation_frame(move || region.set(message));
}

#[derive(Clone, PartialEq)]
pub struct Session {
    client: Client,
    shop: ShopSettings,
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn forget_key() {
    if let Some(s) = session_storage() {
        let _ = s.remove_item(KEY_STORAGE);
    }
}

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let root = document
        .get_element_by_id("app")
        .ok_or("no #app element")?
        .dyn_into::<web_sys::HtmlElement>()?;
    root.set_inner_html("");
    leptos::mount::mount_to(root, App).forget();
    Ok(())
}

#[component]
fn App() -> impl IntoView {
    let lang = RwSignal::new(Lang::detect());
    let session = RwSignal::new(None::<Session>);
    // Checking a key kept from earlier in this tab: until it answers, show nothing to sign in to.
    let checking = RwSignal::new(false);
    let announce = RwSignal::new(String::new());
    let sign_in_error = RwSignal::new(None::<String>);

    Effect::new(move |_| {
        let l = lang.get();
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", l.tag());
        }
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title(l.strings().document_title);
        }
    });

    let stored = session_storage().and_then(|s| s.get_item(KEY_STORAGE).ok().flatten());
    if let Some(key) = stored {
        checking.set(true);
        spawn_local(async move {
            let client = Client::new(&key);
            let t = lang.get_untracked().strings();
            match client.get::<ShopSettings>("shop").await {
                Ok(shop) => session.set(Some(Session { client, shop })),
                Err(Failure::Unauthorized) => {
                    forget_key();
                    sign_in_error.set(Some(t.key_expired.into()));
                }
                Err(Failure::Refused { message, .. }) => sign_in_error.set(Some(message)),
                Err(Failure::Network) => sign_in_error.set(Some(t.network_failed.into())),
            }
            checking.set(false);
        });
    }

    let sign_in = move |key: String| {
        let key = key.trim().to_owned();
        let t = lang.get_untracked().strings();
        if key.is_empty() {
            sign_in_error.set(Some(t.key_required.into()));
            return;
        }
        // A header cannot carry other characters: say what is wrong, not "no answer".
        if !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            sign_in_error.set(Some(t.key_malformed.into()));
            return;
        }
        sign_in_error.set(None);
        checking.set(true);
        spawn_local(async move {
            let client = Client::new(&key);
            match client.get::<ShopSettings>("shop").await {
                Ok(shop) => {
                    if let Some(s) = session_storage() {
                        let _ = s.set_item(KEY_STORAGE, client.key());
                    }
                    say(announce, t.signed_in.into());
                    session.set(Some(Session { client, shop }));
                }
                Err(Failure::Unauthorized) => sign_in_error.set(Some(t.key_wrong.into())),
                Err(Failure::Refused { message, .. }) => sign_in_error.set(Some(message)),
                Err(Failure::Network) => sign_in_error.set(Some(t.network_failed.into())),
            }
            checking.set(false);
        });
    };

    view! {
        <p class="sr-only" role="status" aria-live="polite">{move || announce.get()}</p>
        {move || match session.get() {
            Some(s) => view! {
                <Signed session=s lang=lang announce=announce session_signal=session sign_in_error=sign_in_error />
            }.into_any(),
            None => view! {
                <SignIn lang=lang checking=checking error=sign_in_error on_submit=sign_in />
            }.into_any(),
        }}
    }
}

#[component]
fn LangSwitch(lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <button type="button" class="link lang" on:click=move |_| {
            let next = lang.get_untracked().other();
            next.remember();
            lang.set(next);
        }>
            <span lang=move || lang.get().other().tag()>{move || lang.get().strings().other_language}</span>
        </button>
    }
}

#[component]
fn SignIn(
    lang: RwSignal<Lang>,
    checking: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    on_submit: impl Fn(String) + 'static,
) -> impl IntoView {
    let key = NodeRef::<leptos::html::Input>::new();
    let t = move || lang.get().strings();
    view! {
        <main class="sign-in">
            <div class="top"><LangSwitch lang=lang /></div>
            <h1>{move || t().sign_in_title}</h1>
            <p>{move || t().sign_in_intro}</p>
            <form novalidate on:submit=move |ev| {
                ev.prevent_default();
                if let Some(input) = key.get() {
                    on_submit(input.value());
                }
            }>
                <label for="api-key">{move || t().api_key}</label>
                <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false"
                    node_ref=key
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby="api-key-help api-key-error" />
                <p id="api-key-help" class="muted">{move || t().api_key_help}</p>
                <p id="api-key-error" class="error" role="alert">{move || error.get()}</p>
                <button type="submit" disabled=move || checking.get()>
                    {move || if checking.get() { t().checking } else { t().sign_in }}
                </button>
            </form>
        </main>
    }
}

/// Moves focus to the page's heading, where a screen reader starts reading the new page.
fn focus_heading() {
    if let Some(h1) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("main h1").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = h1.focus();
    }
}

#[component]
fn Signed(
    session: Session,
    lang: RwSignal<Lang>,
    announce: RwSignal<String>,
    session_signal: RwSignal<Option<Session>>,
    sign_in_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let ctx = Ctx {
        client: StoredValue::new(session.client.clone()),
        shop: StoredValue::new(session.shop.clone()),
        lang,
        announce,
        session: session_signal,
        sign_in_error,
    };
    provide_context(ctx);
    let page = RwSignal::new(Page::from_location().unwrap_or(Page::Overview));
    let on_hash = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
        // A fragment that names no page (an in-page anchor) leaves the page as it is.
        let Some(next) = Page::from_location() else {
            return;
        };
        page.set(next);
        // A new page is a new heading: take keyboard and screen-reader focus there.
        request_animation_frame(focus_heading);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    }
    // Signing out (and in again) must not leave a listener behind per session.
    let listener = send_wrapper::SendWrapper::new(on_hash);
    on_cleanup(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback(
                "hashchange",
                listener.as_ref().unchecked_ref(),
            );
        }
    });
    // The tab's title names the page, so a list of tabs (and a screen reader) tells them apart.
    Effect::new(move |_| {
        let t = lang.get().strings();
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title(&format!("{} · {}", page.get().title(t), t.document_title));
        }
    });

    let sign_out = move |_| {
        forget_key();
        let t = lang.get_untracked().strings();
        say(announce, t.signed_out.into());
        sign_in_error.set(None);
        session_signal.set(None);
    };
    let t = move || lang.get().strings();
    let shop_id = session.shop.id.clone();
    view! {
        <header class="bar">
            // Not a fragment link: the fragment names the page, and `#main` names none.
            <a class="skip" href="#main" on:click=move |ev| {
                ev.prevent_default();
                focus_heading();
            }>{move || t().skip_to_content}</a>
            <p class="brand">"memnun" <span class="muted">" · " {shop_id}</span></p>
            <LangSwitch lang=lang />
            <button type="button" class="secondary" on:click=sign_out>{move || t().sign_out}</button>
        </header>
        <nav aria-label=move || t().navigation>
            <ul>
                {Page::ALL.into_iter().map(|p| view! {
                    <li>
                        <a href=format!("#{}", p.fragment())
                            aria-current=move || (page.get() == p).then_some("page")>
                            {move || p.title(t())}
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </nav>
        <main id="main" tabindex="-1">
            {move || match page.get() {
                Page::Overview => view! { <overview::OverviewPage /> }.into_any(),
                Page::Reviews => view! { <reviews::ReviewsPage /> }.into_any(),
                Page::Questions => view! { <questions::QuestionsPage /> }.into_any(),
                Page::Cases => view! { <cases::CasesPage /> }.into_any(),
                Page::Satisfaction => view! { <satisfaction::SatisfactionPage /> }.into_any(),
                Page::Orders => view! { <orders::OrdersPage /> }.into_any(),
                Page::Recommendations => view! { <recommendations::RecommendationsPage /> }.into_any(),
                Page::Settings => view! { <settings::SettingsPage /> }.into_any(),
            }}
        </main>
    }
}

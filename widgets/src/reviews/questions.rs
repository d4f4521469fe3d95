//! Questions and answers under the reviews, a part of the module of its own
//! (`review_questions`): fetched with the review list's first page (which says whether the shop
//! takes questions), and drawn before the list's controls show, so nothing moves twice. The answered
//! questions come with that first page; a search, "More questions" and "Ask a question" ask the
//! edge themselves. A question goes through the outbox like a review (a lost connection loses
//! nothing), and the shop's answer is what makes it appear.
//!
//! Plain DOM by name (`photo_upload::call`) like the gallery, for the same reason: a function
//! of the main module a part calls must stay a function of its own there. Everything a shopper
//! or the merchant wrote is set as text; the markup is built from this part's own words only.

use super::gallery::{all, append, closest, element, find, position, set};
use super::photo_upload::{add_rules, call};
use crate::api;
use crate::i18n::Locale;
use crate::outbox::{self, Outcome, Pending};
use crate::wire;
use js_sys::{Array, Reflect};
use memnun_protocol::questions::NewQuestion;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

/// What only this part shows.
struct Words {
    heading: &'static str,
    search: &'static str,
    search_button: &'static str,
    question: &'static str,
    answer: &'static str,
    helpful: &'static str,
    more: &'static str,
    none: &'static str,
    found: &'static str,
    no_match: &'static str,
    not_loaded: &'static str,
    ask: &'static str,
    your_question: &'static str,
    name: &'static str,
    email: &'static str,
    send: &'static str,
    sent: &'static str,
    sent_email: &'static str,
    queued: &'static str,
    failed: &'static str,
    need_question: &'static str,
    need_name: &'static str,
    bad_email: &'static str,
}

static EN: Words = Words {
    heading: "Questions and answers",
    search: "Search questions",
    search_button: "Search",
    question: "Question:",
    answer: "Answer from the shop:",
    helpful: "Helpful",
    more: "More questions",
    none: "No answered questions yet. Ask the first one.",
    found: "Questions found:",
    no_match: "No answered question matches. Ask it below.",
    not_loaded: "Questions could not be loaded. Please try again.",
    ask: "Ask a question",
    your_question: "Your question",
    name: "Name to show",
    email: "Email (optional: we'll send you the answer)",
    send: "Send question",
    sent: "Thank you! The shop will answer, and the answer will appear here.",
    sent_email: "Thank you! The shop will answer; we'll email you the answer.",
    queued: "Saved: your question will be sent when the connection returns.",
    failed: "Your question could not be sent. Please try again.",
    need_question: "Please write your question (at most 1000 characters).",
    need_name: "Please give a name to show (at most 50 characters).",
    bad_email: "That email address does not look right.",
};

static TR: Words = Words {
    heading: "Sorular ve yanıtlar",
    search: "Sorularda ara",
    search_button: "Ara",
    question: "Soru:",
    answer: "Mağazanın yanıtı:",
    helpful: "Yararlı",
    more: "Daha fazla soru",
    none: "Henüz yanıtlanmış soru yok. İlk soruyu siz sorun.",
    found: "Bulunan soru:",
    no_match: "Eşleşen yanıtlı soru yok. Aşağıdan sorabilirsiniz.",
    not_loaded: "Sorular yüklenemedi. Lütfen yeniden deneyin.",
    ask: "Soru sorun",
    your_question: "Sorunuz",
    name: "Görünecek adınız",
    email: "E-posta (isteğe bağlı: yanıtı size gönderelim)",
    send: "Soruyu gönder",
    sent: "Teşekkürler! Mağaza yanıtlayacak; yanıt burada görünecek.",
    sent_email: "Teşekkürler! Mağaza yanıtlayacak; yanıtı size e-postayla göndereceğiz.",
    queued: "Kaydedildi: bağlantı geri gelince sorunuz gönderilecek.",
    failed: "Sorunuz gönderilemedi. Lütfen yeniden deneyin.",
    need_question: "Lütfen sorunuzu yazın (en çok 1000 karakter).",
    need_name: "Lütfen görünecek bir ad yazın (en çok 50 karakter).",
    bad_email: "Bu e-posta adresi doğru görünmüyor.",
};

const RULES: [&str; 8] = [
    ".memnun-reviews:not(.settled) .qa{display:none}",
    ".qa{margin-top:1.5rem;border-top:1px solid #d8dee4;padding-top:1rem}",
    ".qa h3{font-size:1.1rem;margin:0 0 .5rem}",
    ".qa-list{list-style:none;margin:0;padding:0}",
    ".qa-list>li{border-bottom:1px solid #d8dee4;padding:.75rem 0}",
    ".qa .q,.qa .a p{margin:.25rem 0;white-space:pre-line;overflow-wrap:anywhere}",
    ".qa .a{border-left:3px solid #d8dee4;padding-left:.75rem;margin:.5rem 0}",
    ".qa form label{display:block;margin:.5rem 0}",
];

/// Draws the questions of `page` (the review list's first page, the edge's answer to `url`,
/// `…/v1/shops/{shop}/products/{product}/reviews?…`) under that reviews widget's list, once.
pub fn show(page: String, locale: Locale, url: String) {
    let _ = draw(&page, locale, &url);
}

/// Where the list's questions are read from and asked and voted on.
struct Urls {
    /// `…/products/{product}/questions`.
    list: String,
    /// `…/shops/{shop}/questions`.
    ask: String,
    product: String,
}

fn urls(url: &str) -> Option<Urls> {
    let bytes = url.as_bytes();
    let at = position(bytes, b"/products/")?;
    let end = at + 10 + position(&bytes[at + 10..], b"/")?;
    let text = |from: usize, to: usize| std::str::from_utf8(&bytes[from..to]).ok();
    Some(Urls {
        list: format!("{}/questions", text(0, end)?),
        ask: format!("{}/questions", text(0, at)?),
        product: text(at + 10, end)?.to_owned(),
    })
}

fn draw(page: &str, locale: Locale, url: &str) -> Option<()> {
    let words: &'static Words = match locale {
        Locale::Tr => &TR,
        Locale::En => &EN,
    };
    let urls = urls(url)?;
    let window: JsValue = web_sys::window()?.into();
    let document = Reflect::get(&window, &"document".into()).ok()?;
    let host = find(
        &document,
        &format!("[data-memnun=reviews][data-product=\"{}\"]", urls.product),
    )?;
    let shadow = Reflect::get(&host, &"shadowRoot".into()).ok()?;
    let section = find(&shadow, "section.memnun-reviews")?;
    let questions = Reflect::get(&wire::parse(page), &"questions".into()).ok()?;
    if questions.is_undefined() || find(&section, ".qa").is_some() {
        return Some(());
    }
    add_rules(&section, "data-questions", &RULES);

    let qa = element(
        &document,
        "section",
        &[("class", "qa"), ("aria-labelledby", "memnun-qa-heading")],
        "",
    );
    append(
        &qa,
        &element(
            &document,
            "h3",
            &[("id", "memnun-qa-heading")],
            words.heading,
        ),
    );
    // The search.
    let search = element(
        &document,
        "form",
        &[("role", "search"), ("class", "qa-search")],
        "",
    );
    let label = element(&document, "label", &[], words.search);
    append(
        &label,
        &element(
            &document,
            "input",
            &[("type", "search"), ("name", "q"), ("maxlength", "100")],
            "",
        ),
    );
    append(&search, &label);
    append(
        &search,
        &element(
            &document,
            "button",
            &[("type", "submit")],
            words.search_button,
        ),
    );
    append(&qa, &search);
    append(
        &qa,
        &element(
            &document,
            "p",
            &[("role", "status"), ("class", "qa-status")],
            "",
        ),
    );
    append(&qa, &element(&document, "ol", &[("class", "qa-list")], ""));
    let more = element(
        &document,
        "button",
        &[
            ("type", "button"),
            ("class", "qa-more link"),
            ("hidden", ""),
        ],
        words.more,
    );
    append(&qa, &more);
    append(&qa, &ask_form(&document, words));
    append(&section, &qa);

    let state = std::rc::Rc::new(State {
        qa: qa.clone(),
        document: document.clone(),
        words,
        locale,
        urls,
        query: Default::default(),
        next: Default::default(),
        reading: Default::default(),
        busy: Default::default(),
    });
    state.fill(&questions, true);
    state.listen();
    Some(())
}

/// The ask form: the question, a name, an optional email for the answer, the honeypot.
fn ask_form(document: &JsValue, words: &'static Words) -> JsValue {
    let details = element(document, "details", &[("class", "ask")], "");
    append(&details, &element(document, "summary", &[], words.ask));
    let form = element(
        document,
        "form",
        &[("class", "ask-form"), ("novalidate", "")],
        "",
    );
    let field = |tag: &str, name: &str, label: &str, attributes: &[(&str, &str)]| {
        let id = format!("memnun-qa-{name}");
        let wrapper = element(document, "label", &[("for", &id)], label);
        let mut with = vec![("id", id.as_str()), ("name", name)];
        with.extend_from_slice(attributes);
        let input = element(document, tag, &with, "");
        append(&form, &wrapper);
        append(&form, &input);
    };
    field(
        "textarea",
        "question",
        words.your_question,
        &[("rows", "3"), ("maxlength", "1000"), ("required", "")],
    );
    field(
        "input",
        "author",
        words.name,
        &[
            ("maxlength", "50"),
            ("autocomplete", "nickname"),
            ("required", ""),
        ],
    );
    field(
        "input",
        "email",
        words.email,
        &[
            ("type", "email"),
            ("maxlength", "254"),
            ("autocomplete", "email"),
        ],
    );
    let trap = element(
        document,
        "div",
        &[("class", "hp"), ("aria-hidden", "true")],
        "",
    );
    append(
        &trap,
        &element(
            document,
            "input",
            &[
                ("name", "website"),
                ("tabindex", "-1"),
                ("autocomplete", "off"),
            ],
            "",
        ),
    );
    append(&form, &trap);
    append(
        &form,
        &element(document, "button", &[("type", "submit")], words.send),
    );
    append(
        &form,
        &element(
            document,
            "p",
            &[
                ("role", "status"),
                ("class", "ask-status"),
                ("id", "memnun-qa-ask-status"),
            ],
            "",
        ),
    );
    append(&details, &form);
    details
}

struct State {
    qa: JsValue,
    document: JsValue,
    words: &'static Words,
    locale: Locale,
    urls: Urls,
    /// The search shown (empty: every answered question).
    query: std::cell::RefCell<String>,
    /// Where the next page starts; empty on the last.
    next: std::cell::RefCell<String>,
    /// The latest read asked for: an answer to an earlier one (a search typed again, "More"
    /// pressed twice) is dropped.
    reading: std::cell::Cell<u32>,
    /// A read is on its way: "More" waits for it.
    busy: std::cell::Cell<bool>,
}

impl State {
    /// Shows `page` (a `QuestionPage`): instead of the list, or after it (`first` false).
    fn fill(&self, page: &JsValue, first: bool) {
        let Some(list) = find(&self.qa, ".qa-list") else {
            return;
        };
        if first {
            let _ = Reflect::set(&list, &"textContent".into(), &"".into());
        }
        let items = Array::from(&Reflect::get(page, &"questions".into()).unwrap_or_default());
        for question in items.iter() {
            append(&list, &self.item(&question));
        }
        *self.next.borrow_mut() = wire::text(page, "next_cursor").unwrap_or_default();
        if let Some(more) = find(&self.qa, ".qa-more") {
            let _ = Reflect::set(
                &more,
                &"hidden".into(),
                &self.next.borrow().is_empty().into(),
            );
        }
        if first {
            let count = wire::number(page, "count").unwrap_or(0.0) as u32;
            let searched = !self.query.borrow().is_empty();
            let text = match (count, searched) {
                (0, false) => self.words.none.to_owned(),
                (0, true) => self.words.no_match.to_owned(),
                (n, true) => format!("{} {n}", self.words.found),
                (_, false) => String::new(),
            };
            self.say(&text);
        }
    }

    /// Says `text` in the list's status line.
    fn say(&self, text: &str) {
        if let Some(status) = find(&self.qa, ".qa-status") {
            let _ = Reflect::set(&status, &"textContent".into(), &text.into());
        }
    }

    fn item(&self, question: &JsValue) -> JsValue {
        let d = &self.document;
        let text = |name: &str| wire::text(question, name).unwrap_or_default();
        let id = text("id");
        let lang = text("locale");
        let item = element(d, "li", &[], "");
        let asked = element(d, "p", &[("class", "q")], "");
        if !lang.is_empty() {
            set(&asked, "lang", &lang);
        }
        append(&asked, &element(d, "strong", &[], self.words.question));
        call(&asked, "append", &[format!(" {}", text("body")).into()]);
        append(&item, &asked);
        let created = wire::number(question, "created_at").unwrap_or(0.0);
        let meta = element(d, "p", &[("class", "meta")], "");
        call(
            &meta,
            "append",
            &[format!("{} · {}", text("author"), date(created, self.locale)).into()],
        );
        append(&item, &meta);
        let answer = Reflect::get(question, &"answer".into()).unwrap_or_default();
        let answered = element(d, "div", &[("class", "a")], "");
        let words = element(d, "p", &[], "");
        append(&words, &element(d, "strong", &[], self.words.answer));
        call(
            &words,
            "append",
            &[format!(" {}", wire::text(&answer, "body").unwrap_or_default()).into()],
        );
        append(&answered, &words);
        append(&item, &answered);
        let helpful = wire::number(question, "helpful").unwrap_or(0.0) as u32;
        let voted = has_voted(&id);
        let button = element(
            d,
            "button",
            &[
                ("type", "button"),
                ("class", "link helpful"),
                ("data-question", &id),
                ("data-helpful", &helpful.to_string()),
                ("aria-pressed", if voted { "true" } else { "false" }),
            ],
            &format!("{} ({helpful})", self.words.helpful),
        );
        append(&item, &button);
        item
    }

    fn listen(self: &std::rc::Rc<Self>) {
        let on = |target: &JsValue, kind: &str, handler: Closure<dyn FnMut(web_sys::Event)>| {
            call(
                target,
                "addEventListener",
                &[kind.into(), handler.into_js_value()],
            );
        };
        let state = self.clone();
        on(
            &self.qa,
            "click",
            Closure::new(move |event: web_sys::Event| {
                if let Some(button) = closest(&event, "button[data-question]") {
                    state.vote(&button);
                } else if closest(&event, ".qa-more").is_some() {
                    state.load(false);
                }
            }),
        );
        let state = self.clone();
        on(
            &self.qa,
            "submit",
            Closure::new(move |event: web_sys::Event| {
                call(&event, "preventDefault", &[]);
                if closest(&event, ".ask-form").is_some() {
                    state.ask();
                } else {
                    let typed = find(&state.qa, "input[name=q]")
                        .and_then(|input| Reflect::get(&input, &"value".into()).ok())
                        .and_then(|v| v.as_string())
                        .unwrap_or_default();
                    *state.query.borrow_mut() = typed.trim().to_owned();
                    state.load(true);
                }
            }),
        );
        // A shopper faster than a person types is a bot: the time counts from the form's
        // opening (`toggle` does not bubble: it is heard on the details themselves).
        if let Some(details) = find(&self.qa, "details.ask") {
            let opened = details.clone();
            on(
                &details,
                "toggle",
                Closure::new(move |_: web_sys::Event| {
                    // As a whole number: formatting a float would bring its code along.
                    set(
                        &opened,
                        "data-opened",
                        &(js_sys::Date::now() as u64).to_string(),
                    );
                }),
            );
        }
    }

    /// Reads a page of questions: the first (a new search), or the next.
    fn load(self: &std::rc::Rc<Self>, first: bool) {
        let mut url = format!("{}?limit=10", self.urls.list);
        let query = self.query.borrow().clone();
        if !query.is_empty() {
            url.push_str(&format!(
                "&q={}",
                String::from(js_sys::encode_uri_component(&query))
            ));
        }
        if !first {
            let next = self.next.borrow();
            if next.is_empty() || self.busy.get() {
                return;
            }
            url.push_str(&format!("&cursor={next}"));
        }
        let reading = self.reading.get() + 1;
        self.reading.set(reading);
        self.busy.set(true);
        let state = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::get(&url).await.ok().filter(|a| a.is_success());
            if state.reading.get() != reading {
                return;
            }
            state.busy.set(false);
            match answer {
                Some(answer) => state.fill(&answer.body, first),
                None => state.say(state.words.not_loaded),
            }
        });
    }

    fn vote(&self, button: &JsValue) {
        let attribute = |name: &str| {
            call(button, "getAttribute", &[name.into()])
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        if attribute("aria-pressed") == "true" {
            return;
        }
        let id = attribute("data-question");
        let count = whole_number(&attribute("data-helpful")) + 1;
        set(button, "aria-pressed", "true");
        let label = format!("{} ({count})", self.words.helpful);
        let _ = Reflect::set(button, &"textContent".into(), &label.into());
        remember_vote(&id);
        let pending = Pending {
            idempotency_key: api::new_idempotency_key(),
            url: format!("{}/{id}/votes", self.urls.ask),
            body: format!(r#"{{"voter":"{}"}}"#, browser_id()),
            queued_at: 0.0,
        };
        wasm_bindgen_futures::spawn_local(async move {
            let _ = outbox::send(pending).await;
        });
    }

    fn ask(self: &std::rc::Rc<Self>) {
        let Some(form) = find(&self.qa, ".ask-form") else {
            return;
        };
        let value = |name: &str| {
            find(&form, &format!("[name={name}]"))
                .and_then(|field| Reflect::get(&field, &"value".into()).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let opened = find(&self.qa, "details.ask")
            .and_then(|d| call(&d, "getAttribute", &["data-opened".into()]))
            .and_then(|v| v.as_string())
            .map_or(0, |v| whole_number(&v)) as f64;
        let email = value("email");
        let asked = NewQuestion {
            product: Some(self.urls.product.clone()),
            body: Some(value("question")),
            author: Some(value("author")),
            email: Some(email.clone()).filter(|e| !e.trim().is_empty()),
            locale: Some(self.locale.tag().to_owned()),
            website: Some(value("website")).filter(|w| !w.is_empty()),
            fill_ms: Some((js_sys::Date::now() - opened) as i64),
        };
        let status = find(&form, ".ask-status");
        let say = move |text: &str| {
            if let Some(status) = &status {
                let _ = Reflect::set(status, &"textContent".into(), &text.into());
            }
        };
        // The edge's own rules, checked here first: each field says what is wrong with it.
        for field in ["question", "author", "email"].iter() {
            if let Some(input) = find(&form, &format!("[name={field}]")) {
                call(&input, "removeAttribute", &["aria-invalid".into()]);
                call(&input, "removeAttribute", &["aria-describedby".into()]);
            }
        }
        if let Err(errors) = asked.validate() {
            let mut problems = String::new();
            for (field, _) in errors.0.iter() {
                let (name, problem) = match *field {
                    "body" => ("question", self.words.need_question),
                    "author" => ("author", self.words.need_name),
                    "email" => ("email", self.words.bad_email),
                    // The product and the language are the page's, not the shopper's to fix.
                    _ => continue,
                };
                if let Some(input) = find(&form, &format!("[name={name}]")) {
                    set(&input, "aria-invalid", "true");
                    set(&input, "aria-describedby", "memnun-qa-ask-status");
                    if problems.is_empty() {
                        call(&input, "focus", &[]);
                    }
                }
                problems.push_str(problem);
                problems.push(' ');
            }
            say(problems.trim_end());
            return;
        }
        let object = wire::strings(&[
            ("product", &self.urls.product),
            ("body", asked.body.as_deref().unwrap_or_default()),
            ("author", asked.author.as_deref().unwrap_or_default()),
            ("email", email.trim()),
            ("locale", self.locale.tag()),
            ("website", &value("website")),
        ]);
        wire::set(
            &object,
            "fill_ms",
            JsValue::from_f64(asked.fill_ms.unwrap_or(0) as f64),
        );
        let Some(body) = wire::stringify(&object) else {
            return;
        };
        let pending = Pending {
            idempotency_key: api::new_idempotency_key(),
            url: self.urls.ask.clone(),
            body,
            queued_at: 0.0,
        };
        let words = self.words;
        let thanks = if email.trim().is_empty() {
            words.sent
        } else {
            words.sent_email
        };
        wasm_bindgen_futures::spawn_local(async move {
            let (text, taken) = match outbox::send(pending).await {
                Outcome::Answered(answer) if answer.is_success() => (thanks, true),
                Outcome::Answered(_) => (words.failed, false),
                Outcome::Queued => (words.queued, true),
            };
            // Cleared once it is taken or kept for sending: the same question is not sent
            // twice. A refusal keeps the words, to send again.
            if taken {
                for field in all(&form, "textarea,input").iter() {
                    let _ = Reflect::set(&field, &"value".into(), &"".into());
                }
            }
            say(text);
        });
    }
}

/// The digits of `text` as a number (0 for none): `str::parse` is a function of the main module
/// this part would keep from being inlined there.
fn whole_number(text: &str) -> u64 {
    text.bytes()
        .filter(u8::is_ascii_digit)
        .fold(0, |n, b| n * 10 + u64::from(b - b'0'))
}

/// This part's own access to what the browser remembers (`browser.rs`, the same keys and
/// format): calling those functions of the main module would keep them from being inlined there.
fn storage() -> Option<JsValue> {
    let window: JsValue = web_sys::window()?.into();
    Reflect::get(&window, &"localStorage".into()).ok()
}

fn stored(key: &str) -> String {
    storage()
        .and_then(|s| call(&s, "getItem", &[key.into()]))
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        call(&s, "setItem", &[key.into(), value.into()]);
    }
}

const VOTES_KEY: &str = "memnun:votes:v1";
const ID_KEY: &str = "memnun:browser:v1";

/// Whether this browser said the answer to `question` helped: its id among the stored ones
/// (compared as bytes: `str::split`'s searcher is the main module's).
fn has_voted(question: &str) -> bool {
    let all = format!(" {} ", stored(VOTES_KEY));
    position(all.as_bytes(), format!(" {question} ").as_bytes()).is_some()
}

fn remember_vote(question: &str) {
    let mut all = stored(VOTES_KEY);
    if !all.is_empty() {
        all.push(' ');
    }
    all.push_str(question);
    // As `browser::remember_vote`: the newest 200 are kept.
    let mut extra = all
        .bytes()
        .filter(|b| *b == b' ')
        .count()
        .saturating_sub(199);
    let mut start = 0;
    for (i, b) in all.bytes().enumerate() {
        if extra == 0 {
            break;
        }
        if b == b' ' {
            extra -= 1;
            start = i + 1;
        }
    }
    store(
        VOTES_KEY,
        std::str::from_utf8(&all.as_bytes()[start..]).unwrap_or_default(),
    );
}

/// The browser's random id (`browser::id`): the same one its review votes carry.
fn browser_id() -> String {
    let id = stored(ID_KEY);
    // A UUID, as `browser::id` checks it (`idempotency::is_valid_key`, whose copy in the main
    // module this part would keep from being inlined).
    let uuid = id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    if uuid {
        return id;
    }
    let id = api::new_idempotency_key();
    store(ID_KEY, &id);
    id
}

/// A date as the page's language writes it.
fn date(ms: f64, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    let options = js_sys::Object::new();
    for (key, value) in [("year", "numeric"), ("month", "long"), ("day", "numeric")].iter() {
        let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    date.to_locale_date_string(locale.tag(), &options).into()
}

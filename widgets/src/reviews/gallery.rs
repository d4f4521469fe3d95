//! Photos in the list of reviews, a part of the module of its own (`review_gallery`): fetched
//! only when a page of reviews has one. Each review's thumbnails (lazy, with their size given so
//! nothing shifts as they load) open a viewer, a modal `<dialog>`: its buttons and the arrow keys
//! go from photo to photo, Escape or its close button closes it, and the keyboard goes back to
//! the thumbnail of the photo last seen. Every photo's alt text says which review it is in.
//!
//! Once a page of the list has had photos, the list hands each page to [`show`] as the edge sent
//! it: a first page (a new order or filter) takes every photo away and draws its own, so a list
//! drawn anew never keeps another review's; a next page ("show more") draws those of the
//! reviews it added at the end. It also adds "With photos" to the list's filter.
//!
//! DOM calls by name (`photo_upload::call`), no Leptos and no web-sys bindings: a function of
//! the main module that a part calls must stay a function of its own there (no longer inlined
//! into its callers), and every shopper downloads it (BENCHMARKS.md).

use super::photo_upload::{add_rules, call};
use crate::i18n::Locale;
use crate::wire;
use js_sys::{Array, Reflect};
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// What only this part shows: its words are here, not in the module every shopper downloads.
struct Words {
    photo: &'static str,
    of: &'static str,
    close: &'static str,
    previous: &'static str,
    next: &'static str,
    with_photos: &'static str,
}

static EN: Words = Words {
    photo: "Photo",
    of: "of",
    close: "Close",
    previous: "Previous photo",
    next: "Next photo",
    with_photos: "With photos",
};

static TR: Words = Words {
    photo: "Fotoğraf",
    of: "/",
    close: "Kapat",
    previous: "Önceki fotoğraf",
    next: "Sonraki fotoğraf",
    with_photos: "Fotoğraflı",
};

/// The star filter's value that asks for the reviews with photos: the list sends
/// `photos=only` for it.
const WITH_PHOTOS: &str = "6";

/// This part's rules, added to the widget's own stylesheet (`photo_upload::add_rules`).
const RULES: [&str; 6] = [
    ".photos{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0;padding:0}",
    ".photos button{padding:0;min-height:0;border:1px solid #d8dee4;border-radius:var(--memnun-radius,.5rem);overflow:hidden;background:#f6f8fa}",
    ".photos img{display:block;height:5rem;width:auto;max-width:10rem;object-fit:cover}",
    ".viewer{border:0;padding:1rem;max-width:min(60rem,100vw);max-height:100vh;background:#fff;color:#1f2328}",
    ".viewer img{display:block;max-width:100%;max-height:calc(100vh - 9rem);width:auto;height:auto;margin:0 auto .5rem}",
    ".viewer .bar{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem}",
];

/// A thumbnail's `data-at` is its review's place in the list times this, plus its own place:
/// a review has at most 10 photos (`photos::MAX_IMPORTED_PER_REVIEW`).
const SLOTS: usize = 16;

/// A photo as the list shows it.
struct Photo {
    id: String,
    width: String,
    height: String,
}

/// The photos a list shows, each review's with what its alt text says of it.
#[derive(Default)]
struct Shown {
    /// The list's address, which tells it from another reviews widget's on the same page.
    url: String,
    base: String,
    words: Option<&'static Words>,
    reviews: Vec<(Vec<Photo>, String)>,
    /// The photo the viewer shows: (review, photo).
    current: (usize, usize),
}

thread_local! {
    /// Each list's (a page rarely has more than one).
    static SHOWN: RefCell<Vec<Shown>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on the photos of the list at `url`.
fn shown<T>(url: &str, f: impl FnOnce(&mut Shown) -> T) -> T {
    SHOWN.with(|lists| {
        let mut lists = lists.borrow_mut();
        let at = match lists.iter().position(|s| s.url == url) {
            Some(at) => at,
            None => {
                lists.push(Shown {
                    url: url.to_owned(),
                    ..Shown::default()
                });
                lists.len() - 1
            }
        };
        f(&mut lists[at])
    })
}

/// `a.querySelector(selector)`, if it finds an element.
pub(super) fn find(within: &JsValue, selector: &str) -> Option<JsValue> {
    call(within, "querySelector", &[selector.into()]).filter(|found| !found.is_null())
}

pub(super) fn set(element: &JsValue, name: &str, value: &str) {
    call(element, "setAttribute", &[name.into(), value.into()]);
}

pub(super) fn append(parent: &JsValue, child: &JsValue) {
    call(parent, "append", std::slice::from_ref(child));
}

pub(super) fn element(
    document: &JsValue,
    tag: &str,
    attributes: &[(&str, &str)],
    text: &str,
) -> JsValue {
    let element = call(document, "createElement", &[tag.into()]).unwrap_or_default();
    for (name, value) in attributes {
        set(&element, name, value);
    }
    if !text.is_empty() {
        let _ = Reflect::set(&element, &"textContent".into(), &text.into());
    }
    element
}

/// `value` as an array: empty when it is none (a review without photos has no `photos`).
fn array(value: JsValue) -> Array {
    value.dyn_into().unwrap_or_default()
}

/// The elements `within` finds for `selector`.
pub(super) fn all(within: &JsValue, selector: &str) -> Array {
    Array::from(&call(within, "querySelectorAll", &[selector.into()]).unwrap_or_default())
}

/// Where `needle` is in `haystack`: bytes compared, not `str::find`, whose searcher would be
/// one more function the main module keeps for this part.
pub(super) fn position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..haystack.len().checked_sub(needle.len())? + 1)
        .find(|&i| &haystack[i..i + needle.len()] == needle)
}

/// Draws the photos of the reviews in `page` (the edge's answer to `url`,
/// `…/v1/shops/{shop}/products/{product}/reviews?…`) into that reviews widget's list: all of
/// them for a `first` page, else those of the reviews it added at the end.
pub fn show(page: String, first: bool, locale: Locale, url: String) {
    wasm_bindgen_futures::spawn_local(async move {
        // Once the list has drawn the page it just received.
        crate::api::sleep(0).await;
        let _ = draw(&page, first, locale, &url);
    });
}

fn draw(page: &str, first: bool, locale: Locale, url: &str) -> Option<()> {
    let words = match locale {
        Locale::Tr => &TR,
        Locale::En => &EN,
    };
    let bytes = url.as_bytes();
    let at = position(bytes, b"/products/")?;
    let end = at + 10 + position(&bytes[at + 10..], b"/")?;
    let product = std::str::from_utf8(&bytes[at + 10..end]).ok()?;
    let list_url = std::str::from_utf8(&bytes[..end]).ok()?;
    let window: JsValue = web_sys::window()?.into();
    let document = Reflect::get(&window, &"document".into()).ok()?;
    let host = find(
        &document,
        &format!("[data-memnun=reviews][data-product=\"{product}\"]"),
    )?;
    let shadow = Reflect::get(&host, &"shadowRoot".into()).ok()?;
    let list = find(&shadow, "ol.list")?;
    if call(&list, "hasAttribute", &["data-photos".into()]) != Some(JsValue::TRUE) {
        set_up(&document, &list, words, list_url)?;
    }
    if first {
        for old in all(&list, ".photos").iter() {
            call(&old, "remove", &[]);
        }
    }

    let mut added: Vec<(Vec<Photo>, String)> = Vec::new();
    for review in
        array(Reflect::get(&wire::parse(page), &"reviews".into()).unwrap_or_default()).iter()
    {
        let mut photos = Vec::new();
        for photo in array(Reflect::get(&review, &"photos".into()).unwrap_or_default()).iter() {
            // As integers: formatting a float would bring its code along.
            let size = |name| (wire::number(&photo, name).unwrap_or(0.0) as u32).to_string();
            photos.push(Photo {
                id: wire::text(&photo, "id").unwrap_or_default(),
                width: size("width"),
                height: size("height"),
            });
        }
        added.push((photos, about(&review)));
    }
    let base = format!("{}/photos/", std::str::from_utf8(&bytes[..at]).ok()?);
    // The page's reviews are the list's last ones.
    let items = all(&list, ":scope>li");
    let start = (items.length() as usize).checked_sub(added.len())?;
    for (k, (photos, about)) in added.iter().enumerate() {
        let i = start + k;
        let Some(actions) = find(&items.get(i as u32), ".actions") else {
            continue;
        };
        if photos.is_empty() {
            continue;
        }
        let thumbnails = element(&document, "ul", &[("class", "photos")], "");
        for (j, photo) in photos.iter().enumerate() {
            let image = element(
                &document,
                "img",
                &[
                    ("src", &format!("{base}{}/thumbnail", photo.id)),
                    ("alt", &label(words, j, photos.len(), about)),
                    ("width", &photo.width),
                    ("height", &photo.height),
                    ("loading", "lazy"),
                    ("decoding", "async"),
                ],
                "",
            );
            let at = (i * SLOTS + j).to_string();
            let button = element(
                &document,
                "button",
                &[("type", "button"), ("data-at", &at)],
                "",
            );
            append(&button, &image);
            let item = element(&document, "li", &[], "");
            append(&item, &button);
            append(&thumbnails, &item);
        }
        // Before the votes and the report: the photos belong to the review's words.
        call(&actions, "before", &[thumbnails]);
    }
    shown(list_url, |shown| {
        shown.base = base;
        shown.words = Some(words);
        // Reviews of pages drawn before a photo came have none.
        shown.reviews.resize_with(start, Default::default);
        shown.reviews.extend(added);
    });
    Some(())
}

/// What a photo's alt text says: which photo of how many, and the review's title or the start
/// of its words, with who wrote it.
fn label(words: &Words, photo: usize, of: usize, about: &str) -> String {
    format!("{} {} {} {of}: {about}", words.photo, photo + 1, words.of)
}

fn about(review: &JsValue) -> String {
    let author = wire::text(review, "author").unwrap_or_default();
    let title = wire::text(review, "title").filter(|t| !t.is_empty());
    let words = title.unwrap_or_else(|| {
        let body = wire::text(review, "body").unwrap_or_default();
        let mut start: String = body.chars().take(80).collect();
        if start.len() < body.len() {
            start.push('…');
        }
        start
    });
    format!("{words} ({author})")
}

/// Once per list: the part's rules, the viewer, its listeners, and "With photos" in the filter.
fn set_up(document: &JsValue, list: &JsValue, words: &'static Words, url: &str) -> Option<()> {
    set(list, "data-photos", "");
    add_rules(list, "data-gallery", &RULES);
    let section = Reflect::get(list, &"parentElement".into()).ok()?;
    if let Some(select) = find(&section, ".controls label:last-child select") {
        append(
            &select,
            &element(
                document,
                "option",
                &[("value", WITH_PHOTOS)],
                words.with_photos,
            ),
        );
    }

    // The viewer: a modal dialog (Escape closes it, and the browser keeps focus inside).
    let dialog = element(document, "dialog", &[("class", "viewer")], "");
    append(&dialog, &element(document, "img", &[], ""));
    let bar = element(document, "div", &[("class", "bar")], "");
    append(
        &bar,
        &element(document, "span", &[("aria-live", "polite")], ""),
    );
    append(
        &bar,
        &element(
            document,
            "button",
            &[("type", "button"), ("data-step", "-1")],
            words.previous,
        ),
    );
    append(
        &bar,
        &element(
            document,
            "button",
            &[("type", "button"), ("data-step", "1")],
            words.next,
        ),
    );
    append(
        &bar,
        &element(
            document,
            "button",
            &[("type", "button"), ("data-close", ""), ("autofocus", "")],
            words.close,
        ),
    );
    append(&dialog, &bar);
    append(&section, &dialog);

    let opener = (dialog.clone(), url.to_owned());
    let on_thumbnail = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let at = closest(&event, "button[data-at]")
            .and_then(|b| call(&b, "getAttribute", &["data-at".into()]))
            .and_then(|at| at.as_string());
        if let Some(at) = at.and_then(|at| at.parse::<usize>().ok()) {
            shown(&opener.1, |shown| shown.current = (at / SLOTS, at % SLOTS));
            show_current(&opener.0, &opener.1);
            call(&opener.0, "showModal", &[]);
        }
    });
    call(
        list,
        "addEventListener",
        &["click".into(), on_thumbnail.into_js_value()],
    );

    let viewer = (dialog.clone(), url.to_owned());
    let on_step = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        // A key (an arrow), or a press of "previous", "next" or "close"; never both: Escape on a
        // focused "next" must close the viewer, not step.
        let key = Reflect::get(&event, &"key".into())
            .ok()
            .and_then(|k| k.as_string());
        let by = match key.as_deref() {
            Some("ArrowRight") => 1,
            Some("ArrowLeft") => -1,
            Some(_) => 0,
            None => closest(&event, "[data-step]")
                .and_then(|b| call(&b, "getAttribute", &["data-step".into()]))
                .and_then(|s| s.as_string())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        };
        if key.is_none() && closest(&event, "[data-close]").is_some() {
            call(&viewer.0, "close", &[]);
            return;
        }
        if by != 0 {
            shown(&viewer.1, |shown| {
                let (review, photo) = shown.current;
                let count = shown.reviews.get(review).map_or(1, |r| r.0.len()) as i32;
                shown.current.1 = (photo as i32 + by).rem_euclid(count) as usize;
            });
            show_current(&viewer.0, &viewer.1);
        }
    });
    let on_step = on_step.into_js_value();
    for kind in ["click", "keydown"].iter() {
        call(
            &dialog,
            "addEventListener",
            &[(*kind).into(), on_step.clone()],
        );
    }

    // Back to the thumbnail of the photo last seen, as a shopper who closed the viewer expects:
    // after the browser has put focus back on the thumbnail that opened it.
    let thumbnails = (list.clone(), url.to_owned());
    let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        let (list, url) = thumbnails.clone();
        wasm_bindgen_futures::spawn_local(async move {
            crate::api::sleep(0).await;
            let (review, photo) = shown(&url, |shown| shown.current);
            let at = review * SLOTS + photo;
            if let Some(button) = find(&list, &format!("button[data-at=\"{at}\"]")) {
                call(&button, "focus", &[]);
            }
        });
    });
    call(
        &dialog,
        "addEventListener",
        &["close".into(), on_close.into_js_value()],
    );
    Some(())
}

/// The element the event happened in or under that matches `selector`.
pub(super) fn closest(event: &web_sys::Event, selector: &str) -> Option<JsValue> {
    let target = Reflect::get(event, &"target".into()).ok()?;
    call(&target, "closest", &[selector.into()]).filter(|found| !found.is_null())
}

/// Shows the current photo of the list at `url` in its viewer: the full photo, its alt text,
/// where it is.
fn show_current(dialog: &JsValue, url: &str) {
    shown(url, |shown| {
        let (review, photo) = shown.current;
        let (Some((photos, about)), Some(words)) = (shown.reviews.get(review), shown.words) else {
            return;
        };
        let Some(current) = photos.get(photo) else {
            return;
        };
        let label = label(words, photo, photos.len(), about);
        set(dialog, "aria-label", &label);
        if let Some(image) = find(dialog, "img") {
            set(&image, "src", &format!("{}{}", shown.base, current.id));
            set(&image, "alt", &label);
            set(&image, "width", &current.width);
            set(&image, "height", &current.height);
        }
        if let Some(position) = find(dialog, "span") {
            let text = format!(
                "{} {} {} {}",
                words.photo,
                photo + 1,
                words.of,
                photos.len()
            );
            let _ = Reflect::set(&position, &"textContent".into(), &text.into());
        }
        // One photo: nothing to go to.
        for step in all(dialog, "[data-step]").iter() {
            let _ = Reflect::set(&step, &"hidden".into(), &(photos.len() < 2).into());
        }
    });
}

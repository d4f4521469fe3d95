//! A shopper's photos, made ready in the browser before they are sent: each file is decoded
//! (`createImageBitmap`, which also turns a phone's photo the way the camera held it), drawn
//! at most 1600 pixels a side and again at most 400 for its thumbnail, and encoded afresh as
//! WebP, or JPEG where the browser cannot write WebP. The new file holds only pixels: what the
//! camera wrote beside them (where the photo was taken, the phone's make) is gone. A part of the
//! module of its own (`review_photos`), fetched when the shopper first adds a photo.

use js_sys::{Array, Function, Reflect};
use memnun_protocol::photos::{
    THUMBNAIL_MAX_BYTES, THUMBNAIL_MAX_SIDE, UPLOAD_MAX_BYTES, UPLOAD_MAX_SIDE,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A photo ready to send: both images as `data:` URLs (the thumbnail also shows in the form).
#[derive(Clone, PartialEq)]
pub struct Prepared {
    pub image: String,
    pub thumbnail: String,
}

/// Calls `target.method(...args)`. By name, not through web-sys' typed bindings: each of those
/// is an import of the module every shopper downloads, and this part is for the few who add a
/// photo (BENCHMARKS.md).
pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let function: Function = Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    function.apply(target, &args.iter().collect::<Array>()).ok()
}

/// Adds `rules` to the stylesheet of the widget `node` is in, once per `marker` (an attribute
/// its root element then carries): a part's rules come with it, not with the module every
/// shopper downloads.
pub fn add_rules(node: &JsValue, marker: &str, rules: &[&str]) -> Option<()> {
    let root = call(node, "closest", &[".memnun-root".into()]).filter(|r| !r.is_null())?;
    if call(&root, "hasAttribute", &[marker.into()]) == Some(JsValue::TRUE) {
        return Some(());
    }
    call(&root, "setAttribute", &[marker.into(), "".into()]);
    let shadow = call(&root, "getRootNode", &[])?;
    // The widget's own sheet, constructed (`style.rs`): it takes more rules.
    let sheet = Array::from(&Reflect::get(&shadow, &"adoptedStyleSheets".into()).ok()?).get(0);
    for rule in rules.iter() {
        call(&sheet, "insertRule", &[(*rule).into()]);
    }
    Some(())
}

fn number(target: &JsValue, name: &str) -> f64 {
    crate::wire::number(target, name).unwrap_or(0.0)
}

/// Each file made ready, in order; `None` for one the browser cannot read as an image.
pub async fn prepare(files: Array) -> Vec<Option<Prepared>> {
    let mut ready = Vec::new();
    for i in 0..files.length() {
        ready.push(prepare_one(&files.get(i)).await);
    }
    ready
}

async fn prepare_one(file: &JsValue) -> Option<Prepared> {
    let window: JsValue = web_sys::window()?.into();
    let decoding = call(&window, "createImageBitmap", std::slice::from_ref(file))?;
    let bitmap = JsFuture::from(js_sys::Promise::from(decoding)).await.ok()?;
    let document = Reflect::get(&window, &"document".into()).ok()?;
    let prepared = Some(Prepared {
        image: encode(&document, &bitmap, UPLOAD_MAX_SIDE, UPLOAD_MAX_BYTES)?,
        thumbnail: encode(&document, &bitmap, THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_BYTES)?,
    });
    call(&bitmap, "close", &[]);
    prepared
}

/// `bitmap` at most `max_side` pixels a side, as a `data:` URL of at most `max_bytes` bytes:
/// WebP where the browser writes it (Safari writes PNG instead, which is refused), else JPEG,
/// at a lower quality while it is too large.
fn encode(document: &JsValue, bitmap: &JsValue, max_side: u32, max_bytes: usize) -> Option<String> {
    let (width, height) = (number(bitmap, "width"), number(bitmap, "height"));
    let scale = (f64::from(max_side) / width.max(height)).min(1.0);
    let side = |n: f64| (n * scale).round().clamp(1.0, f64::from(max_side));
    let (width, height) = (side(width), side(height));
    let canvas = call(document, "createElement", &["canvas".into()])?;
    Reflect::set(&canvas, &"width".into(), &width.into()).ok()?;
    Reflect::set(&canvas, &"height".into(), &height.into()).ok()?;
    let context = call(&canvas, "getContext", &["2d".into()])?;
    // A transparent PNG would turn black as a JPEG.
    Reflect::set(&context, &"fillStyle".into(), &"#fff".into()).ok()?;
    let zero = JsValue::from_f64(0.0);
    call(
        &context,
        "fillRect",
        &[zero.clone(), zero.clone(), width.into(), height.into()],
    )?;
    call(
        &context,
        "drawImage",
        &[
            bitmap.clone(),
            zero.clone(),
            zero,
            width.into(),
            height.into(),
        ],
    )?;
    for quality in [0.85, 0.7, 0.5, 0.35].iter() {
        for kind in ["image/webp", "image/jpeg"].iter() {
            let url =
                call(&canvas, "toDataURL", &[(*kind).into(), (*quality).into()])?.as_string()?;
            // `data:{kind};base64,…`, or another kind where the browser cannot write this one.
            if !url.as_bytes()[5..].starts_with(kind.as_bytes()) {
                continue;
            }
            let base64 = url.len() - kind.len() - 13;
            if base64 / 4 * 3 <= max_bytes {
                return Some(url);
            }
            // It writes this kind, too large: a lower quality, not the other kind.
            break;
        }
    }
    None
}

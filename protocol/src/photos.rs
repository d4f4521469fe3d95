//! Photos in reviews: what the edge takes as one, and how many a review may have.
//!
//! A photo is judged by its bytes, never by its name or the type it was sent as: only JPEG,
//! PNG and WebP are taken, within [`MAX_BYTES`] and [`MAX_SIDE`] pixels a side, so no page
//! that shows one can be made to run a script (SVG, HTML) or to decode a bomb.

#[cfg(feature = "photo-check")]
use crate::text::FieldErrors;
use crate::text::FieldProblem;
use serde::{Deserialize, Serialize};

/// Photos one review may have when it is imported from another tool.
pub const MAX_IMPORTED_PER_REVIEW: usize = 10;
/// The largest photo the edge stores: a phone's original at full size fits.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The longest side, in pixels, and the most pixels, of a photo the edge stores.
pub const MAX_SIDE: u32 = 8000;
pub const MAX_PIXELS: u64 = 40_000_000;

/// The kinds of image the edge stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
    Webp,
}

impl PhotoType {
    pub const fn content_type(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::Webp => "image/webp",
        }
    }

    pub fn from_content_type(value: &str) -> Option<PhotoType> {
        [PhotoType::Jpeg, PhotoType::Png, PhotoType::Webp]
            .into_iter()
            .find(|t| t.content_type() == value)
    }
}

/// Photos a shopper may add to a review.
pub const MAX_PER_REVIEW: usize = 4;
/// The longest side of a shopper's photo: the browser resizes to it before sending.
pub const UPLOAD_MAX_SIDE: u32 = 1600;
/// The longest side of its thumbnail, which lists show.
pub const THUMBNAIL_MAX_SIDE: u32 = 400;
/// The largest shopper's photo and thumbnail, in bytes.
pub const UPLOAD_MAX_BYTES: usize = 2 * 1024 * 1024;
pub const THUMBNAIL_MAX_BYTES: usize = 200 * 1024;
/// The largest body `POST /v1/shops/{shop}/photos` reads: both images in base64 (4 characters
/// for 3 bytes), their `data:` prefixes and the other fields.
pub const MAX_UPLOAD_REQUEST_BYTES: usize =
    (UPLOAD_MAX_BYTES + THUMBNAIL_MAX_BYTES).div_ceil(3) * 4 + 1024;

/// The body of `POST /v1/shops/{shop}/photos`: one photo of a review a shopper writes, resized
/// and re-encoded by the browser (which also drops what the camera wrote into the file, such as
/// where it was taken), with its thumbnail. It joins the review whose `photo_key` it carries,
/// whichever of the two arrives first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewPhoto {
    /// The review's `photo_key`: a UUID.
    #[serde(default)]
    pub photo_key: Option<String>,
    /// Its place among the review's photos, 0–3.
    #[serde(default)]
    pub position: Option<i64>,
    /// A JPEG or WebP image, at most 1600 pixels a side and 2 MiB, in base64 or as a `data:`
    /// URL (whose type is not read: the bytes say what they are).
    #[serde(default)]
    pub image: Option<String>,
    /// The same photo at most 400 pixels a side and 200 KiB, the same way.
    #[serde(default)]
    pub thumbnail: Option<String>,
}

/// A shopper's photo that passed every rule, with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPhoto {
    pub photo_key: String,
    pub position: u8,
    pub image: Vec<u8>,
    pub image_facts: PhotoFacts,
    pub thumbnail: Vec<u8>,
    pub thumbnail_facts: PhotoFacts,
}

/// The answer to `POST /v1/shops/{shop}/photos` (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PhotoReceived {
    pub id: String,
    pub width: u32,
    pub height: u32,
    /// `published` when the shop shows photos without looking at them first (they still show
    /// only once their review is published), else `pending`.
    pub status: crate::ReviewStatus,
}

/// A photo key as stored: a UUID, lower-case.
pub fn photo_key(raw: &str) -> Result<String, FieldProblem> {
    if crate::idempotency::is_valid_key(raw) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(FieldProblem::NotAUuid)
    }
}

#[cfg(feature = "photo-check")]
impl NewPhoto {
    /// Applies every rule, reporting all problems at once: the images are judged by their bytes
    /// (their headers: type and size; the pixels are not decoded), and the thumbnail must have the
    /// image's proportions.
    pub fn validate(&self) -> Result<ValidPhoto, FieldErrors> {
        let mut errors = FieldErrors::default();
        let photo_key = match self.photo_key.as_deref() {
            None | Some("") => {
                errors.push("photo_key", FieldProblem::Required);
                None
            }
            Some(raw) => photo_key(raw)
                .map_err(|problem| errors.push("photo_key", problem))
                .ok(),
        };
        let last = MAX_PER_REVIEW as i64 - 1;
        let position = match self.position {
            None => {
                errors.push("position", FieldProblem::Required);
                None
            }
            Some(n) if (0..=last).contains(&n) => Some(n as u8),
            Some(_) => {
                errors.push("position", FieldProblem::OutOfRange { min: 0, max: last });
                None
            }
        };
        let mut image = |field: &'static str, value: Option<&str>, limits: (usize, u32)| {
            let why = match field {
                "image" => {
                    "must be a JPEG or WebP image of at most 1600 pixels a side and 2 MiB, in base64"
                }
                _ => {
                    "must be a JPEG or WebP image of at most 400 pixels a side and 200 KiB, in base64"
                }
            };
            let checked = match value {
                None | Some("") => Err(FieldProblem::Required),
                Some(text) => decode_upload(text, limits.0, limits.1)
                    .map_err(|()| FieldProblem::NotAPhoto(why)),
            };
            checked.map_err(|problem| errors.push(field, problem)).ok()
        };
        let image_checked = image(
            "image",
            self.image.as_deref(),
            (UPLOAD_MAX_BYTES, UPLOAD_MAX_SIDE),
        );
        let thumbnail_checked = image(
            "thumbnail",
            self.thumbnail.as_deref(),
            (THUMBNAIL_MAX_BYTES, THUMBNAIL_MAX_SIDE),
        );
        // The list shows the thumbnail, the viewer the image: they must at least be the same
        // shape (each side rounded to a pixel when the browser scaled it).
        if let (Some((_, image)), Some((_, thumbnail))) = (&image_checked, &thumbnail_checked) {
            let (iw, ih, tw, th) = (
                u64::from(image.width),
                u64::from(image.height),
                u64::from(thumbnail.width),
                u64::from(thumbnail.height),
            );
            if (tw * ih).abs_diff(th * iw) > iw + ih || tw > iw || th > ih {
                errors.push(
                    "thumbnail",
                    FieldProblem::NotAPhoto("must be the image made smaller, in its proportions"),
                );
                return Err(errors);
            }
        }
        match (photo_key, position, image_checked, thumbnail_checked) {
            (Some(photo_key), Some(position), Some(image), Some(thumbnail)) => Ok(ValidPhoto {
                photo_key,
                position,
                image_facts: image.1,
                image: image.0,
                thumbnail_facts: thumbnail.1,
                thumbnail: thumbnail.0,
            }),
            _ => Err(errors),
        }
    }
}

/// The bytes of a base64 image (or `data:…;base64,` URL), if they are a JPEG or WebP within
/// `max_bytes` and `max_side` pixels a side. PNG is refused here: a browser's re-encoding
/// never makes one, and a PNG can carry text chunks the re-encoding was meant to drop.
#[cfg(feature = "photo-check")]
fn decode_upload(text: &str, max_bytes: usize, max_side: u32) -> Result<(Vec<u8>, PhotoFacts), ()> {
    use base64::Engine;
    let data = match text.strip_prefix("data:") {
        Some(url) => url.split_once(";base64,").ok_or(())?.1,
        None => text,
    };
    // Checked before decoding, so an oversized body costs no allocation.
    if data.len() > max_bytes.div_ceil(3) * 4 {
        return Err(());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| ())?;
    if bytes.len() > max_bytes {
        return Err(());
    }
    let facts = inspect(&bytes).map_err(|_| ())?;
    if facts.kind == PhotoType::Png || facts.width > max_side || facts.height > max_side {
        return Err(());
    }
    Ok((bytes, facts))
}

/// What the bytes of a photo the edge takes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoFacts {
    pub kind: PhotoType,
    pub width: u32,
    pub height: u32,
}

/// Why bytes are not taken as a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoProblem {
    Empty,
    TooLarge,
    /// Not a JPEG, PNG or WebP image, whatever its name or the type it came with said.
    NotAPhoto,
    /// An image whose header cannot be read for its size.
    Unreadable,
    TooManyPixels,
}

impl std::fmt::Display for PhotoProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhotoProblem::Empty => f.write_str("is empty"),
            PhotoProblem::TooLarge => write!(f, "is larger than {} MiB", MAX_BYTES >> 20),
            PhotoProblem::NotAPhoto => f.write_str("is not a JPEG, PNG or WebP image"),
            PhotoProblem::Unreadable => f.write_str("is an image whose size cannot be read"),
            PhotoProblem::TooManyPixels => write!(
                f,
                "is larger than {MAX_SIDE} pixels a side or {} megapixels",
                MAX_PIXELS / 1_000_000
            ),
        }
    }
}

/// What `bytes` are, if they are a photo the edge takes.
#[cfg(feature = "photo-check")]
pub fn inspect(bytes: &[u8]) -> Result<PhotoFacts, PhotoProblem> {
    if bytes.is_empty() {
        return Err(PhotoProblem::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(PhotoProblem::TooLarge);
    }
    let kind = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Jpeg) => PhotoType::Jpeg,
        Ok(imagesize::ImageType::Png) => PhotoType::Png,
        Ok(imagesize::ImageType::Webp) => PhotoType::Webp,
        _ => return Err(PhotoProblem::NotAPhoto),
    };
    let size = imagesize::blob_size(bytes).map_err(|_| PhotoProblem::Unreadable)?;
    let (width, height) = (
        u32::try_from(size.width).map_err(|_| PhotoProblem::TooManyPixels)?,
        u32::try_from(size.height).map_err(|_| PhotoProblem::TooManyPixels)?,
    );
    if width == 0 || height == 0 {
        return Err(PhotoProblem::Unreadable);
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoProblem::TooManyPixels);
    }
    Ok(PhotoFacts {
        kind,
        width,
        height,
    })
}

/// The photo addresses in one cell of another tool's export: separated by semicolons, white
/// space, or commas before the next `http`, since an address may hold commas of its own
/// (`/w_100,h_100/` of an image CDN); each an http(s) address; at most
/// [`MAX_IMPORTED_PER_REVIEW`].
pub fn photo_urls(cell: &str) -> Result<Vec<String>, FieldProblem> {
    let mut urls: Vec<String> = Vec::new();
    for piece in cell.split([';', ' ', '\n', '\r', '\t']) {
        let mut rest = piece.trim_matches(',');
        while !rest.is_empty() {
            let next = rest
                .match_indices(",http")
                .map(|(i, _)| i)
                .next()
                .unwrap_or(rest.len());
            let url = rest[..next].trim();
            if !url.is_empty() {
                urls.push(url.to_owned());
            }
            rest = rest[next..].trim_start_matches(',');
        }
    }
    if urls.len() > MAX_IMPORTED_PER_REVIEW {
        return Err(FieldProblem::TooMany {
            max: MAX_IMPORTED_PER_REVIEW,
        });
    }
    if urls
        .iter()
        .any(|u| !crate::order::is_web_url(u) || u.len() > 2000)
    {
        return Err(FieldProblem::NotAUrl);
    }
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_cells_split_as_the_tools_write_them() {
        assert_eq!(
            photo_urls("https://a.example/1.jpg,https://a.example/2.jpg").unwrap(),
            ["https://a.example/1.jpg", "https://a.example/2.jpg"]
        );
        assert_eq!(
            photo_urls(" https://a.example/1.jpg; https://a.example/2.jpg ").unwrap(),
            ["https://a.example/1.jpg", "https://a.example/2.jpg"]
        );
        assert!(photo_urls("").unwrap().is_empty());
        assert_eq!(
            photo_urls("https://c.example/w_100,h_100/a.jpg,https://c.example/b.jpg").unwrap(),
            [
                "https://c.example/w_100,h_100/a.jpg",
                "https://c.example/b.jpg"
            ],
            "an address's own commas stay"
        );
        assert_eq!(
            photo_urls("javascript:alert(1)"),
            Err(FieldProblem::NotAUrl)
        );
        let many = ["https://a.example/p.jpg"; MAX_IMPORTED_PER_REVIEW + 1].join(",");
        assert!(matches!(
            photo_urls(&many),
            Err(FieldProblem::TooMany { .. })
        ));
    }

    #[cfg(feature = "photo-check")]
    #[test]
    fn a_photo_is_judged_by_its_bytes() {
        // A PNG's signature and header: 2×3 pixels.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&2u32.to_be_bytes());
        png.extend_from_slice(&3u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            inspect(&png),
            Ok(PhotoFacts {
                kind: PhotoType::Png,
                width: 2,
                height: 3
            })
        );
        let mut huge = png.clone();
        huge[16..20].copy_from_slice(&9000u32.to_be_bytes());
        assert_eq!(inspect(&huge), Err(PhotoProblem::TooManyPixels));
        for bytes in [
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"[..],
            b"<html><script>alert(1)</script></html>",
            b"GIF89a\x01\0\x01\0\0\0\0",
        ] {
            assert_eq!(inspect(bytes), Err(PhotoProblem::NotAPhoto));
        }
        assert_eq!(inspect(b""), Err(PhotoProblem::Empty));
        assert_eq!(
            inspect(&vec![0xFF; MAX_BYTES + 1]),
            Err(PhotoProblem::TooLarge)
        );
    }

    /// A JPEG's start and frame header: enough for its type and size.
    #[cfg(feature = "photo-check")]
    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        bytes
    }

    #[cfg(feature = "photo-check")]
    fn base64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[cfg(feature = "photo-check")]
    #[test]
    fn a_shoppers_photo_is_small_and_a_jpeg_or_webp() {
        let good = NewPhoto {
            photo_key: Some("5B1E4C0A-2B7D-4E0F-9A51-1C2D3E4F5A6B".into()),
            position: Some(3),
            image: Some(format!(
                "data:image/jpeg;base64,{}",
                base64(&jpeg(1600, 1200))
            )),
            thumbnail: Some(base64(&jpeg(400, 300))),
        };
        let valid = good.validate().unwrap();
        assert_eq!(valid.photo_key, "5b1e4c0a-2b7d-4e0f-9a51-1c2d3e4f5a6b");
        assert_eq!((valid.position, valid.image_facts.width), (3, 1600));
        assert_eq!(valid.thumbnail_facts.kind, PhotoType::Jpeg);

        let problems = |photo: NewPhoto| {
            photo
                .validate()
                .unwrap_err()
                .0
                .into_iter()
                .map(|(field, _)| field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            problems(NewPhoto::default()),
            ["photo_key", "position", "image", "thumbnail"]
        );
        let svg = base64(b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>");
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 0, 2, 0, 0, 0, 3, 8, 6, 0, 0, 0]);
        for (field, bad) in [
            (
                "image",
                NewPhoto {
                    image: Some(format!("data:image/jpeg;base64,{svg}")),
                    ..good.clone()
                },
            ),
            (
                "image",
                NewPhoto {
                    image: Some(base64(&png)),
                    ..good.clone()
                },
            ),
            (
                "image",
                NewPhoto {
                    image: Some(base64(&jpeg(1601, 10))),
                    ..good.clone()
                },
            ),
            (
                "image",
                NewPhoto {
                    image: Some("not base64!".into()),
                    ..good.clone()
                },
            ),
            (
                "image",
                NewPhoto {
                    image: Some(base64(&vec![0; UPLOAD_MAX_BYTES + 1])),
                    ..good.clone()
                },
            ),
            (
                "thumbnail",
                NewPhoto {
                    thumbnail: Some(base64(&jpeg(401, 10))),
                    ..good.clone()
                },
            ),
            (
                "position",
                NewPhoto {
                    position: Some(4),
                    ..good.clone()
                },
            ),
            (
                "photo_key",
                NewPhoto {
                    photo_key: Some("not-a-uuid".into()),
                    ..good.clone()
                },
            ),
        ] {
            assert_eq!(problems(bad), [field]);
        }
    }
}

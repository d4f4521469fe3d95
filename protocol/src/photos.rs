//! Photos in reviews: what the edge takes as one, and how many a review may have.
//!
//! A photo is judged by its bytes, never by its name or the type it was sent as: only JPEG,
//! PNG and WebP are taken, within [`MAX_BYTES`] and [`MAX_SIDE`] pixels a side, so no page
//! that shows one can be made to run a script (SVG, HTML) or to decode a bomb.

use crate::text::FieldProblem;

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
}

//! Thumbnails of attached photos, for the console's timeline: a JPEG at
//! most [`EDGE`] pixels a side, decoded within bounds so a hostile image
//! (a decompression bomb, a header claiming a huge canvas) fails instead
//! of eating the host's memory.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, ImageReader, Limits};

use super::attachment::MediaType;

/// The longest side of a thumbnail, in pixels.
pub const EDGE: u32 = 320;
/// The largest canvas decoded, in pixels a side.
const MAX_SIDE: u32 = 10_000;
/// The most a decoder may allocate.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// A thumbnail of an image of type `media`; `None` for what has none
/// (not an image this host decodes, or one that does not decode within
/// bounds).
pub fn of(bytes: &[u8], media: MediaType) -> Option<Vec<u8>> {
    let format = match media {
        MediaType::Jpeg => ImageFormat::Jpeg,
        MediaType::Png => ImageFormat::Png,
        MediaType::Gif => ImageFormat::Gif,
        MediaType::Webp => ImageFormat::WebP,
        _ => return None,
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let image = reader.decode().ok()?;
    let small = image.thumbnail(EDGE, EDGE).to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(
                image.as_raw(),
                width,
                height,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    #[test]
    fn a_photo_shrinks_to_a_jpeg_keeping_its_shape() {
        let thumb = of(&png(1200, 600), MediaType::Png).expect("a thumbnail");
        assert_eq!(
            super::super::attachment::sniff(&thumb),
            Some(MediaType::Jpeg)
        );
        let back = image::load_from_memory(&thumb).unwrap();
        assert_eq!((back.width(), back.height()), (EDGE, EDGE / 2));
    }

    #[test]
    fn what_is_not_a_decodable_image_has_none() {
        assert_eq!(of(b"%PDF-1.7", MediaType::Pdf), None);
        assert_eq!(of(b"\x89PNG\r\n\x1a\ngarbage", MediaType::Png), None);
    }

    /// CRC-32 (IEEE) as PNG chunks carry it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_canvas_beyond_bounds_is_not_decoded() {
        // A well-formed header (its checksum fixed) claiming 60,000 ×
        // 60,000 pixels: 10 GiB once decoded.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let header = ImageReader::with_format(Cursor::new(&bomb), ImageFormat::Png)
            .into_dimensions()
            .expect("the header reads");
        assert_eq!(header, (60_000, 60_000));
        assert_eq!(of(&bomb, MediaType::Png), None);
    }
}

//! Files kept with a ticket: photos of the unit, its invoice and warranty
//! card, the customer's signature, the technician's report.
//!
//! A file's type is what its bytes say, never what the client claims: the
//! host reads the first bytes and accepts only the kinds of [`MediaType`].
//! Bytes are kept once per tenant under their SHA-256; a ticket's row names
//! them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Actor;

/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A file attached to a ticket, or to one of its comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    pub ticket_id: Uuid,
    /// The `seq` of the comment event it belongs to, if it came with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<i64>,
    /// The file's name as the uploader gave it, without any folder.
    pub name: String,
    /// What the bytes are, e.g. `image/jpeg`.
    pub media_type: MediaType,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Whether a thumbnail (JPEG, at most 320 px a side) is kept beside it.
    pub thumbnail: bool,
    pub uploaded_by: Actor,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// The kinds of file a ticket takes, told by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum MediaType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/gif")]
    Gif,
    #[serde(rename = "image/webp")]
    Webp,
    /// What phone cameras take by default (HEIF with HEVC).
    #[serde(rename = "image/heic")]
    Heic,
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "video/mp4")]
    Mp4,
    #[serde(rename = "video/quicktime")]
    QuickTime,
    /// UTF-8 text without control characters other than tab and line
    /// breaks: logs, exported reports.
    #[serde(rename = "text/plain")]
    Text,
}

impl MediaType {
    pub const ALL: [MediaType; 9] = [
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Gif,
        MediaType::Webp,
        MediaType::Heic,
        MediaType::Pdf,
        MediaType::Mp4,
        MediaType::QuickTime,
        MediaType::Text,
    ];

    /// The MIME type, e.g. `image/jpeg`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Gif => "image/gif",
            MediaType::Webp => "image/webp",
            MediaType::Heic => "image/heic",
            MediaType::Pdf => "application/pdf",
            MediaType::Mp4 => "video/mp4",
            MediaType::QuickTime => "video/quicktime",
            MediaType::Text => "text/plain",
        }
    }

    pub fn parse(s: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether a browser shows it in the page (the console's thumbnails and
    /// previews); everything else is offered as a download.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            MediaType::Jpeg | MediaType::Png | MediaType::Gif | MediaType::Webp | MediaType::Heic
        )
    }

    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaType::Text => "text/plain; charset=utf-8",
            other => other.as_str(),
        }
    }
}

/// What the bytes are, from their first bytes; `None` for anything the
/// host does not take (executables, archives, HTML that is not text, …).
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some(MediaType::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(MediaType::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(MediaType::Gif);
    }
    if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some(MediaType::Webp);
    }
    if starts(b"%PDF-") {
        return Some(MediaType::Pdf);
    }
    if let Some(brand) = iso_brand(bytes) {
        return match brand {
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Some(MediaType::Heic)
            }
            b"qt  " => Some(MediaType::QuickTime),
            b"isom" | b"iso2" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"3gp4" | b"3gp5" => {
                Some(MediaType::Mp4)
            }
            _ => None,
        };
    }
    is_text(bytes).then_some(MediaType::Text)
}

/// The major brand of an ISO base media file (`….ftyp<brand>`).
fn iso_brand(bytes: &[u8]) -> Option<&[u8; 4]> {
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        bytes[8..12].try_into().ok()
    } else {
        None
    }
}

fn is_text(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && std::str::from_utf8(bytes).is_ok_and(|text| {
            text.chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        })
}

/// The name to keep for an uploaded file: its last path segment, without
/// control characters, trimmed, cut to [`MAX_NAME_CHARS`]; a nameless file
/// is called after its type.
pub fn clean_name(given: &str, media: MediaType) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or(given);
    let name: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." {
        format!("attachment.{}", extension(media))
    } else {
        name.to_string()
    }
}

fn extension(media: MediaType) -> &'static str {
    match media {
        MediaType::Jpeg => "jpg",
        MediaType::Png => "png",
        MediaType::Gif => "gif",
        MediaType::Webp => "webp",
        MediaType::Heic => "heic",
        MediaType::Pdf => "pdf",
        MediaType::Mp4 => "mp4",
        MediaType::QuickTime => "mov",
        MediaType::Text => "txt",
    }
}

/// How much a tenant may keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one file.
    pub max_file: u64,
    /// Bytes of all the tenant's attachments together (each upload counts,
    /// even of bytes it already keeps).
    pub tenant_quota: u64,
    /// Files on one ticket.
    pub per_ticket: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file: 25 * 1024 * 1024,
            tenant_quota: 5 * 1024 * 1024 * 1024,
            per_ticket: 200,
        }
    }
}

/// The `Content-Disposition` a download is served with: the name in
/// RFC 8187 form (UTF-8, percent-encoded) beside an ASCII stand-in.
/// Images are shown inline; everything else is saved.
pub fn disposition(name: &str, media: MediaType) -> String {
    let kind = if media.is_image() {
        "inline"
    } else {
        "attachment"
    };
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_decide_the_type() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Some(MediaType::Jpeg));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(MediaType::Png)
        );
        assert_eq!(sniff(b"GIF89a\x01\0"), Some(MediaType::Gif));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(MediaType::Heic));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\x02\0"), Some(MediaType::Mp4));
        assert_eq!(
            sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"),
            Some(MediaType::QuickTime)
        );
        assert_eq!(
            sniff("故障日志\r\nE4 code\t2".as_bytes()),
            Some(MediaType::Text)
        );
    }

    #[test]
    fn what_the_host_does_not_take_is_refused() {
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None, "a Windows executable");
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01"), None, "an ELF binary");
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), None, "a zip archive");
        assert_eq!(sniff(b"\0\0\0\x18ftypcrx \0"), None, "an unknown ISO brand");
        assert_eq!(sniff(b""), None, "an empty file");
        assert_eq!(sniff(b"text\x1b[31m"), None, "terminal escapes");
        assert_eq!(sniff(&[0xC3, 0x28]), None, "not UTF-8");
    }

    #[test]
    fn names_lose_folders_and_control_characters() {
        assert_eq!(
            clean_name("C:\\Users\\li\\发票.jpg", MediaType::Jpeg),
            "发票.jpg"
        );
        assert_eq!(clean_name("../../etc/passwd", MediaType::Text), "passwd");
        assert_eq!(clean_name("a\u{0}b\nc.pdf ", MediaType::Pdf), "abc.pdf");
        assert_eq!(clean_name("  ", MediaType::Png), "attachment.png");
        assert_eq!(clean_name("dir/..", MediaType::Heic), "attachment.heic");
        assert_eq!(
            clean_name(&"长".repeat(300), MediaType::Text)
                .chars()
                .count(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn media_types_round_trip_through_their_names() {
        for m in MediaType::ALL {
            assert_eq!(MediaType::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_value(m).unwrap(),
                serde_json::json!(m.as_str())
            );
        }
        assert_eq!(MediaType::parse("application/x-msdownload"), None);
    }

    #[test]
    fn downloads_name_the_file_safely() {
        assert_eq!(
            disposition("发票 1.jpg", MediaType::Jpeg),
            "inline; filename=\"__ 1.jpg\"; filename*=UTF-8''%E5%8F%91%E7%A5%A8%201.jpg"
        );
        assert_eq!(
            disposition("a\"b.pdf", MediaType::Pdf),
            "attachment; filename=\"a_b.pdf\"; filename*=UTF-8''a%22b.pdf"
        );
    }
}

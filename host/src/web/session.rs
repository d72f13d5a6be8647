//! Session cookies, the signed-in [`Console`] extractor and CSRF checks.
//!
//! The cookie carries a random token (the database keeps its SHA-256); it
//! is HttpOnly, SameSite=Lax, and Secure as [`CookieSecurity`] decides from
//! the public URL. Every form that
//! changes something echoes the session's CSRF token; signing in, before
//! there is a session, uses a double-submit cookie instead.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::i18n::{Catalog, catalog};
use crate::api::AppState;
use crate::service::accounts::Desk;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "aftersale_session";
/// Name of the sign-in form's CSRF cookie.
pub const SIGNIN_CSRF_COOKIE: &str = "aftersale_signin";

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// When the console's cookies carry `Secure`, decided by the public URL
/// the operator gives (`--public-url` / `AFTERSALE_PUBLIC_URL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CookieSecurity {
    /// The public URL is `https://…`: always.
    Always,
    /// The public URL is `http://…` (a plain-HTTP install on a LAN, where a
    /// browser would drop a `Secure` cookie): never.
    Never,
    /// No public URL: when the request reached a TLS proxy in front of the
    /// host (`X-Forwarded-Proto: https`).
    #[default]
    WhenForwardedHttps,
}

impl CookieSecurity {
    /// The policy for a public URL; `None` keeps the default.
    pub fn for_public_url(url: Option<&str>) -> Result<CookieSecurity, String> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(CookieSecurity::WhenForwardedHttps);
        };
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("https") => Ok(CookieSecurity::Always),
            Some("http") => Ok(CookieSecurity::Never),
            _ => Err(format!(
                "the public URL `{url}` must start with http:// or https://"
            )),
        }
    }

    fn secure(self, headers: &HeaderMap) -> bool {
        match self {
            CookieSecurity::Always => true,
            CookieSecurity::Never => false,
            CookieSecurity::WhenForwardedHttps => headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https")),
        }
    }

    /// A `Set-Cookie` value; `max_age` 0 deletes it.
    pub fn set_cookie(
        self,
        headers: &HeaderMap,
        name: &str,
        value: &str,
        max_age: i64,
    ) -> HeaderValue {
        let secure = if self.secure(headers) { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
    }
}

/// The address of the client on the other end of the connection, when the
/// server knows it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// Compare two secrets without leaking where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A submitted form, in order, repeated names kept.
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field's trimmed value, `None` when missing or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A signed-in person on a console page: who, in which language and time
/// zone.
pub struct Console {
    pub desk: Desk,
    pub tr: &'static Catalog,
    pub tz: TimeZone,
}

impl Console {
    /// Whether a form carries this session's CSRF token.
    pub fn csrf_ok(&self, fields: &Fields) -> bool {
        fields
            .get("csrf")
            .is_some_and(|t| same_secret(t, &self.desk.session.csrf))
    }

    pub fn csrf(&self) -> &str {
        &self.desk.session.csrf
    }

    /// An instant as the tenant reads it.
    pub fn time(&self, at: Timestamp) -> String {
        at.to_zoned_datetime(self.tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_signin = || {
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let next: String = url_encode(next);
            Redirect::to(&format!("/signin?next={next}")).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_signin());
        };
        match state.services.desk(token, crate::service::now()).await {
            Ok(Some(desk)) => {
                let tz = TimeZone::get(&desk.tenant.time_zone).unwrap_or(TimeZone::UTC);
                let tr = catalog(&desk.user.locale);
                Ok(Console { desk, tr, tz })
            }
            Ok(None) => Err(to_signin()),
            Err(e) => {
                tracing::error!("resolving a console session: {e}");
                Err(super::layout::failure(
                    catalog(""),
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    None,
                ))
            }
        }
    }
}

/// Percent-encode a query value.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only same-site paths may be a redirect target after signing in.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; aftersale_session=tok; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn the_public_url_decides_whether_cookies_are_secure() {
        let secure = |policy: CookieSecurity, h: &HeaderMap| {
            let v = policy.set_cookie(h, "s", "v", 60);
            let v = v.to_str().unwrap().to_string();
            assert!(v.contains("HttpOnly") && v.contains("SameSite=Lax"), "{v}");
            v.contains("Secure")
        };
        let policy = |url| CookieSecurity::for_public_url(url).unwrap();
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("192.168.1.20:8080"));
        assert!(secure(policy(Some("https://desk.example.com")), &h));
        assert!(!secure(policy(Some("http://192.168.1.20:8080")), &h));
        assert!(
            !secure(policy(None), &h),
            "a LAN install over plain HTTP signs in"
        );
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(secure(policy(None), &h), "behind a TLS proxy");
        assert!(!secure(policy(Some("http://192.168.1.20:8080")), &h));
        assert!(CookieSecurity::for_public_url(Some("desk.example.com")).is_err());
    }

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(safe_next(Some("/tickets/1")), "/tickets/1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}

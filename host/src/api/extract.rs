//! Request extractors whose failures are problems like every other error.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::{Problem, ProblemType};

/// A JSON body. Malformed JSON, an unknown field, a wrong type, a missing
/// content type and an oversize body each get their own problem type.
pub struct Body<T> {
    pub value: T,
    raw: Bytes,
}

impl<T> Body<T> {
    /// SHA-256 of the raw body, to recognise a repeated request.
    pub fn digest(&self) -> String {
        crate::service::tenants::sha256_hex(&self.raw)
    }
}

impl<S, T> FromRequest<S> for Body<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
            })
            .unwrap_or(false);
        if !json {
            return Err(Problem::new(
                ProblemType::UnsupportedMediaType,
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let raw = Bytes::from_request(req, state)
            .await
            .map_err(bytes_problem)?;
        let value = parse(&raw)?;
        Ok(Body { value, raw })
    }
}

/// Whether the caller wants the answer as CSV: `format=csv`, or no
/// `format` and `Accept: text/csv`. A `format` other than `json` or `csv`
/// is refused.
pub fn wants_csv(format: Option<&str>, headers: &HeaderMap) -> Result<bool, Problem> {
    match format {
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv"))),
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(_) => Err(Problem::new(
            ProblemType::InvalidRequest,
            "format is `json` or `csv`",
        )),
    }
}

/// Parse JSON and say precisely what is wrong with it.
pub fn parse<T: DeserializeOwned>(raw: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(raw).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                Problem::new(ProblemType::MalformedJson, e.to_string())
            }
            Category::Data if e.to_string().starts_with("unknown field") => {
                Problem::new(ProblemType::UnknownField, e.to_string())
            }
            Category::Data => Problem::new(ProblemType::InvalidRequest, e.to_string()),
        }
    })
}

pub(super) fn bytes_problem(rejection: BytesRejection) -> Problem {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(ProblemType::PayloadTooLarge, rejection.body_text())
    } else {
        Problem::new(ProblemType::InvalidRequest, rejection.body_text())
    }
}

/// The `If-Match` header: the ticket version the client read. Accepts `3`,
/// `"3"` and `W/"3"`.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let value = parts.headers.get(header::IF_MATCH).ok_or_else(|| {
            Problem::new(
                ProblemType::PreconditionRequired,
                "send `If-Match: <version>` with the version of the ticket you read",
            )
        })?;
        let text = value.to_str().unwrap_or_default().trim();
        let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
        text.parse::<i64>().map(IfMatch).map_err(|_| {
            Problem::new(
                ProblemType::InvalidRequest,
                format!("If-Match must be a ticket version such as 3, not `{text}`"),
            )
        })
    }
}

/// The optional `Idempotency-Key` header.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        match value.to_str() {
            Ok(key) if !key.trim().is_empty() && key.len() <= 255 => {
                Ok(IdempotencyKey(Some(key.trim().to_string())))
            }
            _ => Err(Problem::new(
                ProblemType::InvalidRequest,
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )),
        }
    }
}

/// Query parameters, with a problem for ones that do not parse.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Params(q.0))
            .map_err(|e| Problem::new(ProblemType::InvalidRequest, e.body_text()))
    }
}

/// A resource id in the path; one that is not a UUID names nothing.
pub struct Id(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        uuid_param(parts, state, "id").await.map(Id)
    }
}

/// The UUID in the path parameter `name`; 404 when it is none.
pub(super) async fn uuid_param<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<uuid::Uuid, Problem> {
    let axum::extract::Path(params) =
        axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| Problem::new(ProblemType::InvalidRequest, e.body_text()))?;
    params
        .iter()
        .find(|(param, _)| param == name)
        .and_then(|(_, value)| value.parse().ok())
        .ok_or_else(|| Problem::new(ProblemType::NotFound, "no such resource"))
}

/// For `Option<Option<T>>` fields with `#[serde(default)]`: a field sent as
/// `null` is `Some(None)`, one not sent `None`.
pub(super) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::wants_csv;

    #[test]
    fn an_explicit_format_wins_over_accept() {
        let mut accept_csv = HeaderMap::new();
        accept_csv.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
        let none = HeaderMap::new();
        assert!(wants_csv(None, &accept_csv).unwrap());
        assert!(!wants_csv(None, &none).unwrap());
        assert!(wants_csv(Some("csv"), &none).unwrap());
        assert!(!wants_csv(Some("json"), &accept_csv).unwrap());
        assert!(wants_csv(Some("xml"), &none).is_err());
    }
}

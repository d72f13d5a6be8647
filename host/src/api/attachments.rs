//! A ticket's files: `/tickets/{id}/attachments`.
//!
//! A file is sent as the raw body (any `Content-Type`; the host reads the
//! bytes to tell what it is) with its name in `?name=`, or as
//! `multipart/form-data` with one file part. Downloads are served with the
//! type the host found, never the client's, and with headers that keep a
//! browser from running anything in them.

use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiResult, Problem, ProblemBody, ProblemType};
use super::extract::{Id, Params, uuid_param};
use crate::domain::attachment::{self, Attachment};
use crate::service::{Caller, ServiceError, Services, Upload};
use crate::store::objects::Download;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attach, list))
        .routes(routes!(download))
        .routes(routes!(thumbnail))
        // Uploads are bounded by the host's attachment limit instead.
        .layer(DefaultBodyLimit::disable())
}

/// Where an uploaded file belongs.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The file's name (a raw body's; a multipart part carries its own).
    pub name: Option<String>,
    /// The `seq` of the ticket's comment the file goes with.
    pub comment: Option<i64>,
}

/// Attach a file: photos (JPEG, PNG, GIF, WebP, HEIC), PDF, MP4 or
/// QuickTime video, or plain UTF-8 text, told by its bytes. The host
/// keeps a thumbnail of a photo. Plugins see the `attached` event with the
/// file's name, type, size and SHA-256, never its bytes.
#[utoipa::path(post, path = "/tickets/{id}/attachments", tag = "tickets",
    params(("id" = Uuid, Path), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file's bytes (or `multipart/form-data` with one file part)"),
    responses((status = 201, body = Attachment),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn attach(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Params(params): Params<UploadParams>,
    request: Request,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let max = state.services.files.limits.max_file;
    let (mut files, _) = received(request, &state, max).await?;
    if files.len() != 1 {
        return Err(Problem::new(
            ProblemType::InvalidRequest,
            format!("send one file per request, not {}", files.len()),
        ));
    }
    let (name, bytes) = files.remove(0);
    let upload = Upload {
        name: name.or(params.name).unwrap_or_default(),
        bytes,
        comment: params.comment,
    };
    let attached = state.services.attach(&caller, id, upload).await?;
    Ok((StatusCode::CREATED, Json(attached)))
}

/// Bytes of text fields a multipart upload may carry beside its files.
const FIELDS_LIMIT: u64 = 64 * 1024;

/// The files a request carries, each with the name it gives — the raw
/// body, or the file parts of a `multipart/form-data` body — and the text
/// fields of a multipart one. A file over `max` bytes, or a body over `max`
/// and [`FIELDS_LIMIT`] in all, is refused as it arrives.
pub(crate) async fn received(
    request: Request,
    state: &AppState,
    max: u64,
) -> Result<(Vec<(Option<String>, Bytes)>, Vec<(String, String)>), ServiceError> {
    let too_large =
        || ServiceError::TooLarge(format!("a ticket takes files of at most {max} bytes"));
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
    if !multipart {
        if declared.is_some_and(|n| n > max) {
            return Err(too_large());
        }
        let limit = usize::try_from(max).unwrap_or(usize::MAX);
        let bytes = match Limited::new(request.into_body(), limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<LengthLimitError>() => return Err(too_large()),
            Err(e) => {
                return Err(ServiceError::Invalid(format!(
                    "the body could not be read: {e}"
                )));
            }
        };
        return Ok((vec![(None, bytes)], Vec::new()));
    }
    let bad = |e: axum::extract::multipart::MultipartError| ServiceError::Invalid(e.body_text());
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|e| ServiceError::Invalid(e.body_text()))?;
    let mut files = Vec::new();
    let mut fields = Vec::new();
    // The whole body is bounded, not only each file: many small parts
    // cannot add up to more than one file may be.
    let limit = max.saturating_add(FIELDS_LIMIT);
    let mut total = 0u64;
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            total += chunk.len() as u64;
            if total > limit || (bytes.len() + chunk.len()) as u64 > max {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            // A file input left empty sends a part with no name and no bytes.
            Some(file) if file.is_empty() && bytes.is_empty() => {}
            Some(file) => files.push((Some(file), bytes.freeze())),
            None if bytes.len() as u64 > FIELDS_LIMIT => return Err(too_large()),
            None => {
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    ServiceError::Invalid(format!("the field `{name}` is not UTF-8"))
                })?;
                fields.push((name, text));
            }
        }
    }
    Ok((files, fields))
}

/// The files of a ticket, oldest first.
#[utoipa::path(get, path = "/tickets/{id}/attachments", tag = "tickets",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = [Attachment])),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(state.services.attachments(&caller, id).await?))
}

/// The attachment id in the path.
pub(crate) struct AttachmentId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for AttachmentId {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        uuid_param(parts, state, "attachment")
            .await
            .map(AttachmentId)
    }
}

/// A file's bytes, streamed, with the type the host found in them.
#[utoipa::path(get, path = "/tickets/{id}/attachments/{attachment}", tag = "tickets",
    params(("id" = Uuid, Path), ("attachment" = Uuid, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 304, description = "The copy the client has (`If-None-Match`) is current")),
    security(("bearer" = [])))]
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    AttachmentId(attachment): AttachmentId,
    headers: HeaderMap,
) -> ApiResult<Response> {
    Ok(serve(&state.services, &caller, (id, attachment), false, &headers).await?)
}

/// A photo's thumbnail: a JPEG at most 320 px a side.
#[utoipa::path(get, path = "/tickets/{id}/attachments/{attachment}/thumbnail", tag = "tickets",
    params(("id" = Uuid, Path), ("attachment" = Uuid, Path)),
    responses((status = 200, description = "The thumbnail", content_type = "image/jpeg"),
        (status = 304, description = "The copy the client has (`If-None-Match`) is current")),
    security(("bearer" = [])))]
async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    AttachmentId(attachment): AttachmentId,
    headers: HeaderMap,
) -> ApiResult<Response> {
    Ok(serve(&state.services, &caller, (id, attachment), true, &headers).await?)
}

/// A file of a ticket (`(ticket, attachment)`), or its thumbnail, as a
/// response: its own type, its name, an entity tag from its content, and
/// no way for a browser to run it.
pub(crate) async fn serve(
    services: &Services,
    caller: &Caller,
    (ticket, attachment): (Uuid, Uuid),
    thumbnail: bool,
    request: &HeaderMap,
) -> Result<Response, ServiceError> {
    let (attachment, download) = services
        .attachment_file(caller, ticket, attachment, thumbnail)
        .await?;
    Ok(file_response(&attachment, download, thumbnail, request))
}

fn file_response(
    attachment: &Attachment,
    download: Download,
    thumbnail: bool,
    request: &HeaderMap,
) -> Response {
    let tag = if thumbnail {
        format!("\"{}-thumb\"", attachment.sha256)
    } else {
        format!("\"{}\"", attachment.sha256)
    };
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut headers = HeaderMap::new();
    let mut set = |name, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set(header::ETAG, tag);
    set(header::CACHE_CONTROL, "private, max-age=86400".into());
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; sandbox".into(),
    );
    if fresh {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let media = attachment.media_type;
    if thumbnail {
        set(header::CONTENT_TYPE, "image/jpeg".into());
    } else {
        set(header::CONTENT_TYPE, media.content_type().into());
        set(
            header::CONTENT_DISPOSITION,
            attachment::disposition(&attachment.name, media),
        );
    }
    set(header::CONTENT_LENGTH, download.size.to_string());
    (headers, Body::from_stream(download.stream)).into_response()
}

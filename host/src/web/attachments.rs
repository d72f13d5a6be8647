//! A ticket's files in the console: thumbnails of its photos, links to
//! the rest, and a form to attach more — by choosing files, by dropping
//! them on the form, or on a phone straight from the camera.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use uuid::Uuid;

use super::session::Console;
use super::ticket;
use crate::api::AppState;
use crate::api::attachments::{received, serve as serve_file};
use crate::domain::attachment::{Attachment, MediaType};
use crate::service::{ServiceError, Upload};

/// Where a file of the ticket is served to the console.
pub fn href(attachment: &Attachment) -> String {
    format!(
        "/tickets/{}/attachments/{}",
        attachment.ticket_id, attachment.id
    )
}

/// A thumbnail linking to its file, or the file's name as the link.
pub fn preview(attachment: &Attachment) -> Markup {
    let href = href(attachment);
    html! {
        @if attachment.thumbnail {
            a.thumb href=(href) {
                img src=(format!("{href}/thumbnail")) alt=(attachment.name) loading="lazy"
                    width="160";
            }
        } @else {
            a href=(href) { (attachment.name) }
        }
    }
}

/// Sizes as people read them: 12 KB, 3.4 MB.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{} KB", b.div_ceil(1_000)),
        b => format!("{:.1} MB", b as f64 / 1e6),
    }
}

/// The ticket page's files section; the upload form for those who write.
pub fn section(console: &Console, ticket: Uuid, files: &[Attachment], writer: bool) -> Markup {
    let tr = console.tr;
    let accept = MediaType::ALL.map(|m| m.as_str()).join(",");
    html! {
        section #attachments aria-labelledby="attachments-title" {
            h2 #attachments-title { (tr.t("attachments-title")) }
            @if files.is_empty() {
                p.muted { (tr.t("attachments-none")) }
            } @else {
                ul.attachments {
                    @for a in files {
                        li {
                            (preview(a))
                            span.meta { (a.name) " · " (size(a.size)) }
                        }
                    }
                }
            }
            @if writer {
                form #attach-form method="post" enctype="multipart/form-data"
                    action=(format!("/tickets/{ticket}/attachments")) {
                    input type="hidden" name="csrf" value=(console.csrf());
                    div.dropzone #attach-drop {
                        label for="attach-files" { (tr.t("attachments-choose")) }
                        input #attach-files type="file" name="file" multiple accept=(accept);
                        p.muted { (tr.t("attachments-drop")) }
                    }
                    div.inline {
                        label for="attach-camera" { (tr.t("attachments-camera")) }
                        input #attach-camera type="file" name="file" accept="image/*"
                            capture="environment";
                    }
                    button type="submit" { (tr.t("attachments-add")) }
                }
                script src="/assets/attachments.js" defer {}
            }
        }
    }
}

/// `POST /tickets/{id}/attachments`: the files of the form, attached one
/// by one; the first refusal is shown on the ticket's page.
pub async fn upload(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let max = state.services.files.limits.max_file;
    let (files, fields) = match received(request, &state, max).await {
        Ok(received) => received,
        Err(e) => match id.parse() {
            Ok(id) => return ticket::refused(&state, &console, id, &e).await,
            Err(_) => return super::layout::failure(console.tr, StatusCode::NOT_FOUND, None),
        },
    };
    let (id, _) = match ticket::posted(&console, &id, fields) {
        Ok(posted) => posted,
        Err(refused) => return *refused,
    };
    if files.is_empty() {
        let none = ServiceError::Invalid(console.tr.t("attachments-empty"));
        return ticket::refused(&state, &console, id, &none).await;
    }
    for (name, bytes) in files {
        let upload = Upload {
            name: name.unwrap_or_default(),
            bytes,
            comment: None,
        };
        if let Err(e) = state
            .services
            .attach(&console.desk.caller, id, upload)
            .await
        {
            return ticket::refused(&state, &console, id, &e).await;
        }
    }
    Redirect::to(&format!("/tickets/{id}#attachments")).into_response()
}

/// `GET /tickets/{id}/attachments/{attachment}[/thumbnail]`.
pub async fn download(
    State(state): State<AppState>,
    console: Console,
    Path((id, attachment)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    serve(&state, &console, &id, &attachment, false, &headers).await
}

pub async fn thumbnail(
    State(state): State<AppState>,
    console: Console,
    Path((id, attachment)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    serve(&state, &console, &id, &attachment, true, &headers).await
}

async fn serve(
    state: &AppState,
    console: &Console,
    id: &str,
    attachment: &str,
    thumbnail: bool,
    headers: &HeaderMap,
) -> Response {
    let (Ok(id), Ok(attachment)) = (id.parse(), attachment.parse()) else {
        return super::layout::failure(console.tr, StatusCode::NOT_FOUND, None);
    };
    let caller = &console.desk.caller;
    match serve_file(
        &state.services,
        caller,
        (id, attachment),
        thumbnail,
        headers,
    )
    .await
    {
        Ok(response) => response,
        Err(e) => super::service_failure(console.tr, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1_001), "2 KB");
        assert_eq!(size(3_400_000), "3.4 MB");
    }
}

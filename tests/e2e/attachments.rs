//! Attachments: files kept with a ticket in the object store, typed by
//! their bytes, bounded per file, ticket and tenant, served only to their
//! tenant, seen by plugins as metadata, and attached from the console.

use axum::http::{Method, StatusCode};
use image::{ImageEncoder, RgbImage};
use serde_json::{Value, json};

use aftersale::domain::Role;
use aftersale::domain::attachment::Limits;

use crate::console::{Browser, html, person};
use crate::harness::app::{Backend, Req, TestApp, on_both_backends};

/// A PNG photo of `width` × `height` pixels.
pub fn photo(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("a PNG");
    out
}

fn sha256(bytes: &[u8]) -> String {
    aftersale::service::tenants::sha256_hex(bytes)
}

/// A `multipart/form-data` body of `(field, file name, bytes)` parts; the
/// content type to send it with.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "aftersale-test-boundary-7MA4YWxk";
    let mut body = Vec::new();
    for (field, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{field}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    ticket: &str,
    query: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> crate::harness::app::Resp {
    app.send(
        app.req(
            Method::POST,
            &format!("/api/v1/tickets/{ticket}/attachments{query}"),
        )
        .raw(content_type, bytes),
    )
    .await
}

/// Files kept in the application's object directory.
fn kept(app: &TestApp) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(app.files.path(), &mut out);
    out.sort();
    out
}

async fn events_of(app: &TestApp, ticket: &str) -> Vec<Value> {
    let resp = app
        .send(app.req(Method::GET, &format!("/api/v1/tickets/{ticket}/events")))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body["items"].as_array().unwrap().clone()
}

fn console_post(agent: &Browser, ticket: &str, content_type: &str, body: Vec<u8>) -> Req {
    Req::new(Method::POST, &format!("/tickets/{ticket}/attachments"))
        .header("cookie", &agent.cookie)
        .raw(content_type, body)
}

async fn small_limits(backend: Backend) -> TestApp {
    TestApp::start_with_file_limits(
        backend,
        Limits {
            max_file: 1_000,
            tenant_quota: 2_500,
            per_ticket: 4,
        },
    )
    .await
}

async fn refused_files_leave_no_row_no_event_and_no_bytes(backend: Backend) {
    let app = small_limits(backend).await;
    let ticket = app.trial("ok").await;
    let id = ticket["id"].as_str().unwrap();
    let before = events_of(&app, id).await.len();

    upload(
        &app,
        id,
        "?name=setup.exe",
        "image/jpeg",
        b"MZ\x90\0\x03\0\0\0\x04\0".to_vec(),
    )
    .await
    .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    upload(&app, id, "", "text/plain", Vec::new())
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
    upload(&app, id, "", "text/plain", vec![b'a'; 1_001])
        .await
        .problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    let (content_type, body) = multipart(&[("file", Some("big.txt"), &[b'b'; 1_001])]);
    upload(&app, id, "", &content_type, body)
        .await
        .problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    // Files each within the limit cannot add up past it in one request.
    let parts: Vec<(&str, Option<&str>, &[u8])> = (0..70)
        .map(|_| ("file", Some("part.txt"), &[b'c'; 1_000][..]))
        .collect();
    let (content_type, body) = multipart(&parts);
    upload(&app, id, "", &content_type, body)
        .await
        .problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    upload(&app, id, "?comment=1", "text/plain", b"log".to_vec())
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
    assert_eq!(
        events_of(&app, id).await.len(),
        before,
        "nothing was recorded"
    );
    assert!(
        kept(&app).is_empty(),
        "no bytes were kept: {:?}",
        kept(&app)
    );

    // Two files of 1,000 bytes fit the quota of 2,500; a third does not.
    for n in 0..2u8 {
        let sent = upload(&app, id, "", "text/plain", vec![b'0' + n; 1_000]).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    }
    let over = upload(&app, id, "", "text/plain", vec![b'x'; 1_000]).await;
    over.problem(StatusCode::FORBIDDEN, "quota-exceeded");
    assert_eq!(over.body["quota"], "attachment_bytes");
    assert_eq!(over.body["usage"], 2_000);
    let listed = app
        .send(app.req(Method::GET, &format!("/api/v1/tickets/{id}/attachments")))
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
}

mod limited {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        refused_files_leave_no_row_no_event_and_no_bytes(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        refused_files_leave_no_row_no_event_and_no_bytes(Backend::Postgres).await;
    }
}

on_both_backends! {
    async fn a_photo_is_kept_once_typed_by_its_bytes_and_served_to_its_tenant_only(app) {
        let ticket = app.trial("ok").await;
        let id = ticket["id"].as_str().unwrap();
        let bytes = photo(1200, 900);
        // The client says PDF and names a folder: the bytes and the last
        // segment decide.
        let sent = upload(&app, id, "?name=..%2Fscans%2F%E5%8F%91%E7%A5%A8.png", "application/pdf",
            bytes.clone()).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        let file = &sent.body;
        assert_eq!(file["name"], "发票.png");
        assert_eq!(file["media_type"], "image/png");
        assert_eq!(file["size"], bytes.len());
        assert_eq!(file["sha256"], sha256(&bytes));
        assert_eq!(file["thumbnail"], true);
        assert_eq!(file["ticket_id"], id);
        let file_id = file["id"].as_str().unwrap().to_string();

        let listed = app
            .send(app.req(Method::GET, &format!("/api/v1/tickets/{id}/attachments")))
            .await;
        assert_eq!(listed.body, json!([file.clone()]));

        let path = format!("/api/v1/tickets/{id}/attachments/{file_id}");
        let got = app.send(app.req(Method::GET, &path)).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(&got.bytes[..], &bytes[..], "the bytes come back as they went");
        assert_eq!(got.headers["content-type"], "image/png");
        assert_eq!(got.headers["x-content-type-options"], "nosniff");
        assert!(got.headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
        assert_eq!(
            got.headers["content-disposition"],
            "inline; filename=\"__.png\"; filename*=UTF-8''%E5%8F%91%E7%A5%A8.png"
        );
        let tag = got.headers["etag"].to_str().unwrap().to_string();
        let again = app.send(app.req(Method::GET, &path).header("if-none-match", &tag)).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.bytes.is_empty());

        let thumb = app.send(app.req(Method::GET, &format!("{path}/thumbnail"))).await;
        assert_eq!(thumb.status, StatusCode::OK);
        assert_eq!(thumb.headers["content-type"], "image/jpeg");
        let small = image::load_from_memory(&thumb.bytes).expect("the thumbnail decodes");
        assert_eq!((small.width(), small.height()), (320, 240));

        // The same photo again is a second attachment of the same bytes,
        // kept once.
        let twice = upload(&app, id, "", "image/png", bytes.clone()).await;
        assert_eq!(twice.status, StatusCode::CREATED, "{}", twice.body);
        let digest = sha256(&bytes);
        assert_eq!(kept(&app), vec![digest.clone(), format!("{digest}.thumb.jpg")]);

        // The timeline says so, and the plugin saw what the file is but
        // not its bytes.
        let events = events_of(&app, id).await;
        let attached: Vec<&Value> = events.iter().filter(|e| e["kind"] == "attached").collect();
        assert_eq!(attached.len(), 2);
        assert_eq!(attached[0]["data"]["attachment"], file_id.as_str());
        let seen: Vec<Value> = events
            .iter()
            .filter_map(|e| e["data"]["body"].as_str()?.strip_prefix("saw attached "))
            .map(|data| serde_json::from_str(data).expect("the plugin saw JSON"))
            .collect();
        assert_eq!(seen.len(), 2, "the plugin's after hook ran for each file");
        assert_eq!(seen[0], json!({
            "attachment": file_id, "name": "发票.png", "media_type": "image/png",
            "size": bytes.len(), "sha256": digest,
        }));

        // Another tenant's key finds nothing, and cannot attach.
        let other = app.services.create_tenant("Elsewhere Ltd", None).await.unwrap();
        for path in [path.clone(), format!("{path}/thumbnail"),
                     format!("/api/v1/tickets/{id}/attachments")] {
            app.send(Req::new(Method::GET, &path).bearer(&other.admin_key))
                .await
                .problem(StatusCode::NOT_FOUND, "not-found");
        }
        app.send(
            Req::new(Method::POST, &format!("/api/v1/tickets/{id}/attachments"))
                .bearer(&other.admin_key)
                .raw("image/png", bytes.clone()),
        )
        .await
        .problem(StatusCode::NOT_FOUND, "not-found");
        // A viewer reads, but does not attach.
        let viewer = app.key("viewer").await;
        let read = app.send(Req::new(Method::GET, &path).bearer(&viewer)).await;
        assert_eq!(read.status, StatusCode::OK);
        app.send(
            Req::new(Method::POST, &format!("/api/v1/tickets/{id}/attachments"))
                .bearer(&viewer)
                .raw("image/png", bytes),
        )
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    }

    async fn a_file_goes_with_a_comment_and_multipart_takes_one_file(app) {
        let ticket = app.trial("ok").await;
        let id = ticket["id"].as_str().unwrap();
        let commented = app
            .send(app.req(Method::POST, &format!("/api/v1/tickets/{id}/comments"))
                .json(json!({"body": "E4 on the display, photo attached"})))
            .await;
        assert_eq!(commented.status, StatusCode::CREATED, "{}", commented.body);
        let seq = events_of(&app, id)
            .await
            .iter()
            .find(|e| e["kind"] == "commented")
            .and_then(|e| e["seq"].as_i64())
            .unwrap();

        let (content_type, body) = multipart(&[
            ("note", None, "ignored".as_bytes()),
            ("file", Some("故障 E4.pdf"), b"%PDF-1.7\n%\xe2\xe3\n"),
        ]);
        let sent = upload(&app, id, &format!("?comment={seq}"), &content_type, body).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        assert_eq!(sent.body["name"], "故障 E4.pdf");
        assert_eq!(sent.body["media_type"], "application/pdf");
        assert_eq!(sent.body["comment"], seq);
        assert_eq!(sent.body["thumbnail"], false);
        let file = sent.body["id"].as_str().unwrap();
        let got = app
            .send(app.req(Method::GET, &format!("/api/v1/tickets/{id}/attachments/{file}")))
            .await;
        assert_eq!(got.headers["content-type"], "application/pdf");
        assert!(got.headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
        app.send(app.req(Method::GET, &format!("/api/v1/tickets/{id}/attachments/{file}/thumbnail")))
            .await
            .problem(StatusCode::NOT_FOUND, "not-found");

        let (content_type, body) = multipart(&[
            ("file", Some("a.txt"), b"one"),
            ("file", Some("b.txt"), b"two"),
        ]);
        upload(&app, id, "", &content_type, body)
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request");
    }

    async fn the_console_attaches_photos_and_shows_their_thumbnails(app) {
        let ticket = app.trial("ok").await;
        let id = ticket["id"].as_str().unwrap();
        let agent = person(&app, "li@acme.test", Role::Agent).await;
        let page = app.send(agent.get(&format!("/tickets/{id}"))).await;
        assert!(html(&page).contains("id=\"attach-form\""), "the form is on the page");

        let shot = photo(640, 480);
        let (content_type, body) = multipart(&[
            ("csrf", None, agent.csrf.as_bytes()),
            ("file", Some("unit.png"), &shot),
            ("file", Some("report.txt"), "安装完成 OK".as_bytes()),
        ]);
        let sent = app
            .send(console_post(&agent, id, &content_type, body))
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let files = app
            .send(app.req(Method::GET, &format!("/api/v1/tickets/{id}/attachments")))
            .await;
        let files = files.body.as_array().unwrap().clone();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0]["uploaded_by"]["id"], "user:li@acme.test");
        let photo_id = files[0]["id"].as_str().unwrap();

        let page = app.send(agent.get(&format!("/tickets/{id}"))).await;
        let thumb = format!("/tickets/{id}/attachments/{photo_id}/thumbnail");
        assert!(html(&page).contains(&thumb), "the page shows the thumbnail");
        assert!(html(&page).contains("report.txt"));
        let got = app.send(agent.get(&thumb)).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.headers["content-type"], "image/jpeg");

        // Without the session's token nothing is attached.
        let (content_type, body) = multipart(&[
            ("csrf", None, b"forged"),
            ("file", Some("x.txt"), b"forged"),
        ]);
        let forged = app
            .send(console_post(&agent, id, &content_type, body))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // An executable is refused beside the form.
        let (content_type, body) = multipart(&[
            ("csrf", None, agent.csrf.as_bytes()),
            ("file", Some("x.exe"), b"MZ\x90\0\x03\0"),
        ]);
        let refused = app
            .send(console_post(&agent, id, &content_type, body))
            .await;
        assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(html(&refused).contains("attach-form"), "the ticket page, with why");
        let files = app
            .send(app.req(Method::GET, &format!("/api/v1/tickets/{id}/attachments")))
            .await;
        assert_eq!(files.body.as_array().unwrap().len(), 2);
    }
}

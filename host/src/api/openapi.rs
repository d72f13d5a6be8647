//! The finishing touches of the OpenAPI document: one operation id per
//! operation, the problems every route shares, and links from what a
//! create answers to the operations on the created object, so a client
//! generator or a schema fuzzer can follow a ticket from `POST /tickets` to
//! its page, transitions and timeline.

use std::collections::BTreeMap;

use utoipa::openapi::link::Link;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

use crate::domain::attachment::MediaType;

/// A link's name, and the path and method of the operation it leads to.
type Target = (&'static str, &'static str, &'static str);

/// Where each create's answer leads: `(create path, status, keys, targets)`.
/// Each target takes the created object's `keys` — pointers into the body
/// (its `id`, a team's `name`, `product/serial`), each the path parameter
/// named by its last segment, or `param=$request.path.param` for one the
/// create's own path carries (a ticket's attachment lives under the
/// ticket's id).
const LINKS: &[(&str, &str, &[&str], &[Target])] = &[
    (
        "/api/v1/tickets",
        "201",
        &["id"],
        &[
            ("GetTicket", "/api/v1/tickets/{id}", "get"),
            ("EditTicket", "/api/v1/tickets/{id}", "patch"),
            (
                "TransitionTicket",
                "/api/v1/tickets/{id}/transitions",
                "post",
            ),
            ("CommentOnTicket", "/api/v1/tickets/{id}/comments", "post"),
            ("AttachToTicket", "/api/v1/tickets/{id}/attachments", "post"),
            (
                "TicketAttachments",
                "/api/v1/tickets/{id}/attachments",
                "get",
            ),
            ("TicketEvents", "/api/v1/tickets/{id}/events", "get"),
            ("TicketSla", "/api/v1/tickets/{id}/sla", "get"),
            ("TicketSurvey", "/api/v1/tickets/{id}/survey", "get"),
            ("DispatchTicket", "/api/v1/tickets/{id}/dispatch", "post"),
            (
                "TicketAppointments",
                "/api/v1/tickets/{id}/appointments",
                "get",
            ),
        ],
    ),
    (
        "/api/v1/tickets",
        "201",
        &["product/serial"],
        &[("UnitHistory", "/api/v1/products/{serial}/tickets", "get")],
    ),
    (
        "/api/v1/tickets/{id}/attachments",
        "201",
        &["id=$request.path.id", "attachment=$response.body#/id"],
        &[
            (
                "DownloadAttachment",
                "/api/v1/tickets/{id}/attachments/{attachment}",
                "get",
            ),
            (
                "AttachmentThumbnail",
                "/api/v1/tickets/{id}/attachments/{attachment}/thumbnail",
                "get",
            ),
        ],
    ),
    (
        "/api/v1/webhooks",
        "201",
        &["id"],
        &[("DeleteWebhook", "/api/v1/webhooks/{id}", "delete")],
    ),
    (
        "/api/v1/views",
        "201",
        &["id"],
        &[("DeleteView", "/api/v1/views/{id}", "delete")],
    ),
    (
        "/api/v1/keys",
        "201",
        &["id"],
        &[("RevokeKey", "/api/v1/keys/{id}", "delete")],
    ),
    (
        "/api/v1/publishers",
        "201",
        &["id"],
        &[("RevokePublisher", "/api/v1/publishers/{id}", "delete")],
    ),
    (
        "/api/v1/service-points",
        "201",
        &["id"],
        &[
            ("GetServicePoint", "/api/v1/service-points/{id}", "get"),
            ("ChangeServicePoint", "/api/v1/service-points/{id}", "patch"),
        ],
    ),
    (
        "/api/v1/parts",
        "201",
        &["sku"],
        &[
            ("GetPart", "/api/v1/parts/{sku}", "get"),
            ("ChangePart", "/api/v1/parts/{sku}", "patch"),
            ("PartStock", "/api/v1/parts/{sku}/stock", "get"),
            ("PartMovements", "/api/v1/parts/{sku}/movements", "get"),
        ],
    ),
    (
        "/api/v1/technicians",
        "201",
        &["login"],
        &[
            ("GetTechnician", "/api/v1/technicians/{login}", "get"),
            ("ChangeTechnician", "/api/v1/technicians/{login}", "patch"),
        ],
    ),
    (
        "/api/v1/teams",
        "201",
        &["name"],
        &[
            ("GetTeam", "/api/v1/teams/{name}", "get"),
            ("ChangeTeam", "/api/v1/teams/{name}", "patch"),
        ],
    ),
];

/// Give every operation a unique id, the problems every route can answer,
/// and the links of [`LINKS`].
pub fn finish(api: &mut OpenApi) {
    unique_operation_ids(api);
    common_problems(api);
    file_types(api);
    for (path, status, keys, targets) in LINKS {
        let mut links = BTreeMap::new();
        for (name, target_path, method) in *targets {
            let Some(id) = operation(api, target_path, method).and_then(|o| o.operation_id.clone())
            else {
                continue;
            };
            let mut link = Link::builder().operation_id(id);
            for key in *keys {
                link = match key.split_once('=') {
                    Some((parameter, expression)) => link.parameter(parameter, expression),
                    None => link.parameter(
                        key.rsplit('/').next().unwrap_or(key),
                        format!("$response.body#/{key}"),
                    ),
                };
            }
            let link = link
                .description(format!(
                    "{} {target_path} of the created object",
                    method.to_uppercase()
                ))
                .build();
            links.insert(name.to_string(), RefOr::T(link));
        }
        let response =
            operation_mut(api, path, "post").and_then(|o| o.responses.responses.get_mut(*status));
        if let Some(RefOr::T(response)) = response {
            response.links.extend(links);
        }
    }
}

/// A file is served as the type its bytes are: each one a ticket takes.
fn file_types(api: &mut OpenApi) {
    let path = "/api/v1/tickets/{id}/attachments/{attachment}";
    let Some(RefOr::T(response)) =
        operation_mut(api, path, "get").and_then(|o| o.responses.responses.get_mut("200"))
    else {
        return;
    };
    let binary = || {
        Content::new(Some(RefOr::T(utoipa::openapi::Schema::Object(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Binary,
                )))
                .build(),
        ))))
    };
    response.content = MediaType::ALL
        .iter()
        .map(|m| (m.content_type().to_string(), RefOr::T(binary())))
        .collect();
}

/// The answers that come from the layers every route shares rather than
/// from its handler: a missing or unknown key (401), a role that may not
/// (403), a path naming nothing (404), for a JSON body one that is not
/// JSON (400), not sent as JSON (415) or not of the expected shape (422),
/// and query parameters that do not parse (422).
/// What a handler documents itself is kept.
fn common_problems(api: &mut OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let has_path_param = path.contains('{');
        for (_, op) in operations_mut(item) {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let json_body = matches!(
                &op.request_body,
                Some(RefOr::T(body)) if body.content.contains_key("application/json")
            );
            let query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
            let mut add = |status: &str, why: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::T(problem(why)));
            };
            if secured {
                add("401", "No key, or one that is unknown or revoked");
                add("403", "The caller's role may not do this");
            }
            if has_path_param {
                add("404", "No such resource");
            }
            if json_body {
                add("400", "The body is not valid JSON");
                add("415", "The body is not sent as application/json");
                add("422", "The body is not of the expected shape");
            }
            if query {
                add("422", "A query parameter is not of the expected shape");
            }
        }
    }
}

fn problem(description: &str) -> Response {
    Response::builder()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(RefOr::Ref(Ref::from_schema_name("ProblemBody")))),
        )
        .build()
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("patch", item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
}

fn operation<'a>(api: &'a OpenApi, path: &str, method: &str) -> Option<&'a Operation> {
    let item = api.paths.paths.get(path)?;
    match method {
        "get" => item.get.as_ref(),
        "put" => item.put.as_ref(),
        "post" => item.post.as_ref(),
        "delete" => item.delete.as_ref(),
        "patch" => item.patch.as_ref(),
        _ => None,
    }
}

fn operation_mut<'a>(api: &'a mut OpenApi, path: &str, method: &str) -> Option<&'a mut Operation> {
    let item = api.paths.paths.get_mut(path)?;
    operations_mut(item)
        .find(|(m, _)| *m == method)
        .map(|(_, op)| op)
}

/// Handler names repeat across files (`create`, `list`): an id that more
/// than one operation has gets the static segments of its path appended,
/// e.g. `list_tickets`, `list_webhooks`.
fn unique_operation_ids(api: &mut OpenApi) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for item in api.paths.paths.values_mut() {
        for (_, op) in operations_mut(item) {
            if let Some(id) = &op.operation_id {
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let segments: Vec<&str> = path
            .split('/')
            .filter(|s| !s.is_empty() && !s.starts_with('{') && *s != "api" && *s != "v1")
            .collect();
        for (_, op) in operations_mut(item) {
            if let Some(id) = op.operation_id.as_mut()
                && seen.get(id.as_str()).is_some_and(|n| *n > 1)
            {
                *id = format!("{id}_{}", segments.join("_").replace('-', "_"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    #[test]
    fn operation_ids_are_unique_and_a_created_ticket_links_to_its_operations() {
        let api = super::super::openapi();
        let mut ids = BTreeSet::new();
        for item in api.paths.paths.values() {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                let id = op.operation_id.clone().expect("every operation has an id");
                assert!(ids.insert(id.clone()), "operation id `{id}` twice");
            }
        }
        let json = serde_json::to_value(&api).unwrap();
        let links = &json["paths"]["/api/v1/tickets"]["post"]["responses"]["201"]["links"];
        let get = &links["GetTicket"];
        assert_eq!(get["parameters"]["id"], "$response.body#/id");
        let target = get["operationId"].as_str().unwrap();
        assert_eq!(
            json["paths"]["/api/v1/tickets/{id}"]["get"]["operationId"], target,
            "the link names the operation that reads the ticket"
        );
        assert!(links["TransitionTicket"].is_object(), "{links}");
        assert_eq!(
            links["UnitHistory"]["parameters"]["serial"], "$response.body#/product/serial",
            "{links}"
        );
        let attached = &json["paths"]["/api/v1/tickets/{id}/attachments"]["post"]["responses"]["201"]
            ["links"]["DownloadAttachment"]["parameters"];
        assert_eq!(attached["id"], "$request.path.id", "{attached}");
        assert_eq!(attached["attachment"], "$response.body#/id", "{attached}");
    }
}

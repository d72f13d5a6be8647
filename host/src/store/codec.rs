//! Rows as both backends return them, and their conversion to domain types.
//!
//! The row structs derive `sqlx::FromRow` generically, so one definition
//! decodes SQLite and PostgreSQL rows alike; enums are stored as their
//! snake_case names and instants as milliseconds since the Unix epoch.

use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::{
    ApiKey, Binding, Credential, Idempotent, Link, StoreError, StoredPlugin, Tenant, Timer,
};
use crate::domain::{Actor, Role};
use crate::domain::{Event, EventData, Ticket};

/// An enum as the text its serde form uses, e.g. `walk_in`, `P1`.
pub fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An enum back from its text.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, column: &str) -> Result<T, StoreError> {
    serde_json::from_value(Value::String(text.to_string()))
        .map_err(|_| StoreError::Corrupt(format!("`{text}` is not a valid {column}")))
}

pub fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

pub(crate) fn instant(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms)
        .map_err(|_| StoreError::Corrupt(format!("{ms} ms is not an instant")))
}

fn json<T: DeserializeOwned>(value: Value, column: &str) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

#[derive(sqlx::FromRow)]
pub struct TenantRow {
    id: Uuid,
    name: String,
    time_zone: String,
    locale: String,
    created_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> Result<Self, StoreError> {
        Ok(Tenant {
            id: r.id,
            name: r.name,
            time_zone: r.time_zone,
            locale: r.locale,
            created_at: instant(r.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ApiKeyRow {
    id: Uuid,
    tenant_id: Uuid,
    name: String,
    role: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = StoreError;
    fn try_from(r: ApiKeyRow) -> Result<Self, StoreError> {
        Ok(ApiKey {
            id: r.id,
            tenant_id: r.tenant_id,
            name: r.name,
            role: parse(&r.role, "role")?,
            created_at: instant(r.created_at)?,
            revoked_at: r.revoked_at.map(instant).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct CredentialRow {
    id: Uuid,
    tenant_id: Uuid,
    role: String,
}

impl TryFrom<CredentialRow> for Credential {
    type Error = StoreError;
    fn try_from(r: CredentialRow) -> Result<Self, StoreError> {
        Ok(Credential {
            key_id: r.id,
            tenant_id: r.tenant_id,
            role: parse::<Role>(&r.role, "role")?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct PluginRow {
    hash: String,
    name: String,
    version: String,
    contract: String,
    component: Vec<u8>,
    installed_at: i64,
    publisher_id: Option<Uuid>,
    published_at: Option<i64>,
}

impl TryFrom<PluginRow> for StoredPlugin {
    type Error = StoreError;
    fn try_from(r: PluginRow) -> Result<Self, StoreError> {
        Ok(StoredPlugin {
            hash: r.hash,
            name: r.name,
            version: r.version,
            contract: r.contract,
            component: r.component,
            installed_at: instant(r.installed_at)?,
            publisher_id: r.publisher_id,
            published_at: r.published_at.map(instant).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct BindingRow {
    kind: String,
    plugin_name: String,
    plugin_version: String,
    bound_at: i64,
}

impl TryFrom<BindingRow> for Binding {
    type Error = StoreError;
    fn try_from(r: BindingRow) -> Result<Self, StoreError> {
        Ok(Binding {
            kind: r.kind,
            plugin_name: r.plugin_name,
            plugin_version: r.plugin_version,
            bound_at: instant(r.bound_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct TicketRow {
    id: Uuid,
    tenant_id: Uuid,
    kind: String,
    title: String,
    description: String,
    channel: String,
    customer: Json<Value>,
    product: Option<Json<Value>>,
    priority: String,
    state: String,
    category: String,
    assignee: Option<String>,
    team: Option<String>,
    attributes: Json<Value>,
    version: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;
    fn try_from(r: TicketRow) -> Result<Self, StoreError> {
        Ok(Ticket {
            id: r.id,
            tenant_id: r.tenant_id,
            kind: r.kind,
            title: r.title,
            description: r.description,
            channel: parse(&r.channel, "channel")?,
            customer: json(r.customer.0, "customer")?,
            product: r.product.map(|p| json(p.0, "product")).transpose()?,
            priority: parse(&r.priority, "priority")?,
            state: r.state,
            category: parse(&r.category, "category")?,
            assignee: r.assignee,
            team: r.team,
            attributes: json(r.attributes.0, "attributes")?,
            version: r.version,
            created_at: instant(r.created_at)?,
            updated_at: instant(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct EventRow {
    id: Uuid,
    tenant_id: Uuid,
    ticket_id: Uuid,
    seq: i64,
    at: i64,
    actor_id: String,
    actor_role: String,
    kind: String,
    data: Json<Value>,
    plugin: Option<String>,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        let data = EventData::from_parts(&r.kind, r.data.0)
            .map_err(|e| StoreError::Corrupt(format!("event of kind {}: {e}", r.kind)))?;
        Ok(Event {
            id: r.id,
            tenant_id: r.tenant_id,
            ticket_id: r.ticket_id,
            seq: r.seq,
            at: instant(r.at)?,
            actor: Actor {
                id: r.actor_id,
                role: parse(&r.actor_role, "role")?,
            },
            plugin: r.plugin,
            data,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct TimerRow {
    id: Uuid,
    tenant_id: Uuid,
    ticket_id: Uuid,
    name: String,
    due_at: i64,
    payload: Json<Value>,
    plugin: Option<String>,
    created_at: i64,
}

impl TryFrom<TimerRow> for Timer {
    type Error = StoreError;
    fn try_from(r: TimerRow) -> Result<Self, StoreError> {
        Ok(Timer {
            id: r.id,
            tenant_id: r.tenant_id,
            ticket_id: r.ticket_id,
            name: r.name,
            due_at: instant(r.due_at)?,
            payload: r.payload.0,
            plugin: r.plugin,
            created_at: instant(r.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct LinkRow {
    from_ticket: Uuid,
    to_ticket: Uuid,
    relation: String,
}

impl From<LinkRow> for Link {
    fn from(r: LinkRow) -> Self {
        Link {
            from: r.from_ticket,
            to: r.to_ticket,
            relation: r.relation,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct IdempotentRow {
    key: String,
    request_hash: String,
    ticket_id: Uuid,
    response: Json<Value>,
}

impl From<IdempotentRow> for Idempotent {
    fn from(r: IdempotentRow) -> Self {
        Idempotent {
            key: r.key,
            request_hash: r.request_hash,
            ticket_id: r.ticket_id,
            response: r.response.0,
        }
    }
}

/// Convert fetched rows, failing on the first that does not decode.
pub fn all<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Channel, Priority};

    #[test]
    fn enums_round_trip_through_their_names() {
        assert_eq!(name(&Channel::WalkIn), "walk_in");
        assert_eq!(
            parse::<Channel>("walk_in", "channel").unwrap(),
            Channel::WalkIn
        );
        assert_eq!(name(&Priority::P2), "P2");
        assert!(parse::<Role>("overlord", "role").is_err());
    }
}

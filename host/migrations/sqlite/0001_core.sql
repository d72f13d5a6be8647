-- Tenants, credentials, plugins and their bindings, tickets and their log.
-- Ids are UUIDs (16-byte blobs), instants are milliseconds since the Unix
-- epoch (UTC), JSON is text.

CREATE TABLE tenants (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    locale      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

-- Plugin components, stored so every replica can load them.
CREATE TABLE plugins (
    hash          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    contract      TEXT NOT NULL,
    component     BLOB NOT NULL,
    installed_at  INTEGER NOT NULL,
    UNIQUE (name, version)
);

-- Which plugin version owns each ticket kind, per tenant.
CREATE TABLE bindings (
    tenant_id       BLOB NOT NULL REFERENCES tenants (id),
    kind            TEXT NOT NULL,
    plugin_name     TEXT NOT NULL,
    plugin_version  TEXT NOT NULL,
    bound_at        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

-- A tenant's overrides of a plugin's default configuration.
CREATE TABLE plugin_configs (
    tenant_id    BLOB NOT NULL REFERENCES tenants (id),
    plugin_name  TEXT NOT NULL,
    config       TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, plugin_name)
);

-- The projection of each ticket's events.
CREATE TABLE tickets (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants (id),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    channel      TEXT NOT NULL,
    customer     TEXT NOT NULL,
    product      TEXT,
    priority     TEXT NOT NULL,
    state        TEXT NOT NULL,
    category     TEXT NOT NULL,
    assignee     TEXT,
    attributes   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- Listing is newest first (UUIDv7 order) within a tenant, optionally filtered.
CREATE INDEX tickets_tenant ON tickets (tenant_id, id);
CREATE INDEX tickets_tenant_state ON tickets (tenant_id, state, id);
CREATE INDEX tickets_tenant_kind ON tickets (tenant_id, kind, id);
CREATE INDEX tickets_tenant_priority ON tickets (tenant_id, priority, id);
CREATE INDEX tickets_tenant_assignee ON tickets (tenant_id, assignee, id);

CREATE TABLE events (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL,
    ticket_id   BLOB NOT NULL REFERENCES tickets (id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    plugin      TEXT,
    UNIQUE (ticket_id, seq)
);
CREATE INDEX events_tenant_at ON events (tenant_id, at);

-- Timers plugins schedule; one pending timer per ticket and name.
CREATE TABLE timers (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL,
    ticket_id   BLOB NOT NULL REFERENCES tickets (id),
    name        TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    plugin      TEXT,
    created_at  INTEGER NOT NULL,
    UNIQUE (ticket_id, name)
);
CREATE INDEX timers_due ON timers (due_at);

CREATE TABLE ticket_links (
    tenant_id    BLOB NOT NULL,
    from_ticket  BLOB NOT NULL REFERENCES tickets (id),
    to_ticket    BLOB NOT NULL REFERENCES tickets (id),
    relation     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (from_ticket, to_ticket, relation)
);

-- The first answer to each Idempotency-Key, replayed for repeats.
CREATE TABLE idempotency_keys (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    ticket_id     BLOB NOT NULL,
    response      TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

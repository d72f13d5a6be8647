-- Tenants, credentials, plugins and their bindings, tickets and their log.
-- Instants are milliseconds since the Unix epoch (UTC), as on SQLite, so both
-- backends share one representation.

CREATE TABLE tenants (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    locale      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id),
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

-- Plugin components, stored so every replica can load them.
CREATE TABLE plugins (
    hash          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    contract      TEXT NOT NULL,
    component     BYTEA NOT NULL,
    installed_at  BIGINT NOT NULL,
    UNIQUE (name, version)
);

-- Which plugin version owns each ticket kind, per tenant.
CREATE TABLE bindings (
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    kind            TEXT NOT NULL,
    plugin_name     TEXT NOT NULL,
    plugin_version  TEXT NOT NULL,
    bound_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

-- A tenant's overrides of a plugin's default configuration.
CREATE TABLE plugin_configs (
    tenant_id    UUID NOT NULL REFERENCES tenants (id),
    plugin_name  TEXT NOT NULL,
    config       JSONB NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, plugin_name)
);

-- The projection of each ticket's events.
CREATE TABLE tickets (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    channel      TEXT NOT NULL,
    customer     JSONB NOT NULL,
    product      JSONB,
    priority     TEXT NOT NULL,
    state        TEXT NOT NULL,
    category     TEXT NOT NULL,
    assignee     TEXT,
    attributes   JSONB NOT NULL,
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
-- Listing is newest first (UUIDv7 order) within a tenant, optionally filtered.
CREATE INDEX tickets_tenant ON tickets (tenant_id, id);
CREATE INDEX tickets_tenant_state ON tickets (tenant_id, state, id);
CREATE INDEX tickets_tenant_kind ON tickets (tenant_id, kind, id);
CREATE INDEX tickets_tenant_priority ON tickets (tenant_id, priority, id);
CREATE INDEX tickets_tenant_assignee ON tickets (tenant_id, assignee, id);

CREATE TABLE events (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL,
    ticket_id   UUID NOT NULL REFERENCES tickets (id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    data        JSONB NOT NULL,
    plugin      TEXT,
    UNIQUE (ticket_id, seq)
);
CREATE INDEX events_tenant_at ON events (tenant_id, at);

-- Timers plugins schedule; one pending timer per ticket and name.
CREATE TABLE timers (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL,
    ticket_id   UUID NOT NULL REFERENCES tickets (id),
    name        TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    payload     JSONB NOT NULL,
    plugin      TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (ticket_id, name)
);
CREATE INDEX timers_due ON timers (due_at);

CREATE TABLE ticket_links (
    tenant_id    UUID NOT NULL,
    from_ticket  UUID NOT NULL REFERENCES tickets (id),
    to_ticket    UUID NOT NULL REFERENCES tickets (id),
    relation     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (from_ticket, to_ticket, relation)
);

-- The first answer to each Idempotency-Key, replayed for repeats.
CREATE TABLE idempotency_keys (
    tenant_id     UUID NOT NULL REFERENCES tenants (id),
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    ticket_id     UUID NOT NULL,
    response      JSONB NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

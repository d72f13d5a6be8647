-- Service levels, the standard's metrics, surveys and webhooks.

-- Settings of a tenant by key (survey questions, SLA thresholds, …), JSON.
CREATE TABLE settings (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

-- A tenant's SLA targets overriding the plugins' defaults; '*' matches any
-- kind or priority.
CREATE TABLE sla_policies (
    tenant_id      BLOB NOT NULL REFERENCES tenants (id),
    kind           TEXT NOT NULL,
    priority       TEXT NOT NULL,
    metric         TEXT NOT NULL,
    minutes        INTEGER NOT NULL,
    business_time  INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, priority, metric)
);

-- A scheduler claims due timers for a while before it fires them; the
-- claim decides which process commits the firing.
ALTER TABLE timers ADD COLUMN claimed_by TEXT;
ALTER TABLE timers ADD COLUMN claimed_until INTEGER;

-- One row per ticket with what the metrics need; `dirty` marks rows whose
-- day's rollups must be recomputed.
CREATE TABLE ticket_facts (
    ticket_id   BLOB PRIMARY KEY REFERENCES tickets (id),
    tenant_id   BLOB NOT NULL,
    day         TEXT NOT NULL,
    facts       TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    dirty       INTEGER NOT NULL
);
CREATE INDEX ticket_facts_day ON ticket_facts (tenant_id, day);
-- Out-of-date rows, earliest day first: the rollup job rebuilds whole days.
CREATE INDEX ticket_facts_dirty ON ticket_facts (tenant_id, day) WHERE dirty = 1;

-- The metrics of one day of one tenant, per value of one dimension
-- ('all' has the single value '').
CREATE TABLE metric_rollups (
    tenant_id  BLOB NOT NULL,
    dimension  TEXT NOT NULL,
    day        TEXT NOT NULL,
    value      TEXT NOT NULL,
    summary    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, dimension, day, value)
);
-- The rollup job replaces whole days.
CREATE INDEX metric_rollups_day ON metric_rollups (tenant_id, day);

CREATE TABLE surveys (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants (id),
    ticket_id    BLOB NOT NULL REFERENCES tickets (id),
    token        TEXT NOT NULL UNIQUE,
    issued_at    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    answered_at  INTEGER,
    answer       TEXT
);
CREATE UNIQUE INDEX surveys_ticket ON surveys (ticket_id);

CREATE TABLE webhooks (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id);

-- The outbox: one delivery per event and subscribed webhook, written in the
-- transaction of the event.
CREATE TABLE deliveries (
    id               BLOB PRIMARY KEY,
    tenant_id        BLOB NOT NULL,
    webhook_id       BLOB NOT NULL REFERENCES webhooks (id),
    event_id         BLOB NOT NULL,
    event_type       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    claimed_by       TEXT,
    claimed_until    INTEGER,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_webhook ON deliveries (tenant_id, webhook_id, created_at);

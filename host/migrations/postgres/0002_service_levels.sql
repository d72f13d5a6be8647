-- Service levels, the standard's metrics, surveys and webhooks.

-- Settings of a tenant by key (survey questions, SLA thresholds, …), JSON.
CREATE TABLE settings (
    tenant_id   UUID NOT NULL REFERENCES tenants (id),
    key         TEXT NOT NULL,
    value       JSONB NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

-- A tenant's SLA targets overriding the plugins' defaults; '*' matches any
-- kind or priority.
CREATE TABLE sla_policies (
    tenant_id      UUID NOT NULL REFERENCES tenants (id),
    kind           TEXT NOT NULL,
    priority       TEXT NOT NULL,
    metric         TEXT NOT NULL,
    minutes        BIGINT NOT NULL,
    business_time  BOOLEAN NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind, priority, metric)
);

-- A scheduler claims due timers for a while before it fires them; the
-- claim decides which process commits the firing.
ALTER TABLE timers ADD COLUMN claimed_by TEXT;
ALTER TABLE timers ADD COLUMN claimed_until BIGINT;

-- One row per ticket with what the metrics need; `dirty` marks rows whose
-- day's rollups must be recomputed.
CREATE TABLE ticket_facts (
    ticket_id   UUID PRIMARY KEY REFERENCES tickets (id),
    tenant_id   UUID NOT NULL,
    day         TEXT NOT NULL,
    facts       JSONB NOT NULL,
    revision    BIGINT NOT NULL,
    dirty       BOOLEAN NOT NULL
);
CREATE INDEX ticket_facts_day ON ticket_facts (tenant_id, day);
-- Out-of-date rows, earliest day first: the rollup job rebuilds whole days.
CREATE INDEX ticket_facts_dirty ON ticket_facts (tenant_id, day) WHERE dirty;

-- The metrics of one day of one tenant, per value of one dimension
-- ('all' has the single value ''). `summary` is JSON, not JSONB: it is only
-- ever read whole, and a report over a year reads thousands of them, which
-- JSONB would convert back to text one by one.
CREATE TABLE metric_rollups (
    tenant_id  UUID NOT NULL,
    dimension  TEXT NOT NULL,
    day        TEXT NOT NULL,
    value      TEXT NOT NULL,
    summary    JSON NOT NULL,
    PRIMARY KEY (tenant_id, dimension, day, value)
);
-- The rollup job replaces whole days.
CREATE INDEX metric_rollups_day ON metric_rollups (tenant_id, day);

CREATE TABLE surveys (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id),
    ticket_id    UUID NOT NULL REFERENCES tickets (id),
    token        TEXT NOT NULL UNIQUE,
    issued_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    answered_at  BIGINT,
    answer       JSONB
);
CREATE UNIQUE INDEX surveys_ticket ON surveys (ticket_id);

CREATE TABLE webhooks (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      JSONB NOT NULL,
    created_at  BIGINT NOT NULL,
    deleted_at  BIGINT
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id);

-- The outbox: one delivery per event and subscribed webhook, written in the
-- transaction of the event.
CREATE TABLE deliveries (
    id               UUID PRIMARY KEY,
    tenant_id        UUID NOT NULL,
    webhook_id       UUID NOT NULL REFERENCES webhooks (id),
    event_id         UUID NOT NULL,
    event_type       TEXT NOT NULL,
    payload          JSONB NOT NULL,
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    claimed_by       TEXT,
    claimed_until    BIGINT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_webhook ON deliveries (tenant_id, webhook_id, created_at);

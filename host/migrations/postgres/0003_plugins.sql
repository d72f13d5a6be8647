-- The plugin lifecycle: resource grants and each tenant's view of a plugin
-- version's health.

-- Limits the operator granted a plugin version beyond the defaults
-- (fuel, memory_bytes, deadline_ms); NULL runs it on the defaults.
ALTER TABLE plugins ADD COLUMN granted JSONB;
ALTER TABLE plugins ADD COLUMN granted_at BIGINT;

-- Consecutive failures of a plugin version for one tenant; a version that
-- failed too often in a row is quarantined until an operator releases it.
CREATE TABLE plugin_health (
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    plugin_hash     TEXT NOT NULL REFERENCES plugins (hash),
    failures        INTEGER NOT NULL,
    last_failure    TEXT,
    quarantined_at  BIGINT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, plugin_hash)
);

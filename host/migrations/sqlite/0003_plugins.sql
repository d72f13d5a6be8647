-- The plugin lifecycle: resource grants and each tenant's view of a plugin
-- version's health.

-- Limits the operator granted a plugin version beyond the defaults, as JSON
-- (fuel, memory_bytes, deadline_ms); NULL runs it on the defaults.
ALTER TABLE plugins ADD COLUMN granted TEXT;
ALTER TABLE plugins ADD COLUMN granted_at INTEGER;

-- Consecutive failures of a plugin version for one tenant; a version that
-- failed too often in a row is quarantined until an operator releases it.
CREATE TABLE plugin_health (
    tenant_id       BLOB NOT NULL REFERENCES tenants (id),
    plugin_hash     TEXT NOT NULL REFERENCES plugins (hash),
    failures        INTEGER NOT NULL,
    last_failure    TEXT,
    quarantined_at  INTEGER,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, plugin_hash)
);

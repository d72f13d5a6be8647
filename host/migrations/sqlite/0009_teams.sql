-- Teams: the groups that work a queue, each with a lead (the `group_lead`
-- a plugin's notice reaches), optionally a manager and a support tier that
-- `escalate` moves a ticket to. Members are console logins of the tenant.

CREATE TABLE teams (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    name        TEXT NOT NULL,
    title       TEXT NOT NULL,
    tier        INTEGER,
    lead        TEXT NOT NULL,
    manager     TEXT,
    members     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
-- One team serves a tier.
CREATE UNIQUE INDEX teams_tier ON teams (tenant_id, tier) WHERE tier IS NOT NULL;

-- The team whose queue a ticket is in.
ALTER TABLE tickets ADD COLUMN team TEXT;
CREATE INDEX tickets_tenant_team ON tickets (tenant_id, team, id);

-- Saved views (domain/view.rs): a named filter of the queue, kept by its
-- owner (`user:<login>` or an API key's id), shared with one team or none.
CREATE TABLE saved_views (
    tenant_id   BLOB NOT NULL,
    id          BLOB NOT NULL,
    owner       TEXT NOT NULL,
    name        TEXT NOT NULL,
    team        TEXT,
    filter      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, owner, name)
);
CREATE INDEX saved_views_team ON saved_views (tenant_id, team) WHERE team IS NOT NULL;

-- Attachments (domain/attachment.rs): files kept with a ticket or one of
-- its comments. The bytes live in the object store under the tenant and
-- their SHA-256; a row names them, so one file uploaded twice is kept once.
CREATE TABLE attachments (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    ticket_id     BLOB NOT NULL REFERENCES tickets (id),
    comment_seq   INTEGER,
    name          TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size > 0),
    sha256        TEXT NOT NULL,
    thumbnail     INTEGER NOT NULL,
    actor_id      TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_ticket ON attachments (tenant_id, ticket_id, id);

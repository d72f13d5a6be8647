-- Attachments (domain/attachment.rs): files kept with a ticket or one of
-- its comments. The bytes live in the object store under the tenant and
-- their SHA-256; a row names them, so one file uploaded twice is kept once.
CREATE TABLE attachments (
    tenant_id     UUID NOT NULL REFERENCES tenants (id),
    id            UUID NOT NULL,
    ticket_id     UUID NOT NULL REFERENCES tickets (id),
    comment_seq   BIGINT,
    name          TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    size          BIGINT NOT NULL CHECK (size > 0),
    sha256        TEXT NOT NULL,
    thumbnail     BOOLEAN NOT NULL,
    actor_id      TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_ticket ON attachments (tenant_id, ticket_id, id);

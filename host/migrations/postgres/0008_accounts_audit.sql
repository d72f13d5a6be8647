-- Account lifecycle: sessions end after an idle spell, an invitation can
-- reset an existing account's password; and the audit log of admin actions.

ALTER TABLE console_sessions ADD COLUMN last_seen_at BIGINT;
UPDATE console_sessions SET last_seen_at = created_at;
CREATE INDEX console_sessions_user ON console_sessions (user_id);

-- Set when the invitation resets this account's password instead of
-- creating one.
ALTER TABLE console_invites ADD COLUMN user_id UUID REFERENCES console_users (id);
CREATE INDEX console_invites_tenant ON console_invites (tenant_id);

CREATE TABLE audit_log (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id),
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    detail      JSONB NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);

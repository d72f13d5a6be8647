-- People of a tenant who sign in to the web console, their sessions, and
-- invitations an admin sends. Ids are UUIDs (16-byte blobs), instants are
-- milliseconds since the Unix epoch (UTC). Only hashes of session and
-- invitation tokens are kept; passwords only as argon2 PHC strings.

CREATE TABLE console_users (
    id             BLOB PRIMARY KEY,
    tenant_id      BLOB NOT NULL REFERENCES tenants (id),
    -- Sign-in name, unique across tenants so signing in needs no tenant.
    login          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    locale         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER
);
CREATE INDEX console_users_tenant ON console_users (tenant_id);

CREATE TABLE console_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES console_users (id),
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

CREATE TABLE console_invites (
    token_hash   TEXT PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants (id),
    login        TEXT NOT NULL,
    role         TEXT NOT NULL,
    invited_by   BLOB NOT NULL REFERENCES console_users (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER
);

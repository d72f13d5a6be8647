-- Plugin publishers and who owns each plugin version. A publisher is a
-- partner the operator issued a key to; only the SHA-256 of the key is kept.
-- Instants are milliseconds since the Unix epoch (UTC).

CREATE TABLE publishers (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL UNIQUE,
    -- Most plugin versions and component bytes the publisher may store.
    max_plugins  BIGINT NOT NULL,
    max_bytes    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);

-- NULL: installed by the operator or embedded first-party.
ALTER TABLE plugins ADD COLUMN publisher_id UUID REFERENCES publishers (id);
-- NULL: private to its publisher; tenants see and bind only published ones.
ALTER TABLE plugins ADD COLUMN published_at BIGINT;
-- Everything installed before publishers existed was the operator's and
-- visible to every tenant.
UPDATE plugins SET published_at = installed_at;

-- A publisher's usage, and the first installer of a name.
CREATE INDEX plugins_publisher ON plugins (publisher_id);
CREATE INDEX plugins_name_installed ON plugins (name, installed_at);

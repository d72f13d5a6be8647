-- Plugin publishers and who owns each plugin version. A publisher is a
-- partner the operator issued a key to; only the SHA-256 of the key is kept.
-- Ids are UUIDs (16-byte blobs), instants are milliseconds since the Unix
-- epoch (UTC).

CREATE TABLE publishers (
    id           BLOB PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL UNIQUE,
    -- Most plugin versions and component bytes the publisher may store.
    max_plugins  INTEGER NOT NULL,
    max_bytes    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);

-- NULL: installed by the operator or embedded first-party.
ALTER TABLE plugins ADD COLUMN publisher_id BLOB REFERENCES publishers (id);
-- NULL: private to its publisher; tenants see and bind only published ones.
ALTER TABLE plugins ADD COLUMN published_at INTEGER;
-- Everything installed before publishers existed was the operator's and
-- visible to every tenant.
UPDATE plugins SET published_at = installed_at;

-- A publisher's usage, and the first installer of a name.
CREATE INDEX plugins_publisher ON plugins (publisher_id);
CREATE INDEX plugins_name_installed ON plugins (name, installed_at);

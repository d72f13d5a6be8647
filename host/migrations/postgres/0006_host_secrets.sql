-- Secrets of the deployment that must not live beside what they protect,
-- e.g. the key that signs the precompiled plugin cache on disk.
CREATE TABLE host_secrets (
    name        TEXT PRIMARY KEY,
    value       BYTEA NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The service network (服务网络): a tenant's own service centres,
-- authorised outlets and contracted providers, where they are and what
-- they serve. Regions are GB/T 2260 codes.

CREATE TABLE service_points (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    id          BLOB NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    province    TEXT NOT NULL,
    city        TEXT,
    county      TEXT,
    address     TEXT NOT NULL,
    phone       TEXT,
    latitude    REAL,
    longitude   REAL,
    hours       TEXT,
    kinds       TEXT NOT NULL,
    categories  TEXT NOT NULL,
    active      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX service_points_region ON service_points (tenant_id, province, city, county);

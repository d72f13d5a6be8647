-- The service network (服务网络): a tenant's own service centres,
-- authorised outlets and contracted providers, where they are and what
-- they serve. Regions are GB/T 2260 codes.

CREATE TABLE service_points (
    tenant_id   UUID NOT NULL REFERENCES tenants (id),
    id          UUID NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    province    TEXT NOT NULL,
    city        TEXT,
    county      TEXT,
    address     TEXT NOT NULL,
    phone       TEXT,
    latitude    DOUBLE PRECISION,
    longitude   DOUBLE PRECISION,
    hours       JSONB,
    kinds       JSONB NOT NULL,
    categories  JSONB NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX service_points_region ON service_points (tenant_id, province, city, county);

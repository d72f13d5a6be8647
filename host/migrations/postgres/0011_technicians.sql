-- Technicians: console accounts that work on site, with what they are
-- skilled and certified for, where they are based and work, when they
-- work and how many jobs a day they take.

CREATE TABLE technicians (
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    login           TEXT NOT NULL,
    home_point      UUID,
    categories      JSONB NOT NULL,
    certifications  JSONB NOT NULL,
    regions         JSONB NOT NULL,
    hours           JSONB,
    daily_capacity  BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, login),
    FOREIGN KEY (tenant_id, home_point) REFERENCES service_points (tenant_id, id)
);

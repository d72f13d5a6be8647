-- Technicians: console accounts that work on site, with what they are
-- skilled and certified for, where they are based and work, when they
-- work and how many jobs a day they take.

CREATE TABLE technicians (
    tenant_id       BLOB NOT NULL REFERENCES tenants (id),
    login           TEXT NOT NULL,
    home_point      BLOB,
    categories      TEXT NOT NULL,
    certifications  TEXT NOT NULL,
    regions         TEXT NOT NULL,
    hours           TEXT,
    daily_capacity  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, login),
    FOREIGN KEY (tenant_id, home_point) REFERENCES service_points (tenant_id, id)
);

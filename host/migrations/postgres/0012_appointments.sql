-- Appointments: a technician booked for a ticket in a slot. One booked
-- appointment per technician and slot start: two dispatchers cannot both
-- have the same slot.

CREATE TABLE appointments (
    tenant_id     UUID NOT NULL REFERENCES tenants (id),
    id            UUID NOT NULL,
    ticket_id     UUID NOT NULL REFERENCES tickets (id),
    technician    TEXT NOT NULL,
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    cancelled_at  BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX appointments_slot ON appointments (tenant_id, technician, starts_at)
    WHERE cancelled_at IS NULL;
CREATE INDEX appointments_ticket ON appointments (tenant_id, ticket_id);

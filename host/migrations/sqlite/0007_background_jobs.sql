-- Deliveries in flight per tenant, so claims can take turns between tenants:
-- only claimed rows carry `claimed_until`, which keeps this index small.
CREATE INDEX deliveries_in_flight ON deliveries (tenant_id, claimed_until)
    WHERE claimed_until IS NOT NULL;

-- What the retention job deletes once it is old enough.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX deliveries_delivered ON deliveries (delivered_at) WHERE state = 'delivered';
CREATE INDEX console_invites_expires ON console_invites (expires_at);

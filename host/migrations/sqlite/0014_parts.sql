-- Spare parts (备件保障): the catalogue, an append-only ledger of stock
-- movements, and each service point's balance. The balance is the ledger
-- summed; it is kept beside it, written in the same transaction as every
-- movement, so that a reservation can check and take stock in one
-- statement and stock never goes negative however many reserve at once.

CREATE TABLE parts (
    tenant_id          BLOB NOT NULL REFERENCES tenants (id),
    sku                TEXT NOT NULL,
    name               TEXT NOT NULL,
    category           TEXT NOT NULL,
    unit               TEXT NOT NULL,
    price              TEXT NOT NULL,
    compatible_models  TEXT NOT NULL,
    reorder_point      INTEGER NOT NULL,
    active             INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, sku)
);

CREATE TABLE stock_movements (
    tenant_id      BLOB NOT NULL REFERENCES tenants (id),
    id             BLOB NOT NULL,
    sku            TEXT NOT NULL,
    kind           TEXT NOT NULL,
    service_point  BLOB NOT NULL,
    -- The receiving point of a transfer.
    to_point       BLOB,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    ticket_id      BLOB,
    actor          TEXT NOT NULL,
    note           TEXT,
    at             INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, sku) REFERENCES parts (tenant_id, sku)
);
CREATE INDEX stock_movements_part ON stock_movements (tenant_id, sku, at);
CREATE INDEX stock_movements_ticket ON stock_movements (tenant_id, ticket_id)
    WHERE ticket_id IS NOT NULL;

CREATE TABLE stock (
    tenant_id      BLOB NOT NULL REFERENCES tenants (id),
    sku            TEXT NOT NULL,
    service_point  BLOB NOT NULL,
    on_hand        INTEGER NOT NULL,
    reserved       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, sku, service_point),
    FOREIGN KEY (tenant_id, sku) REFERENCES parts (tenant_id, sku),
    CHECK (reserved >= 0 AND reserved <= on_hand)
);

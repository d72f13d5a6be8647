-- What `GET /tickets?q=` searches (see domain/search.rs): each ticket's
-- texts, one row per source, written in the commit that opens it, and one
-- per comment. The
-- trigram index (with the tenant in the same GIN index) matches any
-- substring of three characters or more, Chinese and English alike;
-- shorter queries scan the tenant's rows. Both extensions are trusted: the
-- database's owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE search_docs (
    tenant_id  UUID NOT NULL,
    ticket_id  UUID NOT NULL,
    source     TEXT NOT NULL,
    tier       INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, source)
);
-- The fast path: a serial or a phone number, exactly.
CREATE INDEX search_docs_key ON search_docs (tenant_id, text) WHERE tier = 0;
CREATE INDEX search_docs_text ON search_docs USING gin (tenant_id, text gin_trgm_ops);

-- The tickets there are already, as domain::search::documents writes them.
INSERT INTO search_docs (tenant_id, ticket_id, source, tier, text)
SELECT tenant_id, ticket_id, source, tier, text FROM (
    SELECT tenant_id, id AS ticket_id, 'serial' AS source, 0 AS tier,
        coalesce(btrim(product ->> 'serial'), '') AS text
    FROM tickets
    UNION ALL
    SELECT tenant_id, id, 'phone', 0,
        coalesce(regexp_replace(customer ->> 'phone', '[ +().-]', '', 'g'), '')
    FROM tickets
    UNION ALL
    SELECT tenant_id, id, 'title', 1, title FROM tickets
    UNION ALL
    SELECT tenant_id, id, 'party', 2, concat_ws(' ',
        nullif(btrim(customer ->> 'name'), ''),
        nullif(btrim(customer ->> 'phone'), ''),
        nullif(btrim(customer ->> 'email'), ''),
        nullif(btrim(customer ->> 'address'), ''),
        nullif(btrim(product ->> 'sku'), ''),
        nullif(btrim(product ->> 'model'), ''),
        nullif(btrim(product ->> 'serial'), ''))
    FROM tickets
    UNION ALL
    SELECT tenant_id, id, 'description', 3, description FROM tickets
    UNION ALL
    SELECT tenant_id, ticket_id, 'comment:' || id::text, 3, coalesce(data ->> 'body', '')
    FROM events WHERE kind = 'commented'
) AS docs WHERE text <> '';

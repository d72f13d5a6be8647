-- What `GET /tickets?q=` searches (see domain/search.rs): each ticket's
-- texts, one row per source, written in the commit that opens it, and one
-- per comment. The trigram index matches any substring of three characters
-- or more, Chinese and English alike; shorter queries scan the tenant's rows.
CREATE TABLE search_docs (
    id         INTEGER PRIMARY KEY,
    tenant_id  BLOB NOT NULL,
    ticket_id  BLOB NOT NULL,
    source     TEXT NOT NULL,
    tier       INTEGER NOT NULL,
    text       TEXT NOT NULL,
    -- Three private-use characters from the tenant's id, indexed beside the
    -- text: matching them and the text together keeps a search inside the
    -- tenant's documents, instead of reading every tenant's matches first
    -- (sqlite/search.rs computes the same).
    tag        TEXT GENERATED ALWAYS AS (char(
        57344
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 23, 1)) - 1) * 256
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 24, 1)) - 1) * 16
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 25, 1)) - 1),
        57344
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 26, 1)) - 1) * 256
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 27, 1)) - 1) * 16
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 28, 1)) - 1),
        57344
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 29, 1)) - 1) * 256
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 30, 1)) - 1) * 16
        + (instr('0123456789ABCDEF', substr(hex(tenant_id), 31, 1)) - 1))) VIRTUAL,
    UNIQUE (tenant_id, ticket_id, source)
);
-- The fast path: a serial or a phone number, exactly.
CREATE INDEX search_docs_key ON search_docs (tenant_id, text) WHERE tier = 0;

CREATE VIRTUAL TABLE search_text USING fts5 (
    tag, text, content = 'search_docs', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER search_docs_inserted AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_text (rowid, tag, text) VALUES (new.id, new.tag, new.text);
END;
CREATE TRIGGER search_docs_deleted AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_text (search_text, rowid, tag, text)
    VALUES ('delete', old.id, old.tag, old.text);
END;
CREATE TRIGGER search_docs_updated AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_text (search_text, rowid, tag, text)
    VALUES ('delete', old.id, old.tag, old.text);
    INSERT INTO search_text (rowid, tag, text) VALUES (new.id, new.tag, new.text);
END;

-- The tickets there are already, as domain::search::documents writes them.
INSERT INTO search_docs (tenant_id, ticket_id, source, tier, text)
SELECT tenant_id, ticket_id, source, tier, text FROM (
    SELECT tenant_id, id AS ticket_id, 'serial' AS source, 0 AS tier,
        coalesce(trim(json_extract(product, '$.serial')), '') AS text
    FROM tickets
    UNION ALL
    SELECT tenant_id, id, 'phone', 0,
        coalesce(replace(replace(replace(replace(replace(replace(
            json_extract(customer, '$.phone'), ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''),
            '.', ''), '')
    FROM tickets
    UNION ALL
    SELECT tenant_id, id, 'title', 1, title FROM tickets
    UNION ALL
    SELECT tenant_id, id, 'party', 2, concat_ws(' ',
        nullif(trim(json_extract(customer, '$.name')), ''),
        nullif(trim(json_extract(customer, '$.phone')), ''),
        nullif(trim(json_extract(customer, '$.email')), ''),
        nullif(trim(json_extract(customer, '$.address')), ''),
        nullif(trim(json_extract(product, '$.sku')), ''),
        nullif(trim(json_extract(product, '$.model')), ''),
        nullif(trim(json_extract(product, '$.serial')), ''))
    FROM tickets
    UNION ALL
    SELECT tenant_id, id, 'description', 3, description FROM tickets
    UNION ALL
    SELECT tenant_id, ticket_id, 'comment:' || lower(
            substr(hex(id), 1, 8) || '-' || substr(hex(id), 9, 4) || '-' ||
            substr(hex(id), 13, 4) || '-' || substr(hex(id), 17, 4) || '-' ||
            substr(hex(id), 21)),
        3, coalesce(json_extract(data, '$.body'), '')
    FROM events WHERE kind = 'commented'
) AS docs WHERE text <> '';

-- Metrics group by technician and service point now, and count visits and
-- part lines: build the new dimensions' rollups for every day once.
UPDATE ticket_facts SET dirty = 1 WHERE dirty = 0;

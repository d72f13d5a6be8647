-- Metrics group by team now: build the new dimension's rollups for every
-- day once (no ticket had a team before, so their facts stand).
UPDATE ticket_facts SET dirty = TRUE WHERE NOT dirty;

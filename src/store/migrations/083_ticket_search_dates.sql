-- Ticket search by text and a date range. Each search key carries its ticket's intake time, so that a range
-- of intake times becomes a range of keys that the full-text index seeks to instead of filtering every match.
--
-- Keys are handed out in intake order, so intake times rise with the key. A ticket whose intake time is
-- earlier than that of a ticket keyed before it (an import, a clock set back) or whose intake time is
-- changed is marked `late`; the keys that are not late have non-decreasing intake times, and a search over a
-- date range reads the key range of those plus the late keys of the range one by one.

ALTER TABLE ticket_search_keys ADD COLUMN created_at INTEGER;
ALTER TABLE ticket_search_keys ADD COLUMN late INTEGER NOT NULL DEFAULT 0;

UPDATE ticket_search_keys SET created_at = (SELECT t.created_at FROM tickets t WHERE t.id = ticket_search_keys.ticket_id);
UPDATE ticket_search_keys SET late = 1 WHERE key IN (
  SELECT key FROM (
    SELECT key, created_at, max(created_at) OVER (ORDER BY key ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_before
    FROM ticket_search_keys
  ) WHERE created_at < latest_before
);

CREATE INDEX ticket_search_keys_in_order ON ticket_search_keys (created_at) WHERE late = 0;
CREATE INDEX ticket_search_keys_late ON ticket_search_keys (created_at) WHERE late = 1;

DROP TRIGGER tickets_fts_insert;
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO ticket_search_keys (ticket_id, created_at, late)
    VALUES (new.id, new.created_at, coalesce(new.created_at < (
      SELECT created_at FROM ticket_search_keys WHERE late = 0 ORDER BY created_at DESC LIMIT 1), 0));
  INSERT INTO tickets_fts (rowid, description, address)
    VALUES ((SELECT key FROM ticket_search_keys WHERE ticket_id = new.id), new.description || char(10), coalesce(new.address, '') || char(10));
END;

CREATE TRIGGER ticket_search_keys_created_at AFTER UPDATE OF created_at ON tickets WHEN new.created_at IS NOT old.created_at BEGIN
  UPDATE ticket_search_keys SET created_at = new.created_at, late = 1 WHERE ticket_id = new.id;
END;

-- Ticket search: a trigram full-text index over description and address, kept in sync by triggers.
-- ticket_search_keys gives every ticket a stable integer key in intake order (tickets have TEXT ids, and
-- VACUUM may renumber an implicit rowid): the index rows are keyed by it and search results are ordered by it.
-- Columns are indexed with a trailing newline, as in the knowledge base. Searching by contact phone or lead
-- unit needs their own indexes.

CREATE INDEX tickets_by_contact_phone ON tickets (contact_phone) WHERE contact_phone IS NOT NULL;
CREATE INDEX tickets_by_lead_unit ON tickets (lead_unit) WHERE lead_unit IS NOT NULL;

CREATE TABLE ticket_search_keys (
  key        INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id  TEXT NOT NULL UNIQUE
);

CREATE VIRTUAL TABLE tickets_fts USING fts5(description, address, content='', contentless_delete=1, tokenize='trigram');
CREATE VIRTUAL TABLE tickets_fts_terms USING fts5vocab(tickets_fts, 'row');

INSERT INTO ticket_search_keys (ticket_id) SELECT id FROM tickets ORDER BY created_at, id;
INSERT INTO tickets_fts (rowid, description, address)
  SELECT k.key, t.description || char(10), coalesce(t.address, '') || char(10)
  FROM ticket_search_keys k JOIN tickets t ON t.id = k.ticket_id;

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO ticket_search_keys (ticket_id) VALUES (new.id);
  INSERT INTO tickets_fts (rowid, description, address)
    VALUES ((SELECT key FROM ticket_search_keys WHERE ticket_id = new.id), new.description || char(10), coalesce(new.address, '') || char(10));
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF description, address ON tickets BEGIN
  DELETE FROM tickets_fts WHERE rowid = (SELECT key FROM ticket_search_keys WHERE ticket_id = old.id);
  INSERT INTO tickets_fts (rowid, description, address)
    VALUES ((SELECT key FROM ticket_search_keys WHERE ticket_id = new.id), new.description || char(10), coalesce(new.address, '') || char(10));
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
  DELETE FROM tickets_fts WHERE rowid = (SELECT key FROM ticket_search_keys WHERE ticket_id = old.id);
  DELETE FROM ticket_search_keys WHERE ticket_id = old.id;
END;

-- Knowledge base for direct answers (直接答复): articles with a validity window, a trigram full-text index
-- kept in sync by triggers, and the article a ticket was answered from.
-- The index is contentless: each column is indexed with a trailing newline so that two-character searches
-- (expanded through the index's own vocabulary) also find words at the very end of a title or body.

CREATE TABLE kb_articles (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  title       TEXT NOT NULL,
  body        TEXT NOT NULL,
  category    TEXT,
  valid_from  INTEGER NOT NULL DEFAULT 0,
  valid_to    INTEGER,
  version     INTEGER NOT NULL DEFAULT 1,
  created_by  TEXT,
  updated_by  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  retired_at  INTEGER
);
CREATE INDEX kb_articles_by_category ON kb_articles (category, updated_at);

CREATE VIRTUAL TABLE kb_articles_fts USING fts5(title, body, content='', contentless_delete=1, tokenize='trigram');
CREATE VIRTUAL TABLE kb_articles_terms USING fts5vocab(kb_articles_fts, 'row');

CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN
  INSERT INTO kb_articles_fts (rowid, title, body) VALUES (new.id, new.title || char(10), new.body || char(10));
END;
CREATE TRIGGER kb_articles_fts_update AFTER UPDATE OF title, body ON kb_articles BEGIN
  DELETE FROM kb_articles_fts WHERE rowid = old.id;
  INSERT INTO kb_articles_fts (rowid, title, body) VALUES (new.id, new.title || char(10), new.body || char(10));
END;
CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN
  DELETE FROM kb_articles_fts WHERE rowid = old.id;
END;

ALTER TABLE tickets ADD COLUMN kb_article_id INTEGER REFERENCES kb_articles (id);
CREATE INDEX tickets_by_kb_article ON tickets (kb_article_id) WHERE kb_article_id IS NOT NULL;

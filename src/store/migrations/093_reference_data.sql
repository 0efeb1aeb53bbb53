-- Reference data the centre's administrators edit live (issue 15): the ticket category tree (with urgency
-- and handling classes), and the lines and desks. Each change is a new version of the whole document with
-- the time it takes effect (a future time schedules it) and who made it; the version in force is the one
-- with the latest effective time that has passed (the higher version on a tie). Versions are never changed
-- or deleted, so the history of what was in force when stays readable.

CREATE TABLE reference_versions (
  kind          TEXT NOT NULL CHECK (kind IN ('categories', 'lines')),
  version       INTEGER NOT NULL CHECK (version >= 1),
  effective_at  INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  author_id     TEXT,
  author        TEXT NOT NULL,
  body_json     TEXT NOT NULL,
  PRIMARY KEY (kind, version)
);
CREATE INDEX reference_versions_by_time ON reference_versions (kind, effective_at, version);

CREATE TRIGGER reference_versions_no_update BEFORE UPDATE ON reference_versions
BEGIN
  SELECT RAISE(ABORT, 'reference_versions is append-only');
END;
CREATE TRIGGER reference_versions_no_delete BEFORE DELETE ON reference_versions
BEGIN
  SELECT RAISE(ABORT, 'reference_versions is append-only');
END;

-- Whether tickets are filed under a category, asked before a version leaves it out (it may only be retired then).
CREATE INDEX tickets_by_category ON tickets (category);

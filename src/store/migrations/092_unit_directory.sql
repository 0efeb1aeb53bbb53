-- The handling-unit directory and the holiday calendar, run by the centre's administrators while the service runs.
--
-- Units: retired units (kept, with their tickets and rankings, but offered to nobody), the category codes a
-- department or utility handles, and when an administrator last changed a unit (the bundled seed then leaves it
-- alone). A rename keeps the names a unit had: unit_names holds each name from when it was given, so a past
-- month's ranking shows the name in force at that month's end. unit_directory_version moves on with every change
-- to units, so what is read from the directory (pickers, suggestions, reports) is read again at once.
--
-- Calendar: each year's public holidays and makeup working days as stored by an administrator, one version per
-- change (who, when); the latest version of a year wins over the built-in and configured days of that year.

ALTER TABLE units ADD COLUMN retired_at INTEGER;
ALTER TABLE units ADD COLUMN handles TEXT;
ALTER TABLE units ADD COLUMN edited_at INTEGER;

CREATE INDEX units_by_kind ON units (kind, code);

CREATE TABLE unit_names (
  code        TEXT NOT NULL REFERENCES units (code),
  name        TEXT NOT NULL,
  valid_from  INTEGER NOT NULL,
  PRIMARY KEY (code, valid_from)
) WITHOUT ROWID;

CREATE TABLE unit_directory_version (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  version  INTEGER NOT NULL
);
INSERT INTO unit_directory_version (id, version) VALUES (1, 1);

CREATE TRIGGER units_directory_insert AFTER INSERT ON units
BEGIN
  UPDATE unit_directory_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER units_directory_update AFTER UPDATE ON units
BEGIN
  UPDATE unit_directory_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER unit_names_directory AFTER INSERT ON unit_names
BEGIN
  UPDATE unit_directory_version SET version = version + 1 WHERE id = 1;
END;

CREATE TABLE calendar_versions (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  year             INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2099),
  holidays         TEXT NOT NULL,
  makeup_workdays  TEXT NOT NULL,
  effective_at     INTEGER NOT NULL,
  author_id        TEXT,
  author           TEXT NOT NULL
);
CREATE INDEX calendar_versions_by_year ON calendar_versions (year, id);

CREATE TRIGGER calendar_versions_no_update BEFORE UPDATE ON calendar_versions
BEGIN
  SELECT RAISE(ABORT, 'calendar_versions keeps every version: add a new one');
END;
CREATE TRIGGER calendar_versions_no_delete BEFORE DELETE ON calendar_versions
BEGIN
  SELECT RAISE(ABORT, 'calendar_versions keeps every version: add a new one');
END;

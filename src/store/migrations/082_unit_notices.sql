-- Notices to handling units (new dispatch, 督办 warning, overdue, rework, reassignment, a dispute upheld …),
-- kept so a unit user who was offline sees them at the next sign-in, and which of them each user has read.

CREATE TABLE unit_notices (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  unit_code  TEXT NOT NULL REFERENCES units (code),
  about      TEXT NOT NULL,
  ticket_id  TEXT NOT NULL REFERENCES tickets (id),
  number     TEXT NOT NULL,
  at         INTEGER NOT NULL
);
CREATE INDEX unit_notices_by_unit ON unit_notices (unit_code, id);

CREATE TABLE unit_notice_reads (
  user_id    TEXT NOT NULL,
  notice_id  INTEGER NOT NULL REFERENCES unit_notices (id),
  read_at    INTEGER NOT NULL,
  PRIMARY KEY (user_id, notice_id)
);

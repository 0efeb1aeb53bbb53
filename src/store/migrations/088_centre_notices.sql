-- Notices to the centre's review desk: a unit replied, returned or disputed a ticket, or asked for more
-- time. Kept like the units' notices, with the unit that raised it; each centre user marks them read.

CREATE TABLE centre_notices (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  about      TEXT NOT NULL,
  ticket_id  TEXT NOT NULL REFERENCES tickets (id),
  number     TEXT NOT NULL,
  unit_code  TEXT REFERENCES units (code),
  at         INTEGER NOT NULL
);
CREATE INDEX centre_notices_by_time ON centre_notices (at);

CREATE TABLE centre_notice_reads (
  user_id    TEXT NOT NULL,
  notice_id  INTEGER NOT NULL REFERENCES centre_notices (id),
  read_at    INTEGER NOT NULL,
  PRIMARY KEY (user_id, notice_id)
);

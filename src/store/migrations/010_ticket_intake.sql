-- Ticket intake: the daily sequence behind readable ticket numbers (YYYYMMDD + 5 digits, Asia/Shanghai days)
-- and the contact phone the caller gave, kept apart from the contact name.

CREATE TABLE ticket_day_sequence (
  day   TEXT PRIMARY KEY,
  last  INTEGER NOT NULL
);

ALTER TABLE tickets ADD COLUMN contact_phone TEXT;

-- Supervisors live: a unit's contact number for three-way calls, legal hold and retention on recordings,
-- and the log of every recording access (who, when, why, which, what range, what happened).

ALTER TABLE units ADD COLUMN contact_number TEXT;
-- A plausible Beijing landline per unit until real numbers are imported: 010-6 + the last 7 digits of its code.
UPDATE units SET contact_number = '0106' || substr('0000000' || code, -7, 7) WHERE contact_number IS NULL;

ALTER TABLE recordings ADD COLUMN deleted_at INTEGER;
ALTER TABLE recordings ADD COLUMN held_at INTEGER;
ALTER TABLE recordings ADD COLUMN held_by TEXT;
ALTER TABLE recordings ADD COLUMN hold_reason TEXT;
CREATE INDEX recordings_by_created ON recordings (created_at);
CREATE INDEX recordings_by_agent ON recordings (agent_id, created_at);

CREATE TABLE recording_access (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  recording_id  TEXT NOT NULL REFERENCES recordings (id),
  user_id       TEXT NOT NULL,
  role          TEXT NOT NULL,
  at            INTEGER NOT NULL,
  reason        TEXT NOT NULL DEFAULT '',
  kind          TEXT NOT NULL CHECK (kind IN ('play', 'download')),
  range         TEXT NOT NULL,                -- 'full' or 'bytes=a-b' as served
  outcome       TEXT NOT NULL CHECK (outcome IN ('served', 'partial', 'unsatisfiable', 'tampered', 'missing', 'deleted'))
);
CREATE INDEX recording_access_by_recording ON recording_access (recording_id, at);
CREATE INDEX recording_access_by_user ON recording_access (user_id, at);

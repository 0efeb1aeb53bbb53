-- Every playback of a recording is in its access log, refused ones too (security review, finding 8): the
-- client's address each came from, and why a refused one was refused. SQLite cannot widen a CHECK, so the
-- table is rebuilt with 'refused' among the outcomes; the rows logged so far are kept (their address unknown).

CREATE TABLE recording_access_new (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  recording_id  TEXT NOT NULL REFERENCES recordings (id),
  user_id       TEXT NOT NULL,
  role          TEXT NOT NULL,
  at            INTEGER NOT NULL,
  reason        TEXT NOT NULL DEFAULT '',
  kind          TEXT NOT NULL CHECK (kind IN ('play', 'download')),
  range         TEXT NOT NULL,                -- 'full' or 'bytes=a-b' as served, the Range header as asked when refused
  outcome       TEXT NOT NULL CHECK (outcome IN ('served', 'partial', 'unsatisfiable', 'tampered', 'missing', 'deleted', 'refused')),
  client_ip     TEXT,                         -- the request's address (request.ip); NULL on rows from before this migration
  refusal       TEXT                          -- why a refused playback was refused: role, not_own_call, confidential_ticket, reason_required, invalid_request
);

INSERT INTO recording_access_new (id, recording_id, user_id, role, at, reason, kind, range, outcome)
  SELECT id, recording_id, user_id, role, at, reason, kind, range, outcome FROM recording_access;

DROP TABLE recording_access;
ALTER TABLE recording_access_new RENAME TO recording_access;

CREATE INDEX recording_access_by_recording ON recording_access (recording_id, at);
CREATE INDEX recording_access_by_user ON recording_access (user_id, at);

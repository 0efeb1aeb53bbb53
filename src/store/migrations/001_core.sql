-- Core tables of the hotline. Times are epoch milliseconds (INTEGER); ids are TEXT chosen by the service;
-- booleans are 0/1; json columns hold JSON text.

CREATE TABLE units (
  code          TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  district_code TEXT,
  kind          TEXT NOT NULL
);
CREATE INDEX units_by_district ON units (district_code);

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'unit', 'admin')),
  password_hash TEXT NOT NULL,
  unit_id       TEXT REFERENCES units (code),
  created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE agents (
  id            TEXT PRIMARY KEY,
  user_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
  name          TEXT NOT NULL,
  seat          TEXT NOT NULL UNIQUE,
  skills        TEXT NOT NULL DEFAULT '[]',
  state         TEXT NOT NULL DEFAULT 'offline',
  state_reason  TEXT,
  state_since   INTEGER,
  idle_since    INTEGER
);
CREATE INDEX agents_by_user ON agents (user_id);

CREATE TABLE calls (
  id               TEXT PRIMARY KEY,
  line             TEXT NOT NULL,
  caller_number    TEXT NOT NULL,
  caller_name      TEXT,
  channel_id       TEXT,
  state            TEXT NOT NULL,
  arrived_at       INTEGER NOT NULL,
  queued_at        INTEGER,
  offered_at       INTEGER,
  answered_at      INTEGER,
  ended_at         INTEGER,
  end_reason       TEXT,
  agent_id         TEXT REFERENCES agents (id),
  agent_channel_id TEXT,
  wait_ms          INTEGER,
  talk_ms          INTEGER,
  ticket_id        TEXT
);
CREATE INDEX calls_by_caller ON calls (caller_number, arrived_at);
CREATE INDEX calls_by_arrival ON calls (arrived_at);
CREATE INDEX calls_by_channel ON calls (channel_id);
CREATE INDEX calls_by_agent ON calls (agent_id, arrived_at);

CREATE TABLE call_legs (
  id            TEXT PRIMARY KEY,
  call_id       TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  kind          TEXT NOT NULL,
  channel_id    TEXT,
  agent_id      TEXT REFERENCES agents (id),
  started_at    INTEGER NOT NULL,
  answered_at   INTEGER,
  ended_at      INTEGER,
  outcome       TEXT
);
CREATE INDEX call_legs_by_call ON call_legs (call_id);
CREATE INDEX call_legs_by_start ON call_legs (started_at);
CREATE INDEX call_legs_by_agent ON call_legs (agent_id, started_at);

CREATE TABLE tickets (
  id             TEXT PRIMARY KEY,
  number         TEXT NOT NULL UNIQUE,
  call_id        TEXT REFERENCES calls (id),
  caller_number  TEXT,
  type           TEXT NOT NULL,
  category       TEXT,
  description    TEXT NOT NULL,
  district_code  TEXT,
  unit_code      TEXT,
  address        TEXT,
  contact        TEXT,
  confidential   INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
  status         TEXT NOT NULL,
  created_by     TEXT,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX tickets_by_caller ON tickets (caller_number, created_at);
CREATE INDEX tickets_by_call ON tickets (call_id);
CREATE INDEX tickets_by_unit ON tickets (unit_code, status);
CREATE INDEX tickets_by_status ON tickets (status, created_at);

CREATE TABLE ticket_drafts (
  id            TEXT PRIMARY KEY,
  call_id       TEXT NOT NULL UNIQUE REFERENCES calls (id) ON DELETE CASCADE,
  agent_id      TEXT REFERENCES agents (id),
  data          TEXT NOT NULL DEFAULT '{}',
  updated_at    INTEGER NOT NULL,
  version       INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE recordings (
  id            TEXT PRIMARY KEY,
  call_id       TEXT REFERENCES calls (id),
  agent_id      TEXT REFERENCES agents (id),
  ticket_id     TEXT REFERENCES tickets (id),
  name          TEXT NOT NULL UNIQUE,
  path          TEXT,
  format        TEXT NOT NULL,
  duration_ms   INTEGER,
  size_bytes    INTEGER,
  sha256        TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX recordings_by_call ON recordings (call_id);
CREATE INDEX recordings_by_ticket ON recordings (ticket_id);

CREATE TABLE audit_log (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  at            INTEGER NOT NULL,
  actor         TEXT NOT NULL,
  action        TEXT NOT NULL,
  subject       TEXT,
  details       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_subject ON audit_log (subject, at);

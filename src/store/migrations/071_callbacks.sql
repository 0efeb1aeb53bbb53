-- 漏接回拨: missed and abandoned calls become callback tasks, one per number per window.
CREATE TABLE callbacks (
  id               TEXT PRIMARY KEY,
  caller_number    TEXT NOT NULL,
  line             TEXT NOT NULL,
  queue_id         TEXT,
  reason           TEXT NOT NULL CHECK (reason IN ('abandoned', 'missed', 'overflow')),
  status           TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'dialing', 'talking', 'done')),
  missed_count     INTEGER NOT NULL DEFAULT 1,
  first_missed_at  INTEGER NOT NULL,
  last_missed_at   INTEGER NOT NULL,
  claimed_by       TEXT REFERENCES agents (id),
  claimed_at       INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  last_attempt_at  INTEGER,
  outcome          TEXT CHECK (outcome IN ('reached', 'no_answer', 'busy', 'wrong_number', 'resolved_elsewhere')),
  outcome_at       INTEGER,
  call_id          TEXT
);
CREATE INDEX callbacks_by_number ON callbacks (caller_number, first_missed_at);
CREATE INDEX callbacks_by_status ON callbacks (status, first_missed_at);

-- Each missed call belongs to exactly one callback task: a caller never gets two callbacks for one missed call.
CREATE TABLE callback_missed_calls (
  call_id      TEXT PRIMARY KEY,
  callback_id  TEXT NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
  missed_at    INTEGER NOT NULL
);
CREATE INDEX callback_missed_calls_by_callback ON callback_missed_calls (callback_id);

CREATE TABLE callback_attempts (
  id           TEXT PRIMARY KEY,
  callback_id  TEXT NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
  agent_id     TEXT REFERENCES agents (id),
  started_at   INTEGER NOT NULL,
  answered_at  INTEGER,
  ended_at     INTEGER,
  outcome      TEXT
);
CREATE INDEX callback_attempts_by_callback ON callback_attempts (callback_id);

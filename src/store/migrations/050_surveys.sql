-- Callback surveys (回访): one durable job per ticket closure (一事一评), every dialling attempt, the answers
-- given on the call (kept as they come, so a hangup midway keeps the partial answers), the do-not-call list,
-- and the one-question ratings right after an agent's call (一次一评).

CREATE TABLE survey_jobs (
  id               TEXT PRIMARY KEY,
  ticket_id        TEXT NOT NULL REFERENCES tickets (id),
  round            INTEGER NOT NULL DEFAULT 1,          -- 1 for the first closure, 2 after a second round of handling …
  phone_number     TEXT NOT NULL,
  confidential     INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
  category         TEXT,
  shared_with      TEXT NOT NULL DEFAULT '[]',          -- JSON: tickets merged into this one (并单)
  closed_at        INTEGER NOT NULL,
  due_at           INTEGER NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'dialing', 'done', 'gave_up', 'skipped')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  last_attempt_at  INTEGER,
  last_outcome     TEXT,
  not_before       INTEGER,                             -- the next time the dialer looks at the job; NULL once final
  channel_id       TEXT,                                -- the channel of the attempt under way (status dialing)
  skip_reason      TEXT,                                -- do_not_call, confidential …
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (ticket_id, round)
);
CREATE INDEX survey_jobs_due ON survey_jobs (not_before) WHERE status = 'pending';
CREATE INDEX survey_jobs_dialing ON survey_jobs (status) WHERE status = 'dialing';
CREATE INDEX survey_jobs_by_phone ON survey_jobs (phone_number, status);

CREATE TABLE survey_attempts (
  channel_id    TEXT PRIMARY KEY,
  job_id        TEXT NOT NULL REFERENCES survey_jobs (id),
  phone_number  TEXT NOT NULL,
  started_at    INTEGER NOT NULL,
  answered_at   INTEGER,
  ended_at      INTEGER,
  outcome       TEXT,
  cause         INTEGER
);
CREATE INDEX survey_attempts_by_job ON survey_attempts (job_id, started_at);
CREATE INDEX survey_attempts_reached ON survey_attempts (phone_number, answered_at) WHERE answered_at IS NOT NULL;
CREATE INDEX survey_attempts_by_start ON survey_attempts (started_at);

CREATE TABLE survey_results (
  job_id        TEXT PRIMARY KEY REFERENCES survey_jobs (id),
  ticket_id     TEXT NOT NULL REFERENCES tickets (id),
  channel_id    TEXT NOT NULL,
  resolved      TEXT CHECK (resolved IN ('resolved', 'unresolved')),
  satisfaction  TEXT CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
  keys          TEXT NOT NULL DEFAULT '',               -- every key pressed, in order
  completed     INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  reopen        INTEGER NOT NULL DEFAULT 0 CHECK (reopen IN (0, 1)),   -- asked for a second round of handling (二次办理)
  started_at    INTEGER NOT NULL,
  ended_at      INTEGER                                  -- NULL while the call is under way
);
CREATE INDEX survey_results_by_ticket ON survey_results (ticket_id);
CREATE INDEX survey_results_by_end ON survey_results (ended_at);

CREATE TABLE do_not_call (
  phone_number  TEXT PRIMARY KEY,
  reason        TEXT,
  added_by      TEXT,
  added_at      INTEGER NOT NULL
);

CREATE TABLE call_ratings (
  call_id       TEXT NOT NULL,
  channel_id    TEXT PRIMARY KEY,
  satisfaction  TEXT CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
  keys          TEXT NOT NULL DEFAULT '',
  completed     INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  started_at    INTEGER NOT NULL,
  ended_at      INTEGER
);
CREATE INDEX call_ratings_by_call ON call_ratings (call_id);

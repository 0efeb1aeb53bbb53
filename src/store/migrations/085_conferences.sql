-- 三方通话 kept in the database, so that a three-way call outlives a restart of the service: which unit's
-- leg is in which call's bridge, whether it answered, whether the agent has left. Open conferences
-- (ended_at IS NULL) are read at start. A call the agent left (the citizen and the unit go on without
-- them) is marked on the call itself: after a restart it is neither waiting for an agent nor over.

CREATE TABLE conferences (
  id                TEXT PRIMARY KEY,
  call_id           TEXT NOT NULL,
  agent_id          TEXT NOT NULL,
  unit_code         TEXT,
  unit_name         TEXT,
  number            TEXT NOT NULL,
  channel_id        TEXT NOT NULL,
  caller_channel_id TEXT NOT NULL,
  agent_channel_id  TEXT NOT NULL,
  bridge_id         TEXT NOT NULL,
  status            TEXT NOT NULL,
  started_at        INTEGER NOT NULL,
  answered_at       INTEGER,
  agent_left_at     INTEGER,
  ended_at          INTEGER
);

CREATE INDEX conferences_open ON conferences (started_at) WHERE ended_at IS NULL;
CREATE INDEX conferences_call ON conferences (call_id);

ALTER TABLE calls ADD COLUMN agent_released_at INTEGER;

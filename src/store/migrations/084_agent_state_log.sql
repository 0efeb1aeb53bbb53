-- The agents' state history: one row per change of an agent's state, reason or start time, written by
-- a trigger whenever the agents service saves them, so occupancy and time in states survive a restart.
-- A row holds from its `since` until the agent's next row (ordered by since, then id). Ids only grow
-- (AUTOINCREMENT: never reused after a prune), so a reader can fetch what was written since its last read.
CREATE TABLE agent_state_log (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  agent_id  TEXT NOT NULL,
  state     TEXT NOT NULL,
  reason    TEXT,
  since     INTEGER NOT NULL
);
-- One agent's day, and the state an agent held when a period began.
CREATE INDEX agent_state_log_by_agent ON agent_state_log (agent_id, since);
-- All agents in a period, and the retention sweep.
CREATE INDEX agent_state_log_by_since ON agent_state_log (since);

CREATE TRIGGER agent_state_logged AFTER UPDATE OF state, state_reason, state_since ON agents
WHEN NEW.state_since IS NOT NULL
  AND (NEW.state IS NOT OLD.state OR NEW.state_reason IS NOT OLD.state_reason OR NEW.state_since IS NOT OLD.state_since)
BEGIN
  INSERT INTO agent_state_log (agent_id, state, reason, since) VALUES (NEW.id, NEW.state, NEW.state_reason, NEW.state_since);
END;

-- The state each agent holds now is where its history starts.
INSERT INTO agent_state_log (agent_id, state, reason, since)
  SELECT id, state, state_reason, state_since FROM agents WHERE state_since IS NOT NULL ORDER BY id;

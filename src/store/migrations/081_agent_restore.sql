-- What the service needs to pick agents and calls up again after a restart: the call an agent is
-- ringing for, talking on or wrapping up, when that wrap-up ends, and the seat the agent logged in at.
-- Open calls (ended_at IS NULL) are read at start, so they get an index of their own.

ALTER TABLE agents ADD COLUMN call_id TEXT;
ALTER TABLE agents ADD COLUMN wrap_up_until INTEGER;
ALTER TABLE agents ADD COLUMN logged_in_seat TEXT;

CREATE INDEX calls_open ON calls (arrived_at) WHERE ended_at IS NULL;

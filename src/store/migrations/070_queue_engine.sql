-- The queue engine: the desk a call waited in, which way a call went, and agents' skill levels.
ALTER TABLE calls ADD COLUMN queue_id TEXT;
ALTER TABLE calls ADD COLUMN direction TEXT NOT NULL DEFAULT 'inbound';

CREATE TABLE agent_skills (
  agent_id  TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  skill     TEXT NOT NULL,
  level     INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
  PRIMARY KEY (agent_id, skill)
);

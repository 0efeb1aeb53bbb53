-- Ticket handling: the rest of the ticket (channel, community, urgency class, lifecycle fields), one row per
-- dispatch round with both clocks, the units on each round (lead and cooperating), the calls linked to a
-- ticket, and the unit a unit user acts for (users.unit_id, already in 001).

ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'phone';
ALTER TABLE tickets ADD COLUMN community TEXT;
ALTER TABLE tickets ADD COLUMN urgency TEXT NOT NULL DEFAULT 'general';
ALTER TABLE tickets ADD COLUMN status_since INTEGER;
ALTER TABLE tickets ADD COLUMN lead_unit TEXT;
ALTER TABLE tickets ADD COLUMN dispatch_round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN master_id TEXT REFERENCES tickets (id);
ALTER TABLE tickets ADD COLUMN last_reason TEXT;
ALTER TABLE tickets ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN closed_at INTEGER;
ALTER TABLE tickets ADD COLUMN answer TEXT;
CREATE INDEX tickets_by_master ON tickets (master_id) WHERE master_id IS NOT NULL;
CREATE INDEX tickets_by_place ON tickets (unit_code, category, created_at);

CREATE TABLE ticket_dispatches (
  ticket_id          TEXT NOT NULL REFERENCES tickets (id),
  round              INTEGER NOT NULL,
  lead_unit          TEXT NOT NULL REFERENCES units (code),
  cooperating_units  TEXT NOT NULL DEFAULT '[]',
  urgency            TEXT NOT NULL,
  dispatched_at      INTEGER NOT NULL,
  dispatched_by      TEXT,
  accept_by          INTEGER NOT NULL,
  accept_warn_at     INTEGER NOT NULL,
  complete_by        INTEGER NOT NULL,
  complete_warn_at   INTEGER NOT NULL,
  extensions         INTEGER NOT NULL DEFAULT 0,
  signed_at          INTEGER,
  replied_at         INTEGER,
  reply_result       TEXT,
  reply_actions      TEXT,
  pending_extension  TEXT,
  accept_warned_at   INTEGER,
  accept_overdue_at  INTEGER,
  complete_warned_at INTEGER,
  complete_overdue_at INTEGER,
  ended_at           INTEGER,
  -- the next instant the deadline sweeper has something to raise on this round; NULL when nothing
  next_check_at      INTEGER,
  PRIMARY KEY (ticket_id, round)
);
CREATE INDEX ticket_dispatches_due ON ticket_dispatches (next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE ticket_dispatch_units (
  ticket_id     TEXT NOT NULL REFERENCES tickets (id),
  round         INTEGER NOT NULL,
  unit_code     TEXT NOT NULL REFERENCES units (code),
  role          TEXT NOT NULL CHECK (role IN ('lead', 'cooperating')),
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  dispatched_at INTEGER NOT NULL,
  reply_result  TEXT,
  replied_at    INTEGER,
  PRIMARY KEY (ticket_id, round, unit_code)
);
CREATE INDEX ticket_dispatch_units_inbox ON ticket_dispatch_units (unit_code, active, dispatched_at);
CREATE INDEX ticket_dispatch_units_by_unit ON ticket_dispatch_units (unit_code, ticket_id);

CREATE TABLE ticket_calls (
  ticket_id  TEXT NOT NULL REFERENCES tickets (id),
  call_id    TEXT NOT NULL REFERENCES calls (id),
  kind       TEXT NOT NULL CHECK (kind IN ('intake', 'note')),
  linked_at  INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, call_id)
);
CREATE INDEX ticket_calls_by_call ON ticket_calls (call_id);

CREATE INDEX users_by_unit ON users (unit_id) WHERE unit_id IS NOT NULL;

-- Reports: the months whose figures were published (closed) with the policy used, the published figures per
-- unit, district and department, hotspot alerts (未诉先办) and where the hotspot sweeper stopped reading tickets.

CREATE TABLE report_months (
  month      TEXT PRIMARY KEY,              -- 'YYYY-MM', Asia/Shanghai
  closed_at  INTEGER NOT NULL,
  closed_by  TEXT,
  policy     TEXT NOT NULL                  -- JSON: the rates policy and ranking rules the figures were computed with
);

CREATE TABLE report_month_figures (
  month      TEXT NOT NULL REFERENCES report_months (month) ON DELETE CASCADE,
  level      TEXT NOT NULL CHECK (level IN ('unit', 'district', 'department')),
  code       TEXT NOT NULL,
  figures    TEXT NOT NULL,                 -- JSON: counts, rates and composite
  composite  REAL,
  rank       INTEGER,
  gain       REAL,
  volume     INTEGER NOT NULL DEFAULT 0,
  classes    TEXT NOT NULL DEFAULT '[]',    -- JSON array of advanced, progress, rectification, governance
  PRIMARY KEY (month, level, code)
);
CREATE INDEX report_month_figures_by_code ON report_month_figures (level, code, month);

CREATE TABLE hotspot_alerts (
  id            TEXT PRIMARY KEY,
  unit_code     TEXT NOT NULL,
  category      TEXT NOT NULL,
  window_start  INTEGER NOT NULL,
  window_hours  REAL NOT NULL,
  ticket_count  INTEGER NOT NULL,
  ticket_ids    TEXT NOT NULL,              -- JSON array
  raised_at     INTEGER NOT NULL,
  UNIQUE (unit_code, category, window_start)
);
CREATE INDEX hotspot_alerts_by_time ON hotspot_alerts (raised_at);
CREATE INDEX hotspot_alerts_by_place ON hotspot_alerts (unit_code, category, window_start);

CREATE TABLE hotspot_sweep (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq  INTEGER NOT NULL                -- tickets.rowid of the last ticket read
);

CREATE INDEX tickets_by_created ON tickets (created_at);

-- The month's rates read dispatch rounds by dispatch time and find a surveyed ticket's lead unit by round;
-- both read from the index alone.
CREATE INDEX ticket_dispatches_by_time ON ticket_dispatches (dispatched_at, lead_unit, signed_at, accept_by);
CREATE INDEX ticket_dispatches_lead_by_round ON ticket_dispatches (ticket_id, round, dispatched_at, lead_unit);

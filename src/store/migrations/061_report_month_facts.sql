-- Reports: the month's rates read from two narrow tables kept current as rounds and surveys are written, so a
-- month's figures are a read of a few hundred rows instead of a walk over every round and survey.
--
-- report_survey_facts: one row per month, unit and ticket — the survey that counts for the unit
--   (POLICY.md "What is counted"): a survey ended (given up: its last attempt) in the month counts for the unit
--   leading the ticket's latest round dispatched before it ended (no round: the ticket's lead unit); of a
--   ticket's surveys for one unit in one month, the reached one over an unreached one, then the latest, then
--   the fuller, then by '<resolved>/<satisfaction>'.
-- report_unit_months: per month and unit, the rounds it led (dispatched in the month) and the sums of its
--   survey facts. Rows whose counts all fall back to 0 stay and read as absent.
--
-- Every write to the rounds, the survey jobs and results, or a ticket's lead unit recomputes that ticket's facts
-- from the stored events (a few rows), so every writer is covered whatever the order of its writes.
-- rebuildFacts(db, month) in src/features/reports/reports.source.ts recomputes a month from the events in bulk.

CREATE TABLE report_survey_facts (
  month         TEXT NOT NULL,              -- 'YYYY-MM', Asia/Shanghai, of `at`
  unit_code     TEXT NOT NULL,
  ticket_id     TEXT NOT NULL,
  reached       INTEGER NOT NULL CHECK (reached IN (0, 1)),
  resolved      TEXT,
  satisfaction  TEXT,
  at            INTEGER NOT NULL,           -- when the survey ended (given up: its last attempt)
  PRIMARY KEY (month, unit_code, ticket_id)
) WITHOUT ROWID;
CREATE INDEX report_survey_facts_by_ticket ON report_survey_facts (ticket_id);

CREATE TABLE report_unit_months (
  month               TEXT NOT NULL,
  unit_code           TEXT NOT NULL,
  dispatched          INTEGER NOT NULL DEFAULT 0,
  signed_in_time      INTEGER NOT NULL DEFAULT 0,
  surveyed            INTEGER NOT NULL DEFAULT 0,
  unreached           INTEGER NOT NULL DEFAULT 0,
  resolution_rated    INTEGER NOT NULL DEFAULT 0,
  resolved_count      INTEGER NOT NULL DEFAULT 0,
  satisfaction_rated  INTEGER NOT NULL DEFAULT 0,
  satisfied           INTEGER NOT NULL DEFAULT 0,
  basically_satisfied INTEGER NOT NULL DEFAULT 0,
  unsatisfied         INTEGER NOT NULL DEFAULT 0,
  both_yes            INTEGER NOT NULL DEFAULT 0,
  one_no              INTEGER NOT NULL DEFAULT 0,
  both_no             INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (month, unit_code)
) WITHOUT ROWID;

-- Inserting a ticket id here recomputes that ticket's survey facts and moves their sums in report_unit_months.
CREATE VIEW report_ticket_refresh AS SELECT NULL AS ticket_id;

CREATE TRIGGER report_ticket_refresh_run INSTEAD OF INSERT ON report_ticket_refresh BEGIN
  UPDATE report_unit_months SET
      surveyed = report_unit_months.surveyed - f.surveyed, unreached = report_unit_months.unreached - f.unreached,
      resolution_rated = report_unit_months.resolution_rated - f.resolution_rated, resolved_count = report_unit_months.resolved_count - f.resolved_count,
      satisfaction_rated = report_unit_months.satisfaction_rated - f.satisfaction_rated, satisfied = report_unit_months.satisfied - f.satisfied,
      basically_satisfied = report_unit_months.basically_satisfied - f.basically_satisfied, unsatisfied = report_unit_months.unsatisfied - f.unsatisfied,
      both_yes = report_unit_months.both_yes - f.both_yes, one_no = report_unit_months.one_no - f.one_no,
      both_no = report_unit_months.both_no - f.both_no
    FROM (SELECT month, unit_code, sum(reached) AS surveyed, sum(1 - reached) AS unreached,
        sum(resolved IS NOT NULL) AS resolution_rated, sum(resolved IS 'resolved') AS resolved_count,
        sum(satisfaction IS NOT NULL) AS satisfaction_rated, sum(satisfaction IS 'satisfied') AS satisfied,
        sum(satisfaction IS 'basically_satisfied') AS basically_satisfied, sum(satisfaction IS 'unsatisfied') AS unsatisfied,
        sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 0) AS both_yes,
        sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 1) AS one_no,
        sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 2) AS both_no
      FROM report_survey_facts WHERE ticket_id = NEW.ticket_id GROUP BY month, unit_code) AS f
    WHERE report_unit_months.month = f.month AND report_unit_months.unit_code = f.unit_code;

  DELETE FROM report_survey_facts WHERE ticket_id = NEW.ticket_id;

  INSERT INTO report_survey_facts (month, unit_code, ticket_id, reached, resolved, satisfaction, at)
    SELECT month, unit_code, ticket_id, reached, resolved, satisfaction, at FROM (
      SELECT p.*, row_number() OVER (PARTITION BY month, unit_code ORDER BY reached DESC, at DESC,
          (resolved IS NOT NULL) + (satisfaction IS NOT NULL) DESC,
          CASE resolved WHEN 'resolved' THEN 1 WHEN 'unresolved' THEN 2 ELSE 0 END DESC,
          CASE satisfaction WHEN 'basically_satisfied' THEN 0 WHEN 'satisfied' THEN 2 WHEN 'unsatisfied' THEN 3 ELSE 1 END DESC) AS n
      FROM (
        SELECT strftime('%Y-%m', (e.at + 28800000) / 1000, 'unixepoch') AS month,
          coalesce((SELECT d.lead_unit FROM ticket_dispatches d WHERE d.ticket_id = e.ticket_id AND d.dispatched_at <= e.at
            ORDER BY d.round DESC LIMIT 1), (SELECT t.lead_unit FROM tickets t WHERE t.id = e.ticket_id)) AS unit_code,
          e.*
        FROM (
          SELECT ticket_id, 1 AS reached, resolved, satisfaction, ended_at AS at FROM survey_results
            WHERE ticket_id = NEW.ticket_id AND ended_at IS NOT NULL
          UNION ALL
          SELECT ticket_id, 0, NULL, NULL, last_attempt_at FROM survey_jobs
            WHERE ticket_id = NEW.ticket_id AND status = 'gave_up' AND last_attempt_at IS NOT NULL
        ) AS e
      ) AS p WHERE unit_code IS NOT NULL
    ) WHERE n = 1;

  INSERT INTO report_unit_months (month, unit_code, surveyed, unreached, resolution_rated, resolved_count, satisfaction_rated,
      satisfied, basically_satisfied, unsatisfied, both_yes, one_no, both_no)
    SELECT month, unit_code, sum(reached), sum(1 - reached),
        sum(resolved IS NOT NULL), sum(resolved IS 'resolved'),
        sum(satisfaction IS NOT NULL), sum(satisfaction IS 'satisfied'),
        sum(satisfaction IS 'basically_satisfied'), sum(satisfaction IS 'unsatisfied'),
        sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 0),
        sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 1),
        sum(resolved IS NOT NULL AND satisfaction IS NOT NULL AND (resolved IS 'unresolved') + (satisfaction IS 'unsatisfied') = 2)
      FROM report_survey_facts WHERE ticket_id = NEW.ticket_id GROUP BY month, unit_code
    ON CONFLICT (month, unit_code) DO UPDATE SET
      surveyed = surveyed + excluded.surveyed, unreached = unreached + excluded.unreached,
      resolution_rated = resolution_rated + excluded.resolution_rated, resolved_count = resolved_count + excluded.resolved_count,
      satisfaction_rated = satisfaction_rated + excluded.satisfaction_rated, satisfied = satisfied + excluded.satisfied,
      basically_satisfied = basically_satisfied + excluded.basically_satisfied, unsatisfied = unsatisfied + excluded.unsatisfied,
      both_yes = both_yes + excluded.both_yes, one_no = one_no + excluded.one_no, both_no = both_no + excluded.both_no;
END;

-- Survey results count once they have ended; answers given while the call is under way change nothing yet.
CREATE TRIGGER report_facts_result_insert AFTER INSERT ON survey_results WHEN NEW.ended_at IS NOT NULL BEGIN
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (NEW.ticket_id);
END;
CREATE TRIGGER report_facts_result_update AFTER UPDATE OF ticket_id, resolved, satisfaction, ended_at ON survey_results
  WHEN NEW.ended_at IS NOT NULL OR OLD.ended_at IS NOT NULL BEGIN
  INSERT INTO report_ticket_refresh (ticket_id) SELECT OLD.ticket_id WHERE OLD.ticket_id IS NOT NEW.ticket_id;
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (NEW.ticket_id);
END;
CREATE TRIGGER report_facts_result_delete AFTER DELETE ON survey_results WHEN OLD.ended_at IS NOT NULL BEGIN
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (OLD.ticket_id);
END;

-- A job given up after its attempts is a survey that reached nobody.
CREATE TRIGGER report_facts_job_insert AFTER INSERT ON survey_jobs WHEN NEW.status = 'gave_up' BEGIN
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (NEW.ticket_id);
END;
CREATE TRIGGER report_facts_job_update AFTER UPDATE OF ticket_id, status, last_attempt_at ON survey_jobs
  WHEN (OLD.status = 'gave_up' OR NEW.status = 'gave_up')
    AND (OLD.ticket_id IS NOT NEW.ticket_id OR OLD.status IS NOT NEW.status OR OLD.last_attempt_at IS NOT NEW.last_attempt_at) BEGIN
  INSERT INTO report_ticket_refresh (ticket_id) SELECT OLD.ticket_id WHERE OLD.ticket_id IS NOT NEW.ticket_id;
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (NEW.ticket_id);
END;
CREATE TRIGGER report_facts_job_delete AFTER DELETE ON survey_jobs WHEN OLD.status = 'gave_up' BEGIN
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (OLD.ticket_id);
END;

-- A round counts for its lead unit in the month it was dispatched, and decides whom the ticket's later surveys count for.
CREATE TRIGGER report_facts_round_insert AFTER INSERT ON ticket_dispatches BEGIN
  INSERT INTO report_unit_months (month, unit_code, dispatched, signed_in_time)
    VALUES (strftime('%Y-%m', (NEW.dispatched_at + 28800000) / 1000, 'unixepoch'), NEW.lead_unit, 1,
      NEW.signed_at IS NOT NULL AND NEW.signed_at <= NEW.accept_by)
    ON CONFLICT (month, unit_code) DO UPDATE SET dispatched = dispatched + 1, signed_in_time = signed_in_time + excluded.signed_in_time;
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (NEW.ticket_id);
END;
CREATE TRIGGER report_facts_round_update AFTER UPDATE OF ticket_id, round, lead_unit, dispatched_at, signed_at, accept_by ON ticket_dispatches
  WHEN OLD.ticket_id IS NOT NEW.ticket_id OR OLD.round IS NOT NEW.round OR OLD.lead_unit IS NOT NEW.lead_unit
    OR OLD.dispatched_at IS NOT NEW.dispatched_at OR OLD.signed_at IS NOT NEW.signed_at OR OLD.accept_by IS NOT NEW.accept_by BEGIN
  UPDATE report_unit_months SET dispatched = dispatched - 1,
      signed_in_time = signed_in_time - (OLD.signed_at IS NOT NULL AND OLD.signed_at <= OLD.accept_by)
    WHERE month = strftime('%Y-%m', (OLD.dispatched_at + 28800000) / 1000, 'unixepoch') AND unit_code = OLD.lead_unit;
  INSERT INTO report_unit_months (month, unit_code, dispatched, signed_in_time)
    VALUES (strftime('%Y-%m', (NEW.dispatched_at + 28800000) / 1000, 'unixepoch'), NEW.lead_unit, 1,
      NEW.signed_at IS NOT NULL AND NEW.signed_at <= NEW.accept_by)
    ON CONFLICT (month, unit_code) DO UPDATE SET dispatched = dispatched + 1, signed_in_time = signed_in_time + excluded.signed_in_time;
  INSERT INTO report_ticket_refresh (ticket_id) SELECT OLD.ticket_id WHERE OLD.ticket_id IS NOT NEW.ticket_id;
  INSERT INTO report_ticket_refresh (ticket_id) SELECT NEW.ticket_id
    WHERE OLD.ticket_id IS NOT NEW.ticket_id OR OLD.round IS NOT NEW.round OR OLD.lead_unit IS NOT NEW.lead_unit
      OR OLD.dispatched_at IS NOT NEW.dispatched_at;
END;
CREATE TRIGGER report_facts_round_delete AFTER DELETE ON ticket_dispatches BEGIN
  UPDATE report_unit_months SET dispatched = dispatched - 1,
      signed_in_time = signed_in_time - (OLD.signed_at IS NOT NULL AND OLD.signed_at <= OLD.accept_by)
    WHERE month = strftime('%Y-%m', (OLD.dispatched_at + 28800000) / 1000, 'unixepoch') AND unit_code = OLD.lead_unit;
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (OLD.ticket_id);
END;

-- A ticket's own lead unit counts for its surveys ended before any round was dispatched.
CREATE TRIGGER report_facts_ticket_lead AFTER UPDATE OF id, lead_unit ON tickets
  WHEN OLD.id IS NOT NEW.id OR OLD.lead_unit IS NOT NEW.lead_unit BEGIN
  INSERT INTO report_ticket_refresh (ticket_id) SELECT OLD.id WHERE OLD.id IS NOT NEW.id;
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (NEW.id);
END;
CREATE TRIGGER report_facts_ticket_delete AFTER DELETE ON tickets BEGIN
  INSERT INTO report_ticket_refresh (ticket_id) VALUES (OLD.id);
END;

-- What is stored already.
INSERT INTO report_ticket_refresh (ticket_id)
  SELECT ticket_id FROM survey_results WHERE ended_at IS NOT NULL
  UNION SELECT ticket_id FROM survey_jobs WHERE status = 'gave_up';
INSERT INTO report_unit_months (month, unit_code, dispatched, signed_in_time)
  SELECT strftime('%Y-%m', (dispatched_at + 28800000) / 1000, 'unixepoch') AS month, lead_unit, count(*),
      sum(signed_at IS NOT NULL AND signed_at <= accept_by)
    FROM ticket_dispatches WHERE true GROUP BY month, lead_unit
  ON CONFLICT (month, unit_code) DO UPDATE SET dispatched = dispatched + excluded.dispatched, signed_in_time = signed_in_time + excluded.signed_in_time;

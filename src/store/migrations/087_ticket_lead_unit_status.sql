-- A unit's tickets in a status (a unit's work list, or a search by unit and status) are read through
-- (unit_code, status) and (lead_unit, status), so that only the tickets in that status are read.

DROP INDEX tickets_by_lead_unit;
CREATE INDEX tickets_by_lead_unit ON tickets (lead_unit, status) WHERE lead_unit IS NOT NULL;

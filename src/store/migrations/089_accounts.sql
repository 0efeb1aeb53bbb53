-- Accounts run by the centre's own administrators: one-time passwords (set by an administrator, changed
-- at the first sign-in), disabled accounts, when each last signed in and was last changed; an agent's
-- desk (a queue id of the configuration); usernames unique whatever their case; and an append-only
-- audit of every change an administrator made or tried.

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE users ADD COLUMN last_login_at INTEGER;
ALTER TABLE users ADD COLUMN updated_at INTEGER;

CREATE UNIQUE INDEX users_username_nocase ON users (username COLLATE NOCASE);
CREATE INDEX users_by_role ON users (role, username);
CREATE INDEX users_by_display_name ON users (display_name);

ALTER TABLE agents ADD COLUMN desk TEXT;
CREATE INDEX agents_by_desk ON agents (desk) WHERE desk IS NOT NULL;

CREATE TABLE admin_audit (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  at              INTEGER NOT NULL,
  actor_id        TEXT,
  actor_username  TEXT NOT NULL,
  client          TEXT,
  action          TEXT NOT NULL,
  target          TEXT,
  before_json     TEXT,
  after_json      TEXT,
  outcome         TEXT NOT NULL CHECK (outcome IN ('ok', 'refused')),
  reason          TEXT
);
CREATE INDEX admin_audit_by_time ON admin_audit (at);
CREATE INDEX admin_audit_by_actor ON admin_audit (actor_username, at);
CREATE INDEX admin_audit_by_action ON admin_audit (action, at);

CREATE TRIGGER admin_audit_no_update BEFORE UPDATE ON admin_audit
BEGIN
  SELECT RAISE(ABORT, 'admin_audit is append-only');
END;
CREATE TRIGGER admin_audit_no_delete BEFORE DELETE ON admin_audit
BEGIN
  SELECT RAISE(ABORT, 'admin_audit is append-only');
END;

-- Browsers where an account signed in: a stranger's failed guesses never slow down sign-in from one of
-- them (see src/features/auth/login-throttle.ts). One browser may be trusted by several accounts (a
-- shared workstation). Only a hash of the cookie's value is kept.

CREATE TABLE trusted_devices (
  token_hash    TEXT NOT NULL,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER NOT NULL,
  PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX trusted_devices_by_user ON trusted_devices (user_id, last_used_at);

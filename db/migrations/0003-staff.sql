-- Staff who sign in at the till, and the audit log of every privileged action.
CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('cashier', 'manager', 'owner')),
  pin_hash TEXT NOT NULL, -- scrypt$N$r$p$salt$hash
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  staff_id TEXT REFERENCES staff (id),
  approved_by TEXT REFERENCES staff (id), -- the manager who overrode, if any
  action TEXT NOT NULL,
  subject TEXT, -- e.g. order id, product id
  before TEXT, -- JSON
  after TEXT -- JSON
) STRICT;
CREATE INDEX audit_subject ON audit (subject, at);
CREATE INDEX audit_at ON audit (at);

-- Key/value settings of this till (shop name, currency, language, ...).
CREATE TABLE setting (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

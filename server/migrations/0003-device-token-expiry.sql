-- Device tokens expire (issue 8). Sliding: every use renews the token (server/auth.ts), so
-- only a till silent for the whole period (TILLDESK_TOKEN_TTL_DAYS, 90 days by default)
-- must enrol again. Tokens issued before this migration get a full period from now: an
-- upgrade never locks a till out. The default only covers rows written without a value;
-- enrolment sets it from the server's configuration.
ALTER TABLE device ADD COLUMN token_expires_at TIMESTAMPTZ NOT NULL DEFAULT (now() + interval '90 days');

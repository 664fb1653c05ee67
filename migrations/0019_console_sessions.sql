-- Console sessions (the `console` crate): an API key exchanged for a browser session. Only the
-- SHA-256 of the session's secret is stored (the secret has 256 random bits, so the hash is a safe
-- lookup key). Whether a session still holds is decided on every request from this row and its
-- key's row: a revoked or expired key ends its sessions at once.
CREATE TABLE console_sessions (
    id_sha256    bytea PRIMARY KEY,
    key_id       text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX console_sessions_key_idx ON console_sessions (key_id);
CREATE INDEX console_sessions_last_seen_idx ON console_sessions (last_seen_at);

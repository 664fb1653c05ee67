-- Saved responses of POST requests sent with an Idempotency-Key, so a retry gets the first answer
-- and runs nothing. `status IS NULL` while the first request is still running; `locked_until`
-- lets a retry take over a key whose first request died without answering.
CREATE TABLE idempotency_keys (
    key              text PRIMARY KEY,
    fingerprint      bytea NOT NULL,
    status           smallint,
    response_headers jsonb,
    response_body    bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

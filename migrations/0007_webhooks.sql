-- Webhooks: endpoints (subscriptions), the durable delivery queue, and every attempt.

CREATE TABLE webhook_endpoints (
    id                   text PRIMARY KEY,            -- we_<ulid>
    url                  text NOT NULL,
    description          text,
    -- Exact event types or `family.*` wildcards; empty: every event.
    event_types          text[] NOT NULL DEFAULT '{}',
    -- Only this organization's events (NULL: all organizations).
    organization_id      text,
    rate_limit_per_s     integer,
    enabled              boolean NOT NULL DEFAULT true,
    disabled_reason      text,
    secret               text NOT NULL,               -- whsec_<base64>
    -- After a rotation the previous secret also signs until it expires.
    previous_secret      text,
    previous_expires_at  timestamptz,
    -- The feed head when the endpoint was created: it receives the events after it.
    since_position       bigint NOT NULL DEFAULT 0,
    -- Start of the current run of failures (NULL after a success): disables after a while.
    failing_since        timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              text PRIMARY KEY,                 -- dlv_<ulid>
    endpoint_id     text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        text NOT NULL,                    -- the `webhook-id` header
    position        bigint NOT NULL,                  -- the event's; the body is built from it
    event_type      text NOT NULL,
    status          text NOT NULL,                    -- pending | succeeded | failed
    attempts        integer NOT NULL DEFAULT 0,       -- attempts in the current schedule
    next_attempt_at timestamptz,
    -- A worker that claimed the delivery owns it until then (a crashed one loses it).
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (endpoint_id, position)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_next_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_endpoint_status_idx ON webhook_deliveries (endpoint_id, status, id);

CREATE TABLE webhook_attempts (
    id               text PRIMARY KEY,                -- att_<ulid>
    delivery_id      text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at     timestamptz NOT NULL,
    status_code      integer,
    latency_ms       integer NOT NULL,
    -- NULL on success; else timeout | connect | dns | blocked_address | http_status | redirect | body
    error_kind       text,
    error            text,
    response_excerpt text                             -- first 4 KiB, lossy UTF-8
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempted_at);

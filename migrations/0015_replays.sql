-- Replay jobs: re-sending a range of the log to a sink (a webhook endpoint, a Kafka topic). A job
-- keeps its own checkpoint (`position`, the last event handled), so an interrupted replay
-- continues where it stopped; `runner` says who runs it (the dispatcher for jobs made over HTTP,
-- the command line for its own).
CREATE TABLE replays (
    id              text PRIMARY KEY,                 -- rpl_<ulid>
    sink            text NOT NULL,                    -- webhook | kafka
    target          text NOT NULL,                    -- endpoint id | topic
    runner          text NOT NULL,                    -- dispatcher | cli
    from_position   bigint NOT NULL CHECK (from_position >= 1),
    to_position     bigint NOT NULL,
    organization_id text,
    event_types     text[] NOT NULL DEFAULT '{}',
    position        bigint NOT NULL,
    sent            bigint NOT NULL DEFAULT 0,
    status          text NOT NULL DEFAULT 'running',  -- running | done | failed
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX replays_running_idx ON replays (runner, sink) WHERE status = 'running';

-- Deliveries a replay queued ride in their own lane: the drain sends live deliveries first (in
-- position order, as always) and fills the rest of each batch with replayed ones, so a replay
-- of millions of events never holds back what happens now.
ALTER TABLE webhook_deliveries ADD COLUMN replay_id text;
CREATE INDEX webhook_deliveries_replay_idx ON webhook_deliveries (replay_id)
    WHERE replay_id IS NOT NULL AND status = 'pending';

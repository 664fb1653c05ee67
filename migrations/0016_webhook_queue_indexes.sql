-- The delivery queue's hot reads, each on an index of its own (found by profiling the steady-rate
-- latency benchmark, docs/benchmarks.md):
-- * an endpoint's due live deliveries in position order, without stepping over a replay's rows;
-- * an endpoint's due replayed deliveries, without stepping over a backlog of live ones (the
--   drain asks for both on every read, and the live lane of a backlogged endpoint is long);
-- * an endpoint's earliest pending attempt time, for the deliverer's sleep until the next one.
CREATE INDEX webhook_deliveries_live_due_idx ON webhook_deliveries (endpoint_id, position)
    WHERE status = 'pending' AND replay_id IS NULL;
CREATE INDEX webhook_deliveries_replay_due_idx ON webhook_deliveries (endpoint_id, position)
    WHERE status = 'pending' AND replay_id IS NOT NULL;
CREATE INDEX webhook_deliveries_next_attempt_idx ON webhook_deliveries (endpoint_id, next_attempt_at)
    WHERE status = 'pending';
-- Superseded by the two lanes' indexes and the per-endpoint one.
DROP INDEX webhook_deliveries_due_idx;
DROP INDEX webhook_deliveries_next_idx;

-- The Events API reads the log by public event id, by type, by actor and by aggregate id alone
-- (the primary key leads with the aggregate type). Each index ends with `position`, so a filtered
-- page is one range scan in the order the API pages in.
CREATE INDEX events_event_id_idx ON events ((metadata->>'event_id'));
CREATE INDEX events_type_idx ON events (event_type, position);
CREATE INDEX events_actor_idx ON events ((metadata->>'actor_id'), position);
CREATE INDEX events_recorded_at_idx ON events (recorded_at);

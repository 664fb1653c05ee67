-- The event store: postgres-es's `events` table (same columns, so cqrs-es tooling can read it),
-- extended with the global feed columns, plus snapshots, uniqueness claims and consumer checkpoints.

CREATE TABLE events (
    aggregate_type  text   NOT NULL,
    aggregate_id    text   NOT NULL,
    sequence        bigint NOT NULL CHECK (sequence >= 0),
    event_type      text   NOT NULL,
    event_version   text   NOT NULL,
    payload         jsonb  NOT NULL,
    metadata        jsonb  NOT NULL,
    -- Global order of the feed. Assigned together with the writer's xid (see roster_append).
    position        bigint GENERATED ALWAYS AS IDENTITY,
    txid            xid8   NOT NULL DEFAULT pg_current_xact_id(),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    organization_id text,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);
CREATE UNIQUE INDEX events_position_idx ON events (position);
CREATE INDEX events_organization_idx ON events (organization_id, position);

CREATE TABLE snapshots (
    aggregate_type   text   NOT NULL,
    aggregate_id     text   NOT NULL,
    last_sequence    bigint NOT NULL CHECK (last_sequence >= 0),
    current_snapshot bigint NOT NULL CHECK (current_snapshot >= 0),
    payload          jsonb  NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id)
);

-- Cross-stream uniqueness: a key (e.g. an organization's external id) owned by one aggregate.
-- Written in the same transaction as the events that take or release it.
CREATE TABLE claims (
    key             text PRIMARY KEY,
    aggregate_type  text NOT NULL,
    aggregate_id    text NOT NULL,
    organization_id text,
    claimed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claims_owner_idx ON claims (aggregate_type, aggregate_id);

-- Where each feed consumer (projector, dispatcher, relay …) has got to.
CREATE TABLE checkpoints (
    consumer   text PRIMARY KEY,
    position   bigint NOT NULL CHECK (position >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Appends one aggregate's events and returns their positions.
--
-- Why the lock: the feed reads only rows whose txid is below the snapshot's xmin, i.e. rows of
-- transactions that have all finished. That is gap-free only if a smaller position never belongs
-- to a larger xid. Taking the xid (first write of the transaction) and the positions inside one
-- short critical section makes xid order equal position order among event writers. The lock is a
-- session lock released right after the INSERT, not at commit, so commits (and their fsyncs) still
-- run in parallel. It must be the transaction's first write; the store guarantees that.
CREATE FUNCTION roster_append(
    p_aggregate_type  text,
    p_aggregate_id    text,
    p_organization_id text,
    p_sequences       bigint[],
    p_event_types     text[],
    p_event_versions  text[],
    p_payloads        jsonb[],
    p_metadata        jsonb[]
) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_lock(1919251317, 1);
    BEGIN
        RETURN QUERY
        INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                            payload, metadata, organization_id)
        SELECT p_aggregate_type, p_aggregate_id, e.seq, e.typ, e.ver, e.pay, e.meta, p_organization_id
          FROM unnest(p_sequences, p_event_types, p_event_versions, p_payloads, p_metadata)
               WITH ORDINALITY AS e(seq, typ, ver, pay, meta, ord)
         ORDER BY e.ord
        RETURNING events.position;
    EXCEPTION
        WHEN query_canceled THEN
            PERFORM pg_advisory_unlock(1919251317, 1);
            RAISE;
        WHEN OTHERS THEN
            PERFORM pg_advisory_unlock(1919251317, 1);
            RAISE;
    END;
    PERFORM pg_advisory_unlock(1919251317, 1);
    -- Delivered at commit; wakes feed consumers (they also poll, so a lost notification only delays).
    PERFORM pg_notify('roster_events', '');
END
$$;

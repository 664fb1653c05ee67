-- roster_commit_unit (0009) again, with one change: the append lock is held through the claim
-- changes and checks, not only the events' insert. Before, another unit could insert its events
-- and pass its claim checks between this unit's insert and its claim releases, then commit after
-- it: in position order a membership change keeping a role came after the role's deletion
-- (caught, now and then, by tests/e2e/roles.rs: a_kept_role_never_outlives_its_deletion).
--
-- Waiting for a claim's row lock while holding the append lock cannot deadlock: claim rows are
-- locked only inside this function, under this lock, and a transaction writes at most one unit
-- (it must be the transaction's first write), so a transaction holding a claim row lock is past
-- its unit and never waits for the append lock. Commits themselves still run in parallel.

CREATE OR REPLACE FUNCTION roster_commit_unit(
    p_aggregate_types        text[],
    p_aggregate_ids          text[],
    p_organization_ids       text[],
    p_sequences              bigint[],
    p_event_types            text[],
    p_event_versions         text[],
    p_payloads               jsonb[],
    p_metadata               jsonb[],
    p_claim_ops              text[],
    p_claim_keys             text[],
    p_claim_aggregate_types  text[],
    p_claim_aggregate_ids    text[],
    p_claim_organization_ids text[],
    p_snapshot_types         text[],
    p_snapshot_ids           text[],
    p_snapshot_sequences     bigint[],
    p_snapshot_versions      bigint[],
    p_snapshot_payloads      jsonb[],
    p_absent_patterns        text[]
) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
    positions bigint[];
    missing   text;
    owner     claims%ROWTYPE;
BEGIN
    -- Positions in xid order (see 0009), and claims settled in the same critical section.
    PERFORM pg_advisory_lock(1919251317, 1);
    BEGIN
        WITH inserted AS (
            INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                                payload, metadata, organization_id)
            SELECT e.typ, e.id, e.seq, e.etype, e.ver, e.pay, e.meta, e.org
              FROM unnest(p_aggregate_types, p_aggregate_ids, p_organization_ids, p_sequences,
                          p_event_types, p_event_versions, p_payloads, p_metadata)
                   WITH ORDINALITY AS e(typ, id, org, seq, etype, ver, pay, meta, ord)
             ORDER BY e.ord
            RETURNING events.position
        )
        SELECT array_agg(position ORDER BY position) INTO positions FROM inserted;

        -- Claims as the unit leaves them: releases and acquisitions first, then the requirements.
        DELETE FROM claims c
         USING unnest(p_claim_ops, p_claim_keys, p_claim_aggregate_types, p_claim_aggregate_ids)
               AS r(op, k, typ, id)
         WHERE r.op = 'release' AND c.key = r.k AND c.aggregate_type = r.typ AND c.aggregate_id = r.id;

        WITH wanted AS (
            SELECT r.k, r.typ, r.id, r.org
              FROM unnest(p_claim_ops, p_claim_keys, p_claim_aggregate_types, p_claim_aggregate_ids,
                          p_claim_organization_ids) AS r(op, k, typ, id, org)
             WHERE r.op = 'acquire'
        ), granted AS (
            -- Re-claiming our own key is a no-op; a key held by another aggregate returns no row.
            INSERT INTO claims (key, aggregate_type, aggregate_id, organization_id)
            SELECT k, typ, id, org FROM wanted ORDER BY k
            ON CONFLICT (key) DO UPDATE SET claimed_at = claims.claimed_at
               WHERE claims.aggregate_type = excluded.aggregate_type
                 AND claims.aggregate_id = excluded.aggregate_id
            RETURNING key
        )
        SELECT k INTO missing FROM wanted WHERE k NOT IN (SELECT key FROM granted) ORDER BY k LIMIT 1;
        IF missing IS NOT NULL THEN
            SELECT * INTO owner FROM claims WHERE key = missing;
            RAISE EXCEPTION USING ERRCODE = 'RS409',
                MESSAGE = json_build_object('key', missing, 'owner_type', owner.aggregate_type,
                                            'owner_id', owner.aggregate_id)::text;
        END IF;

        -- Share-locked, so a release of a required key waits for this commit (and vice versa).
        SELECT r.k INTO missing
          FROM unnest(p_claim_ops, p_claim_keys) AS r(op, k)
         WHERE r.op = 'require'
           AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.key = r.k FOR SHARE OF c)
         ORDER BY r.k
         LIMIT 1;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'RS422', MESSAGE = json_build_object('key', missing)::text;
        END IF;

        SELECT p INTO missing FROM unnest(p_absent_patterns) AS p
         WHERE EXISTS (SELECT 1 FROM claims c WHERE c.key LIKE p) LIMIT 1;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = format('a claim matching %s appeared', missing);
        END IF;

        FOR i IN 1 .. coalesce(cardinality(p_snapshot_ids), 0) LOOP
            INSERT INTO snapshots (aggregate_type, aggregate_id, last_sequence, current_snapshot, payload)
            VALUES (p_snapshot_types[i], p_snapshot_ids[i], p_snapshot_sequences[i],
                    p_snapshot_versions[i], p_snapshot_payloads[i])
            ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE
               SET last_sequence = excluded.last_sequence,
                   current_snapshot = excluded.current_snapshot,
                   payload = excluded.payload
             WHERE snapshots.current_snapshot = excluded.current_snapshot - 1;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'snapshot changed concurrently';
            END IF;
        END LOOP;

    EXCEPTION
        WHEN query_canceled THEN
            PERFORM pg_advisory_unlock(1919251317, 1);
            RAISE;
        WHEN OTHERS THEN
            PERFORM pg_advisory_unlock(1919251317, 1);
            RAISE;
    END;
    PERFORM pg_advisory_unlock(1919251317, 1);

    -- Delivered at commit; wakes feed consumers (they also poll, so a lost one only delays).
    PERFORM pg_notify('roster_events', '');
    RETURN QUERY SELECT unnest(positions);
END
$$;

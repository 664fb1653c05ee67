-- One statement commits a unit of work: the events of one or more aggregates (each stream with its
-- own expected version, enforced by the events' primary key), their claim changes and snapshots,
-- atomically. A single command is a unit of one aggregate; invitation accept (invitation +
-- membership) and membership deactivation (membership + its groups) are units of several.
-- Errors roll everything back:
--   RS409  a claim is held by another aggregate; MESSAGE is {"key","owner_type","owner_id"} as JSON
--   RS422  a required claim is not held after the unit's own changes; MESSAGE is {"key"} as JSON
--   23505  a stream moved on underneath us (optimistic lock: its next sequence exists)
--   40001  a snapshot moved on underneath us, or a claim the unit expects gone is still there
--
-- Rows are one per event (p_aggregate_types … p_metadata, in commit order), one per claim change
-- (p_claim_*; op is 'acquire', 'release' or 'require'; keys sorted, a fixed lock order) and one
-- per snapshot (p_snapshot_*). p_absent_patterns are LIKE patterns no claim may match once the
-- unit's changes are applied: a unit that empties an index (a membership leaving all its groups)
-- fails, and is decided again, when a racing command added an entry it did not see.
CREATE FUNCTION roster_commit_unit(
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
    -- Why the lock (see 0001's roster_append): the feed is gap-free only if a smaller position
    -- never belongs to a larger xid, so the transaction's xid (this is its first write) and its
    -- positions are taken in one short critical section. A session lock, released right after the
    -- INSERT, so commits still run in parallel. Callers guarantee it is the first write.
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
    EXCEPTION
        WHEN query_canceled THEN
            PERFORM pg_advisory_unlock(1919251317, 1);
            RAISE;
        WHEN OTHERS THEN
            PERFORM pg_advisory_unlock(1919251317, 1);
            RAISE;
    END;
    PERFORM pg_advisory_unlock(1919251317, 1);

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

    -- Delivered at commit; wakes feed consumers (they also poll, so a lost one only delays).
    PERFORM pg_notify('roster_events', '');
    RETURN QUERY SELECT unnest(positions);
END
$$;

-- Every write goes through roster_commit_unit now.
DROP FUNCTION roster_commit(text, text, text, bigint[], text[], text[], jsonb[], jsonb[], text[], text[], text[], jsonb, bigint);
DROP FUNCTION roster_append(text, text, text, bigint[], text[], text[], jsonb[], jsonb[]);

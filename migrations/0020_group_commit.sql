-- roster_commit_units: several units of work committed by one statement (group commit), each
-- succeeding or failing on its own, with the one shared critical section cut down to what the
-- gap-free feed needs. It replaces roster_commit_unit (0009, 0011).
--
-- Why: a profile at 16 writers (docs/benchmarks.md) found 9.6 ms of a command's 10.5 ms inside
-- roster_commit_unit waiting for the append lock, which was held through the events' insert
-- (seven indexes), the claim changes and checks; with that fixed, commits queued on NOTIFY (a
-- notifying transaction holds a database-wide lock through its WAL flush); with that fixed, the
-- CPU went to running a dozen statements per command. One statement for many units pays that
-- once per batch.
--
-- Steps:
-- 1. Units that touch the same stream or claim key serialise on transaction-level advisory locks
--    (one per stream and per claim key; shared for a required key, exclusive otherwise), taken
--    in one global order (by lock id), so writers cannot deadlock; held until commit; no xid
--    taken. This is what settles the claims: an acquisition, a release and a requirement of one
--    key never overlap, so the checks of step 2 still hold at commit, and a writer that waited is
--    positioned after the one it waited for (the race of 0011: a membership change keeping a role
--    is never positioned after the role's deletion). The caller puts no two units that share a
--    stream or a claim key (other than both requiring it) in one batch, and a unit with absent
--    patterns alone, so the checks of one unit never depend on another of the same batch.
-- 2. Checks, reads only; a unit that fails one is left out and reported, the others go on:
--      23505  a stream moved on (the unit's next sequence exists): optimistic lock
--      RS409  a claim is held by another aggregate; detail {"key","owner_type","owner_id"}
--      RS422  a required claim is not held after the unit's own changes; detail {"key"}
--      40001  a claim the unit expects gone is there, or its snapshot moved on
-- 3. Under the append lock, and only this: the xid (pg_current_xact_id assigns it) and the
--    positions (the identity's sequence), so xid order is position order among event writers.
--    The rows are inserted after the lock is released, in parallel with other writers: the feed
--    reads a row only once its writer's transaction, and every older one, has finished, however
--    late it inserted.
-- 4. The events, claim changes and snapshots of the units that passed, one statement each.
--    Claim rows are written only here, under their key's lock, so these never wait.
--
-- Rows: one per event (p_event_units = the unit's number, then its columns, in commit order), per
-- claim change (op 'acquire', 'release' or 'require'), per snapshot, per absent prefix (no claim
-- key may start with it once the unit's changes are applied).
-- Returns per event of a unit that committed (unit, position), in commit order, and per unit that
-- did not (unit, NULL, failure, detail).
-- The batch must be its transaction's first write (the xid is taken under the lock).
--
-- No NOTIFY here any more: writers announce after their commit (store::announce), one
-- notification for however many commits happened meanwhile; consumers still poll.

CREATE FUNCTION roster_commit_units(
    p_event_units            int[],
    p_aggregate_types        text[],
    p_aggregate_ids          text[],
    p_organization_ids       text[],
    p_sequences              bigint[],
    p_event_types            text[],
    p_event_versions         text[],
    p_payloads               jsonb[],
    p_metadata               jsonb[],
    p_claim_units            int[],
    p_claim_ops              text[],
    p_claim_keys             text[],
    p_claim_aggregate_types  text[],
    p_claim_aggregate_ids    text[],
    p_claim_organization_ids text[],
    p_snapshot_units         int[],
    p_snapshot_types         text[],
    p_snapshot_ids           text[],
    p_snapshot_sequences     bigint[],
    p_snapshot_versions      bigint[],
    p_snapshot_payloads      jsonb[],
    p_absent_units           int[],
    p_absent_prefixes        text[]
) RETURNS TABLE (unit int, "position" bigint, failure text, detail text)
LANGUAGE plpgsql
-- Planned once per connection, never per call: with arrays for parameters the planner cannot
-- tell one call from another, and by default it went on planning each call anew (a profile of
-- one writer: 0.84 ms a call, most of it in the planner; 0.35 ms with the plans kept).
SET plan_cache_mode = force_generic_plan
-- Every lookup here is a handful of keys probed in an index. Plans are cached per connection,
-- often while the tables are still small, and a hash join or a sequential scan chosen then
-- would read the whole table on every commit once they have grown.
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
DECLARE
    failed_units int[] := '{}';
    failures     text[];
    details      text[];
    positions    bigint[];
    kept         int;
BEGIN
    -- 1. Stream and key locks, in lock-id order (an aggregate consumes its sorted input in order).
    PERFORM count(CASE WHEN l.x THEN pg_advisory_xact_lock(l.h)::text END)
          + count(CASE WHEN NOT l.x THEN pg_advisory_xact_lock_shared(l.h)::text END)
      FROM (SELECT w.h, bool_or(w.x) AS x
              FROM (SELECT hashtextextended('stream/' || s.t || '/' || s.i, 0) AS h, true AS x
                      FROM unnest(p_aggregate_types, p_aggregate_ids) AS s(t, i)
                    UNION ALL
                    SELECT hashtextextended('claim/' || c.k, 0), c.op <> 'require'
                      FROM unnest(p_claim_ops, p_claim_keys) AS c(op, k)) AS w
             GROUP BY w.h
             ORDER BY w.h) AS l;

    -- 2. Checks, against the claims as each unit would leave them; the first failure per unit.
    WITH c AS (
        SELECT * FROM unnest(p_claim_units, p_claim_ops, p_claim_keys, p_claim_aggregate_types,
                             p_claim_aggregate_ids) AS c(u, op, k, typ, id)
    ), problems AS (
        SELECT e.u, 1 AS rank, '23505' AS failure, 'the stream moved on' AS detail
          FROM unnest(p_event_units, p_aggregate_types, p_aggregate_ids, p_sequences)
               AS e(u, t, i, s)
         WHERE EXISTS (SELECT 1 FROM events v
                        WHERE v.aggregate_type = e.t AND v.aggregate_id = e.i AND v.sequence = e.s)
        UNION ALL
        SELECT c.u, 2, 'RS409', json_build_object('key', h.key, 'owner_type', h.aggregate_type,
                                                  'owner_id', h.aggregate_id)::text
          FROM c JOIN claims h ON h.key = c.k
         WHERE c.op = 'acquire' AND (h.aggregate_type <> c.typ OR h.aggregate_id <> c.id)
        UNION ALL
        SELECT r.u, 3, 'RS422', json_build_object('key', r.k)::text
          FROM c AS r
         WHERE r.op = 'require'
           AND NOT EXISTS (SELECT 1 FROM c AS a WHERE a.u = r.u AND a.k = r.k AND a.op = 'acquire')
           AND (EXISTS (SELECT 1 FROM c AS a WHERE a.u = r.u AND a.k = r.k AND a.op = 'release')
                OR NOT EXISTS (SELECT 1 FROM claims h WHERE h.key = r.k))
        UNION ALL
        -- A key range the prefix index (text_pattern_ops, 0004) serves: from the prefix to the
        -- prefix with its last character incremented; then the prefix itself.
        SELECT p.u, 4, '40001', format('a claim under %s appeared', p.pre)
          FROM unnest(p_absent_units, p_absent_prefixes) AS p(u, pre)
         WHERE EXISTS (SELECT 1 FROM claims h
                        WHERE h.key ~>=~ p.pre
                          AND h.key ~<~ (left(p.pre, -1) || chr(ascii(right(p.pre, 1)) + 1))
                          AND starts_with(h.key, p.pre)
                          AND NOT EXISTS (SELECT 1 FROM c AS a
                                           WHERE a.u = p.u AND a.k = h.key AND a.op = 'release'))
            OR EXISTS (SELECT 1 FROM c AS a
                        WHERE a.u = p.u AND a.op = 'acquire' AND starts_with(a.k, p.pre))
        UNION ALL
        SELECT s.u, 5, '40001', 'snapshot changed concurrently'
          FROM unnest(p_snapshot_units, p_snapshot_types, p_snapshot_ids, p_snapshot_versions)
               AS s(u, t, i, v)
          JOIN snapshots h ON h.aggregate_type = s.t AND h.aggregate_id = s.i
         WHERE h.current_snapshot <> s.v - 1
    ), first AS (
        SELECT DISTINCT ON (p.u) p.u, p.failure, p.detail
          FROM problems AS p
         ORDER BY p.u, p.rank, p.detail
    )
    SELECT coalesce(array_agg(f.u ORDER BY f.u), '{}'), array_agg(f.failure ORDER BY f.u),
           array_agg(f.detail ORDER BY f.u)
      INTO failed_units, failures, details
      FROM first AS f;

    SELECT count(*) INTO kept FROM unnest(p_event_units) AS u WHERE u <> ALL (failed_units);

    IF kept > 0 THEN
        -- 3. The xid and the positions, under the one shared lock.
        PERFORM pg_advisory_lock(1919251317, 1);
        BEGIN
            PERFORM pg_current_xact_id();
            positions := array(SELECT nextval('events_position_seq') FROM generate_series(1, kept));
        EXCEPTION
            WHEN query_canceled THEN
                PERFORM pg_advisory_unlock(1919251317, 1);
                RAISE;
            WHEN OTHERS THEN
                PERFORM pg_advisory_unlock(1919251317, 1);
                RAISE;
        END;
        PERFORM pg_advisory_unlock(1919251317, 1);

        -- 4. The rows of the units that passed.
        INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                            payload, metadata, organization_id, position)
        OVERRIDING SYSTEM VALUE
        SELECT e.typ, e.id, e.seq, e.etype, e.ver, e.pay, e.meta, e.org,
               positions[row_number() OVER (ORDER BY e.ord)]
          FROM unnest(p_event_units, p_aggregate_types, p_aggregate_ids, p_organization_ids,
                      p_sequences, p_event_types, p_event_versions, p_payloads, p_metadata)
               WITH ORDINALITY AS e(u, typ, id, org, seq, etype, ver, pay, meta, ord)
         WHERE e.u <> ALL (failed_units);

        DELETE FROM claims h
         USING unnest(p_claim_units, p_claim_ops, p_claim_keys, p_claim_aggregate_types,
                      p_claim_aggregate_ids) AS r(u, op, k, typ, id)
         WHERE r.op = 'release' AND r.u <> ALL (failed_units)
           AND h.key = r.k AND h.aggregate_type = r.typ AND h.aggregate_id = r.id;

        -- Re-claiming our own key is a no-op (another holder was refused in step 2).
        INSERT INTO claims (key, aggregate_type, aggregate_id, organization_id)
        SELECT r.k, r.typ, r.id, r.org
          FROM unnest(p_claim_units, p_claim_ops, p_claim_keys, p_claim_aggregate_types,
                      p_claim_aggregate_ids, p_claim_organization_ids) AS r(u, op, k, typ, id, org)
         WHERE r.op = 'acquire' AND r.u <> ALL (failed_units)
         ORDER BY r.k
        ON CONFLICT (key) DO NOTHING;

        INSERT INTO snapshots (aggregate_type, aggregate_id, last_sequence, current_snapshot, payload)
        SELECT s.t, s.i, s.seq, s.v, s.pay
          FROM unnest(p_snapshot_units, p_snapshot_types, p_snapshot_ids, p_snapshot_sequences,
                      p_snapshot_versions, p_snapshot_payloads) AS s(u, t, i, seq, v, pay)
         WHERE s.u <> ALL (failed_units)
        ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE
           SET last_sequence = excluded.last_sequence,
               current_snapshot = excluded.current_snapshot,
               payload = excluded.payload;
    END IF;

    RETURN QUERY
        SELECT e.u, positions[row_number() OVER (ORDER BY e.ord)], NULL::text, NULL::text
          FROM unnest(p_event_units) WITH ORDINALITY AS e(u, ord)
         WHERE e.u <> ALL (failed_units)
         ORDER BY e.ord;
    RETURN QUERY
        SELECT f.u, NULL::bigint, f.failure, f.detail
          FROM unnest(failed_units, failures, details) AS f(u, failure, detail);
END
$$;

DROP FUNCTION roster_commit_unit(text[], text[], text[], bigint[], text[], text[], jsonb[], jsonb[],
                                 text[], text[], text[], text[], text[], text[], text[], bigint[],
                                 bigint[], jsonb[], text[]);

-- 0026's roster_commit_units with the forbid check in its own arm of the RS409 query. As one
-- `acquire … OR forbid …` condition the join could only be planned as a filter over both; as two
-- arms each is a probe of the claims index by the unit's keys, like every other check here.
-- Restated whole (a migration cannot edit an older one); nothing else changed.

CREATE OR REPLACE FUNCTION roster_commit_units(
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
    p_absent_prefixes        text[],
    p_limit_units            int[],
    p_limit_keys             text[],
    p_limit_max              bigint[],
    p_within_units           int[],
    p_within_prefixes        text[],
    p_within_limits          text[]
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
                    SELECT hashtextextended('claim/' || c.k, 0), c.op IN ('acquire', 'release')
                      FROM unnest(p_claim_ops, p_claim_keys) AS c(op, k)
                    UNION ALL
                    SELECT hashtextextended('limit/' || k, 0), true FROM unnest(p_limit_keys) AS k
                    UNION ALL
                    SELECT hashtextextended('limit/' || k, 0), false
                      FROM unnest(p_within_limits) AS k
                    UNION ALL
                    SELECT hashtextextended('count/' || k, 0), true
                      FROM unnest(p_within_prefixes) AS k) AS w
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
        -- A key the unit forbids is held (and not given up by the unit itself).
        SELECT c.u, 2, 'RS409', json_build_object('key', h.key, 'owner_type', h.aggregate_type,
                                                  'owner_id', h.aggregate_id)::text
          FROM c JOIN claims h ON h.key = c.k
         WHERE c.op = 'forbid'
           AND NOT EXISTS (SELECT 1 FROM c AS a WHERE a.u = c.u AND a.k = c.k AND a.op = 'release')
        UNION ALL
        SELECT r.u, 3, 'RS422', json_build_object('key', r.k)::text
          FROM c AS r
         WHERE r.op = 'require'
           AND NOT EXISTS (SELECT 1 FROM c AS a WHERE a.u = r.u AND a.k = r.k AND a.op = 'acquire')
           AND (EXISTS (SELECT 1 FROM c AS a WHERE a.u = r.u AND a.k = r.k AND a.op = 'release')
                OR NOT EXISTS (SELECT 1 FROM claims h WHERE h.key = r.k))
        UNION ALL
        -- Alternatives (`require_any/<n>`, one group per n and unit): at least one of them held
        -- (or taken by the unit, and not given up by it); the refusal names the smallest key.
        SELECT g.u, 3, 'RS422', json_build_object('key', g.keys[1])::text
          FROM (SELECT c.u, c.op, array_agg(c.k ORDER BY c.k) AS keys
                  FROM c WHERE c.op LIKE 'require\_any/%' GROUP BY c.u, c.op) AS g
         WHERE NOT EXISTS (SELECT 1 FROM c AS a
                            WHERE a.u = g.u AND a.op = 'acquire' AND a.k = ANY (g.keys))
           AND NOT EXISTS (SELECT 1 FROM claims h
                            WHERE h.key = ANY (g.keys)
                              AND NOT EXISTS (SELECT 1 FROM c AS a WHERE a.u = g.u AND a.k = h.key
                                                                    AND a.op = 'release'))
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
        UNION ALL
        -- A unit taking a new key under a counted prefix, when more keys than the limit would be
        -- held there after it (the count prefix's lock keeps its counters one at a time).
        SELECT w.u, 6, 'RS423', json_build_object('key', w.l, 'limit', m.max_count,
                                                  'prefix', w.pre)::text
          FROM unnest(p_within_units, p_within_prefixes, p_within_limits) AS w(u, pre, l)
          JOIN claim_limits m ON m.key = w.l
          CROSS JOIN LATERAL (
                SELECT count(*) AS n FROM c AS a
                 WHERE a.u = w.u AND a.op = 'acquire' AND starts_with(a.k, w.pre)
                   AND NOT EXISTS (SELECT 1 FROM claims h WHERE h.key = a.k)) AS added
         WHERE added.n > 0
           AND added.n + (SELECT count(*) FROM claims h
                           WHERE h.key ~>=~ w.pre
                             AND h.key ~<~ (left(w.pre, -1) || chr(ascii(right(w.pre, 1)) + 1))
                             AND starts_with(h.key, w.pre)
                             AND NOT EXISTS (SELECT 1 FROM c AS a
                                              WHERE a.u = w.u AND a.k = h.key
                                                AND a.op = 'release')) > m.max_count
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

        DELETE FROM claim_limits m
         USING unnest(p_limit_units, p_limit_keys, p_limit_max) AS r(u, k, n)
         WHERE r.n IS NULL AND r.u <> ALL (failed_units) AND m.key = r.k;

        INSERT INTO claim_limits (key, max_count)
        SELECT r.k, r.n
          FROM unnest(p_limit_units, p_limit_keys, p_limit_max) AS r(u, k, n)
         WHERE r.n IS NOT NULL AND r.u <> ALL (failed_units)
        ON CONFLICT (key) DO UPDATE SET max_count = excluded.max_count;

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

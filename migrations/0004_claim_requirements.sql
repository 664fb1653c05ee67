-- Claims are also the write side's index: prefix look-ups (`membership/<id>/group/…`) must use an
-- index whatever the database's collation.
CREATE INDEX claims_key_prefix_idx ON claims (key text_pattern_ops);

-- roster_commit, now also checking required claims: keys that must be held (by anyone) for the
-- command to commit, share-locked so that releasing them waits for this commit (and vice versa).
--   RS422  a required key is not held; MESSAGE is {"key"} as JSON
DROP FUNCTION roster_commit(text, text, text, bigint[], text[], text[], jsonb[], jsonb[], text[], text[], jsonb, bigint);
CREATE FUNCTION roster_commit(
    p_aggregate_type   text,
    p_aggregate_id     text,
    p_organization_id  text,
    p_sequences        bigint[],
    p_event_types      text[],
    p_event_versions   text[],
    p_payloads         jsonb[],
    p_metadata         jsonb[],
    p_acquire          text[],
    p_release          text[],
    p_require          text[],
    p_snapshot         jsonb,
    p_snapshot_version bigint
) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
    positions bigint[];
    missing   text;
    owner     claims%ROWTYPE;
BEGIN
    -- First write of the transaction: see roster_append.
    positions := ARRAY(SELECT roster_append(p_aggregate_type, p_aggregate_id, p_organization_id,
                                            p_sequences, p_event_types, p_event_versions,
                                            p_payloads, p_metadata));

    IF cardinality(p_require) > 0 THEN
        SELECT k INTO missing FROM unnest(p_require) AS k
         WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.key = k FOR SHARE OF c)
         LIMIT 1;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'RS422', MESSAGE = json_build_object('key', missing)::text;
        END IF;
    END IF;

    IF cardinality(p_release) > 0 THEN
        DELETE FROM claims
         WHERE key = ANY (p_release)
           AND aggregate_type = p_aggregate_type AND aggregate_id = p_aggregate_id;
    END IF;

    IF cardinality(p_acquire) > 0 THEN
        WITH granted AS (
            INSERT INTO claims (key, aggregate_type, aggregate_id, organization_id)
            SELECT k, p_aggregate_type, p_aggregate_id, p_organization_id FROM unnest(p_acquire) AS k
            ON CONFLICT (key) DO UPDATE SET claimed_at = claims.claimed_at
               WHERE claims.aggregate_type = excluded.aggregate_type
                 AND claims.aggregate_id = excluded.aggregate_id
            RETURNING key
        )
        SELECT k INTO missing FROM unnest(p_acquire) AS k
         WHERE k NOT IN (SELECT key FROM granted) LIMIT 1;
        IF missing IS NOT NULL THEN
            SELECT * INTO owner FROM claims WHERE key = missing;
            RAISE EXCEPTION USING ERRCODE = 'RS409',
                MESSAGE = json_build_object('key', missing, 'owner_type', owner.aggregate_type,
                                            'owner_id', owner.aggregate_id)::text;
        END IF;
    END IF;

    IF p_snapshot IS NOT NULL THEN
        INSERT INTO snapshots (aggregate_type, aggregate_id, last_sequence, current_snapshot, payload)
        VALUES (p_aggregate_type, p_aggregate_id, p_sequences[cardinality(p_sequences)],
                p_snapshot_version, p_snapshot)
        ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE
           SET last_sequence = excluded.last_sequence,
               current_snapshot = excluded.current_snapshot,
               payload = excluded.payload
         WHERE snapshots.current_snapshot = excluded.current_snapshot - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'snapshot changed concurrently';
        END IF;
    END IF;

    RETURN QUERY SELECT unnest(positions);
END
$$;

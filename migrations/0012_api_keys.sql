-- API keys: what authenticates a request. The secret itself is never stored, only its SHA-256
-- (the secret has 256 random bits, so the hash is a safe lookup key). Rows are written in the same
-- transaction as the key's event (`api_key.created`, `api_key.revoked`), whose payload never holds
-- the secret or its hash.
CREATE TABLE api_keys (
    id              text PRIMARY KEY,
    secret_sha256   bytea NOT NULL UNIQUE,
    name            text NOT NULL,
    organization_id text,
    read_only       boolean NOT NULL DEFAULT false,
    expires_at      timestamptz,
    prefix          text NOT NULL,
    created_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);

-- Every process caches keys for a while; any change to a key tells them all at once (on commit),
-- so a revocation takes effect everywhere without a database round trip per request.
CREATE FUNCTION roster_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('roster_api_keys', OLD.id);
    ELSE
        PERFORM pg_notify('roster_api_keys', NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION roster_api_key_changed();

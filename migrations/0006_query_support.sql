-- Support for the query service.

-- Secrets shared by every roster process of this database (so any process can check what another
-- issued), generated once here rather than configured. `cursor` signs pagination cursors.
CREATE TABLE secrets (
    name  text PRIMARY KEY,
    value bytea NOT NULL
);
INSERT INTO secrets (name, value)
VALUES ('cursor', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- Keyset pagination over every status / state (the partial-key indexes of 0005 serve the
-- filtered lists).
CREATE INDEX rm_memberships_org_id_idx ON rm_memberships (organization_id, id);
CREATE INDEX rm_memberships_app_idx ON rm_memberships (application_id, id);
CREATE INDEX rm_invitations_org_id_idx ON rm_invitations (organization_id, id);

-- The organization template (issue 27): roles defined once for the deployment.
--
-- Read side: the template's roles. An organization's catalogue is its own roles and these (its
-- own role shadows a template role of the same slug); claims read a template role's permissions
-- when asked, so a change reaches every holder at once.
CREATE TABLE rm_role_templates (
    slug        text PRIMARY KEY,
    name        text NOT NULL,
    description text,
    permissions text[] NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    position    bigint NOT NULL
);

-- Claims: every custom role now also holds `role_slug/<slug>/<organization>`, the index a
-- template role's creation looks under (no organization may use the slug for a custom role).
-- `organization_role.created` states it from now on; the roles that exist get it here, derived
-- from their catalogue claims `organization/<organization>/role/<slug>` exactly as a replay of
-- their events would derive it.
INSERT INTO claims (key, aggregate_type, aggregate_id, organization_id, claimed_at)
SELECT 'role_slug/' || split_part(key, '/', 4) || '/' || split_part(key, '/', 2),
       aggregate_type, aggregate_id, organization_id, claimed_at
  FROM claims
 WHERE aggregate_type = 'organization'
   AND split_part(key, '/', 1) = 'organization'
   AND split_part(key, '/', 3) = 'role'
   AND split_part(key, '/', 4) <> ''
   AND split_part(key, '/', 5) = ''
ON CONFLICT (key) DO NOTHING;

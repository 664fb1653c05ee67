-- Which of the template's roles an organization offers (issue 27): all of them, as every
-- organization did until now, or only some (`organization.template_roles`).
--
-- Read side: NULL for all (what events written before the field mean), else the slugs offered.
ALTER TABLE rm_organizations ADD COLUMN template_roles text[];

-- Claims: holding a template role now also requires the organization to offer it, so every
-- organization offering all of them holds `organization/<id>/template/all`. From now on
-- `organization.created` states it; the organizations that exist (created and not deleted, also
-- those being deleted) get it here, as a replay of their `organization.created` would derive it.
INSERT INTO claims (key, aggregate_type, aggregate_id, organization_id, claimed_at)
SELECT 'organization/' || e.aggregate_id || '/template/all', e.aggregate_type, e.aggregate_id,
       e.organization_id, e.recorded_at
  FROM events e
 WHERE e.aggregate_type = 'organization'
   AND e.event_type = 'organization.created'
   AND NOT EXISTS (SELECT 1 FROM events d
                    WHERE d.aggregate_type = 'organization'
                      AND d.aggregate_id = e.aggregate_id
                      AND d.event_type = 'organization.deleted')
ON CONFLICT (key) DO NOTHING;

-- Which declarative document's source manages an object (`roster apply`): taken from the
-- `managed_by` of the last event an apply wrote for it, kept through changes made otherwise.
-- `--prune` removes only objects whose source is the document's own.
ALTER TABLE rm_organizations ADD COLUMN managed_by text;
ALTER TABLE rm_roles ADD COLUMN managed_by text;
ALTER TABLE rm_memberships ADD COLUMN managed_by text;
ALTER TABLE rm_groups ADD COLUMN managed_by text;
ALTER TABLE rm_group_members ADD COLUMN managed_by text;
ALTER TABLE rm_invitations ADD COLUMN managed_by text;

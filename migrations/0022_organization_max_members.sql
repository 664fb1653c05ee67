-- The organization's seat limit on the read side (issue 27). Events written before it have no
-- `max_members` (unlimited), so the column starts NULL everywhere and needs no rebuild.
ALTER TABLE rm_organizations ADD COLUMN max_members bigint;

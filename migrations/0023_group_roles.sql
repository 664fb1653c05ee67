-- Roles granted through groups (issue 27): the roles a group grants its members, on the read
-- side. Events written before groups carried roles grant none, so the column starts empty
-- everywhere and needs no rebuild. A member's effective roles (its own and its groups') are
-- resolved when read, in the statement that reads the member (docs/read-api.md).
ALTER TABLE rm_groups ADD COLUMN roles text[] NOT NULL DEFAULT '{}';

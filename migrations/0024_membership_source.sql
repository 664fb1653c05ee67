-- How each membership joined (issue 27): `api`, `invitation`, `domain`, `apply` or `bulk`, from
-- its events' `source`. Events written before it have none (NULL: joined before roster recorded
-- it), so the column starts NULL everywhere and needs no rebuild.
ALTER TABLE rm_memberships ADD COLUMN source text;

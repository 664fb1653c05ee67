-- Verified domains (issue 27): an organization's domains on the read side, fed by
-- `organization_domain.*`. No store written before has such events, so the table starts empty
-- and needs no rebuild. `GET /v1/domains/{domain}/organizations` finds a verified domain by name.
CREATE TABLE rm_domains (
    organization_id    text NOT NULL,
    domain             text NOT NULL,
    state              text NOT NULL,
    policy             text NOT NULL,
    default_roles      text[] NOT NULL DEFAULT '{}',
    verification_name  text NOT NULL,
    verification_value text NOT NULL,
    verified_at        timestamptz,
    expires_at         timestamptz NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    position           bigint NOT NULL,
    managed_by         text,
    PRIMARY KEY (organization_id, domain)
);

CREATE INDEX rm_domains_by_name ON rm_domains (domain);

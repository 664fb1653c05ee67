-- Read models, maintained by the projector from the feed (each row is the object after its latest
-- event; `position` is that event's, so replays are idempotent). Every table carries
-- organization_id (the sharding key); keyset pagination orders by id (ULIDs sort by creation).

CREATE TABLE rm_organizations (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    description text,
    external_id text,
    metadata    jsonb NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    position    bigint NOT NULL
);
CREATE INDEX rm_organizations_external_id_idx ON rm_organizations (external_id);

CREATE TABLE rm_roles (
    organization_id text NOT NULL,
    slug            text NOT NULL,
    name            text NOT NULL,
    description     text,
    permissions     text[] NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    position        bigint NOT NULL,
    PRIMARY KEY (organization_id, slug)
);

CREATE TABLE rm_memberships (
    id              text PRIMARY KEY,
    organization_id text NOT NULL,
    user_id         text,
    application_id  text,
    status          text NOT NULL,
    roles           text[] NOT NULL,
    attributes      jsonb NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    position        bigint NOT NULL
);
CREATE INDEX rm_memberships_org_idx ON rm_memberships (organization_id, status, id);
CREATE INDEX rm_memberships_user_idx ON rm_memberships (user_id, id);
CREATE INDEX rm_memberships_roles_idx ON rm_memberships USING gin (roles);
CREATE INDEX rm_memberships_attributes_idx ON rm_memberships USING gin (attributes jsonb_path_ops);

CREATE TABLE rm_groups (
    id              text PRIMARY KEY,
    organization_id text NOT NULL,
    name            text NOT NULL,
    description     text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    position        bigint NOT NULL
);
CREATE INDEX rm_groups_org_idx ON rm_groups (organization_id, id);
CREATE INDEX rm_groups_name_idx ON rm_groups (organization_id, lower(name) text_pattern_ops);

CREATE TABLE rm_group_members (
    group_id        text NOT NULL,
    membership_id   text NOT NULL,
    organization_id text NOT NULL,
    added_at        timestamptz NOT NULL,
    position        bigint NOT NULL,
    PRIMARY KEY (group_id, membership_id)
);
CREATE INDEX rm_group_members_membership_idx ON rm_group_members (membership_id, group_id);

CREATE TABLE rm_invitations (
    id               text PRIMARY KEY,
    organization_id  text NOT NULL,
    email            text NOT NULL,
    roles            text[] NOT NULL,
    state            text NOT NULL,
    expires_at       timestamptz NOT NULL,
    inviter_user_id  text,
    accepted_user_id text,
    membership_id    text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    position         bigint NOT NULL
);
CREATE INDEX rm_invitations_org_idx ON rm_invitations (organization_id, state, id);
CREATE INDEX rm_invitations_email_idx ON rm_invitations (organization_id, lower(email));

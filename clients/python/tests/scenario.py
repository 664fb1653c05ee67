"""The Python client against a live `roster serve` (run by tests/e2e/clients.rs): an
organization, members, a group with a member, the group's members over two pages, the member's
claims read with `min_position`, and a refusal raised as `RosterProblem`.

    python scenario.py <base url> <admin key>
"""

import sys

from roster_api.api.groups import get_groups_id_members, post_groups_id_members
from roster_api.api.organizations import (
    get_organizations_org_id_claims,
    post_organizations,
    post_organizations_org_id_groups,
    post_organizations_org_id_memberships,
)
from roster_api.models import GroupCreate, GroupMemberAdd, MembershipCreate, OrganizationCreate
from roster_client import Roster, RosterProblem


def main(base_url: str, key: str) -> None:
    roster = Roster(base_url, key)
    org = roster.call(post_organizations, body=OrganizationCreate(name="Acme (Python)"))
    members = [
        roster.call(
            post_organizations_org_id_memberships,
            org.id,
            body=MembershipCreate(user_id=f"user-{i}", roles=["member"]),
        )
        for i in range(3)
    ]
    group = roster.call(post_organizations_org_id_groups, org.id, body=GroupCreate(name="Engineering"))
    for member in members:
        added = roster.call(post_groups_id_members, group.id, body=GroupMemberAdd(membership_id=member.id))
    # Two pages of two: the iterator follows `list_metadata.after`.
    listed = [
        m.id
        for m in roster.pages(get_groups_id_members, group.id, limit=2, min_position=added.position)
    ]
    assert sorted(listed) == sorted(m.id for m in members), listed
    claims = roster.call(
        get_organizations_org_id_claims, org.id, user_id="user-0", min_position=added.position
    )
    assert claims.roles == ["member"], claims
    assert claims.membership_id == members[0].id, claims
    assert [(g.id, g.name) for g in claims.groups] == [(group.id, "Engineering")], claims
    # The same user twice: a 409 problem, raised as one exception type naming what went wrong.
    try:
        roster.call(
            post_organizations_org_id_memberships, org.id, body=MembershipCreate(user_id="user-0")
        )
    except RosterProblem as problem:
        assert problem.status == 409, problem
        assert problem.type.startswith("https://roster.dev/problems/"), problem
    else:
        raise AssertionError("a second membership of user-0 was accepted")
    # A bad field: 400 naming it.
    try:
        roster.call(post_organizations, body=OrganizationCreate(name=" "))
    except RosterProblem as problem:
        assert problem.status == 400 and [e.field for e in problem.errors] == ["name"], problem
    else:
        raise AssertionError("a blank name was accepted")
    print(f"python client: {len(listed)} group members over 2 pages, claims {claims.roles}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

from enum import StrEnum


class GetOrganizationsOrgIdMembershipsRoleSource(StrEnum):
    DIRECT = "direct"
    EFFECTIVE = "effective"

    def __str__(self) -> str:
        return str(self.value)

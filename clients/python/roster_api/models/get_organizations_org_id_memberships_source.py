from enum import StrEnum


class GetOrganizationsOrgIdMembershipsSource(StrEnum):
    API = "api"
    APPLY = "apply"
    BULK = "bulk"
    DOMAIN = "domain"
    INVITATION = "invitation"

    def __str__(self) -> str:
        return str(self.value)

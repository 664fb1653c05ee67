from enum import StrEnum


class PlanObject(StrEnum):
    DOMAIN = "domain"
    GROUP = "group"
    GROUP_MEMBER = "group_member"
    INVITATION = "invitation"
    MEMBER = "member"
    ORGANIZATION = "organization"
    ROLE = "role"
    ROLE_TEMPLATE = "role_template"

    def __str__(self) -> str:
        return str(self.value)

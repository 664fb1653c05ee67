from enum import StrEnum


class PlanAction(StrEnum):
    CREATE = "create"
    REMOVE = "remove"
    UPDATE = "update"

    def __str__(self) -> str:
        return str(self.value)

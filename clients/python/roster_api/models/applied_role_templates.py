from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.plan_change import PlanChange
    from ..models.refusal import Refusal


T = TypeVar("T", bound="AppliedRoleTemplates")


@_attrs_define
class AppliedRoleTemplates:
    """The organization template's part of an apply.

    Attributes:
        changes (list[PlanChange]): The changes carried out (refused: those before the refused one were).
        events (int):
        status (Literal['applied'] | Literal['refused'] | Literal['unchanged']):
        problems (list[Refusal] | Unset): Why it was refused.
    """

    changes: list[PlanChange]
    events: int
    status: Literal["applied", "refused", "unchanged"]
    problems: list[Refusal] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        events = self.events

        status: Literal["applied", "refused", "unchanged"]
        status = self.status

        problems: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.problems, Unset):
            problems = []
            for problems_item_data in self.problems:
                problems_item = problems_item_data.to_dict()
                problems.append(problems_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changes": changes,
                "events": events,
                "status": status,
            }
        )
        if problems is not UNSET:
            field_dict["problems"] = problems

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.plan_change import PlanChange
        from ..models.refusal import Refusal

        d = dict(src_dict)
        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = PlanChange.from_dict(changes_item_data)

            changes.append(changes_item)

        events = d.pop("events")

        def _parse_status(data: object) -> Literal["applied", "refused", "unchanged"]:
            componentsschemas_applied_status_type_0 = cast(Literal["applied"], data)
            if componentsschemas_applied_status_type_0 != "applied":
                raise ValueError(
                    f"/components/schemas/AppliedStatus_type_0 must match const 'applied', got '{componentsschemas_applied_status_type_0}'"
                )
            return componentsschemas_applied_status_type_0
            componentsschemas_applied_status_type_1 = cast(Literal["unchanged"], data)
            if componentsschemas_applied_status_type_1 != "unchanged":
                raise ValueError(
                    f"/components/schemas/AppliedStatus_type_1 must match const 'unchanged', got '{componentsschemas_applied_status_type_1}'"
                )
            return componentsschemas_applied_status_type_1
            componentsschemas_applied_status_type_2 = cast(Literal["refused"], data)
            if componentsschemas_applied_status_type_2 != "refused":
                raise ValueError(
                    f"/components/schemas/AppliedStatus_type_2 must match const 'refused', got '{componentsschemas_applied_status_type_2}'"
                )
            return componentsschemas_applied_status_type_2

        status = _parse_status(d.pop("status"))

        _problems = d.pop("problems", UNSET)
        problems: list[Refusal] | Unset = UNSET
        if _problems is not UNSET:
            problems = []
            for problems_item_data in _problems:
                problems_item = Refusal.from_dict(problems_item_data)

                problems.append(problems_item)

        applied_role_templates = cls(
            changes=changes,
            events=events,
            status=status,
            problems=problems,
        )

        applied_role_templates.additional_properties = d
        return applied_role_templates

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

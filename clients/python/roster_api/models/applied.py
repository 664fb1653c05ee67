from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.applied_organization import AppliedOrganization
    from ..models.applied_role_templates import AppliedRoleTemplates


T = TypeVar("T", bound="Applied")


@_attrs_define
class Applied:
    """What an apply did, as `roster apply --output json` prints it and `POST /v1/apply` answers.

    Attributes:
        complete (bool): Whether every organization's part was applied (else see each one's `status`).
        document_sha256 (str):
        events (int): Events appended, in all.
        object_ (str): `apply`.
        organizations (list[AppliedOrganization]):
        plan_position (int): The position the plan was computed at.
        source (str):
        position (int | None | Unset): The last event's position: pass it as `min_position` to read what was applied.
        role_templates (AppliedRoleTemplates | None | Unset): The organization template's part, when the plan changes
            it.
    """

    complete: bool
    document_sha256: str
    events: int
    object_: str
    organizations: list[AppliedOrganization]
    plan_position: int
    source: str
    position: int | None | Unset = UNSET
    role_templates: AppliedRoleTemplates | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.applied_role_templates import AppliedRoleTemplates

        complete = self.complete

        document_sha256 = self.document_sha256

        events = self.events

        object_ = self.object_

        organizations = []
        for organizations_item_data in self.organizations:
            organizations_item = organizations_item_data.to_dict()
            organizations.append(organizations_item)

        plan_position = self.plan_position

        source = self.source

        position: int | None | Unset
        if isinstance(self.position, Unset):
            position = UNSET
        else:
            position = self.position

        role_templates: dict[str, Any] | None | Unset
        if isinstance(self.role_templates, Unset):
            role_templates = UNSET
        elif isinstance(self.role_templates, AppliedRoleTemplates):
            role_templates = self.role_templates.to_dict()
        else:
            role_templates = self.role_templates

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "complete": complete,
                "document_sha256": document_sha256,
                "events": events,
                "object": object_,
                "organizations": organizations,
                "plan_position": plan_position,
                "source": source,
            }
        )
        if position is not UNSET:
            field_dict["position"] = position
        if role_templates is not UNSET:
            field_dict["role_templates"] = role_templates

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.applied_organization import AppliedOrganization
        from ..models.applied_role_templates import AppliedRoleTemplates

        d = dict(src_dict)
        complete = d.pop("complete")

        document_sha256 = d.pop("document_sha256")

        events = d.pop("events")

        object_ = d.pop("object")

        organizations = []
        _organizations = d.pop("organizations")
        for organizations_item_data in _organizations:
            organizations_item = AppliedOrganization.from_dict(organizations_item_data)

            organizations.append(organizations_item)

        plan_position = d.pop("plan_position")

        source = d.pop("source")

        def _parse_position(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        position = _parse_position(d.pop("position", UNSET))

        def _parse_role_templates(data: object) -> AppliedRoleTemplates | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                role_templates_type_0 = AppliedRoleTemplates.from_dict(data)

                return role_templates_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AppliedRoleTemplates | None | Unset, data)

        role_templates = _parse_role_templates(d.pop("role_templates", UNSET))

        applied = cls(
            complete=complete,
            document_sha256=document_sha256,
            events=events,
            object_=object_,
            organizations=organizations,
            plan_position=plan_position,
            source=source,
            position=position,
            role_templates=role_templates,
        )

        applied.additional_properties = d
        return applied

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

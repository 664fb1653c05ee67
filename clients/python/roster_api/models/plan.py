from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.organization_plan import OrganizationPlan
    from ..models.plan_change import PlanChange


T = TypeVar("T", bound="Plan")


@_attrs_define
class Plan:
    """A plan: the changes, the log position the state was read at, and what they came from.

    Attributes:
        document_sha256 (str): The SHA-256 of the document's bytes, recorded with every change it makes.
        object_ (str): `plan`.
        organizations (list[OrganizationPlan]):
        position (int): The projector's position the organizations were read at: applying refuses an organization
            that changed after it.
        source (str): What the changes are marked with (`managed_by`).
        role_templates (list[PlanChange] | Unset): The organization template's roles it creates or updates (admin keys
            only).
    """

    document_sha256: str
    object_: str
    organizations: list[OrganizationPlan]
    position: int
    source: str
    role_templates: list[PlanChange] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        document_sha256 = self.document_sha256

        object_ = self.object_

        organizations = []
        for organizations_item_data in self.organizations:
            organizations_item = organizations_item_data.to_dict()
            organizations.append(organizations_item)

        position = self.position

        source = self.source

        role_templates: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.role_templates, Unset):
            role_templates = []
            for role_templates_item_data in self.role_templates:
                role_templates_item = role_templates_item_data.to_dict()
                role_templates.append(role_templates_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "document_sha256": document_sha256,
                "object": object_,
                "organizations": organizations,
                "position": position,
                "source": source,
            }
        )
        if role_templates is not UNSET:
            field_dict["role_templates"] = role_templates

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.organization_plan import OrganizationPlan
        from ..models.plan_change import PlanChange

        d = dict(src_dict)
        document_sha256 = d.pop("document_sha256")

        object_ = d.pop("object")

        organizations = []
        _organizations = d.pop("organizations")
        for organizations_item_data in _organizations:
            organizations_item = OrganizationPlan.from_dict(organizations_item_data)

            organizations.append(organizations_item)

        position = d.pop("position")

        source = d.pop("source")

        _role_templates = d.pop("role_templates", UNSET)
        role_templates: list[PlanChange] | Unset = UNSET
        if _role_templates is not UNSET:
            role_templates = []
            for role_templates_item_data in _role_templates:
                role_templates_item = PlanChange.from_dict(role_templates_item_data)

                role_templates.append(role_templates_item)

        plan = cls(
            document_sha256=document_sha256,
            object_=object_,
            organizations=organizations,
            position=position,
            source=source,
            role_templates=role_templates,
        )

        plan.additional_properties = d
        return plan

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

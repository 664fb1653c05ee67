from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.document_organization import DocumentOrganization
    from ..models.document_role import DocumentRole


T = TypeVar("T", bound="RosterDocument")


@_attrs_define
class RosterDocument:
    """What `roster plan`, `roster apply` and `roster export` read and write.

    Attributes:
        organizations (list[DocumentOrganization] | None | Unset): The organizations (`null` is none).
        role_templates (list[DocumentRole] | None | Unset): Roles of the organization template, which every organization
            offers (created or
            updated; never removed by a document). Admin keys only.
        source (None | str | Unset): Who manages what this document creates or updates: objects are marked with it
            (`managed_by`), and `--prune` removes only objects this source manages. Default `apply`.
    """

    organizations: list[DocumentOrganization] | None | Unset = UNSET
    role_templates: list[DocumentRole] | None | Unset = UNSET
    source: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        organizations: list[dict[str, Any]] | None | Unset
        if isinstance(self.organizations, Unset):
            organizations = UNSET
        elif isinstance(self.organizations, list):
            organizations = []
            for organizations_type_0_item_data in self.organizations:
                organizations_type_0_item = organizations_type_0_item_data.to_dict()
                organizations.append(organizations_type_0_item)

        else:
            organizations = self.organizations

        role_templates: list[dict[str, Any]] | None | Unset
        if isinstance(self.role_templates, Unset):
            role_templates = UNSET
        elif isinstance(self.role_templates, list):
            role_templates = []
            for role_templates_type_0_item_data in self.role_templates:
                role_templates_type_0_item = role_templates_type_0_item_data.to_dict()
                role_templates.append(role_templates_type_0_item)

        else:
            role_templates = self.role_templates

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        else:
            source = self.source

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if organizations is not UNSET:
            field_dict["organizations"] = organizations
        if role_templates is not UNSET:
            field_dict["role_templates"] = role_templates
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.document_organization import DocumentOrganization
        from ..models.document_role import DocumentRole

        d = dict(src_dict)

        def _parse_organizations(
            data: object,
        ) -> list[DocumentOrganization] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                organizations_type_0 = []
                _organizations_type_0 = data
                for organizations_type_0_item_data in _organizations_type_0:
                    organizations_type_0_item = DocumentOrganization.from_dict(
                        organizations_type_0_item_data
                    )

                    organizations_type_0.append(organizations_type_0_item)

                return organizations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[DocumentOrganization] | None | Unset, data)

        organizations = _parse_organizations(d.pop("organizations", UNSET))

        def _parse_role_templates(data: object) -> list[DocumentRole] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                role_templates_type_0 = []
                _role_templates_type_0 = data
                for role_templates_type_0_item_data in _role_templates_type_0:
                    role_templates_type_0_item = DocumentRole.from_dict(
                        role_templates_type_0_item_data
                    )

                    role_templates_type_0.append(role_templates_type_0_item)

                return role_templates_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[DocumentRole] | None | Unset, data)

        role_templates = _parse_role_templates(d.pop("role_templates", UNSET))

        def _parse_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        roster_document = cls(
            organizations=organizations,
            role_templates=role_templates,
            source=source,
        )

        return roster_document

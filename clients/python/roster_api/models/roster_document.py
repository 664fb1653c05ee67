from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.document_organization_type_0 import DocumentOrganizationType0
    from ..models.document_organization_type_1 import DocumentOrganizationType1


T = TypeVar("T", bound="RosterDocument")


@_attrs_define
class RosterDocument:
    """What `roster plan`, `roster apply` and `roster export` read and write.

    Attributes:
        organizations (list[DocumentOrganizationType0 | DocumentOrganizationType1] | None | Unset): The organizations
            (`null` is none).
        source (None | str | Unset): Who manages what this document creates or updates: objects are marked with it
            (`managed_by`), and `--prune` removes only objects this source manages. Default `apply`.
    """

    organizations: (
        list[DocumentOrganizationType0 | DocumentOrganizationType1] | None | Unset
    ) = UNSET
    source: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.document_organization_type_0 import DocumentOrganizationType0

        organizations: list[dict[str, Any]] | None | Unset
        if isinstance(self.organizations, Unset):
            organizations = UNSET
        elif isinstance(self.organizations, list):
            organizations = []
            for organizations_type_0_item_data in self.organizations:
                organizations_type_0_item: dict[str, Any]
                if isinstance(
                    organizations_type_0_item_data, DocumentOrganizationType0
                ):
                    organizations_type_0_item = organizations_type_0_item_data.to_dict()
                else:
                    organizations_type_0_item = organizations_type_0_item_data.to_dict()

                organizations.append(organizations_type_0_item)

        else:
            organizations = self.organizations

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        else:
            source = self.source

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if organizations is not UNSET:
            field_dict["organizations"] = organizations
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.document_organization_type_0 import DocumentOrganizationType0
        from ..models.document_organization_type_1 import DocumentOrganizationType1

        d = dict(src_dict)

        def _parse_organizations(
            data: object,
        ) -> list[DocumentOrganizationType0 | DocumentOrganizationType1] | None | Unset:
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

                    def _parse_organizations_type_0_item(
                        data: object,
                    ) -> DocumentOrganizationType0 | DocumentOrganizationType1:
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            componentsschemas_document_organization_type_0 = (
                                DocumentOrganizationType0.from_dict(data)
                            )

                            return componentsschemas_document_organization_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_document_organization_type_1 = (
                            DocumentOrganizationType1.from_dict(data)
                        )

                        return componentsschemas_document_organization_type_1

                    organizations_type_0_item = _parse_organizations_type_0_item(
                        organizations_type_0_item_data
                    )

                    organizations_type_0.append(organizations_type_0_item)

                return organizations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                list[DocumentOrganizationType0 | DocumentOrganizationType1]
                | None
                | Unset,
                data,
            )

        organizations = _parse_organizations(d.pop("organizations", UNSET))

        def _parse_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        roster_document = cls(
            organizations=organizations,
            source=source,
        )

        return roster_document

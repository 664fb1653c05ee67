from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.collection_of_document_domain_type_2 import (
        CollectionOfDocumentDomainType2,
    )
    from ..models.collection_of_document_group_type_2 import (
        CollectionOfDocumentGroupType2,
    )
    from ..models.collection_of_document_invitation_type_2 import (
        CollectionOfDocumentInvitationType2,
    )
    from ..models.collection_of_document_member_type_2 import (
        CollectionOfDocumentMemberType2,
    )
    from ..models.collection_of_document_role_type_2 import (
        CollectionOfDocumentRoleType2,
    )
    from ..models.document_domain import DocumentDomain
    from ..models.document_group import DocumentGroup
    from ..models.document_invitation import DocumentInvitation
    from ..models.document_member import DocumentMember
    from ..models.document_role import DocumentRole
    from ..models.metadata import Metadata


T = TypeVar("T", bound="DocumentOrganization")


@_attrs_define
class DocumentOrganization:
    """An organization, found by its external id (created when there is none).

    Attributes:
        name (str):
        alias (str | Unset):
        description (None | str | Unset):
        domains (CollectionOfDocumentDomainType2 | list[DocumentDomain] | None | Unset):
        external_id (str | Unset):
        groups (CollectionOfDocumentGroupType2 | list[DocumentGroup] | None | Unset):
        invitations (CollectionOfDocumentInvitationType2 | list[DocumentInvitation] | None | Unset):
        max_members (int | None | Unset): The seat limit (active members at most). Left out: unchanged (unlimited for a
            new
            organization).
        members (CollectionOfDocumentMemberType2 | list[DocumentMember] | None | Unset):
        metadata (Metadata | None | Unset):
        roles (CollectionOfDocumentRoleType2 | list[DocumentRole] | None | Unset):
        template_roles (list[str] | None | Unset): The organization template's roles it offers (`member` among them).
            Left out: unchanged
            (all of them for a new organization).
    """

    name: str
    alias: str | Unset = UNSET
    description: None | str | Unset = UNSET
    domains: CollectionOfDocumentDomainType2 | list[DocumentDomain] | None | Unset = (
        UNSET
    )
    external_id: str | Unset = UNSET
    groups: CollectionOfDocumentGroupType2 | list[DocumentGroup] | None | Unset = UNSET
    invitations: (
        CollectionOfDocumentInvitationType2 | list[DocumentInvitation] | None | Unset
    ) = UNSET
    max_members: int | None | Unset = UNSET
    members: CollectionOfDocumentMemberType2 | list[DocumentMember] | None | Unset = (
        UNSET
    )
    metadata: Metadata | None | Unset = UNSET
    roles: CollectionOfDocumentRoleType2 | list[DocumentRole] | None | Unset = UNSET
    template_roles: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.collection_of_document_domain_type_2 import (
            CollectionOfDocumentDomainType2,
        )
        from ..models.collection_of_document_group_type_2 import (
            CollectionOfDocumentGroupType2,
        )
        from ..models.collection_of_document_invitation_type_2 import (
            CollectionOfDocumentInvitationType2,
        )
        from ..models.collection_of_document_member_type_2 import (
            CollectionOfDocumentMemberType2,
        )
        from ..models.collection_of_document_role_type_2 import (
            CollectionOfDocumentRoleType2,
        )
        from ..models.metadata import Metadata

        name = self.name

        alias = self.alias

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        domains: dict[str, Any] | list[dict[str, Any]] | None | Unset
        if isinstance(self.domains, Unset):
            domains = UNSET
        elif isinstance(self.domains, list):
            domains = []
            for (
                componentsschemas_collection_of_document_domain_type_0_item_data
            ) in self.domains:
                componentsschemas_collection_of_document_domain_type_0_item = componentsschemas_collection_of_document_domain_type_0_item_data.to_dict()
                domains.append(
                    componentsschemas_collection_of_document_domain_type_0_item
                )

        elif isinstance(self.domains, CollectionOfDocumentDomainType2):
            domains = self.domains.to_dict()
        else:
            domains = self.domains

        external_id = self.external_id

        groups: dict[str, Any] | list[dict[str, Any]] | None | Unset
        if isinstance(self.groups, Unset):
            groups = UNSET
        elif isinstance(self.groups, list):
            groups = []
            for (
                componentsschemas_collection_of_document_group_type_0_item_data
            ) in self.groups:
                componentsschemas_collection_of_document_group_type_0_item = componentsschemas_collection_of_document_group_type_0_item_data.to_dict()
                groups.append(
                    componentsschemas_collection_of_document_group_type_0_item
                )

        elif isinstance(self.groups, CollectionOfDocumentGroupType2):
            groups = self.groups.to_dict()
        else:
            groups = self.groups

        invitations: dict[str, Any] | list[dict[str, Any]] | None | Unset
        if isinstance(self.invitations, Unset):
            invitations = UNSET
        elif isinstance(self.invitations, list):
            invitations = []
            for (
                componentsschemas_collection_of_document_invitation_type_0_item_data
            ) in self.invitations:
                componentsschemas_collection_of_document_invitation_type_0_item = componentsschemas_collection_of_document_invitation_type_0_item_data.to_dict()
                invitations.append(
                    componentsschemas_collection_of_document_invitation_type_0_item
                )

        elif isinstance(self.invitations, CollectionOfDocumentInvitationType2):
            invitations = self.invitations.to_dict()
        else:
            invitations = self.invitations

        max_members: int | None | Unset
        if isinstance(self.max_members, Unset):
            max_members = UNSET
        else:
            max_members = self.max_members

        members: dict[str, Any] | list[dict[str, Any]] | None | Unset
        if isinstance(self.members, Unset):
            members = UNSET
        elif isinstance(self.members, list):
            members = []
            for (
                componentsschemas_collection_of_document_member_type_0_item_data
            ) in self.members:
                componentsschemas_collection_of_document_member_type_0_item = componentsschemas_collection_of_document_member_type_0_item_data.to_dict()
                members.append(
                    componentsschemas_collection_of_document_member_type_0_item
                )

        elif isinstance(self.members, CollectionOfDocumentMemberType2):
            members = self.members.to_dict()
        else:
            members = self.members

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, Metadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        roles: dict[str, Any] | list[dict[str, Any]] | None | Unset
        if isinstance(self.roles, Unset):
            roles = UNSET
        elif isinstance(self.roles, list):
            roles = []
            for (
                componentsschemas_collection_of_document_role_type_0_item_data
            ) in self.roles:
                componentsschemas_collection_of_document_role_type_0_item = componentsschemas_collection_of_document_role_type_0_item_data.to_dict()
                roles.append(componentsschemas_collection_of_document_role_type_0_item)

        elif isinstance(self.roles, CollectionOfDocumentRoleType2):
            roles = self.roles.to_dict()
        else:
            roles = self.roles

        template_roles: list[str] | None | Unset
        if isinstance(self.template_roles, Unset):
            template_roles = UNSET
        elif isinstance(self.template_roles, list):
            template_roles = self.template_roles

        else:
            template_roles = self.template_roles

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if alias is not UNSET:
            field_dict["alias"] = alias
        if description is not UNSET:
            field_dict["description"] = description
        if domains is not UNSET:
            field_dict["domains"] = domains
        if external_id is not UNSET:
            field_dict["external_id"] = external_id
        if groups is not UNSET:
            field_dict["groups"] = groups
        if invitations is not UNSET:
            field_dict["invitations"] = invitations
        if max_members is not UNSET:
            field_dict["max_members"] = max_members
        if members is not UNSET:
            field_dict["members"] = members
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if roles is not UNSET:
            field_dict["roles"] = roles
        if template_roles is not UNSET:
            field_dict["template_roles"] = template_roles

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.collection_of_document_domain_type_2 import (
            CollectionOfDocumentDomainType2,
        )
        from ..models.collection_of_document_group_type_2 import (
            CollectionOfDocumentGroupType2,
        )
        from ..models.collection_of_document_invitation_type_2 import (
            CollectionOfDocumentInvitationType2,
        )
        from ..models.collection_of_document_member_type_2 import (
            CollectionOfDocumentMemberType2,
        )
        from ..models.collection_of_document_role_type_2 import (
            CollectionOfDocumentRoleType2,
        )
        from ..models.document_domain import DocumentDomain
        from ..models.document_group import DocumentGroup
        from ..models.document_invitation import DocumentInvitation
        from ..models.document_member import DocumentMember
        from ..models.document_role import DocumentRole
        from ..models.metadata import Metadata

        d = dict(src_dict)
        name = d.pop("name")

        alias = d.pop("alias", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_domains(
            data: object,
        ) -> CollectionOfDocumentDomainType2 | list[DocumentDomain] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_collection_of_document_domain_type_0 = []
                _componentsschemas_collection_of_document_domain_type_0 = data
                for (
                    componentsschemas_collection_of_document_domain_type_0_item_data
                ) in _componentsschemas_collection_of_document_domain_type_0:
                    componentsschemas_collection_of_document_domain_type_0_item = DocumentDomain.from_dict(
                        componentsschemas_collection_of_document_domain_type_0_item_data
                    )

                    componentsschemas_collection_of_document_domain_type_0.append(
                        componentsschemas_collection_of_document_domain_type_0_item
                    )

                return componentsschemas_collection_of_document_domain_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_collection_of_document_domain_type_2 = (
                    CollectionOfDocumentDomainType2.from_dict(data)
                )

                return componentsschemas_collection_of_document_domain_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CollectionOfDocumentDomainType2 | list[DocumentDomain] | None | Unset,
                data,
            )

        domains = _parse_domains(d.pop("domains", UNSET))

        external_id = d.pop("external_id", UNSET)

        def _parse_groups(
            data: object,
        ) -> CollectionOfDocumentGroupType2 | list[DocumentGroup] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_collection_of_document_group_type_0 = []
                _componentsschemas_collection_of_document_group_type_0 = data
                for (
                    componentsschemas_collection_of_document_group_type_0_item_data
                ) in _componentsschemas_collection_of_document_group_type_0:
                    componentsschemas_collection_of_document_group_type_0_item = DocumentGroup.from_dict(
                        componentsschemas_collection_of_document_group_type_0_item_data
                    )

                    componentsschemas_collection_of_document_group_type_0.append(
                        componentsschemas_collection_of_document_group_type_0_item
                    )

                return componentsschemas_collection_of_document_group_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_collection_of_document_group_type_2 = (
                    CollectionOfDocumentGroupType2.from_dict(data)
                )

                return componentsschemas_collection_of_document_group_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CollectionOfDocumentGroupType2 | list[DocumentGroup] | None | Unset,
                data,
            )

        groups = _parse_groups(d.pop("groups", UNSET))

        def _parse_invitations(
            data: object,
        ) -> (
            CollectionOfDocumentInvitationType2
            | list[DocumentInvitation]
            | None
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_collection_of_document_invitation_type_0 = []
                _componentsschemas_collection_of_document_invitation_type_0 = data
                for (
                    componentsschemas_collection_of_document_invitation_type_0_item_data
                ) in _componentsschemas_collection_of_document_invitation_type_0:
                    componentsschemas_collection_of_document_invitation_type_0_item = DocumentInvitation.from_dict(
                        componentsschemas_collection_of_document_invitation_type_0_item_data
                    )

                    componentsschemas_collection_of_document_invitation_type_0.append(
                        componentsschemas_collection_of_document_invitation_type_0_item
                    )

                return componentsschemas_collection_of_document_invitation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_collection_of_document_invitation_type_2 = (
                    CollectionOfDocumentInvitationType2.from_dict(data)
                )

                return componentsschemas_collection_of_document_invitation_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CollectionOfDocumentInvitationType2
                | list[DocumentInvitation]
                | None
                | Unset,
                data,
            )

        invitations = _parse_invitations(d.pop("invitations", UNSET))

        def _parse_max_members(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_members = _parse_max_members(d.pop("max_members", UNSET))

        def _parse_members(
            data: object,
        ) -> CollectionOfDocumentMemberType2 | list[DocumentMember] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_collection_of_document_member_type_0 = []
                _componentsschemas_collection_of_document_member_type_0 = data
                for (
                    componentsschemas_collection_of_document_member_type_0_item_data
                ) in _componentsschemas_collection_of_document_member_type_0:
                    componentsschemas_collection_of_document_member_type_0_item = DocumentMember.from_dict(
                        componentsschemas_collection_of_document_member_type_0_item_data
                    )

                    componentsschemas_collection_of_document_member_type_0.append(
                        componentsschemas_collection_of_document_member_type_0_item
                    )

                return componentsschemas_collection_of_document_member_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_collection_of_document_member_type_2 = (
                    CollectionOfDocumentMemberType2.from_dict(data)
                )

                return componentsschemas_collection_of_document_member_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CollectionOfDocumentMemberType2 | list[DocumentMember] | None | Unset,
                data,
            )

        members = _parse_members(d.pop("members", UNSET))

        def _parse_metadata(data: object) -> Metadata | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = Metadata.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_roles(
            data: object,
        ) -> CollectionOfDocumentRoleType2 | list[DocumentRole] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_collection_of_document_role_type_0 = []
                _componentsschemas_collection_of_document_role_type_0 = data
                for (
                    componentsschemas_collection_of_document_role_type_0_item_data
                ) in _componentsschemas_collection_of_document_role_type_0:
                    componentsschemas_collection_of_document_role_type_0_item = DocumentRole.from_dict(
                        componentsschemas_collection_of_document_role_type_0_item_data
                    )

                    componentsschemas_collection_of_document_role_type_0.append(
                        componentsschemas_collection_of_document_role_type_0_item
                    )

                return componentsschemas_collection_of_document_role_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_collection_of_document_role_type_2 = (
                    CollectionOfDocumentRoleType2.from_dict(data)
                )

                return componentsschemas_collection_of_document_role_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CollectionOfDocumentRoleType2 | list[DocumentRole] | None | Unset, data
            )

        roles = _parse_roles(d.pop("roles", UNSET))

        def _parse_template_roles(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                template_roles_type_0 = cast(list[str], data)

                return template_roles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        template_roles = _parse_template_roles(d.pop("template_roles", UNSET))

        document_organization = cls(
            name=name,
            alias=alias,
            description=description,
            domains=domains,
            external_id=external_id,
            groups=groups,
            invitations=invitations,
            max_members=max_members,
            members=members,
            metadata=metadata,
            roles=roles,
            template_roles=template_roles,
        )

        return document_organization

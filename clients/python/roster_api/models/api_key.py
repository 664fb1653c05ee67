from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKey")


@_attrs_define
class ApiKey:
    """A key as the API shows it; `secret` only in the answer that created it.

    Attributes:
        created_at (datetime.datetime):
        expires_at (datetime.datetime | None): After this the key no longer authenticates.
        id (str):
        name (str): What the key is for, as its creator named it.
        object_ (str): `api_key`.
        organization_id (None | str): Set for an organization key: it reaches that organization's objects only.
        prefix (str): The first characters of the secret, to tell keys apart (`rk_live_AbCd`).
        read_only (bool): A read-only key may not run commands.
        revoked_at (datetime.datetime | None):
        secret (None | str | Unset): `rk_live_…`: shown this once.
    """

    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    id: str
    name: str
    object_: str
    organization_id: None | str
    prefix: str
    read_only: bool
    revoked_at: datetime.datetime | None
    secret: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        id = self.id

        name = self.name

        object_ = self.object_

        organization_id: None | str
        organization_id = self.organization_id

        prefix = self.prefix

        read_only = self.read_only

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "expires_at": expires_at,
                "id": id,
                "name": name,
                "object": object_,
                "organization_id": organization_id,
                "prefix": prefix,
                "read_only": read_only,
                "revoked_at": revoked_at,
            }
        )
        if secret is not UNSET:
            field_dict["secret"] = secret

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        id = d.pop("id")

        name = d.pop("name")

        object_ = d.pop("object")

        def _parse_organization_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organization_id = _parse_organization_id(d.pop("organization_id"))

        prefix = d.pop("prefix")

        read_only = d.pop("read_only")

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        api_key = cls(
            created_at=created_at,
            expires_at=expires_at,
            id=id,
            name=name,
            object_=object_,
            organization_id=organization_id,
            prefix=prefix,
            read_only=read_only,
            revoked_at=revoked_at,
            secret=secret,
        )

        api_key.additional_properties = d
        return api_key

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="WebhookSecretRotate")


@_attrs_define
class WebhookSecretRotate:
    """
    Attributes:
        key (str): The new signing secret; one is made when left out.
    """

    key: str

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key")

        webhook_secret_rotate = cls(
            key=key,
        )

        return webhook_secret_rotate

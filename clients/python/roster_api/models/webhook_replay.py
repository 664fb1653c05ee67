from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookReplay")


@_attrs_define
class WebhookReplay:
    """
    Attributes:
        from_position (int):
        to_position (int | None | Unset): Up to the end of the log when left out.
    """

    from_position: int
    to_position: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from_position = self.from_position

        to_position: int | None | Unset
        if isinstance(self.to_position, Unset):
            to_position = UNSET
        else:
            to_position = self.to_position

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from_position": from_position,
            }
        )
        if to_position is not UNSET:
            field_dict["to_position"] = to_position

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        from_position = d.pop("from_position")

        def _parse_to_position(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        to_position = _parse_to_position(d.pop("to_position", UNSET))

        webhook_replay = cls(
            from_position=from_position,
            to_position=to_position,
        )

        return webhook_replay

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DeliveryAttempt")


@_attrs_define
class DeliveryAttempt:
    """
    Attributes:
        attempted_at (datetime.datetime):
        error (None | str):
        error_kind (None | str):
        id (str):
        latency_ms (int):
        response_excerpt (None | str): The first 4 KiB of the receiver's answer: as text when it is UTF-8 without a NUL,
            otherwise base64 (see `response_excerpt_encoding`).
        response_excerpt_encoding (Literal['base64'] | Literal['text'] | None):
        status_code (int | None):
    """

    attempted_at: datetime.datetime
    error: None | str
    error_kind: None | str
    id: str
    latency_ms: int
    response_excerpt: None | str
    response_excerpt_encoding: Literal["base64", "text"] | None
    status_code: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempted_at = self.attempted_at.isoformat()

        error: None | str
        error = self.error

        error_kind: None | str
        error_kind = self.error_kind

        id = self.id

        latency_ms = self.latency_ms

        response_excerpt: None | str
        response_excerpt = self.response_excerpt

        response_excerpt_encoding: Literal["base64", "text"] | None
        response_excerpt_encoding = self.response_excerpt_encoding

        status_code: int | None
        status_code = self.status_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempted_at": attempted_at,
                "error": error,
                "error_kind": error_kind,
                "id": id,
                "latency_ms": latency_ms,
                "response_excerpt": response_excerpt,
                "response_excerpt_encoding": response_excerpt_encoding,
                "status_code": status_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        attempted_at = datetime.datetime.fromisoformat(d.pop("attempted_at"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_error_kind(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error_kind = _parse_error_kind(d.pop("error_kind"))

        id = d.pop("id")

        latency_ms = d.pop("latency_ms")

        def _parse_response_excerpt(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        response_excerpt = _parse_response_excerpt(d.pop("response_excerpt"))

        def _parse_response_excerpt_encoding(
            data: object,
        ) -> Literal["base64", "text"] | None:
            if data is None:
                return data
            componentsschemas_excerpt_encoding_type_0 = cast(Literal["text"], data)
            if componentsschemas_excerpt_encoding_type_0 != "text":
                raise ValueError(
                    f"/components/schemas/ExcerptEncoding_type_0 must match const 'text', got '{componentsschemas_excerpt_encoding_type_0}'"
                )
            return componentsschemas_excerpt_encoding_type_0
            componentsschemas_excerpt_encoding_type_1 = cast(Literal["base64"], data)
            if componentsschemas_excerpt_encoding_type_1 != "base64":
                raise ValueError(
                    f"/components/schemas/ExcerptEncoding_type_1 must match const 'base64', got '{componentsschemas_excerpt_encoding_type_1}'"
                )
            return componentsschemas_excerpt_encoding_type_1
            return cast(Literal["base64", "text"] | None, data)

        response_excerpt_encoding = _parse_response_excerpt_encoding(
            d.pop("response_excerpt_encoding")
        )

        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("status_code"))

        delivery_attempt = cls(
            attempted_at=attempted_at,
            error=error,
            error_kind=error_kind,
            id=id,
            latency_ms=latency_ms,
            response_excerpt=response_excerpt,
            response_excerpt_encoding=response_excerpt_encoding,
            status_code=status_code,
        )

        delivery_attempt.additional_properties = d
        return delivery_attempt

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

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Replay")


@_attrs_define
class Replay:
    """A replay job as stored (and shown by `GET /v1/replays/{id}`).

    Attributes:
        created_at (datetime.datetime):
        error (None | str):
        event_types (list[str]): Empty: every type.
        finished_at (datetime.datetime | None):
        from_position (int):
        id (str):
        object_ (str): Always `replay`.
        organization_id (None | str):
        position (int): The checkpoint: every event up to here has been handed to the sink.
        runner (str): Who runs it: `dispatcher` (made over HTTP) or `cli` (`roster replay`).
        sent (int): Events handed to the sink so far.
        sink (str): `webhook` or `kafka`.
        status (str): `running`, `done` or `failed`.
        target (str): The webhook endpoint's id, or the Kafka topic.
        to_position (int):
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    error: None | str
    event_types: list[str]
    finished_at: datetime.datetime | None
    from_position: int
    id: str
    object_: str
    organization_id: None | str
    position: int
    runner: str
    sent: int
    sink: str
    status: str
    target: str
    to_position: int
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        error: None | str
        error = self.error

        event_types = self.event_types

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        from_position = self.from_position

        id = self.id

        object_ = self.object_

        organization_id: None | str
        organization_id = self.organization_id

        position = self.position

        runner = self.runner

        sent = self.sent

        sink = self.sink

        status = self.status

        target = self.target

        to_position = self.to_position

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "error": error,
                "event_types": event_types,
                "finished_at": finished_at,
                "from_position": from_position,
                "id": id,
                "object": object_,
                "organization_id": organization_id,
                "position": position,
                "runner": runner,
                "sent": sent,
                "sink": sink,
                "status": status,
                "target": target,
                "to_position": to_position,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        event_types = cast(list[str], d.pop("event_types"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        from_position = d.pop("from_position")

        id = d.pop("id")

        object_ = d.pop("object")

        def _parse_organization_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organization_id = _parse_organization_id(d.pop("organization_id"))

        position = d.pop("position")

        runner = d.pop("runner")

        sent = d.pop("sent")

        sink = d.pop("sink")

        status = d.pop("status")

        target = d.pop("target")

        to_position = d.pop("to_position")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        replay = cls(
            created_at=created_at,
            error=error,
            event_types=event_types,
            finished_at=finished_at,
            from_position=from_position,
            id=id,
            object_=object_,
            organization_id=organization_id,
            position=position,
            runner=runner,
            sent=sent,
            sink=sink,
            status=status,
            target=target,
            to_position=to_position,
            updated_at=updated_at,
        )

        replay.additional_properties = d
        return replay

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

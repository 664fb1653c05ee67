from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.actor import Actor
    from ..models.aggregate_ref import AggregateRef
    from ..models.template_role import TemplateRole


T = TypeVar("T", bound="RoleTemplateDeletedEvent")


@_attrs_define
class RoleTemplateDeletedEvent:
    """
    Attributes:
        actor (Actor): Who caused a change. Stored in every event's metadata.
        aggregate (AggregateRef): The object an event changed: its stream and its version after the event.
        data (TemplateRole): A role of the template, as consumers see it.
        id (str): The event's id (`evt_…`).
        occurred_at (datetime.datetime): When it was recorded.
        organization_id (None | str): The organization it belongs to, if any.
        position (int): Its position in the log.
        type_ (Literal['role_template.deleted']): The event type.
    """

    actor: Actor
    aggregate: AggregateRef
    data: TemplateRole
    id: str
    occurred_at: datetime.datetime
    organization_id: None | str
    position: int
    type_: Literal["role_template.deleted"]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor.to_dict()

        aggregate = self.aggregate.to_dict()

        data = self.data.to_dict()

        id = self.id

        occurred_at = self.occurred_at.isoformat()

        organization_id: None | str
        organization_id = self.organization_id

        position = self.position

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "aggregate": aggregate,
                "data": data,
                "id": id,
                "occurred_at": occurred_at,
                "organization_id": organization_id,
                "position": position,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.actor import Actor
        from ..models.aggregate_ref import AggregateRef
        from ..models.template_role import TemplateRole

        d = dict(src_dict)
        actor = Actor.from_dict(d.pop("actor"))

        aggregate = AggregateRef.from_dict(d.pop("aggregate"))

        data = TemplateRole.from_dict(d.pop("data"))

        id = d.pop("id")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        def _parse_organization_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organization_id = _parse_organization_id(d.pop("organization_id"))

        position = d.pop("position")

        type_ = cast(Literal["role_template.deleted"], d.pop("type"))
        if type_ != "role_template.deleted":
            raise ValueError(
                f"type must match const 'role_template.deleted', got '{type_}'"
            )

        role_template_deleted_event = cls(
            actor=actor,
            aggregate=aggregate,
            data=data,
            id=id,
            occurred_at=occurred_at,
            organization_id=organization_id,
            position=position,
            type_=type_,
        )

        role_template_deleted_event.additional_properties = d
        return role_template_deleted_event

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

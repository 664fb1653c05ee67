from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.mode import Mode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.document_domain import DocumentDomain


T = TypeVar("T", bound="CollectionOfDocumentDomainType2")


@_attrs_define
class CollectionOfDocumentDomainType2:
    """
    Attributes:
        items (list[DocumentDomain]):
        mode (Mode | Unset):
    """

    items: list[DocumentDomain]
    mode: Mode | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "items": items,
            }
        )
        if mode is not UNSET:
            field_dict["mode"] = mode

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.document_domain import DocumentDomain

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = DocumentDomain.from_dict(items_item_data)

            items.append(items_item)

        _mode = d.pop("mode", UNSET)
        mode: Mode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = Mode(_mode)

        collection_of_document_domain_type_2 = cls(
            items=items,
            mode=mode,
        )

        return collection_of_document_domain_type_2

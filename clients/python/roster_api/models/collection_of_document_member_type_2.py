from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.mode import Mode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.document_member_type_0 import DocumentMemberType0
    from ..models.document_member_type_1 import DocumentMemberType1
    from ..models.document_member_type_2 import DocumentMemberType2


T = TypeVar("T", bound="CollectionOfDocumentMemberType2")


@_attrs_define
class CollectionOfDocumentMemberType2:
    """
    Attributes:
        items (list[DocumentMemberType0 | DocumentMemberType1 | DocumentMemberType2]):
        mode (Mode | Unset):
    """

    items: list[DocumentMemberType0 | DocumentMemberType1 | DocumentMemberType2]
    mode: Mode | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.document_member_type_0 import DocumentMemberType0
        from ..models.document_member_type_1 import DocumentMemberType1

        items = []
        for items_item_data in self.items:
            items_item: dict[str, Any]
            if isinstance(items_item_data, DocumentMemberType0) or isinstance(
                items_item_data, DocumentMemberType1
            ):
                items_item = items_item_data.to_dict()
            else:
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
        from ..models.document_member_type_0 import DocumentMemberType0
        from ..models.document_member_type_1 import DocumentMemberType1
        from ..models.document_member_type_2 import DocumentMemberType2

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:

            def _parse_items_item(
                data: object,
            ) -> DocumentMemberType0 | DocumentMemberType1 | DocumentMemberType2:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_document_member_type_0 = (
                        DocumentMemberType0.from_dict(data)
                    )

                    return componentsschemas_document_member_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_document_member_type_1 = (
                        DocumentMemberType1.from_dict(data)
                    )

                    return componentsschemas_document_member_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_document_member_type_2 = (
                    DocumentMemberType2.from_dict(data)
                )

                return componentsschemas_document_member_type_2

            items_item = _parse_items_item(items_item_data)

            items.append(items_item)

        _mode = d.pop("mode", UNSET)
        mode: Mode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = Mode(_mode)

        collection_of_document_member_type_2 = cls(
            items=items,
            mode=mode,
        )

        return collection_of_document_member_type_2

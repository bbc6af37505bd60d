from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.end_event_event import EndEventEvent, check_end_event_event

T = TypeVar("T", bound="EndEvent")


@_attrs_define
class EndEvent:
    """
    Attributes:
        event (EndEventEvent):
        id (str): a resume cursor: reconnect with it as Last-Event-ID Example: 3.running.2.
        data (str):
    """

    event: EndEventEvent
    id: str
    data: str

    def to_dict(self) -> dict[str, Any]:
        event: str = self.event

        id = self.id

        data = self.data

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event": event,
                "id": id,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event = check_end_event_event(d.pop("event"))

        id = d.pop("id")

        data = d.pop("data")

        end_event = cls(
            event=event,
            id=id,
            data=data,
        )

        return end_event

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.status_event_event import StatusEventEvent, check_status_event_event

T = TypeVar("T", bound="StatusEvent")


@_attrs_define
class StatusEvent:
    """
    Attributes:
        event (StatusEventEvent):
        id (str): a resume cursor: reconnect with it as Last-Event-ID Example: 3.running.2.
        data (str):
    """

    event: StatusEventEvent
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
        event = check_status_event_event(d.pop("event"))

        id = d.pop("id")

        data = d.pop("data")

        status_event = cls(
            event=event,
            id=id,
            data=data,
        )

        return status_event

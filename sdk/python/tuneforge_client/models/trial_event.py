from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.trial_event_event import TrialEventEvent, check_trial_event_event

T = TypeVar("T", bound="TrialEvent")


@_attrs_define
class TrialEvent:
    """
    Attributes:
        event (TrialEventEvent):
        id (str): a resume cursor: reconnect with it as Last-Event-ID Example: 3.running.2.
        data (str):
    """

    event: TrialEventEvent
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
        event = check_trial_event_event(d.pop("event"))

        id = d.pop("id")

        data = d.pop("data")

        trial_event = cls(
            event=event,
            id=id,
            data=data,
        )

        return trial_event

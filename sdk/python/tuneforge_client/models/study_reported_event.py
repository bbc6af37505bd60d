from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.study_reported_event_event import StudyReportedEventEvent, check_study_reported_event_event

T = TypeVar("T", bound="StudyReportedEvent")


@_attrs_define
class StudyReportedEvent:
    """
    Attributes:
        event (StudyReportedEventEvent):
        id (str): a resume cursor: reconnect with it as Last-Event-ID Example: 7.
        data (str):
    """

    event: StudyReportedEventEvent
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
        event = check_study_reported_event_event(d.pop("event"))

        id = d.pop("id")

        data = d.pop("data")

        study_reported_event = cls(
            event=event,
            id=id,
            data=data,
        )

        return study_reported_event

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.study_reported_state import StudyReportedState, check_study_reported_state

T = TypeVar("T", bound="StudyReported")


@_attrs_define
class StudyReported:
    """
    Attributes:
        number (int):
        state (StudyReportedState):
        value (float | None):
        error (None | str):
    """

    number: int
    state: StudyReportedState
    value: float | None
    error: None | str

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        state: str = self.state

        value: float | None
        value = self.value

        error: None | str
        error = self.error

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "number": number,
                "state": state,
                "value": value,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        number = d.pop("number")

        state = check_study_reported_state(d.pop("state"))

        def _parse_value(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        value = _parse_value(d.pop("value"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        study_reported = cls(
            number=number,
            state=state,
            value=value,
            error=error,
        )

        return study_reported

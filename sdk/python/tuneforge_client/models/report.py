from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.report_state import ReportState, check_report_state
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.intermediate import Intermediate


T = TypeVar("T", bound="Report")


@_attrs_define
class Report:
    """
    Attributes:
        value (float | Unset): the objective's value (finite)
        state (ReportState | Unset): default succeeded (with a value)
        error (None | str | Unset):
        intermediate (Intermediate | Unset):
    """

    value: float | Unset = UNSET
    state: ReportState | Unset = UNSET
    error: None | str | Unset = UNSET
    intermediate: Intermediate | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        intermediate: dict[str, Any] | Unset = UNSET
        if not isinstance(self.intermediate, Unset):
            intermediate = self.intermediate.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if value is not UNSET:
            field_dict["value"] = value
        if state is not UNSET:
            field_dict["state"] = state
        if error is not UNSET:
            field_dict["error"] = error
        if intermediate is not UNSET:
            field_dict["intermediate"] = intermediate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.intermediate import Intermediate  # noqa: PLC0415

        d = dict(src_dict)
        value = d.pop("value", UNSET)

        _state = d.pop("state", UNSET)
        state: ReportState | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = check_report_state(_state)

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        _intermediate = d.pop("intermediate", UNSET)
        intermediate: Intermediate | Unset
        if isinstance(_intermediate, Unset):
            intermediate = UNSET
        else:
            intermediate = Intermediate.from_dict(_intermediate)

        report = cls(
            value=value,
            state=state,
            error=error,
            intermediate=intermediate,
        )

        return report

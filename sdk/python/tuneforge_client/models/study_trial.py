from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.study_trial_state import StudyTrialState, check_study_trial_state

if TYPE_CHECKING:
    from ..models.study_trial_params import StudyTrialParams


T = TypeVar("T", bound="StudyTrial")


@_attrs_define
class StudyTrial:
    """
    Attributes:
        number (int):
        params (StudyTrialParams):
        state (StudyTrialState): leased (being evaluated), succeeded, failed or pruned
        value (float | None):
        intermediate (list[list[float]]): [[step, value], ...] as reported
        error (None | str):
        lease_expires_at (datetime.datetime | None):
        leases (int): times handed out (more than 1: a lease lapsed)
        started_at (datetime.datetime):
        finished_at (datetime.datetime | None):
    """

    number: int
    params: StudyTrialParams
    state: StudyTrialState
    value: float | None
    intermediate: list[list[float]]
    error: None | str
    lease_expires_at: datetime.datetime | None
    leases: int
    started_at: datetime.datetime
    finished_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        params = self.params.to_dict()

        state: str = self.state

        value: float | None
        value = self.value

        intermediate = []
        for intermediate_item_data in self.intermediate:
            intermediate_item = intermediate_item_data

            intermediate.append(intermediate_item)

        error: None | str
        error = self.error

        lease_expires_at: None | str
        if isinstance(self.lease_expires_at, datetime.datetime):
            lease_expires_at = self.lease_expires_at.isoformat()
        else:
            lease_expires_at = self.lease_expires_at

        leases = self.leases

        started_at = self.started_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "number": number,
                "params": params,
                "state": state,
                "value": value,
                "intermediate": intermediate,
                "error": error,
                "lease_expires_at": lease_expires_at,
                "leases": leases,
                "started_at": started_at,
                "finished_at": finished_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.study_trial_params import StudyTrialParams  # noqa: PLC0415

        d = dict(src_dict)
        number = d.pop("number")

        params = StudyTrialParams.from_dict(d.pop("params"))

        state = check_study_trial_state(d.pop("state"))

        def _parse_value(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        value = _parse_value(d.pop("value"))

        intermediate = []
        _intermediate = d.pop("intermediate")
        for intermediate_item_data in _intermediate:
            intermediate_item = cast(list[float], intermediate_item_data)

            intermediate.append(intermediate_item)

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_lease_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lease_expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return lease_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        lease_expires_at = _parse_lease_expires_at(d.pop("lease_expires_at"))

        leases = d.pop("leases")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

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

        study_trial = cls(
            number=number,
            params=params,
            state=state,
            value=value,
            intermediate=intermediate,
            error=error,
            lease_expires_at=lease_expires_at,
            leases=leases,
            started_at=started_at,
            finished_at=finished_at,
        )

        return study_trial

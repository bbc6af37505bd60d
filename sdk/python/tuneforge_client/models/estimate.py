from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Estimate")


@_attrs_define
class Estimate:
    """
    Attributes:
        seconds_per_trial (float): one trial: every fold's fit and score
        seconds (float): every trial at the job's max_parallel, then the refit
        trials_in_budget (int | None): how many trials fit in timeout_s (at most n_trials)
    """

    seconds_per_trial: float
    seconds: float
    trials_in_budget: int | None

    def to_dict(self) -> dict[str, Any]:
        seconds_per_trial = self.seconds_per_trial

        seconds = self.seconds

        trials_in_budget: int | None
        trials_in_budget = self.trials_in_budget

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "seconds_per_trial": seconds_per_trial,
                "seconds": seconds,
                "trials_in_budget": trials_in_budget,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        seconds_per_trial = d.pop("seconds_per_trial")

        seconds = d.pop("seconds")

        def _parse_trials_in_budget(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        trials_in_budget = _parse_trials_in_budget(d.pop("trials_in_budget"))

        estimate = cls(
            seconds_per_trial=seconds_per_trial,
            seconds=seconds,
            trials_in_budget=trials_in_budget,
        )

        return estimate

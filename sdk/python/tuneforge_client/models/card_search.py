from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="CardSearch")


@_attrs_define
class CardSearch:
    """
    Attributes:
        strategy (str):
        best_trial (int):
        n_trials (int):
        n_failed_trials (int):
        n_pruned_trials (int):
        stopped_reason (None | str):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
        duration_s (float | None):
        trial_seconds (float | None): fitting and scoring, every trial together
    """

    strategy: str
    best_trial: int
    n_trials: int
    n_failed_trials: int
    n_pruned_trials: int
    stopped_reason: None | str
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    duration_s: float | None
    trial_seconds: float | None

    def to_dict(self) -> dict[str, Any]:
        strategy = self.strategy

        best_trial = self.best_trial

        n_trials = self.n_trials

        n_failed_trials = self.n_failed_trials

        n_pruned_trials = self.n_pruned_trials

        stopped_reason: None | str
        stopped_reason = self.stopped_reason

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        duration_s: float | None
        duration_s = self.duration_s

        trial_seconds: float | None
        trial_seconds = self.trial_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "strategy": strategy,
                "best_trial": best_trial,
                "n_trials": n_trials,
                "n_failed_trials": n_failed_trials,
                "n_pruned_trials": n_pruned_trials,
                "stopped_reason": stopped_reason,
                "started_at": started_at,
                "finished_at": finished_at,
                "duration_s": duration_s,
                "trial_seconds": trial_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        strategy = d.pop("strategy")

        best_trial = d.pop("best_trial")

        n_trials = d.pop("n_trials")

        n_failed_trials = d.pop("n_failed_trials")

        n_pruned_trials = d.pop("n_pruned_trials")

        def _parse_stopped_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stopped_reason = _parse_stopped_reason(d.pop("stopped_reason"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

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

        def _parse_duration_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        duration_s = _parse_duration_s(d.pop("duration_s"))

        def _parse_trial_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        trial_seconds = _parse_trial_seconds(d.pop("trial_seconds"))

        card_search = cls(
            strategy=strategy,
            best_trial=best_trial,
            n_trials=n_trials,
            n_failed_trials=n_failed_trials,
            n_pruned_trials=n_pruned_trials,
            stopped_reason=stopped_reason,
            started_at=started_at,
            finished_at=finished_at,
            duration_s=duration_s,
            trial_seconds=trial_seconds,
        )

        return card_search

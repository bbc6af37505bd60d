from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.new_study_direction import NewStudyDirection, check_new_study_direction
from ..models.new_study_strategy import NewStudyStrategy, check_new_study_strategy
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.new_study_space import NewStudySpace


T = TypeVar("T", bound="NewStudy")


@_attrs_define
class NewStudy:
    """
    Attributes:
        space (NewStudySpace): parameter → its values, written as a job's param_space (a list, or {type:
            int|float|categorical, low, high, log, choices, when}) Example: {'x': {'type': 'float', 'low': -5, 'high': 5},
            'kind': ['a', 'b']}.
        direction (NewStudyDirection):
        n_trials (int): trials to run (at most TUNEFORGE_STUDY_MAX_TRIALS)
        name (None | str | Unset):
        metric (str | Unset): what the reported value measures (a label); default value Default: 'value'.
        strategy (NewStudyStrategy | Unset): bayesian (TPE, default), random or grid Default: 'bayesian'.
        random_state (int | None | Unset):
        lease_s (int | Unset): seconds a suggested trial is the caller's before it is handed out again; default 300 (at
            most TUNEFORGE_STUDY_MAX_LEASE_SECONDS)
    """

    space: NewStudySpace
    direction: NewStudyDirection
    n_trials: int
    name: None | str | Unset = UNSET
    metric: str | Unset = "value"
    strategy: NewStudyStrategy | Unset = "bayesian"
    random_state: int | None | Unset = UNSET
    lease_s: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        space = self.space.to_dict()

        direction: str = self.direction

        n_trials = self.n_trials

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        metric = self.metric

        strategy: str | Unset = UNSET
        if not isinstance(self.strategy, Unset):
            strategy = self.strategy

        random_state: int | None | Unset
        if isinstance(self.random_state, Unset):
            random_state = UNSET
        else:
            random_state = self.random_state

        lease_s = self.lease_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "space": space,
                "direction": direction,
                "n_trials": n_trials,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if metric is not UNSET:
            field_dict["metric"] = metric
        if strategy is not UNSET:
            field_dict["strategy"] = strategy
        if random_state is not UNSET:
            field_dict["random_state"] = random_state
        if lease_s is not UNSET:
            field_dict["lease_s"] = lease_s

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.new_study_space import NewStudySpace  # noqa: PLC0415

        d = dict(src_dict)
        space = NewStudySpace.from_dict(d.pop("space"))

        direction = check_new_study_direction(d.pop("direction"))

        n_trials = d.pop("n_trials")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        metric = d.pop("metric", UNSET)

        _strategy = d.pop("strategy", UNSET)
        strategy: NewStudyStrategy | Unset
        if isinstance(_strategy, Unset):
            strategy = UNSET
        else:
            strategy = check_new_study_strategy(_strategy)

        def _parse_random_state(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        random_state = _parse_random_state(d.pop("random_state", UNSET))

        lease_s = d.pop("lease_s", UNSET)

        new_study = cls(
            space=space,
            direction=direction,
            n_trials=n_trials,
            name=name,
            metric=metric,
            strategy=strategy,
            random_state=random_state,
            lease_s=lease_s,
        )

        return new_study

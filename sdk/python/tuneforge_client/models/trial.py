from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.trial_state import TrialState, check_trial_state

if TYPE_CHECKING:
    from ..models.inherited_from import InheritedFrom
    from ..models.trial_metrics import TrialMetrics
    from ..models.trial_params import TrialParams


T = TypeVar("T", bound="Trial")


@_attrs_define
class Trial:
    """
    Attributes:
        number (int):  Example: 5.
        params (TrialParams):  Example: {'max_depth': 3, 'min_samples_leaf': 10}.
        state (TrialState):  Example: succeeded.
        fold_scores (list[float | None]):  Example: [0.95, 0.97, 0.96, 0.98, 0.95].
        mean_score (float | None):  Example: 0.9626.
        std_score (float | None):  Example: 0.0117.
        fit_time_s (float): seconds fitting, every fold; the first trial of a job on a worker also fits the
            preprocessing each fold shares with the later ones Example: 0.042.
        score_time_s (float):  Example: 0.011.
        error (None | str):
        metrics (TrialMetrics): every requested metric, by scorer name Example: {'roc_auc': {'mean': 0.9626, 'std':
            0.0117, 'fold_scores': [0.95, 0.97, 0.96, 0.98, 0.95]}}.
        rung (int | None): halving: the rung (0 is the first)
        resource (int | None): halving: rows, or the budget parameter's value, this trial used
        started_at (datetime.datetime | None): null before fan-out Example: 2026-11-27T02:36:34.410000+00:00.
        finished_at (datetime.datetime):  Example: 2026-11-27T02:36:35.808000+00:00.
        worker (None | str): the worker that ran it: host name and process id Example: tuneforge@host-1:4242.
        inherited_from (InheritedFrom | None): a warm start's inherited trial: the job and number it was first scored as
            (not run again here; its scores and timings are that run's); null for the job's own trials
    """

    number: int
    params: TrialParams
    state: TrialState
    fold_scores: list[float | None]
    mean_score: float | None
    std_score: float | None
    fit_time_s: float
    score_time_s: float
    error: None | str
    metrics: TrialMetrics
    rung: int | None
    resource: int | None
    started_at: datetime.datetime | None
    finished_at: datetime.datetime
    worker: None | str
    inherited_from: InheritedFrom | None

    def to_dict(self) -> dict[str, Any]:
        from ..models.inherited_from import InheritedFrom  # noqa: PLC0415

        number = self.number

        params = self.params.to_dict()

        state: str = self.state

        fold_scores = []
        for fold_scores_item_data in self.fold_scores:
            fold_scores_item: float | None
            fold_scores_item = fold_scores_item_data
            fold_scores.append(fold_scores_item)

        mean_score: float | None
        mean_score = self.mean_score

        std_score: float | None
        std_score = self.std_score

        fit_time_s = self.fit_time_s

        score_time_s = self.score_time_s

        error: None | str
        error = self.error

        metrics = self.metrics.to_dict()

        rung: int | None
        rung = self.rung

        resource: int | None
        resource = self.resource

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at = self.finished_at.isoformat()

        worker: None | str
        worker = self.worker

        inherited_from: dict[str, Any] | None
        if isinstance(self.inherited_from, InheritedFrom):
            inherited_from = self.inherited_from.to_dict()
        else:
            inherited_from = self.inherited_from

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "number": number,
                "params": params,
                "state": state,
                "fold_scores": fold_scores,
                "mean_score": mean_score,
                "std_score": std_score,
                "fit_time_s": fit_time_s,
                "score_time_s": score_time_s,
                "error": error,
                "metrics": metrics,
                "rung": rung,
                "resource": resource,
                "started_at": started_at,
                "finished_at": finished_at,
                "worker": worker,
                "inherited_from": inherited_from,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.inherited_from import InheritedFrom  # noqa: PLC0415
        from ..models.trial_metrics import TrialMetrics  # noqa: PLC0415
        from ..models.trial_params import TrialParams  # noqa: PLC0415

        d = dict(src_dict)
        number = d.pop("number")

        params = TrialParams.from_dict(d.pop("params"))

        state = check_trial_state(d.pop("state"))

        fold_scores = []
        _fold_scores = d.pop("fold_scores")
        for fold_scores_item_data in _fold_scores:

            def _parse_fold_scores_item(data: object) -> float | None:
                if data is None:
                    return data
                return cast(float | None, data)

            fold_scores_item = _parse_fold_scores_item(fold_scores_item_data)

            fold_scores.append(fold_scores_item)

        def _parse_mean_score(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        mean_score = _parse_mean_score(d.pop("mean_score"))

        def _parse_std_score(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        std_score = _parse_std_score(d.pop("std_score"))

        fit_time_s = d.pop("fit_time_s")

        score_time_s = d.pop("score_time_s")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        metrics = TrialMetrics.from_dict(d.pop("metrics"))

        def _parse_rung(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rung = _parse_rung(d.pop("rung"))

        def _parse_resource(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        resource = _parse_resource(d.pop("resource"))

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

        finished_at = datetime.datetime.fromisoformat(d.pop("finished_at"))

        def _parse_worker(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        worker = _parse_worker(d.pop("worker"))

        def _parse_inherited_from(data: object) -> InheritedFrom | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                inherited_from_type_0 = InheritedFrom.from_dict(data)

                return inherited_from_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InheritedFrom | None, data)

        inherited_from = _parse_inherited_from(d.pop("inherited_from"))

        trial = cls(
            number=number,
            params=params,
            state=state,
            fold_scores=fold_scores,
            mean_score=mean_score,
            std_score=std_score,
            fit_time_s=fit_time_s,
            score_time_s=score_time_s,
            error=error,
            metrics=metrics,
            rung=rung,
            resource=resource,
            started_at=started_at,
            finished_at=finished_at,
            worker=worker,
            inherited_from=inherited_from,
        )

        return trial

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.job_spec_estimator import JobSpecEstimator, check_job_spec_estimator
from ..models.job_spec_metrics_item import JobSpecMetricsItem, check_job_spec_metrics_item
from ..models.job_spec_scoring import JobSpecScoring, check_job_spec_scoring
from ..models.job_spec_strategy import JobSpecStrategy, check_job_spec_strategy
from ..models.job_spec_task import JobSpecTask, check_job_spec_task

if TYPE_CHECKING:
    from ..models.job_spec_cv import JobSpecCV
    from ..models.job_spec_halving import JobSpecHalving
    from ..models.job_spec_param_space import JobSpecParamSpace
    from ..models.job_spec_warm_start import JobSpecWarmStart


T = TypeVar("T", bound="JobSpec")


@_attrs_define
class JobSpec:
    """
    Attributes:
        dataset_id (str):  Example: ds_019b2c4d5e6f7a8b9c0d1e2f3a4b.
        target (str):  Example: target.
        task (JobSpecTask):
        estimator (JobSpecEstimator):
        strategy (JobSpecStrategy):
        param_space (JobSpecParamSpace):
        n_trials (int):  Example: 15.
        timeout_s (int):
        cv (JobSpecCV):
        scoring (JobSpecScoring): the metric that ranks candidates Example: roc_auc.
        test_size (float):
        random_state (int | None):
        n_classes (int | None): classification: the classes
        metrics (list[JobSpecMetricsItem]): every metric each trial reports, scoring first Example: {'roc_auc': {'mean':
            0.9626, 'std': 0.0117, 'fold_scores': [0.95, 0.97, 0.96, 0.98, 0.95]}}.
        halving (JobSpecHalving | None):
        pruning (bool):
        exclude_columns (list[str]):
        webhook_url (None | str):
        max_parallel (int): trials of this job running at once Example: 2.
        warm_start (JobSpecWarmStart | None): the jobs whose trials it inherited (null: none)
        cheap_first (bool): whether its first trial is the estimator's cheap configuration (decided at submit: a trial
            was estimated at over a quarter of timeout_s)
    """

    dataset_id: str
    target: str
    task: JobSpecTask
    estimator: JobSpecEstimator
    strategy: JobSpecStrategy
    param_space: JobSpecParamSpace
    n_trials: int
    timeout_s: int
    cv: JobSpecCV
    scoring: JobSpecScoring
    test_size: float
    random_state: int | None
    n_classes: int | None
    metrics: list[JobSpecMetricsItem]
    halving: JobSpecHalving | None
    pruning: bool
    exclude_columns: list[str]
    webhook_url: None | str
    max_parallel: int
    warm_start: JobSpecWarmStart | None
    cheap_first: bool

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_spec_halving import JobSpecHalving  # noqa: PLC0415
        from ..models.job_spec_warm_start import JobSpecWarmStart  # noqa: PLC0415

        dataset_id = self.dataset_id

        target = self.target

        task: str = self.task

        estimator: str = self.estimator

        strategy: str = self.strategy

        param_space = self.param_space.to_dict()

        n_trials = self.n_trials

        timeout_s = self.timeout_s

        cv = self.cv.to_dict()

        scoring: str = self.scoring

        test_size = self.test_size

        random_state: int | None
        random_state = self.random_state

        n_classes: int | None
        n_classes = self.n_classes

        metrics = []
        for metrics_item_data in self.metrics:
            metrics_item: str = metrics_item_data
            metrics.append(metrics_item)

        halving: dict[str, Any] | None
        if isinstance(self.halving, JobSpecHalving):
            halving = self.halving.to_dict()
        else:
            halving = self.halving

        pruning = self.pruning

        exclude_columns = self.exclude_columns

        webhook_url: None | str
        webhook_url = self.webhook_url

        max_parallel = self.max_parallel

        warm_start: dict[str, Any] | None
        if isinstance(self.warm_start, JobSpecWarmStart):
            warm_start = self.warm_start.to_dict()
        else:
            warm_start = self.warm_start

        cheap_first = self.cheap_first

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dataset_id": dataset_id,
                "target": target,
                "task": task,
                "estimator": estimator,
                "strategy": strategy,
                "param_space": param_space,
                "n_trials": n_trials,
                "timeout_s": timeout_s,
                "cv": cv,
                "scoring": scoring,
                "test_size": test_size,
                "random_state": random_state,
                "n_classes": n_classes,
                "metrics": metrics,
                "halving": halving,
                "pruning": pruning,
                "exclude_columns": exclude_columns,
                "webhook_url": webhook_url,
                "max_parallel": max_parallel,
                "warm_start": warm_start,
                "cheap_first": cheap_first,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_spec_cv import JobSpecCV  # noqa: PLC0415
        from ..models.job_spec_halving import JobSpecHalving  # noqa: PLC0415
        from ..models.job_spec_param_space import JobSpecParamSpace  # noqa: PLC0415
        from ..models.job_spec_warm_start import JobSpecWarmStart  # noqa: PLC0415

        d = dict(src_dict)
        dataset_id = d.pop("dataset_id")

        target = d.pop("target")

        task = check_job_spec_task(d.pop("task"))

        estimator = check_job_spec_estimator(d.pop("estimator"))

        strategy = check_job_spec_strategy(d.pop("strategy"))

        param_space = JobSpecParamSpace.from_dict(d.pop("param_space"))

        n_trials = d.pop("n_trials")

        timeout_s = d.pop("timeout_s")

        cv = JobSpecCV.from_dict(d.pop("cv"))

        scoring = check_job_spec_scoring(d.pop("scoring"))

        test_size = d.pop("test_size")

        def _parse_random_state(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        random_state = _parse_random_state(d.pop("random_state"))

        def _parse_n_classes(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        n_classes = _parse_n_classes(d.pop("n_classes"))

        metrics = []
        _metrics = d.pop("metrics")
        for metrics_item_data in _metrics:
            metrics_item = check_job_spec_metrics_item(metrics_item_data)

            metrics.append(metrics_item)

        def _parse_halving(data: object) -> JobSpecHalving | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                halving_type_0 = JobSpecHalving.from_dict(data)

                return halving_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobSpecHalving | None, data)

        halving = _parse_halving(d.pop("halving"))

        pruning = d.pop("pruning")

        exclude_columns = cast(list[str], d.pop("exclude_columns"))

        def _parse_webhook_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        webhook_url = _parse_webhook_url(d.pop("webhook_url"))

        max_parallel = d.pop("max_parallel")

        def _parse_warm_start(data: object) -> JobSpecWarmStart | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                warm_start_type_0 = JobSpecWarmStart.from_dict(data)

                return warm_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobSpecWarmStart | None, data)

        warm_start = _parse_warm_start(d.pop("warm_start"))

        cheap_first = d.pop("cheap_first")

        job_spec = cls(
            dataset_id=dataset_id,
            target=target,
            task=task,
            estimator=estimator,
            strategy=strategy,
            param_space=param_space,
            n_trials=n_trials,
            timeout_s=timeout_s,
            cv=cv,
            scoring=scoring,
            test_size=test_size,
            random_state=random_state,
            n_classes=n_classes,
            metrics=metrics,
            halving=halving,
            pruning=pruning,
            exclude_columns=exclude_columns,
            webhook_url=webhook_url,
            max_parallel=max_parallel,
            warm_start=warm_start,
            cheap_first=cheap_first,
        )

        return job_spec

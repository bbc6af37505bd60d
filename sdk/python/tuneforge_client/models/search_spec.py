from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.search_spec_estimator import SearchSpecEstimator, check_search_spec_estimator
from ..models.search_spec_metrics_item import SearchSpecMetricsItem, check_search_spec_metrics_item
from ..models.search_spec_refit import SearchSpecRefit, check_search_spec_refit
from ..models.search_spec_scoring_type_0 import SearchSpecScoringType0, check_search_spec_scoring_type_0
from ..models.search_spec_scoring_type_1_item import SearchSpecScoringType1Item, check_search_spec_scoring_type_1_item
from ..models.search_spec_strategy import SearchSpecStrategy, check_search_spec_strategy
from ..models.search_spec_task import SearchSpecTask, check_search_spec_task
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cv import CV
    from ..models.halving import Halving
    from ..models.search_spec_param_space import SearchSpecParamSpace
    from ..models.warm_start import WarmStart


T = TypeVar("T", bound="SearchSpec")


@_attrs_define
class SearchSpec:
    """
    Attributes:
        dataset_id (str):  Example: ds_0190f3a2b7c41e2f9a0b3c4d5e6f.
        target (str):  Example: target.
        estimator (SearchSpecEstimator):  Example: decision_tree.
        task (SearchSpecTask | Unset): default: inferred from the target column
        strategy (SearchSpecStrategy | Unset): default: random
        cheap_first (bool | Unset): start with the estimator's cheap configuration (random and bayesian only); default:
            the service decides at submit, true when a trial may take over a quarter of timeout_s
        param_space (SearchSpecParamSpace | Unset): estimator parameter → the values to try; default: the catalog's
            space (see GET /v1/estimators) Example: {'max_depth': [2, 4, 8, None], 'min_samples_leaf': {'type': 'int',
            'low': 1, 'high': 20}}.
        n_trials (int | Unset): random and bayesian search: how many candidates (default 20; at most
            TUNEFORGE_MAX_TRIALS)
        timeout_s (int | Unset): no trial starts after this many seconds (default 3600; at most
            TUNEFORGE_MAX_JOB_SECONDS)
        cv (CV | int | Unset): a number of folds (as scikit-learn's cv=5), or how to split; default: 5 folds, shuffled,
            stratified for classification
        scoring (list[SearchSpecScoringType1Item] | SearchSpecScoringType0 | Unset): a scikit-learn scorer name, or a
            list of them (every trial reports each); default roc_auc (binary), balanced_accuracy (multiclass), r2
            (regression)
        refit (SearchSpecRefit | Unset): with several scorers: the one that ranks candidates (default: first)
        halving (Halving | None | Unset):
        pruning (bool | Unset): bayesian: stop a candidate after a fold whose running mean is below the median of
            earlier trials (default false)
        webhook_url (None | str | Unset): POSTed the job (signed, see the README) when it ends Example:
            https://example.com/hooks/tuneforge.
        exclude_columns (list[str] | Unset): columns that are not features
        test_size (float | Unset): share of rows held out and scored once (default 0.2; 0: none)
        random_state (int | None | Unset):
        max_parallel (int | Unset): trials of this job running at once, on any workers (default: the slots the live
            workers report, or TUNEFORGE_WORKER_SLOTS where set; at most TUNEFORGE_MAX_PARALLEL)
        metrics (list[SearchSpecMetricsItem] | Unset): every metric each trial reports, as a job's spec lists them (the
            same as a list of scorers); with scoring, they must contain it, or be the same scorers
        n_classes (int | None | Unset): derived from the target (a job's spec carries it): when given, it must be the
            target's number of classes (null for regression)
        warm_start (None | Unset | WarmStart): seed the search with earlier jobs' scored trials: n_trials new ones run
            after them (not with halving)
        name (None | str | Unset): a name to tell the job from the others (the job's `name`) Example: knn, scaled, v2.
        tags (list[str] | Unset): short labels to find it by: at most 20, each 1 to 40 characters without commas or
            spaces at either end; repeats are kept once Example: ['baseline', 'v2'].
        dry_run (bool | Unset): true: check the spec, time one short calibration fit and answer 200 with the `estimate`,
            creating no job (default: false)
    """

    dataset_id: str
    target: str
    estimator: SearchSpecEstimator
    task: SearchSpecTask | Unset = UNSET
    strategy: SearchSpecStrategy | Unset = UNSET
    cheap_first: bool | Unset = UNSET
    param_space: SearchSpecParamSpace | Unset = UNSET
    n_trials: int | Unset = UNSET
    timeout_s: int | Unset = UNSET
    cv: CV | int | Unset = UNSET
    scoring: list[SearchSpecScoringType1Item] | SearchSpecScoringType0 | Unset = UNSET
    refit: SearchSpecRefit | Unset = UNSET
    halving: Halving | None | Unset = UNSET
    pruning: bool | Unset = UNSET
    webhook_url: None | str | Unset = UNSET
    exclude_columns: list[str] | Unset = UNSET
    test_size: float | Unset = UNSET
    random_state: int | None | Unset = UNSET
    max_parallel: int | Unset = UNSET
    metrics: list[SearchSpecMetricsItem] | Unset = UNSET
    n_classes: int | None | Unset = UNSET
    warm_start: None | Unset | WarmStart = UNSET
    name: None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    dry_run: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.cv import CV  # noqa: PLC0415
        from ..models.halving import Halving  # noqa: PLC0415
        from ..models.warm_start import WarmStart  # noqa: PLC0415

        dataset_id = self.dataset_id

        target = self.target

        estimator: str = self.estimator

        task: str | Unset = UNSET
        if not isinstance(self.task, Unset):
            task = self.task

        strategy: str | Unset = UNSET
        if not isinstance(self.strategy, Unset):
            strategy = self.strategy

        cheap_first = self.cheap_first

        param_space: dict[str, Any] | Unset = UNSET
        if not isinstance(self.param_space, Unset):
            param_space = self.param_space.to_dict()

        n_trials = self.n_trials

        timeout_s = self.timeout_s

        cv: dict[str, Any] | int | Unset
        if isinstance(self.cv, Unset):
            cv = UNSET
        elif isinstance(self.cv, CV):
            cv = self.cv.to_dict()
        else:
            cv = self.cv

        scoring: list[str] | str | Unset
        if isinstance(self.scoring, Unset):
            scoring = UNSET
        elif isinstance(self.scoring, str):
            scoring = self.scoring
        else:
            scoring = []
            for scoring_type_1_item_data in self.scoring:
                scoring_type_1_item: str = scoring_type_1_item_data
                scoring.append(scoring_type_1_item)

        refit: str | Unset = UNSET
        if not isinstance(self.refit, Unset):
            refit = self.refit

        halving: dict[str, Any] | None | Unset
        if isinstance(self.halving, Unset):
            halving = UNSET
        elif isinstance(self.halving, Halving):
            halving = self.halving.to_dict()
        else:
            halving = self.halving

        pruning = self.pruning

        webhook_url: None | str | Unset
        if isinstance(self.webhook_url, Unset):
            webhook_url = UNSET
        else:
            webhook_url = self.webhook_url

        exclude_columns: list[str] | Unset = UNSET
        if not isinstance(self.exclude_columns, Unset):
            exclude_columns = self.exclude_columns

        test_size = self.test_size

        random_state: int | None | Unset
        if isinstance(self.random_state, Unset):
            random_state = UNSET
        else:
            random_state = self.random_state

        max_parallel = self.max_parallel

        metrics: list[str] | Unset = UNSET
        if not isinstance(self.metrics, Unset):
            metrics = []
            for metrics_item_data in self.metrics:
                metrics_item: str = metrics_item_data
                metrics.append(metrics_item)

        n_classes: int | None | Unset
        if isinstance(self.n_classes, Unset):
            n_classes = UNSET
        else:
            n_classes = self.n_classes

        warm_start: dict[str, Any] | None | Unset
        if isinstance(self.warm_start, Unset):
            warm_start = UNSET
        elif isinstance(self.warm_start, WarmStart):
            warm_start = self.warm_start.to_dict()
        else:
            warm_start = self.warm_start

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        dry_run = self.dry_run

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dataset_id": dataset_id,
                "target": target,
                "estimator": estimator,
            }
        )
        if task is not UNSET:
            field_dict["task"] = task
        if strategy is not UNSET:
            field_dict["strategy"] = strategy
        if cheap_first is not UNSET:
            field_dict["cheap_first"] = cheap_first
        if param_space is not UNSET:
            field_dict["param_space"] = param_space
        if n_trials is not UNSET:
            field_dict["n_trials"] = n_trials
        if timeout_s is not UNSET:
            field_dict["timeout_s"] = timeout_s
        if cv is not UNSET:
            field_dict["cv"] = cv
        if scoring is not UNSET:
            field_dict["scoring"] = scoring
        if refit is not UNSET:
            field_dict["refit"] = refit
        if halving is not UNSET:
            field_dict["halving"] = halving
        if pruning is not UNSET:
            field_dict["pruning"] = pruning
        if webhook_url is not UNSET:
            field_dict["webhook_url"] = webhook_url
        if exclude_columns is not UNSET:
            field_dict["exclude_columns"] = exclude_columns
        if test_size is not UNSET:
            field_dict["test_size"] = test_size
        if random_state is not UNSET:
            field_dict["random_state"] = random_state
        if max_parallel is not UNSET:
            field_dict["max_parallel"] = max_parallel
        if metrics is not UNSET:
            field_dict["metrics"] = metrics
        if n_classes is not UNSET:
            field_dict["n_classes"] = n_classes
        if warm_start is not UNSET:
            field_dict["warm_start"] = warm_start
        if name is not UNSET:
            field_dict["name"] = name
        if tags is not UNSET:
            field_dict["tags"] = tags
        if dry_run is not UNSET:
            field_dict["dry_run"] = dry_run

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cv import CV  # noqa: PLC0415
        from ..models.halving import Halving  # noqa: PLC0415
        from ..models.search_spec_param_space import SearchSpecParamSpace  # noqa: PLC0415
        from ..models.warm_start import WarmStart  # noqa: PLC0415

        d = dict(src_dict)
        dataset_id = d.pop("dataset_id")

        target = d.pop("target")

        estimator = check_search_spec_estimator(d.pop("estimator"))

        _task = d.pop("task", UNSET)
        task: SearchSpecTask | Unset
        if isinstance(_task, Unset):
            task = UNSET
        else:
            task = check_search_spec_task(_task)

        _strategy = d.pop("strategy", UNSET)
        strategy: SearchSpecStrategy | Unset
        if isinstance(_strategy, Unset):
            strategy = UNSET
        else:
            strategy = check_search_spec_strategy(_strategy)

        cheap_first = d.pop("cheap_first", UNSET)

        _param_space = d.pop("param_space", UNSET)
        param_space: SearchSpecParamSpace | Unset
        if isinstance(_param_space, Unset):
            param_space = UNSET
        else:
            param_space = SearchSpecParamSpace.from_dict(_param_space)

        n_trials = d.pop("n_trials", UNSET)

        timeout_s = d.pop("timeout_s", UNSET)

        def _parse_cv(data: object) -> CV | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                cv_type_0 = CV.from_dict(data)

                return cv_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CV | int | Unset, data)

        cv = _parse_cv(d.pop("cv", UNSET))

        def _parse_scoring(data: object) -> list[SearchSpecScoringType1Item] | SearchSpecScoringType0 | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scoring_type_0 = check_search_spec_scoring_type_0(data)

                return scoring_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            scoring_type_1 = []
            _scoring_type_1 = data
            for scoring_type_1_item_data in _scoring_type_1:
                scoring_type_1_item = check_search_spec_scoring_type_1_item(scoring_type_1_item_data)

                scoring_type_1.append(scoring_type_1_item)

            return scoring_type_1

        scoring = _parse_scoring(d.pop("scoring", UNSET))

        _refit = d.pop("refit", UNSET)
        refit: SearchSpecRefit | Unset
        if isinstance(_refit, Unset):
            refit = UNSET
        else:
            refit = check_search_spec_refit(_refit)

        def _parse_halving(data: object) -> Halving | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                halving_type_0 = Halving.from_dict(data)

                return halving_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Halving | None | Unset, data)

        halving = _parse_halving(d.pop("halving", UNSET))

        pruning = d.pop("pruning", UNSET)

        def _parse_webhook_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_url = _parse_webhook_url(d.pop("webhook_url", UNSET))

        exclude_columns = cast(list[str], d.pop("exclude_columns", UNSET))

        test_size = d.pop("test_size", UNSET)

        def _parse_random_state(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        random_state = _parse_random_state(d.pop("random_state", UNSET))

        max_parallel = d.pop("max_parallel", UNSET)

        _metrics = d.pop("metrics", UNSET)
        metrics: list[SearchSpecMetricsItem] | Unset = UNSET
        if _metrics is not UNSET:
            metrics = []
            for metrics_item_data in _metrics:
                metrics_item = check_search_spec_metrics_item(metrics_item_data)

                metrics.append(metrics_item)

        def _parse_n_classes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n_classes = _parse_n_classes(d.pop("n_classes", UNSET))

        def _parse_warm_start(data: object) -> None | Unset | WarmStart:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                warm_start_type_0 = WarmStart.from_dict(data)

                return warm_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WarmStart, data)

        warm_start = _parse_warm_start(d.pop("warm_start", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        dry_run = d.pop("dry_run", UNSET)

        search_spec = cls(
            dataset_id=dataset_id,
            target=target,
            estimator=estimator,
            task=task,
            strategy=strategy,
            cheap_first=cheap_first,
            param_space=param_space,
            n_trials=n_trials,
            timeout_s=timeout_s,
            cv=cv,
            scoring=scoring,
            refit=refit,
            halving=halving,
            pruning=pruning,
            webhook_url=webhook_url,
            exclude_columns=exclude_columns,
            test_size=test_size,
            random_state=random_state,
            max_parallel=max_parallel,
            metrics=metrics,
            n_classes=n_classes,
            warm_start=warm_start,
            name=name,
            tags=tags,
            dry_run=dry_run,
        )

        return search_spec

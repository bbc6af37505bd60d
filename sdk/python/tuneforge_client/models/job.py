from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.job_refit_type_0 import JobRefitType0, check_job_refit_type_0
from ..models.job_status import JobStatus, check_job_status
from ..models.job_stopped_reason_type_0 import JobStoppedReasonType0, check_job_stopped_reason_type_0

if TYPE_CHECKING:
    from ..models.data_warning import DataWarning
    from ..models.estimate import Estimate
    from ..models.extension import Extension
    from ..models.job_best_params_type_0 import JobBestParamsType0
    from ..models.job_spec import JobSpec
    from ..models.progress import Progress
    from ..models.webhook_delivery import WebhookDelivery


T = TypeVar("T", bound="Job")


@_attrs_define
class Job:
    """
    Attributes:
        id (str):  Example: job_019b2c4d5e6f7a8b9c0d1e2f3a4b.
        name (None | str): what the submit called it (null: no name) Example: knn, scaled, v2.
        tags (list[str]):  Example: ['baseline', 'v2'].
        status (JobStatus):  Example: succeeded.
        dataset_id (str):  Example: ds_019b2c4d5e6f7a8b9c0d1e2f3a4b.
        dataset_name (None | str): the dataset's name when the job was submitted (null for jobs whose dataset was
            deleted before names were kept on jobs) Example: breast_cancer.csv.
        spec (JobSpec):
        progress (Progress):
        best_score (float | None):  Example: 0.9626.
        best_params (JobBestParamsType0 | None):  Example: {'max_depth': 3, 'min_samples_leaf': 10}.
        stopped_reason (JobStoppedReasonType0 | None): why the search stopped proposing candidates, once finished
            Example: completed.
        error (None | str):
        attempts (int): how many times the job was started: 0 while it waits, 1 once a worker took it up, one more each
            time its final refit had to be started again because the worker doing it stopped or died; trials that ran again
            after their worker was lost do not count (each trial runs on any worker) Example: 1.
        webhook (None | WebhookDelivery): the webhook's delivery; null when the spec has no webhook_url
        created_at (datetime.datetime):  Example: 2026-11-27T02:36:34.365000+00:00.
        started_at (datetime.datetime | None):  Example: 2026-11-27T02:36:34.410000+00:00.
        finished_at (datetime.datetime | None):  Example: 2026-11-27T02:36:35.808000+00:00.
        duration_s (float | None): seconds from its start to its end (so far, while it runs); null until it starts
            Example: 1.4.
        estimate (Estimate | None): what a dry run of the same spec estimated before the submit, to compare with
            duration_s (its seconds) and progress (its trials); null when no dry run preceded it in the API process that
            took the submit
        warnings (list[DataWarning]): what checking the spec against the data found: possible_leak names a column that
            alone predicts the target almost perfectly (or whose missing cells do); warm_start_unfit names a parent's trials
            that do not fit the space (not inherited); empty when nothing
        refit (JobRefitType0 | None): a cancelled job's refit of its best candidate: refitting (the result and model are
            ready soon: /result answers 409 with Retry-After), done (it has a result and a model), stopped (a second cancel
            stopped it: no model), failed; null when there was nothing to refit or the job was not cancelled
        deadline_at (datetime.datetime | None): when the search stops starting trials, once an extension set it (null:
            started_at plus the spec's timeout_s)
        extensions (list[Extension]): each POST /v1/jobs/{id}/extend, oldest first
    """

    id: str
    name: None | str
    tags: list[str]
    status: JobStatus
    dataset_id: str
    dataset_name: None | str
    spec: JobSpec
    progress: Progress
    best_score: float | None
    best_params: JobBestParamsType0 | None
    stopped_reason: JobStoppedReasonType0 | None
    error: None | str
    attempts: int
    webhook: None | WebhookDelivery
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    duration_s: float | None
    estimate: Estimate | None
    warnings: list[DataWarning]
    refit: JobRefitType0 | None
    deadline_at: datetime.datetime | None
    extensions: list[Extension]

    def to_dict(self) -> dict[str, Any]:
        from ..models.estimate import Estimate  # noqa: PLC0415
        from ..models.job_best_params_type_0 import JobBestParamsType0  # noqa: PLC0415
        from ..models.webhook_delivery import WebhookDelivery  # noqa: PLC0415

        id = self.id

        name: None | str
        name = self.name

        tags = self.tags

        status: str = self.status

        dataset_id = self.dataset_id

        dataset_name: None | str
        dataset_name = self.dataset_name

        spec = self.spec.to_dict()

        progress = self.progress.to_dict()

        best_score: float | None
        best_score = self.best_score

        best_params: dict[str, Any] | None
        if isinstance(self.best_params, JobBestParamsType0):
            best_params = self.best_params.to_dict()
        else:
            best_params = self.best_params

        stopped_reason: None | str
        if isinstance(self.stopped_reason, str):
            stopped_reason = self.stopped_reason
        else:
            stopped_reason = self.stopped_reason

        error: None | str
        error = self.error

        attempts = self.attempts

        webhook: dict[str, Any] | None
        if isinstance(self.webhook, WebhookDelivery):
            webhook = self.webhook.to_dict()
        else:
            webhook = self.webhook

        created_at = self.created_at.isoformat()

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

        estimate: dict[str, Any] | None
        if isinstance(self.estimate, Estimate):
            estimate = self.estimate.to_dict()
        else:
            estimate = self.estimate

        warnings = []
        for warnings_item_data in self.warnings:
            warnings_item = warnings_item_data.to_dict()
            warnings.append(warnings_item)

        refit: None | str
        if isinstance(self.refit, str):
            refit = self.refit
        else:
            refit = self.refit

        deadline_at: None | str
        if isinstance(self.deadline_at, datetime.datetime):
            deadline_at = self.deadline_at.isoformat()
        else:
            deadline_at = self.deadline_at

        extensions = []
        for extensions_item_data in self.extensions:
            extensions_item = extensions_item_data.to_dict()
            extensions.append(extensions_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "tags": tags,
                "status": status,
                "dataset_id": dataset_id,
                "dataset_name": dataset_name,
                "spec": spec,
                "progress": progress,
                "best_score": best_score,
                "best_params": best_params,
                "stopped_reason": stopped_reason,
                "error": error,
                "attempts": attempts,
                "webhook": webhook,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
                "duration_s": duration_s,
                "estimate": estimate,
                "warnings": warnings,
                "refit": refit,
                "deadline_at": deadline_at,
                "extensions": extensions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_warning import DataWarning  # noqa: PLC0415
        from ..models.estimate import Estimate  # noqa: PLC0415
        from ..models.extension import Extension  # noqa: PLC0415
        from ..models.job_best_params_type_0 import JobBestParamsType0  # noqa: PLC0415
        from ..models.job_spec import JobSpec  # noqa: PLC0415
        from ..models.progress import Progress  # noqa: PLC0415
        from ..models.webhook_delivery import WebhookDelivery  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        tags = cast(list[str], d.pop("tags"))

        status = check_job_status(d.pop("status"))

        dataset_id = d.pop("dataset_id")

        def _parse_dataset_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        dataset_name = _parse_dataset_name(d.pop("dataset_name"))

        spec = JobSpec.from_dict(d.pop("spec"))

        progress = Progress.from_dict(d.pop("progress"))

        def _parse_best_score(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        best_score = _parse_best_score(d.pop("best_score"))

        def _parse_best_params(data: object) -> JobBestParamsType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                best_params_type_0 = JobBestParamsType0.from_dict(data)

                return best_params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobBestParamsType0 | None, data)

        best_params = _parse_best_params(d.pop("best_params"))

        def _parse_stopped_reason(data: object) -> JobStoppedReasonType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                stopped_reason_type_0 = check_job_stopped_reason_type_0(data)

                return stopped_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobStoppedReasonType0 | None, data)

        stopped_reason = _parse_stopped_reason(d.pop("stopped_reason"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        attempts = d.pop("attempts")

        def _parse_webhook(data: object) -> None | WebhookDelivery:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                webhook_type_0 = WebhookDelivery.from_dict(data)

                return webhook_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | WebhookDelivery, data)

        webhook = _parse_webhook(d.pop("webhook"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

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

        def _parse_estimate(data: object) -> Estimate | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                estimate_type_0 = Estimate.from_dict(data)

                return estimate_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Estimate | None, data)

        estimate = _parse_estimate(d.pop("estimate"))

        warnings = []
        _warnings = d.pop("warnings")
        for warnings_item_data in _warnings:
            warnings_item = DataWarning.from_dict(warnings_item_data)

            warnings.append(warnings_item)

        def _parse_refit(data: object) -> JobRefitType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                refit_type_0 = check_job_refit_type_0(data)

                return refit_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobRefitType0 | None, data)

        refit = _parse_refit(d.pop("refit"))

        def _parse_deadline_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deadline_at_type_0 = datetime.datetime.fromisoformat(data)

                return deadline_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deadline_at = _parse_deadline_at(d.pop("deadline_at"))

        extensions = []
        _extensions = d.pop("extensions")
        for extensions_item_data in _extensions:
            extensions_item = Extension.from_dict(extensions_item_data)

            extensions.append(extensions_item)

        job = cls(
            id=id,
            name=name,
            tags=tags,
            status=status,
            dataset_id=dataset_id,
            dataset_name=dataset_name,
            spec=spec,
            progress=progress,
            best_score=best_score,
            best_params=best_params,
            stopped_reason=stopped_reason,
            error=error,
            attempts=attempts,
            webhook=webhook,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
            duration_s=duration_s,
            estimate=estimate,
            warnings=warnings,
            refit=refit,
            deadline_at=deadline_at,
            extensions=extensions,
        )

        return job

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.estimator_tasks_item import EstimatorTasksItem, check_estimator_tasks_item

if TYPE_CHECKING:
    from ..models.estimator_default_space import EstimatorDefaultSpace
    from ..models.estimator_params import EstimatorParams
    from ..models.estimator_resource_params import EstimatorResourceParams


T = TypeVar("T", bound="Estimator")


@_attrs_define
class Estimator:
    """
    Attributes:
        name (str):  Example: decision_tree.
        title (str):  Example: Decision tree.
        tasks (list[EstimatorTasksItem]):  Example: ['classification', 'regression'].
        params (EstimatorParams): task → parameter → what it accepts Example: {'max_depth': 3, 'min_samples_leaf': 10}.
        default_space (EstimatorDefaultSpace): task → the space searched when a spec gives none
        resource_params (EstimatorResourceParams): parameters halving may use as its resource, with their full budget
        max_train_rows (int | None): the most training rows a job with it may have (null: no limit but the service's)
    """

    name: str
    title: str
    tasks: list[EstimatorTasksItem]
    params: EstimatorParams
    default_space: EstimatorDefaultSpace
    resource_params: EstimatorResourceParams
    max_train_rows: int | None

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        title = self.title

        tasks = []
        for tasks_item_data in self.tasks:
            tasks_item: str = tasks_item_data
            tasks.append(tasks_item)

        params = self.params.to_dict()

        default_space = self.default_space.to_dict()

        resource_params = self.resource_params.to_dict()

        max_train_rows: int | None
        max_train_rows = self.max_train_rows

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "title": title,
                "tasks": tasks,
                "params": params,
                "default_space": default_space,
                "resource_params": resource_params,
                "max_train_rows": max_train_rows,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.estimator_default_space import EstimatorDefaultSpace  # noqa: PLC0415
        from ..models.estimator_params import EstimatorParams  # noqa: PLC0415
        from ..models.estimator_resource_params import EstimatorResourceParams  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        title = d.pop("title")

        tasks = []
        _tasks = d.pop("tasks")
        for tasks_item_data in _tasks:
            tasks_item = check_estimator_tasks_item(tasks_item_data)

            tasks.append(tasks_item)

        params = EstimatorParams.from_dict(d.pop("params"))

        default_space = EstimatorDefaultSpace.from_dict(d.pop("default_space"))

        resource_params = EstimatorResourceParams.from_dict(d.pop("resource_params"))

        def _parse_max_train_rows(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_train_rows = _parse_max_train_rows(d.pop("max_train_rows"))

        estimator = cls(
            name=name,
            title=title,
            tasks=tasks,
            params=params,
            default_space=default_space,
            resource_params=resource_params,
            max_train_rows=max_train_rows,
        )

        return estimator

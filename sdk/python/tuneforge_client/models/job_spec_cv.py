from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.job_spec_cv_kind import JobSpecCVKind, check_job_spec_cv_kind

T = TypeVar("T", bound="JobSpecCV")


@_attrs_define
class JobSpecCV:
    """
    Attributes:
        folds (int): 1 for kind holdout
        kind (JobSpecCVKind):
        shuffle (bool):
        random_state (int | None):
        group_column (None | str):
        validation_size (float | None):
    """

    folds: int
    kind: JobSpecCVKind
    shuffle: bool
    random_state: int | None
    group_column: None | str
    validation_size: float | None

    def to_dict(self) -> dict[str, Any]:
        folds = self.folds

        kind: str = self.kind

        shuffle = self.shuffle

        random_state: int | None
        random_state = self.random_state

        group_column: None | str
        group_column = self.group_column

        validation_size: float | None
        validation_size = self.validation_size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "folds": folds,
                "kind": kind,
                "shuffle": shuffle,
                "random_state": random_state,
                "group_column": group_column,
                "validation_size": validation_size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        folds = d.pop("folds")

        kind = check_job_spec_cv_kind(d.pop("kind"))

        shuffle = d.pop("shuffle")

        def _parse_random_state(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        random_state = _parse_random_state(d.pop("random_state"))

        def _parse_group_column(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        group_column = _parse_group_column(d.pop("group_column"))

        def _parse_validation_size(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        validation_size = _parse_validation_size(d.pop("validation_size"))

        job_spec_cv = cls(
            folds=folds,
            kind=kind,
            shuffle=shuffle,
            random_state=random_state,
            group_column=group_column,
            validation_size=validation_size,
        )

        return job_spec_cv

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="WarmStart")


@_attrs_define
class WarmStart:
    """
    Attributes:
        job_ids (list[str]): the parent jobs, this tenant's, on the same dataset, target, estimator, scorer, rows and
            folds; their succeeded trials that fit this job's space become its first trials, not run again Example:
            ['job_0190f3a2b7c41e2f9a0b3c4d5e6f'].
    """

    job_ids: list[str]

    def to_dict(self) -> dict[str, Any]:
        job_ids = self.job_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "job_ids": job_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        job_ids = cast(list[str], d.pop("job_ids"))

        warm_start = cls(
            job_ids=job_ids,
        )

        return warm_start

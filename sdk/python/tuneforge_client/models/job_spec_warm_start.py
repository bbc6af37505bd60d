from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="JobSpecWarmStart")


@_attrs_define
class JobSpecWarmStart:
    """
    Attributes:
        job_ids (list[str]):
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

        job_spec_warm_start = cls(
            job_ids=job_ids,
        )

        return job_spec_warm_start

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.job_end_status import JobEndStatus, check_job_end_status

T = TypeVar("T", bound="JobEnd")


@_attrs_define
class JobEnd:
    """
    Attributes:
        status (JobEndStatus):  Example: succeeded.
    """

    status: JobEndStatus

    def to_dict(self) -> dict[str, Any]:
        status: str = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status = check_job_end_status(d.pop("status"))

        job_end = cls(
            status=status,
        )

        return job_end

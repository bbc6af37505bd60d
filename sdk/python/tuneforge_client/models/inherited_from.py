from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="InheritedFrom")


@_attrs_define
class InheritedFrom:
    """
    Attributes:
        job_id (str):
        number (int):
    """

    job_id: str
    number: int

    def to_dict(self) -> dict[str, Any]:
        job_id = self.job_id

        number = self.number

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "job_id": job_id,
                "number": number,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        job_id = d.pop("job_id")

        number = d.pop("number")

        inherited_from = cls(
            job_id=job_id,
            number=number,
        )

        return inherited_from

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.data_warning import DataWarning


T = TypeVar("T", bound="CardWarnings")


@_attrs_define
class CardWarnings:
    """
    Attributes:
        data (list[DataWarning]): what the reader guessed about the table
        job (list[DataWarning]): what checking the spec against the data found (possible leaks)
    """

    data: list[DataWarning]
    job: list[DataWarning]

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        job = []
        for job_item_data in self.job:
            job_item = job_item_data.to_dict()
            job.append(job_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data": data,
                "job": job,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_warning import DataWarning  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = DataWarning.from_dict(data_item_data)

            data.append(data_item)

        job = []
        _job = d.pop("job")
        for job_item_data in _job:
            job_item = DataWarning.from_dict(job_item_data)

            job.append(job_item)

        card_warnings = cls(
            data=data,
            job=job,
        )

        return card_warnings

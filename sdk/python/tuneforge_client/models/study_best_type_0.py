from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="StudyBestType0")


class StudyBestType0(dict[str, "Any"]):
    """{number, params, value}; null until one"""

    @property
    def additional_properties(self) -> dict[str, Any]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        study_best_type_0 = cls()

        study_best_type_0.update(d)
        return study_best_type_0

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="StudyLinks")


class StudyLinks(dict[str, "Any"]):
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
        study_links = cls()

        study_links.update(d)
        return study_links

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())

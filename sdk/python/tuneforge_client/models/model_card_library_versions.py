from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="ModelCardLibraryVersions")


class ModelCardLibraryVersions(dict[str, "str"]):
    @property
    def additional_properties(self) -> dict[str, str]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        model_card_library_versions = cls()

        model_card_library_versions.update(d)
        return model_card_library_versions

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="FamilyResultBestParamsType0")


class FamilyResultBestParamsType0(dict[str, "Any"]):
    """the family's own parameters (without its prefix)"""

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
        family_result_best_params_type_0 = cls()

        family_result_best_params_type_0.update(d)
        return family_result_best_params_type_0

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="ModelInfoVersionsType0")


class ModelInfoVersionsType0(dict[str, "str"]):
    """the versions it was trained with, which loading it needs: python, scikit-learn, numpy, scipy, pandas, joblib, skops,
    and lightgbm or xgboost for their estimators (null: a model saved before they were recorded)

        Example:
            {'python': '3.11.9', 'scikit-learn': '1.9.1', 'numpy': '2.4.6', 'scipy': '1.17.1', 'pandas': '3.1.1', 'joblib':
                '1.6.0', 'skops': '0.16.0'}

    """

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
        model_info_versions_type_0 = cls()

        model_info_versions_type_0.update(d)
        return model_info_versions_type_0

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ModelInfoVersionsType0")


@_attrs_define
class ModelInfoVersionsType0:
    """the versions it was trained with, which loading it needs: python, scikit-learn, numpy, scipy, pandas, joblib, skops
    (null: a model saved before they were recorded)

        Example:
            {'python': '3.11.9', 'scikit-learn': '1.9.1', 'numpy': '2.4.6', 'scipy': '1.17.1', 'pandas': '3.1.1', 'joblib':
                '1.6.0', 'skops': '0.16.0'}

    """

    additional_properties: dict[str, str] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        model_info_versions_type_0 = cls()

        model_info_versions_type_0.additional_properties = d
        return model_info_versions_type_0

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> str:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: str) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..models.dimension import Dimension


T = TypeVar("T", bound="JobSpecParamSpace")


class JobSpecParamSpace(dict[str, "Dimension"]):
    @property
    def additional_properties(self) -> dict[str, Dimension]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dimension import Dimension  # noqa: PLC0415

        d = dict(src_dict)
        job_spec_param_space = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = Dimension.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        job_spec_param_space.update(additional_properties)
        return job_spec_param_space

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())

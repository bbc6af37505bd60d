from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

T = TypeVar("T", bound="ProblemErrors")


class ProblemErrors(dict[str, "list[str]"]):
    """for validation errors: messages by field (dotted path)

    Example:
        {'estimator': ["unknown estimator 'xgb'"]}

    """

    @property
    def additional_properties(self) -> dict[str, list[str]]:
        return self

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        problem_errors = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = cast(list[str], prop_dict)

            additional_properties[prop_name] = additional_property

        problem_errors.update(additional_properties)
        return problem_errors

    @property
    def additional_keys(self) -> list[str]:
        return list(self.keys())

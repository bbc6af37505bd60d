from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Score")


@_attrs_define
class Score:
    """
    Attributes:
        cv (float):
        cv_std (float):
        test (float | None):
    """

    cv: float
    cv_std: float
    test: float | None

    def to_dict(self) -> dict[str, Any]:
        cv = self.cv

        cv_std = self.cv_std

        test: float | None
        test = self.test

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "cv": cv,
                "cv_std": cv_std,
                "test": test,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cv = d.pop("cv")

        cv_std = d.pop("cv_std")

        def _parse_test(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        test = _parse_test(d.pop("test"))

        score = cls(
            cv=cv,
            cv_std=cv_std,
            test=test,
        )

        return score

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Score")


@_attrs_define
class Score:
    """
    Attributes:
        cv (float | None): null: a fallback
        cv_std (float | None):
        test (float | None):
    """

    cv: float | None
    cv_std: float | None
    test: float | None

    def to_dict(self) -> dict[str, Any]:
        cv: float | None
        cv = self.cv

        cv_std: float | None
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

        def _parse_cv(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        cv = _parse_cv(d.pop("cv"))

        def _parse_cv_std(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        cv_std = _parse_cv_std(d.pop("cv_std"))

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

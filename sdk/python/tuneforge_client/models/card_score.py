from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CardScore")


@_attrs_define
class CardScore:
    """
    Attributes:
        cv (float | None | Unset):
        cv_std (float | None | Unset):
        test (float | None | Unset):
    """

    cv: float | None | Unset = UNSET
    cv_std: float | None | Unset = UNSET
    test: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        cv: float | None | Unset
        if isinstance(self.cv, Unset):
            cv = UNSET
        else:
            cv = self.cv

        cv_std: float | None | Unset
        if isinstance(self.cv_std, Unset):
            cv_std = UNSET
        else:
            cv_std = self.cv_std

        test: float | None | Unset
        if isinstance(self.test, Unset):
            test = UNSET
        else:
            test = self.test

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if cv is not UNSET:
            field_dict["cv"] = cv
        if cv_std is not UNSET:
            field_dict["cv_std"] = cv_std
        if test is not UNSET:
            field_dict["test"] = test

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_cv(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cv = _parse_cv(d.pop("cv", UNSET))

        def _parse_cv_std(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cv_std = _parse_cv_std(d.pop("cv_std", UNSET))

        def _parse_test(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        test = _parse_test(d.pop("test", UNSET))

        card_score = cls(
            cv=cv,
            cv_std=cv_std,
            test=test,
        )

        return card_score

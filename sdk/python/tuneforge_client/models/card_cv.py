from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="CardCV")


@_attrs_define
class CardCV:
    """
    Attributes:
        kind (None | str):
        folds (int | None):
        shuffle (bool | None):
        group_column (None | str):
    """

    kind: None | str
    folds: int | None
    shuffle: bool | None
    group_column: None | str

    def to_dict(self) -> dict[str, Any]:
        kind: None | str
        kind = self.kind

        folds: int | None
        folds = self.folds

        shuffle: bool | None
        shuffle = self.shuffle

        group_column: None | str
        group_column = self.group_column

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "folds": folds,
                "shuffle": shuffle,
                "group_column": group_column,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_kind(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        kind = _parse_kind(d.pop("kind"))

        def _parse_folds(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        folds = _parse_folds(d.pop("folds"))

        def _parse_shuffle(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        shuffle = _parse_shuffle(d.pop("shuffle"))

        def _parse_group_column(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        group_column = _parse_group_column(d.pop("group_column"))

        card_cv = cls(
            kind=kind,
            folds=folds,
            shuffle=shuffle,
            group_column=group_column,
        )

        return card_cv

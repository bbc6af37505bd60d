from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.cv_kind import CVKind, check_cv_kind
from ..types import UNSET, Unset

T = TypeVar("T", bound="CV")


@_attrs_define
class CV:
    """
    Attributes:
        folds (int | Unset): at least 2, except for kind holdout (1 split) Example: 5.
        kind (CVKind | Unset): default: stratified for classification
        shuffle (bool | Unset): default true (false for group and timeseries)
        random_state (int | None | Unset):
        group_column (None | str | Unset): kind group: rows sharing a value stay in one fold (the column is not a
            feature)
        validation_size (float | None | Unset): kind holdout: share of training rows scored (default 0.2)
    """

    folds: int | Unset = UNSET
    kind: CVKind | Unset = UNSET
    shuffle: bool | Unset = UNSET
    random_state: int | None | Unset = UNSET
    group_column: None | str | Unset = UNSET
    validation_size: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        folds = self.folds

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind

        shuffle = self.shuffle

        random_state: int | None | Unset
        if isinstance(self.random_state, Unset):
            random_state = UNSET
        else:
            random_state = self.random_state

        group_column: None | str | Unset
        if isinstance(self.group_column, Unset):
            group_column = UNSET
        else:
            group_column = self.group_column

        validation_size: float | None | Unset
        if isinstance(self.validation_size, Unset):
            validation_size = UNSET
        else:
            validation_size = self.validation_size

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if folds is not UNSET:
            field_dict["folds"] = folds
        if kind is not UNSET:
            field_dict["kind"] = kind
        if shuffle is not UNSET:
            field_dict["shuffle"] = shuffle
        if random_state is not UNSET:
            field_dict["random_state"] = random_state
        if group_column is not UNSET:
            field_dict["group_column"] = group_column
        if validation_size is not UNSET:
            field_dict["validation_size"] = validation_size

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        folds = d.pop("folds", UNSET)

        _kind = d.pop("kind", UNSET)
        kind: CVKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = check_cv_kind(_kind)

        shuffle = d.pop("shuffle", UNSET)

        def _parse_random_state(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        random_state = _parse_random_state(d.pop("random_state", UNSET))

        def _parse_group_column(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        group_column = _parse_group_column(d.pop("group_column", UNSET))

        def _parse_validation_size(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        validation_size = _parse_validation_size(d.pop("validation_size", UNSET))

        cv = cls(
            folds=folds,
            kind=kind,
            shuffle=shuffle,
            random_state=random_state,
            group_column=group_column,
            validation_size=validation_size,
        )

        return cv

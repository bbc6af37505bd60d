from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.column_dtype import ColumnDtype, check_column_dtype
from ..models.column_target_task import ColumnTargetTask, check_column_target_task

T = TypeVar("T", bound="Column")


@_attrs_define
class Column:
    """
    Attributes:
        name (str):  Example: mean radius.
        dtype (ColumnDtype):  Example: float.
        n_missing (int):  Example: 0.
        n_unique (int):  Example: 456.
        target_task (ColumnTargetTask): the task a search with this column as its target infers when the spec names
            none: classification for text, boolean and integer columns of at most 20 distinct values, regression otherwise
        target_scoring (str): the scorer such a search ranks by when the spec names none: roc_auc for two classes,
            balanced_accuracy for more, r2 for regression
    """

    name: str
    dtype: ColumnDtype
    n_missing: int
    n_unique: int
    target_task: ColumnTargetTask
    target_scoring: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        dtype: str = self.dtype

        n_missing = self.n_missing

        n_unique = self.n_unique

        target_task: str = self.target_task

        target_scoring = self.target_scoring

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "dtype": dtype,
                "n_missing": n_missing,
                "n_unique": n_unique,
                "target_task": target_task,
                "target_scoring": target_scoring,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        dtype = check_column_dtype(d.pop("dtype"))

        n_missing = d.pop("n_missing")

        n_unique = d.pop("n_unique")

        target_task = check_column_target_task(d.pop("target_task"))

        target_scoring = d.pop("target_scoring")

        column = cls(
            name=name,
            dtype=dtype,
            n_missing=n_missing,
            n_unique=n_unique,
            target_task=target_task,
            target_scoring=target_scoring,
        )

        return column

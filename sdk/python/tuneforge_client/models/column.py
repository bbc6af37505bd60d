from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.column_dtype import ColumnDtype, check_column_dtype

T = TypeVar("T", bound="Column")


@_attrs_define
class Column:
    """
    Attributes:
        name (str):  Example: mean radius.
        dtype (ColumnDtype):  Example: float.
        n_missing (int):  Example: 0.
        n_unique (int):  Example: 456.
    """

    name: str
    dtype: ColumnDtype
    n_missing: int
    n_unique: int

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        dtype: str = self.dtype

        n_missing = self.n_missing

        n_unique = self.n_unique

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "dtype": dtype,
                "n_missing": n_missing,
                "n_unique": n_unique,
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

        column = cls(
            name=name,
            dtype=dtype,
            n_missing=n_missing,
            n_unique=n_unique,
        )

        return column

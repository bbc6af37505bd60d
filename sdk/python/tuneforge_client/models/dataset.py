from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.column import Column
    from ..models.data_warning import DataWarning


T = TypeVar("T", bound="Dataset")


@_attrs_define
class Dataset:
    """
    Attributes:
        id (str):  Example: ds_0190f3a2b7c41e2f9a0b3c4d5e6f.
        name (str): the name the upload gave, else the uploaded file's name, else the dataset's id Example:
            breast_cancer.csv.
        tags (list[str]):  Example: ['baseline', 'v2'].
        n_rows (int):  Example: 569.
        n_columns (int):  Example: 31.
        columns (list[Column]):
        sha256 (str):  Example: 5c6bd4d4c1e96d7db295b91bae812ad349346229c5c9a55bdf6c9cdc8508a8f1.
        size_bytes (int):  Example: 122354.
        created_at (datetime.datetime):  Example: 2026-11-27T02:36:34.365000+00:00.
        warnings (list[DataWarning]): what the reader had to guess or change to read the table (the encoding, the
            separator, a decimal comma, thousands separators, NUL bytes, odd cells in a column of numbers); empty when
            nothing. A header that repeats a name is refused (422), not renamed.
    """

    id: str
    name: str
    tags: list[str]
    n_rows: int
    n_columns: int
    columns: list[Column]
    sha256: str
    size_bytes: int
    created_at: datetime.datetime
    warnings: list[DataWarning]

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        tags = self.tags

        n_rows = self.n_rows

        n_columns = self.n_columns

        columns = []
        for columns_item_data in self.columns:
            columns_item = columns_item_data.to_dict()
            columns.append(columns_item)

        sha256 = self.sha256

        size_bytes = self.size_bytes

        created_at = self.created_at.isoformat()

        warnings = []
        for warnings_item_data in self.warnings:
            warnings_item = warnings_item_data.to_dict()
            warnings.append(warnings_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "tags": tags,
                "n_rows": n_rows,
                "n_columns": n_columns,
                "columns": columns,
                "sha256": sha256,
                "size_bytes": size_bytes,
                "created_at": created_at,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.column import Column  # noqa: PLC0415
        from ..models.data_warning import DataWarning  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        tags = cast(list[str], d.pop("tags"))

        n_rows = d.pop("n_rows")

        n_columns = d.pop("n_columns")

        columns = []
        _columns = d.pop("columns")
        for columns_item_data in _columns:
            columns_item = Column.from_dict(columns_item_data)

            columns.append(columns_item)

        sha256 = d.pop("sha256")

        size_bytes = d.pop("size_bytes")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        warnings = []
        _warnings = d.pop("warnings")
        for warnings_item_data in _warnings:
            warnings_item = DataWarning.from_dict(warnings_item_data)

            warnings.append(warnings_item)

        dataset = cls(
            id=id,
            name=name,
            tags=tags,
            n_rows=n_rows,
            n_columns=n_columns,
            columns=columns,
            sha256=sha256,
            size_bytes=size_bytes,
            created_at=created_at,
            warnings=warnings,
        )

        return dataset

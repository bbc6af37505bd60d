from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="CardData")


@_attrs_define
class CardData:
    """
    Attributes:
        dataset_id (str):
        dataset_name (None | str):
        dataset_sha256 (None | str):
        n_rows (int | None): null once the dataset is deleted
        n_columns (int | None):
        n_train_rows (int):
        n_test_rows (int):
        dropped_target_rows (int):
    """

    dataset_id: str
    dataset_name: None | str
    dataset_sha256: None | str
    n_rows: int | None
    n_columns: int | None
    n_train_rows: int
    n_test_rows: int
    dropped_target_rows: int

    def to_dict(self) -> dict[str, Any]:
        dataset_id = self.dataset_id

        dataset_name: None | str
        dataset_name = self.dataset_name

        dataset_sha256: None | str
        dataset_sha256 = self.dataset_sha256

        n_rows: int | None
        n_rows = self.n_rows

        n_columns: int | None
        n_columns = self.n_columns

        n_train_rows = self.n_train_rows

        n_test_rows = self.n_test_rows

        dropped_target_rows = self.dropped_target_rows

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dataset_id": dataset_id,
                "dataset_name": dataset_name,
                "dataset_sha256": dataset_sha256,
                "n_rows": n_rows,
                "n_columns": n_columns,
                "n_train_rows": n_train_rows,
                "n_test_rows": n_test_rows,
                "dropped_target_rows": dropped_target_rows,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        dataset_id = d.pop("dataset_id")

        def _parse_dataset_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        dataset_name = _parse_dataset_name(d.pop("dataset_name"))

        def _parse_dataset_sha256(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        dataset_sha256 = _parse_dataset_sha256(d.pop("dataset_sha256"))

        def _parse_n_rows(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        n_rows = _parse_n_rows(d.pop("n_rows"))

        def _parse_n_columns(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        n_columns = _parse_n_columns(d.pop("n_columns"))

        n_train_rows = d.pop("n_train_rows")

        n_test_rows = d.pop("n_test_rows")

        dropped_target_rows = d.pop("dropped_target_rows")

        card_data = cls(
            dataset_id=dataset_id,
            dataset_name=dataset_name,
            dataset_sha256=dataset_sha256,
            n_rows=n_rows,
            n_columns=n_columns,
            n_train_rows=n_train_rows,
            n_test_rows=n_test_rows,
            dropped_target_rows=dropped_target_rows,
        )

        return card_data

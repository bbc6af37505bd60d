from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.prediction_rows_rows_item import PredictionRowsRowsItem


T = TypeVar("T", bound="PredictionRows")


@_attrs_define
class PredictionRows:
    """
    Attributes:
        rows (list[PredictionRowsRowsItem]): every column the model was trained on (null is a missing value; numbers may
            be written as text with the dataset's decimal mark, `"2,5"`); other columns are ignored and listed in
            `ignored_columns`. At most `TUNEFORGE_PREDICT_MAX_ROWS` rows (10,000 by default) in a body of at most 1 MiB:
            send CSV for more Example: [{'age': 41, 'income': '52.300,50', 'plan': 'pro', 'member': True}].
    """

    rows: list[PredictionRowsRowsItem]

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for rows_item_data in self.rows:
            rows_item = rows_item_data.to_dict()
            rows.append(rows_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rows": rows,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.prediction_rows_rows_item import PredictionRowsRowsItem  # noqa: PLC0415

        d = dict(src_dict)
        rows = []
        _rows = d.pop("rows")
        for rows_item_data in _rows:
            rows_item = PredictionRowsRowsItem.from_dict(rows_item_data)

            rows.append(rows_item)

        prediction_rows = cls(
            rows=rows,
        )

        return prediction_rows

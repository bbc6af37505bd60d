from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.estimator import Estimator
    from ..models.estimator_list_scorers import EstimatorListScorers


T = TypeVar("T", bound="EstimatorList")


@_attrs_define
class EstimatorList:
    """
    Attributes:
        items (list[Estimator]):
        scorers (EstimatorListScorers): task → the scikit-learn scorer names a spec of that task may use (some need a
            binary target; scorers named neg_* are errors, negated so that higher is better)
    """

    items: list[Estimator]
    scorers: EstimatorListScorers

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        scorers = self.scorers.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "items": items,
                "scorers": scorers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.estimator import Estimator  # noqa: PLC0415
        from ..models.estimator_list_scorers import EstimatorListScorers  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = Estimator.from_dict(items_item_data)

            items.append(items_item)

        scorers = EstimatorListScorers.from_dict(d.pop("scorers"))

        estimator_list = cls(
            items=items,
            scorers=scorers,
        )

        return estimator_list

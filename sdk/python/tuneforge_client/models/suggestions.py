from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.suggestions_state import SuggestionsState, check_suggestions_state

if TYPE_CHECKING:
    from ..models.suggestion import Suggestion


T = TypeVar("T", bound="Suggestions")


@_attrs_define
class Suggestions:
    """
    Attributes:
        items (list[Suggestion]):
        state (SuggestionsState):
        remaining (int): trials neither recorded nor leased now (after this answer)
        retry_after_s (float | None): with no items while running: seconds to wait; else null
    """

    items: list[Suggestion]
    state: SuggestionsState
    remaining: int
    retry_after_s: float | None

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        state: str = self.state

        remaining = self.remaining

        retry_after_s: float | None
        retry_after_s = self.retry_after_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "items": items,
                "state": state,
                "remaining": remaining,
                "retry_after_s": retry_after_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.suggestion import Suggestion  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = Suggestion.from_dict(items_item_data)

            items.append(items_item)

        state = check_suggestions_state(d.pop("state"))

        remaining = d.pop("remaining")

        def _parse_retry_after_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        retry_after_s = _parse_retry_after_s(d.pop("retry_after_s"))

        suggestions = cls(
            items=items,
            state=state,
            remaining=remaining,
            retry_after_s=retry_after_s,
        )

        return suggestions

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.fallback_params import FallbackParams


T = TypeVar("T", bound="Fallback")


@_attrs_define
class Fallback:
    """
    Attributes:
        reason (str):
        params (FallbackParams):
        n_rows (int): the rows it was fitted on
    """

    reason: str
    params: FallbackParams
    n_rows: int

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        params = self.params.to_dict()

        n_rows = self.n_rows

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
                "params": params,
                "n_rows": n_rows,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fallback_params import FallbackParams  # noqa: PLC0415

        d = dict(src_dict)
        reason = d.pop("reason")

        params = FallbackParams.from_dict(d.pop("params"))

        n_rows = d.pop("n_rows")

        fallback = cls(
            reason=reason,
            params=params,
            n_rows=n_rows,
        )

        return fallback

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Progress")


@_attrs_define
class Progress:
    """
    Attributes:
        trials_completed (int):  Example: 15.
        trials_total (int):  Example: 15.
        eta_s (float | None): estimated seconds left, from the trials so far (null until known)
    """

    trials_completed: int
    trials_total: int
    eta_s: float | None

    def to_dict(self) -> dict[str, Any]:
        trials_completed = self.trials_completed

        trials_total = self.trials_total

        eta_s: float | None
        eta_s = self.eta_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "trials_completed": trials_completed,
                "trials_total": trials_total,
                "eta_s": eta_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        trials_completed = d.pop("trials_completed")

        trials_total = d.pop("trials_total")

        def _parse_eta_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        eta_s = _parse_eta_s(d.pop("eta_s"))

        progress = cls(
            trials_completed=trials_completed,
            trials_total=trials_total,
            eta_s=eta_s,
        )

        return progress

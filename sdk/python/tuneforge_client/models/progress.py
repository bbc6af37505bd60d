from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Progress")


@_attrs_define
class Progress:
    """
    Attributes:
        trials_completed (int): trials recorded, inherited ones included Example: 15.
        trials_total (int): trials planned: those inherited and the new ones to run Example: 15.
        trials_inherited (int): of trials_completed, those a warm start inherited (not run) Example: 0.
        eta_s (float | None): estimated seconds left, from the trials so far (null until known)
    """

    trials_completed: int
    trials_total: int
    trials_inherited: int
    eta_s: float | None

    def to_dict(self) -> dict[str, Any]:
        trials_completed = self.trials_completed

        trials_total = self.trials_total

        trials_inherited = self.trials_inherited

        eta_s: float | None
        eta_s = self.eta_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "trials_completed": trials_completed,
                "trials_total": trials_total,
                "trials_inherited": trials_inherited,
                "eta_s": eta_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        trials_completed = d.pop("trials_completed")

        trials_total = d.pop("trials_total")

        trials_inherited = d.pop("trials_inherited")

        def _parse_eta_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        eta_s = _parse_eta_s(d.pop("eta_s"))

        progress = cls(
            trials_completed=trials_completed,
            trials_total=trials_total,
            trials_inherited=trials_inherited,
            eta_s=eta_s,
        )

        return progress

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Extend")


@_attrs_define
class Extend:
    """
    Attributes:
        n_trials (int | Unset): trials to run beyond those recorded (a running job: beyond its plan); the job's plan
            stays at most TUNEFORGE_MAX_TRIALS. Not for halving; a grid goes on through the points it has left Example: 10.
        timeout_s (int | Unset): an ended job: no trial starts after this many seconds from now (default: the spec's
            timeout_s); a running job: its deadline this much later. At most TUNEFORGE_MAX_JOB_SECONDS Example: 600.
    """

    n_trials: int | Unset = UNSET
    timeout_s: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        n_trials = self.n_trials

        timeout_s = self.timeout_s

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if n_trials is not UNSET:
            field_dict["n_trials"] = n_trials
        if timeout_s is not UNSET:
            field_dict["timeout_s"] = timeout_s

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        n_trials = d.pop("n_trials", UNSET)

        timeout_s = d.pop("timeout_s", UNSET)

        extend = cls(
            n_trials=n_trials,
            timeout_s=timeout_s,
        )

        return extend

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Extension")


@_attrs_define
class Extension:
    """
    Attributes:
        at (datetime.datetime):
        n_trials (int | None):
        timeout_s (int | None):
    """

    at: datetime.datetime
    n_trials: int | None
    timeout_s: int | None

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        n_trials: int | None
        n_trials = self.n_trials

        timeout_s: int | None
        timeout_s = self.timeout_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "at": at,
                "n_trials": n_trials,
                "timeout_s": timeout_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        def _parse_n_trials(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        n_trials = _parse_n_trials(d.pop("n_trials"))

        def _parse_timeout_s(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        timeout_s = _parse_timeout_s(d.pop("timeout_s"))

        extension = cls(
            at=at,
            n_trials=n_trials,
            timeout_s=timeout_s,
        )

        return extension

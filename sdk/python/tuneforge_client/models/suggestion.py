from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.suggestion_params import SuggestionParams


T = TypeVar("T", bound="Suggestion")


@_attrs_define
class Suggestion:
    """
    Attributes:
        number (int):
        params (SuggestionParams):
        lease_expires_at (datetime.datetime): report before then, or the trial is handed out again
    """

    number: int
    params: SuggestionParams
    lease_expires_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        params = self.params.to_dict()

        lease_expires_at = self.lease_expires_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "number": number,
                "params": params,
                "lease_expires_at": lease_expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.suggestion_params import SuggestionParams  # noqa: PLC0415

        d = dict(src_dict)
        number = d.pop("number")

        params = SuggestionParams.from_dict(d.pop("params"))

        lease_expires_at = datetime.datetime.fromisoformat(d.pop("lease_expires_at"))

        suggestion = cls(
            number=number,
            params=params,
            lease_expires_at=lease_expires_at,
        )

        return suggestion

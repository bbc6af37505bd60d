from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.webhook_delivery_state import WebhookDeliveryState, check_webhook_delivery_state

T = TypeVar("T", bound="WebhookDelivery")


@_attrs_define
class WebhookDelivery:
    """
    Attributes:
        state (WebhookDeliveryState): pending (no attempt yet), delivering (an attempt runs), retrying (another attempt
            at next_retry_at), or final: delivered, failed (every attempt failed) or refused (the target is on a private
            address)
        attempts (int): attempts begun
        last_status (int | None): the HTTP status the last attempt got (null: no answer)
        last_error (None | str): why the last attempt failed (null once delivered)
        delivered_at (datetime.datetime | None):
        next_retry_at (datetime.datetime | None): when the next attempt is due, while retrying
    """

    state: WebhookDeliveryState
    attempts: int
    last_status: int | None
    last_error: None | str
    delivered_at: datetime.datetime | None
    next_retry_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        state: str = self.state

        attempts = self.attempts

        last_status: int | None
        last_status = self.last_status

        last_error: None | str
        last_error = self.last_error

        delivered_at: None | str
        if isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        next_retry_at: None | str
        if isinstance(self.next_retry_at, datetime.datetime):
            next_retry_at = self.next_retry_at.isoformat()
        else:
            next_retry_at = self.next_retry_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
                "attempts": attempts,
                "last_status": last_status,
                "last_error": last_error,
                "delivered_at": delivered_at,
                "next_retry_at": next_retry_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        state = check_webhook_delivery_state(d.pop("state"))

        attempts = d.pop("attempts")

        def _parse_last_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status = _parse_last_status(d.pop("last_status"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        def _parse_delivered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at"))

        def _parse_next_retry_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_retry_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_retry_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_retry_at = _parse_next_retry_at(d.pop("next_retry_at"))

        webhook_delivery = cls(
            state=state,
            attempts=attempts,
            last_status=last_status,
            last_error=last_error,
            delivered_at=delivered_at,
            next_retry_at=next_retry_at,
        )

        return webhook_delivery

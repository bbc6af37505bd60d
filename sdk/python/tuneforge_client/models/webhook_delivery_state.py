from enum import StrEnum


class WebhookDeliveryState(StrEnum):
    DELIVERED = "delivered"
    DELIVERING = "delivering"
    FAILED = "failed"
    PENDING = "pending"
    REFUSED = "refused"
    RETRYING = "retrying"

    def __str__(self) -> str:
        return str(self.value)

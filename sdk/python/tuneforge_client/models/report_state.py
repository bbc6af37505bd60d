from typing import Literal

ReportState = Literal["failed", "pruned", "succeeded"]

REPORT_STATE_VALUES: set[ReportState] = {
    "failed",
    "pruned",
    "succeeded",
}


def check_report_state(value: str) -> ReportState:
    if value in REPORT_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPORT_STATE_VALUES!r}")

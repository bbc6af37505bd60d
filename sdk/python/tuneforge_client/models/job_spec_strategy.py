from typing import Literal

JobSpecStrategy = Literal["bayesian", "grid", "halving", "random"]

JOB_SPEC_STRATEGY_VALUES: set[JobSpecStrategy] = {
    "bayesian",
    "grid",
    "halving",
    "random",
}


def check_job_spec_strategy(value: str) -> JobSpecStrategy:
    if value in JOB_SPEC_STRATEGY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_SPEC_STRATEGY_VALUES!r}")

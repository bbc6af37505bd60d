from typing import Literal

SearchSpecStrategy = Literal["bayesian", "grid", "halving", "random"]

SEARCH_SPEC_STRATEGY_VALUES: set[SearchSpecStrategy] = {
    "bayesian",
    "grid",
    "halving",
    "random",
}


def check_search_spec_strategy(value: str) -> SearchSpecStrategy:
    if value in SEARCH_SPEC_STRATEGY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEARCH_SPEC_STRATEGY_VALUES!r}")

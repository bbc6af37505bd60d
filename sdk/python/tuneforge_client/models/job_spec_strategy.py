from enum import StrEnum


class JobSpecStrategy(StrEnum):
    BAYESIAN = "bayesian"
    GRID = "grid"
    HALVING = "halving"
    RANDOM = "random"

    def __str__(self) -> str:
        return str(self.value)

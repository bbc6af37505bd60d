from enum import StrEnum


class HalvingResource(StrEnum):
    MAX_ITER = "max_iter"
    N_ESTIMATORS = "n_estimators"
    N_SAMPLES = "n_samples"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class JobSpecHalvingMinResourcesType1(StrEnum):
    EXHAUST = "exhaust"
    SMALLEST = "smallest"

    def __str__(self) -> str:
        return str(self.value)

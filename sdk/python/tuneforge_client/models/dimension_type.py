from enum import StrEnum


class DimensionType(StrEnum):
    CATEGORICAL = "categorical"
    FLOAT = "float"
    INT = "int"

    def __str__(self) -> str:
        return str(self.value)

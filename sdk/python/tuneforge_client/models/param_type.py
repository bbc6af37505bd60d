from enum import StrEnum


class ParamType(StrEnum):
    BOOL = "bool"
    CHOICE = "choice"
    FLOAT = "float"
    INT = "int"

    def __str__(self) -> str:
        return str(self.value)

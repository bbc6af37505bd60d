from enum import StrEnum


class ColumnDtype(StrEnum):
    BOOLEAN = "boolean"
    FLOAT = "float"
    INTEGER = "integer"
    STRING = "string"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class SearchSpecParamSpaceAdditionalPropertyType2Type(StrEnum):
    FLOAT = "float"
    INT = "int"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class SearchSpecParamSpaceAdditionalPropertyType1Type(StrEnum):
    CATEGORICAL = "categorical"

    def __str__(self) -> str:
        return str(self.value)

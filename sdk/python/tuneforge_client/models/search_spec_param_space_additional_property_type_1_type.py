from typing import Literal

SearchSpecParamSpaceAdditionalPropertyType1Type = Literal["categorical"]

SEARCH_SPEC_PARAM_SPACE_ADDITIONAL_PROPERTY_TYPE_1_TYPE_VALUES: set[SearchSpecParamSpaceAdditionalPropertyType1Type] = {
    "categorical",
}


def check_search_spec_param_space_additional_property_type_1_type(
    value: str,
) -> SearchSpecParamSpaceAdditionalPropertyType1Type:
    if value in SEARCH_SPEC_PARAM_SPACE_ADDITIONAL_PROPERTY_TYPE_1_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SEARCH_SPEC_PARAM_SPACE_ADDITIONAL_PROPERTY_TYPE_1_TYPE_VALUES!r}"
    )

from typing import Literal

SearchSpecParamSpaceAdditionalPropertyType2Type = Literal["float", "int"]

SEARCH_SPEC_PARAM_SPACE_ADDITIONAL_PROPERTY_TYPE_2_TYPE_VALUES: set[SearchSpecParamSpaceAdditionalPropertyType2Type] = {
    "float",
    "int",
}


def check_search_spec_param_space_additional_property_type_2_type(
    value: str,
) -> SearchSpecParamSpaceAdditionalPropertyType2Type:
    if value in SEARCH_SPEC_PARAM_SPACE_ADDITIONAL_PROPERTY_TYPE_2_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SEARCH_SPEC_PARAM_SPACE_ADDITIONAL_PROPERTY_TYPE_2_TYPE_VALUES!r}"
    )

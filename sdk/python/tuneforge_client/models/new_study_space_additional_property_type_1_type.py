from typing import Literal

NewStudySpaceAdditionalPropertyType1Type = Literal["categorical"]

NEW_STUDY_SPACE_ADDITIONAL_PROPERTY_TYPE_1_TYPE_VALUES: set[NewStudySpaceAdditionalPropertyType1Type] = {
    "categorical",
}


def check_new_study_space_additional_property_type_1_type(value: str) -> NewStudySpaceAdditionalPropertyType1Type:
    if value in NEW_STUDY_SPACE_ADDITIONAL_PROPERTY_TYPE_1_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NEW_STUDY_SPACE_ADDITIONAL_PROPERTY_TYPE_1_TYPE_VALUES!r}"
    )

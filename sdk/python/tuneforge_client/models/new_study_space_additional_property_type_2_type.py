from typing import Literal

NewStudySpaceAdditionalPropertyType2Type = Literal["float", "int"]

NEW_STUDY_SPACE_ADDITIONAL_PROPERTY_TYPE_2_TYPE_VALUES: set[NewStudySpaceAdditionalPropertyType2Type] = {
    "float",
    "int",
}


def check_new_study_space_additional_property_type_2_type(value: str) -> NewStudySpaceAdditionalPropertyType2Type:
    if value in NEW_STUDY_SPACE_ADDITIONAL_PROPERTY_TYPE_2_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {NEW_STUDY_SPACE_ADDITIONAL_PROPERTY_TYPE_2_TYPE_VALUES!r}"
    )

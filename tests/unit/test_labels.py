"""Names and tags as the service checks them for every caller (``models/engine/labels.py``),
HTTP or not: the bounds the request schema declares, and what a schema cannot say."""

from __future__ import annotations

import pytest

from models.engine.labels import Labels, check_name, check_tags, labels_of
from models.exceptions import DatasetError, SpecError


def test_labels_keep_the_name_and_each_tag_once_in_order():
    labels = labels_of({"name": "knn, v2", "tags": ["b", "a", "b"]})
    assert labels == Labels("knn, v2", ("b", "a"))
    assert labels_of({}) == Labels(None, ())


def test_twenty_distinct_tags_are_taken_even_when_some_repeat():
    tags = [f"t{i}" for i in range(20)]
    assert check_tags(tags + tags) == tuple(tags)


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        ({"name": "a\x07b"}, "name", "control character"),
        ({"name": " \t"}, "name", "not blank"),
        ({"name": "n" * 256}, "name", "at most 255"),
        ({"tags": "prod"}, "tags", "a list"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags", "at most 20"),
        ({"tags": ["ok", "bell\x07"]}, "tags.1", "control character"),
        ({"tags": ["ok", "a,b"]}, "tags.1", "without commas"),
        ({"tags": ["trailing "]}, "tags.0", "spaces at either end"),
        ({"tags": [None]}, "tags.0", "1 to 40"),
    ],
)
def test_a_label_out_of_bounds_is_refused_naming_its_field(raw, field, reason):
    with pytest.raises(SpecError) as refused:
        labels_of(raw)
    assert refused.value.field == field and reason in refused.value.detail


def test_the_caller_chooses_the_error_a_dataset_upload_gets_its_own():
    with pytest.raises(DatasetError):
        check_tags(["a,b"], DatasetError)
    with pytest.raises(DatasetError):
        check_name("", DatasetError)

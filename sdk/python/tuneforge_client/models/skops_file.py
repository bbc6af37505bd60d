from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="SkopsFile")


@_attrs_define
class SkopsFile:
    """
    Attributes:
        sha256 (str):  Example: 5c6bd4d4c1e96d7db295b91bae812ad349346229c5c9a55bdf6c9cdc8508a8f1.
        size_bytes (int):  Example: 122354.
        trusted_types (list[str]): exactly the types the file needs beyond skops' defaults, each scikit-learn's, numpy's
            or scipy's: skops.io.load(file, trusted=trusted_types) Example: ['numpy.asarray', 'numpy.dtype',
            'sklearn.tree._tree.Tree'].
    """

    sha256: str
    size_bytes: int
    trusted_types: list[str]

    def to_dict(self) -> dict[str, Any]:
        sha256 = self.sha256

        size_bytes = self.size_bytes

        trusted_types = self.trusted_types

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sha256": sha256,
                "size_bytes": size_bytes,
                "trusted_types": trusted_types,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sha256 = d.pop("sha256")

        size_bytes = d.pop("size_bytes")

        trusted_types = cast(list[str], d.pop("trusted_types"))

        skops_file = cls(
            sha256=sha256,
            size_bytes=size_bytes,
            trusted_types=trusted_types,
        )

        return skops_file

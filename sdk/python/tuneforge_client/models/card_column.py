from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="CardColumn")


@_attrs_define
class CardColumn:
    """
    Attributes:
        name (str):
        role (str): target, feature, group or excluded
        dtype (None | str):
        kind (None | str): numeric, categorical or text
        n_missing (int | None):
        treatment (str):
        used (bool): whether the model reads it
        imputation (None | str): what missing values become (null: none missing, or not used)
        scaled (bool):
        encoding (None | str):
        reason (str):
    """

    name: str
    role: str
    dtype: None | str
    kind: None | str
    n_missing: int | None
    treatment: str
    used: bool
    imputation: None | str
    scaled: bool
    encoding: None | str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        role = self.role

        dtype: None | str
        dtype = self.dtype

        kind: None | str
        kind = self.kind

        n_missing: int | None
        n_missing = self.n_missing

        treatment = self.treatment

        used = self.used

        imputation: None | str
        imputation = self.imputation

        scaled = self.scaled

        encoding: None | str
        encoding = self.encoding

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "role": role,
                "dtype": dtype,
                "kind": kind,
                "n_missing": n_missing,
                "treatment": treatment,
                "used": used,
                "imputation": imputation,
                "scaled": scaled,
                "encoding": encoding,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        role = d.pop("role")

        def _parse_dtype(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        dtype = _parse_dtype(d.pop("dtype"))

        def _parse_kind(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        kind = _parse_kind(d.pop("kind"))

        def _parse_n_missing(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        n_missing = _parse_n_missing(d.pop("n_missing"))

        treatment = d.pop("treatment")

        used = d.pop("used")

        def _parse_imputation(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        imputation = _parse_imputation(d.pop("imputation"))

        scaled = d.pop("scaled")

        def _parse_encoding(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        encoding = _parse_encoding(d.pop("encoding"))

        reason = d.pop("reason")

        card_column = cls(
            name=name,
            role=role,
            dtype=dtype,
            kind=kind,
            n_missing=n_missing,
            treatment=treatment,
            used=used,
            imputation=imputation,
            scaled=scaled,
            encoding=encoding,
            reason=reason,
        )

        return card_column

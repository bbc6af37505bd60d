from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.halving_min_resources_type_1 import HalvingMinResourcesType1, check_halving_min_resources_type_1
from ..models.halving_resource import HalvingResource, check_halving_resource
from ..types import UNSET, Unset

T = TypeVar("T", bound="Halving")


@_attrs_define
class Halving:
    """
    Attributes:
        resource (HalvingResource | Unset): n_samples (default), or an estimator budget such as n_estimators or max_iter
            (see the catalog's resource_params)
        factor (int | Unset): keep the best 1/factor of each rung, with factor times the resource (default 3)
        min_resources (HalvingMinResourcesType1 | int | None | Unset): the first rung's resource: a number, smallest or
            exhaust (default, or null: smallest, or exhaust when n_candidates is given)
        max_resources (int | None | Unset): default: every training row, or the parameter's budget
        n_candidates (int | None | Unset): first-rung candidates (default: max_resources // min_resources, at most 81)
    """

    resource: HalvingResource | Unset = UNSET
    factor: int | Unset = UNSET
    min_resources: HalvingMinResourcesType1 | int | None | Unset = UNSET
    max_resources: int | None | Unset = UNSET
    n_candidates: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        resource: str | Unset = UNSET
        if not isinstance(self.resource, Unset):
            resource = self.resource

        factor = self.factor

        min_resources: int | None | str | Unset
        if isinstance(self.min_resources, Unset):
            min_resources = UNSET
        elif isinstance(self.min_resources, str):
            min_resources = self.min_resources
        else:
            min_resources = self.min_resources

        max_resources: int | None | Unset
        if isinstance(self.max_resources, Unset):
            max_resources = UNSET
        else:
            max_resources = self.max_resources

        n_candidates: int | None | Unset
        if isinstance(self.n_candidates, Unset):
            n_candidates = UNSET
        else:
            n_candidates = self.n_candidates

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if resource is not UNSET:
            field_dict["resource"] = resource
        if factor is not UNSET:
            field_dict["factor"] = factor
        if min_resources is not UNSET:
            field_dict["min_resources"] = min_resources
        if max_resources is not UNSET:
            field_dict["max_resources"] = max_resources
        if n_candidates is not UNSET:
            field_dict["n_candidates"] = n_candidates

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _resource = d.pop("resource", UNSET)
        resource: HalvingResource | Unset
        if isinstance(_resource, Unset):
            resource = UNSET
        else:
            resource = check_halving_resource(_resource)

        factor = d.pop("factor", UNSET)

        def _parse_min_resources(data: object) -> HalvingMinResourcesType1 | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                min_resources_type_1 = check_halving_min_resources_type_1(data)

                return min_resources_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HalvingMinResourcesType1 | int | None | Unset, data)

        min_resources = _parse_min_resources(d.pop("min_resources", UNSET))

        def _parse_max_resources(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_resources = _parse_max_resources(d.pop("max_resources", UNSET))

        def _parse_n_candidates(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n_candidates = _parse_n_candidates(d.pop("n_candidates", UNSET))

        halving = cls(
            resource=resource,
            factor=factor,
            min_resources=min_resources,
            max_resources=max_resources,
            n_candidates=n_candidates,
        )

        return halving

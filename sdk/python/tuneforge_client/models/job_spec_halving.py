from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.job_spec_halving_min_resources_type_1 import (
    JobSpecHalvingMinResourcesType1,
    check_job_spec_halving_min_resources_type_1,
)
from ..models.job_spec_halving_resource import JobSpecHalvingResource, check_job_spec_halving_resource

T = TypeVar("T", bound="JobSpecHalving")


@_attrs_define
class JobSpecHalving:
    """
    Attributes:
        resource (JobSpecHalvingResource):
        factor (int):
        min_resources (int | JobSpecHalvingMinResourcesType1 | None): null: smallest, or exhaust when n_candidates is
            given
        max_resources (int | None):
        n_candidates (int | None):
    """

    resource: JobSpecHalvingResource
    factor: int
    min_resources: int | JobSpecHalvingMinResourcesType1 | None
    max_resources: int | None
    n_candidates: int | None

    def to_dict(self) -> dict[str, Any]:
        resource: str = self.resource

        factor = self.factor

        min_resources: int | None | str
        if isinstance(self.min_resources, str):
            min_resources = self.min_resources
        else:
            min_resources = self.min_resources

        max_resources: int | None
        max_resources = self.max_resources

        n_candidates: int | None
        n_candidates = self.n_candidates

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "resource": resource,
                "factor": factor,
                "min_resources": min_resources,
                "max_resources": max_resources,
                "n_candidates": n_candidates,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        resource = check_job_spec_halving_resource(d.pop("resource"))

        factor = d.pop("factor")

        def _parse_min_resources(data: object) -> int | JobSpecHalvingMinResourcesType1 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                min_resources_type_1 = check_job_spec_halving_min_resources_type_1(data)

                return min_resources_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(int | JobSpecHalvingMinResourcesType1 | None, data)

        min_resources = _parse_min_resources(d.pop("min_resources"))

        def _parse_max_resources(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_resources = _parse_max_resources(d.pop("max_resources"))

        def _parse_n_candidates(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        n_candidates = _parse_n_candidates(d.pop("n_candidates"))

        job_spec_halving = cls(
            resource=resource,
            factor=factor,
            min_resources=min_resources,
            max_resources=max_resources,
            n_candidates=n_candidates,
        )

        return job_spec_halving

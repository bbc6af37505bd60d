from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.study_state import StudyState, check_study_state

if TYPE_CHECKING:
    from ..models.study_best_type_0 import StudyBestType0
    from ..models.study_counts import StudyCounts
    from ..models.study_links import StudyLinks
    from ..models.study_spec import StudySpec


T = TypeVar("T", bound="Study")


@_attrs_define
class Study:
    """
    Attributes:
        id (str):
        name (None | str):
        state (StudyState): running (trials are suggested) or completed (every trial recorded, or a grid with every
            point tried)
        spec (StudySpec):
        trials_total (int):
        trials_completed (int): trials reported (any outcome)
        counts (StudyCounts):
        best (None | StudyBestType0): {number, params, value}; null until one
        created_at (datetime.datetime):
        finished_at (datetime.datetime | None):
        links (StudyLinks):
    """

    id: str
    name: None | str
    state: StudyState
    spec: StudySpec
    trials_total: int
    trials_completed: int
    counts: StudyCounts
    best: None | StudyBestType0
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    links: StudyLinks

    def to_dict(self) -> dict[str, Any]:
        from ..models.study_best_type_0 import StudyBestType0  # noqa: PLC0415

        id = self.id

        name: None | str
        name = self.name

        state: str = self.state

        spec = self.spec.to_dict()

        trials_total = self.trials_total

        trials_completed = self.trials_completed

        counts = self.counts.to_dict()

        best: dict[str, Any] | None
        if isinstance(self.best, StudyBestType0):
            best = self.best.to_dict()
        else:
            best = self.best

        created_at = self.created_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        links = self.links.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "state": state,
                "spec": spec,
                "trials_total": trials_total,
                "trials_completed": trials_completed,
                "counts": counts,
                "best": best,
                "created_at": created_at,
                "finished_at": finished_at,
                "links": links,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.study_best_type_0 import StudyBestType0  # noqa: PLC0415
        from ..models.study_counts import StudyCounts  # noqa: PLC0415
        from ..models.study_links import StudyLinks  # noqa: PLC0415
        from ..models.study_spec import StudySpec  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        state = check_study_state(d.pop("state"))

        spec = StudySpec.from_dict(d.pop("spec"))

        trials_total = d.pop("trials_total")

        trials_completed = d.pop("trials_completed")

        counts = StudyCounts.from_dict(d.pop("counts"))

        def _parse_best(data: object) -> None | StudyBestType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                best_type_0 = StudyBestType0.from_dict(data)

                return best_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StudyBestType0, data)

        best = _parse_best(d.pop("best"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        links = StudyLinks.from_dict(d.pop("links"))

        study = cls(
            id=id,
            name=name,
            state=state,
            spec=spec,
            trials_total=trials_total,
            trials_completed=trials_completed,
            counts=counts,
            best=best,
            created_at=created_at,
            finished_at=finished_at,
            links=links,
        )

        return study

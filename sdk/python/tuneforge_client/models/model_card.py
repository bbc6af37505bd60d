from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.card_column import CardColumn
    from ..models.card_data import CardData
    from ..models.card_evaluation import CardEvaluation
    from ..models.card_model import CardModel
    from ..models.card_search import CardSearch
    from ..models.card_warnings import CardWarnings
    from ..models.model_card_best_params import ModelCardBestParams
    from ..models.model_card_library_versions import ModelCardLibraryVersions


T = TypeVar("T", bound="ModelCard")


@_attrs_define
class ModelCard:
    """
    Attributes:
        job_id (str):
        name (None | str):
        model (CardModel):
        data (CardData):
        columns (list[CardColumn]):
        evaluation (CardEvaluation):
        best_params (ModelCardBestParams):
        search (CardSearch):
        library_versions (ModelCardLibraryVersions):
        warnings (CardWarnings):
        intended_use (list[str]):
        limitations (list[str]):
    """

    job_id: str
    name: None | str
    model: CardModel
    data: CardData
    columns: list[CardColumn]
    evaluation: CardEvaluation
    best_params: ModelCardBestParams
    search: CardSearch
    library_versions: ModelCardLibraryVersions
    warnings: CardWarnings
    intended_use: list[str]
    limitations: list[str]

    def to_dict(self) -> dict[str, Any]:
        job_id = self.job_id

        name: None | str
        name = self.name

        model = self.model.to_dict()

        data = self.data.to_dict()

        columns = []
        for columns_item_data in self.columns:
            columns_item = columns_item_data.to_dict()
            columns.append(columns_item)

        evaluation = self.evaluation.to_dict()

        best_params = self.best_params.to_dict()

        search = self.search.to_dict()

        library_versions = self.library_versions.to_dict()

        warnings = self.warnings.to_dict()

        intended_use = self.intended_use

        limitations = self.limitations

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "job_id": job_id,
                "name": name,
                "model": model,
                "data": data,
                "columns": columns,
                "evaluation": evaluation,
                "best_params": best_params,
                "search": search,
                "library_versions": library_versions,
                "warnings": warnings,
                "intended_use": intended_use,
                "limitations": limitations,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.card_column import CardColumn  # noqa: PLC0415
        from ..models.card_data import CardData  # noqa: PLC0415
        from ..models.card_evaluation import CardEvaluation  # noqa: PLC0415
        from ..models.card_model import CardModel  # noqa: PLC0415
        from ..models.card_search import CardSearch  # noqa: PLC0415
        from ..models.card_warnings import CardWarnings  # noqa: PLC0415
        from ..models.model_card_best_params import ModelCardBestParams  # noqa: PLC0415
        from ..models.model_card_library_versions import ModelCardLibraryVersions  # noqa: PLC0415

        d = dict(src_dict)
        job_id = d.pop("job_id")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        model = CardModel.from_dict(d.pop("model"))

        data = CardData.from_dict(d.pop("data"))

        columns = []
        _columns = d.pop("columns")
        for columns_item_data in _columns:
            columns_item = CardColumn.from_dict(columns_item_data)

            columns.append(columns_item)

        evaluation = CardEvaluation.from_dict(d.pop("evaluation"))

        best_params = ModelCardBestParams.from_dict(d.pop("best_params"))

        search = CardSearch.from_dict(d.pop("search"))

        library_versions = ModelCardLibraryVersions.from_dict(d.pop("library_versions"))

        warnings = CardWarnings.from_dict(d.pop("warnings"))

        intended_use = cast(list[str], d.pop("intended_use"))

        limitations = cast(list[str], d.pop("limitations"))

        model_card = cls(
            job_id=job_id,
            name=name,
            model=model,
            data=data,
            columns=columns,
            evaluation=evaluation,
            best_params=best_params,
            search=search,
            library_versions=library_versions,
            warnings=warnings,
            intended_use=intended_use,
            limitations=limitations,
        )

        return model_card

"""OpenAPI links: how one response's ids feed the next operations.

They document the workflow (upload → submit → follow → result → model) for readers and
let schemathesis chain real calls in its stateful phase.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin

DATASET_ID = {"dataset_id": "$response.body#/id"}
JOB_ID = {"job_id": "$response.body#/id"}


def _to(operation: str, parameters: dict[str, str], description: str) -> dict[str, Any]:
    return {"operationId": operation, "parameters": parameters, "description": description}


AFTER_UPLOAD = {
    "GetDataset": _to("getDataset", DATASET_ID, "the uploaded dataset"),
    "DeleteDataset": _to("deleteDataset", DATASET_ID, "delete it"),
    "SubmitJob": {
        "operationId": "submitJob",
        "description": "search on it, predicting its second column",
        "requestBody": {
            "dataset_id": "$response.body#/id",
            "target": "$response.body#/columns/1/name",
            "estimator": "knn",
            "n_trials": 2,
            "cv": {"folds": 2},
        },
    },
}

AFTER_SUBMIT = {
    name: _to(operation, JOB_ID, description)
    for name, operation, description in (
        ("GetJob", "getJob", "follow the job"),
        ("ListTrials", "listTrials", "its trials"),
        ("GetResult", "getResult", "its result, once it succeeded"),
        ("DownloadModel", "downloadModel", "its model, once it succeeded"),
        ("CancelJob", "cancelJob", "stop it"),
        ("StreamJobEvents", "streamJobEvents", "watch it live"),
    )
}

# operationId → (status of the response that carries them, links)
LINKS = {"uploadDataset": ("201", AFTER_UPLOAD), "submitJob": ("202", AFTER_SUBMIT)}


class LinksPlugin(BasePlugin):
    """An apispec plugin that adds :data:`LINKS` to their operations' success responses."""

    def operation_helper(
        self, path: str | None = None, operations: dict | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            if not isinstance(operation, dict) or operation.get("operationId") not in LINKS:
                continue
            status, links = LINKS[operation["operationId"]]
            responses = operation.get("responses", {})
            for key in (status, int(status)):
                if isinstance(responses.get(key), dict):
                    responses[key]["links"] = links

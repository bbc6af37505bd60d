"""The published documents: one marshmallow schema each, and nowhere else.

A document is dumped straight from the domain's objects (a ``Job`` row through
:class:`JobSchema`, a catalog ``Estimator`` through :class:`EstimatorSchema`), and that
one dump is what every channel sends: the HTTP API (``api/`` declares these schemas on
its routes, which also writes ``openapi.yaml`` and so the SDK), the webhooks a worker
posts, and the job's Server-Sent Events. marshmallow only: no Flask, no Celery.

- :mod:`~models.documents.fields`: shared field types (parameter values, embedded JSON)
- :mod:`~models.documents.datasets`: a dataset's profile
- :mod:`~models.documents.data_warnings`: what the reader guessed, what the spec check found
- :mod:`~models.documents.specs`: the search spec a client sends, and the resolved one
- :mod:`~models.documents.jobs`: a job with its progress, a trial, a result
- :mod:`~models.documents.importance`: a job's parameter importance
- :mod:`~models.documents.events`: the events of ``GET /v1/jobs/{id}/events``
- :mod:`~models.documents.estimators`: the catalog
- :mod:`~models.documents.pages`: list pages
- :mod:`~models.documents.service`: health, and problem+json errors
"""

from __future__ import annotations

from models.documents.data_warnings import DataWarningSchema
from models.documents.datasets import ColumnSchema, DatasetSchema
from models.documents.estimators import EstimatorListSchema, EstimatorSchema, ParamSchema
from models.documents.events import (
    EVENTS,
    STUDY_EVENTS,
    BestEventSchema,
    EndEventSchema,
    JobBestSchema,
    JobEndSchema,
    StatusEventSchema,
    TrialEventSchema,
)
from models.documents.examples import add_examples
from models.documents.extensions import ExtendSchema, ExtensionSchema
from models.documents.importance import ImportanceSchema, ParamImportanceSchema
from models.documents.jobs import (
    ColumnTreatmentSchema,
    DryRunSchema,
    EstimateSchema,
    FallbackSchema,
    JobSchema,
    MetricSchema,
    ModelInfoSchema,
    ProgressSchema,
    ResultSchema,
    ScoreSchema,
    SkopsFileSchema,
    TrialSchema,
)
from models.documents.pages import DatasetPageSchema, JobPageSchema, TrialPageSchema
from models.documents.service import HealthSchema, ProblemSchema
from models.documents.specs import (
    CVSchema,
    DimensionSchema,
    HalvingSchema,
    JobSpecCVSchema,
    JobSpecHalvingSchema,
    JobSpecSchema,
    SearchSpecSchema,
)

__all__ = [
    "EVENTS",
    "STUDY_EVENTS",
    "BestEventSchema",
    "CVSchema",
    "ColumnSchema",
    "ColumnTreatmentSchema",
    "DataWarningSchema",
    "DatasetPageSchema",
    "DatasetSchema",
    "DimensionSchema",
    "DryRunSchema",
    "EndEventSchema",
    "EstimateSchema",
    "EstimatorListSchema",
    "EstimatorSchema",
    "ExtendSchema",
    "ExtensionSchema",
    "FallbackSchema",
    "HalvingSchema",
    "HealthSchema",
    "ImportanceSchema",
    "JobBestSchema",
    "JobEndSchema",
    "JobPageSchema",
    "JobSchema",
    "JobSpecCVSchema",
    "JobSpecHalvingSchema",
    "JobSpecSchema",
    "MetricSchema",
    "ModelInfoSchema",
    "ParamImportanceSchema",
    "ParamSchema",
    "ProblemSchema",
    "ProgressSchema",
    "ResultSchema",
    "ScoreSchema",
    "SearchSpecSchema",
    "SkopsFileSchema",
    "StatusEventSchema",
    "TrialEventSchema",
    "TrialPageSchema",
    "TrialSchema",
]

# The documents a server writes (a request's examples are on its route).
add_examples(
    [
        ColumnSchema,
        DatasetSchema,
        JobSpecSchema,
        ProgressSchema,
        JobSchema,
        TrialSchema,
        ColumnTreatmentSchema,
        SkopsFileSchema,
        ModelInfoSchema,
        ResultSchema,
        JobBestSchema,
        JobEndSchema,
        EstimatorSchema,
        HealthSchema,
        DatasetPageSchema,
        JobPageSchema,
        TrialPageSchema,
        ImportanceSchema,
    ]
)

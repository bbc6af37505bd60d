"""Contains all the data models used in inputs/outputs"""

from .column import Column
from .column_treatment import ColumnTreatment
from .cv import CV
from .cv_kind import CVKind
from .dataset import Dataset
from .dataset_page import DatasetPage
from .estimator import Estimator
from .estimator_default_space import EstimatorDefaultSpace
from .estimator_list import EstimatorList
from .estimator_params import EstimatorParams
from .estimator_resource_params import EstimatorResourceParams
from .halving import Halving
from .halving_min_resources_type_1 import HalvingMinResourcesType1
from .health import Health
from .health_checks import HealthChecks
from .job import Job
from .job_best_params_type_0 import JobBestParamsType0
from .job_page import JobPage
from .job_spec import JobSpec
from .job_status import JobStatus
from .list_jobs_status import ListJobsStatus
from .model_info import ModelInfo
from .pagination_metadata import PaginationMetadata
from .problem import Problem
from .problem_errors import ProblemErrors
from .progress import Progress
from .result import Result
from .result_best_params import ResultBestParams
from .result_scores import ResultScores
from .search_spec import SearchSpec
from .search_spec_param_space import SearchSpecParamSpace
from .search_spec_strategy import SearchSpecStrategy
from .search_spec_task import SearchSpecTask
from .trial import Trial
from .trial_metrics import TrialMetrics
from .trial_page import TrialPage
from .trial_params import TrialParams
from .upload_dataset_files_body import UploadDatasetFilesBody

__all__ = (
    "Column",
    "ColumnTreatment",
    "CV",
    "CVKind",
    "Dataset",
    "DatasetPage",
    "Estimator",
    "EstimatorDefaultSpace",
    "EstimatorList",
    "EstimatorParams",
    "EstimatorResourceParams",
    "Halving",
    "HalvingMinResourcesType1",
    "Health",
    "HealthChecks",
    "Job",
    "JobBestParamsType0",
    "JobPage",
    "JobSpec",
    "JobStatus",
    "ListJobsStatus",
    "ModelInfo",
    "PaginationMetadata",
    "Problem",
    "ProblemErrors",
    "Progress",
    "Result",
    "ResultBestParams",
    "ResultScores",
    "SearchSpec",
    "SearchSpecParamSpace",
    "SearchSpecStrategy",
    "SearchSpecTask",
    "Trial",
    "TrialMetrics",
    "TrialPage",
    "TrialParams",
    "UploadDatasetFilesBody",
)

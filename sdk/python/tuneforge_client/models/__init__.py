"""Contains all the data models used in inputs/outputs"""

from .best_event import BestEvent
from .best_event_event import BestEventEvent
from .card_column import CardColumn
from .card_cv import CardCV
from .card_data import CardData
from .card_evaluation import CardEvaluation
from .card_evaluation_scores import CardEvaluationScores
from .card_model import CardModel
from .card_score import CardScore
from .card_search import CardSearch
from .card_warnings import CardWarnings
from .column import Column
from .column_dtype import ColumnDtype
from .column_target_task import ColumnTargetTask
from .column_treatment import ColumnTreatment
from .column_treatment_treatment import ColumnTreatmentTreatment
from .cv import CV
from .cv_kind import CVKind
from .data_warning import DataWarning
from .dataset import Dataset
from .dataset_page import DatasetPage
from .dimension import Dimension
from .dimension_type import DimensionType
from .dimension_when import DimensionWhen
from .download_model_format import DownloadModelFormat
from .dry_run import DryRun
from .end_event import EndEvent
from .end_event_event import EndEventEvent
from .estimate import Estimate
from .estimator import Estimator
from .estimator_default_space import EstimatorDefaultSpace
from .estimator_default_space_additional_property import EstimatorDefaultSpaceAdditionalProperty
from .estimator_list import EstimatorList
from .estimator_list_scorers import EstimatorListScorers
from .estimator_params import EstimatorParams
from .estimator_params_additional_property import EstimatorParamsAdditionalProperty
from .estimator_resource_params import EstimatorResourceParams
from .estimator_tasks_item import EstimatorTasksItem
from .extend import Extend
from .extension import Extension
from .fallback import Fallback
from .fallback_params import FallbackParams
from .family_result import FamilyResult
from .family_result_best_params_type_0 import FamilyResultBestParamsType0
from .halving import Halving
from .halving_min_resources_type_1 import HalvingMinResourcesType1
from .halving_resource import HalvingResource
from .health import Health
from .health_checks import HealthChecks
from .importance import Importance
from .importance_method import ImportanceMethod
from .inherited_from import InheritedFrom
from .intermediate import Intermediate
from .job import Job
from .job_best import JobBest
from .job_best_best_params_type_0 import JobBestBestParamsType0
from .job_best_params_type_0 import JobBestParamsType0
from .job_end import JobEnd
from .job_end_status import JobEndStatus
from .job_page import JobPage
from .job_refit_type_0 import JobRefitType0
from .job_spec import JobSpec
from .job_spec_cv import JobSpecCV
from .job_spec_cv_kind import JobSpecCVKind
from .job_spec_estimator import JobSpecEstimator
from .job_spec_halving import JobSpecHalving
from .job_spec_halving_min_resources_type_1 import JobSpecHalvingMinResourcesType1
from .job_spec_halving_resource import JobSpecHalvingResource
from .job_spec_metrics_item import JobSpecMetricsItem
from .job_spec_param_space import JobSpecParamSpace
from .job_spec_scoring import JobSpecScoring
from .job_spec_strategy import JobSpecStrategy
from .job_spec_task import JobSpecTask
from .job_spec_warm_start import JobSpecWarmStart
from .job_status import JobStatus
from .job_stopped_reason_type_0 import JobStoppedReasonType0
from .list_datasets_sort import ListDatasetsSort
from .list_jobs_sort import ListJobsSort
from .list_jobs_status import ListJobsStatus
from .list_studies_sort import ListStudiesSort
from .list_studies_state import ListStudiesState
from .list_study_trials_sort import ListStudyTrialsSort
from .list_study_trials_state import ListStudyTrialsState
from .list_trials_estimator import ListTrialsEstimator
from .list_trials_sort import ListTrialsSort
from .list_trials_state import ListTrialsState
from .metric import Metric
from .model_card import ModelCard
from .model_card_best_params import ModelCardBestParams
from .model_card_library_versions import ModelCardLibraryVersions
from .model_info import ModelInfo
from .model_info_format import ModelInfoFormat
from .model_info_versions_type_0 import ModelInfoVersionsType0
from .new_study import NewStudy
from .new_study_direction import NewStudyDirection
from .new_study_space import NewStudySpace
from .new_study_space_additional_property_type_1 import NewStudySpaceAdditionalPropertyType1
from .new_study_space_additional_property_type_1_type import NewStudySpaceAdditionalPropertyType1Type
from .new_study_space_additional_property_type_1_when import NewStudySpaceAdditionalPropertyType1When
from .new_study_space_additional_property_type_2 import NewStudySpaceAdditionalPropertyType2
from .new_study_space_additional_property_type_2_type import NewStudySpaceAdditionalPropertyType2Type
from .new_study_space_additional_property_type_2_when import NewStudySpaceAdditionalPropertyType2When
from .new_study_strategy import NewStudyStrategy
from .onnx_check import OnnxCheck
from .onnx_check_source import OnnxCheckSource
from .onnx_file import OnnxFile
from .onnx_file_opset import OnnxFileOpset
from .onnx_file_versions import OnnxFileVersions
from .onnx_input import OnnxInput
from .onnx_input_type import OnnxInputType
from .onnx_tolerance import OnnxTolerance
from .pagination_metadata import PaginationMetadata
from .param import Param
from .param_importance import ParamImportance
from .param_type import ParamType
from .prediction_rows import PredictionRows
from .prediction_rows_rows_item import PredictionRowsRowsItem
from .predictions import Predictions
from .problem import Problem
from .problem_errors import ProblemErrors
from .progress import Progress
from .report import Report
from .report_state import ReportState
from .result import Result
from .result_best_params import ResultBestParams
from .result_scores import ResultScores
from .result_scoring import ResultScoring
from .result_stopped_reason_type_0 import ResultStoppedReasonType0
from .score import Score
from .search_spec import SearchSpec
from .search_spec_estimator import SearchSpecEstimator
from .search_spec_metrics_item import SearchSpecMetricsItem
from .search_spec_param_space import SearchSpecParamSpace
from .search_spec_param_space_additional_property_type_1 import SearchSpecParamSpaceAdditionalPropertyType1
from .search_spec_param_space_additional_property_type_1_type import SearchSpecParamSpaceAdditionalPropertyType1Type
from .search_spec_param_space_additional_property_type_1_when import SearchSpecParamSpaceAdditionalPropertyType1When
from .search_spec_param_space_additional_property_type_2 import SearchSpecParamSpaceAdditionalPropertyType2
from .search_spec_param_space_additional_property_type_2_type import SearchSpecParamSpaceAdditionalPropertyType2Type
from .search_spec_param_space_additional_property_type_2_when import SearchSpecParamSpaceAdditionalPropertyType2When
from .search_spec_refit import SearchSpecRefit
from .search_spec_scoring_type_0 import SearchSpecScoringType0
from .search_spec_scoring_type_1_item import SearchSpecScoringType1Item
from .search_spec_strategy import SearchSpecStrategy
from .search_spec_task import SearchSpecTask
from .skops_file import SkopsFile
from .status_event import StatusEvent
from .status_event_event import StatusEventEvent
from .study import Study
from .study_best_event import StudyBestEvent
from .study_best_event_event import StudyBestEventEvent
from .study_best_type_0 import StudyBestType0
from .study_completed import StudyCompleted
from .study_completed_best_params_type_0 import StudyCompletedBestParamsType0
from .study_completed_event import StudyCompletedEvent
from .study_completed_event_event import StudyCompletedEventEvent
from .study_completed_state import StudyCompletedState
from .study_counts import StudyCounts
from .study_importance import StudyImportance
from .study_importance_method import StudyImportanceMethod
from .study_lapsed import StudyLapsed
from .study_lapsed_event import StudyLapsedEvent
from .study_lapsed_event_event import StudyLapsedEventEvent
from .study_links import StudyLinks
from .study_new_best import StudyNewBest
from .study_new_best_best_params import StudyNewBestBestParams
from .study_page import StudyPage
from .study_reported import StudyReported
from .study_reported_event import StudyReportedEvent
from .study_reported_event_event import StudyReportedEventEvent
from .study_reported_state import StudyReportedState
from .study_spec import StudySpec
from .study_state import StudyState
from .study_suggested import StudySuggested
from .study_suggested_event import StudySuggestedEvent
from .study_suggested_event_event import StudySuggestedEventEvent
from .study_trial import StudyTrial
from .study_trial_page import StudyTrialPage
from .study_trial_params import StudyTrialParams
from .study_trial_state import StudyTrialState
from .suggestion import Suggestion
from .suggestion_params import SuggestionParams
from .suggestions import Suggestions
from .suggestions_request import SuggestionsRequest
from .suggestions_state import SuggestionsState
from .trial import Trial
from .trial_event import TrialEvent
from .trial_event_event import TrialEventEvent
from .trial_metrics import TrialMetrics
from .trial_page import TrialPage
from .trial_params import TrialParams
from .trial_state import TrialState
from .upload_dataset_files_body import UploadDatasetFilesBody
from .warm_start import WarmStart
from .webhook_delivery import WebhookDelivery
from .webhook_delivery_state import WebhookDeliveryState

__all__ = (
    "BestEvent",
    "BestEventEvent",
    "CardColumn",
    "CardCV",
    "CardData",
    "CardEvaluation",
    "CardEvaluationScores",
    "CardModel",
    "CardScore",
    "CardSearch",
    "CardWarnings",
    "Column",
    "ColumnDtype",
    "ColumnTargetTask",
    "ColumnTreatment",
    "ColumnTreatmentTreatment",
    "CV",
    "CVKind",
    "Dataset",
    "DatasetPage",
    "DataWarning",
    "Dimension",
    "DimensionType",
    "DimensionWhen",
    "DownloadModelFormat",
    "DryRun",
    "EndEvent",
    "EndEventEvent",
    "Estimate",
    "Estimator",
    "EstimatorDefaultSpace",
    "EstimatorDefaultSpaceAdditionalProperty",
    "EstimatorList",
    "EstimatorListScorers",
    "EstimatorParams",
    "EstimatorParamsAdditionalProperty",
    "EstimatorResourceParams",
    "EstimatorTasksItem",
    "Extend",
    "Extension",
    "Fallback",
    "FallbackParams",
    "FamilyResult",
    "FamilyResultBestParamsType0",
    "Halving",
    "HalvingMinResourcesType1",
    "HalvingResource",
    "Health",
    "HealthChecks",
    "Importance",
    "ImportanceMethod",
    "InheritedFrom",
    "Intermediate",
    "Job",
    "JobBest",
    "JobBestBestParamsType0",
    "JobBestParamsType0",
    "JobEnd",
    "JobEndStatus",
    "JobPage",
    "JobRefitType0",
    "JobSpec",
    "JobSpecCV",
    "JobSpecCVKind",
    "JobSpecEstimator",
    "JobSpecHalving",
    "JobSpecHalvingMinResourcesType1",
    "JobSpecHalvingResource",
    "JobSpecMetricsItem",
    "JobSpecParamSpace",
    "JobSpecScoring",
    "JobSpecStrategy",
    "JobSpecTask",
    "JobSpecWarmStart",
    "JobStatus",
    "JobStoppedReasonType0",
    "ListDatasetsSort",
    "ListJobsSort",
    "ListJobsStatus",
    "ListStudiesSort",
    "ListStudiesState",
    "ListStudyTrialsSort",
    "ListStudyTrialsState",
    "ListTrialsEstimator",
    "ListTrialsSort",
    "ListTrialsState",
    "Metric",
    "ModelCard",
    "ModelCardBestParams",
    "ModelCardLibraryVersions",
    "ModelInfo",
    "ModelInfoFormat",
    "ModelInfoVersionsType0",
    "NewStudy",
    "NewStudyDirection",
    "NewStudySpace",
    "NewStudySpaceAdditionalPropertyType1",
    "NewStudySpaceAdditionalPropertyType1Type",
    "NewStudySpaceAdditionalPropertyType1When",
    "NewStudySpaceAdditionalPropertyType2",
    "NewStudySpaceAdditionalPropertyType2Type",
    "NewStudySpaceAdditionalPropertyType2When",
    "NewStudyStrategy",
    "OnnxCheck",
    "OnnxCheckSource",
    "OnnxFile",
    "OnnxFileOpset",
    "OnnxFileVersions",
    "OnnxInput",
    "OnnxInputType",
    "OnnxTolerance",
    "PaginationMetadata",
    "Param",
    "ParamImportance",
    "ParamType",
    "PredictionRows",
    "PredictionRowsRowsItem",
    "Predictions",
    "Problem",
    "ProblemErrors",
    "Progress",
    "Report",
    "ReportState",
    "Result",
    "ResultBestParams",
    "ResultScores",
    "ResultScoring",
    "ResultStoppedReasonType0",
    "Score",
    "SearchSpec",
    "SearchSpecEstimator",
    "SearchSpecMetricsItem",
    "SearchSpecParamSpace",
    "SearchSpecParamSpaceAdditionalPropertyType1",
    "SearchSpecParamSpaceAdditionalPropertyType1Type",
    "SearchSpecParamSpaceAdditionalPropertyType1When",
    "SearchSpecParamSpaceAdditionalPropertyType2",
    "SearchSpecParamSpaceAdditionalPropertyType2Type",
    "SearchSpecParamSpaceAdditionalPropertyType2When",
    "SearchSpecRefit",
    "SearchSpecScoringType0",
    "SearchSpecScoringType1Item",
    "SearchSpecStrategy",
    "SearchSpecTask",
    "SkopsFile",
    "StatusEvent",
    "StatusEventEvent",
    "Study",
    "StudyBestEvent",
    "StudyBestEventEvent",
    "StudyBestType0",
    "StudyCompleted",
    "StudyCompletedBestParamsType0",
    "StudyCompletedEvent",
    "StudyCompletedEventEvent",
    "StudyCompletedState",
    "StudyCounts",
    "StudyImportance",
    "StudyImportanceMethod",
    "StudyLapsed",
    "StudyLapsedEvent",
    "StudyLapsedEventEvent",
    "StudyLinks",
    "StudyNewBest",
    "StudyNewBestBestParams",
    "StudyPage",
    "StudyReported",
    "StudyReportedEvent",
    "StudyReportedEventEvent",
    "StudyReportedState",
    "StudySpec",
    "StudyState",
    "StudySuggested",
    "StudySuggestedEvent",
    "StudySuggestedEventEvent",
    "StudyTrial",
    "StudyTrialPage",
    "StudyTrialParams",
    "StudyTrialState",
    "Suggestion",
    "SuggestionParams",
    "Suggestions",
    "SuggestionsRequest",
    "SuggestionsState",
    "Trial",
    "TrialEvent",
    "TrialEventEvent",
    "TrialMetrics",
    "TrialPage",
    "TrialParams",
    "TrialState",
    "UploadDatasetFilesBody",
    "WarmStart",
    "WebhookDelivery",
    "WebhookDeliveryState",
)

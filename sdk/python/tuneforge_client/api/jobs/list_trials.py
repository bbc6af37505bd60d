from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.list_trials_estimator import ListTrialsEstimator
from ...models.list_trials_sort import ListTrialsSort
from ...models.list_trials_state import ListTrialsState
from ...models.problem import Problem
from ...models.trial_page import TrialPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_id: str,
    *,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListTrialsSort | Unset = "number",
    state: ListTrialsState | Unset = UNSET,
    estimator: ListTrialsEstimator | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["cursor"] = cursor

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort

    params["sort"] = json_sort

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state

    params["state"] = json_state

    json_estimator: str | Unset = UNSET
    if not isinstance(estimator, Unset):
        json_estimator = estimator

    params["estimator"] = json_estimator

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/jobs/{job_id}/trials".format(
            job_id=quote(str(job_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TrialPage:
    if response.status_code == 200:
        response_200 = TrialPage.from_dict(response.json())

        return response_200

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | TrialPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListTrialsSort | Unset = "number",
    state: ListTrialsState | Unset = UNSET,
    estimator: ListTrialsEstimator | Unset = UNSET,
) -> Response[Problem | TrialPage]:
    """List a job's trials so far, by number unless sorted; filter by state (and an
    auto job's by family).

     By number is the order they were proposed in; `sort=-mean_score` is best first.

    Args:
        job_id (str):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (ListTrialsSort | Unset):  Default: 'number'.
        state (ListTrialsState | Unset):
        estimator (ListTrialsEstimator | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TrialPage]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        limit=limit,
        cursor=cursor,
        sort=sort,
        state=state,
        estimator=estimator,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListTrialsSort | Unset = "number",
    state: ListTrialsState | Unset = UNSET,
    estimator: ListTrialsEstimator | Unset = UNSET,
) -> Problem | TrialPage | None:
    """List a job's trials so far, by number unless sorted; filter by state (and an
    auto job's by family).

     By number is the order they were proposed in; `sort=-mean_score` is best first.

    Args:
        job_id (str):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (ListTrialsSort | Unset):  Default: 'number'.
        state (ListTrialsState | Unset):
        estimator (ListTrialsEstimator | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TrialPage
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        limit=limit,
        cursor=cursor,
        sort=sort,
        state=state,
        estimator=estimator,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListTrialsSort | Unset = "number",
    state: ListTrialsState | Unset = UNSET,
    estimator: ListTrialsEstimator | Unset = UNSET,
) -> Response[Problem | TrialPage]:
    """List a job's trials so far, by number unless sorted; filter by state (and an
    auto job's by family).

     By number is the order they were proposed in; `sort=-mean_score` is best first.

    Args:
        job_id (str):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (ListTrialsSort | Unset):  Default: 'number'.
        state (ListTrialsState | Unset):
        estimator (ListTrialsEstimator | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TrialPage]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        limit=limit,
        cursor=cursor,
        sort=sort,
        state=state,
        estimator=estimator,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListTrialsSort | Unset = "number",
    state: ListTrialsState | Unset = UNSET,
    estimator: ListTrialsEstimator | Unset = UNSET,
) -> Problem | TrialPage | None:
    """List a job's trials so far, by number unless sorted; filter by state (and an
    auto job's by family).

     By number is the order they were proposed in; `sort=-mean_score` is best first.

    Args:
        job_id (str):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (ListTrialsSort | Unset):  Default: 'number'.
        state (ListTrialsState | Unset):
        estimator (ListTrialsEstimator | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TrialPage
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            limit=limit,
            cursor=cursor,
            sort=sort,
            state=state,
            estimator=estimator,
        )
    ).parsed

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.list_study_trials_sort import ListStudyTrialsSort
from ...models.list_study_trials_state import ListStudyTrialsState
from ...models.problem import Problem
from ...models.study_trial_page import StudyTrialPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    study_id: str,
    *,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListStudyTrialsSort | Unset = "number",
    state: ListStudyTrialsState | Unset = UNSET,
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

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/studies/{study_id}/trials".format(
            study_id=quote(str(study_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | StudyTrialPage:
    if response.status_code == 200:
        response_200 = StudyTrialPage.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | StudyTrialPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListStudyTrialsSort | Unset = "number",
    state: ListStudyTrialsState | Unset = UNSET,
) -> Response[Problem | StudyTrialPage]:
    """A study's trials, by number unless sorted (`-mean_score`: highest value first,
    `mean_score`: lowest first); filter by state.

    Args:
        study_id (str):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (ListStudyTrialsSort | Unset):  Default: 'number'.
        state (ListStudyTrialsState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StudyTrialPage]
    """

    kwargs = _get_kwargs(
        study_id=study_id,
        limit=limit,
        cursor=cursor,
        sort=sort,
        state=state,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListStudyTrialsSort | Unset = "number",
    state: ListStudyTrialsState | Unset = UNSET,
) -> Problem | StudyTrialPage | None:
    """A study's trials, by number unless sorted (`-mean_score`: highest value first,
    `mean_score`: lowest first); filter by state.

    Args:
        study_id (str):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (ListStudyTrialsSort | Unset):  Default: 'number'.
        state (ListStudyTrialsState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StudyTrialPage
    """

    return sync_detailed(
        study_id=study_id,
        client=client,
        limit=limit,
        cursor=cursor,
        sort=sort,
        state=state,
    ).parsed


async def asyncio_detailed(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListStudyTrialsSort | Unset = "number",
    state: ListStudyTrialsState | Unset = UNSET,
) -> Response[Problem | StudyTrialPage]:
    """A study's trials, by number unless sorted (`-mean_score`: highest value first,
    `mean_score`: lowest first); filter by state.

    Args:
        study_id (str):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (ListStudyTrialsSort | Unset):  Default: 'number'.
        state (ListStudyTrialsState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StudyTrialPage]
    """

    kwargs = _get_kwargs(
        study_id=study_id,
        limit=limit,
        cursor=cursor,
        sort=sort,
        state=state,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: ListStudyTrialsSort | Unset = "number",
    state: ListStudyTrialsState | Unset = UNSET,
) -> Problem | StudyTrialPage | None:
    """A study's trials, by number unless sorted (`-mean_score`: highest value first,
    `mean_score`: lowest first); filter by state.

    Args:
        study_id (str):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (ListStudyTrialsSort | Unset):  Default: 'number'.
        state (ListStudyTrialsState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StudyTrialPage
    """

    return (
        await asyncio_detailed(
            study_id=study_id,
            client=client,
            limit=limit,
            cursor=cursor,
            sort=sort,
            state=state,
        )
    ).parsed

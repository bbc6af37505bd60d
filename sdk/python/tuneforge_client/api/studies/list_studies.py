from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.list_studies_sort import ListStudiesSort
from ...models.list_studies_state import ListStudiesState
from ...models.problem import Problem
from ...models.study_page import StudyPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    state: ListStudiesState | Unset = UNSET,
    sort: ListStudiesSort | Unset = "-created_at",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["cursor"] = cursor

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state

    params["state"] = json_state

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort

    params["sort"] = json_sort

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/studies",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | StudyPage:
    if response.status_code == 200:
        response_200 = StudyPage.from_dict(response.json())

        return response_200

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | StudyPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    state: ListStudiesState | Unset = UNSET,
    sort: ListStudiesSort | Unset = "-created_at",
) -> Response[Problem | StudyPage]:
    """List studies, newest first unless sorted; filter by state.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        state (ListStudiesState | Unset):
        sort (ListStudiesSort | Unset):  Default: '-created_at'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StudyPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        state=state,
        sort=sort,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    state: ListStudiesState | Unset = UNSET,
    sort: ListStudiesSort | Unset = "-created_at",
) -> Problem | StudyPage | None:
    """List studies, newest first unless sorted; filter by state.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        state (ListStudiesState | Unset):
        sort (ListStudiesSort | Unset):  Default: '-created_at'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StudyPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        state=state,
        sort=sort,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    state: ListStudiesState | Unset = UNSET,
    sort: ListStudiesSort | Unset = "-created_at",
) -> Response[Problem | StudyPage]:
    """List studies, newest first unless sorted; filter by state.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        state (ListStudiesState | Unset):
        sort (ListStudiesSort | Unset):  Default: '-created_at'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StudyPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        state=state,
        sort=sort,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    state: ListStudiesState | Unset = UNSET,
    sort: ListStudiesSort | Unset = "-created_at",
) -> Problem | StudyPage | None:
    """List studies, newest first unless sorted; filter by state.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        state (ListStudiesState | Unset):
        sort (ListStudiesSort | Unset):  Default: '-created_at'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StudyPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            state=state,
            sort=sort,
        )
    ).parsed

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.study import Study
from ...types import Response


def _get_kwargs(
    study_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/studies/{study_id}".format(
            study_id=quote(str(study_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Study:
    if response.status_code == 200:
        response_200 = Study.from_dict(response.json())

        return response_200

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Study]:
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
) -> Response[Problem | Study]:
    """One study: its trials counted by state, and the best so far.

    Args:
        study_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Study]
    """

    kwargs = _get_kwargs(
        study_id=study_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Problem | Study | None:
    """One study: its trials counted by state, and the best so far.

    Args:
        study_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Study
    """

    return sync_detailed(
        study_id=study_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Problem | Study]:
    """One study: its trials counted by state, and the best so far.

    Args:
        study_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Study]
    """

    kwargs = _get_kwargs(
        study_id=study_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Problem | Study | None:
    """One study: its trials counted by state, and the best so far.

    Args:
        study_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Study
    """

    return (
        await asyncio_detailed(
            study_id=study_id,
            client=client,
        )
    ).parsed

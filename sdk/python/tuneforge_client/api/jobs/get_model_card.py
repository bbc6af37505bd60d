from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.model_card import ModelCard
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    job_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/jobs/{job_id}/card".format(
            job_id=quote(str(job_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ModelCard | Problem:
    if response.status_code == 200:
        response_200 = ModelCard.from_dict(response.json())

        return response_200

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ModelCard | Problem]:
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
) -> Response[ModelCard | Problem]:
    """A job's model card, as JSON or as Markdown (409 until the job has a result).

     The data, its columns and how each was treated, the task and scorer, the CV kind
    and folds with the scores' spread, the test score, the best parameters, the trials
    run, failed and pruned, the time spent, the library versions, the data and leak
    warnings, and the intended use and limits.

    Args:
        job_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ModelCard | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ModelCard | Problem | None:
    """A job's model card, as JSON or as Markdown (409 until the job has a result).

     The data, its columns and how each was treated, the task and scorer, the CV kind
    and folds with the scores' spread, the test score, the best parameters, the trials
    run, failed and pruned, the time spent, the library versions, the data and leak
    warnings, and the intended use and limits.

    Args:
        job_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ModelCard | Problem
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ModelCard | Problem]:
    """A job's model card, as JSON or as Markdown (409 until the job has a result).

     The data, its columns and how each was treated, the task and scorer, the CV kind
    and folds with the scores' spread, the test score, the best parameters, the trials
    run, failed and pruned, the time spent, the library versions, the data and leak
    warnings, and the intended use and limits.

    Args:
        job_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ModelCard | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ModelCard | Problem | None:
    """A job's model card, as JSON or as Markdown (409 until the job has a result).

     The data, its columns and how each was treated, the task and scorer, the CV kind
    and folds with the scores' spread, the test score, the best parameters, the trials
    run, failed and pruned, the time spent, the library versions, the data and leak
    warnings, and the intended use and limits.

    Args:
        job_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ModelCard | Problem
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
        )
    ).parsed

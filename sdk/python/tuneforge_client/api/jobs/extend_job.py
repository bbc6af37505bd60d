from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.extend import Extend
from ...models.job import Job
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_id: str,
    *,
    body: Extend,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/jobs/{job_id}/extend".format(
            job_id=quote(str(job_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Job | Problem:
    if response.status_code == 202:
        response_202 = Job.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Job | Problem]:
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
    body: Extend,
    idempotency_key: str | Unset = UNSET,
) -> Response[Job | Problem]:
    """Go on with a job: more trials, more time, or both.

     Its trials keep their numbers and new ones follow, the strategy learning from every
    one. A running job is extended in place; a job that succeeded, or was cancelled,
    is queued again (a failed one is not: 409). Its result and model are replaced only
    by a better candidate. 409 for a grid with every point tried, and for n_trials on a
    halving search.

    Args:
        job_id (str):
        idempotency_key (str | Unset):
        body (Extend):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Job | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: Extend,
    idempotency_key: str | Unset = UNSET,
) -> Job | Problem | None:
    """Go on with a job: more trials, more time, or both.

     Its trials keep their numbers and new ones follow, the strategy learning from every
    one. A running job is extended in place; a job that succeeded, or was cancelled,
    is queued again (a failed one is not: 409). Its result and model are replaced only
    by a better candidate. 409 for a grid with every point tried, and for n_trials on a
    halving search.

    Args:
        job_id (str):
        idempotency_key (str | Unset):
        body (Extend):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Job | Problem
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: Extend,
    idempotency_key: str | Unset = UNSET,
) -> Response[Job | Problem]:
    """Go on with a job: more trials, more time, or both.

     Its trials keep their numbers and new ones follow, the strategy learning from every
    one. A running job is extended in place; a job that succeeded, or was cancelled,
    is queued again (a failed one is not: 409). Its result and model are replaced only
    by a better candidate. 409 for a grid with every point tried, and for n_trials on a
    halving search.

    Args:
        job_id (str):
        idempotency_key (str | Unset):
        body (Extend):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Job | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: Extend,
    idempotency_key: str | Unset = UNSET,
) -> Job | Problem | None:
    """Go on with a job: more trials, more time, or both.

     Its trials keep their numbers and new ones follow, the strategy learning from every
    one. A running job is extended in place; a job that succeeded, or was cancelled,
    is queued again (a failed one is not: 409). Its result and model are replaced only
    by a better candidate. 409 for a grid with every point tried, and for n_trials on a
    halving search.

    Args:
        job_id (str):
        idempotency_key (str | Unset):
        body (Extend):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Job | Problem
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

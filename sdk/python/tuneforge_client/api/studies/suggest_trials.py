from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.suggestions import Suggestions
from ...models.suggestions_request import SuggestionsRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    study_id: str,
    *,
    body: SuggestionsRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/studies/{study_id}/suggestions".format(
            study_id=quote(str(study_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Suggestions:
    if response.status_code == 200:
        response_200 = Suggestions.from_dict(response.json())

        return response_200

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

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | Suggestions]:
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
    body: SuggestionsRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | Suggestions]:
    """Lease up to `count` trials to the caller.

     Trials whose lease lapsed without a report come first (same number and params),
    then new ones from the strategy. Two callers never get the same trial. An empty
    `items` with `state` completed: the study is done; with `state` running: every
    trial left is leased to someone, ask again after `retry_after_s`.

    Args:
        study_id (str):
        idempotency_key (str | Unset):
        body (SuggestionsRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Suggestions]
    """

    kwargs = _get_kwargs(
        study_id=study_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SuggestionsRequest,
    idempotency_key: str | Unset = UNSET,
) -> Problem | Suggestions | None:
    """Lease up to `count` trials to the caller.

     Trials whose lease lapsed without a report come first (same number and params),
    then new ones from the strategy. Two callers never get the same trial. An empty
    `items` with `state` completed: the study is done; with `state` running: every
    trial left is leased to someone, ask again after `retry_after_s`.

    Args:
        study_id (str):
        idempotency_key (str | Unset):
        body (SuggestionsRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Suggestions
    """

    return sync_detailed(
        study_id=study_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SuggestionsRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | Suggestions]:
    """Lease up to `count` trials to the caller.

     Trials whose lease lapsed without a report come first (same number and params),
    then new ones from the strategy. Two callers never get the same trial. An empty
    `items` with `state` completed: the study is done; with `state` running: every
    trial left is leased to someone, ask again after `retry_after_s`.

    Args:
        study_id (str):
        idempotency_key (str | Unset):
        body (SuggestionsRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Suggestions]
    """

    kwargs = _get_kwargs(
        study_id=study_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    study_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SuggestionsRequest,
    idempotency_key: str | Unset = UNSET,
) -> Problem | Suggestions | None:
    """Lease up to `count` trials to the caller.

     Trials whose lease lapsed without a report come first (same number and params),
    then new ones from the strategy. Two callers never get the same trial. An empty
    `items` with `state` completed: the study is done; with `state` running: every
    trial left is leased to someone, ask again after `retry_after_s`.

    Args:
        study_id (str):
        idempotency_key (str | Unset):
        body (SuggestionsRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Suggestions
    """

    return (
        await asyncio_detailed(
            study_id=study_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

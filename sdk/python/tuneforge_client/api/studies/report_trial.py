from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.report import Report
from ...models.study_trial import StudyTrial
from ...types import UNSET, Response, Unset


def _get_kwargs(
    study_id: str,
    number: str,
    *,
    body: Report,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/studies/{study_id}/trials/{number}".format(
            study_id=quote(str(study_id), safe=""),
            number=quote(str(number), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | StudyTrial:
    if response.status_code == 200:
        response_200 = StudyTrial.from_dict(response.json())

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
) -> Response[Problem | StudyTrial]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    study_id: str,
    number: str,
    *,
    client: AuthenticatedClient | Client,
    body: Report,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | StudyTrial]:
    """Report trial `number`: `{"value": v}`, `{"state": "failed", "error": ...}` or
    `{"state": "pruned"}` (200 with the trial); `{"intermediate": {"step", "value"}}`
    answers `{"should_stop": bool}` (200), the strategy's pruner's verdict (bayesian
    only; random and grid never stop a trial).

     The same report again is answered as the first; another outcome for a trial
    already reported is 409. A report after the trial's lease lapsed is taken as long
    as the trial was not reported: the value is the same whoever evaluated it.

    Args:
        study_id (str):
        number (str):
        idempotency_key (str | Unset):
        body (Report):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StudyTrial]
    """

    kwargs = _get_kwargs(
        study_id=study_id,
        number=number,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    study_id: str,
    number: str,
    *,
    client: AuthenticatedClient | Client,
    body: Report,
    idempotency_key: str | Unset = UNSET,
) -> Problem | StudyTrial | None:
    """Report trial `number`: `{"value": v}`, `{"state": "failed", "error": ...}` or
    `{"state": "pruned"}` (200 with the trial); `{"intermediate": {"step", "value"}}`
    answers `{"should_stop": bool}` (200), the strategy's pruner's verdict (bayesian
    only; random and grid never stop a trial).

     The same report again is answered as the first; another outcome for a trial
    already reported is 409. A report after the trial's lease lapsed is taken as long
    as the trial was not reported: the value is the same whoever evaluated it.

    Args:
        study_id (str):
        number (str):
        idempotency_key (str | Unset):
        body (Report):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StudyTrial
    """

    return sync_detailed(
        study_id=study_id,
        number=number,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    study_id: str,
    number: str,
    *,
    client: AuthenticatedClient | Client,
    body: Report,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | StudyTrial]:
    """Report trial `number`: `{"value": v}`, `{"state": "failed", "error": ...}` or
    `{"state": "pruned"}` (200 with the trial); `{"intermediate": {"step", "value"}}`
    answers `{"should_stop": bool}` (200), the strategy's pruner's verdict (bayesian
    only; random and grid never stop a trial).

     The same report again is answered as the first; another outcome for a trial
    already reported is 409. A report after the trial's lease lapsed is taken as long
    as the trial was not reported: the value is the same whoever evaluated it.

    Args:
        study_id (str):
        number (str):
        idempotency_key (str | Unset):
        body (Report):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StudyTrial]
    """

    kwargs = _get_kwargs(
        study_id=study_id,
        number=number,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    study_id: str,
    number: str,
    *,
    client: AuthenticatedClient | Client,
    body: Report,
    idempotency_key: str | Unset = UNSET,
) -> Problem | StudyTrial | None:
    """Report trial `number`: `{"value": v}`, `{"state": "failed", "error": ...}` or
    `{"state": "pruned"}` (200 with the trial); `{"intermediate": {"step", "value"}}`
    answers `{"should_stop": bool}` (200), the strategy's pruner's verdict (bayesian
    only; random and grid never stop a trial).

     The same report again is answered as the first; another outcome for a trial
    already reported is 409. A report after the trial's lease lapsed is taken as long
    as the trial was not reported: the value is the same whoever evaluated it.

    Args:
        study_id (str):
        number (str):
        idempotency_key (str | Unset):
        body (Report):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StudyTrial
    """

    return (
        await asyncio_detailed(
            study_id=study_id,
            number=number,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

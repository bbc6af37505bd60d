from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.prediction_rows import PredictionRows
from ...models.predictions import Predictions
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    job_id: str,
    *,
    body: PredictionRows | File | Unset = UNSET,
    probabilities: bool | Unset = True,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["probabilities"] = probabilities

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/jobs/{job_id}/predictions".format(
            job_id=quote(str(job_id), safe=""),
        ),
        "params": params,
    }

    if isinstance(body, PredictionRows):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Predictions | Problem:
    if response.status_code == 200:
        response_200 = Predictions.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

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
) -> Response[Predictions | Problem]:
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
    body: PredictionRows | File | Unset = UNSET,
    probabilities: bool | Unset = True,
) -> Response[Predictions | Problem]:
    """Predict with the job's model on rows sent as JSON or CSV.

     Rows are checked against the columns the model was trained on: a missing one is a 422 naming it, a
    value that is not of its column's type a 422 naming the row and column, and columns the model does
    not take are ignored and listed (`ignored_columns`, or the `X-Ignored-Columns` header of a CSV
    answer). Values are read as the dataset's were: numbers written as text with its decimal mark and
    thousands separators, text as text. A job's model is loaded from the skops file the service wrote
    (its sha256 checked) and kept loaded for the next request.

    With `Accept: text/csv`, a CSV body is answered as CSV, streamed a block of rows at a time: a
    `prediction` column and, for a classifier, a `probability_<class>` column per class. A value that
    cannot be read after the first block ends the stream early (the answer is then incomplete: its
    chunked encoding is not terminated).

    Args:
        job_id (str):
        probabilities (bool | Unset):  Default: True.
        body (PredictionRows):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Predictions | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        body=body,
        probabilities=probabilities,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PredictionRows | File | Unset = UNSET,
    probabilities: bool | Unset = True,
) -> Predictions | Problem | None:
    """Predict with the job's model on rows sent as JSON or CSV.

     Rows are checked against the columns the model was trained on: a missing one is a 422 naming it, a
    value that is not of its column's type a 422 naming the row and column, and columns the model does
    not take are ignored and listed (`ignored_columns`, or the `X-Ignored-Columns` header of a CSV
    answer). Values are read as the dataset's were: numbers written as text with its decimal mark and
    thousands separators, text as text. A job's model is loaded from the skops file the service wrote
    (its sha256 checked) and kept loaded for the next request.

    With `Accept: text/csv`, a CSV body is answered as CSV, streamed a block of rows at a time: a
    `prediction` column and, for a classifier, a `probability_<class>` column per class. A value that
    cannot be read after the first block ends the stream early (the answer is then incomplete: its
    chunked encoding is not terminated).

    Args:
        job_id (str):
        probabilities (bool | Unset):  Default: True.
        body (PredictionRows):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Predictions | Problem
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        body=body,
        probabilities=probabilities,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PredictionRows | File | Unset = UNSET,
    probabilities: bool | Unset = True,
) -> Response[Predictions | Problem]:
    """Predict with the job's model on rows sent as JSON or CSV.

     Rows are checked against the columns the model was trained on: a missing one is a 422 naming it, a
    value that is not of its column's type a 422 naming the row and column, and columns the model does
    not take are ignored and listed (`ignored_columns`, or the `X-Ignored-Columns` header of a CSV
    answer). Values are read as the dataset's were: numbers written as text with its decimal mark and
    thousands separators, text as text. A job's model is loaded from the skops file the service wrote
    (its sha256 checked) and kept loaded for the next request.

    With `Accept: text/csv`, a CSV body is answered as CSV, streamed a block of rows at a time: a
    `prediction` column and, for a classifier, a `probability_<class>` column per class. A value that
    cannot be read after the first block ends the stream early (the answer is then incomplete: its
    chunked encoding is not terminated).

    Args:
        job_id (str):
        probabilities (bool | Unset):  Default: True.
        body (PredictionRows):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Predictions | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        body=body,
        probabilities=probabilities,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PredictionRows | File | Unset = UNSET,
    probabilities: bool | Unset = True,
) -> Predictions | Problem | None:
    """Predict with the job's model on rows sent as JSON or CSV.

     Rows are checked against the columns the model was trained on: a missing one is a 422 naming it, a
    value that is not of its column's type a 422 naming the row and column, and columns the model does
    not take are ignored and listed (`ignored_columns`, or the `X-Ignored-Columns` header of a CSV
    answer). Values are read as the dataset's were: numbers written as text with its decimal mark and
    thousands separators, text as text. A job's model is loaded from the skops file the service wrote
    (its sha256 checked) and kept loaded for the next request.

    With `Accept: text/csv`, a CSV body is answered as CSV, streamed a block of rows at a time: a
    `prediction` column and, for a classifier, a `probability_<class>` column per class. A value that
    cannot be read after the first block ends the stream early (the answer is then incomplete: its
    chunked encoding is not terminated).

    Args:
        job_id (str):
        probabilities (bool | Unset):  Default: True.
        body (PredictionRows):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Predictions | Problem
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            body=body,
            probabilities=probabilities,
        )
    ).parsed

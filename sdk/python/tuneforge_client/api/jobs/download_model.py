from http import HTTPStatus
from io import BytesIO
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.download_model_format import DownloadModelFormat
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    job_id: str,
    *,
    format_: DownloadModelFormat | Unset = "joblib",
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/jobs/{job_id}/model".format(
            job_id=quote(str(job_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | File | Problem:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[Any | File | Problem]:
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
    format_: DownloadModelFormat | Unset = "joblib",
    if_none_match: str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """Download the trained pipeline (preprocessing + estimator) as a file.

     joblib by default (a pickle); with ``format=skops`` a file that loads without
    unpickling: ``skops.io.load(f, trusted=<the result's model.skops.trusted_types>)``;
    with ``format=onnx`` an ONNX graph of the whole pipeline with one named input per
    column (``onnxruntime.InferenceSession(f)``; the result's ``model.onnx`` lists
    them), or a 409 saying why the pipeline has none.

    Args:
        job_id (str):
        format_ (DownloadModelFormat | Unset):  Default: 'joblib'.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        format_=format_,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadModelFormat | Unset = "joblib",
    if_none_match: str | Unset = UNSET,
) -> Any | File | Problem | None:
    """Download the trained pipeline (preprocessing + estimator) as a file.

     joblib by default (a pickle); with ``format=skops`` a file that loads without
    unpickling: ``skops.io.load(f, trusted=<the result's model.skops.trusted_types>)``;
    with ``format=onnx`` an ONNX graph of the whole pipeline with one named input per
    column (``onnxruntime.InferenceSession(f)``; the result's ``model.onnx`` lists
    them), or a 409 saying why the pipeline has none.

    Args:
        job_id (str):
        format_ (DownloadModelFormat | Unset):  Default: 'joblib'.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        format_=format_,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadModelFormat | Unset = "joblib",
    if_none_match: str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """Download the trained pipeline (preprocessing + estimator) as a file.

     joblib by default (a pickle); with ``format=skops`` a file that loads without
    unpickling: ``skops.io.load(f, trusted=<the result's model.skops.trusted_types>)``;
    with ``format=onnx`` an ONNX graph of the whole pipeline with one named input per
    column (``onnxruntime.InferenceSession(f)``; the result's ``model.onnx`` lists
    them), or a 409 saying why the pipeline has none.

    Args:
        job_id (str):
        format_ (DownloadModelFormat | Unset):  Default: 'joblib'.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        format_=format_,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DownloadModelFormat | Unset = "joblib",
    if_none_match: str | Unset = UNSET,
) -> Any | File | Problem | None:
    """Download the trained pipeline (preprocessing + estimator) as a file.

     joblib by default (a pickle); with ``format=skops`` a file that loads without
    unpickling: ``skops.io.load(f, trusted=<the result's model.skops.trusted_types>)``;
    with ``format=onnx`` an ONNX graph of the whole pipeline with one named input per
    column (``onnxruntime.InferenceSession(f)``; the result's ``model.onnx`` lists
    them), or a 409 saying why the pipeline has none.

    Args:
        job_id (str):
        format_ (DownloadModelFormat | Unset):  Default: 'joblib'.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            format_=format_,
            if_none_match=if_none_match,
        )
    ).parsed

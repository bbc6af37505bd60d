from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.dataset import Dataset
from ...models.problem import Problem
from ...models.upload_dataset_files_body import UploadDatasetFilesBody
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    *,
    body: UploadDatasetFilesBody | File | Unset = UNSET,
    name: str | Unset = UNSET,
    tags: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["name"] = name

    params["tags"] = tags

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/datasets",
        "params": params,
    }

    if isinstance(body, UploadDatasetFilesBody):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Dataset | Problem:
    if response.status_code == 201:
        response_201 = Dataset.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Dataset | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UploadDatasetFilesBody | File | Unset = UNSET,
    name: str | Unset = UNSET,
    tags: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Dataset | Problem]:
    """Upload a CSV table; answers with its profile.

     The reader detects the encoding (UTF-8, else Windows-1252 or Latin-1; UTF-16 with a byte-order
    mark), the separator (`,` `;` tab `|`) and a decimal comma; text columns that are mostly numbers
    (thousands separators, a few odd cells such as `n/a` or `-`, which become missing) are read as
    numbers, and NUL bytes are left out. Each guess is listed in the dataset's `warnings`, and a job
    reads the table the same way. A header that repeats a column name is refused with 422, naming the
    name and its columns: rename one and upload again.

    Args:
        name (str | Unset):
        tags (str | Unset):
        idempotency_key (str | Unset):
        body (UploadDatasetFilesBody):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Dataset | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        name=name,
        tags=tags,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: UploadDatasetFilesBody | File | Unset = UNSET,
    name: str | Unset = UNSET,
    tags: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Dataset | Problem | None:
    """Upload a CSV table; answers with its profile.

     The reader detects the encoding (UTF-8, else Windows-1252 or Latin-1; UTF-16 with a byte-order
    mark), the separator (`,` `;` tab `|`) and a decimal comma; text columns that are mostly numbers
    (thousands separators, a few odd cells such as `n/a` or `-`, which become missing) are read as
    numbers, and NUL bytes are left out. Each guess is listed in the dataset's `warnings`, and a job
    reads the table the same way. A header that repeats a column name is refused with 422, naming the
    name and its columns: rename one and upload again.

    Args:
        name (str | Unset):
        tags (str | Unset):
        idempotency_key (str | Unset):
        body (UploadDatasetFilesBody):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Dataset | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        name=name,
        tags=tags,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UploadDatasetFilesBody | File | Unset = UNSET,
    name: str | Unset = UNSET,
    tags: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Dataset | Problem]:
    """Upload a CSV table; answers with its profile.

     The reader detects the encoding (UTF-8, else Windows-1252 or Latin-1; UTF-16 with a byte-order
    mark), the separator (`,` `;` tab `|`) and a decimal comma; text columns that are mostly numbers
    (thousands separators, a few odd cells such as `n/a` or `-`, which become missing) are read as
    numbers, and NUL bytes are left out. Each guess is listed in the dataset's `warnings`, and a job
    reads the table the same way. A header that repeats a column name is refused with 422, naming the
    name and its columns: rename one and upload again.

    Args:
        name (str | Unset):
        tags (str | Unset):
        idempotency_key (str | Unset):
        body (UploadDatasetFilesBody):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Dataset | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        name=name,
        tags=tags,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: UploadDatasetFilesBody | File | Unset = UNSET,
    name: str | Unset = UNSET,
    tags: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Dataset | Problem | None:
    """Upload a CSV table; answers with its profile.

     The reader detects the encoding (UTF-8, else Windows-1252 or Latin-1; UTF-16 with a byte-order
    mark), the separator (`,` `;` tab `|`) and a decimal comma; text columns that are mostly numbers
    (thousands separators, a few odd cells such as `n/a` or `-`, which become missing) are read as
    numbers, and NUL bytes are left out. Each guess is listed in the dataset's `warnings`, and a job
    reads the table the same way. A header that repeats a column name is refused with 422, naming the
    name and its columns: rename one and upload again.

    Args:
        name (str | Unset):
        tags (str | Unset):
        idempotency_key (str | Unset):
        body (UploadDatasetFilesBody):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Dataset | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            name=name,
            tags=tags,
            idempotency_key=idempotency_key,
        )
    ).parsed

"""One error body for every failure: ``{"error": {"code": "...", "message": "..."}}``.

Clients (the dashboard among them) branch on ``code``, a stable word, and show
``message``, one line in plain words. Validation errors add ``details`` (where
and what), internal errors say nothing of the internals.
"""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsgraph.api.security import security_headers
from newsgraph.store import EntityNotFound

log = logging.getLogger("newsgraph.api")

_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_request", 429: "too_many_requests", 500: "internal_error", 503: "unavailable",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An error the API reports as such: ``status``, a stable ``code`` and a message."""

    def __init__(self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.headers = headers


def error_response(status: int, code: str, message: str, *, details: list | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def not_found(what: str) -> ApiError:
    return ApiError(404, what, "not_found")


#: Documented on every route: the shape of error responses.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad request (e.g. an invalid cursor)"},
    404: {"model": ErrorBody, "description": "Not found"},
    422: {"model": ErrorBody, "description": "Invalid parameters"},
}


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the one error body."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(EntityNotFound)
    async def _no_entity(_: Request, exc: EntityNotFound) -> JSONResponse:
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
        if status == 404 and message == "Not Found":
            message = "no such resource"
        return error_response(status, _CODES.get(status, "error"), message,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ())]
            details.append({"location": ".".join(loc), "message": str(e.get("msg", ""))})
        where = details[0]["location"] if details else "request"
        first = details[0]["message"] if details else "invalid request"
        return error_response(422, "invalid_request", f"{where}: {first}", details=details)

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        response = error_response(500, "internal_error", "internal error; see the server log")
        response.headers.update(security_headers())
        return response

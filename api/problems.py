"""The one error shape of the API: RFC 9457 problem details, built in one place.

Every 4xx/5xx answer is ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``code`` (plus ``errors`` for request validation). Framework errors (unknown route,
bad method, invalid request, body too large) are first turned into a :class:`GwersiError` so that
:func:`gwersi.errors.describe` stays the single translation; domain errors go straight to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from gwersi.errors import ErrorInfo, GwersiError, describe

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:gwersi:problem:"
log = logging.getLogger("gwersi.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class FieldProblem(BaseModel):
    """One invalid part of a request."""

    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="A URN naming the kind of problem: urn:gwersi:problem:<code>.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this case, in plain words.")
    code: str = Field(description="Stable machine-readable reason.")
    errors: list[FieldProblem] | None = Field(default=None, description="Invalid request parts (422 only).")


class RateLimitedError(GwersiError):
    """Too many failed sign-in attempts from one client."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate_limited", f"too many failed token attempts; try again in {retry_after} s", 429)
        self.retry_after = retry_after


def as_gwersi_error(exc: BaseException) -> BaseException:
    """Framework exceptions as :class:`GwersiError`; anything else unchanged (for ``describe``)."""
    if isinstance(exc, RequestValidationError):
        return GwersiError("validation_error", _validation_summary(exc), 422)
    if isinstance(exc, StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such resource; see /docs for the API's paths"
        return GwersiError(code, detail, exc.status_code)
    return exc


def problem_response(exc: BaseException) -> JSONResponse:
    """The problem+json response for any exception (unexpected ones become a bare 500)."""
    info: ErrorInfo = describe(as_gwersi_error(exc))
    if info.status >= 500 and info.code == "internal_error":
        log.error("unexpected error", exc_info=exc)
    body = Problem(
        type=TYPE_PREFIX + info.code, title=info.title, status=info.status, detail=info.detail, code=info.code
    )
    if isinstance(exc, RequestValidationError):
        body.errors = [
            FieldProblem(
                loc=[str(p) if not isinstance(p, int) else p for p in e.get("loc", ())], msg=str(e.get("msg", ""))
            )
            for e in exc.errors()[:20]
        ]
    headers: dict[str, str] = {}
    if isinstance(exc, StarletteHTTPException) and exc.headers:
        headers.update(exc.headers)
    if info.status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=info.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _validation_summary(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = len(exc.errors()) - 5
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts) or "the request is not valid"


class ProblemRoute(APIRoute):
    """A route whose handler (and dependencies) answer any exception with a problem document."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except (StarletteHTTPException, RequestValidationError):
                raise
            except Exception as exc:
                return problem_response(exc)

        return handler


async def _handle(_request: Request, exc: Exception) -> Response:
    return problem_response(exc)


def install(app: FastAPI) -> None:
    """Register the problem handlers for framework errors and anything that escapes a route."""
    app.add_exception_handler(StarletteHTTPException, _handle)
    app.add_exception_handler(RequestValidationError, _handle)
    app.add_exception_handler(Exception, _handle)


def problem_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Document the problem shape on every operation (replacing FastAPI's own 422 schema)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for name, model in (("FieldProblem", FieldProblem), ("Problem", Problem)):
        js = model.model_json_schema(ref_template="#/components/schemas/{model}")
        js.pop("$defs", None)
        components[name] = js
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in [s for s in responses if s.startswith(("4", "5"))]:
                del responses[status]
            responses["4XX"] = {
                "description": "Client error (problem details)",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}},
            }
            responses["5XX"] = {
                "description": "Server error or not ready (problem details)",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}},
            }
    return schema

"""One error shape for the whole API: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from graph.ingest.records import BatchError
from graph.store import UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client can act on; ``details`` names each bad field or record."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}


def bad_parameter(name: str, reason: str) -> ApiError:
    return ApiError(
        400, "bad_parameter", f"bad query parameter {name!r}", [{"field": name, "reason": reason}]
    )


def not_found(what: str, identifier: str) -> ApiError:
    return ApiError(404, "not_found", f"no {what} with id {identifier!r}")


def register_error_handlers(app: Flask) -> None:
    retry_after = str(app.config["RETRY_AFTER_SECONDS"])

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> ResponseReturnValue:
        return _body(error.code, error.message, error.details), error.status, error.headers

    @app.errorhandler(BatchError)
    def _batch_error(error: BatchError) -> ResponseReturnValue:
        status, code = (413, "batch_too_large") if error.too_large else (400, "invalid_records")
        message = "the batch was rejected and nothing was written"
        return _body(code, message, [e.as_dict() for e in error.errors]), status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        code = (error.name or "error").lower().replace(" ", "_")
        return _body(code, error.description or error.name), error.code or 500

    for exception in UNAVAILABLE_ERRORS:

        @app.errorhandler(exception)
        def _unavailable(error: Exception) -> ResponseReturnValue:
            logger.warning("Neo4j unavailable: %s", type(error).__name__)
            message = "the graph database is not reachable; nothing was written, retry later"
            return _body("database_unavailable", message), 503, {"Retry-After": retry_after}

    @app.errorhandler(Exception)
    def _internal(error: Exception) -> ResponseReturnValue:
        logger.exception("unhandled error")
        return _body("internal_error", "internal error"), 500


def _body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> Any:
    return jsonify({"error": {"code": code, "message": message, "details": details or []}})

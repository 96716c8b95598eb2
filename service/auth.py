"""API keys on every route but ``/health``, scopes per route, rate limits per key.

``Authorization: Bearer ig_<id>_<secret>``. GET needs ``read``, POST ``write``, DELETE ``admin``;
a view may ask for another scope with :func:`requires`. Verified keys are cached for
``AUTH_CACHE_SECONDS`` (a revoked key stops working within that time). Rate limits are counted
per key by Flask-Limiter (``RATELIMIT_DEFAULT``, in memory: per process).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import TypeVar

from cachetools import TTLCache
from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from graph.access import api_keys
from graph.access.api_keys import ApiKey
from service.errors import ApiError
from service.neo4j_ext import store

F = TypeVar("F", bound=Callable[..., object])

METHOD_SCOPES = {"GET": "read", "HEAD": "read", "POST": "write", "PUT": "write", "DELETE": "admin"}
PUBLIC_BLUEPRINTS = {"health"}
#: Web pages, not API routes: they check keys themselves (``service/web``: the key kept in a
#: session cookie; none for the Neo4j Browser guide), and OpenAPI leaves them out.
PAGE_BLUEPRINTS = frozenset({"web", "guide"})


def requires(scope: str) -> Callable[[F], F]:
    """Mark a view as needing ``scope`` instead of its method's default."""

    def mark(view: F) -> F:
        view.required_scope = scope  # type: ignore[attr-defined]
        return view

    return mark


class Auth:
    """Checks the bearer key of each request; keeps verified keys for a short while."""

    def __init__(self, app: Flask) -> None:
        self._cache: TTLCache[str, ApiKey | None] = TTLCache(
            maxsize=4096, ttl=float(app.config["AUTH_CACHE_SECONDS"])
        )
        self._lock = threading.Lock()
        app.extensions["auth"] = self
        app.before_request(self._check)
        limiter = Limiter(_limit_key, app=app)
        limiter.request_filter(lambda: request.blueprint in PUBLIC_BLUEPRINTS)

    def _check(self) -> None:
        if request.blueprint in PUBLIC_BLUEPRINTS or request.endpoint is None:
            return
        if request.blueprint in PAGE_BLUEPRINTS:
            return
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("send an API key: Authorization: Bearer <key>")
        key = self._key(token.strip())
        if key is None or key.revoked_at is not None:
            raise _unauthorized("the API key is unknown or revoked")
        view = current_app.view_functions.get(request.endpoint)
        scope = getattr(view, "required_scope", None) or METHOD_SCOPES.get(request.method, "admin")
        if not key.allows(scope):
            raise ApiError(
                403,
                "forbidden",
                f"this API key lacks the {scope!r} scope",
                [{"field": "Authorization", "reason": f"scopes {', '.join(key.scopes)}"}],
            )
        g.api_key = key

    def key(self, token: str) -> ApiKey | None:
        """The key ``token`` belongs to (revoked or not), or None; cached as requests' keys are."""
        return self._key(token)

    def _key(self, token: str) -> ApiKey | None:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()  # the cache holds no tokens
        with self._lock:
            try:  # one lookup: between "in" (or .get's) and "[]" an entry can expire
                return self._cache[digest]
            except KeyError:
                pass
        key = api_keys.verify(store(), token)
        with self._lock:
            self._cache[digest] = key
        return key


def _limit_key() -> str:
    key: ApiKey | None = g.get("api_key")
    return f"key:{key.id}" if key is not None else f"ip:{get_remote_address()}"


def _unauthorized(message: str) -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        message,
        [{"field": "Authorization", "reason": message}],
        headers={"WWW-Authenticate": 'Bearer realm="interest-graph"'},
    )

"""The Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from graph.ingest.records import MAX_BATCH, MAX_TEXT_CHARS
from graph.privacy import pseudonyms
from graph.privacy.pseudonyms import Pseudonyms
from service.api import (
    docs,
    events,
    evolution,
    feedback,
    health,
    interests,
    items,
    metrics,
    recommendations,
    texts,
    users,
)
from service.auth import Auth
from service.errors import register_error_handlers
from service.metrics import Metrics
from service.neo4j_ext import Neo4j
from service.policy import Policies
from service.web import init_app as register_web_pages

DEFAULTS: dict[str, Any] = {
    "MAX_BATCH": MAX_BATCH,  # records per POST
    "MAX_TEXT_BATCH": 100,  # texts per POST
    "MAX_TEXT_CHARS": MAX_TEXT_CHARS,  # characters per text
    "STORE_RAW_TEXT": False,  # keep what users wrote, not only the interests drawn from it
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,  # bytes per request body
    "DB_RETRY_SECONDS": 1.0,  # how long a request retries transient Neo4j errors
    "RETRY_AFTER_SECONDS": 5,  # the Retry-After of a 503
    "JSON_SORT_KEYS": False,
    "AUTH_CACHE_SECONDS": 10,  # a revoked key stops working within this time
    "RATELIMIT_DEFAULT": "6000 per minute",  # per API key (Flask-Limiter syntax)
    "RATELIMIT_STORAGE_URI": "memory://",  # per process; a shared store (redis://) for a fleet
    "RATELIMIT_HEADERS_ENABLED": True,
    "POLICY_LEARN_S": 2.0,  # how often each worker's policy learns from new feedback
    "POLICY_LOG_BEHIND": True,  # log what was shown behind the answer (False: before it returns)
    "POLICY_SEED": None,  # a number makes exploration's draws repeatable (tests); None: fresh
    "METRICS_CACHE_SECONDS": 15,  # how long /metrics keeps what it read of the graph's state
    "METRICS_FEEDBACK_WINDOW_SECONDS": 3600,  # the answers the reward rate and exploration cover
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Defaults, then ``INTERESTS_*`` environment variables, then ``config`` (tests pass one)."""
    app = Flask(__name__, static_folder=None)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("INTERESTS")
    if config:
        app.config.update(config)
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # every 2 s
    app.json.sort_keys = False  # type: ignore[attr-defined]
    register_error_handlers(app)
    Metrics(app)  # first: its hooks time every answer, refused ones too
    secret = app.config.get("SECRET")
    app.extensions["pseudonyms"] = Pseudonyms(secret) if secret else pseudonyms.load()
    neo4j = Neo4j(app)
    app.extensions["policies"] = Policies(neo4j.graph, learn_every_s=app.config["POLICY_LEARN_S"],
                                          log_behind=app.config["POLICY_LOG_BEHIND"],
                                          seed=app.config["POLICY_SEED"])  # fmt: skip
    Auth(app)  # after Neo4j (keys live in the graph), before the blueprints
    blueprints = (
        health, docs, items, events, feedback, users, texts, interests, evolution,
        recommendations, metrics,
    )  # fmt: skip
    for module in blueprints:
        app.register_blueprint(module.blueprint)
    register_web_pages(app)  # the pages under /ui and the Neo4j Browser guide (service/web)
    return app

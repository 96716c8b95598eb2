"""Keyed pseudonyms for user ids: the graph holds ``HMAC-SHA256(secret, id)``, never the raw id.

The API and the importers turn the caller's id into its pseudonym on the way in and answer with
the caller's own id; nothing maps a pseudonym back. The secret comes from ``INTERESTS_SECRET`` or
from a file created once under the data folder (``<data dir>/secret``, mode 0600). Losing or
changing it detaches every stored user from the ids callers know.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graph.ingest.records import EventIn
from graph.store.config import ConfigError, local_server

PREFIX = "p:"
SECRET_FILE = "secret"
MIN_SECRET_CHARS = 16
USERS_KNOWN = 50_000  # pseudonyms kept per instance (about 12 MB at most)


class Pseudonyms:
    """Maps external user ids to the ids stored in the graph."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise ConfigError(f"the pseudonym secret needs at least {MIN_SECRET_CHARS} characters")
        self._key = secret.encode("utf-8")
        self._known: dict[str, str] = {}  # imports repeat each user many times

    def user(self, external_id: str) -> str:
        """The graph's id for a user: ``p:`` and 32 hex digits (128 bits of the HMAC)."""
        found = self._known.get(external_id)
        if found is None:
            digest = hmac.new(self._key, external_id.encode("utf-8"), hashlib.sha256).hexdigest()
            found = PREFIX + digest[:32]
            if len(self._known) < USERS_KNOWN:
                self._known[external_id] = found
        return found

    def event(self, event: EventIn) -> EventIn:
        """The event as the graph stores it (its content-derived id then uses the pseudonym)."""
        return event.model_copy(update={"user_id": self.user(event.user_id)})

    def event_row(self, event: EventIn) -> dict[str, Any]:
        """``self.event(event).row()``, without copying the event (bulk imports)."""
        return event.row(user_id=self.user(event.user_id))


def load(env: Mapping[str, str] | None = None) -> Pseudonyms:
    """The pseudonyms of this installation."""
    return Pseudonyms(secret(env))


def secret(env: Mapping[str, str] | None = None) -> str:
    """``INTERESTS_SECRET``, else the one stored in the data folder (created on first use)."""
    env = os.environ if env is None else env
    return env.get("INTERESTS_SECRET") or _stored_secret(local_server(env).data_dir)


def _stored_secret(data_dir: Path) -> str:
    path = data_dir / SECRET_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip()

"""Where the graph lives: a server named by ``NEO4J_URI``, or the project's own local Neo4j.

Settings come from the environment so that the CLI, the service and the tests agree:

=========================  ==========================================================
``NEO4J_URI``              use this server (Docker, Desktop, Aura); nothing local starts
``NEO4J_USER``             user name (default ``neo4j``)
``NEO4J_PASSWORD``         password; for the local server, the initial password to set
``NEO4J_DATABASE``         database name (default: the server's default)
``INTERESTS_DATA_DIR``     data folder of the local server (default ``./var``)
``INTERESTS_BOLT_PORT``    local Bolt port (default 7687)
``INTERESTS_HTTP_PORT``    local HTTP port for Neo4j Browser (default 7474)
``INTERESTS_HEAP``         local JVM heap (default ``1g``)
``INTERESTS_PAGECACHE``    local page cache (default ``512m``)
=========================  ==========================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PASSWORD_FILE = "neo4j-password"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class LocalServer:
    """The project's own Neo4j: its home under the data folder, ports and memory."""

    data_dir: Path
    bolt_port: int = 7687
    http_port: int = 7474
    heap: str = "1g"
    pagecache: str = "512m"

    @property
    def home(self) -> Path:
        return self.data_dir / "neo4j"

    @property
    def password_file(self) -> Path:
        return self.data_dir / PASSWORD_FILE

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"


@dataclass(frozen=True)
class Connection:
    """How to reach the graph."""

    uri: str
    user: str
    password: str
    database: str | None = None
    local: LocalServer | None = None  # None when NEO4J_URI names an outside server


def local_server(env: Mapping[str, str] | None = None) -> LocalServer:
    env = os.environ if env is None else env
    return LocalServer(
        data_dir=Path(env.get("INTERESTS_DATA_DIR", "var")).resolve(),
        bolt_port=_port(env, "INTERESTS_BOLT_PORT", 7687),
        http_port=_port(env, "INTERESTS_HTTP_PORT", 7474),
        heap=env.get("INTERESTS_HEAP", "1g"),
        pagecache=env.get("INTERESTS_PAGECACHE", "512m"),
    )


def connection(env: Mapping[str, str] | None = None) -> Connection:
    """Resolve the connection settings, failing fast when one is missing."""
    env = os.environ if env is None else env
    user = env.get("NEO4J_USER", "neo4j")
    database = env.get("NEO4J_DATABASE") or None
    if env.get("NEO4J_URI"):
        password = env.get("NEO4J_PASSWORD")
        if not password:
            raise ConfigError("NEO4J_URI is set but NEO4J_PASSWORD is not")
        return Connection(env["NEO4J_URI"], user, password, database)
    server = local_server(env)
    password = env.get("NEO4J_PASSWORD") or _stored_password(server)
    return Connection(server.bolt_uri, user, password, database, local=server)


def _stored_password(server: LocalServer) -> str:
    try:
        return server.password_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"no Neo4j password: set NEO4J_PASSWORD or run `interests neo4j start` "
            f"(it stores one in {server.password_file})"
        ) from None


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a port number, not {raw!r}") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{name} must be between 1 and 65535, not {port}")
    return port

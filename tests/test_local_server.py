"""The local server's checks, without starting a server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from graph.store import local_server
from graph.store.config import ConfigError, LocalServer, connection


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ("garbage", None),
    ],
)
def test_java_major_version(output: str, major: int | None) -> None:
    assert local_server.java_major_version(output) == major


def test_configuration_listens_on_loopback_only(tmp_path: Path) -> None:
    conf = local_server.configuration(LocalServer(tmp_path, bolt_port=7999, http_port=7998))
    assert "server.default_listen_address=127.0.0.1" in conf
    assert "server.bolt.listen_address=127.0.0.1:7999" in conf
    assert "0.0.0.0" not in conf


def test_start_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not local_server.port_is_free(port)
        with pytest.raises(local_server.ServerError, match=f"port {port} .* in use"):
            local_server.start(LocalServer(tmp_path, bolt_port=port, http_port=port))


def test_missing_java_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(local_server.ServerError, match="Java 17 or 21"):
        local_server.java_executable()


def test_missing_maven_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERESTS_NEO4J_LIB", str(tmp_path / "lib"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(local_server.ServerError, match="Maven"):
        local_server.install()


def test_connection_settings(tmp_path: Path) -> None:
    outside = connection({"NEO4J_URI": "neo4j+s://example.invalid", "NEO4J_PASSWORD": "secret"})
    assert outside.local is None and outside.uri == "neo4j+s://example.invalid"
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD"):
        connection({"NEO4J_URI": "bolt://example.invalid"})
    with pytest.raises(ConfigError, match="interests neo4j start"):
        connection({"INTERESTS_DATA_DIR": str(tmp_path)})
    (tmp_path / "neo4j-password").write_text("stored-password\n")
    local = connection({"INTERESTS_DATA_DIR": str(tmp_path), "INTERESTS_BOLT_PORT": "7690"})
    assert (local.uri, local.password) == ("bolt://127.0.0.1:7690", "stored-password")
    with pytest.raises(ConfigError, match="INTERESTS_BOLT_PORT"):
        connection({"INTERESTS_DATA_DIR": str(tmp_path), "INTERESTS_BOLT_PORT": "seven"})


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_password_that_starts_with_a_dash_is_set(tmp_path: Path) -> None:
    """neo4j-admin read a generated password starting with "-" as an option (CI met it)."""
    with socket.socket() as bolt_probe, socket.socket() as http_probe:  # two ports free now
        bolt_probe.bind(("127.0.0.1", 0))
        http_probe.bind(("127.0.0.1", 0))
        bolt, http = bolt_probe.getsockname()[1], http_probe.getsockname()[1]
    server = LocalServer(tmp_path, bolt_port=bolt, http_port=http)
    local_server.start(server, password="-starts-with-a-dash")
    try:
        assert server.password_file.read_text().strip() == "-starts-with-a-dash"
        assert local_server.status(server).running
    finally:
        local_server.stop(server)

"""The project's own Neo4j 5.26 Community server: jars from Maven Central, home in the data folder.

``install`` resolves the jars with ``mvn`` from ``neo4j-server/pom.xml`` (shipped with the package
as ``graph/store/neo4j-server.pom.xml``) into a cache folder; ``start`` lays out the
home, writes the configuration (127.0.0.1 only), sets the initial password on the first start,
launches the server in the background and waits until Bolt answers; ``stop`` ends it cleanly. Data
stays in the home between restarts, and starting a running server is harmless.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import psutil

from graph.store.config import ConfigError, LocalServer

logger = logging.getLogger(__name__)

API_URL_ENV = "INTERESTS_API_URL"  # where the API serves the guide Neo4j Browser opens
DEFAULT_API_URL = "http://localhost:8000"  # Neo4j Browser 5.24 allows localhost
POM = "neo4j-server.pom.xml"  # package data of graph.store: a link to neo4j-server/pom.xml
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
SUPPORTED_JAVA = (17, 21)
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Dfile.encoding=UTF-8",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
]


class ServerError(RuntimeError):
    """The local server could not be installed, started or stopped; the message says why."""


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    bolt_uri: str
    browser_url: str
    home: Path


def lib_dir() -> Path:
    """Where the jars go: ``INTERESTS_NEO4J_LIB``, else a folder of the user's cache (shared by
    every data folder and checkout on the machine)."""
    if os.environ.get("INTERESTS_NEO4J_LIB"):
        return Path(os.environ["INTERESTS_NEO4J_LIB"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "interest-graph" / "neo4j" / "target" / "lib"


def install(*, quiet: bool = True) -> Path:
    """Resolve the Neo4j jars with Maven unless they are already there; return their folder."""
    lib = lib_dir()
    if any(lib.glob("neo4j-server-*.jar")) and any(lib.glob("neo4j-browser-*.jar")):
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerError(
            "Maven (mvn) is not on PATH: install Maven 3.8+ to resolve the Neo4j jars"
        )
    pom = lib.parent.parent / "pom.xml"  # the pom's target/ is where the jars land
    pom.parent.mkdir(parents=True, exist_ok=True)
    pom.write_bytes(files("graph.store").joinpath(POM).read_bytes())
    command = [mvn, "-B", "-f", str(pom), "dependency:copy-dependencies"]
    if quiet:
        command.insert(2, "-q")
    logger.info("resolving Neo4j jars with Maven into %s", lib)
    result = subprocess.run(command, capture_output=quiet, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout or "").splitlines()[-20:])
        raise ServerError(f"mvn failed with exit code {result.returncode}:\n{tail}")
    if not any(lib.glob("neo4j-server-*.jar")):
        raise ServerError(f"mvn finished but no neo4j-server jar is in {lib}")
    return lib


def java_executable() -> str:
    """The java to run Neo4j with (``$JAVA_HOME/bin/java``, else ``java`` on PATH), checked."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise ServerError("Java is not installed: Neo4j 5.26 needs Java 17 or 21 (set JAVA_HOME)")
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    major = java_major_version(result.stderr + result.stdout)
    if major not in SUPPORTED_JAVA:
        raise ServerError(
            f"{java} is Java {major}: Neo4j 5.26 needs Java 17 or 21 (set JAVA_HOME to one)"
        )
    return java


def java_major_version(version_output: str) -> int | None:
    """Parse the major version from ``java -version`` output (``"17.0.15"`` → 17, ``"1.8"`` → 8)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def configuration(server: LocalServer) -> str:
    """The neo4j.conf of the local server: loopback only, memory sized for a small machine."""
    return "\n".join(
        [
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{server.bolt_port}",
            f"server.http.listen_address=127.0.0.1:{server.http_port}",
            "server.https.enabled=false",
            f"server.memory.pagecache.size={server.pagecache}",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            "db.tx_log.rotation.retention_policy=1 days",
            f"server.directories.data={server.home / 'data'}",
            f"server.directories.logs={server.home / 'logs'}",
            f"server.directories.run={server.home / 'run'}",
            f"server.directories.import={server.home / 'import'}",
            f"server.directories.plugins={server.home / 'plugins'}",
            *browser_settings(server),
            "",
        ]
    )


def browser_settings(server: LocalServer) -> list[str]:
    """Neo4j Browser on this server: the connect form names this server's Bolt port (the
    advertised addresses), and on connect it opens the app's guide and loads its graph style,
    served by the API at ``INTERESTS_API_URL`` (default ``http://localhost:8000``), a host the
    Browser may fetch from (``service/web/guide.py``). Neo4j 5.26 declares the list of those
    hosts as ``browser.remote_content_hostname_whitelist``; Browser 5.24 reads ``..._allowlist``
    and so keeps its default (guides.neo4j.com, localhost): hence ``localhost``."""
    api = os.environ.get(API_URL_ENV, DEFAULT_API_URL).rstrip("/")
    return [
        "server.default_advertised_address=127.0.0.1",
        f"server.bolt.advertised_address=127.0.0.1:{server.bolt_port}",
        f"server.http.advertised_address=127.0.0.1:{server.http_port}",
        f"browser.post_connect_cmd=guide {api}/guide; style {api}/guide/style.grass",
        "browser.remote_content_hostname_whitelist=guides.neo4j.com,localhost,127.0.0.1",
    ]


def status(server: LocalServer) -> Status:
    pid = _running_pid(server)
    return Status(pid is not None, pid, server.bolt_uri, server.browser_url, server.home)


def start(server: LocalServer, *, password: str | None = None, timeout_s: float = 180) -> Status:
    """Start the local server unless it runs already, and wait until Bolt answers."""
    current = status(server)
    if current.running:
        logger.info("Neo4j already running (pid %s)", current.pid)
        return current
    java = java_executable()
    lib = install()
    for name, port in (
        ("INTERESTS_BOLT_PORT", server.bolt_port),
        ("INTERESTS_HTTP_PORT", server.http_port),
    ):
        if not port_is_free(port):
            raise ServerError(
                f"port {port} on 127.0.0.1 is in use by another process: stop it or set {name}"
            )
    for sub in ("conf", "data", "logs", "run", "import", "plugins"):
        (server.home / sub).mkdir(parents=True, exist_ok=True)
    (server.home / "conf" / "neo4j.conf").write_text(configuration(server), encoding="utf-8")
    env = {**os.environ, "NEO4J_HOME": str(server.home), "NEO4J_CONF": str(server.home / "conf")}
    if not (server.home / "data" / "databases" / "system").exists():
        _set_initial_password(server, java, lib, env, password)
    command = [
        java,
        f"-Xms{server.heap}",
        f"-Xmx{server.heap}",
        *JVM_FLAGS,
        "-cp",
        f"{lib}/*",
        ENTRY_POINT,
        f"--home-dir={server.home}",
        f"--config-dir={server.home / 'conf'}",
    ]
    pid = _spawn(command, env, server.home / "logs" / "console.log")
    _pid_file(server).write_text(str(pid), encoding="utf-8")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        exited, wait_status = os.waitpid(pid, os.WNOHANG)
        if exited:
            _pid_file(server).unlink(missing_ok=True)
            raise ServerError(
                f"Neo4j exited with code {os.waitstatus_to_exitcode(wait_status)} while starting; "
                "last log lines:\n" + log_tail(server)
            )
        if _bolt_answers(server):
            logger.info("Neo4j started (pid %s) on %s", pid, server.bolt_uri)
            return status(server)
        time.sleep(0.5)
    _terminate(pid, timeout_s=30)
    _pid_file(server).unlink(missing_ok=True)
    raise ServerError(
        f"Neo4j did not answer on {server.bolt_uri} within {timeout_s:.0f} s; last log lines:\n"
        + log_tail(server)
    )


def stop(server: LocalServer, *, timeout_s: float = 60) -> bool:
    """Stop the local server; return whether one was running."""
    pid = _running_pid(server)
    if pid is None:
        _pid_file(server).unlink(missing_ok=True)
        return False
    _terminate(pid, timeout_s=timeout_s)
    _pid_file(server).unlink(missing_ok=True)
    logger.info("Neo4j stopped (pid %s)", pid)
    return True


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def log_tail(server: LocalServer, lines: int = 30) -> str:
    chunks = []
    for name in ("neo4j.log", "console.log"):
        path = server.home / "logs" / name
        if path.exists():
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            chunks.append(f"--- {path}\n" + "\n".join(text))
    return "\n".join(chunks) or "(no log written)"


def _set_initial_password(
    server: LocalServer, java: str, lib: Path, env: dict[str, str], password: str | None
) -> None:
    password = password or _read_password(server) or secrets.token_hex(16)
    if len(password) < 8:
        raise ConfigError("NEO4J_PASSWORD must have at least 8 characters (a Neo4j rule)")
    result = subprocess.run(
        [
            java,
            "-cp",
            f"{lib}/*",
            "org.neo4j.cli.AdminTool",
            "dbms",
            "set-initial-password",
            "--",  # end of options: a password may start with "-" (token_urlsafe's did, 1 in 64)
            password,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ServerError(f"setting the initial password failed:\n{result.stderr or result.stdout}")
    server.data_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(server.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    os.chmod(server.password_file, 0o600)


def _spawn(command: list[str], env: dict[str, str], console: Path) -> int:
    """Start ``command`` in its own session, detached from our terminal, output to ``console``."""
    descriptor = os.open(console, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        return os.posix_spawn(
            command[0],
            command,
            env,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, descriptor, 1),
                (os.POSIX_SPAWN_DUP2, descriptor, 2),
            ],
            setsid=True,
        )
    finally:
        os.close(descriptor)


def _read_password(server: LocalServer) -> str | None:
    try:
        return server.password_file.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _pid_file(server: LocalServer) -> Path:
    return server.home / "run" / "interests-neo4j.pid"


def _running_pid(server: LocalServer) -> int | None:
    try:
        pid = int(_pid_file(server).read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE or ENTRY_POINT not in " ".join(
            process.cmdline()
        ):
            return None
    except psutil.Error:
        return None
    return pid


def _bolt_answers(server: LocalServer) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", server.bolt_port), timeout=1):
            return True
    except OSError:
        return False


def _terminate(pid: int, *, timeout_s: float) -> None:
    try:
        process = psutil.Process(pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=timeout_s)
    except psutil.TimeoutExpired:
        logger.warning("Neo4j (pid %s) did not stop in %.0f s; killing it", pid, timeout_s)
        process.kill()
        process.wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
